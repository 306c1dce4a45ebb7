//! `format(formatString, arg1, ...)` and `padLeft(valueToPad, totalLength,
//! paddingCharacter?)` ("String functions for ARM templates"). `format`
//! "uses the same formatting options as the System.String.Format method in
//! .NET": composite format items `{index[,alignment][:formatString]}`,
//! `{{` and `}}` for braces, the standard numeric format specifiers (`D`,
//! `E`, `F`, `G`, `N`, `P`, `X`, with a precision) under the invariant
//! culture; booleans print as .NET prints them (`True`). A custom numeric
//! format string is refused rather than guessed.

use serde_json::Value;

use super::super::ops::describe;
use super::args::{as_str, to_string};

/// .NET refuses an alignment of a million or more.
const WIDTH_LIMIT: usize = 1_000_000;

/// `format(formatString, arg1, ...)`.
pub(super) fn format(args: &[Value]) -> Result<Value, String> {
    let fmt = as_str(&args[0], "format")?;
    let values = &args[1..];
    let chars: Vec<char> = fmt.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '{' if chars.get(i + 1) == Some(&'{') => {
                out.push('{');
                i += 2;
            }
            '}' if chars.get(i + 1) == Some(&'}') => {
                out.push('}');
                i += 2;
            }
            '}' => {
                return Err(format!(
                    "`format()`: unmatched closing brace at {i} in \"{fmt}\""
                ));
            }
            '{' => {
                let close = chars[i..].iter().position(|&c| c == '}').ok_or_else(|| {
                    format!("`format()`: unmatched opening brace at {i} in \"{fmt}\"")
                })?;
                let item: String = chars[i + 1..i + close].iter().collect();
                out.push_str(&format_item(&item, values)?);
                i += close + 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(Value::String(out))
}

/// One `index[,alignment][:formatString]`.
fn format_item(item: &str, values: &[Value]) -> Result<String, String> {
    let (head, spec) = match item.split_once(':') {
        Some((h, s)) => (h, Some(s)),
        None => (item, None),
    };
    let (index, align) = match head.split_once(',') {
        Some((i, a)) => (i, Some(a)),
        None => (head, None),
    };
    let index = index.trim_end();
    if index.is_empty() || !index.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "`format()`: invalid placeholder {{{item}}}: it needs an argument index"
        ));
    }
    let n: usize = index
        .parse()
        .map_err(|_| format!("`format()`: invalid placeholder {{{item}}}"))?;
    let v = values.get(n).ok_or_else(|| {
        format!(
            "`format()`: placeholder {{{n}}} references argument index {n}, but there are {} argument(s)",
            values.len()
        )
    })?;
    let text = value_text(v, spec)?;
    let Some(align) = align else {
        return Ok(text);
    };
    let a = align.trim();
    if a.is_empty() {
        return Err(format!("`format()`: empty alignment value in {{{item}}}"));
    }
    let (left, digits) = match a.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, a),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("`format()`: invalid alignment in {{{item}}}"));
    }
    let width = digits
        .parse::<usize>()
        .ok()
        .filter(|w| *w < WIDTH_LIMIT)
        .ok_or_else(|| {
            format!(
                "`format()`: the alignment in {{{item}}} exceeds maximum allowed ({WIDTH_LIMIT})"
            )
        })?;
    let pad = " ".repeat(width.saturating_sub(text.chars().count()));
    Ok(if left { text + &pad } else { pad + &text })
}

/// An argument as `String.Format` prints it.
fn value_text(v: &Value, spec: Option<&str>) -> Result<String, String> {
    match v {
        Value::Number(n) => match spec {
            Some(s) if !s.is_empty() => number(v, s),
            _ => Ok(n.to_string()),
        },
        Value::String(_) | Value::Bool(_) | Value::Null => Ok(to_string(v)),
        other => Err(format!(
            "`format()` formats strings, integers and booleans, not {}",
            describe(other)
        )),
    }
}

/// A standard numeric format string: a letter and an optional precision.
fn number(v: &Value, spec: &str) -> Result<String, String> {
    let invalid = || format!("`format()`: invalid numeric format specifier \"{spec}\"");
    let mut cs = spec.chars();
    let letter = cs.next().ok_or_else(invalid)?;
    let rest = cs.as_str();
    let precision: Option<usize> = if rest.is_empty() {
        None
    } else if rest.len() <= 2 && rest.bytes().all(|b| b.is_ascii_digit()) {
        rest.parse().ok()
    } else {
        return Err(invalid());
    };
    let x = v.as_f64().ok_or_else(invalid)?;
    let int = v.as_i64();
    let need_int = || {
        int.ok_or_else(|| {
            format!(
                "`format()`: \"{spec}\" formats integers only, got {}",
                describe(v)
            )
        })
    };
    Ok(match letter.to_ascii_uppercase() {
        'D' => {
            let i = need_int()?;
            let digits = format!("{:0w$}", i.unsigned_abs(), w = precision.unwrap_or(1));
            if i < 0 { format!("-{digits}") } else { digits }
        }
        'X' => {
            let i = need_int()?;
            let w = precision.unwrap_or(1);
            let hex = if i < 0 {
                format!("{:0w$x}", i.cast_unsigned())
            } else {
                format!("{i:0w$x}")
            };
            if letter == 'X' {
                hex.to_uppercase()
            } else {
                hex
            }
        }
        'F' => fixed(x, precision.unwrap_or(2)),
        'N' => thousands(&fixed(x, precision.unwrap_or(2))),
        'P' => format!("{} %", thousands(&fixed(x * 100.0, precision.unwrap_or(2)))),
        'E' => {
            let s = format!("{:.*e}", precision.unwrap_or(6), x);
            let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
            let e: i32 = exp.parse().unwrap_or(0);
            let sign = if e < 0 { '-' } else { '+' };
            format!("{mantissa}{letter}{sign}{:03}", e.abs())
        }
        'G' if precision.is_none() => match int {
            Some(i) => i.to_string(),
            None => x.to_string(),
        },
        _ => return Err(invalid()),
    })
}

