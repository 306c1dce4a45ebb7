//! The date functions a policy rule may call on a date it has in hand:
//! `dateTimeAdd(base, duration, format?)`, `dateTimeFromEpoch(epochTime)`,
//! `dateTimeToEpoch(dateTime)` ("Date functions for ARM templates") and
//! `addDays(dateTime, numberOfDaysToAdd)` ("Azure Policy definition
//! structure policy rule", Policy functions). `utcNow()` stays refused: it
//! reads the clock.
//!
//! Timestamps are ISO 8601 (`2024-01-15T12:00:00Z`, a space for the `T`,
//! an offset, a fraction; no zone reads as UTC); durations are ISO 8601
//! durations (`P1Y2M3W4DT5H6M7.5S`, a leading `-` negates), years and
//! months added on the calendar (the day clamped to the month's last, as
//! .NET's `AddMonths`). The result keeps the base's offset and fraction
//! digits, written in ISO 8601; a `format` argument is a .NET standard or
//! custom date and time format string (invariant culture). The calendar
//! arithmetic is written here (a civil-date conversion): no crate needed
//! for proleptic Gregorian dates in .NET's range, years 1 to 9999.

use crate::calendar::{civil_from_days, days_from_civil, days_in_month};
use std::fmt::Write as _;

use serde_json::Value;

use super::super::ops::describe;
use super::args::as_str;

/// A point in time as read from an ISO 8601 timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct DateTime {
    /// Seconds since 1970-01-01T00:00:00, in the timestamp's own offset
    /// (its wall clock).
    local: i64,
    /// The fraction of the second, in 100 ns ticks (.NET's resolution).
    ticks: u32,
    /// The offset from UTC in minutes.
    offset: i32,
    /// How many fraction digits the timestamp was written with (at most 7).
    digits: usize,
}

const SECS_PER_DAY: i64 = 86_400;
/// 0001-01-01 and 9999-12-31, .NET's range, as days since 1970-01-01.
const MIN_DAY: i64 = -719_162;
const MAX_DAY: i64 = 2_932_896;

/// A fixed-width run of ASCII digits at `at`.
fn digits(s: &[u8], at: usize, n: usize) -> Option<i64> {
    let part = s.get(at..at + n)?;
    part.iter().all(u8::is_ascii_digit).then(|| {
        part.iter()
            .fold(0i64, |acc, &c| acc * 10 + i64::from(c - b'0'))
    })
}

/// Reads an ISO 8601 timestamp: `yyyy-MM-dd`, then optionally `T` or a
/// space and `HH:mm[:ss[.fffffff]]`, then optionally `Z` or `±HH:mm`.
fn parse(text: &str, f: &str) -> Result<DateTime, String> {
    let bad = || format!("`{f}()`: \"{text}\" is not an ISO 8601 date and time");
    let s = text.trim().as_bytes();
    let (y, m, d) = (
        digits(s, 0, 4).ok_or_else(bad)?,
        digits(s, 5, 2).ok_or_else(bad)?,
        digits(s, 8, 2).ok_or_else(bad)?,
    );
    if s[4] != b'-' || s[7] != b'-' || !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return Err(bad());
    }
    let (mut hh, mut mm, mut ss, mut ticks, mut digits_n) = (0, 0, 0, 0u32, 0);
    let mut at = 10;
    if matches!(s.get(at), Some(b'T' | b't' | b' ')) {
        hh = digits(s, at + 1, 2).ok_or_else(bad)?;
        mm = digits(s, at + 4, 2).ok_or_else(bad)?;
        if s[at + 3] != b':' || hh > 23 || mm > 59 {
            return Err(bad());
        }
        at += 6;
        if s.get(at) == Some(&b':') {
            ss = digits(s, at + 1, 2).ok_or_else(bad)?;
            if ss > 59 {
                return Err(bad());
            }
            at += 3;
            if matches!(s.get(at), Some(b'.' | b',')) {
                at += 1;
                let start = at;
                while s.get(at).is_some_and(u8::is_ascii_digit) {
                    if at - start < 7 {
                        ticks = ticks * 10 + u32::from(s[at] - b'0');
                    }
                    at += 1;
                }
                digits_n = (at - start).min(7);
                if digits_n == 0 {
                    return Err(bad());
                }
                ticks *= 10u32.pow(u32::try_from(7 - digits_n).unwrap_or(0));
            }
        }
    }
    let offset = match s.get(at) {
        None => 0,
        Some(b'Z' | b'z') if at + 1 == s.len() => 0,
        Some(sign @ (b'+' | b'-')) => {
            let oh = digits(s, at + 1, 2).ok_or_else(bad)?;
            let om = match s.get(at + 3) {
                Some(b':') if at + 6 == s.len() => digits(s, at + 4, 2).ok_or_else(bad)?,
                None => 0,
                Some(_) if at + 5 == s.len() => digits(s, at + 3, 2).ok_or_else(bad)?,
                Some(_) => return Err(bad()),
            };
            if oh > 14 || om > 59 {
                return Err(bad());
            }
            let o = i32::try_from(oh * 60 + om).map_err(|_| bad())?;
            if *sign == b'-' { -o } else { o }
        }
        Some(_) => return Err(bad()),
    };
    let local = days_from_civil(y, m, d) * SECS_PER_DAY + hh * 3600 + mm * 60 + ss;
    Ok(DateTime {
        local,
        ticks,
        offset,
        digits: digits_n,
    })
}

