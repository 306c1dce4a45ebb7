//! Evaluating ARM template expressions offline, for the template reader.
//! Parsing is the policy module's (`crate::policy::expr::parse`), and the
//! pure functions (`concat`, `format`, `toLower`, ...) are
//! `crate::policy::functions::call_values`; here are the functions that
//! read the deployment: `parameters`, `variables`, `resourceId`,
//! `subscriptionResourceId`, `extensionResourceId`, `tenantResourceId`,
//! `managementGroupResourceId`, `subscription`, `resourceGroup`,
//! `deployment`, `reference`, `guid`, `uniqueString`, `copyIndex`, as
//! "Resource functions" / "Scope functions" / "Deployment functions" /
//! "String functions" of the ARM template function reference define them.
//!
//! What only Azure knows is never an error: `reference(...)`, `list*()`,
//! `utcNow()`, `newGuid()`, `subscription().tenantId`,
//! `resourceGroup().location` and whatever is computed from them read as
//! the string `"<unknown: EXPRESSION>"` ([`is_unknown`]), so later phases
//! know the value is not Azure's. `guid()` and `uniqueString()` are
//! deterministic stand-ins (Azure's hash is not documented): a
//! stand-in GUID has `0` as its version and variant digits
//! ([`is_stand_in_guid`]), which no GUID Azure makes has.

use std::fmt::Write as _;

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::ids;
use crate::policy::expr::{self, Expr, StrForm};
use crate::policy::functions;

/// The start of every unknown value.
pub const UNKNOWN_PREFIX: &str = "<unknown";
/// Deepest chain of `parameters`/`variables` evaluations (a variable that
/// names itself stops here).
const MAX_DEPTH: usize = 32;

/// Whether a string is a value only Azure knows.
#[must_use]
pub fn is_unknown(s: &str) -> bool {
    s.starts_with(UNKNOWN_PREFIX)
}

/// The unknown value of an expression.
#[must_use]
pub fn unknown(expr: &str) -> String {
    format!("{UNKNOWN_PREFIX}: {expr}>")
}

/// The unknown value inside an evaluation, before it gets its expression.
const BARE: &str = "<unknown>";

fn unknown_v() -> Value {
    Value::String(BARE.to_string())
}

fn has_unknown(v: &Value) -> bool {
    v.as_str().is_some_and(is_unknown)
}

/// Whether a GUID is amlgen's stand-in for a template's `guid(...)`.
#[must_use]
pub fn is_stand_in_guid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36 && b.get(14) == Some(&b'0') && b.get(19) == Some(&b'0')
}

/// One deployment's evaluation context.
#[derive(Clone, Debug)]
pub struct Ctx {
    /// Parameter values given by the parent deployment (already evaluated).
    given: Map<String, Value>,
    /// The template's parameter declarations (for `defaultValue`).
    declared: Map<String, Value>,
    variables: Map<String, Value>,
    sub: String,
    rg: Option<String>,
    deployment: String,
    copy: Option<(String, i64)>,
}

impl Ctx {
    #[must_use]
    pub fn new(
        template: &Map<String, Value>,
        given: Map<String, Value>,
        sub: String,
        rg: Option<String>,
        deployment: String,
    ) -> Self {
        let obj = |k: &str| {
            template
                .get(k)
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default()
        };
        Self {
            given,
            declared: obj("parameters"),
            variables: obj("variables"),
            sub,
            rg,
            deployment,
            copy: None,
        }
    }

    /// The same parameters and variables, deployed elsewhere (a nested
    /// deployment with `outer` evaluation scope).
    #[must_use]
    pub fn retarget(&self, sub: String, rg: Option<String>, deployment: String) -> Self {
        Self {
            sub,
            rg,
            deployment,
            ..self.clone()
        }
    }

    /// The same, inside a `copy` loop at index `i`.
    #[must_use]
    pub fn with_copy(&self, name: &str, i: i64) -> Self {
        Self {
            copy: Some((name.to_string(), i)),
            ..self.clone()
        }
    }

    #[must_use]
    pub fn sub(&self) -> &str {
        &self.sub
    }

    #[must_use]
    pub fn rg(&self) -> Option<&str> {
        self.rg.as_deref()
    }

