//! `ipRangeContains(range, targetRange)`, a function only policy rules have
//! ("Azure Policy definition structure policy rule", policy functions):
//! whether the IP address range `range` contains the range `targetRange`.
//! Each argument is a single address (`10.0.0.0`, `2001:0DB8::3:FFFE`), a
//! CIDR range (`10.0.0.0/24`, `2001:0DB8::/110`) or a start and end address
//! (`192.168.0.1-192.168.0.9`, `2001:0DB8::-2001:0DB8::3:FFFF`), IPv4 or
//! IPv6. Microsoft documents that an empty range and mixing the two
//! families fail the evaluation; so does anything that is not one of the
//! three forms.
//!
//! Where the page is silent, the reading that cannot give a wrong verdict
//! is taken: an input it does not describe is an evaluation error, never a
//! guess. So a CIDR range with bits set after its prefix (`10.0.0.5/24`), an
//! IPv4 octet with a leading zero (which some parsers read as octal), a
//! zone index (`fe80::1%eth0`) and surrounding spaces are errors; an
//! IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) is IPv6.

use std::net::IpAddr;

use serde_json::Value;

use super::ops::describe;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    V4,
    V6,
}

impl Family {
    fn name(self) -> &'static str {
        match self {
            Family::V4 => "IPv4",
            Family::V6 => "IPv6",
        }
    }

    fn bits(self) -> u32 {
        match self {
            Family::V4 => 32,
            Family::V6 => 128,
        }
    }
}

/// An inclusive range of addresses of one family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Range {
    family: Family,
    start: u128,
    end: u128,
}

fn address(s: &str) -> Result<(Family, u128), String> {
    match s.parse::<IpAddr>() {
        Ok(IpAddr::V4(a)) => Ok((Family::V4, u128::from(u32::from(a)))),
        Ok(IpAddr::V6(a)) => Ok((Family::V6, u128::from(a))),
        Err(_) => Err(format!("`{s}` is not an IPv4 or IPv6 address")),
    }
}

fn range(s: &str) -> Result<Range, String> {
    if s.is_empty() {
        return Err("the range is empty".into());
    }
    if let Some((base, prefix)) = s.split_once('/') {
        let (family, base) = address(base)?;
        let bits = family.bits();
        let len = if !prefix.is_empty() && prefix.bytes().all(|b| b.is_ascii_digit()) {
            prefix.parse::<u32>().ok().filter(|n| *n <= bits)
        } else {
            None
        };
        let Some(len) = len else {
            return Err(format!(
                "`{s}`: the prefix length of an {} range is 0 to {bits}",
                family.name()
            ));
        };
        // The addresses after the prefix: all ones in the last `bits - len`
        // bits of the family.
        let host = if len == bits {
            0
        } else {
            (u128::MAX >> (128 - bits)) >> len
        };
        if base & host != 0 {
            return Err(format!(
                "`{s}` has bits set after its /{len} prefix (write the network address)"
            ));
        }
        return Ok(Range {
            family,
            start: base,
            end: base | host,
        });
    }
    if let Some((first, last)) = s.split_once('-') {
        let (family, start) = address(first)?;
        let (last_family, end) = address(last)?;
        if family != last_family {
            return Err(format!(
                "`{s}` starts with an {} address and ends with an {} one",
                family.name(),
                last_family.name()
            ));
        }
        if start > end {
            return Err(format!("`{s}` is empty: it ends before it starts"));
        }
        return Ok(Range { family, start, end });
    }
    let (family, a) = address(s)?;
    Ok(Range {
        family,
        start: a,
        end: a,
    })
}

fn argument(v: &Value, which: &str) -> Result<Range, String> {
    let Value::String(s) = v else {
        return Err(format!(
            "`ipRangeContains()` takes strings, its {which} argument is {}",
            describe(v)
        ));
    };
    range(s).map_err(|m| format!("`ipRangeContains()`, {which} argument: {m}"))
}