/// An ISO 8601 duration: calendar months (years × 12 + months), and the
/// rest in 100 ns ticks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Duration {
    months: i64,
    ticks: i128,
}

const TICKS_PER_SEC: i128 = 10_000_000;

/// Reads `[-]P[nY][nM][nW][nD][T[nH][nM][n[.n]S]]`.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let bad = || format!("`dateTimeAdd()`: \"{text}\" is not an ISO 8601 duration");
    let (neg, rest) = match text.trim().strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text.trim().strip_prefix('+').unwrap_or(text.trim())),
    };
    let rest = rest
        .strip_prefix('P')
        .or_else(|| rest.strip_prefix('p'))
        .ok_or_else(bad)?;
    let (date, time) = match rest.find(['T', 't']) {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let mut d = Duration {
        months: 0,
        ticks: 0,
    };
    let mut any = false;
    // Each part: a number, then its designator, in this order.
    let mut read = |part: &str, units: &[(char, i128)], months: bool| -> Result<(), String> {
        let mut num = String::new();
        let mut next = 0;
        for c in part.chars() {
            if c.is_ascii_digit() || (c == '.' || c == ',') && !months {
                num.push(if c == ',' { '.' } else { c });
                continue;
            }
            let c = c.to_ascii_uppercase();
            let i = units[next..]
                .iter()
                .position(|(u, _)| *u == c)
                .ok_or_else(bad)?
                + next;
            next = i + 1;
            let per = units[i].1;
            if months && (c == 'Y' || c == 'M') {
                let n: i64 = num.parse().map_err(|_| bad())?;
                let n = if c == 'Y' { n.checked_mul(12) } else { Some(n) };
                d.months = n.and_then(|n| d.months.checked_add(n)).ok_or_else(bad)?;
            } else if num.contains('.') {
                // A fraction only on seconds.
                if c != 'S' {
                    return Err(bad());
                }
                let x: f64 = num.parse().map_err(|_| bad())?;
                // At most 7 digits of fraction are ticks; the rest is dropped.
                #[allow(clippy::cast_possible_truncation)]
                let t = (x * 1e7).round() as i128;
                d.ticks = d.ticks.checked_add(t).ok_or_else(bad)?;
            } else {
                let n: i128 = num.parse().map_err(|_| bad())?;
                d.ticks = n
                    .checked_mul(per)
                    .and_then(|t| d.ticks.checked_add(t))
                    .ok_or_else(bad)?;
            }
            any = true;
            num.clear();
        }
        if num.is_empty() { Ok(()) } else { Err(bad()) }
    };
    let day = i128::from(SECS_PER_DAY) * TICKS_PER_SEC;
    read(
        date,
        &[('Y', 0), ('M', 0), ('W', 7 * day), ('D', day)],
        true,
    )?;
    if let Some(time) = time {
        if time.is_empty() {
            return Err(bad());
        }
        read(
            time,
            &[
                ('H', 3600 * TICKS_PER_SEC),
                ('M', 60 * TICKS_PER_SEC),
                ('S', TICKS_PER_SEC),
            ],
            false,
        )?;
    }
    if !any {
        return Err(bad());
    }
    if neg {
        d.months = -d.months;
        d.ticks = -d.ticks;
    }
    Ok(d)
}

