//! What the policy blocks of a build would do to its workspaces: which
//! workspaces a block's scope reaches, which controls would deny
//! (`AML3029`) or flag (`AML3190`) one of them, and which of those findings
//! the workspace accepts, so that the policy block carries a policy
//! exemption for it. The checker reports the findings; `emit::lower`
//! turns the accepted ones into `Microsoft.Authorization/policyExemptions`.
//! Both call these functions, so what is reported and what is exempted
//! cannot drift apart.

use super::accept::Accepted;
use super::compute::ComputeKind;
use super::inbound::PublicNetworkAccess;
use super::newtypes::Guid;
use super::outbound::{Destination, RuleOrigin};
use super::policy::{Control, Effect, Policy, PolicyControl, PolicyScope};
use super::posture::{Posture, Workspace};
use crate::diag::Code;
use crate::span::Span;

/// Whether a policy block's assignment reaches a workspace of the build,
/// and in which subscription the workspace then is.
///
/// What amlgen knows: a workspace's `subscription_id` (when written) and a
/// subscription-scoped assignment's subscription; not the management group
/// tree, nor where a workspace without `subscription_id` is deployed (the
/// deployer's CLI decides). So:
/// - a workspace of the policy block's own file is reached (a posture that
///   writes guardrails next to a workspace means them for it);
/// - a `subscription` scope also reaches every workspace of the build in
///   that subscription;
/// - a `management_group` scope also reaches every workspace of the build
///   in a subscription of a workspace of the block's own file (a
///   subscription sits in one management group, so it is under the same
///   assignment as that workspace).
///
/// Other workspaces, and workspaces of other files without
/// `subscription_id`, are not reached: amlgen cannot show they are under
/// the assignment, and a build may hold several landing zones.
#[must_use]
pub fn reaches(posture: &Posture, policy: &Policy, ws: &Workspace) -> Option<Reach> {
    let same_file = ws.span.file == policy.span.file;
    match &policy.scope {
        PolicyScope::Subscription(sub) => match &ws.subscription_id {
            Some(own) if own != sub => None,
            Some(_) => Some(Reach {
                subscription: Some(sub.clone()),
            }),
            None => same_file.then(|| Reach {
                subscription: Some(sub.clone()),
            }),
        },
        PolicyScope::ManagementGroup(_) => {
            let under = same_file
                || ws.subscription_id.as_ref().is_some_and(|own| {
                    posture.workspaces.iter().any(|w| {
                        w.span.file == policy.span.file && w.subscription_id.as_ref() == Some(own)
                    })
                });
            under.then(|| Reach {
                subscription: ws.subscription_id.clone(),
            })
        }
    }
}

/// A workspace a policy block reaches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reach {
    /// The workspace's subscription, when the posture or the assignment's
    /// scope says it; `None` for a management-group assignment and a
    /// workspace without `subscription_id` (no exemption can be placed).
    pub subscription: Option<Guid>,
}

/// The finding a control's effect makes of a workspace it would not pass:
/// a `deny` refuses the deployment (`AML3029`), an `audit` or
/// `audit_if_not_exists` marks it non-compliant (`AML3190`). Other effects
/// do not judge the workspace's request.
#[must_use]
pub fn finding_code(effect: Effect) -> Option<Code> {
    match effect {
        Effect::Deny => Some(Code::PolicyContradiction),
        Effect::Audit | Effect::AuditIfNotExists => Some(Code::PolicyFlagsWorkspace),
        Effect::Disabled | Effect::DeployIfNotExists | Effect::Modify => None,
    }
}

/// One control of one policy block that would deny or flag one workspace.
#[derive(Clone, Debug)]
pub struct PolicyFinding<'a> {
    pub policy: &'a Policy,
    pub control: &'a PolicyControl,
    pub workspace: &'a Workspace,
    pub code: Code,
    /// Why the workspace does not pass, and where it says so.
    pub why: String,
    pub at: Span,
    pub reach: Reach,
    /// The workspace's acceptance of exactly this finding's code, if any.
    pub accepted: Option<&'a Accepted>,
}

impl PolicyFinding<'_> {
    /// The exemption's placement: the workspace's subscription and
    /// resource group, when the acceptance holds and the subscription is
    /// known.
    #[must_use]
    pub fn exemption_target(&self) -> Option<(&Accepted, &Guid)> {
        Some((self.accepted?, self.reach.subscription.as_ref()?))
    }
}

/// Every control of every policy block of the build that would deny or
/// flag a workspace its scope reaches, in posture order (blocks, controls,
/// workspaces).
#[must_use]
pub fn findings(posture: &Posture) -> Vec<PolicyFinding<'_>> {
    posture
        .policies
        .iter()
        .flat_map(|policy| findings_of(posture, policy))
        .collect()
}

/// The findings of one policy block of the build, in order of its controls
/// and then of the workspaces.
#[must_use]
pub fn findings_of<'a>(posture: &'a Posture, policy: &'a Policy) -> Vec<PolicyFinding<'a>> {
    let mut out = Vec::new();
    for control in &policy.controls {
        let Some(code) = finding_code(control.effect) else {
            continue;
        };
        for ws in &posture.workspaces {
            let Some(reach) = reaches(posture, policy, ws) else {
                continue;
            };
            if let Some((why, at)) = violation(&control.control, ws) {
                out.push(PolicyFinding {
                    policy,
                    control,
                    workspace: ws,
                    code,
                    why,
                    at,
                    reach,
                    accepted: posture.accepts_for(ws).find(|a| a.code == code),
                });
            }
        }
    }
    out
}

/// Why `ws` does not pass `control`, and where the posture says so; `None`
/// when it passes (or the control judges nothing a posture declares).
#[must_use]
pub fn violation(control: &Control, ws: &Workspace) -> Option<(String, Span)> {
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
