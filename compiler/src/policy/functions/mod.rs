//! The ARM template functions a policy rule may call, as the ARM template
//! function reference defines them (names are case-insensitive). The pure
//! ones are computed here; the ones that read the evaluation (`parameters`,
//! `field`, `current`, `subscription`, `resourceGroup`, `requestContext`)
//! and the lazy ones (`if`, `and`, `or`, `coalesce`) are evaluated in
//! `eval`. A function not in [`FUNCTIONS`] is an error, never a guess.

use std::cmp::Ordering;

use serde_json::Value;

use super::ops::describe;

mod args;
mod collections;
mod datetime;
mod encoding;
mod format;

pub use args::{as_bool, get_ci, strict_eq, to_string};
use args::{as_f64, as_str, lower, to_index, to_int, to_int_strict};

/// How a function is evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Computed from its (already evaluated) arguments.
    Pure,
    /// Evaluates only the arguments it needs.
    Lazy,
    /// Reads the evaluation: parameters, the resource, the count, the context.
    Context,
}

/// A supported function: name and argument count.
#[derive(Debug, Clone, Copy)]
pub struct FnSpec {
    pub name: &'static str,
    pub min: usize,
    pub max: Option<usize>,
    pub kind: Kind,
}

const fn f(name: &'static str, min: usize, max: Option<usize>, kind: Kind) -> FnSpec {
    FnSpec {
        name,
        min,
        max,
        kind,
    }
}

/// Every supported function.
pub const FUNCTIONS: &[FnSpec] = &[
    f("parameters", 1, Some(1), Kind::Context),
    f("field", 1, Some(1), Kind::Context),
    f("current", 0, Some(1), Kind::Context),
    f("subscription", 0, Some(0), Kind::Context),
    f("resourceGroup", 0, Some(0), Kind::Context),
    f("requestContext", 0, Some(0), Kind::Context),
    f("if", 3, Some(3), Kind::Lazy),
    f("and", 1, None, Kind::Lazy),
    f("or", 1, None, Kind::Lazy),
    f("coalesce", 1, None, Kind::Lazy),
    f("not", 1, Some(1), Kind::Pure),
    f("equals", 2, Some(2), Kind::Pure),
    f("less", 2, Some(2), Kind::Pure),
    f("lessOrEquals", 2, Some(2), Kind::Pure),
    f("greater", 2, Some(2), Kind::Pure),
    f("greaterOrEquals", 2, Some(2), Kind::Pure),
    f("concat", 1, None, Kind::Pure),
    f("empty", 1, Some(1), Kind::Pure),
    f("length", 1, Some(1), Kind::Pure),
    f("split", 2, Some(2), Kind::Pure),
    f("toLower", 1, Some(1), Kind::Pure),
    f("toUpper", 1, Some(1), Kind::Pure),
    f("replace", 3, Some(3), Kind::Pure),
    f("first", 1, Some(1), Kind::Pure),
    f("last", 1, Some(1), Kind::Pure),
    f("int", 1, Some(1), Kind::Pure),
    f("string", 1, Some(1), Kind::Pure),
    f("bool", 1, Some(1), Kind::Pure),
    f("json", 1, Some(1), Kind::Pure),
    f("contains", 2, Some(2), Kind::Pure),
    f("startsWith", 2, Some(2), Kind::Pure),
    f("endsWith", 2, Some(2), Kind::Pure),
    f("indexOf", 2, Some(2), Kind::Pure),
    f("lastIndexOf", 2, Some(2), Kind::Pure),
    f("substring", 1, Some(3), Kind::Pure),
    f("trim", 1, Some(1), Kind::Pure),
    f("take", 2, Some(2), Kind::Pure),
    f("skip", 2, Some(2), Kind::Pure),
    f("createArray", 0, None, Kind::Pure),
    f("add", 2, Some(2), Kind::Pure),
    f("sub", 2, Some(2), Kind::Pure),
    f("mul", 2, Some(2), Kind::Pure),
    f("div", 2, Some(2), Kind::Pure),
    f("mod", 2, Some(2), Kind::Pure),
    f("ipRangeContains", 2, Some(2), Kind::Pure),
    f("null", 0, Some(0), Kind::Pure),
    f("float", 1, Some(1), Kind::Pure),
    f("format", 1, None, Kind::Pure),
    f("padLeft", 2, Some(3), Kind::Pure),
    f("base64", 1, Some(1), Kind::Pure),
    f("base64ToString", 1, Some(1), Kind::Pure),
    f("base64ToJson", 1, Some(1), Kind::Pure),
    f("dataUri", 1, Some(1), Kind::Pure),
    f("dataUriToString", 1, Some(1), Kind::Pure),
    f("uri", 2, Some(2), Kind::Pure),
    f("uriComponent", 1, Some(1), Kind::Pure),
    f("uriComponentToString", 1, Some(1), Kind::Pure),
    f("dateTimeAdd", 2, Some(3), Kind::Pure),
    f("dateTimeFromEpoch", 1, Some(1), Kind::Pure),
    f("dateTimeToEpoch", 1, Some(1), Kind::Pure),
    f("addDays", 2, Some(2), Kind::Pure),
    f("array", 1, Some(1), Kind::Pure),
    f("createObject", 0, None, Kind::Pure),
    f("items", 1, Some(1), Kind::Pure),
    f("union", 2, None, Kind::Pure),
    f("intersection", 2, None, Kind::Pure),
    f("min", 1, None, Kind::Pure),
    f("max", 1, None, Kind::Pure),
    f("range", 2, Some(2), Kind::Pure),
    f("join", 2, Some(2), Kind::Pure),
    f("tryGet", 2, Some(2), Kind::Pure),
    f("indexFromEnd", 2, Some(2), Kind::Pure),
    f("tryIndexFromEnd", 2, Some(2), Kind::Pure),
];

