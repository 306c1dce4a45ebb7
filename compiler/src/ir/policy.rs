//! Policy blocks: the guardrail controls with their effects and
//! parameters, and where the policy is assigned.

use super::newtypes::{ArmName, FqdnPattern, Guid, ResourceId};
use super::outbound::{IsolationMode, RuleKind};
use super::settings::Region;
use super::settings::keyword_in;
use crate::span::Span;

/// Effects a policy control can take.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Effect {
    Audit,
    Deny,
    Disabled,
    AuditIfNotExists,
    DeployIfNotExists,
    Modify,
}

impl Effect {
    pub const ALL: &'static [(&'static str, Effect)] = &[
        ("audit", Effect::Audit),
        ("deny", Effect::Deny),
        ("disabled", Effect::Disabled),
        ("audit_if_not_exists", Effect::AuditIfNotExists),
        ("deploy_if_not_exists", Effect::DeployIfNotExists),
        ("modify", Effect::Modify),
    ];

    #[must_use]
    pub fn keyword(self) -> &'static str {
        keyword_in(Self::ALL, self)
    }

    /// The ARM policy effect value.
    #[must_use]
    pub fn arm(self) -> &'static str {
        match self {
            Effect::Audit => "Audit",
            Effect::Deny => "Deny",
            Effect::Disabled => "Disabled",
            Effect::AuditIfNotExists => "AuditIfNotExists",
            Effect::DeployIfNotExists => "DeployIfNotExists",
            Effect::Modify => "Modify",
        }
    }
}

/// Where a policy is assigned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PolicyScope {
    ManagementGroup(String),
    Subscription(Guid),
}

/// A guardrail and its parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Control {
    /// Public network access disabled (or selected IPs when allowed).
    PrivateEndpoints { allow_selected_ips: bool },
    /// A private link (private endpoint connection) is present.
    PrivateLink,
    /// Private DNS zones for the workspace private endpoint.
    PrivateDnsZones { zone_ids: Vec<ResourceId> },
    /// Compute without a public IP.
    PublicIpCompute,
    /// A creation (setup) script on every compute instance.
    SetupScript { script: Option<String> },
    /// The managed network isolation mode is one of these.
    IsolationMode { allowed: Vec<IsolationMode> },
    /// Outbound rules only of these kinds, and FQDN rules only to these hosts.
    OutboundRules {
        kinds: Vec<RuleKind>,
        fqdns: Option<Vec<FqdnPattern>>,
    },
    /// Local (non-Entra) authentication off on compute.
    LocalAuth,
    /// No public SSH on compute.
    Ssh,
    /// Compute in a virtual network subnet.
    ComputeInSubnet,
}

impl Control {
    /// Control keywords and the effects each supports.
    pub const KEYWORDS: &'static [(&'static str, &'static [Effect])] = &[
        (
            "compute_in_subnet",
            &[Effect::Audit, Effect::Deny, Effect::Disabled],
        ),
        (
            "isolation_mode",
            &[Effect::Audit, Effect::Deny, Effect::Disabled],
        ),
        (
            "local_auth",
            &[Effect::Audit, Effect::Deny, Effect::Disabled],
        ),
        (
            "outbound_rules",
            &[Effect::Audit, Effect::Deny, Effect::Disabled],
        ),
        (
            "private_dns_zones",
            &[
                Effect::DeployIfNotExists,
                Effect::AuditIfNotExists,
                Effect::Disabled,
            ],
        ),
        (
            "private_endpoints",
            &[Effect::Audit, Effect::Deny, Effect::Disabled],
        ),
        (
            "private_link",
            &[Effect::AuditIfNotExists, Effect::Audit, Effect::Disabled],
        ),
        (
            "public_ip_compute",
            &[Effect::Audit, Effect::Deny, Effect::Disabled],
        ),
        (
            "setup_script",
            &[Effect::Audit, Effect::Deny, Effect::Disabled],
        ),
        ("ssh", &[Effect::Audit, Effect::Deny, Effect::Disabled]),
    ];
}

/// One control of a policy block, with its effect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyControl {
    pub control: Control,
    pub effect: Effect,
    pub span: Span,
}

/// A `policy` block: the guardrails to emit as definitions, an initiative
/// and an assignment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    pub name: ArmName,
    pub scope: PolicyScope,
    /// Where the assignment's managed identity lives, when an effect
    /// needs one (`region = "..."`); else the region of the first
    /// workspace of the same file.
    pub region: Option<Region>,
    pub controls: Vec<PolicyControl>,
    pub span: Span,
}
