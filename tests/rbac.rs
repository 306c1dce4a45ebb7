//! Role assignments of the built examples: every built-in role id is in
//! the sourced table (`catalog/roles.rs`); each private endpoint rule
//! target gets exactly one approver assignment, in a module scoped to the
//! target's resource group; the workspace's default resources get none;
//! a type the approver role does not cover gets the custom role; every
//! assignment is to a typed principal and named by `guid()` of its scope,
//! principal and role; the
//! report explains every derived grant.

#[path = "common/posture.rs"]
mod one_posture;

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

const APPROVER: &str = "b556d68e-0be0-4f35-a333-ad7ee1ce17ea";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// (deployment subscription/group or "", resource) for every resource of
/// a template, nested deployments flattened.
fn flatten(t: &Value) -> Vec<(String, Value)> {
    one_posture::located_resources(t)
        .into_iter()
        .map(|(at, r)| {
            let at = at.map_or_else(String::new, |(s, g)| {
                format!("/subscriptions/{s}/resourceGroups/{g}")
            });
            (at, r)
        })
        .collect()
}
/// The role an assignment gives: a built-in's GUID, or the expression
/// that names a custom role (its `guid(...)`).
fn role_guid(r: &Value) -> String {
    let id = r["properties"]["roleDefinitionId"]
        .as_str()
        .unwrap_or_default();
    match id
        .strip_prefix("[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', ")
        .and_then(|x| x.strip_suffix(")]"))
    {
        Some(x) if x.starts_with('\'') => x.trim_matches('\'').to_string(),
        Some(x) => x.to_string(),
        None => id.rsplit('/').next().unwrap_or_default().to_string(),
    }
}

/// A role definition's name as assignments refer to it: its literal GUID
/// or its `guid(...)` expression.
fn definition_key(d: &Value) -> String {
    let n = d["name"].as_str().unwrap_or_default();
    n.strip_prefix('[')
        .and_then(|x| x.strip_suffix(']'))
        .unwrap_or(n)
        .to_string()
}

/// A built workspace: its name, its deployed resources (with the resource
/// group each is deployed in), and its report.
type Built = (String, Vec<(String, Value)>, String);

fn workspaces() -> Vec<Built> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(root().join("out/workspaces")).unwrap() {
        let dir = e.unwrap().path();
        let t: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("azuredeploy.json")).unwrap())
                .unwrap();
        let rs = flatten(&t);
        let report = std::fs::read_to_string(dir.join("REPORT.md")).unwrap();
        out.push((
            dir.file_name().unwrap().to_string_lossy().into_owned(),
            rs,
            report,
        ));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn posture_of(ws: &str) -> amlgen::ir::Workspace {
    let paths = amlgen::driver::collect_paths(&[root().join("examples")]).unwrap();
    let inputs = paths
        .iter()
        .map(|p| amlgen::Input {
            name: p.display().to_string(),
            text: std::fs::read_to_string(p).unwrap(),
        })
        .collect();
    let outcome = amlgen::compile(inputs, &amlgen::Options::default());
    outcome
        .checked
        .unwrap()
        .posture()
        .workspaces
        .iter()
        .find(|w| w.name.as_str() == ws)
        .unwrap()
        .clone()
}

#[test]
fn every_built_in_role_is_in_the_sourced_table() {
    let known: Vec<&str> = amlgen::catalog::roles::BUILT_IN_ROLES
        .iter()
        .map(|r| r.id)
        .collect();
    let mut seen = 0;
    for (ws, rs, _) in workspaces() {
        let custom: Vec<String> = rs
            .iter()
            .filter(|(_, r)| r["type"] == "Microsoft.Authorization/roleDefinitions")
            .map(|(_, r)| definition_key(r))
            .collect();
        for (_, r) in rs
            .iter()
            .filter(|(_, r)| r["type"] == "Microsoft.Authorization/roleAssignments")
        {
            let g = role_guid(r);
            assert!(
                known.contains(&g.as_str()) || custom.contains(&g),
                "{ws}: role {g} is in no table"
            );
            let t = r["properties"]["principalType"].as_str().unwrap();
            assert!(
                ["ServicePrincipal", "Group", "User"].contains(&t),
                "{ws}: {t}"
            );
            // Named `guid(scope, principal, role)`; `tests/deploy_order.rs`
            // checks the arguments are the assignment's own.
            let name = r["name"].as_str().unwrap();
            assert!(
                name.starts_with("[guid(") && name.ends_with(")]"),
                "{ws}: {name} is not a guid() of the assignment"
            );
            seen += 1;
        }
    }
    assert!(seen >= 10, "only {seen} role assignments");
}

