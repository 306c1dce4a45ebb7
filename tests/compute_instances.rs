//! Compute instances created on behalf of a user: the posture's
//! `assigned_user` reaches ARM and Bicep as
//! `personalComputeInstanceSettings.assignedUser` (the names of Microsoft's
//! Machine Learning ARM schema, `AssignedUser`: `objectId`, `tenantId`),
//! the tenant defaults to the workspace's subscription's, an instance with
//! no user is warned (AML3160), and the report names each instance's user
//! and what that user still needs.

#[path = "common/posture.rs"]
mod one_posture;

use one_posture::{build, compile, workspace_resources};
use serde_json::Value;

/// The ARM `properties.properties` of compute `name`.
fn compute(files: &amlgen::emit::Artifacts, name: &str) -> Value {
    workspace_resources(files, "mlw-demo")
        .into_iter()
        .find(|r| {
            r["type"] == "Microsoft.MachineLearningServices/workspaces/computes"
                && r["name"].as_str().is_some_and(|n| n.ends_with(name))
        })
        .unwrap_or_else(|| panic!("no compute {name}"))["properties"]["properties"]
        .clone()
}

/// Every Bicep file of the workspace, concatenated.
fn bicep(files: &amlgen::emit::Artifacts) -> String {
    files
        .iter()
        .filter(|(p, _)| {
            p.starts_with("workspaces/mlw-demo/")
                && std::path::Path::new(p.as_str())
                    .extension()
                    .is_some_and(|e| e == "bicep")
        })
        .map(|(_, t)| t.as_str())
        .collect()
}

fn posture(computes: &str, access: &str) -> String {
    format!(
        r#"workspace "mlw-demo" {{
  region         = "westeurope"
  resource_group = "rg-ml"
  profile        = public_data
{computes}
{access}
}}
"#
    )
}

const ALICE: &str = "6f1c0000-0000-0000-0000-0000000000a1";
const OTHER_TENANT: &str = "6f1c0000-0000-0000-0000-0000000000f0";

#[test]
fn the_tenant_defaults_to_the_workspace_subscription_tenant() {
    let files = build(&posture(
        &format!(
            r#"  compute "ci-alice" {{ kind = instance  assigned_user = {{ object_id = "{ALICE}" }} }}"#
        ),
        "",
    ));
    let user = &compute(&files, "ci-alice")["personalComputeInstanceSettings"]["assignedUser"];
    assert_eq!(user["objectId"], ALICE);
    assert_eq!(user["tenantId"], "[subscription().tenantId]");
    let b = bicep(&files);
    assert!(b.contains(&format!("objectId: '{ALICE}'")), "{b}");
    assert!(b.contains("tenantId: subscription().tenantId"), "{b}");
}

#[test]
fn an_explicit_tenant_is_written_as_given() {
    let files = build(&posture(
        &format!(
            r#"  compute "ci-alice" {{ kind = instance  assigned_user = {{ object_id = "{}", tenant_id = "{}" }} }}"#,
            ALICE.to_uppercase(),
            OTHER_TENANT
        ),
        "",
    ));
    let user = &compute(&files, "ci-alice")["personalComputeInstanceSettings"]["assignedUser"];
    assert_eq!(user["objectId"], ALICE, "GUIDs are written in lower case");
    assert_eq!(user["tenantId"], OTHER_TENANT);
}

#[test]
fn an_instance_without_a_user_is_warned_and_written_without_one() {
    let text = posture(r#"  compute "ci-alice" { kind = instance }"#, "");
    let outcome = compile(&text);
    let codes: Vec<&str> = outcome.diagnostics.iter().map(|d| d.code.id()).collect();
    assert_eq!(codes, ["AML3160"]);
    let files = build(&text);
    assert!(
        compute(&files, "ci-alice")
            .get("personalComputeInstanceSettings")
            .is_none()
    );
    let report = &files["workspaces/mlw-demo/REPORT.md"];
    assert!(
        report.contains("| `ci-alice` | none: the identity that runs the deployment (`AML3160`)"),
        "{report}"
    );
}

#[test]
fn clusters_take_no_user_and_are_not_warned() {
    let text = posture(
        &format!(
            r#"  compute "cpu-train" {{ kind = cluster  assigned_user = {{ object_id = "{ALICE}" }} }}"#
        ),
        "",
    );
    let outcome = compile(&text);
    let codes: Vec<&str> = outcome.diagnostics.iter().map(|d| d.code.id()).collect();
    assert_eq!(codes, ["AML2001"]);
    assert!(outcome.checked.is_none());
    let clean = compile(&posture(r#"  compute "cpu-train" { kind = cluster }"#, ""));
    assert!(clean.diagnostics.is_empty());
}

#[test]
fn the_report_says_what_a_user_without_a_role_needs() {
    let computes = format!(
        r#"  compute {{ setup_script = "Users/admin/harden.sh" }}
  compute "ci-alice" {{ kind = instance  assigned_user = {{ object_id = "{ALICE}" }} }}"#
    );
    let bare = build(&posture(&computes, ""));
    let report = &bare["workspaces/mlw-demo/REPORT.md"];
    let after = report
        .split("## After deployment")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .unwrap();
    assert!(
        after.contains(&format!(
            "Compute instance `ci-alice` is assigned to user `{ALICE}`, whom this posture grants no role"
        )),
        "{after}"
    );
    for action in [
        "start",
        "stop",
        "restart",
        "applicationaccess",
        "updateSchedules",
    ] {
        assert!(
            after.contains(&format!(
                "`Microsoft.MachineLearningServices/workspaces/computes/{action}/action`"
            )),
            "{action}: {after}"
        );
    }
    assert!(after.contains("single sign-on is off"), "{after}");
    assert!(report.contains(&format!(
        "| `ci-alice` | `{ALICE}` | the workspace's (`subscription().tenantId`) | none in this posture"
    )));

    let granted = build(&posture(
        &computes,
        &format!(r#"  access {{ grant "AzureML Data Scientist" to user "{ALICE}" }}"#),
    ));
    let report = &granted["workspaces/mlw-demo/REPORT.md"];
    assert!(
        !report.contains("whom this posture grants no role"),
        "{report}"
    );
    assert!(report.contains("AzureML Data Scientist, granted in `access`"));

    // A role that cannot start an instance, or a grant on another scope,
    // does not count.
    let reader = build(&posture(
        &computes,
        &format!(r#"  access {{ grant "Reader" to user "{ALICE}" }}"#),
    ));
    assert!(reader["workspaces/mlw-demo/REPORT.md"].contains("whom this posture grants no role"));
}
