//! Compiling and building one posture in memory, and reading the resources
//! of a built workspace's ARM template. Include it from a test file with
//! `#[path = "common/posture.rs"] mod one_posture;`.

#![allow(dead_code)]

use serde_json::Value;

/// Checks one posture text, named `case.aml`.
pub fn compile(text: &str) -> amlgen::Outcome {
    amlgen::compile(
        vec![amlgen::Input {
            name: "case.aml".into(),
            text: text.into(),
        }],
        &amlgen::Options::default(),
    )
}

pub fn build(text: &str) -> amlgen::emit::Artifacts {
    let outcome = compile(text);
    assert!(
        outcome.checked.is_some(),
        "does not check: {:?}",
        outcome
            .diagnostics
            .iter()
            .map(|d| d.message.clone())
            .collect::<Vec<_>>()
    );
    amlgen::driver::emit(&outcome, &amlgen::emit::BuildOptions::default()).unwrap()
}

/// Every resource of a built workspace's ARM template, nested deployments
/// flattened.
pub fn resources(template: &Value, out: &mut Vec<Value>) {
    out.extend(located_resources(template).into_iter().map(|(_, r)| r));
}

/// Every resource of a template, nested deployments flattened, each with
/// the `(subscription, resource group)` its nested deployment targets
/// (`None` where it stays in the deployment's own scope).
pub fn located_resources(template: &Value) -> Vec<(Option<(String, String)>, Value)> {
    fn walk(
        t: &Value,
        at: Option<&(String, String)>,
        out: &mut Vec<(Option<(String, String)>, Value)>,
    ) {
        for r in t["resources"].as_array().into_iter().flatten() {
            if r["type"] == "Microsoft.Resources/deployments" {
                let here = match (r["subscriptionId"].as_str(), r["resourceGroup"].as_str()) {
                    (Some(s), Some(g)) => Some((s.to_string(), g.to_string())),
                    _ => at.cloned(),
                };
                walk(&r["properties"]["template"], here.as_ref(), out);
            } else {
                out.push((at.cloned(), r.clone()));
            }
        }
    }
    let mut out = Vec::new();
    walk(template, None, &mut out);
    out
}
pub fn workspace_resources(files: &amlgen::emit::Artifacts, ws: &str) -> Vec<Value> {
    let t: Value =
        serde_json::from_str(&files[&format!("workspaces/{ws}/azuredeploy.json")]).unwrap();
    let mut out = Vec::new();
    resources(&t, &mut out);
    out
}
