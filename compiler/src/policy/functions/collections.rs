//! The array and object functions ("Array functions for ARM templates",
//! "Object functions for ARM templates"): `array`, `createObject`,
//! `items`, `union`, `intersection`, `min`, `max`, `range`, `join`,
//! `null`, and the safe accessors `tryGet`, `indexFromEnd`,
//! `tryIndexFromEnd`. Wrong argument types are errors, as the reference's
//! parameter tables type them.

use serde_json::{Map, Value};

use super::super::ops::describe;
use super::args::{as_str, get_ci, strict_eq, to_int_strict};

/// `array(convertToArray)`: an array as it is, any other value wrapped.
pub(super) fn array(v: &Value) -> Value {
    match v {
        Value::Array(_) => v.clone(),
        other => Value::Array(vec![other.clone()]),
    }
}

/// `createObject(key1, value1, ...)`: "only accepts an even number of
/// parameters"; keys are strings.
pub(super) fn create_object(args: &[Value]) -> Result<Value, String> {
    if !args.len().is_multiple_of(2) {
        return Err(format!(
            "`createObject()` takes keys and values in pairs: expected an even number of arguments, got {}",
            args.len()
        ));
    }
    let mut out = Map::new();
    for pair in args.chunks(2) {
        let key = pair[0].as_str().ok_or_else(|| {
            format!(
                "`createObject()`: a key must be a string, got {}",
                describe(&pair[0])
            )
        })?;
        out.insert(key.to_string(), pair[1].clone());
    }
    Ok(Value::Object(out))
}

/// `items(object)`: `{key, value}` objects, sorted by key as the
/// reference's example shows.
pub(super) fn items(v: &Value) -> Result<Value, String> {
    let Value::Object(o) = v else {
        return Err(format!("`items()` takes an object, got {}", describe(v)));
    };
    let mut keys: Vec<&String> = o.keys().collect();
    keys.sort();
    Ok(Value::Array(
        keys.into_iter()
            .map(|k| serde_json::json!({ "key": k, "value": o[k] }))
            .collect(),
    ))
}

/// The arguments of `union()`/`intersection()`: all arrays or all objects.
enum Family<'a> {
    Arrays(Vec<&'a Vec<Value>>),
    Objects(Vec<&'a Map<String, Value>>),
}

fn family<'a>(name: &str, args: &'a [Value]) -> Result<Family<'a>, String> {
    if let Some(arrays) = args.iter().map(Value::as_array).collect::<Option<Vec<_>>>() {
        return Ok(Family::Arrays(arrays));
    }
    if let Some(objects) = args
        .iter()
        .map(Value::as_object)
        .collect::<Option<Vec<_>>>()
    {
        return Ok(Family::Objects(objects));
    }
    let odd = args
        .iter()
        .find(|a| !a.is_array() && !a.is_object())
        .unwrap_or(&args[0]);
    Err(format!(
        "`{name}()` takes all arrays or all objects, got {}",
        if odd.is_array() || odd.is_object() {
            "both".to_string()
        } else {
            describe(odd)
        }
    ))
}

/// `union(arg1, arg2, ...)`: arrays without duplicates in first-seen
/// order; objects merged, later values overwriting, nested objects merged
/// recursively (nested arrays replaced, as the reference's deep-merge
/// example shows).
pub(super) fn union(args: &[Value]) -> Result<Value, String> {
    match family("union", args)? {
        Family::Arrays(arrays) => {
            let mut out: Vec<Value> = Vec::new();
            for v in arrays.into_iter().flatten() {
                if !out.iter().any(|o| strict_eq(o, v)) {
                    out.push(v.clone());
                }
            }
            Ok(Value::Array(out))
        }
        Family::Objects(objects) => {
            let mut out = Map::new();
            for o in objects {
                merge(&mut out, o);
            }
            Ok(Value::Object(out))
        }
    }
}

fn merge(into: &mut Map<String, Value>, from: &Map<String, Value>) {
    for (k, v) in from {
        match (into.get_mut(k), v) {
            (Some(Value::Object(a)), Value::Object(b)) => merge(a, b),
            _ => {
                into.insert(k.clone(), v.clone());
            }
        }
    }
}

