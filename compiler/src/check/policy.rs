//! Policy blocks against the workspaces of the same file: a guardrail that
//! would deny what the same posture deploys is an error.

use super::context::report;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::ir::{
    ComputeKind, Control, Destination, Effect, Posture, PublicNetworkAccess, RuleOrigin, Workspace,
};

pub fn contradictions(posture: &Posture, d: &mut Diagnostics) {
    for policy in &posture.policies {
        for c in policy.controls.iter().filter(|c| c.effect == Effect::Deny) {
            for ws in posture
                .workspaces
                .iter()
                .filter(|w| w.span.file == policy.span.file)
            {
                if let Some((why, at)) = violation(&c.control, ws) {
                    report(
                        d,
                        Diagnostic::new(
                            Code::PolicyContradiction,
                            c.span,
                            format!(
                                "policy `{}` would deny workspace `{}`",
                                policy.name, ws.name
                            ),
                        )
                        .label("this control denies it")
                        .with_label(at, why)
                        .help("change the workspace to comply, or use `audit` while it migrates"),
                    );
                }
            }
        }
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

/// Why `ws` breaks `control`, and where.
fn violation(control: &Control, ws: &Workspace) -> Option<(String, crate::span::Span)> {
    let pna = &ws.inbound.public_network_access;
    match control {
        Control::IsolationMode { allowed } => (!allowed.contains(&ws.outbound.mode.value)).then(|| {
            (
                format!("isolation mode `{}` is not allowed", ws.outbound.mode.value.keyword()),
                ws.outbound.mode.span().unwrap_or(ws.span),
            )
        }),
        Control::PrivateEndpoints { allow_selected_ips } => match pna.value {
            PublicNetworkAccess::Enabled => Some(("public network access is enabled".into(), pna.span().unwrap_or(ws.span))),
            PublicNetworkAccess::SelectedIps(_) if !allow_selected_ips => Some((
                "public network access is enabled for selected IPs (add `allow_selected_ips = true` to the control to permit it)".into(),
                pna.span().unwrap_or(ws.span),
            )),
            _ => None,
        },
        Control::PublicIpCompute => {
            if ws.compute.public_ip.value {
                return Some(("compute has public IPs".into(), ws.compute.public_ip.span().unwrap_or(ws.span)));
            }
            ws.computes
                .iter()
                .find(|c| c.public_ip.value)
                .map(|c| (format!("compute `{}` has a public IP", c.name), c.public_ip.span().unwrap_or(c.span)))
        }
        Control::LocalAuth => ws
            .compute
            .local_auth
            .value
            .then(|| ("local authentication is enabled on compute".into(), ws.compute.local_auth.span().unwrap_or(ws.span))),
        Control::Ssh => ws
            .compute
            .ssh
            .value
            .then(|| ("SSH is enabled on compute".into(), ws.compute.ssh.span().unwrap_or(ws.span))),
        Control::SetupScript { script } => {
            let instance = ws.computes.iter().find(|c| c.kind.value == ComputeKind::Instance)?;
            match (&ws.compute.setup_script, script) {
                (None, _) => Some((format!("compute instance `{}` has no setup script", instance.name), instance.span)),
                (Some((have, span)), Some(want)) if have != want => Some((format!("the setup script is `{have}`, the policy requires `{want}`"), *span)),
                _ => None,
            }
        }
        // In custom VNet mode the rules are the hub firewall's: the
        // workspace has no outbound rules for the control to deny.
        Control::OutboundRules { .. } if ws.outbound.custom_vnet().is_some() => None,
        Control::OutboundRules { kinds, fqdns } => ws.outbound.rules.iter().find_map(|r| {
            let at = match r.origin {
                RuleOrigin::User => r.span,
                RuleOrigin::Preset(_, s) => s,
            };
            if !kinds.contains(&r.destination.kind()) {
                return Some((format!("rule `{}` is a {} rule", r.name, r.destination.kind().keyword()), at));
            }
            if let (Destination::Fqdn { fqdn, .. }, Some(list)) = (&r.destination, fqdns)
                && !list.contains(fqdn)
            {
                return Some((format!("rule `{}` allows `{fqdn}`, which is not on the policy's list", r.name), at));
            }
            None
        }),
        Control::ComputeInSubnet => {
            if ws.outbound.mode.value.is_managed() {
                ws.computes.first().map(|c| {
                    (
                        format!("compute `{}` runs in the managed network, not in a subnet", c.name),
                        c.span,
                    )
                })
            } else {
                ws.computes
                    .iter()
                    // Custom VNet mode places them in the training subnet.
                    .filter(|_| ws.outbound.custom_vnet().is_none())
                    .find(|c| c.subnet.is_none() && matches!(c.kind.value, ComputeKind::Instance | ComputeKind::Cluster))
                    .map(|c| (format!("compute `{}` has no subnet", c.name), c.span))
            }
        }
        Control::PrivateLink | Control::PrivateDnsZones { .. } => None,
    }
}