/// `base` moved by `months` on the calendar (day clamped), then by `ticks`.
fn add(base: DateTime, months: i64, ticks: i128, f: &str) -> Result<DateTime, String> {
    let out = || format!("`{f}()`: the result is outside the years 1 to 9999");
    let day = base.local.div_euclid(SECS_PER_DAY);
    let secs = base.local.rem_euclid(SECS_PER_DAY);
    let (y, m, d) = civil_from_days(day);
    let total = (y * 12 + m - 1).checked_add(months).ok_or_else(out)?;
    let (y, m) = (total.div_euclid(12), total.rem_euclid(12) + 1);
    if !(1..=9999).contains(&y) {
        return Err(out());
    }
    let day = days_from_civil(y, m, d.min(days_in_month(y, m)));
    let t = (i128::from(day * SECS_PER_DAY + secs) * TICKS_PER_SEC + i128::from(base.ticks))
        .checked_add(ticks)
        .ok_or_else(out)?;
    let local = i64::try_from(t.div_euclid(TICKS_PER_SEC)).map_err(|_| out())?;
    if !(MIN_DAY..=MAX_DAY).contains(&local.div_euclid(SECS_PER_DAY)) {
        return Err(out());
    }
    let frac = u32::try_from(t.rem_euclid(TICKS_PER_SEC)).map_err(|_| out())?;
    Ok(DateTime {
        local,
        ticks: frac,
        ..base
    })
}

/// `dateTimeAdd(base, duration, format?)`.
pub(super) fn date_time_add(args: &[Value]) -> Result<Value, String> {
    let f = "dateTimeAdd";
    let base = parse(as_str(&args[0], f)?, f)?;
    let d = parse_duration(as_str(&args[1], f)?)?;
    let r = add(base, d.months, d.ticks, f)?;
    match args.get(2) {
        None => Ok(Value::String(iso(r))),
        Some(fmt) => format(r, as_str(fmt, f)?).map(Value::String),
    }
}

/// `addDays(dateTime, numberOfDaysToAdd)`.
pub(super) fn add_days(args: &[Value]) -> Result<Value, String> {
    let f = "addDays";
    let base = parse(as_str(&args[0], f)?, f)?;
    let n = args[1].as_i64().ok_or_else(|| {
        format!(
            "`{f}()` adds an integer number of days, got {}",
            describe(&args[1])
        )
    })?;
    let ticks = i128::from(n) * i128::from(SECS_PER_DAY) * TICKS_PER_SEC;
    Ok(Value::String(iso(add(base, 0, ticks, f)?)))
}

/// `dateTimeFromEpoch(epochTime)`: seconds since 1970 as a UTC timestamp.
pub(super) fn from_epoch(args: &[Value]) -> Result<Value, String> {
    let f = "dateTimeFromEpoch";
    let n = args[0]
        .as_i64()
        .ok_or_else(|| format!("`{f}()` takes an integer, got {}", describe(&args[0])))?;
    let epoch = DateTime {
        local: 0,
        ticks: 0,
        offset: 0,
        digits: 0,
    };
    let r = add(epoch, 0, i128::from(n) * TICKS_PER_SEC, f)?;
    Ok(Value::String(iso(r)))
}

/// `dateTimeToEpoch(dateTime)`: whole seconds since 1970 (UTC).
pub(super) fn to_epoch(args: &[Value]) -> Result<Value, String> {
    let f = "dateTimeToEpoch";
    let t = parse(as_str(&args[0], f)?, f)?;
    Ok(Value::from(t.local - i64::from(t.offset) * 60))
}

/// ISO 8601: `yyyy-MM-ddTHH:mm:ss`, the fraction with the digits the base
/// had, `Z` for UTC or the offset.
fn iso(t: DateTime) -> String {
    let mut pattern = String::from("yyyy-MM-ddTHH:mm:ss");
    if t.digits > 0 {
        pattern.push('.');
        pattern.push_str(&"f".repeat(t.digits));
    }
    pattern.push('K');
    custom(t, &pattern).unwrap_or_default()
}

/// A .NET date and time format string, invariant culture: one letter is a
/// standard format, anything longer a custom one.
fn format(t: DateTime, fmt: &str) -> Result<String, String> {
    let mut chars = fmt.chars();
    let (Some(c), None) = (chars.next(), chars.next()) else {
        return custom(t, fmt);
    };
    let utc = DateTime {
        local: t.local - i64::from(t.offset) * 60,
        offset: 0,
        ..t
    };
    let (t, pattern) = match c {
        'd' => (t, "MM/dd/yyyy"),
        'D' => (t, "dddd, dd MMMM yyyy"),
        'f' => (t, "dddd, dd MMMM yyyy HH:mm"),
        'F' => (t, "dddd, dd MMMM yyyy HH:mm:ss"),
        'g' => (t, "MM/dd/yyyy HH:mm"),
        'G' => (t, "MM/dd/yyyy HH:mm:ss"),
        'm' | 'M' => (t, "MMMM dd"),
        'o' | 'O' => (t, "yyyy-MM-ddTHH:mm:ss.fffffffK"),
        'r' | 'R' => (utc, "ddd, dd MMM yyyy HH:mm:ss 'GMT'"),
        's' => (t, "yyyy-MM-ddTHH:mm:ss"),
        't' => (t, "HH:mm"),
        'T' => (t, "HH:mm:ss"),
        'u' => (utc, "yyyy-MM-dd HH:mm:ss'Z'"),
        'U' => (utc, "dddd, dd MMMM yyyy HH:mm:ss"),
        'y' | 'Y' => (t, "yyyy MMMM"),
        other => {
            return Err(format!(
                "`dateTimeAdd()`: `{other}` is not a standard date and time format specifier"
            ));
        }
    };
    custom(t, pattern)
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
];

