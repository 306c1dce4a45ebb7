//! Reading values out of ARM resource JSON without trusting its shape:
//! every accessor returns `None` for a missing or mistyped value.

use serde_json::{Map, Value};

/// Where a path starts: a JSON value, or a resource's body (an object),
/// read in place rather than copied into a value.
pub trait Root {
    /// The object's member `key` (matched exactly, then ignoring case).
    fn member(&self, key: &str) -> Option<&Value>;
}

fn member_of<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    obj.get(key).or_else(|| {
        obj.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

impl Root for Value {
    fn member(&self, key: &str) -> Option<&Value> {
        member_of(self.as_object()?, key)
    }
}

impl Root for Map<String, Value> {
    fn member(&self, key: &str) -> Option<&Value> {
        member_of(self, key)
    }
}

impl<T: Root + ?Sized> Root for &T {
    fn member(&self, key: &str) -> Option<&Value> {
        (**self).member(key)
    }
}

/// The value at a path of object keys (matched exactly, then ignoring case,
/// since some clients write `properties` keys in another case).
#[must_use]
pub fn at<'a, R: Root + ?Sized>(v: &'a R, path: &[&str]) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    let mut cur = v.member(first)?;
    for key in rest {
        cur = cur.member(key)?;
    }
    Some(cur)
}

/// A string at a path (an empty string counts as absent).
#[must_use]
pub fn str_at<R: Root + ?Sized>(v: &R, path: &[&str]) -> Option<String> {
    at(v, path)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// A boolean at a path (`"true"`/`"false"` strings too, as some exports write them).
#[must_use]
pub fn bool_at<R: Root + ?Sized>(v: &R, path: &[&str]) -> Option<bool> {
    match at(v, path)? {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// A whole number at a path.
#[must_use]
pub fn u64_at<R: Root + ?Sized>(v: &R, path: &[&str]) -> Option<u64> {
    match at(v, path)? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// An array at a path (absent: empty).
#[must_use]
pub fn array_at<'a, R: Root + ?Sized>(v: &'a R, path: &[&str]) -> &'a [Value] {
    at(v, path)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// An object at a path.
#[must_use]
pub fn object_at<'a, R: Root + ?Sized>(v: &'a R, path: &[&str]) -> Option<&'a Map<String, Value>> {
    at(v, path).and_then(Value::as_object)
}

/// The strings of an array at a path, each read with `f`.
#[must_use]
pub fn strings_at<R: Root + ?Sized>(
    v: &R,
    path: &[&str],
    f: impl Fn(&Value) -> Option<String>,
) -> Vec<String> {
    array_at(v, path).iter().filter_map(f).collect()
}

/// The `id` of a `{ "id": ... }` reference at a path.
#[must_use]
pub fn id_at<R: Root + ?Sized>(v: &R, path: &[&str]) -> Option<String> {
    let mut p = path.to_vec();
    p.push("id");
    str_at(v, &p)
}
