//! The condition operators of a policy rule and the comparisons under
//! them, as Microsoft documents them ("Azure Policy definition structure
//! policy rule", Conditions): string comparisons ignore case except
//! `match`/`notMatch`, by Unicode full case folding (`casefold`: `Straße`
//! equals `STRASSE`, as under `InvariantCultureIgnoreCase`); `like` knows only the `*` wildcard; `match` reads
//! `#` as a digit, `?` as a letter, `.` as any character; `less` and
//! friends compare numbers with numbers and strings with strings, and any
//! other pairing is an error (Azure throws); `exists` takes a boolean or the
//! strings `"true"`/`"false"`. Every `not…` operator is the negation of its
//! positive. A missing value (absent or JSON `null`) equals only `null`,
//! is `like`/`in`/`contains` nothing, and orders against nothing.

use std::cmp::Ordering;

use serde_json::Value;

/// A condition operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Equals,
    NotEquals,
    Like,
    NotLike,
    Match,
    MatchInsensitively,
    NotMatch,
    NotMatchInsensitively,
    Contains,
    NotContains,
    In,
    NotIn,
    ContainsKey,
    NotContainsKey,
    Less,
    LessOrEquals,
    Greater,
    GreaterOrEquals,
    Exists,
}

const OPS: &[(&str, Op)] = &[
    ("equals", Op::Equals),
    ("notEquals", Op::NotEquals),
    ("like", Op::Like),
    ("notLike", Op::NotLike),
    ("match", Op::Match),
    ("matchInsensitively", Op::MatchInsensitively),
    ("notMatch", Op::NotMatch),
    ("notMatchInsensitively", Op::NotMatchInsensitively),
    ("contains", Op::Contains),
    ("notContains", Op::NotContains),
    ("in", Op::In),
    ("notIn", Op::NotIn),
    ("containsKey", Op::ContainsKey),
    ("notContainsKey", Op::NotContainsKey),
    ("less", Op::Less),
    ("lessOrEquals", Op::LessOrEquals),
    ("greater", Op::Greater),
    ("greaterOrEquals", Op::GreaterOrEquals),
    ("exists", Op::Exists),
];

impl Op {
    /// The operator a condition key names; keys are case-insensitive
    /// (built-ins write both `notIn` and `notin`).
    #[must_use]
    pub fn parse(key: &str) -> Option<Op> {
        OPS.iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(key))
            .map(|&(_, op)| op)
    }

    /// The documented spelling.
    #[must_use]
    pub fn name(self) -> &'static str {
        OPS.iter()
            .find(|(_, op)| *op == self)
            .map_or("?", |(name, _)| name)
    }

    /// Every documented operator name.
    pub fn names() -> impl Iterator<Item = &'static str> {
        OPS.iter().map(|(n, _)| *n)
    }

    /// The positive operator and whether this one negates it.
    fn base(self) -> (Op, bool) {
        match self {
            Op::NotEquals => (Op::Equals, true),
            Op::NotLike => (Op::Like, true),
            Op::NotMatch => (Op::Match, true),
            Op::NotMatchInsensitively => (Op::MatchInsensitively, true),
            Op::NotContains => (Op::Contains, true),
            Op::NotIn => (Op::In, true),
            Op::NotContainsKey => (Op::ContainsKey, true),
            other => (other, false),
        }
    }
}

/// Checks an evaluated right-hand side, once per condition, before any
/// value is compared. As [`check_rhs`], except that `equals` accepts an
/// array or object computed at evaluation time (Microsoft's count example
/// compares a member with `[field('...[*]')]`, an array, and gets false).
pub fn check_evaluated_rhs(op: Op, rhs: &Value) -> Result<(), String> {
    if op.base().0 == Op::Equals {
        return Ok(());
    }
    check_rhs(op, rhs)
}

