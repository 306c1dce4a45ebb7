//! Reading a policy definition file into a checked rule: its shapes and
//! how `[[` reads in each.
//!
//! Accepted shapes: the built-in file (`{properties: {mode, parameters,
//! policyRule}, id, name}`), the ARM-resource envelope of Enterprise-Scale,
//! ALZ Library and ALZ-Bicep (`{name, type, apiVersion?, properties}`), and
//! the bare `{mode?, parameters?, policyRule}`. Enterprise-Scale files are
//! embedded in ARM deployments, so every expression in them is written
//! `[[...]`; [`Escaping::Auto`] recognises such a file (every expression
//! escaped, none plain) and reads `[[` as `[`, as ARM does when it deploys
//! the definition. In the direct form (built-in, ALZ Library, ALZ-Bicep,
//! bare), as in any ARM string, `[[x]` is the literal `[x]` ("ARM template
//! syntax", escape characters); in the template-escaped form that literal
//! is written `[[[x]`. Only what is evaluated is read so: the rule's
//! strings and the effect. Parameter values (`defaultValue`,
//! `allowedValues`, assigned values) are data: Microsoft lists where policy
//! functions are resolved (the policy rule, and the parameter values an
//! initiative passes to its definitions), and a definition's parameters are
//! not among them. So a direct file's `[[` in them stays as written; a
//! template-escaped file's is reduced once, by the deployment.
//!
//! The rule itself is compiled by `compile`; this file finds it in the
//! file, reads the mode and the parameters, and decides the escaping.

use serde_json::{Map, Value};

use super::compile;
use super::effect::check_effect;
use super::expr::{self, StrForm};
use super::functions::get_ci;
use super::ops::describe;
pub use super::options::{Escaping, ReadOptions};
use super::params::read_params;
use super::rule::{Definition, Mode, Tmpl};
use super::{ErrorKind, EvalError, err};

impl Definition {
    /// Reads a definition (any of the accepted shapes) and checks its rule.
    pub fn from_json(def: &Value, escaping: Escaping) -> Result<Definition, EvalError> {
        Definition::from_json_with(def, escaping, ReadOptions::default())
    }

    /// [`Definition::from_json`] with other [`ReadOptions`] (test aids).
    pub fn from_json_with(
        def: &Value,
        escaping: Escaping,
        options: ReadOptions,
    ) -> Result<Definition, EvalError> {
        let Value::Object(top) = def else {
            return Err(err(
                ErrorKind::Definition,
                "",
                format!(
                    "a policy definition is a JSON object, got {}",
                    describe(def)
                ),
            ));
        };
        let body = rule_body(top)?;
        let name = get_ci(top, "name")
            .and_then(Value::as_str)
            .map(str::to_string);
        let display_name = get_ci(body, "displayName")
            .and_then(Value::as_str)
            .map(str::to_string);
        let mode = read_mode(body)?;
        let raw_params = read_parameters(body)?;
        let (raw_if, raw_effect) = if_and_effect(body)?;
        // Only `if`, the effect and the parameters decide the escaping.
        let template_escaped = is_template_escaped(escaping, raw_if, raw_effect, &raw_params)?;
        let (if_json, effect_json, params_json) = if template_escaped {
            (
                unescape(raw_if, "policyRule.if")?,
                unescape(raw_effect, "policyRule.then.effect")?,
                unescape(&raw_params, "parameters")?,
            )
        } else {
            (raw_if.clone(), raw_effect.clone(), raw_params)
        };
        let params = read_params(&params_json)?;
        let (cond, effect) = compile::compile(options, &params, &if_json, &effect_json)?;
        if let Tmpl::Lit(v) = &effect {
            check_effect(v)
                .map_err(|m| err(ErrorKind::Unsupported, "policyRule.then.effect", m))?;
        }
        // `then.details` is resolved only for a matched resource (`details`),
        // but read as it deploys, and its modify operations checked, here.
        let details = match super::details::raw_details(body) {
            Some(d) if template_escaped => Some(unescape(&d, super::details::AT)?),
            other => other,
        };
        if let Some(d) = &details {
            super::details::check_modifiable(options, d)?;
        }
        Ok(Definition {
            cond,
            effect,
            details,
            params,
            mode,
            name,
            display_name,
            template_escaped,
            options,
        })
    }
}

