//! The Bicep value printer: ARM JSON values (what `azuredeploy.json`
//! holds) and model expressions written as Bicep literals and expressions,
//! appended to one buffer (a model expression prints itself,
//! `Expr::write_bicep`). Both the direct printer and the templates'
//! helpers print every value through here.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Map, Value};

use crate::emit::azure::expr::parse_arm;
use crate::escape::{is_arm_expression, is_bicep_identifier, push_bicep_string, unarm_literal};

/// One level of indentation.
const INDENT: &str = "  ";

/// Appends the indentation of a depth.
pub fn push_pad(out: &mut String, depth: usize) {
    const SPACES: &str = "                                                                ";
    match SPACES.get(..depth * INDENT.len()) {
        Some(p) => out.push_str(p),
        None => {
            for _ in 0..depth {
                out.push_str(INDENT);
            }
        }
    }
}

/// Prints an ARM JSON value as a Bicep value at an indentation depth.
pub fn value(v: &Value, depth: usize) -> Result<String, String> {
    let mut out = String::new();
    write_value(&mut out, v, depth)?;
    Ok(out)
}

/// [`value`] into a buffer (one allocation for a whole tree).
pub fn write_value(out: &mut String, v: &Value, depth: usize) -> Result<(), String> {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        // The ARM text read back, so Bicep says what the ARM JSON says.
        Value::String(s) if is_arm_expression(s) => {
            parse_arm(&s[1..s.len() - 1])?.write_bicep(out);
        }
        Value::String(s) => push_bicep_string(out, unarm_literal(s)),
        Value::Array(items) if items.is_empty() => out.push_str("[]"),
        Value::Array(items) => {
            out.push_str("[\n");
            for item in items {
                push_pad(out, depth + 1);
                write_value(out, item, depth + 1)?;
                out.push('\n');
            }
            push_pad(out, depth);
            out.push(']');
        }
        Value::Object(map) if map.is_empty() => out.push_str("{}"),
        Value::Object(map) => {
            out.push_str("{\n");
            write_members(out, map, depth + 1)?;
            push_pad(out, depth);
            out.push('}');
        }
    }
    Ok(())
}

/// Writes an object key: bare where Bicep allows it, quoted otherwise.
fn write_key(out: &mut String, k: &str) {
    if is_bicep_identifier(k) && !matches!(k, "true" | "false" | "null") {
        out.push_str(k);
    } else {
        push_bicep_string(out, k);
    }
}

/// The members of an object, one `key: value` line each, at a depth.
pub fn members(v: &Value, depth: usize) -> Result<String, String> {
    let Value::Object(map) = v else {
        return Err("expected an object".to_string());
    };
    let mut out = String::new();
    write_members(&mut out, map, depth)?;
    Ok(out)
}

/// [`members`] into a buffer.
pub fn write_members(
    out: &mut String,
    map: &Map<String, Value>,
    depth: usize,
) -> Result<(), String> {
    for (k, item) in map {
        push_pad(out, depth);
        write_key(out, k);
        out.push_str(": ");
        write_value(out, item, depth)?;
        out.push('\n');
    }
    Ok(())
}

/// An object of strings (tags) at a depth, as [`write_value`] prints it
/// as ARM JSON: each value a literal, never an expression.
pub fn write_strings(out: &mut String, map: &BTreeMap<String, String>, depth: usize) {
    if map.is_empty() {
        out.push_str("{}");
        return;
    }
    out.push_str("{\n");
    for (k, v) in map {
        push_pad(out, depth + 1);
        write_key(out, k);
        out.push_str(": ");
        push_bicep_string(out, v);
        out.push('\n');
    }
    push_pad(out, depth);
    out.push('}');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::azure::Expr;
    use serde_json::json;

    #[test]
    fn values_print_as_bicep() {
        let v = json!({
            "a-b": [1, true, null, -2.5],
            "id": "[resourceId('T', 'n')]",
            "lit": "[[not an expression]",
            "s": "it's ${x}",
            "empty": {},
        });
        assert_eq!(
            value(&v, 0).unwrap(),
            "{\n  'a-b': [\n    1\n    true\n    null\n    -2.5\n  ]\n  empty: {}\n  id: resourceId('T', 'n')\n  lit: '[not an expression]'\n  s: 'it\\'s \\${x}'\n}"
        );
    }

    #[test]
    fn expressions_print_as_expr_bicep_does() {
        let id = Expr::call(
            "extensionResourceId",
            vec![Expr::str("/x"), Expr::str("T/u"), Expr::str("n'${y}")],
        );
        let e = Expr::call(
            "if",
            vec![
                Expr::param("firstDeployment"),
                id,
                Expr::call("deployment", Vec::new()).prop("location"),
            ],
        );
        // As the ARM text read back.
        let mut arm = String::new();
        write_value(&mut arm, &json!(e), 0).unwrap();
        assert_eq!(arm, e.bicep());
    }

    #[test]
    fn deep_values_indent_past_the_spaces_at_hand() {
        let mut out = String::new();
        push_pad(&mut out, 40);
        assert_eq!(out, "  ".repeat(40));
    }
}