/// Checks a right-hand side as Azure does when the definition is created:
/// its type must suit the operator (`in` needs an array, `equals` a single
/// value, `like` a string, `exists` a boolean).
pub fn check_rhs(op: Op, rhs: &Value) -> Result<(), String> {
    let name = op.name();
    match op.base().0 {
        Op::In => match rhs {
            Value::Array(_) => Ok(()),
            other => Err(format!(
                "`{name}` expects an array, got {}",
                describe(other)
            )),
        },
        Op::Exists => exists_flag(rhs).map(|_| ()),
        Op::Equals => match rhs {
            Value::Array(_) | Value::Object(_) => Err(format!(
                "`{name}` compares with a single value, got {} (use `in`/`notIn` for a list)",
                describe(rhs)
            )),
            _ => Ok(()),
        },
        Op::Like | Op::Match | Op::MatchInsensitively | Op::ContainsKey => match rhs {
            Value::String(_) => Ok(()),
            other => Err(format!(
                "`{name}` expects a string, got {}",
                describe(other)
            )),
        },
        Op::Contains => match rhs {
            Value::String(s) if s.contains('*') => Err(format!(
                "`{name}` does not accept the wildcard `*` (use `like`)"
            )),
            Value::String(_) | Value::Number(_) | Value::Bool(_) => Ok(()),
            other => Err(format!(
                "`{name}` expects a string, got {}",
                describe(other)
            )),
        },
        Op::Less | Op::LessOrEquals | Op::Greater | Op::GreaterOrEquals => match rhs {
            Value::String(_) | Value::Number(_) => Ok(()),
            other => Err(format!(
                "`{name}` expects a number, date or string, got {}",
                describe(other)
            )),
        },
        _ => Ok(()),
    }
}

/// `exists`' argument: a boolean or the strings `"true"`/`"false"`.
fn exists_flag(rhs: &Value) -> Result<bool, String> {
    match rhs {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(false),
        other => Err(format!(
            "`exists` expects true or false, got {}",
            describe(other)
        )),
    }
}

/// Applies an operator to one value (`None`: absent or `null`). `location`
/// turns on Azure's normalisation of locations (`East US 2` = `eastus2`).
pub fn apply(op: Op, lhs: Option<&Value>, rhs: &Value, location: bool) -> Result<bool, String> {
    let lhs = lhs.filter(|v| !v.is_null());
    let (base, negate) = op.base();
    let positive = match base {
        Op::Exists => lhs.is_some() == exists_flag(rhs)?,
        Op::Equals => equals_opt(lhs, rhs, location),
        Op::In => match rhs {
            Value::Array(items) => items.iter().any(|i| equals_opt(lhs, i, location)),
            other => {
                return Err(format!(
                    "`{}` expects an array, got {}",
                    op.name(),
                    describe(other)
                ));
            }
        },
        Op::Like => match lhs {
            None => false,
            Some(v) => like(&as_text(v, op)?, &rhs_text(rhs, op)?),
        },
        Op::Match | Op::MatchInsensitively => match lhs {
            None => false,
            Some(v) => pattern_match(
                &as_text(v, op)?,
                &rhs_text(rhs, op)?,
                base == Op::MatchInsensitively,
            ),
        },
        Op::Contains => match lhs {
            None => false,
            Some(v) => lower(&as_text(v, op)?).contains(&lower(&rhs_text(rhs, op)?)),
        },
        Op::ContainsKey => match lhs {
            None => false,
            Some(Value::Object(map)) => {
                let key = rhs_text(rhs, op)?;
                map.keys().any(|k| eq_ci(k, &key))
            }
            Some(other) => {
                return Err(format!(
                    "`{}` looks for a key in an object, but the value is {}",
                    op.name(),
                    describe(other)
                ));
            }
        },
        Op::Less | Op::LessOrEquals | Op::Greater | Op::GreaterOrEquals => match lhs {
            None => false,
            Some(v) => {
                let ord = order(v, rhs).map_err(|e| format!("`{}`: {e}", op.name()))?;
                match base {
                    Op::Less => ord == Ordering::Less,
                    Op::LessOrEquals => ord != Ordering::Greater,
                    Op::Greater => ord == Ordering::Greater,
                    _ => ord != Ordering::Less,
                }
            }
        },
        _ => unreachable_base(base)?,
    };
    Ok(positive != negate)
}

fn unreachable_base(op: Op) -> Result<bool, String> {
    Err(format!("internal: `{}` has no positive form", op.name()))
}

fn equals_opt(lhs: Option<&Value>, rhs: &Value, location: bool) -> bool {
    match lhs {
        None => rhs.is_null(),
        Some(l) if location => match (l, rhs) {
            (Value::String(a), Value::String(b)) => eq_ci(&strip_ws(a), &strip_ws(b)),
            _ => loose_eq(l, rhs),
        },
        Some(l) => loose_eq(l, rhs),
    }
}