/// Functions Azure Policy has that this evaluator deliberately does not
/// (they need the clock, the assignment, or Azure itself).
const UNSUPPORTED: &[(&str, &str)] = &[
    ("utcNow", "it reads the clock"),
    (
        "policy",
        "it reads the assignment, which an offline evaluation has not",
    ),
    (
        "reference",
        "Azure Policy does not allow it in a policy rule",
    ),
    (
        "resourceId",
        "Azure Policy does not allow it in a policy rule",
    ),
    (
        "deployment",
        "Azure Policy does not allow it in a policy rule",
    ),
    (
        "variables",
        "Azure Policy does not allow it in a policy rule",
    ),
    ("newGuid", "Azure Policy does not allow it in a policy rule"),
];

/// Looks a function up (case-insensitive); the error says why it is not
/// supported.
pub fn spec(name: &str) -> Result<&'static FnSpec, String> {
    if let Some(s) = FUNCTIONS.iter().find(|s| s.name.eq_ignore_ascii_case(name)) {
        return Ok(s);
    }
    if let Some((n, why)) = UNSUPPORTED
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
    {
        return Err(format!("template function `{n}()` is not supported: {why}"));
    }
    let hint = crate::diag::suggest::closest(name, FUNCTIONS.iter().map(|s| s.name))
        .map(|c| format!("; did you mean `{c}`?"))
        .unwrap_or_default();
    Err(format!(
        "unknown or unsupported template function `{name}()`{hint}"
    ))
}

/// Checks the argument count of a call.
pub fn check_arity(s: &FnSpec, n: usize) -> Result<(), String> {
    let ok = n >= s.min && s.max.is_none_or(|m| n <= m);
    if ok {
        return Ok(());
    }
    let want = match s.max {
        Some(m) if m == s.min => format!("{m}"),
        Some(m) => format!("{} to {m}", s.min),
        None => format!("at least {}", s.min),
    };
    Err(format!("`{}()` takes {want} argument(s), got {n}", s.name))
}

