//! The argument helpers every template function shares: reading a
//! string, a boolean, a number or an integer out of a value (an error that
//! names the function otherwise), ARM's `string()` conversion and ARM's
//! `equals()`.

use serde_json::{Map, Value};

use super::super::ops::describe;

pub(super) fn lower(s: &str) -> String {
    s.to_lowercase()
}

pub(super) fn as_str<'a>(v: &'a Value, f: &str) -> Result<&'a str, String> {
    v.as_str()
        .ok_or_else(|| format!("`{f}()` expects a string, got {}", describe(v)))
}

/// A boolean argument (`if`, `and`, `or`, `not`).
pub fn as_bool(v: &Value, f: &str) -> Result<bool, String> {
    v.as_bool()
        .ok_or_else(|| format!("`{f}()` expects a boolean, got {}", describe(v)))
}

pub(super) fn as_f64(v: &Value, f: &str) -> Result<f64, String> {
    v.as_f64()
        .ok_or_else(|| format!("`{f}()` expects a number, got {}", describe(v)))
}

pub(super) fn to_int_strict(v: &Value, f: &str) -> Result<i64, String> {
    v.as_i64()
        .ok_or_else(|| format!("`{f}()` expects an integer, got {}", describe(v)))
}

pub(super) fn to_index(v: &Value, f: &str) -> Result<usize, String> {
    let n = to_int_strict(v, f)?;
    usize::try_from(n).map_err(|_| format!("`{f}()`: {n} is negative"))
}

/// `int()`: an integer, or a string holding one.
pub(super) fn to_int(v: &Value) -> Result<i64, String> {
    match v {
        Value::Number(n) => n
            .as_i64()
            .ok_or_else(|| format!("`int()` cannot convert the number {n}")),
        Value::String(s) => s
            .trim()
            .parse::<i64>()
            .map_err(|_| format!("`int()` cannot convert the string \"{s}\" to an integer")),
        other => Err(format!("`int()` cannot convert {}", describe(other))),
    }
}

/// `string()`: strings as they are, numbers as digits, booleans as .NET
/// prints them, arrays and objects as compact JSON, null as "".
#[must_use]
pub fn to_string(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => if *b { "True" } else { "False" }.into(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

/// ARM `equals()`: deep equality, case-sensitive; numbers by value.
#[must_use]
pub fn strict_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(p), Some(q)) => p == q,
            _ => x.as_f64().zip(y.as_f64()).is_some_and(|(p, q)| {
                (p - q).abs() <= f64::EPSILON * p.abs().max(q.abs()).max(1.0)
            }),
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| strict_eq(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| strict_eq(v, w)))
        }
        _ => a == b,
    }
}

/// Looks a key up in an object: exactly, then ignoring case.
#[must_use]
pub fn get_ci<'a>(o: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    o.get(name).or_else(|| {
        o.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}
