//! Policy blocks against the workspaces of the build: a guardrail that
//! would deny what the build deploys is an error, one that would flag it
//! a warning, unless the workspace accepts the risk (then it is exempted).

use super::context::report;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::ir::policy_reach::{self, PolicyFinding};
use crate::ir::{
    Access, Control, Effect, IsolationMode, PolicyScope, Posture, PublicNetworkAccess, RuleKind,
    Workspace,
};

/// AML3029 and AML3190: a control of a policy block of the build that
/// would deny (`deny`) or flag (`audit`, `audit_if_not_exists`) a workspace
/// its scope reaches, in any file of the build (`ir::policy_reach` says
/// which workspaces a scope reaches). A workspace that accepts exactly that
/// finding (`accept AML3029`/`accept AML3190`) has it accepted like any
/// other (`check::accept`, which lists it in the report) and the policy
/// block carries an exemption for it. The exemption needs the workspace's
/// subscription: under a management-group assignment, a workspace that
/// accepts the finding but has no `subscription_id` is an `AML3193` error.
///
/// The finding names its workspace with a place inside the workspace's
/// block (the setting at fault, else the workspace's name), so an
/// acceptance covers it exactly when `Posture::accepts_for` says so.
pub fn contradictions(findings: &[PolicyFinding], d: &mut Diagnostics) {
    for f in findings {
        if let Some(a) = f.accepted
            && f.exemption_target().is_none()
        {
            report(
                d,
                Diagnostic::new(
                    Code::UnplaceableExemption,
                    a.code_span,
                    format!(
                        "workspace `{}` accepts {} from policy `{}`, but no exemption can be placed for it",
                        f.workspace.name,
                        f.code.id(),
                        f.policy.name
                    ),
                )
                .label("accepted here")
                .with_label(f.control.span, "the control the exemption would waive")
                .note("an exemption goes on the workspace's resource group, whose id needs the workspace's subscription; the policy is assigned to a management group, whose subscriptions amlgen cannot list")
                .help("add `subscription_id` to the workspace (or its `defaults`)"),
            );
        }
        let (verb, label) = if f.code == Code::PolicyContradiction {
            ("deny", "this control denies it")
        } else {
            ("flag", "this control flags it")
        };
        let mut diag = Diagnostic::new(
            f.code,
            f.control.span,
            format!(
                "policy `{}` would {verb} workspace `{}`",
                f.policy.name, f.workspace.name
            ),
        )
        .label(label)
        .with_label(f.at, f.why.clone());
        let block = f.workspace.block;
        if f.at.file != block.file || f.at.start < block.start || f.at.end > block.end {
            diag = diag.with_label(f.workspace.span, "in this workspace");
        }
        if f.workspace.span.file != f.policy.span.file {
            diag = diag.note(match &f.policy.scope {
                PolicyScope::ManagementGroup(mg) => format!(
                    "the workspace is in a subscription of a workspace of the policy's own file, so under management group `{mg}` too"
                ),
                PolicyScope::Subscription(sub) => format!(
                    "the workspace is in the assignment's subscription `{}`",
                    sub.as_str()
                ),
            });
        }
        diag = if f.code == Code::PolicyContradiction {
            diag.help("change the workspace to comply, `audit` the control while it migrates, or accept the risk in the workspace (`accept AML3029 { reason = \"...\" by = \"...\" expires = \"YYYY-MM-DD\" }`), which exempts it")
        } else {
            diag.help("change the workspace to comply, or accept the risk in the workspace (`accept AML3190 { reason = \"...\" by = \"...\" expires = \"YYYY-MM-DD\" }`), which exempts it")
        };
        report(d, diag);
    }
}

/// A `deploy_if_not_exists` (or `modify`) control gives the assignment a
/// system-assigned identity, and an assignment with a managed identity
/// needs a `location` (Microsoft.Authorization policyAssignments): the
/// policy's `region`, else the first workspace of its file. With neither,
/// the assignment could not be created.
pub fn identity_location(posture: &Posture, d: &mut Diagnostics) {
    for policy in &posture.policies {
        let needs_identity = policy.controls.iter().any(|c| {
            crate::catalog::controls::choose(&c.control, c.effect)
                .iter()
                .any(|ch| !ch.roles.is_empty())
        });
        let located = policy.region.is_some()
            || posture
                .workspaces
                .iter()
                .any(|w| w.span.file == policy.span.file);
        if needs_identity && !located {
            let at = policy
                .controls
                .iter()
                .find(|c| matches!(c.effect, Effect::DeployIfNotExists | Effect::Modify))
                .map_or(policy.span, |c| c.span);
            report(
                d,
                Diagnostic::new(
                    Code::PolicyIdentityLocation,
                    policy.span,
                    format!("policy `{}` has no region for its assignment's managed identity", policy.name),
                )
                .label("no `region`, and no workspace in this file to take it from")
                .with_label(at, "this effect gives the assignment a managed identity")
                .help("add `region = \"westeurope\"` (the region of the identity) to the policy block"),
            );
        }
    }
}