fn strip_ws(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Equality as a policy condition sees it: strings ignore case; a boolean
/// equals the string `"true"`/`"false"` (any case); a number equals a
/// string that parses to it; arrays and objects compare member by member
/// (object keys ignoring case).
#[must_use]
pub fn loose_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::String(x), Value::String(y)) => eq_ci(x, y),
        (Value::Number(x), Value::Number(y)) => num_eq(x, y),
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Bool(x), Value::String(s)) | (Value::String(s), Value::Bool(x)) => {
            s.eq_ignore_ascii_case(if *x { "true" } else { "false" })
        }
        (Value::Number(n), Value::String(s)) | (Value::String(s), Value::Number(n)) => {
            match (s.parse::<f64>(), n.as_f64()) {
                (Ok(p), Some(q)) => p.is_finite() && close(p, q),
                _ => false,
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| loose_eq(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter().all(|(k, v)| {
                    y.iter()
                        .find(|(k2, _)| eq_ci(k, k2))
                        .is_some_and(|(_, v2)| loose_eq(v, v2))
                })
        }
        _ => false,
    }
}

fn num_eq(x: &serde_json::Number, y: &serde_json::Number) -> bool {
    match (x.as_i64(), y.as_i64()) {
        (Some(a), Some(b)) => a == b,
        _ => match (x.as_f64(), y.as_f64()) {
            (Some(a), Some(b)) => close(a, b),
            _ => false,
        },
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= f64::EPSILON * a.abs().max(b.abs()).max(1.0)
}

/// Case-insensitive string equality: Unicode full case folding, standing
/// in for `InvariantCultureIgnoreCase` (`Straße` equals `STRASSE`; see
/// `casefold`).
#[must_use]
pub fn eq_ci(a: &str, b: &str) -> bool {
    a == b || lower(a) == lower(b)
}

fn lower(s: &str) -> String {
    super::casefold::fold(s)
}

/// Orders two values for `less`/`greater`: numbers numerically, strings
/// (dates included, in ISO 8601) ignoring case; anything else is an error.
pub fn order(a: &Value, b: &Value) -> Result<Ordering, String> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(p), Some(q)) => Ok(p.cmp(&q)),
            _ => match (x.as_f64(), y.as_f64()) {
                (Some(p), Some(q)) => p
                    .partial_cmp(&q)
                    .ok_or_else(|| "cannot order these numbers".to_string()),
                _ => Err("cannot order these numbers".into()),
            },
        },
        (Value::String(x), Value::String(y)) => Ok(lower(x).cmp(&lower(y))),
        _ => Err(format!(
            "cannot order {} against {} (Azure throws an error when the types differ, and a failed evaluation denies)",
            describe(a),
            describe(b)
        )),
    }
}

/// A value as the text a string operator reads: strings as they are,
/// numbers and booleans as .NET prints them; arrays and objects are errors
/// (a `[*]` alias or `count` reaches their members).
fn as_text(v: &Value, op: Op) -> Result<String, String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(if *b { "True" } else { "False" }.into()),
        other => Err(format!(
            "`{}` compares strings, but the value is {} (use a `[*]` alias or `count` for members)",
            op.name(),
            describe(other)
        )),
    }
}

fn rhs_text(v: &Value, op: Op) -> Result<String, String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(if *b { "True" } else { "False" }.into()),
        other => Err(format!(
            "`{}` expects a string, got {}",
            op.name(),
            describe(other)
        )),
    }
}