/// `intersection(arg1, arg2, ...)`: the elements (or the key and value
/// pairs) every argument has, in the first argument's order.
pub(super) fn intersection(args: &[Value]) -> Result<Value, String> {
    match family("intersection", args)? {
        Family::Arrays(arrays) => {
            let mut out: Vec<Value> = Vec::new();
            for v in arrays[0] {
                let everywhere = arrays[1..]
                    .iter()
                    .all(|a| a.iter().any(|w| strict_eq(v, w)));
                if everywhere && !out.iter().any(|o| strict_eq(o, v)) {
                    out.push(v.clone());
                }
            }
            Ok(Value::Array(out))
        }
        Family::Objects(objects) => Ok(Value::Object(
            objects[0]
                .iter()
                .filter(|(k, v)| {
                    objects[1..]
                        .iter()
                        .all(|o| o.get(*k).is_some_and(|w| strict_eq(v, w)))
                })
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        )),
    }
}

/// `min()`/`max()`: of integers, given as arguments or as one array.
pub(super) fn min_max(name: &str, max: bool, args: &[Value]) -> Result<Value, String> {
    let values: &[Value] = match args {
        [Value::Array(a)] => a,
        _ => args,
    };
    let ints = values
        .iter()
        .map(|v| to_int_strict(v, name))
        .collect::<Result<Vec<_>, _>>()?;
    let r = if max {
        ints.iter().max()
    } else {
        ints.iter().min()
    };
    r.map(|n| Value::from(*n))
        .ok_or_else(|| format!("`{name}()` of an empty array has no value"))
}

/// `range(startIndex, count)`: "count must be a non-negative integer up to
/// 10000" and "the sum of startIndex and count must be no greater than
/// 2147483647".
pub(super) fn range(args: &[Value]) -> Result<Value, String> {
    let start = to_int_strict(&args[0], "range")?;
    let count = to_int_strict(&args[1], "range")?;
    if !(0..=10_000).contains(&count) {
        return Err(format!(
            "`range()`: count {count} must be from 0 to 10000 (it exceeds maximum of 10000 or is negative)"
        ));
    }
    if start < i64::from(i32::MIN) || start.saturating_add(count) > i64::from(i32::MAX) {
        return Err(format!(
            "`range()`: startIndex {start} plus count {count} exceeds maximum of 2147483647"
        ));
    }
    Ok(Value::Array(
        (start..start + count).map(Value::from).collect(),
    ))
}