/// Calls a function on argument values already computed: every pure
/// function, and the lazy ones (`if`, `and`, `or`, `coalesce`), which with
/// values in hand are plain functions. The functions that read an
/// evaluation (`parameters`, `field`, `current`, ...) are refused: they
/// have no meaning outside one. What `amlgen policy eval` and the
/// conformance suite use to call one function.
pub fn call_values(name: &str, args: &[Value]) -> Result<Value, String> {
    let s = spec(name)?;
    check_arity(s, args.len())?;
    match s.kind {
        Kind::Pure => call_pure(s.name, args),
        Kind::Context => Err(format!(
            "`{}()` reads a policy evaluation; it cannot be called on values alone",
            s.name
        )),
        Kind::Lazy => match s.name {
            "if" => Ok(if as_bool(&args[0], "if")? {
                args[1].clone()
            } else {
                args[2].clone()
            }),
            "and" | "or" => {
                let want = s.name == "or";
                for a in args {
                    if as_bool(a, s.name)? == want {
                        return Ok(Value::Bool(want));
                    }
                }
                Ok(Value::Bool(!want))
            }
            // "Returns first non-null value from the parameters."
            _ => Ok(args
                .iter()
                .find(|a| !a.is_null())
                .cloned()
                .unwrap_or(Value::Null)),
        },
    }
}

/// Computes a pure function.
pub fn call_pure(name: &str, args: &[Value]) -> Result<Value, String> {
    let lname = name.to_ascii_lowercase();
    let arg = |i: usize| args.get(i).unwrap_or(&Value::Null);
    match lname.as_str() {
        "not" => Ok(Value::Bool(!as_bool(arg(0), name)?)),
        "equals" => Ok(Value::Bool(strict_eq(arg(0), arg(1)))),
        "less" | "lessorequals" | "greater" | "greaterorequals" => {
            compare(name, &lname, arg(0), arg(1))
        }
        "concat" => concat(args),
        "empty" => match arg(0) {
            Value::Null => Ok(Value::Bool(true)),
            Value::String(s) => Ok(Value::Bool(s.is_empty())),
            Value::Array(a) => Ok(Value::Bool(a.is_empty())),
            Value::Object(o) => Ok(Value::Bool(o.is_empty())),
            other => Err(format!(
                "`empty()` takes a string, array or object, got {}",
                describe(other)
            )),
        },
        "length" => match arg(0) {
            Value::String(s) => Ok(Value::from(s.chars().count())),
            Value::Array(a) => Ok(Value::from(a.len())),
            Value::Object(o) => Ok(Value::from(o.len())),
            other => Err(format!(
                "`length()` takes a string, array or object, got {}",
                describe(other)
            )),
        },
        "split" => split(as_str(arg(0), name)?, arg(1)),
        "tolower" => Ok(Value::String(as_str(arg(0), name)?.to_lowercase())),
        "toupper" => Ok(Value::String(as_str(arg(0), name)?.to_uppercase())),
        "replace" => {
            let s = as_str(arg(0), name)?;
            let old = as_str(arg(1), name)?;
            let new = as_str(arg(2), name)?;
            if old.is_empty() {
                return Err("`replace()` cannot replace an empty string".into());
            }
            Ok(Value::String(s.replace(old, new)))
        }
        "first" | "last" => first_or_last(name, lname == "first", arg(0)),
        "int" => to_int(arg(0)).map(Value::from),
        "string" => Ok(Value::String(to_string(arg(0)))),
        "bool" => match arg(0) {
            Value::Bool(b) => Ok(Value::Bool(*b)),
            Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(Value::Bool(true)),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(Value::Bool(false)),
            Value::Number(n) if n.as_i64().is_some() => Ok(Value::Bool(n.as_i64() != Some(0))),
            other => Err(format!("`bool()` cannot convert {}", describe(other))),
        },
        "json" => serde_json::from_str(as_str(arg(0), name)?)
            .map_err(|e| format!("`json()`: the argument is not JSON ({e})")),
        "contains" => contains(arg(0), arg(1)),
        "startswith" => Ok(Value::Bool(
            lower(as_str(arg(0), name)?).starts_with(&lower(as_str(arg(1), name)?)),
        )),
        "endswith" => Ok(Value::Bool(
            lower(as_str(arg(0), name)?).ends_with(&lower(as_str(arg(1), name)?)),
        )),
        "indexof" | "lastindexof" => index_of(name, lname == "indexof", arg(0), arg(1)),
        "substring" => substring(name, args),
        "trim" => Ok(Value::String(as_str(arg(0), name)?.trim().to_string())),
        "take" | "skip" => take_or_skip(name, lname == "take", arg(0), arg(1)),
        "createarray" => Ok(Value::Array(args.to_vec())),
        "iprangecontains" => super::ip::range_contains(arg(0), arg(1)),
        "add" | "sub" | "mul" | "div" | "mod" => arithmetic(name, &lname, arg(0), arg(1)),
        _ => call_family(name, &lname, args),
    }
}