/// The object that holds `policyRule`: the file itself (bare) or its
/// `properties` (built-in, ARM-resource envelope). An initiative is refused.
fn rule_body(top: &Map<String, Value>) -> Result<&Map<String, Value>, EvalError> {
    Ok(if get_ci(top, "policyRule").is_some() {
        top
    } else {
        match get_ci(top, "properties") {
            Some(Value::Object(p)) if get_ci(p, "policyRule").is_some() => p,
            Some(Value::Object(p)) if get_ci(p, "policyDefinitions").is_some() => {
                return Err(err(
                    ErrorKind::Definition,
                    "",
                    "this is a policy set definition (initiative); evaluate its member definitions one by one",
                ));
            }
            _ if get_ci(top, "policyDefinitions").is_some() => {
                return Err(err(
                    ErrorKind::Definition,
                    "",
                    "this is a policy set definition (initiative); evaluate its member definitions one by one",
                ));
            }
            _ => {
                return Err(err(
                    ErrorKind::Definition,
                    "",
                    "not a policy definition: no `policyRule` (expected `{properties: {policyRule, ...}}` or `{policyRule, ...}`)",
                ));
            }
        }
    })
}

/// The definition's mode; a Resource Provider mode is refused.
fn read_mode(body: &Map<String, Value>) -> Result<Mode, EvalError> {
    Ok(match get_ci(body, "mode") {
        // "A null mode is the same as using indexed" ("Azure Policy
        // definition structure basics", mode). A file without `mode` is
        // stored with a null mode by the Azure CLI and with `all` by
        // Azure PowerShell; reading it as `Indexed` never reports a
        // guardrail as applying where Azure may skip the resource.
        None | Some(Value::Null) => Mode::Indexed,
        Some(Value::String(m)) if m.eq_ignore_ascii_case("all") => Mode::All,
        Some(Value::String(m)) if m.eq_ignore_ascii_case("indexed") => Mode::Indexed,
        Some(Value::String(m)) if m.to_ascii_lowercase().starts_with("microsoft.") => {
            return Err(err(
                ErrorKind::Unsupported,
                "mode",
                format!(
                    "mode `{m}` is a Resource Provider mode: it evaluates data-plane payloads, not ARM resource JSON"
                ),
            ));
        }
        Some(other) => {
            return Err(err(
                ErrorKind::Definition,
                "mode",
                format!("unknown mode {} (expected All or Indexed)", describe(other)),
            ));
        }
    })
}

/// The declared parameters as written (an empty object when there are none).
fn read_parameters(body: &Map<String, Value>) -> Result<Value, EvalError> {
    Ok(match get_ci(body, "parameters") {
        None | Some(Value::Null) => Value::Object(Map::new()),
        Some(p @ Value::Object(_)) => p.clone(),
        Some(other) => {
            return Err(err(
                ErrorKind::Definition,
                "parameters",
                format!("`parameters` is an object, got {}", describe(other)),
            ));
        }
    })
}

