//! Policy exemptions from accepted risks (`docs/language.md`, "Accepted
//! risks" and "Policy"). Where a control of a policy block would deny
//! (`AML3029`) or flag (`AML3190`) a workspace of the build and the
//! workspace accepts exactly that finding, the policy block's deployment
//! creates a `Microsoft.Authorization/policyExemptions` for it
//! (`ir::policy_reach` decides both, for the checker and here).
//!
//! The runtime rules, from Microsoft's docs ("Azure Policy exemption
//! structure", learn.microsoft.com/azure/governance/policy/concepts/exemption-structure;
//! "Microsoft.Authorization policyExemptions", learn.microsoft.com/azure/templates/microsoft.authorization/policyexemptions):
//! - an exemption is a child of the scope it exempts (a management group,
//!   subscription, resource group or resource) and is removed with it. A
//!   `deny` refuses the workspace's creation, so the exemption must exist
//!   before the workspace, and a resource-level exemption needs the
//!   resource: it is placed on the workspace's **resource group**, narrowed
//!   to the one control by `policyDefinitionReferenceIds`. That widens it
//!   to every resource of the group the control's definition evaluates
//!   (POLICY.md says so); `resourceSelectors` only select by location and
//!   type, not by name, so they cannot narrow it to the workspace and are
//!   left out;
//! - the resource group must exist when the policy block is deployed: the
//!   exemptions are nested deployments into it (Bicep
//!   `scope: resourceGroup(sub, rg)`, ARM `subscriptionId`/`resourceGroup`),
//!   which a management-group or subscription deployment may make;
//! - the name: 1-64 characters, none of `<>*%&:\?.+/` or control
//!   characters, not ending in a period or space (`catalog::limits`,
//!   `policy-exemption-name`); the display name at most 128;
//! - `expiresOn` is "UTC ISO 8601 yyyy-MM-ddTHH:mm:ssZ"; once past, the
//!   exemption is no longer honoured but stays. An acceptance holds through
//!   its last day (the build's date is a UTC day), so the exemption expires
//!   at `23:59:59Z` of that day;
//! - who deploys it needs `Microsoft.Authorization/policyExemptions/write`
//!   on the resource group and `Microsoft.Authorization/policyAssignments/exempt/action`
//!   on the assignment (Azure Policy's "Understand scope" page: "In addition
//!   to requiring the `Microsoft.Authorization/policyExemptions/write`
//!   operation on the resource hierarchy or individual resource, the
//!   creator of an exemption must have the `exempt/Action` verb on the
//!   target assignment"; the operation's name is in the
//!   Microsoft.Authorization resource provider operations list, "Exempt a
//!   policy assignment at the specified scope"): POLICY.md says so.

use std::collections::BTreeMap;

use crate::catalog::controls;
use crate::emit::azure::properties::{PolicyExemption, PolicyExemptionProperties};
use crate::emit::azure::{Exemption, Expr, Module, PolicyBuild, Resource, api, types};
use crate::emit::plan::names;
use crate::escape::Text;
use crate::ir::policy_reach::{self, PolicyFinding};
use crate::ir::{Policy, Posture};

/// The module parameter that carries the assignment's id.
const ASSIGNMENT: &str = "policyAssignmentId";

/// The characters an exemption's name may not hold.
const REFUSED: &[char] = &['<', '>', '*', '%', '&', ':', '\\', '?', '.', '+', '/'];

/// The exemptions of policy block `p` made from the build's accepted
/// findings, sorted by place and name.
#[must_use]
pub fn exemptions(posture: &Posture, p: &Policy) -> Vec<Exemption> {
    let mut out: Vec<Exemption> = policy_reach::findings_of(posture, p)
        .iter()
        .filter_map(exemption)
        .collect();
    out.sort();
    out.dedup_by(|a, b| {
        a.subscription == b.subscription && a.resource_group == b.resource_group && a.name == b.name
    });
    out
}

fn exemption(f: &PolicyFinding) -> Option<Exemption> {
    let (accepted, subscription) = f.exemption_target()?;
    let mut reference_ids: Vec<String> = controls::choose(&f.control.control, f.control.effect)
        .iter()
        .map(|c| c.reference_id.to_string())
        .collect();
    reference_ids.sort();
    reference_ids.dedup();
    let workspace = f.workspace.name.as_str();
    let first = reference_ids.first().map_or("", String::as_str);
    Some(Exemption {
        subscription: subscription.as_str().to_string(),
        resource_group: f.workspace.resource_group.value.as_str().to_string(),
        name: name(&format!("amlgen-{}-{workspace}-{first}", f.policy.name)),
        workspace: workspace.to_string(),
        category: accepted.category.arm(),
        expires_on: format!("{}T23:59:59Z", accepted.expires),
        display_name: names::fit(
            &format!(
                "amlgen: {workspace} exempt from {} ({first})",
                f.policy.name
            ),
            128,
        ),
        description: format!(
            "{} (accepted by {}, {} until {}: {})",
            accepted.reason,
            accepted.by,
            f.code.id(),
            accepted.expires,
            f.why
        ),
        code: f.code.id(),
        by: accepted.by.clone(),
        reference_ids,
    })
}