/// The families in their own files: dates, formatting, encodings, arrays
/// and objects.
fn call_family(name: &str, lname: &str, args: &[Value]) -> Result<Value, String> {
    let arg = |i: usize| args.get(i).unwrap_or(&Value::Null);
    match lname {
        "null" => Ok(Value::Null),
        "float" => to_float(arg(0)),
        "format" => format::format(args),
        "padleft" => format::pad_left(args),
        "base64" => encoding::base64(arg(0)),
        "base64tostring" => encoding::base64_to_string(arg(0)),
        "base64tojson" => encoding::base64_to_json(arg(0)),
        "datauri" => encoding::data_uri(arg(0)),
        "datauritostring" => encoding::data_uri_to_string(arg(0)),
        "uri" => encoding::uri(arg(0), arg(1)),
        "uricomponent" => encoding::uri_component(arg(0)),
        "uricomponenttostring" => encoding::uri_component_to_string(arg(0)),
        "datetimeadd" => datetime::date_time_add(args),
        "datetimefromepoch" => datetime::from_epoch(args),
        "datetimetoepoch" => datetime::to_epoch(args),
        "adddays" => datetime::add_days(args),
        "array" => Ok(collections::array(arg(0))),
        "createobject" => collections::create_object(args),
        "items" => collections::items(arg(0)),
        "union" => collections::union(args),
        "intersection" => collections::intersection(args),
        "min" | "max" => collections::min_max(name, lname == "max", args),
        "range" => collections::range(args),
        "join" => collections::join(args),
        "tryget" => collections::try_get(arg(0), arg(1)),
        "indexfromend" | "tryindexfromend" => {
            collections::index_from_end(name, lname == "tryindexfromend", args)
        }
        _ => Err(format!(
            "template function `{name}()` is not a pure function"
        )),
    }
}

/// `float()` ("Numeric functions for ARM templates"): a string or an
/// integer as a floating point number; a number as it is.
fn to_float(v: &Value) -> Result<Value, String> {
    let x = match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|x| x.is_finite()),
        _ => None,
    };
    x.and_then(serde_json::Number::from_f64)
        .map(Value::Number)
        .ok_or_else(|| format!("`float()` cannot convert {}", describe(v)))
}

