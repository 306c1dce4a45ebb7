//! The deployment order: Terraform applies a resource after everything it
//! references or names in `depends_on`; ARM deploys a nested deployment
//! (a Bicep module) after the ones its `dependsOn` names. Every resource of
//! a module must come, in Terraform, after every resource of each module
//! that module depends on (a workspace's final settings after its role
//! assignments, role assignments after the private endpoints they scope to).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::canon::child_id;
use super::{ArmResource, Ctx, Module, arm_canonical_by_module, final_phases};

/// The top-level nested deployments of a template and the names of the
/// deployments each depends on.
fn module_dependencies(template: &Value) -> BTreeMap<String, BTreeSet<String>> {
    let mut out = BTreeMap::new();
    let resources: Vec<&Value> = match template.get("resources") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(Value::Object(map)) => map.values().collect(),
        _ => Vec::new(),
    };
    for r in resources {
        let Some(name) = r.get("name").and_then(Value::as_str) else {
            continue;
        };
        let deps = r
            .get("dependsOn")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(dependency_name)
            .collect();
        out.insert(name.to_string(), deps);
    }
    out
}

/// `[resourceId('Microsoft.Resources/deployments', 'x')]`, `x`, or
/// `Microsoft.Resources/deployments/x` -> `x`.
fn dependency_name(dep: &str) -> String {
    if let Some(expr) = dep.strip_prefix('[') {
        let quoted: Vec<&str> = expr.split('\'').collect();
        // 'a', 'b' -> ["...(", "a", ", ", "b", ")]"]: the last quoted text.
        return quoted
            .len()
            .checked_sub(2)
            .and_then(|i| quoted.get(i))
            .map_or_else(|| dep.to_string(), |s| (*s).to_string());
    }
    dep.rsplit('/').next().unwrap_or(dep).to_string()
}

/// Every pair of resources Terraform may apply in an order ARM forbids:
/// a resource not after every resource of the modules its module depends
/// on, or not after a resource its own `dependsOn` names.
pub fn order_errors(module: &Module, twin: &Value, ctx: &Ctx) -> Vec<String> {
    let arm = arm_canonical_by_module(twin, ctx);
    let records: Vec<Value> = arm.iter().map(|r| r.record.clone()).collect();
    let mut unused: Vec<(&ArmResource, Value)> = arm.iter().zip(final_phases(&records)).collect();
    // Terraform address -> the ARM resource it stands for.
    let mut arm_of: BTreeMap<String, &ArmResource> = BTreeMap::new();
    // Lower-cased id -> the `azapi_resource` that creates it.
    let mut by_id: BTreeMap<String, String> = BTreeMap::new();
    for (label, record) in module.canonical_by_label(ctx) {
        if label.starts_with("azapi_resource.") {
            let text = |k: &str| record[k].as_str().unwrap_or_default().to_string();
            let id = child_id(&text("parent"), &text("type"), &text("name"));
            by_id.insert(id.to_lowercase(), label.clone());
        }
        if let Some(i) = unused.iter().position(|(_, r)| *r == record) {
            let (a, _) = unused.remove(i);
            arm_of.insert(label, a);
        }
    }
    let deps = module_dependencies(twin);
    let closure = module.dependency_closure();
    let after = |label: &str, other: &str| closure.get(label).is_some_and(|c| c.contains(other));
    let mut errors = Vec::new();
    for (label, a) in &arm_of {
        let m = &a.module;
        for dep in deps.get(m).into_iter().flatten() {
            for (other, _) in arm_of.iter().filter(|(_, o)| o.module == *dep) {
                if !after(label, other) {
                    errors.push(format!(
                        "{label} (module {m}) is not ordered after {other} (module {dep})"
                    ));
                }
            }
        }
        for id in &a.depends_on {
            if let Some(other) = by_id.get(&id.to_lowercase()).filter(|o| *o != label)
                && !after(label, other)
            {
                errors.push(format!(
                    "{label} is not ordered after {other}, which its ARM dependsOn names"
                ));
            }
        }
    }
    errors
}
