//! Custom VNet mode: the spoke network (created or existing), its
//! subnets and what an existing one keeps, and the NSG rules the posture
//! adds.

use super::newtypes::{ArmName, Ipv4Net, PortRanges, ResourceId, ServiceTag};
use super::settings::keyword_in;
use super::settings::{Protocol, Region, Setting};
use crate::span::Span;

/// The subnets of a spoke network and what each holds (seeds 001, 003).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SubnetRole {
    /// Compute instances and clusters.
    Training,
    /// Kubernetes (AKS) for scoring.
    Scoring,
    /// Private endpoints to the workspace and its resources.
    Pe,
}

impl SubnetRole {
    pub const ALL: &'static [(&'static str, SubnetRole)] = &[
        ("training", SubnetRole::Training),
        ("scoring", SubnetRole::Scoring),
        ("pe", SubnetRole::Pe),
    ];

    #[must_use]
    pub fn keyword(self) -> &'static str {
        keyword_in(Self::ALL, self)
    }

    /// The subnet's name unless the posture names it.
    #[must_use]
    pub fn default_name(self) -> &'static str {
        match self {
            SubnetRole::Training => "snet-training",
            SubnetRole::Scoring => "snet-scoring",
            SubnetRole::Pe => "snet-pe",
        }
    }
}

/// One subnet of the spoke.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpokeSubnet {
    pub role: SubnetRole,
    pub name: String,
    pub prefix: Ipv4Net,
    /// Where its prefix is written.
    pub span: Span,
}

/// The spoke virtual network: created by the deployment, or existing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SpokeVnet {
    Create {
        name: String,
        address_space: Vec<Ipv4Net>,
        /// The hub VNet the spoke peers with (where the firewall is);
        /// without it, peering is left to whoever vends the spokes.
        hub: Option<ResourceId>,
        span: Span,
    },
    Existing {
        id: ResourceId,
        span: Span,
    },
}

/// Direction of a network security rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NsgDirection {
    Inbound,
    Outbound,
}

impl NsgDirection {
    pub const ALL: &'static [(&'static str, NsgDirection)] = &[
        ("inbound", NsgDirection::Inbound),
        ("outbound", NsgDirection::Outbound),
    ];

    #[must_use]
    pub fn arm(self) -> &'static str {
        match self {
            NsgDirection::Inbound => "Inbound",
            NsgDirection::Outbound => "Outbound",
        }
    }
}

/// Allow or deny, for a network security rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NsgAccess {
    Allow,
    Deny,
}

impl NsgAccess {
    pub const ALL: &'static [(&'static str, NsgAccess)] =
        &[("allow", NsgAccess::Allow), ("deny", NsgAccess::Deny)];

    #[must_use]
    pub fn arm(self) -> &'static str {
        match self {
            NsgAccess::Allow => "Allow",
            NsgAccess::Deny => "Deny",
        }
    }
}

/// The source or destination of a network security rule.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum NsgAddress {
    Any,
    Cidr(Ipv4Net),
    Tag(ServiceTag),
}

impl std::fmt::Display for NsgAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NsgAddress::Any => f.write_str("*"),
            NsgAddress::Cidr(n) => write!(f, "{n}"),
            NsgAddress::Tag(t) => f.write_str(t.as_str()),
        }
    }
}

/// A network security rule the posture adds to a spoke subnet's NSG.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NsgRule {
    pub name: ArmName,
    pub subnet: SubnetRole,
    pub direction: NsgDirection,
    pub access: NsgAccess,
    /// Written priority (100 to 4096); unwritten ones follow the required rules.
    pub priority: Option<(u16, Span)>,
    pub protocol: Protocol,
    pub source: NsgAddress,
    pub destination: NsgAddress,
    /// Destination ports; `None` is any.
    pub ports: Option<PortRanges>,
    pub span: Span,
}

/// Custom VNet mode: no managed network; compute runs in your own spoke
/// VNet and every packet to the internet goes through the hub firewall.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spoke {
    pub vnet: SpokeVnet,
    /// The spoke's region (the workspace's unless written).
    pub region: Setting<Region>,
    /// Training and pe always; scoring when written. Sorted by role.
    pub subnets: Vec<SpokeSubnet>,
    /// The hub firewall's private IP, the next hop of 0.0.0.0/0.
    pub firewall_ip: (Ipv4Net, Span),
    /// A service endpoint policy with the AML alias on the training subnet.
    pub service_endpoint_policy: Setting<bool>,
    pub nsg_extra: Vec<NsgRule>,
    /// A created spoke's DNS servers (`dhcpOptions.dnsServers`), e.g. the
    /// hub's DNS resolver; empty is Azure's DNS.
    pub dns_servers: Vec<(Ipv4Net, Span)>,
    /// An existing spoke: what each rewritten subnet keeps (`keep`).
    pub keep: Vec<SubnetKeep>,
    pub span: Span,
}

/// What an existing spoke subnet has that amlgen's write must carry: a
/// subnet write replaces its properties (`keep <role> { ... }`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubnetKeep {
    pub role: SubnetRole,
    /// `(name, serviceName)` of each delegation, as the subnet has them.
    pub delegations: Vec<(String, String)>,
    pub nat_gateway: Option<ResourceId>,
    /// Service endpoints besides the one amlgen sets (`Microsoft.Storage`
    /// on a guarded training subnet).
    pub service_endpoints: Vec<String>,
    /// `privateEndpointNetworkPolicies`, as the schema spells it.
    pub private_endpoint_network_policies: Option<&'static str>,
    pub default_outbound_access: Option<bool>,
    pub span: Span,
}

impl Spoke {
    #[must_use]
    pub fn subnet(&self, role: SubnetRole) -> Option<&SpokeSubnet> {
        self.subnets.iter().find(|s| s.role == role)
    }

    /// The address space: written, or (for an existing VNet) unknown.
    #[must_use]
    pub fn address_space(&self) -> &[Ipv4Net] {
        match &self.vnet {
            SpokeVnet::Create { address_space, .. } => address_space,
            SpokeVnet::Existing { .. } => &[],
        }
    }

    /// The VNet's name.
    #[must_use]
    pub fn vnet_name(&self) -> &str {
        match &self.vnet {
            SpokeVnet::Create { name, .. } => name,
            SpokeVnet::Existing { id, .. } => id.name(),
        }
    }
}
