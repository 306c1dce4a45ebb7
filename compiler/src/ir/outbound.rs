//! The managed network's outbound side: the isolation mode, the firewall
//! SKU FQDN rules bring, the presets, and the outbound rules with their
//! destinations and origins.

use super::custom_vnet::Spoke;
use super::newtypes::{ArmName, FqdnPattern, PortRanges, ResourceId, ServiceTag};
use super::settings::keyword_in;
use super::settings::{Protocol, Setting};
use crate::span::Span;

/// The managed network's isolation mode. Ordered: a workspace may only move up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IsolationMode {
    Disabled,
    AllowInternetOutbound,
    AllowOnlyApprovedOutbound,
}

impl IsolationMode {
    pub const ALL: &'static [(&'static str, IsolationMode)] = &[
        ("disabled", IsolationMode::Disabled),
        (
            "allow_internet_outbound",
            IsolationMode::AllowInternetOutbound,
        ),
        (
            "allow_only_approved_outbound",
            IsolationMode::AllowOnlyApprovedOutbound,
        ),
    ];

    /// The posture-language keyword (also the manifest's spelling).
    #[must_use]
    pub fn keyword(self) -> &'static str {
        keyword_in(Self::ALL, self)
    }

    /// The ARM `managedNetwork.isolationMode` value.
    #[must_use]
    pub fn arm(self) -> &'static str {
        match self {
            IsolationMode::Disabled => "Disabled",
            IsolationMode::AllowInternetOutbound => "AllowInternetOutbound",
            IsolationMode::AllowOnlyApprovedOutbound => "AllowOnlyApprovedOutbound",
        }
    }

    #[must_use]
    pub fn from_keyword(k: &str) -> Option<IsolationMode> {
        Self::ALL.iter().find(|(n, _)| *n == k).map(|(_, m)| *m)
    }

    #[must_use]
    pub fn is_managed(self) -> bool {
        self != IsolationMode::Disabled
    }
}

/// SKU of the managed Azure Firewall that FQDN rules bring.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FirewallSku {
    Standard,
    Basic,
}

impl FirewallSku {
    #[must_use]
    pub fn arm(self) -> &'static str {
        match self {
            FirewallSku::Standard => "Standard",
            FirewallSku::Basic => "Basic",
        }
    }
}

/// Scenario presets that expand into documented outbound rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Preset {
    PythonPackages,
    VsCode,
    HuggingFace,
    BatchEndpoints,
    /// Implied by `public_network_access = selected_ips`.
    SelectedIps,
}

impl Preset {
    /// The presets a posture may name with `allow`.
    pub const NAMED: &'static [(&'static str, Preset)] = &[
        ("python_packages", Preset::PythonPackages),
        ("vscode", Preset::VsCode),
        ("huggingface", Preset::HuggingFace),
        ("batch_endpoints", Preset::BatchEndpoints),
    ];

    #[must_use]
    pub fn keyword(self) -> &'static str {
        match self {
            Preset::SelectedIps => "selected_ips",
            other => keyword_in(Self::NAMED, other),
        }
    }

    /// The prefix of the rule names it generates.
    #[must_use]
    pub fn rule_prefix(self) -> &'static str {
        match self {
            Preset::PythonPackages => "python-packages",
            Preset::VsCode => "vscode",
            Preset::HuggingFace => "huggingface",
            Preset::BatchEndpoints => "batch-endpoints",
            Preset::SelectedIps => "selected-ips",
        }
    }
}

/// Why an outbound rule exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleOrigin {
    /// Written as a `rule`.
    User,
    /// Expanded from a preset written at this span.
    Preset(Preset, Span),
}

/// Where a private endpoint rule points: the workspace's own default
/// storage (for presets that need it) or a resource id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PeTarget {
    Resource(ResourceId),
    /// The workspace's default storage account.
    DefaultStorage,
    /// The workspace itself (selected-IP inbound).
    ThisWorkspace,
}