/// `less()`, `lessOrEquals()`, `greater()`, `greaterOrEquals()`: two
/// numbers or two strings.
fn compare(name: &str, lname: &str, a: &Value, b: &Value) -> Result<Value, String> {
    let ord = match (a, b) {
        (Value::Number(_), Value::Number(_)) => as_f64(a, name)?.partial_cmp(&as_f64(b, name)?),
        (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
        (a, b) => {
            return Err(format!(
                "`{name}()` compares two numbers or two strings, got {} and {}",
                describe(a),
                describe(b)
            ));
        }
    }
    .ok_or_else(|| format!("`{name}()` cannot order these numbers"))?;
    Ok(Value::Bool(match lname {
        "less" => ord == Ordering::Less,
        "lessorequals" => ord != Ordering::Greater,
        "greater" => ord == Ordering::Greater,
        _ => ord != Ordering::Less,
    }))
}

/// `first()`, `last()`: of a string or an array.
fn first_or_last(name: &str, first: bool, v: &Value) -> Result<Value, String> {
    match v {
        Value::String(s) => {
            let c = if first {
                s.chars().next()
            } else {
                s.chars().last()
            };
            Ok(Value::String(c.map(String::from).unwrap_or_default()))
        }
        Value::Array(a) => {
            let e = if first { a.first() } else { a.last() };
            Ok(e.cloned().unwrap_or(Value::Null))
        }
        other => Err(format!(
            "`{name}()` takes a string or array, got {}",
            describe(other)
        )),
    }
}

/// `indexOf()`, `lastIndexOf()`: case-insensitive, -1 when not found.
fn index_of(name: &str, first: bool, hay: &Value, needle: &Value) -> Result<Value, String> {
    let hay: Vec<char> = lower(as_str(hay, name)?).chars().collect();
    let needle: Vec<char> = lower(as_str(needle, name)?).chars().collect();
    let positions = (0..=hay.len().saturating_sub(needle.len()))
        .filter(|&i| hay.len() >= needle.len() && hay[i..i + needle.len()] == needle[..]);
    let found = if first {
        positions.min()
    } else {
        positions.max()
    };
    Ok(found.map_or(Value::from(-1), Value::from))
}

/// `substring(s, start?, length?)`, in characters.
fn substring(name: &str, args: &[Value]) -> Result<Value, String> {
    let arg = |i: usize| args.get(i).unwrap_or(&Value::Null);
    let s: Vec<char> = as_str(arg(0), name)?.chars().collect();
    let start = if args.len() > 1 {
        to_index(arg(1), name)?
    } else {
        0
    };
    let len = if args.len() > 2 {
        to_index(arg(2), name)?
    } else {
        s.len().saturating_sub(start)
    };
    if start.checked_add(len).is_none_or(|end| end > s.len()) {
        return Err(format!(
            "`substring()`: index {start} and length {len} must refer to a location within the string of length {}",
            s.len()
        ));
    }
    Ok(Value::String(s[start..start + len].iter().collect()))
}

/// `take()`, `skip()`: of a string or an array.
fn take_or_skip(name: &str, take: bool, v: &Value, n: &Value) -> Result<Value, String> {
    let n = usize::try_from(to_int(n)?.max(0)).unwrap_or(usize::MAX);
    match v {
        Value::String(s) => Ok(Value::String(if take {
            s.chars().take(n).collect()
        } else {
            s.chars().skip(n).collect()
        })),
        Value::Array(a) => Ok(Value::Array(if take {
            a.iter().take(n).cloned().collect()
        } else {
            a.iter().skip(n).cloned().collect()
        })),
        other => Err(format!(
            "`{name}()` takes a string or array, got {}",
            describe(other)
        )),
    }
}

/// `add()`, `sub()`, `mul()`, `div()`, `mod()`: on integers, an error
/// rather than an overflow.
fn arithmetic(name: &str, lname: &str, a: &Value, b: &Value) -> Result<Value, String> {
    let a = to_int_strict(a, name)?;
    let b = to_int_strict(b, name)?;
    let r = match lname {
        "add" => a.checked_add(b),
        "sub" => a.checked_sub(b),
        "mul" => a.checked_mul(b),
        "div" => a.checked_div(b),
        _ => a.checked_rem(b),
    };
    r.map(Value::from)
        .ok_or_else(|| format!("`{name}()` overflows or divides by zero"))
}

fn concat(args: &[Value]) -> Result<Value, String> {
    if args.iter().all(Value::is_array) {
        let mut out = Vec::new();
        for a in args {
            if let Value::Array(items) = a {
                out.extend(items.iter().cloned());
            }
        }
        return Ok(Value::Array(out));
    }
    let mut out = String::new();
    for a in args {
        match a {
            Value::String(s) => out.push_str(s),
            Value::Number(n) => out.push_str(&n.to_string()),
            other => {
                return Err(format!(
                    "`concat()` joins strings or arrays, not {}",
                    describe(other)
                ));
            }
        }
    }
    Ok(Value::String(out))
}

/// `split()`: .NET `String.Split` with string delimiters, keeping empty
/// parts; at each position the first delimiter (in order) that matches wins.
fn split(s: &str, delim: &Value) -> Result<Value, String> {
    let delims: Vec<&str> = match delim {
        Value::String(d) => vec![d.as_str()],
        Value::Array(ds) => ds
            .iter()
            .map(|d| as_str(d, "split"))
            .collect::<Result<_, _>>()?,
        other => {
            return Err(format!(
                "`split()` takes a string or an array of strings as delimiter, got {}",
                describe(other)
            ));
        }
    };
    if delims.is_empty() || delims.iter().any(|d| d.is_empty()) {
        return Err("`split()` needs non-empty delimiters".into());
    }
    let mut parts = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < s.len() {
        if !s.is_char_boundary(i) {
            i += 1;
            continue;
        }
        if let Some(d) = delims.iter().find(|d| s[i..].starts_with(**d)) {
            parts.push(Value::String(s[start..i].to_string()));
            i += d.len();
            start = i;
        } else {
            i += 1;
        }
    }
    parts.push(Value::String(s[start..].to_string()));
    Ok(Value::Array(parts))
}

/// ARM `contains()`: substring (case-sensitive), array member, or object
/// key (case-insensitive).
fn contains(container: &Value, item: &Value) -> Result<Value, String> {
    match container {
        Value::String(s) => {
            let needle = match item {
                Value::String(t) => t.clone(),
                Value::Number(n) => n.to_string(),
                other => {
                    return Err(format!(
                        "`contains()` looks for a string or integer in a string, got {}",
                        describe(other)
                    ));
                }
            };
            Ok(Value::Bool(s.contains(&needle)))
        }
        Value::Array(a) => Ok(Value::Bool(a.iter().any(|e| strict_eq(e, item)))),
        Value::Object(o) => {
            let key = as_str(item, "contains")?;
            Ok(Value::Bool(o.keys().any(|k| k.eq_ignore_ascii_case(key))))
        }
        other => Err(format!(
            "`contains()` takes a string, array or object, got {}",
            describe(other)
        )),
    }
}

/// Property access on an object value, case-insensitive as ARM's is.
pub fn member<'a>(v: &'a Value, name: &str) -> Result<&'a Value, String> {
    match v {
        Value::Object(o) => get_ci(o, name).ok_or_else(|| {
            let keys: Vec<&str> = o.keys().map(String::as_str).collect();
            format!(
                "the object has no property `{name}` (it has: {})",
                if keys.is_empty() {
                    "none".to_string()
                } else {
                    keys.join(", ")
                }
            )
        }),
        other => Err(format!(
            "cannot read property `{name}` of {}",
            describe(other)
        )),
    }
}

