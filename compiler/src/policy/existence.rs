//! The existence check of `auditIfNotExists` and `deployIfNotExists`,
//! against related resources the caller gives ("Azure Policy definitions
//! auditIfNotExists effect", "... deployIfNotExists effect"): when `if`
//! matches, Azure looks up the resources of `details.type` (named
//! `details.name` when given) and the effect applies only when none of
//! them satisfies `details.existenceCondition` (without one, when none
//! exists).
//!
//! The lookup itself (`existenceScope`, `resourceGroupName`, the
//! subscription) is the caller's: the related resources given are the ones
//! it found. A given resource whose own `type` is not `details.type`, or
//! whose `name` is not `details.name`, is not one of them and is skipped;
//! one that carries no `type` or `name` is taken as found by the lookup
//! (of `details.type`, which its aliases then read).
//! In the existence condition, `field` conditions read the related
//! resource, and the `field()` function (like `resourceGroup()`,
//! `subscription()` and `requestContext()`) the resource the rule
//! evaluated, as documented.

use serde_json::{Map, Value};

use super::compile::compile_cond;
use super::details::AT;
pub use super::effect::Existence;
use super::eval::{Context, Env, Verdict};
use super::functions::get_ci;
use super::ops::describe;
use super::rule::Definition;
use super::{ErrorKind, EvalError};

impl Definition {
    /// [`Definition::evaluate`], then, when `if` matched and the effect is
    /// `auditIfNotExists` or `deployIfNotExists`, the existence check
    /// against `related` (the resources Azure's lookup would find; empty:
    /// none found), recorded in [`Verdict::existence`]:
    /// [`Verdict::applies`] tells whether the effect applies. For any
    /// other effect, or when `if` did not match, the verdict is
    /// [`Definition::evaluate`]'s.
    pub fn evaluate_related(
        &self,
        parameters: &Map<String, Value>,
        resource: &Value,
        context: &Context,
        related: &[Value],
    ) -> Result<Verdict, EvalError> {
        let mut verdict = self.evaluate(parameters, resource, context)?;
        if !verdict.needs_existence_check() {
            return Ok(verdict);
        }
        let details = match &verdict.details {
            Some(Value::Object(d)) => d.clone(),
            other => {
                return Err(EvalError::new(
                    ErrorKind::Definition,
                    AT,
                    format!(
                        "{} needs `details` with the related resource's `type`, got {}",
                        verdict.kind.name(),
                        other.as_ref().map_or("none".to_string(), describe)
                    ),
                ));
            }
        };
        let ty = member_str(&details, "type")?.ok_or_else(|| {
            EvalError::new(
                ErrorKind::Definition,
                AT,
                format!("{} needs `details.type`", verdict.kind.name()),
            )
        })?;
        let name = member_str(&details, "name")?;
        let stored = self.details.as_ref().and_then(Value::as_object);
        let cond = match stored.and_then(|d| get_ci(d, "existenceCondition")) {
            None | Some(Value::Null) => None,
            Some(c) => Some(compile_cond(
                self.options,
                &self.params,
                c,
                &format!("{AT}.existenceCondition"),
            )?),
        };
        let env = Env::new(self, parameters, resource, context);
        let mut candidates = 0;
        let mut satisfied_by = None;
        for (i, r) in related.iter().enumerate() {
            if !r.is_object() {
                return Err(EvalError::new(
                    ErrorKind::Resource,
                    "",
                    format!("related resource {i} is {}, not a JSON object", describe(r)),
                ));
            }
            if !is_candidate(r, &ty, name.as_deref()) {
                continue;
            }
            candidates += 1;
            let typed = with_type(r, &ty);
            let holds = match &cond {
                None => true,
                Some(c) => env.related(typed.as_ref().unwrap_or(r)).cond(c)?,
            };
            if holds {
                satisfied_by = Some(i);
                break;
            }
        }
        verdict.existence = Some(Existence {
            candidates,
            satisfied_by,
        });
        Ok(verdict)
    }
}

/// A resolved string member of the details (`type`, `name`).
fn member_str(details: &Map<String, Value>, key: &str) -> Result<Option<String>, EvalError> {
    match get_ci(details, key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(EvalError::new(
            ErrorKind::Evaluation,
            &format!("{AT}.{key}"),
            format!("`details.{key}` is a string, got {}", describe(other)),
        )),
    }
}

/// A related resource that carries no `type`, with the type the lookup
/// found it by (aliases of that type read it); `None` when it has one.
fn with_type(r: &Value, ty: &str) -> Option<Value> {
    let Value::Object(o) = r else {
        return None;
    };
    if get_ci(o, "type").is_some() {
        return None;
    }
    let mut o = o.clone();
    o.insert("type".into(), Value::String(ty.to_string()));
    Some(Value::Object(o))
}

/// Whether a given related resource is one the lookup of `ty` (and `name`)
/// finds: its own `type` and `name`, when it carries them, must agree. A
/// child resource's `name` may be its full name (`server/default`).
fn is_candidate(r: &Value, ty: &str, name: Option<&str>) -> bool {
    let Value::Object(o) = r else {
        return false;
    };
    let own = |k: &str| get_ci(o, k).and_then(Value::as_str);
    if own("type").is_some_and(|t| !t.eq_ignore_ascii_case(ty)) {
        return false;
    }
    match (name, own("name")) {
        (Some(want), Some(got)) => {
            got.eq_ignore_ascii_case(want)
                || got
                    .rsplit('/')
                    .next()
                    .is_some_and(|last| last.eq_ignore_ascii_case(want))
        }
        _ => true,
    }
}
