//! Applies Azure's runtime-rule table (`amlgen::catalog::limits`) to
//! emitted files: every resource of an ARM template, nested deployments'
//! inline templates included, and the policy-native definition,
//! initiative and assignment files. Values come from the JSON: a
//! `[parameters('x')]` is followed to the value the parent deployment
//! passes (or the parameter's default); any other ARM expression is
//! evaluated by Azure at deploy time (a `guid(...)` role assignment name)
//! and is not judged as a literal.

#![allow(dead_code)]

use std::collections::BTreeMap;

use amlgen::catalog::limits::{self, Applies, RuntimeRule};
use amlgen::emit::escape::{is_arm_expression, unarm_literal};
use serde_json::Value;

/// A value found at a rule's property.
enum Found {
    Value(Value),
    Key(String),
    /// An ARM expression Azure evaluates; not judged.
    Expr,
}

type Params = BTreeMap<String, Value>;

/// Follows `[parameters('x')]`; other expressions stay as they are.
fn resolve(v: &Value, params: &Params) -> Result<Value, ()> {
    match v {
        Value::String(s) if is_arm_expression(s) => {
            let inner = s.trim_start_matches('[').trim_end_matches(']');
            let name = inner
                .strip_prefix("parameters('")
                .and_then(|r| r.strip_suffix("')"));
            match name.and_then(|n| params.get(n)) {
                Some(p) => Ok(p.clone()),
                None => Err(()),
            }
        }
        Value::String(s) => Ok(Value::String(unarm_literal(s).to_string())),
        other => Ok(other.clone()),
    }
}

fn select(root: &Value, path: &str, params: &Params) -> Vec<Found> {
    let mut cur = vec![Found::Value(root.clone())];
    for seg in path.split('.') {
        let mut next = Vec::new();
        for f in cur {
            let Found::Value(v) = f else {
                next.push(f);
                continue;
            };
            if seg == "*" {
                if let Some(m) = v.as_object() {
                    for x in m.values() {
                        next.push(resolve(x, params).map_or(Found::Expr, Found::Value));
                    }
                }
                continue;
            }
            let (name, suffix) = if let Some(n) = seg.strip_suffix("[*]") {
                (n, "[*]")
            } else if let Some(n) = seg.strip_suffix("{}") {
                (n, "{}")
            } else {
                (seg, "")
            };
            let Some(child) = v.get(name) else { continue };
            let Ok(child) = resolve(child, params) else {
                next.push(Found::Expr);
                continue;
            };
            match suffix {
                "[*]" => {
                    for x in child.as_array().into_iter().flatten() {
                        next.push(resolve(x, params).map_or(Found::Expr, Found::Value));
                    }
                }
                "{}" => {
                    for k in child.as_object().into_iter().flat_map(|m| m.keys()) {
                        next.push(Found::Key(k.clone()));
                    }
                }
                _ => next.push(Found::Value(child)),
            }
        }
        cur = next;
    }
    cur
}

fn applies(rule: &RuntimeRule, resource: &Value, params: &Params, at_mg: bool) -> bool {
    let compute_type = || {
        resource
            .pointer("/properties/computeType")
            .and_then(|v| resolve(v, params).ok())
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    };
    match rule.applies {
        Applies::Always => true,
        Applies::AtManagementGroup => at_mg,
        Applies::ComputeType(t) => compute_type() == t,
        Applies::OtherComputeTypes(ts) => !ts.contains(&compute_type().as_str()),
    }
}

/// Every broken row for one resource, as `type name: property = value: what (rule; source)`.
fn check_resource(ty: &str, resource: &Value, params: &Params, at_mg: bool, out: &mut Vec<String>) {
    let shown = resource
        .get("name")
        .map_or_else(String::new, ToString::to_string);
    for rule in limits::rules_for(ty) {
        if !applies(rule, resource, params, at_mg) {
            continue;
        }
        for found in select(resource, rule.property, params) {
            let verdict = match &found {
                Found::Key(k) => rule.check(k).map_err(|e| (k.clone(), e)),
                Found::Value(v) if rule.is_map_rule() => {
                    let Some(m) = v.as_object() else { continue };
                    let keys: Vec<&str> = m.keys().map(String::as_str).collect();
                    rule.check_keys(&keys).map_err(|e| (format!("{keys:?}"), e))
                }
                Found::Value(Value::String(s)) => {
                    let s = if rule.property == "name" {
                        s.rsplit('/').next().unwrap_or_default().to_string()
                    } else {
                        s.clone()
                    };
                    rule.check(&s).map_err(|e| (s, e))
                }
                Found::Expr | Found::Value(_) => continue,
            };
            if let Err((value, what)) = verdict {
                out.push(format!(
                    "{ty} {shown}: {} = {value:?}: {what} (rule {}; source: {})",
                    rule.property, rule.id, rule.source
                ));
            }
        }
    }
}