/// Indexing: an array by integer, an object by string key.
pub fn index<'a>(v: &'a Value, i: &Value) -> Result<&'a Value, String> {
    match (v, i) {
        (Value::Array(a), Value::Number(n)) => {
            let idx = n
                .as_i64()
                .and_then(|k| usize::try_from(k).ok())
                .ok_or_else(|| format!("array index {n} is not a non-negative integer"))?;
            a.get(idx).ok_or_else(|| {
                format!(
                    "array index {idx} is out of range (the array has {} element(s))",
                    a.len()
                )
            })
        }
        (Value::Object(_), Value::String(k)) => member(v, k),
        (other, idx) => Err(format!(
            "cannot index {} with {}",
            describe(other),
            describe(idx)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn c(name: &str, args: &[Value]) -> Value {
        call_pure(name, args).unwrap()
    }

    #[test]
    fn string_functions() {
        assert_eq!(
            c("concat", &[json!("a"), json!("b"), json!(1)]),
            json!("ab1")
        );
        assert_eq!(c("concat", &[json!([1]), json!([2, 3])]), json!([1, 2, 3]));
        assert!(call_pure("concat", &[json!("a"), json!([1])]).is_err());
        assert!(call_pure("concat", &[json!("a"), Value::Null]).is_err());
        assert_eq!(
            c("split", &[json!("/subscriptions/S/rg//"), json!("/")]),
            json!(["", "subscriptions", "S", "rg", "", ""])
        );
        assert_eq!(
            c("split", &[json!("a,b;c"), json!([",", ";"])]),
            json!(["a", "b", "c"])
        );
        assert_eq!(c("split", &[json!(""), json!("/")]), json!([""]));
        assert!(call_pure("split", &[json!("a"), json!("")]).is_err());
        assert_eq!(c("toLower", &[json!("AbC")]), json!("abc"));
        assert_eq!(c("TOUPPER", &[json!("AbC")]), json!("ABC"));
        assert_eq!(
            c("replace", &[json!("PT15M"), json!("P"), json!("/")]),
            json!("/T15M")
        );
        assert_eq!(c("first", &[json!("abc")]), json!("a"));
        assert_eq!(c("last", &[json!([1, 2])]), json!(2));
        assert_eq!(c("last", &[json!([])]), Value::Null);
        assert_eq!(c("last", &[json!("")]), json!(""));
        assert_eq!(c("startsWith", &[json!("Azure"), json!("az")]), json!(true));
        assert_eq!(c("endsWith", &[json!("Azure"), json!("RE")]), json!(true));
        assert_eq!(c("indexOf", &[json!("abcabc"), json!("C")]), json!(2));
        assert_eq!(c("lastIndexOf", &[json!("abcabc"), json!("c")]), json!(5));
        assert_eq!(c("indexOf", &[json!("ab"), json!("z")]), json!(-1));
        assert_eq!(
            c("substring", &[json!("abcdef"), json!(1), json!(3)]),
            json!("bcd")
        );
        assert!(call_pure("substring", &[json!("ab"), json!(0), json!(3)]).is_err());
        assert_eq!(c("trim", &[json!("  x ")]), json!("x"));
        assert_eq!(c("take", &[json!("abc"), json!(2)]), json!("ab"));
        assert_eq!(c("skip", &[json!([1, 2, 3]), json!(2)]), json!([3]));
    }

    #[test]
    fn conversions() {
        assert_eq!(c("int", &[json!("900")]), json!(900));
        assert_eq!(c("int", &[json!(7)]), json!(7));
        assert!(call_pure("int", &[json!("")]).is_err());
        assert!(call_pure("int", &[json!("15M")]).is_err());
        assert_eq!(c("string", &[json!(5)]), json!("5"));
        assert_eq!(c("string", &[json!(true)]), json!("True"));
        assert_eq!(c("string", &[json!({"a": 1})]), json!("{\"a\":1}"));
        assert_eq!(c("bool", &[json!("TRUE")]), json!(true));
        assert_eq!(c("bool", &[json!(0)]), json!(false));
        assert!(call_pure("bool", &[json!("yes")]).is_err());
        assert_eq!(c("json", &[json!("[1]")]), json!([1]));
    }

    #[test]
    fn collections_and_logic() {
        assert_eq!(c("empty", &[json!("")]), json!(true));
        assert_eq!(c("empty", &[Value::Null]), json!(true));
        assert_eq!(c("empty", &[json!({"a": 1})]), json!(false));
        assert!(call_pure("empty", &[json!(0)]).is_err());
        assert_eq!(c("length", &[json!("héllo")]), json!(5));
        assert_eq!(c("length", &[json!({"a": 1, "b": 2})]), json!(2));
        assert_eq!(c("contains", &[json!("Azure"), json!("zu")]), json!(true));
        assert_eq!(c("contains", &[json!("Azure"), json!("ZU")]), json!(false));
        assert_eq!(c("contains", &[json!(["a", 1]), json!(1)]), json!(true));
        assert_eq!(
            c("contains", &[json!({"Key": 1}), json!("key")]),
            json!(true)
        );
        assert_eq!(c("equals", &[json!("a"), json!("A")]), json!(false));
        assert_eq!(c("equals", &[json!(1), json!(1.0)]), json!(true));
        assert_eq!(c("not", &[json!(false)]), json!(true));
        assert!(call_pure("not", &[json!("false")]).is_err());
        assert_eq!(c("less", &[json!(2), json!(3)]), json!(true));
        assert_eq!(c("greaterOrEquals", &[json!("b"), json!("a")]), json!(true));
        assert!(call_pure("less", &[json!(2), json!("3")]).is_err());
        assert_eq!(c("createArray", &[json!(1), json!("a")]), json!([1, "a"]));
        assert_eq!(c("add", &[json!(2), json!(3)]), json!(5));
        assert!(call_pure("div", &[json!(1), json!(0)]).is_err());
    }

    /// Every function on every mix of awkward values: an answer or an
    /// error, never a panic.
    #[test]
    fn no_function_panics_on_odd_values() {
        let odd = [
            Value::Null,
            json!(true),
            json!(0),
            json!(-1),
            json!(i64::MAX),
            json!(i64::MIN),
            json!(2.5),
            json!(1e300),
            json!(""),
            json!("é"),
            json!("-P99999999999999999999Y"),
            json!("PT1e300S"),
            json!("PT99999999999999999999999999.5S"),
            json!("9999-12-31T23:59:59.9999999-14:00"),
            json!("0001-01-01"),
            json!("{0,-999999:X99}"),
            json!("%zz%"),
            json!("data:;base64,===="),
            json!("http://a/b/../../../c?x#y"),
            json!("'\\"),
            json!([]),
            json!([1, "a", null]),
            json!({}),
            json!({"a": {"b": [1]}}),
        ];
        for s in FUNCTIONS.iter().filter(|s| s.kind != Kind::Context) {
            let _ = call_values(s.name, &[]);
            for a in &odd {
                let _ = call_values(s.name, std::slice::from_ref(a));
                for b in &odd {
                    let _ = call_values(s.name, &[a.clone(), b.clone()]);
                    for c in &odd[..6] {
                        let _ = call_values(s.name, &[a.clone(), b.clone(), c.clone()]);
                    }
                }
            }
        }
    }

    #[test]
    fn lookups_and_arity() {
        assert!(spec("CONCAT").is_ok());
        assert!(spec("utcNow").unwrap_err().contains("clock"));
        assert!(
            spec("concatt")
                .unwrap_err()
                .contains("did you mean `concat`")
        );
        let s = spec("split").unwrap();
        assert!(check_arity(s, 2).is_ok());
        assert!(check_arity(s, 1).unwrap_err().contains("takes 2"));
        assert!(check_arity(spec("and").unwrap(), 5).is_ok());
        assert_eq!(index(&json!([1, 2]), &json!(1)).unwrap(), &json!(2));
        assert!(index(&json!([1, 2]), &json!(2)).is_err());
        assert!(index(&json!([1, 2]), &json!(-1)).is_err());
        assert_eq!(member(&json!({"Name": "x"}), "name").unwrap(), &json!("x"));
        assert!(
            member(&json!({"a": 1}), "b")
                .unwrap_err()
                .contains("it has: a")
        );
    }
}