/// AML3191: a `deny outbound_rules` control whose `kinds` leave out
/// `private_endpoint`, over a managed-network workspace it reaches. The
/// managed network creates private endpoint rules of its own: in
/// approved-outbound mode to the workspace and its storage, key vault and
/// registry always, in internet-outbound mode to those with public access
/// disabled ("Workspace Managed Virtual Network Isolation", "List of
/// required rules"), and the same page's Limitations ask to "allowlist
/// Microsoft-managed private endpoints created for the managed virtual
/// network in your custom policy". It does not say how to recognise them,
/// and a rule's `category` is set by the caller, so amlgen can neither
/// exclude them by a condition nor exempt them before they exist: it warns.
pub fn managed_endpoints(posture: &Posture, d: &mut Diagnostics) {
    for policy in &posture.policies {
        for c in policy.controls.iter().filter(|c| c.effect == Effect::Deny) {
            let Control::OutboundRules { kinds, .. } = &c.control else {
                continue;
            };
            if kinds.contains(&RuleKind::PrivateEndpoint) {
                continue;
            }
            for ws in &posture.workspaces {
                if policy_reach::reaches(posture, policy, ws).is_none() {
                    continue;
                }
                let Some(targets) = platform_endpoints(ws) else {
                    continue;
                };
                report(
                    d,
                    Diagnostic::new(
                        Code::PolicyBlocksManagedEndpoints,
                        c.span,
                        format!(
                            "policy `{}` denies private endpoint outbound rules, which the managed network of workspace `{}` creates itself",
                            policy.name, ws.name
                        ),
                    )
                    .label("`kinds` leaves out `private_endpoint`")
                    .with_label(
                        ws.outbound.mode.span().unwrap_or(ws.span),
                        format!("this managed network creates private endpoint rules to {targets}"),
                    )
                    .note("Microsoft's managed network docs ask to allowlist the Microsoft-managed private endpoints in a custom policy, but do not say how to recognise them; a rule's `category` is set by whoever writes it, so no condition can exclude only the platform's")
                    .help("add `private_endpoint` to the control's `kinds`, or exempt each of the platform's rules once provisioned (POLICY.md of the policy block says how)"),
                );
            }
        }
    }
}

/// What the managed network of `ws` makes private endpoint rules to, in
/// words, or `None` when it makes none (no managed network, custom VNet
/// mode, or internet outbound with every resource public).
fn platform_endpoints(ws: &Workspace) -> Option<String> {
    if ws.outbound.custom_vnet().is_some() {
        return None;
    }
    let all = "the workspace, its storage, key vault and container registry";
    match ws.outbound.mode.value {
        IsolationMode::Disabled => None,
        IsolationMode::AllowOnlyApprovedOutbound => Some(all.to_string()),
        IsolationMode::AllowInternetOutbound => {
            let private: Vec<&str> = [
                (
                    "the workspace",
                    ws.inbound.public_network_access.value == PublicNetworkAccess::Disabled,
                ),
                (
                    "its storage",
                    ws.storage.public_network_access.value == Access::Disabled,
                ),
                (
                    "its key vault",
                    ws.key_vault.public_network_access.value == Access::Disabled,
                ),
                (
                    "its container registry",
                    ws.container_registry.public_network_access.value == Access::Disabled,
                ),
            ]
            .into_iter()
            .filter_map(|(what, private)| private.then_some(what))
            .collect();
            (!private.is_empty()).then(|| private.join(", "))
        }
    }
}

/// AML3192: an exemption made from one workspace's acceptance lets another
/// workspace of the build through too. The exemption is placed on the
/// accepting workspace's resource group (`emit::lower::policy_exemptions`:
/// a `deny` refuses the workspace's creation, so it cannot be placed on the
/// workspace), and an exemption applies to everything under its scope
/// ("Azure Policy exemption structure"), so a workspace of the same group
/// that does not accept that finding is exempted from that control as well.
pub fn exemption_reach(posture: &Posture, findings: &[PolicyFinding], d: &mut Diagnostics) {
    for f in findings {
        let Some((accepted, sub)) = f.exemption_target() else {
            continue;
        };
        let rg = f.workspace.resource_group.value.as_str();
        for other in &posture.workspaces {
            if std::ptr::eq(other, f.workspace)
                || !other.resource_group.value.as_str().eq_ignore_ascii_case(rg)
                || posture.accepts_for(other).any(|a| a.code == f.code)
            {
                continue;
            }
            let same_place = policy_reach::reaches(posture, f.policy, other)
                .and_then(|r| r.subscription)
                .is_some_and(|s| &s == sub);
            if !same_place {
                continue;
            }
            report(
                d,
                Diagnostic::new(
                    Code::ExemptionWidens,
                    accepted.span,
                    format!(
                        "the exemption of workspace `{}` from policy `{}` also exempts workspace `{}`, in the same resource group `{rg}`",
                        f.workspace.name, f.policy.name, other.name
                    ),
                )
                .label(format!("this acceptance exempts resource group `{rg}` from the control"))
                .with_label(other.span, format!("this workspace does not accept {}", f.code.id()))
                .note("an exemption is placed on the workspace's resource group (a deny refuses the workspace's creation, so the exemption cannot wait for it), and applies to every resource under it")
                .help(format!("move one of the workspaces to another resource group, or accept {} in the other workspace too", f.code.id())),
            );
        }
    }
}