/// An exemption name Azure accepts: refused characters become `-`, at
/// most 64 characters (a hash keeps cut names apart), never ending in a
/// period or space.
fn name(wanted: &str) -> String {
    let clean: String = wanted
        .chars()
        .map(|c| {
            if REFUSED.contains(&c) || c.is_control() {
                '-'
            } else {
                c
            }
        })
        .collect();
    let fitted = names::fit(&clean, 64);
    fitted.trim_end_matches([' ', '.']).to_string()
}

/// The modules that create a block's exemptions: one per resource group,
/// after the assignment, which they name.
#[must_use]
pub fn modules(b: &PolicyBuild, assignment_id: &Expr) -> Vec<Module> {
    let mut groups: BTreeMap<(&str, &str), Vec<&Exemption>> = BTreeMap::new();
    for e in &b.exemptions {
        groups
            .entry((e.subscription.as_str(), e.resource_group.as_str()))
            .or_default()
            .push(e);
    }
    groups
        .into_iter()
        .enumerate()
        .map(|(n, ((sub, rg), list))| Module {
            symbol: format!("exemptions{}", n + 1),
            file: format!("exemptions-{}", n + 1),
            deployment_name: names::fit(
                &format!("amlgen-{}-exemptions-{}", b.assignment_name, n + 1),
                64,
            ),
            description: format!(
                "policy exemptions from the posture's accepted risks, in resource group {rg} (subscription {sub})"
            ),
            resources: list
                .iter()
                .enumerate()
                .map(|(i, e)| resource(i, e))
                .collect(),
            depends_on: vec!["assignment".to_string()],
            target: Some((sub.to_string(), rg.to_string())),
            params: vec![(ASSIGNMENT.to_string(), assignment_id.clone())],
            condition: None,
        })
        .collect()
}

fn resource(i: usize, e: &Exemption) -> Resource {
    let metadata: BTreeMap<&'static str, Text> = [
        ("acceptedBy", Text(e.by.clone())),
        ("finding", Text(e.code.to_string())),
        ("source", Text("amlgen".to_string())),
        ("workspace", Text(e.workspace.clone())),
    ]
    .into();
    Resource::new(
        &format!("exemption{}", i + 1),
        types::POLICY_EXEMPTION,
        api::POLICY_EXEMPTION,
        &[&e.name],
        format!(
            "exempts workspace {} from {} until {} ({})",
            e.workspace,
            e.reference_ids.join(", "),
            e.expires_on,
            e.category
        ),
        PolicyExemption {
            properties: PolicyExemptionProperties {
                policy_assignment_id: Expr::param(ASSIGNMENT),
                policy_definition_reference_ids: e
                    .reference_ids
                    .iter()
                    .map(|r| Text(r.clone()))
                    .collect(),
                exemption_category: e.category,
                expires_on: Text(e.expires_on.clone()),
                display_name: Text(e.display_name.clone()),
                description: Text(e.description.clone()),
                metadata,
            },
        },
    )
}

#[cfg(test)]
mod tests {
    use super::name;
    use crate::catalog::limits::rule;

    /// Whatever the policy and workspace names, the exemption's name is
    /// one Azure accepts (the runtime rows of `catalog::limits`), and
    /// names cut to fit stay apart.
    #[test]
    fn names_fit_the_runtime_rules() {
        let long = format!("amlgen-{}-ws-compute-ssh", "p".repeat(80));
        let other = format!("amlgen-{}-ws-compute-ssh2", "p".repeat(80));
        for wanted in [
            "amlgen-ml.guardrails-mlw-demo-compute-ssh",
            "amlgen-a+b/c:d?e*f%g&h<i>j\\k-x.",
            "amlgen-x-y-z. ",
            long.as_str(),
        ] {
            let n = name(wanted);
            for id in [
                "policy.exemption.name.length",
                "policy.exemption.name.chars",
                "policy.exemption.name.end",
            ] {
                assert!(rule(id).check(&n).is_ok(), "{id}: {n}");
            }
            assert!(
                rule("policy.exemption.name.chars").check(wanted).is_err() || wanted.len() > 64
            );
        }
        assert_ne!(name(&long), name(&other));
        assert_eq!(name("amlgen-p-w-compute-ssh"), "amlgen-p-w-compute-ssh");
    }
}
