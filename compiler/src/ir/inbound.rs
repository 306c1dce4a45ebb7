//! The workspace's inbound side: public network access (with selected
//! IPs) and the private endpoints in the client VNet, with their DNS and
//! placement.

use super::newtypes::{Ipv4Net, ResourceGroupName, ResourceId};
use super::settings::{Region, Setting};
use crate::span::Span;

/// The workspace's public network access.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PublicNetworkAccess {
    Disabled,
    Enabled,
    /// Enabled from these IPv4 addresses and ranges only.
    SelectedIps(Vec<Ipv4Net>),
}

impl PublicNetworkAccess {
    #[must_use]
    pub fn is_disabled(&self) -> bool {
        matches!(self, PublicNetworkAccess::Disabled)
    }
}

/// What the client-VNet private endpoint's DNS uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Dns {
    /// Create the private DNS zones and link them to the client VNet.
    Create,
    /// Use these existing (hub-managed) private DNS zones.
    Existing(Vec<ResourceId>),
}

/// Which resources get a private endpoint in the client VNet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ClientEndpoint {
    Workspace,
    Storage,
    KeyVault,
    ContainerRegistry,
}

impl ClientEndpoint {
    pub const ALL: &'static [(&'static str, ClientEndpoint)] = &[
        ("workspace", ClientEndpoint::Workspace),
        ("storage", ClientEndpoint::Storage),
        ("key_vault", ClientEndpoint::KeyVault),
        ("container_registry", ClientEndpoint::ContainerRegistry),
    ];
}

/// Where the client private endpoints go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PeSubnet {
    /// A subnet of a network the posture does not manage.
    Id(ResourceId),
    /// The spoke's `pe` subnet (custom VNet mode).
    Spoke,
}

/// The private endpoint(s) in the client VNet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientPrivateEndpoint {
    pub subnet: PeSubnet,
    pub dns: Dns,
    /// The client VNet uses custom DNS servers: conditional forwarders needed.
    pub custom_dns: bool,
    pub targets: Setting<Vec<ClientEndpoint>>,
    /// The resource group the endpoints go in, in the subnet's
    /// subscription: written, else the subnet's own group.
    pub resource_group: Option<(ResourceGroupName, Span)>,
    /// The client virtual network's region, where the endpoints must be:
    /// written, else the workspace's (the spoke's in custom VNet mode).
    pub region: Option<Setting<Region>>,
    /// Existing zones and a spoke the deployment creates: link each zone
    /// to the spoke (`true`: amlgen, in the zones' group) or leave it to
    /// the hub team (`false`). Unset is `AML3152` there.
    pub link_zones: Option<(bool, Span)>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inbound {
    pub public_network_access: Setting<PublicNetworkAccess>,
    pub private_endpoint: Option<ClientPrivateEndpoint>,
}
