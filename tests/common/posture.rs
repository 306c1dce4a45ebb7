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
    for r in template["resources"].as_array().into_iter().flatten() {
        if r["type"] == "Microsoft.Resources/deployments" {
            resources(&r["properties"]["template"], out);
        } else {
            out.push(r.clone());
        }
    }
}

pub fn workspace_resources(files: &amlgen::emit::Artifacts, ws: &str) -> Vec<Value> {
    let t: Value =
        serde_json::from_str(&files[&format!("workspaces/{ws}/azuredeploy.json")]).unwrap();
    let mut out = Vec::new();
    resources(&t, &mut out);
    out
}