#[test]
fn one_approver_per_private_endpoint_target_at_its_scope_and_none_for_default_resources() {
    use amlgen::ir::{Destination, PeTarget, Provision};
    let mut targets_seen = 0;
    for (ws, rs, report) in workspaces() {
        let w = posture_of(&ws);
        if !w.outbound.mode.value.is_managed() {
            continue;
        }
        let defaults: Vec<String> = [
            &w.storage.provision,
            &w.key_vault.provision,
            &w.container_registry.provision,
        ]
        .iter()
        .filter_map(|p| match p {
            Provision::Existing(id) => Some(id.as_str().to_ascii_lowercase()),
            Provision::Create => None,
        })
        .collect();
        let mut targets: BTreeMap<String, amlgen::ir::ResourceId> = BTreeMap::new();
        for rule in &w.outbound.rules {
            if let Destination::PrivateEndpoint {
                target: PeTarget::Resource(id),
                ..
            } = &rule.destination
            {
                targets.insert(id.as_str().to_ascii_lowercase(), id.clone());
            }
        }
        let approvals: Vec<&(String, Value)> = rs
            .iter()
            .filter(|(_, r)| r["type"] == "Microsoft.Authorization/roleAssignments")
            .filter(|(_, r)| {
                let g = role_guid(r);
                g == APPROVER
                    || rs.iter().any(|(_, d)| {
                        d["type"] == "Microsoft.Authorization/roleDefinitions"
                            && definition_key(d) == g
                    })
            })
            .collect();
        let mut expected = 0;
        for (low, id) in &targets {
            if defaults.contains(low) {
                continue;
            }
            expected += 1;
            targets_seen += 1;
            let group = format!(
                "/subscriptions/{}/resourceGroups/{}",
                id.subscription().as_str(),
                id.resource_group()
            );
            let mine: Vec<_> = approvals
                .iter()
                .filter(|(at, r)| {
                    at.eq_ignore_ascii_case(&group)
                        && r["scope"].as_str().is_none_or(|s| {
                            id.as_str()
                                .to_ascii_lowercase()
                                .ends_with(&s.to_ascii_lowercase())
                        })
                })
                .collect();
            assert!(
                !mine.is_empty(),
                "{ws}: no approver for {id} in a deployment at {group}"
            );
            assert!(
                report.contains(id.name()) || report.contains(id.as_str()),
                "{ws}: the report does not explain {id}"
            );
            let covered = amlgen::catalog::private_link::lookup(&id.arm_type())
                .unwrap()
                .approver_role_covers;
            let roles: Vec<String> = mine.iter().map(|(_, r)| role_guid(r)).collect();
            assert_eq!(
                roles.iter().any(|g| g == APPROVER),
                covered,
                "{ws}: {id}: {roles:?}"
            );
        }
        assert_eq!(approvals.len(), expected, "{ws}: approvals {approvals:#?}");
    }
    assert!(
        targets_seen >= 4,
        "only {targets_seen} private endpoint targets in the examples"
    );
}