/// What an outbound rule allows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Destination {
    PrivateEndpoint {
        target: PeTarget,
        /// Group id, in the casing the target type documents.
        subresource: String,
        spark: bool,
    },
    ServiceTag {
        tag: ServiceTag,
        protocol: Protocol,
        ports: PortRanges,
    },
    Fqdn {
        fqdn: FqdnPattern,
        /// The pattern as the posture wrote it, when that is not its
        /// canonical form but for ASCII case (a trailing dot, Unicode or
        /// full-width labels): the checker says so.
        written: Option<String>,
    },
}

impl Destination {
    #[must_use]
    pub fn kind(&self) -> RuleKind {
        match self {
            Destination::PrivateEndpoint { .. } => RuleKind::PrivateEndpoint,
            Destination::ServiceTag { .. } => RuleKind::ServiceTag,
            Destination::Fqdn { .. } => RuleKind::Fqdn,
        }
    }
}

/// The three outbound rule kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RuleKind {
    PrivateEndpoint,
    ServiceTag,
    Fqdn,
}

impl RuleKind {
    pub const ALL: &'static [(&'static str, RuleKind)] = &[
        ("private_endpoint", RuleKind::PrivateEndpoint),
        ("service_tag", RuleKind::ServiceTag),
        ("fqdn", RuleKind::Fqdn),
    ];

    #[must_use]
    pub fn keyword(self) -> &'static str {
        keyword_in(Self::ALL, self)
    }

    /// The ARM outbound rule `type`.
    #[must_use]
    pub fn arm(self) -> &'static str {
        match self {
            RuleKind::PrivateEndpoint => "PrivateEndpoint",
            RuleKind::ServiceTag => "ServiceTag",
            RuleKind::Fqdn => "FQDN",
        }
    }
}

/// One outbound rule of the managed network.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboundRule {
    pub name: ArmName,
    pub destination: Destination,
    pub origin: RuleOrigin,
    /// Where the rule (or its preset) was written.
    pub span: Span,
    /// Ports written on an FQDN rule (checked: 80 and 443 only).
    pub fqdn_ports: Option<(PortRanges, Span)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outbound {
    pub mode: Setting<IsolationMode>,
    pub firewall_sku: Setting<FirewallSku>,
    pub provision_now: Setting<bool>,
    pub rules: Vec<OutboundRule>,
    /// Where each preset was named (presets without rules of their own,
    /// like batch endpoints without AI services, still count).
    pub presets: Vec<(Preset, Span)>,
    /// Custom VNet mode: the spoke network the compute runs in.
    pub spoke: Option<Spoke>,
    /// Custom VNet mode was asked for (`mode = custom_vnet`, or a `vnet`
    /// block without a managed mode), even if the `vnet` block did not
    /// lower: later rules then do not report what its errors explain.
    pub custom_requested: bool,
    pub span: Option<Span>,
}

impl Outbound {
    /// The spoke network, in custom VNet mode (a `vnet` block under a
    /// managed mode is an error, and not custom VNet mode).
    #[must_use]
    pub fn custom_vnet(&self) -> Option<&Spoke> {
        self.spoke
            .as_ref()
            .filter(|_| !self.mode.value.is_managed())
    }

    /// The mode as the posture language names it: `custom_vnet` for a
    /// disabled managed network with a spoke.
    #[must_use]
    pub fn mode_keyword(&self) -> &'static str {
        if self.custom_requested {
            "custom_vnet"
        } else {
            self.mode.value.keyword()
        }
    }

    /// Whether any rule asks for Spark.
    #[must_use]
    pub fn spark(&self) -> bool {
        self.rules.iter().any(|r| {
            matches!(
                r.destination,
                Destination::PrivateEndpoint { spark: true, .. }
            )
        })
    }

    #[must_use]
    pub fn has_fqdn_rules(&self) -> bool {
        self.rules
            .iter()
            .any(|r| r.destination.kind() == RuleKind::Fqdn)
    }
}
