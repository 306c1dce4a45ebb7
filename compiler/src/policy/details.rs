//! A matched rule's `then.details`, resolved against the resource and the
//! assignment's parameters: what Azure documents for each effect ("Azure
//! Policy definitions modify effect", "... append effect", "... denyAction
//! effect", "... auditIfNotExists effect", "... deployIfNotExists
//! effect"): modify's `roleDefinitionIds`, `conflictEffect` and
//! `operations`, append's list of `field`/`value` pairs, denyAction's
//! `actionNames` and `cascadeBehaviors`, the existence check's `type`,
//! `name`, `resourceGroupName`, `roleDefinitionIds` and so on. Every
//! template expression in them is evaluated, as Azure does when it applies
//! the effect (the documented examples compute a modify or append `field`
//! as `[concat('tags[', parameters('tagName'), ']')]`), except what Azure
//! evaluates elsewhere, which is reported as written:
//! - `existenceCondition`: a condition over the related resources, which
//!   `existence` evaluates when it is given them;
//! - `deployment`: the template deployIfNotExists deploys, whose
//!   expressions are the deployment's own (`[parameters('x')]` names a
//!   template parameter) and whose parameter values Azure resolves at
//!   remediation;
//! - a modify operation's `condition`: it decides whether Azure applies
//!   that operation, at the request or later at remediation, where the
//!   request context (`requestContext().apiVersion`) differs.
//!
//! The details are read when the rule matches, not when the definition is
//! read: a definition whose details use what this evaluator refuses still
//! evaluates resources it does not match, and fails (an error, never
//! silently) on one it does.

use serde_json::{Map, Value};

use super::compile::compile_value_at;
use super::eval::Env;
use super::expr;
use super::field::{Field, parse_field};
use super::functions::get_ci;
use super::options::ReadOptions;
use super::rule::Definition;
use super::{ErrorKind, EvalError, err};

/// Where the details are in a definition.
pub(super) const AT: &str = "policyRule.then.details";

/// `then.details` as written, from the object that holds `policyRule`.
pub(super) fn raw_details(body: &Map<String, Value>) -> Option<Value> {
    let Some(Value::Object(rule)) = get_ci(body, "policyRule") else {
        return None;
    };
    let Some(Value::Object(then)) = get_ci(rule, "then") else {
        return None;
    };
    get_ci(then, "details").filter(|d| !d.is_null()).cloned()
}

/// A modify operation may only change what a `Modifiable` alias points to
/// ("AliasPathAttributes", Modifiable: "modifiable by policies with
/// 'modify' effect"): an operation whose `field` names an alias the table
/// marks not modifiable is refused when the definition is read. An alias
/// whose attributes the table does not record (amlgen's vendored table
/// records none), a tag, a built-in field and a computed `field` are not
/// checked here.
pub(super) fn check_modifiable(options: ReadOptions, details: &Value) -> Result<(), EvalError> {
    let Some(Value::Array(ops)) = details.as_object().and_then(|d| get_ci(d, "operations")) else {
        return Ok(());
    };
    for (i, op) in ops.iter().enumerate() {
        let Some(Value::String(f)) = op.as_object().and_then(|o| get_ci(o, "field")) else {
            continue;
        };
        if f.starts_with('[') || expr::is_expression(f) {
            continue;
        }
        if let Ok(Field::Alias(a)) = parse_field(options, f)
            && a.modifiable == Some(false)
        {
            return Err(err(
                ErrorKind::Definition,
                &format!("{AT}.operations[{i}].field"),
                format!(
                    "`{}` is not a Modifiable alias: a modify operation cannot change it",
                    a.name
                ),
            ));
        }
    }
    Ok(())
}

/// Where a value sits in the details, for what is kept as written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    /// `details` itself.
    Top,
    /// Modify's `operations` array.
    Operations,
    /// One modify operation.
    Operation,
    /// Anything deeper.
    Other,
}

impl Definition {
    /// The details resolved in `env` (the matched resource), or `None`
    /// when the rule has none.
    pub(super) fn resolve_details(&self, env: &mut Env) -> Result<Option<Value>, EvalError> {
        let Some(d) = &self.details else {
            return Ok(None);
        };
        self.resolve(env, d, AT, Level::Top).map(Some)
    }

    fn resolve(
        &self,
        env: &mut Env,
        v: &Value,
        at: &str,
        level: Level,
    ) -> Result<Value, EvalError> {
        Ok(match v {
            Value::String(_) => {
                let t = compile_value_at(self.options, &self.params, v, at)?;
                env.tmpl(&t, at)?
            }
            Value::Array(items) => {
                let inner = if level == Level::Operations {
                    Level::Operation
                } else {
                    Level::Other
                };
                Value::Array(
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, x)| self.resolve(env, x, &format!("{at}[{i}]"), inner))
                        .collect::<Result<_, _>>()?,
                )
            }
            Value::Object(o) => {
                let mut out = Map::new();
                for (k, x) in o {
                    let is = |name: &str| k.eq_ignore_ascii_case(name);
                    let kept = match level {
                        Level::Top => is("existenceCondition") || is("deployment"),
                        Level::Operation => is("condition"),
                        Level::Operations | Level::Other => false,
                    };
                    let inner = if level == Level::Top && is("operations") {
                        Level::Operations
                    } else {
                        Level::Other
                    };
                    let value = if kept {
                        x.clone()
                    } else {
                        self.resolve(env, x, &format!("{at}.{k}"), inner)?
                    };
                    out.insert(k.clone(), value);
                }
                Value::Object(out)
            }
            other => other.clone(),
        })
    }
}