/// The rule's `if` and its effect (`then.effect`), as written; a rule has
/// `if` and `then` and nothing else.
fn if_and_effect(body: &Map<String, Value>) -> Result<(&Value, &Value), EvalError> {
    let raw_rule = get_ci(body, "policyRule").unwrap_or(&Value::Null);
    let Value::Object(rule_obj) = raw_rule else {
        return Err(err(
            ErrorKind::Definition,
            "policyRule",
            format!("`policyRule` is an object, got {}", describe(raw_rule)),
        ));
    };
    for key in rule_obj.keys() {
        if !key.eq_ignore_ascii_case("if") && !key.eq_ignore_ascii_case("then") {
            return Err(err(
                ErrorKind::Definition,
                "policyRule",
                format!("unknown key `{key}` (a policy rule has `if` and `then`)"),
            ));
        }
    }
    let raw_if = get_ci(rule_obj, "if").ok_or_else(|| {
        err(
            ErrorKind::Definition,
            "policyRule",
            "the policy rule has no `if`",
        )
    })?;
    let raw_effect = match get_ci(rule_obj, "then") {
        Some(Value::Object(then)) => get_ci(then, "effect").ok_or_else(|| {
            err(
                ErrorKind::Definition,
                "policyRule.then",
                "`then` has no `effect`",
            )
        })?,
        _ => {
            return Err(err(
                ErrorKind::Definition,
                "policyRule",
                "the policy rule has no `then` object",
            ));
        }
    };
    Ok((raw_if, raw_effect))
}

/// Whether the file is read as template-escaped: as told, or (`Auto`) as
/// its strings show.
fn is_template_escaped(
    escaping: Escaping,
    raw_if: &Value,
    raw_effect: &Value,
    raw_params: &Value,
) -> Result<bool, EvalError> {
    Ok(match escaping {
        Escaping::Direct => false,
        Escaping::Template => true,
        Escaping::Auto => {
            let mut n = (0usize, 0usize);
            scan_escapes(raw_if, &mut n);
            scan_escapes(raw_effect, &mut n);
            scan_escapes(raw_params, &mut n);
            match n {
                (0, _) => false,
                (_, 0) => true,
                (escaped, plain) => {
                    return Err(err(
                        ErrorKind::Definition,
                        "",
                        format!(
                            "the definition mixes {escaped} `[[...]` (template-escaped) and {plain} `[...]` expression(s); say which it is (Escaping::Template or Escaping::Direct, `--escaping`)"
                        ),
                    ));
                }
            }
        }
    })
}

/// Counts the strings that only a template-escaped file would write
/// (`[[concat(...)]`: ARM deploys it as an expression) and plain `[...]`
/// expressions. A `[[...]` string that reads as a literal either way
/// (`[[[x]`), or whose unescaped form is no expression (`[[x]`, which only
/// the direct reading makes sense of: the literal `[x]`), says nothing.
fn scan_escapes(v: &Value, n: &mut (usize, usize)) {
    match v {
        Value::String(s) => {
            if s.starts_with("[[") && s.ends_with(']') {
                if let StrForm::Expression(src) = expr::classify(&s[1..])
                    && expr::parse(&src).is_ok()
                {
                    n.0 += 1;
                }
            } else if expr::is_expression(s) {
                n.1 += 1;
            }
        }
        Value::Array(a) => a.iter().for_each(|x| scan_escapes(x, n)),
        Value::Object(o) => o.values().for_each(|x| scan_escapes(x, n)),
        _ => {}
    }
}

/// Reads a template-escaped value as ARM deploys it: `[[` → `[`.
fn unescape(v: &Value, at: &str) -> Result<Value, EvalError> {
    Ok(match v {
        Value::String(s) if s.starts_with("[[") && s.ends_with(']') => {
            Value::String(s[1..].to_string())
        }
        Value::String(s) if expr::is_expression(s) => {
            return Err(err(
                ErrorKind::Unsupported,
                at,
                format!(
                    "`{s}` is a plain expression in a template-escaped definition: ARM would evaluate it when deploying the definition, which an offline evaluation cannot do"
                ),
            ));
        }
        Value::Array(a) => Value::Array(
            a.iter()
                .enumerate()
                .map(|(i, x)| unescape(x, &format!("{at}[{i}]")))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, x)| Ok((k.clone(), unescape(x, &format!("{at}.{k}"))?)))
                .collect::<Result<_, EvalError>>()?,
        ),
        other => other.clone(),
    })
}