/// A .NET custom date and time format string: `yyyy`, `MM`, `dd`, `HH`,
/// `hh`, `mm`, `ss`, `f…`/`F…`, `tt`, `K`, `z…`, names of days and
/// months, quoted literals and `\` escapes; other characters as they are.
fn custom(t: DateTime, fmt: &str) -> Result<String, String> {
    let day = t.local.div_euclid(SECS_PER_DAY);
    let secs = t.local.rem_euclid(SECS_PER_DAY);
    let (y, mo, d) = civil_from_days(day);
    let (h, mi, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let mo_i = usize::try_from(mo - 1).unwrap_or(0);
    let wd = usize::try_from(day.rem_euclid(7)).unwrap_or(0);
    let chars: Vec<char> = fmt.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let n = chars[i..].iter().take_while(|&&x| x == c).count();
        i += n;
        match c {
            'y' => {
                let _ = match n {
                    1 => write!(out, "{}", y % 100),
                    2 => write!(out, "{:02}", y % 100),
                    _ => write!(out, "{y:0n$}"),
                };
            }
            'M' if n >= 3 => out.push_str(if n == 3 {
                &MONTHS[mo_i][..3]
            } else {
                MONTHS[mo_i]
            }),
            'M' => out.push_str(&pad(mo, n)),
            'd' if n >= 3 => out.push_str(if n == 3 { &DAYS[wd][..3] } else { DAYS[wd] }),
            'd' => out.push_str(&pad(d, n)),
            'H' => out.push_str(&pad(h, n)),
            'h' => out.push_str(&pad((h + 11) % 12 + 1, n)),
            'm' => out.push_str(&pad(mi, n)),
            's' => out.push_str(&pad(s, n)),
            't' => {
                let ampm = if h < 12 { "AM" } else { "PM" };
                out.push_str(if n == 1 { &ampm[..1] } else { ampm });
            }
            'f' | 'F' if n <= 7 => {
                let frac = format!("{:07}", t.ticks);
                let part = &frac[..n];
                if c == 'f' {
                    out.push_str(part);
                } else {
                    let trimmed = part.trim_end_matches('0');
                    if trimmed.is_empty() && out.ends_with('.') {
                        out.pop();
                    }
                    out.push_str(trimmed);
                }
            }
            'f' | 'F' => return Err("a date and time format has more than 7 `f`".into()),
            'K' | 'z' => {
                for _ in 0..if c == 'K' { n } else { 1 } {
                    out.push_str(&offset(t.offset, if c == 'K' { 0 } else { n }));
                }
            }
            '\'' | '"' => {
                // n quotes: pairs open and close empty literals.
                i -= n - 1;
                let close = chars[i..].iter().position(|&x| x == c).ok_or_else(|| {
                    format!("the date and time format \"{fmt}\" has an unclosed quote")
                })?;
                out.extend(&chars[i..i + close]);
                i += close + 1;
            }
            '\\' => {
                i -= n - 1;
                let e = chars
                    .get(i)
                    .ok_or_else(|| format!("the date and time format \"{fmt}\" ends with `\\`"))?;
                out.push(*e);
                i += 1;
            }
            other => out.extend(std::iter::repeat_n(other, n)),
        }
    }
    Ok(out)
}

fn pad(v: i64, n: usize) -> String {
    if n == 1 {
        v.to_string()
    } else {
        format!("{v:02}")
    }
}

