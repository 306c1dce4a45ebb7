//! The hub team's part of custom VNet mode as the model carries it: what
//! each workspace's spoke needs the hub firewall to allow, and the DNS
//! zone links the hub team makes.

use serde::Serialize;

/// The rule collection group's name in the hub's policy.
pub const GROUP_NAME: &str = "amlgen-aml-workspaces";
/// Its priority unless the hub team passes another.
pub const DEFAULT_PRIORITY: u32 = 500;

/// One destination the hub firewall must allow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Allow {
    /// `service_tag` (a network rule) or `fqdn` (an application rule).
    pub kind: &'static str,
    pub destination: String,
    /// Network rules: `TCP`, `UDP`, `Any`; application rules: `Https:443`, `Http:80`.
    pub protocols: Vec<String>,
    /// Network rules' destination ports (empty for application rules).
    pub ports: Vec<String>,
    /// The spoke prefixes the traffic comes from.
    pub sources: Vec<String>,
    pub why: String,
    /// `required` (the documented table, with its seed) or the posture line.
    pub origin: String,
}

/// Traffic of the spoke that does not reach the hub firewall.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Bypass {
    pub destination: String,
    pub why: String,
}

/// What one workspace's spoke needs from the hub firewall.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WorkspaceAllow {
    pub workspace: String,
    pub region: String,
    pub spoke: String,
    /// The firewall IP the spoke's default route points at.
    pub firewall_ip: String,
    pub allow: Vec<Allow>,
    pub not_through_firewall: Vec<Bypass>,
    /// The hub's private DNS zones the hub team links to a spoke the
    /// deployment creates (`link_zones = false`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dns_zone_links: Vec<ZoneLink>,
}

/// A virtual network link the hub team makes on one of their zones.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ZoneLink {
    pub zone: String,
    /// The link's name: the one `link_zones = true` would give it.
    pub link_name: String,
    pub virtual_network: String,
    pub virtual_network_resource_group: String,
    /// `None` when the posture does not name the workspace's subscription.
    pub virtual_network_subscription: Option<String>,
    pub registration_enabled: bool,
}