/// `like`: `*` matches any run of characters (several `*` are accepted);
/// every other character is itself; case is ignored.
#[must_use]
pub fn like(text: &str, pattern: &str) -> bool {
    let t: Vec<char> = lower(text).chars().collect();
    let p: Vec<char> = lower(pattern).chars().collect();
    // Greedy glob with backtracking to the last star: linear in practice.
    let (mut ti, mut pi) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// `match`: `#` a digit, `?` a letter, `.` any character, anything else
/// itself; the whole value must match, character for character.
#[must_use]
pub fn pattern_match(text: &str, pattern: &str, insensitive: bool) -> bool {
    // Character for character: the lowercase mapping, which keeps the
    // number of characters (folding `ß` to `ss` would not).
    let (t, p): (Vec<char>, Vec<char>) = if insensitive {
        (
            text.to_lowercase().chars().collect(),
            pattern.to_lowercase().chars().collect(),
        )
    } else {
        (text.chars().collect(), pattern.chars().collect())
    };
    t.len() == p.len()
        && t.iter().zip(&p).all(|(&c, &q)| match q {
            '#' => c.is_ascii_digit(),
            '?' => c.is_alphabetic(),
            '.' => true,
            other => c == other,
        })
}

/// A short description of a JSON value for messages.
#[must_use]
pub fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => {
            let short: String = s.chars().take(60).collect();
            if short.len() < s.len() {
                format!("the string \"{short}…\"")
            } else {
                format!("the string \"{s}\"")
            }
        }
        Value::Array(a) => format!("an array of {}", a.len()),
        Value::Object(_) => "an object".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn t(op: Op, lhs: &Value, rhs: &Value) -> bool {
        apply(op, Some(lhs), rhs, false).unwrap()
    }

    fn missing(op: Op, rhs: &Value) -> bool {
        apply(op, None, rhs, false).unwrap()
    }

    #[test]
    fn string_conditions_fold_case_as_invariant_culture_does() {
        let s = |v: &str| json!(v);
        assert!(t(Op::Equals, &s("STRASSE"), &s("Straße")));
        assert!(!t(Op::NotEquals, &s("Straße"), &s("STRASSE")));
        assert!(t(Op::In, &s("Straße"), &json!(["STRASSE", "AVENUE"])));
        assert!(t(Op::Contains, &s("The OFFICE"), &s("\u{FB03}ce")));
        assert!(t(Op::Like, &s("Straße-1"), &s("STRASSE-*")));
        assert!(!t(Op::Greater, &s("Straße"), &s("STRASSE")));
        assert!(t(Op::LessOrEquals, &s("Straße"), &s("STRASSE")));
        // `match` stays character for character.
        assert!(!t(Op::MatchInsensitively, &s("Straße"), &s("STRASSE")));
    }

    #[test]
    fn operator_names_are_case_insensitive() {
        assert_eq!(Op::parse("notin"), Some(Op::NotIn));
        assert_eq!(Op::parse("Equals"), Some(Op::Equals));
        assert_eq!(Op::parse("GREATEROREQUALS"), Some(Op::GreaterOrEquals));
        assert_eq!(Op::parse("startsWith"), None);
        assert_eq!(Op::names().count(), 19);
    }

    #[test]
    fn equals_ignores_case_and_coerces_booleans_and_numbers() {
        assert!(t(Op::Equals, &json!("Disabled"), &json!("disabled")));
        assert!(t(Op::Equals, &json!(true), &json!("True")));
        assert!(t(Op::Equals, &json!("false"), &json!(false)));
        assert!(!t(Op::Equals, &json!("yes"), &json!(true)));
        assert!(t(Op::Equals, &json!("443"), &json!(443)));
        assert!(!t(Op::Equals, &json!("https"), &json!(443)));
        assert!(t(Op::Equals, &json!(1), &json!(1.0)));
        assert!(t(Op::NotEquals, &json!(false), &json!("true")));
        assert!(t(Op::Equals, &json!({"A": ["X"]}), &json!({"a": ["x"]})));
        assert!(!t(Op::Equals, &json!(["a"]), &json!("a")));
    }

    #[test]
    fn a_missing_value_equals_nothing_but_null() {
        assert!(!missing(Op::Equals, &json!("")));
        assert!(missing(Op::NotEquals, &json!("Disabled")));
        assert!(missing(Op::Equals, &Value::Null));
        assert!(apply(Op::Equals, Some(&Value::Null), &Value::Null, false).unwrap());
        assert!(!missing(Op::In, &json!(["a", "b"])));
        assert!(missing(Op::NotIn, &json!(["a"])));
        assert!(!missing(Op::Like, &json!("*")));
        assert!(missing(Op::NotLike, &json!("*")));
        assert!(!missing(Op::Contains, &json!("a")));
        assert!(!missing(Op::Greater, &json!(1)));
        assert!(!missing(Op::Less, &json!(1)));
        assert!(!missing(Op::ContainsKey, &json!("k")));
        assert!(missing(Op::NotContainsKey, &json!("k")));
    }

    #[test]
    fn in_and_not_in_need_an_array() {
        assert!(t(
            Op::In,
            &json!("AmlCompute"),
            &json!(["amlcompute", "ComputeInstance"])
        ));
        assert!(!t(
            Op::NotIn,
            &json!("Standard_DS3_v2"),
            &json!(["standard_ds3_v2"])
        ));
        assert!(apply(Op::In, Some(&json!("a")), &json!("a"), false).is_err());
        assert!(check_rhs(Op::NotIn, &json!("a")).is_err());
        assert!(check_rhs(Op::In, &json!([])).is_ok());
    }

    #[test]
    fn like_knows_only_the_star() {
        assert!(like(
            "azureml://registries/x/models/m",
            "azureml://registries/*"
        ));
        assert!(like("Prod-WEB-01", "prod-*-01"));
        assert!(like("anything", "*"));
        assert!(like("", "*"));
        assert!(!like("", "a*"));
        assert!(like("abc", "a*b*c"));
        assert!(!like("abd", "a*c"));
        assert!(!like("vm-1", "vm-?"));
        assert!(like("vm-?", "vm-?"));
        assert!(like("aaa", "*a"));
        assert!(t(
            Op::NotLike,
            &json!("Microsoft.Compute/vm"),
            &json!("Microsoft.Network/*")
        ));
    }

    #[test]
    fn match_reads_hash_question_mark_and_dot() {
        assert!(pattern_match("vm-01", "vm-##", false));
        assert!(!pattern_match("vm-0a", "vm-##", false));
        assert!(pattern_match("ab-9", "??-#", false));
        assert!(!pattern_match("a1-9", "??-#", false));
        assert!(pattern_match("x.y", "...", false));
        assert!(!pattern_match("VM-01", "vm-##", false));
        assert!(pattern_match("VM-01", "vm-##", true));
        assert!(!pattern_match("vm-001", "vm-##", false));
        assert!(t(Op::NotMatch, &json!("VM-01"), &json!("vm-##")));
        assert!(!t(
            Op::NotMatchInsensitively,
            &json!("VM-01"),
            &json!("vm-##")
        ));
    }

    #[test]
    fn contains_is_a_case_insensitive_substring_test() {
        assert!(t(
            Op::Contains,
            &json!("/subscriptions/ABC/rg"),
            &json!("abc")
        ));
        assert!(t(Op::NotContains, &json!("abc"), &json!("d")));
        assert!(check_rhs(Op::Contains, &json!("a*")).is_err());
        assert!(apply(Op::Contains, Some(&json!(["a"])), &json!("a"), false).is_err());
    }

    #[test]
    fn contains_key_looks_at_object_keys_ignoring_case() {
        let tags = json!({"CostCenter": "1"});
        assert!(t(Op::ContainsKey, &tags, &json!("costcenter")));
        assert!(t(Op::NotContainsKey, &tags, &json!("owner")));
        assert!(apply(Op::ContainsKey, Some(&json!("s")), &json!("k"), false).is_err());
    }

    #[test]
    fn ordering_needs_matching_types() {
        assert!(t(Op::Greater, &json!(11), &json!(10)));
        assert!(!t(Op::Greater, &json!(10), &json!(10)));
        assert!(t(Op::GreaterOrEquals, &json!(10), &json!(10)));
        assert!(t(Op::Less, &json!(1.5), &json!(2)));
        assert!(t(
            Op::LessOrEquals,
            &json!("2024-01-01"),
            &json!("2024-01-01T00:00:00Z")
        ));
        assert!(t(Op::Less, &json!("apple"), &json!("Banana")));
        assert!(apply(Op::Greater, Some(&json!("11")), &json!(10), false).is_err());
        assert!(apply(Op::Less, Some(&json!(true)), &json!(1), false).is_err());
        assert!(check_rhs(Op::Less, &json!([1])).is_err());
    }

    #[test]
    fn exists_takes_a_boolean_or_its_string() {
        assert!(t(Op::Exists, &json!(""), &json!(true)));
        assert!(missing(Op::Exists, &json!("false")));
        assert!(missing(Op::Exists, &json!("FALSE")));
        assert!(!missing(Op::Exists, &json!("true")));
        assert!(apply(Op::Exists, Some(&Value::Null), &json!(false), false).unwrap());
        assert!(check_rhs(Op::Exists, &json!("yes")).is_err());
        assert!(check_rhs(Op::Exists, &json!(1)).is_err());
    }

    #[test]
    fn equals_with_a_list_is_an_error() {
        assert!(check_rhs(Op::Equals, &json!(["a"])).is_err());
        assert!(check_rhs(Op::NotEquals, &json!({})).is_err());
        assert!(check_rhs(Op::Like, &json!(1)).is_err());
    }

    #[test]
    fn locations_are_normalised() {
        assert!(
            apply(
                Op::Equals,
                Some(&json!("eastus2")),
                &json!("East US 2"),
                true
            )
            .unwrap()
        );
        assert!(
            apply(
                Op::In,
                Some(&json!("westeurope")),
                &json!(["West Europe"]),
                true
            )
            .unwrap()
        );
        assert!(
            !apply(
                Op::Equals,
                Some(&json!("eastus2")),
                &json!("East US 2"),
                false
            )
            .unwrap()
        );
    }
}