/// `join(inputArray, delimiter)`: an array of strings.
pub(super) fn join(args: &[Value]) -> Result<Value, String> {
    let Value::Array(a) = &args[0] else {
        return Err(format!(
            "`join()` takes an array of strings, got {}",
            describe(&args[0])
        ));
    };
    let delim = as_str(&args[1], "join")?;
    let parts = a
        .iter()
        .map(|v| {
            v.as_str().ok_or_else(|| {
                format!("`join()` joins an array of strings; it has {}", describe(v))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Value::String(parts.join(delim)))
}

/// `tryGet(itemToTest, keyOrIndex)`: the property (case-insensitive) or
/// element, or null when there is none. A null item gives null too: the
/// reference ("Object functions for ARM templates", tryGet) points Bicep
/// users to the safe-dereference operator, which "returns null" when its
/// operand "evaluates to null" ("Bicep safe-dereference operator"). Any
/// other item (a string, a number) is no object or array: an error.
pub(super) fn try_get(item: &Value, key: &Value) -> Result<Value, String> {
    match (item, key) {
        (Value::Null, Value::String(_)) => Ok(Value::Null),
        (Value::Null, Value::Number(n)) if n.is_i64() || n.is_u64() => Ok(Value::Null),
        (Value::Object(o), Value::String(k)) => Ok(get_ci(o, k).cloned().unwrap_or(Value::Null)),
        (Value::Array(a), Value::Number(n)) if n.is_i64() || n.is_u64() => Ok(n
            .as_u64()
            .and_then(|i| usize::try_from(i).ok())
            .and_then(|i| a.get(i))
            .cloned()
            .unwrap_or(Value::Null)),
        (item, key) => Err(format!(
            "`tryGet()` reads an object by string key or an array by integer index, got {} and {}",
            describe(item),
            describe(key)
        )),
    }
}

/// `indexFromEnd(sourceArray, reverseIndex)` (`try`: null rather than an
/// error when out of range): 1 is the last element.
pub(super) fn index_from_end(name: &str, try_: bool, args: &[Value]) -> Result<Value, String> {
    let Value::Array(a) = &args[0] else {
        return Err(format!(
            "`{name}()` takes an array, got {}",
            describe(&args[0])
        ));
    };
    let n = to_int_strict(&args[1], name)?;
    let at = usize::try_from(n)
        .ok()
        .filter(|n| (1..=a.len()).contains(n))
        .map(|n| &a[a.len() - n]);
    match at {
        Some(v) => Ok(v.clone()),
        None if try_ => Ok(Value::Null),
        None => Err(format!(
            "`{name}()`: index {n} from the end is out of bounds for an array of {} element(s)",
            a.len()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unions_and_intersections() {
        let u = |a: Value, b: Value| union(&[a, b]).unwrap();
        assert_eq!(u(json!([1, 2]), json!([2, 3])), json!([1, 2, 3]));
        // The reference's deep merge: objects merge, arrays are replaced.
        assert_eq!(
            u(
                json!({"p": {"one": "a", "three": "c1"}, "n": [1, 2]}),
                json!({"p": {"three": "c2", "four": "d"}, "n": [3, 4]})
            ),
            json!({"p": {"one": "a", "three": "c2", "four": "d"}, "n": [3, 4]})
        );
        assert!(union(&[json!([1]), json!({"a": 1})]).is_err());
        let i = |args: &[Value]| intersection(args).unwrap();
        assert_eq!(
            i(&[json!([1, 2, 3, 2]), json!([2, 3, 4]), json!([3, 2])]),
            json!([2, 3])
        );
        assert_eq!(
            i(&[
                json!({"one": "a", "two": "b"}),
                json!({"one": "a", "two": "z"})
            ]),
            json!({"one": "a"})
        );
        assert!(intersection(&[json!("a"), json!("a")]).is_err());
    }

    #[test]
    fn objects_and_arrays() {
        assert_eq!(array(&json!(1)), json!([1]));
        assert_eq!(array(&json!([1])), json!([1]));
        assert_eq!(
            create_object(&[json!("a"), json!(1)]).unwrap(),
            json!({"a": 1})
        );
        assert!(create_object(&[json!("a")]).is_err());
        assert!(create_object(&[json!(1), json!("one")]).is_err());
        // Sorted by key, as the reference's example shows.
        assert_eq!(
            items(&json!({"item002": 2, "item001": 1})).unwrap(),
            json!([{"key": "item001", "value": 1}, {"key": "item002", "value": 2}])
        );
        assert!(items(&json!([1])).is_err());
        assert_eq!(
            try_get(&json!({"Name": "x"}), &json!("name")).unwrap(),
            json!("x")
        );
        assert_eq!(try_get(&json!([1]), &json!(3)).unwrap(), Value::Null);
        assert!(try_get(&json!("s"), &json!("k")).is_err());
        assert!(try_get(&json!(42), &json!("k")).is_err());
        assert_eq!(try_get(&Value::Null, &json!("k")).unwrap(), Value::Null);
        assert_eq!(try_get(&Value::Null, &json!(0)).unwrap(), Value::Null);
        assert!(try_get(&Value::Null, &json!(true)).is_err());
        let a = json!(["a", "b", "c"]);
        assert_eq!(
            index_from_end("indexFromEnd", false, &[a.clone(), json!(1)]).unwrap(),
            json!("c")
        );
        assert!(index_from_end("indexFromEnd", false, &[a.clone(), json!(0)]).is_err());
        assert_eq!(
            index_from_end("tryIndexFromEnd", true, &[a, json!(4)]).unwrap(),
            Value::Null
        );
    }

    #[test]
    fn numbers_and_joins() {
        assert_eq!(
            min_max("max", true, &[json!(5), json!(2), json!(8)]).unwrap(),
            json!(8)
        );
        assert_eq!(
            min_max("min", false, &[json!([3, -1, 4])]).unwrap(),
            json!(-1)
        );
        assert!(min_max("min", false, &[json!([])]).is_err());
        assert!(min_max("min", false, &[json!(1.5)]).is_err());
        assert_eq!(range(&[json!(-2), json!(3)]).unwrap(), json!([-2, -1, 0]));
        assert!(range(&[json!(0), json!(10_001)]).is_err());
        assert!(range(&[json!(2_147_483_640), json!(10)]).is_err());
        assert!(range(&[json!(0), json!(-1)]).is_err());
        assert_eq!(
            join(&[json!(["a", "b"]), json!(", ")]).unwrap(),
            json!("a, b")
        );
        assert!(join(&[json!([1]), json!(",")]).is_err());
    }
}