#[test]
fn the_uncovered_type_gets_a_custom_role_with_only_approval_actions() {
    let (_, rs, report) = workspaces()
        .into_iter()
        .find(|(w, _, _)| w == "mlw-claims")
        .unwrap();
    let defs: Vec<&Value> = rs
        .iter()
        .filter(|(_, r)| r["type"] == "Microsoft.Authorization/roleDefinitions")
        .map(|(_, r)| r)
        .collect();
    assert_eq!(defs.len(), 1);
    let actions: Vec<&str> = defs[0]["properties"]["permissions"][0]["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert!(!actions.is_empty());
    // Exactly the connection approval operations of Data Factory, as
    // Microsoft's provider-operations page spells them.
    assert_eq!(
        actions,
        [
            "Microsoft.DataFactory/factories/PrivateEndpointConnectionsApproval/action",
            "Microsoft.DataFactory/factories/privateEndpointConnections/read",
            "Microsoft.DataFactory/factories/privateEndpointConnections/write",
        ]
    );
    assert_eq!(
        defs[0]["properties"]["assignableScopes"][0],
        "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-etl"
    );
    assert!(report.contains("custom: amlgen private endpoint approver"));
}

#[test]
fn the_report_explains_every_derived_grant() {
    for (ws, rs, report) in workspaces() {
        for (_, r) in rs
            .iter()
            .filter(|(_, r)| r["type"] == "Microsoft.Authorization/roleAssignments")
        {
            let why = amlgen::emit::escape::unarm_literal(
                r["properties"]["description"].as_str().unwrap(),
            )
            .to_string();
            assert!(report.contains(&why), "{ws}: the report lacks: {why}");
        }
    }
}

/// R22: the Reader grants on the client storage endpoints are made in
/// the group the endpoints are deployed in (their VNet's, not always the
/// workspace's), on an endpoint of that name.
#[test]
fn the_storage_endpoint_readers_are_granted_where_the_endpoints_are() {
    let mut seen = 0;
    for (ws, rs, _) in workspaces() {
        for (at, r) in rs.iter().filter(|(_, r)| {
            r["type"] == "Microsoft.Authorization/roleAssignments"
                && r["properties"]["description"]
                    .as_str()
                    .is_some_and(|d| d.contains("amlgen explain AML3022"))
        }) {
            let scope = r["scope"].as_str().unwrap();
            let name = scope
                .strip_prefix("Microsoft.Network/privateEndpoints/")
                .unwrap_or_else(|| panic!("{ws}: R22 grant not on an endpoint: {scope}"));
            assert!(
                rs.iter().any(|(pat, pe)| pat == at
                    && pe["type"] == "Microsoft.Network/privateEndpoints"
                    && pe["name"] == name),
                "{ws}: no endpoint {name} where its Reader grant is made ({at:?})"
            );
            seen += 1;
        }
    }
    assert!(seen > 0, "no example has an R22 grant");
}

#[test]
fn the_deploying_identity_gets_a_role_with_what_the_deployment_needs() {
    for e in std::fs::read_dir(root().join("out/workspaces")).unwrap() {
        let dir = e.unwrap().path();
        let t: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join("deployer/azuredeploy.json")).unwrap(),
        )
        .unwrap();
        let role = &t["resources"][0];
        assert_eq!(role["type"], "Microsoft.Authorization/roleDefinitions");
        let actions: Vec<&str> = role["properties"]["permissions"][0]["actions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        for needed in [
            "Microsoft.MachineLearningServices/workspaces/privateEndpointConnections/read",
            "Microsoft.MachineLearningServices/workspaces/privateEndpointConnections/write",
            "Microsoft.MachineLearningServices/workspaces/write",
            "Microsoft.Resources/deployments/*",
        ] {
            assert!(
                actions.contains(&needed),
                "{}: {needed} missing",
                dir.display()
            );
        }
        // Every type the workspace deployment creates can be written.
        let main: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("azuredeploy.json")).unwrap())
                .unwrap();
        for (_, r) in flatten(&main) {
            let ty = r["type"].as_str().unwrap();
            assert!(
                actions.contains(&format!("{ty}/write").as_str()),
                "{}: {ty}/write missing",
                dir.display()
            );
        }
        assert!(
            !actions.iter().any(|a| *a == "*" || a.ends_with("/*/write")),
            "{actions:?}"
        );
    }
}

#[test]
fn a_compute_identity_pulls_images_and_reads_its_project_data() {
    let (_, rs, _) = workspaces()
        .into_iter()
        .find(|(w, _, _)| w == "mlw-fraud-prod")
        .unwrap();
    let acr_pull = "7f951dda-4ed3-4680-a7ca-43fe172d538d";
    let blob_reader = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";
    let to_compute = |r: &Value| {
        r["properties"]["principalId"] == "[parameters('computePrincipalId_cpu_build')]"
    };
    let assignments: Vec<&(String, Value)> = rs
        .iter()
        .filter(|(_, r)| r["type"] == "Microsoft.Authorization/roleAssignments" && to_compute(r))
        .collect();
    let mut roles: Vec<String> = assignments.iter().map(|(_, r)| role_guid(r)).collect();
    roles.sort();
    assert_eq!(roles, [blob_reader, acr_pull]);
    // The reader role is on the lake, in the lake's resource group.
    let reader = assignments
        .iter()
        .find(|(_, r)| role_guid(r) == blob_reader)
        .unwrap();
    assert!(
        reader.0.ends_with("/resourceGroups/rg-data"),
        "{}",
        reader.0
    );
    assert_eq!(
        reader.1["scope"],
        "Microsoft.Storage/storageAccounts/stfrauddata"
    );
}