/// `K` (n = 0): `Z` for UTC, else `+hh:mm`; `z`, `zz`, `zzz`: `+h`,
/// `+hh`, `+hh:mm`.
fn offset(minutes: i32, n: usize) -> String {
    if n == 0 && minutes == 0 {
        return "Z".into();
    }
    let sign = if minutes < 0 { '-' } else { '+' };
    let (h, m) = (minutes.abs() / 60, minutes.abs() % 60);
    match n {
        1 => format!("{sign}{h}"),
        2 => format!("{sign}{h:02}"),
        _ => format!("{sign}{h:02}:{m:02}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn add_s(base: &str, dur: &str) -> String {
        date_time_add(&[json!(base), json!(dur)])
            .unwrap()
            .as_str()
            .unwrap()
            .to_string()
    }

    #[test]
    fn civil_dates_round_trip() {
        for day in [MIN_DAY, -1, 0, 1, 19_737, 11_016, MAX_DAY] {
            let (y, m, d) = civil_from_days(day);
            assert_eq!(days_from_civil(y, m, d), day);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(MAX_DAY), (9999, 12, 31));
    }

    #[test]
    fn durations_add_on_the_calendar() {
        assert_eq!(add_s("2024-01-15T12:00:00Z", "P1D"), "2024-01-16T12:00:00Z");
        assert_eq!(
            add_s("2024-01-15T12:00:00Z", "-P1D"),
            "2024-01-14T12:00:00Z"
        );
        assert_eq!(
            add_s("2024-01-15T12:00:00Z", "P1DT2H30M"),
            "2024-01-16T14:30:00Z"
        );
        // A year on the calendar, not 365 days ("ISO 8601 duration").
        assert_eq!(add_s("2024-01-01T00:00:00Z", "P1Y"), "2025-01-01T00:00:00Z");
        // The day clamps to the month's end.
        assert_eq!(add_s("2024-01-31T00:00:00Z", "P1M"), "2024-02-29T00:00:00Z");
        assert_eq!(add_s("2020-04-07 14:53:14Z", "P3Y"), "2023-04-07T14:53:14Z");
        assert_eq!(
            add_s("2024-01-15T12:00:00.500+05:30", "PT0.25S"),
            "2024-01-15T12:00:00.750+05:30"
        );
        assert_eq!(add_s("2024-01-15T12:00:00", "P1W"), "2024-01-22T12:00:00Z");
        for bad in ["1D", "P", "PT", "P1H", "PT1D", "P1.5D", "P1D2", "invalid"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        for bad in [
            "not-a-date",
            "2024-02-30",
            "2024-01-15T25:00",
            "2024-01-15Tx",
        ] {
            assert!(date_time_add(&[json!(bad), json!("P1D")]).is_err(), "{bad}");
        }
        assert!(date_time_add(&[json!("9999-12-31T00:00:00Z"), json!("P1D")]).is_err());
    }

    #[test]
    fn formats() {
        let f = |base: &str, fmt: &str| {
            date_time_add(&[json!(base), json!("P0D"), json!(fmt)])
                .map(|v| v.as_str().unwrap().to_string())
        };
        assert_eq!(f("2024-01-15T12:30:00Z", "d").unwrap(), "01/15/2024");
        assert_eq!(
            f("2024-01-15T12:00:00+05:30", "u").unwrap(),
            "2024-01-15 06:30:00Z"
        );
        assert_eq!(
            f("2024-01-15T12:00:00+05:30", "R").unwrap(),
            "Mon, 15 Jan 2024 06:30:00 GMT"
        );
        assert_eq!(
            f("2024-01-15T12:00:00.1234567Z", "o").unwrap(),
            "2024-01-15T12:00:00.1234567Z"
        );
        assert_eq!(
            f("2024-01-15T13:05:00Z", "h:mm tt, dddd").unwrap(),
            "1:05 PM, Monday"
        );
        assert_eq!(f("2024-01-15T13:05:00Z", "yyyy'T'\\Z").unwrap(), "2024TZ");
        assert!(f("2024-01-15T12:00:00Z", "q").is_err());
    }

    #[test]
    fn epochs_and_days() {
        assert_eq!(
            from_epoch(&[json!(1_705_320_000)]).unwrap(),
            json!("2024-01-15T12:00:00Z")
        );
        assert_eq!(
            from_epoch(&[json!(-86_400)]).unwrap(),
            json!("1969-12-31T00:00:00Z")
        );
        assert!(from_epoch(&[json!("1")]).is_err());
        assert_eq!(
            to_epoch(&[json!("2024-01-15 13:00:00+01:00")]).unwrap(),
            json!(1_705_320_000)
        );
        assert!(to_epoch(&[json!(5)]).is_err());
        assert_eq!(
            add_days(&[json!("2023-02-28T00:00:00Z"), json!(1)]).unwrap(),
            json!("2023-03-01T00:00:00Z")
        );
        assert!(add_days(&[json!("2023-02-28T00:00:00Z"), json!("1")]).is_err());
    }
}