    /// Evaluates a JSON value: its expression strings, in objects and
    /// arrays too. A failure is pushed to `errs` and reads as unknown.
    pub fn eval(&self, v: &Value, errs: &mut Vec<String>) -> Value {
        self.eval_at(v, errs, 0)
    }

    fn eval_at(&self, v: &Value, errs: &mut Vec<String>, depth: usize) -> Value {
        match v {
            Value::String(s) => match expr::classify(s) {
                StrForm::Literal(l) => Value::String(l),
                StrForm::Expression(e) => match self.eval_text(&e, depth) {
                    // A value passed down already marked keeps its own
                    // expression; one computed from it gets this one.
                    Ok(v) if v.as_str() == Some(BARE) => Value::String(unknown(s)),
                    Ok(v) => v,
                    Err(why) => {
                        errs.push(format!("`{s}`: {why}"));
                        Value::String(unknown(s))
                    }
                },
            },
            Value::Array(a) => {
                Value::Array(a.iter().map(|x| self.eval_at(x, errs, depth)).collect())
            }
            Value::Object(o) => Value::Object(
                o.iter()
                    .map(|(k, x)| (k.clone(), self.eval_at(x, errs, depth)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    fn eval_text(&self, text: &str, depth: usize) -> Result<Value, String> {
        if depth > MAX_DEPTH {
            return Err(format!(
                "parameters and variables nested more than {MAX_DEPTH} deep (one names itself?)"
            ));
        }
        let e = expr::parse(text)?;
        self.expr(&e, depth)
    }

    fn expr(&self, e: &Expr, depth: usize) -> Result<Value, String> {
        match e {
            Expr::Str(s) => Ok(Value::String(s.clone())),
            Expr::Int(n) => Ok(json!(n)),
            Expr::Bool(b) => Ok(Value::Bool(*b)),
            Expr::Null => Ok(Value::Null),
            Expr::Member(b, name) => {
                let v = self.expr(b, depth)?;
                if has_unknown(&v) {
                    return Ok(v);
                }
                functions::member(&v, name).cloned()
            }
            Expr::Index(b, i) => {
                let v = self.expr(b, depth)?;
                let i = self.expr(i, depth)?;
                if has_unknown(&v) || has_unknown(&i) {
                    return Ok(unknown_v());
                }
                functions::index(&v, &i).cloned()
            }
            Expr::Call(name, args) => self.call(name, args, depth),
        }
    }

    fn call(&self, name: &str, args: &[Expr], depth: usize) -> Result<Value, String> {
        let lname = name.to_ascii_lowercase();
        // Lazy: only the branch taken is evaluated.
        if let (true, [cond, yes, no]) = (lname == "if", args) {
            let c = self.expr(cond, depth)?;
            if has_unknown(&c) {
                return Ok(unknown_v());
            }
            let branch = if functions::as_bool(&c, "if")? {
                yes
            } else {
                no
            };
            return self.expr(branch, depth);
        }
        if matches!(
            lname.as_str(),
            "reference"
                | "utcnow"
                | "newguid"
                | "environment"
                | "tenant"
                | "managementgroup"
                | "pickzones"
        ) || lname.starts_with("list")
        {
            return Ok(unknown_v());
        }
        let vals = args
            .iter()
            .map(|a| self.expr(a, depth))
            .collect::<Result<Vec<_>, _>>()?;
        // A stand-in hash of an unknown value is still a stand-in (and
        // marked as one): a role assignment named `guid(..., principalId)`
        // keeps its name when the principal is only known to Azure.
        if vals.iter().any(has_unknown) && !matches!(lname.as_str(), "guid" | "uniquestring") {
            return Ok(unknown_v());
        }
        let str_arg = |i: usize| -> Result<String, String> {
            vals.get(i)
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| format!("`{name}()` takes a string as argument {}", i + 1))
        };
        match lname.as_str() {
            "parameters" => self.parameter(&str_arg(0)?, depth),
            "variables" => {
                let n = str_arg(0)?;
                let raw = functions::get_ci(&self.variables, &n)
                    .ok_or_else(|| format!("the template has no variable `{n}`"))?;
                let mut errs = Vec::new();
                let v = self.eval_at(raw, &mut errs, depth + 1);
                errs.into_iter().next().map_or(Ok(v), Err)
            }
            "resourceid" => self.resource_id_fn(&vals),
            "subscriptionresourceid" => {
                let (sub, rest) = split_scope_args(&vals, 1)?;
                let sub = sub.first().cloned().unwrap_or_else(|| self.sub.clone());
                Ok(Value::String(format!(
                    "/subscriptions/{sub}{}",
                    tail(&rest)?
                )))
            }
            "tenantresourceid" => Ok(Value::String(tail(&strings(&vals)?)?)),
            "extensionresourceid" => {
                let all = strings(&vals)?;
                let (base, rest) = all
                    .split_first()
                    .ok_or("`extensionResourceId()` takes a resource id")?;
                Ok(Value::String(format!(
                    "{}{}",
                    base.trim_end_matches('/'),
                    tail(rest)?
                )))
            }
            "managementgroupresourceid" => {
                let (mg, rest) = split_scope_args(&vals, 1)?;
                let mg = mg
                    .first()
                    .cloned()
                    .unwrap_or_else(|| "managementGroup".into());
                Ok(Value::String(format!(
                    "/providers/Microsoft.Management/managementGroups/{mg}{}",
                    tail(&rest)?
                )))
            }
            "subscription" => Ok(json!({
                "id": format!("/subscriptions/{}", self.sub),
                "subscriptionId": self.sub,
                "tenantId": unknown("subscription().tenantId"),
                "displayName": unknown("subscription().displayName"),
            })),
            "resourcegroup" => {
                let rg = self
                    .rg
                    .as_deref()
                    .ok_or("`resourceGroup()` in a deployment at subscription level")?;
                Ok(json!({
                    "id": format!("/subscriptions/{}/resourceGroups/{rg}", self.sub),
                    "name": rg,
                    "type": "Microsoft.Resources/resourceGroups",
                    "location": unknown("resourceGroup().location"),
                    "properties": { "provisioningState": "Succeeded" },
                }))
            }
            "deployment" => Ok(json!({ "name": self.deployment, "properties": {} })),
            "guid" => Ok(Value::String(stand_in_guid(&strings(&vals)?))),
            "uniquestring" => Ok(Value::String(stand_in_unique(&strings(&vals)?))),
            "copyindex" => self.copy_index(&vals),
            _ => functions::call_values(name, &vals),
        }
    }

    fn parameter(&self, n: &str, depth: usize) -> Result<Value, String> {
        if let Some(v) = functions::get_ci(&self.given, n) {
            return Ok(v.clone());
        }
        let decl = functions::get_ci(&self.declared, n)
            .ok_or_else(|| format!("the template has no parameter `{n}`"))?;
        let default = decl.get("defaultValue").ok_or_else(|| {
            format!("parameter `{n}` has no value: no `defaultValue`, and no deployment passes one")
        })?;
        let mut errs = Vec::new();
        let v = self.eval_at(default, &mut errs, depth + 1);
        errs.into_iter().next().map_or(Ok(v), Err)
    }

    /// `resourceId([subscriptionId], [resourceGroupName], resourceType,
    /// resourceName1, ...)`: the type is the first argument with a `/`.
    fn resource_id_fn(&self, vals: &[Value]) -> Result<Value, String> {
        let all = strings(vals)?;
        let at = all
            .iter()
            .position(|s| s.contains('/'))
            .ok_or("`resourceId()` has no resource type argument (one with a `/`)")?;
        let (scope, rest) = all.split_at(at);
        let (sub, rg) = match scope {
            [] => (self.sub.clone(), self.rg.clone()),
            [rg] => (self.sub.clone(), Some(rg.clone())),
            [sub, rg] => (sub.clone(), Some(rg.clone())),
            _ => {
                return Err(
                    "`resourceId()` takes at most a subscription and a group before the type"
                        .into(),
                );
            }
        };
        let rg = rg
            .ok_or("`resourceId()` with no resource group in a deployment at subscription level")?;
        Ok(Value::String(format!(
            "/subscriptions/{sub}/resourceGroups/{rg}{}",
            tail(rest)?
        )))
    }

    fn copy_index(&self, vals: &[Value]) -> Result<Value, String> {
        let (loop_name, i) = self
            .copy
            .as_ref()
            .ok_or("`copyIndex()` outside a `copy` loop")?;
        let offset = match vals {
            [] => 0,
            [Value::Number(n)] | [Value::String(_), Value::Number(n)] => n.as_i64().unwrap_or(0),
            [Value::String(name)] => {
                if !name.eq_ignore_ascii_case(loop_name) {
                    return Err(format!("`copyIndex('{name}')` names no loop around it"));
                }
                0
            }
            _ => return Err("`copyIndex()` takes a loop name and/or an offset".into()),
        };
        Ok(json!(i + offset))
    }
}

/// Every argument as a string.
fn strings(vals: &[Value]) -> Result<Vec<String>, String> {
    vals.iter()
        .map(|v| {
            v.as_str()
                .map(str::to_string)
                .ok_or_else(|| format!("expected a string argument, got {v}"))
        })
        .collect()
}

/// For the `*ResourceId` functions: up to `max` scope arguments before the
/// first argument with a `/` (the type).
fn split_scope_args(vals: &[Value], max: usize) -> Result<(Vec<String>, Vec<String>), String> {
    let all = strings(vals)?;
    let at = all
        .iter()
        .position(|s| s.contains('/'))
        .ok_or("no resource type argument (one with a `/`)")?;
    if at > max {
        return Err("too many arguments before the resource type".into());
    }
    let (a, b) = all.split_at(at);
    Ok((a.to_vec(), b.to_vec()))
}

/// `/providers/...` of a type and its name segments.
fn tail(type_and_names: &[String]) -> Result<String, String> {
    let (ty, names) = type_and_names
        .split_first()
        .ok_or("no resource type argument")?;
    ids::provider_tail(ty, &names.join("/")).ok_or_else(|| {
        format!(
            "type `{ty}` needs one name per type segment, got {} name(s)",
            names.len()
        )
    })
}

/// A deterministic GUID from the arguments (SHA-256 of them), with `0` as
/// version and variant digits so it is never taken for Azure's.
fn stand_in_guid(parts: &[String]) -> String {
    let h = Sha256::digest(parts.join("\u{0}").as_bytes());
    let hex = h.iter().take(16).fold(String::new(), |mut acc, b| {
        let _ = write!(acc, "{b:02x}");
        acc
    });
    let (a, rest) = hex.split_at(8);
    let (b, rest) = rest.split_at(4);
    let (c, rest) = rest.split_at(4);
    let (d, e) = rest.split_at(4);
    let rest = |s: &str| s.chars().skip(1).collect::<String>();
    format!("{a}-{b}-0{}-0{}-{e}", rest(c), rest(d))
}

/// A deterministic 13-character stand-in for `uniqueString(...)` (Azure's
/// is a 13-character base-32 hash, lowercase).
fn stand_in_unique(parts: &[String]) -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let h = Sha256::digest(parts.join("\u{0}").as_bytes());
    h.iter()
        .take(13)
        .map(|b| char::from(ALPHABET[usize::from(b % 32)]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Ctx {
        let t: Map<String, Value> = serde_json::from_value(json!({
            "parameters": { "n": { "type": "string", "defaultValue": "[concat('st', variables('v'))]" } },
            "variables": { "v": "x" }
        }))
        .unwrap();
        Ctx::new(&t, Map::new(), "s".into(), Some("rg".into()), "d".into())
    }

    #[test]
    fn evaluates_ids_parameters_and_unknowns() {
        let c = ctx();
        let mut errs = Vec::new();
        let v = c.eval(
            &json!("[resourceId('Microsoft.Storage/storageAccounts', parameters('n'))]"),
            &mut errs,
        );
        assert_eq!(
            v,
            json!(
                "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/stx"
            )
        );
        let v = c.eval(&json!("[reference('x').identity.principalId]"), &mut errs);
        assert_eq!(v, json!("<unknown: [reference('x').identity.principalId]>"));
        let g = c.eval(&json!("[guid('a', 'b')]"), &mut errs);
        assert!(is_stand_in_guid(g.as_str().unwrap()), "{g}");
        assert_eq!(
            c.eval(&json!("[subscription().subscriptionId]"), &mut errs),
            json!("s")
        );
        assert!(errs.is_empty(), "{errs:?}");
        let v = c.eval(&json!("[parameters('nope')]"), &mut errs);
        assert!(is_unknown(v.as_str().unwrap()));
        assert_eq!(errs.len(), 1);
    }
}