/// Fixed-point with `p` decimals, halves away from zero as .NET rounds.
fn fixed(x: f64, p: usize) -> String {
    let s = format!("{x:.p$}");
    // An exact half in binary (0.125 to 2 places) rounds to even in Rust;
    // .NET rounds it away from zero.
    let longer = format!("{x:.w$}", w = p + 1);
    if longer.ends_with('5') && format!("{x:.w$}", w = p + 30).trim_end_matches('0') == longer {
        let scale = 10f64.powi(i32::try_from(p).unwrap_or(0));
        let r = (x * scale).abs().floor() + 1.0;
        let r = if x < 0.0 { -r } else { r } / scale;
        return format!("{r:.p$}");
    }
    s
}

/// Groups the integer part by thousands with `,`.
fn thousands(fixed: &str) -> String {
    let (sign, body) = match fixed.strip_prefix('-') {
        Some(b) => ("-", b),
        None => ("", fixed),
    };
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let mut grouped = String::new();
    for (k, c) in int.chars().enumerate() {
        if k > 0 && (int.len() - k) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// `padLeft(valueToPad, totalLength, paddingCharacter?)`: a string or an
/// integer, padded on the left to `totalLength` characters (a space by
/// default); a longer value is left as it is.
pub(super) fn pad_left(args: &[Value]) -> Result<Value, String> {
    let f = "padLeft";
    let value = match &args[0] {
        Value::String(s) => s.clone(),
        Value::Number(n) if n.as_i64().is_some() => n.to_string(),
        other => {
            return Err(format!(
                "`{f}()` pads a string or an integer, got {}",
                describe(other)
            ));
        }
    };
    let total = args[1]
        .as_i64()
        .and_then(|n| usize::try_from(n).ok())
        .filter(|n| *n < WIDTH_LIMIT)
        .ok_or_else(|| {
            format!(
                "`{f}()`: the total length must be an integer from 0 to {WIDTH_LIMIT}, got {}",
                describe(&args[1])
            )
        })?;
    let pad = match args.get(2) {
        None => ' ',
        Some(p) => {
            let s = as_str(p, f)?;
            let mut cs = s.chars();
            match (cs.next(), cs.next()) {
                (Some(c), None) => c,
                _ => {
                    return Err(format!(
                        "`{f}()`: the padding must be a single character, got \"{s}\""
                    ));
                }
            }
        }
    };
    let n = total.saturating_sub(value.chars().count());
    Ok(Value::String(
        std::iter::repeat_n(pad, n).chain(value.chars()).collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fmt(args: &[Value]) -> Result<String, String> {
        format(args).map(|v| v.as_str().unwrap().to_string())
    }

    #[test]
    fn composite_formats() {
        assert_eq!(
            fmt(&[json!("{0} is {1}"), json!("sky"), json!("blue")]).unwrap(),
            "sky is blue"
        );
        assert_eq!(fmt(&[json!("{{{0}}}"), json!("v")]).unwrap(), "{v}");
        assert_eq!(fmt(&[json!("{0}"), json!(true)]).unwrap(), "True");
        assert_eq!(
            fmt(&[json!("{0,6}|{0,-3}|"), json!("é")]).unwrap(),
            "     é|é  |"
        );
        assert_eq!(
            fmt(&[json!("{0:N0}"), json!(8_175_133)]).unwrap(),
            "8,175,133"
        );
        assert_eq!(
            fmt(&[json!("{0:N2}"), json!(-1234.5678)]).unwrap(),
            "-1,234.57"
        );
        assert_eq!(fmt(&[json!("{0:F2}"), json!(0.125)]).unwrap(), "0.13");
        assert_eq!(
            fmt(&[json!("{0:x4}|{0:X}|{0:D5}"), json!(255)]).unwrap(),
            "00ff|FF|00255"
        );
        assert_eq!(fmt(&[json!("{0:P1}"), json!(0.1234)]).unwrap(), "12.3 %");
        assert_eq!(fmt(&[json!("{0:E2}"), json!(1234.5)]).unwrap(), "1.23E+003");
        for bad in [
            "{0} and {1}",
            "a } b",
            "{0",
            "{x}",
            "{-1}",
            "{0,}",
            "{0,1x}",
            "{0:Z}",
            "{0,1000000}",
            "{0:0.00}",
        ] {
            assert!(fmt(&[json!(bad), json!(1)]).is_err(), "{bad}");
        }
        assert!(fmt(&[json!("{0}"), json!([1])]).is_err());
    }

    #[test]
    fn pads_left() {
        let p = |v: Value, n: i64, c: &str| pad_left(&[v, json!(n), json!(c)]).unwrap();
        assert_eq!(p(json!(123), 10, "0"), json!("0000000123"));
        assert_eq!(p(json!("hello"), 3, "x"), json!("hello"));
        assert_eq!(pad_left(&[json!("a"), json!(3)]).unwrap(), json!("  a"));
        assert!(pad_left(&[json!("a"), json!(3), json!("ab")]).is_err());
        assert!(pad_left(&[json!("a"), json!(-1), json!("0")]).is_err());
    }
}
