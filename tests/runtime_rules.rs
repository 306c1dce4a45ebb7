//! Azure's runtime rules (`amlgen::catalog::limits`), the ones no schema
//! carries, over every emitted artifact of every legal posture of the
//! suite: each example, each `tests/ui` `# neighbour-of` case and the
//! hostile postures of `tests/adversarial.rs`. A failure names the rule
//! and its Microsoft source.

#[path = "common/postures.rs"]
mod postures;
#[path = "common/runtime.rs"]
mod runtime;

use std::path::Path;

/// The plain files plus the Enterprise Policy as Code ones.
fn build(
    name: &str,
    text: String,
    previous: Option<&Path>,
) -> Result<amlgen::emit::Artifacts, String> {
    postures::build_with(name, text, previous, amlgen::emit::policy::Layout::Epac)
        .map_err(|e| format!("{name}: does not build: {e}"))
}

#[test]
fn every_legal_posture_deploys_within_azures_runtime_rules() {
    let mut problems = Vec::new();
    let mut files_seen = 0;
    for (name, text, previous) in postures::every_legal_case() {
        match build(&name, text, previous.as_deref()) {
            Ok(files) => {
                files_seen += files.len();
                problems.extend(
                    runtime::violations(&files)
                        .into_iter()
                        .map(|v| format!("{name}: {v}")),
                );
            }
            Err(e) => problems.push(e),
        }
    }
    assert!(files_seen > 1000, "only {files_seen} files");
    assert!(
        problems.is_empty(),
        "{} violations:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// The walker judges what it should: a file breaking rows is caught, with
/// the rule named, through a nested deployment and a parameter.
#[test]
fn the_walker_finds_broken_rows() {
    let template = serde_json::json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "parameters": { "tags": { "type": "object", "defaultValue": { "env": "a", "Env": "b" } } },
        "resources": [{
            "type": "Microsoft.Resources/deployments",
            "name": "d",
            "properties": {
                "parameters": { "tags": { "value": "[parameters('tags')]" } },
                "template": {
                    "parameters": { "tags": { "type": "object" } },
                    "resources": [
                        {
                            "type": "Microsoft.Network/networkSecurityGroups",
                            "name": "nsg-x-",
                            "tags": "[parameters('tags')]",
                            "properties": { "securityRules": [
                                { "name": "r", "properties": { "description": "x".repeat(141) } }
                            ] }
                        },
                        {
                            "type": "Microsoft.Authorization/roleAssignments",
                            "name": "[guid(resourceGroup().id, 'x')]"
                        }
                    ]
                }
            }
        }]
    });
    let mut files = amlgen::emit::Artifacts::new();
    files.insert("workspaces/w/azuredeploy.json".into(), template.to_string());
    let found = runtime::violations(&files);
    let ids: Vec<&str> = [
        "nsg.name.end",
        "nsg.rule.description.length",
        "tags.name.unique",
    ]
    .to_vec();
    for id in &ids {
        assert!(
            found.iter().any(|f| f.contains(&format!("rule {id};"))),
            "{id} not found in {found:#?}"
        );
    }
    assert_eq!(found.len(), ids.len(), "{found:#?}");
}

/// Policy-native files are judged too, plain and EPAC, with the scope of
/// the block's deployment: an assignment name of 25 characters at
/// management-group scope is refused, a definition description of 513.
#[test]
fn the_walker_reads_policy_files() {
    let mut files = amlgen::emit::Artifacts::new();
    files.insert(
        "policies/p/azuredeploy.json".into(),
        serde_json::json!({
            "$schema": "https://schema.management.azure.com/schemas/2019-08-01/managementGroupDeploymentTemplate.json#",
            "resources": []
        })
        .to_string(),
    );
    files.insert(
        "policies/p/epac/Definitions/policyAssignments/p.jsonc".into(),
        serde_json::json!({
            "assignment": { "name": "a".repeat(25), "displayName": "d", "description": "" }
        })
        .to_string(),
    );
    files.insert(
        "policies/p/definitions/x.json".into(),
        serde_json::json!({
            "name": "x",
            "properties": { "displayName": "x", "description": "d".repeat(513) }
        })
        .to_string(),
    );
    let found = runtime::violations(&files);
    for id in [
        "policy.assignment.name.length.management-group",
        "policy.definition.description.length",
    ] {
        assert!(
            found.iter().any(|f| f.contains(&format!("rule {id};"))),
            "{id} not found in {found:#?}"
        );
    }
    assert_eq!(found.len(), 2, "{found:#?}");
}