/// `ipRangeContains(range, targetRange)`: `true` when every address of
/// `targetRange` is in `range`.
pub fn range_contains(outer: &Value, inner: &Value) -> Result<Value, String> {
    let r = argument(outer, "first")?;
    let t = argument(inner, "second")?;
    if r.family != t.family {
        return Err(format!(
            "`ipRangeContains()` cannot compare an {} range with an {} range",
            r.family.name(),
            t.family.name()
        ));
    }
    Ok(Value::Bool(r.start <= t.start && t.end <= r.end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn contains(a: &str, b: &str) -> bool {
        range_contains(&json!(a), &json!(b))
            .unwrap_or_else(|e| panic!("{a}, {b}: {e}"))
            .as_bool()
            .unwrap()
    }

    fn fails(a: &Value, b: &Value) -> String {
        range_contains(a, b).unwrap_err()
    }

    #[test]
    fn the_three_documented_forms_in_both_families() {
        // Microsoft's examples.
        assert!(contains("10.0.0.0/24", "10.0.0.0"));
        assert!(contains("10.0.0.0/24", "10.0.0.255"));
        assert!(!contains("10.0.0.0/24", "10.0.1.0"));
        assert!(contains("192.168.0.1-192.168.0.9", "192.168.0.9"));
        assert!(!contains("192.168.0.1-192.168.0.9", "192.168.0.0"));
        assert!(contains("2001:0DB8::/110", "2001:0DB8::3:FFFE"));
        assert!(!contains("2001:0DB8::/110", "2001:0DB8::4:0"));
        assert!(contains(
            "2001:0DB8::-2001:0DB8::3:FFFF",
            "2001:db8::3:fffe"
        ));
        // Ranges in ranges: the whole target must be inside.
        assert!(contains("10.0.0.0/16", "10.0.4.0/22"));
        assert!(!contains("10.0.0.0/24", "10.0.0.0/23"));
        assert!(contains("10.0.0.0/24", "10.0.0.10-10.0.0.20"));
        assert!(!contains("10.0.0.0/24", "10.0.0.250-10.0.1.5"));
        assert!(contains("10.0.0.7", "10.0.0.7/32"));
        assert!(contains("0.0.0.0/0", "255.255.255.255"));
        assert!(contains("::/0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
        assert!(contains("2001:db8::1/128", "2001:db8::1"));
    }

    #[test]
    fn mixed_families_and_empty_ranges_fail_as_documented() {
        assert!(
            fails(&json!("10.0.0.0/8"), &json!("2001:db8::1")).contains("IPv4 range with an IPv6")
        );
        assert!(
            fails(&json!("::ffff:10.0.0.0/104"), &json!("10.0.0.1"))
                .contains("IPv6 range with an IPv4")
        );
        assert!(fails(&json!(""), &json!("10.0.0.1")).contains("empty"));
        assert!(fails(&json!("10.0.0.9-10.0.0.1"), &json!("10.0.0.1")).contains("empty"));
        assert!(
            fails(&json!("10.0.0.1-2001:db8::1"), &json!("10.0.0.1")).contains("ends with an IPv6")
        );
    }

    #[test]
    fn what_the_page_does_not_describe_is_an_error() {
        for bad in [
            "10.0.0.5/24",
            "10.0.0.0/33",
            "2001:db8::/129",
            "10.0.0.0/",
            "10.0.0.0/+8",
            "10.0.0.0/ 8",
            "010.0.0.1",
            "10.0.0",
            " 10.0.0.1",
            "fe80::1%eth0",
            "*",
            "Internet",
        ] {
            assert!(
                range_contains(&json!(bad), &json!("10.0.0.1")).is_err(),
                "{bad}"
            );
        }
        assert!(fails(&json!(["10.0.0.0/8"]), &json!("10.0.0.1")).contains("takes strings"));
        assert!(fails(&json!("10.0.0.0/8"), &Value::Null).contains("second argument"));
    }
}