fn is_mg_template(template: &Value) -> bool {
    template["$schema"]
        .as_str()
        .is_some_and(|s| s.contains("managementGroupDeploymentTemplate"))
}

/// Walks one template, with the parameter values its deployment passes.
fn walk(template: &Value, passed: &Params, out: &mut Vec<String>) {
    let mut params = Params::new();
    if let Some(m) = template["parameters"].as_object() {
        for (k, p) in m {
            if let Some(v) = passed.get(k).or_else(|| p.get("defaultValue")) {
                params.insert(k.clone(), v.clone());
            }
        }
    }
    let at_mg = is_mg_template(template);
    for r in template["resources"].as_array().into_iter().flatten() {
        let ty = r["type"].as_str().unwrap_or_default();
        check_resource(ty, r, &params, at_mg, out);
        if ty.eq_ignore_ascii_case("Microsoft.Resources/deployments") {
            let mut inner = Params::new();
            if let Some(m) = r
                .pointer("/properties/parameters")
                .and_then(Value::as_object)
            {
                for (k, v) in m {
                    if let Ok(v) = resolve(&v["value"], &params) {
                        inner.insert(k.clone(), v);
                    }
                }
            }
            if let Some(t) = r.pointer("/properties/template") {
                walk(t, &inner, out);
            }
        }
    }
}

/// Every runtime rule broken by the emitted files (path → text).
#[must_use]
pub fn violations(files: &BTreeMap<String, String>) -> Vec<String> {
    let mut out = Vec::new();
    for (path, text) in files {
        if !std::path::Path::new(path)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json") || e.eq_ignore_ascii_case("jsonc"))
        {
            continue;
        }
        let Ok(json) = serde_json::from_str::<Value>(text) else {
            out.push(format!("{path}: not JSON"));
            continue;
        };
        let mut found = Vec::new();
        if json.get("resources").is_some() {
            walk(&json, &Params::new(), &mut found);
        } else if let Some(ty) = policy_file_type(path) {
            let at_mg = files
                .get(&format!("{}/azuredeploy.json", policy_dir(path)))
                .and_then(|t| serde_json::from_str::<Value>(t).ok())
                .is_some_and(|t| is_mg_template(&t));
            check_resource(ty, &as_resource(&json), &Params::new(), at_mg, &mut found);
        }
        out.extend(found.into_iter().map(|f| format!("{path}: {f}")));
    }
    out
}

/// The resource type a policy-native file holds, by its place in
/// `policies/<name>/` (plain or Enterprise Policy as Code layout).
fn policy_file_type(path: &str) -> Option<&'static str> {
    if !path.starts_with("policies/") {
        return None;
    }
    if path.contains("/definitions/") || path.contains("/policyDefinitions/") {
        Some("Microsoft.Authorization/policyDefinitions")
    } else if path.ends_with("/initiative.json") || path.contains("/policySetDefinitions/") {
        Some("Microsoft.Authorization/policySetDefinitions")
    } else if path.ends_with("/assignment.json") || path.contains("/policyAssignments/") {
        Some("Microsoft.Authorization/policyAssignments")
    } else {
        None
    }
}

/// The directory of a policy block's files (`policies/<name>`).
fn policy_dir(path: &str) -> &str {
    let mut parts = path.splitn(3, '/');
    let (Some(a), Some(b)) = (parts.next(), parts.next()) else {
        return "";
    };
    &path[..a.len() + 1 + b.len()]
}

/// An EPAC assignment file keeps its name, display name and description
/// under `assignment`: judge them as an assignment's `name` and `properties`.
fn as_resource(json: &Value) -> Value {
    match json.get("assignment") {
        Some(a) => serde_json::json!({
            "name": a["name"],
            "properties": { "displayName": a["displayName"], "description": a["description"] },
        }),
        None => json.clone(),
    }
}
