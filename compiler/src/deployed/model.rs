//! The model of one deployed workspace, recovered from ARM resources
//! (`observe.rs`): what `import` writes a posture from and what `drift`
//! compares. Values are kept as Azure writes them (`"Disabled"`,
//! `"AllowOnlyApprovedOutbound"`, resource ids as given), so a comparison
//! can quote both sides in Azure's words; ids compare ignoring case, as
//! ARM does ([`same_id`]).
//!
//! Every item keeps the [`Span`] of the resource it came from, so a
//! diagnostic can point into the deployed file.

use std::collections::BTreeMap;

use crate::span::Span;

/// Everything recovered from one set of deployed files.
#[derive(Clone, Debug, Default)]
pub struct Observed {
    pub workspaces: Vec<ObservedWorkspace>,
    /// Resources of the input that belong to no workspace of the posture
    /// language (a virtual machine, a SQL server), or to no workspace of
    /// the input: what they are and where.
    pub ignored: Vec<Loss>,
}

/// Something of the deployed state a posture cannot say, with why: listed
/// in the imported posture's comments and as a diagnostic, never dropped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loss {
    pub origin: Span,
    /// What it is, e.g. "outbound rule `x`: a service tag rule with address prefixes".
    pub what: String,
    /// Why it cannot be represented.
    pub why: String,
}

/// One deployed Azure Machine Learning workspace and what belongs to it.
#[derive(Clone, Debug)]
pub struct ObservedWorkspace {
    pub origin: Span,
    pub id: String,
    pub name: String,
    pub subscription_id: Option<String>,
    pub resource_group: Option<String>,
    /// The region as Azure writes it (`westeurope`, `West Europe`).
    pub location: String,
    pub tags: BTreeMap<String, String>,
    /// `kind`: `Default`, `Hub`, `Project`, `FeatureStore`.
    pub kind: Option<String>,
    pub identity: ObservedIdentity,
    /// `properties.publicNetworkAccess`: `Enabled`, `Disabled`.
    pub public_network_access: Option<String>,
    /// `properties.networkAcls.defaultAction` and its `ipRules[].value`.
    pub network_acls: Option<(String, Vec<String>)>,
    /// `properties.v1LegacyMode`.
    pub v1_legacy_mode: Option<bool>,
    pub image_build_compute: Option<String>,
    pub network: ObservedNetwork,
    pub storage: Option<Associated<StorageSettings>>,
    pub key_vault: Option<Associated<KeyVaultSettings>>,
    pub container_registry: Option<Associated<RegistrySettings>>,
    pub app_insights: Option<Associated<InsightsSettings>>,
    /// Client private endpoints whose connection targets the workspace or
    /// one of its associated resources.
    pub private_endpoints: Vec<ClientEndpoint>,
    /// Custom VNet mode: the spoke the workspace's computes run in.
    pub spoke: Option<Spoke>,
    pub computes: Vec<ObservedCompute>,
    pub online_endpoints: Vec<OnlineEndpoint>,
    /// Role assignments whose scope is the workspace, its resource group,
    /// one of its associated resources or a private endpoint target.
    pub grants: Vec<ObservedGrant>,
    /// What belongs to this workspace but cannot be written in a posture.
    pub losses: Vec<Loss>,
}

/// The workspace's managed identity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ObservedIdentity {
    None,
    SystemAssigned,
    /// `UserAssigned`, with the identities (and the primary one, if set).
    UserAssigned {
        ids: Vec<String>,
        primary: Option<String>,
    },
    /// `SystemAssigned,UserAssigned`.
    Both {
        ids: Vec<String>,
    },
}

/// `properties.managedNetwork`.
#[derive(Clone, Debug, Default)]
pub struct ObservedNetwork {
    /// `Disabled`, `AllowInternetOutbound`, `AllowOnlyApprovedOutbound`;
    /// `None` when the workspace has no managed network object (the
    /// same as `Disabled` to Azure).
    pub isolation_mode: Option<String>,
    /// `Standard`, `Basic`.
    pub firewall_sku: Option<String>,
    /// `properties.provisionNetworkNow`.
    pub provision_now: Option<bool>,
    /// `managedNetwork.status.status`: `Active`, `Inactive` (read-only).
    pub status: Option<String>,
    /// Every rule by name, as deployed: the workspace's own and the
    /// outbound rules read as child resources (`.../outboundRules/<name>`).
    pub rules: BTreeMap<String, ObservedRule>,
}

/// One outbound rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObservedRule {
    pub origin: Span,
    pub name: String,
    /// `UserDefined`, `Required`, `Recommended`, `Dependency`.
    pub category: Option<String>,
    /// `Active`, `Inactive` (read-only).
    pub status: Option<String>,
    pub destination: RuleDestination,
}

impl ObservedRule {
    /// A rule the platform adds itself (any category but `UserDefined`, or
    /// a `__SYS_` name): recognised, never turned into a user rule.
    #[must_use]
    pub fn is_platform(&self) -> bool {
        self.name.starts_with("__SYS")
            || self
                .category
                .as_deref()
                .is_some_and(|c| !c.eq_ignore_ascii_case("UserDefined"))
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RuleDestination {
    Fqdn {
        host: String,
        /// FQDN rules' optional port ranges, where the API has them.
        ports: Option<String>,
    },
    ServiceTag {
        tag: String,
        /// `TCP`, `UDP`, `ICMP`, `*`.
        protocol: Option<String>,
        port_ranges: Option<String>,
        /// `action` (`Allow`, `Deny`).
        action: Option<String>,
        /// `addressPrefixes`: a service tag rule written with addresses.
        address_prefixes: Vec<String>,
    },
    PrivateEndpoint {
        target: String,
        subresource: Option<String>,
        spark: Option<bool>,
        /// `fqdns` (application gateway and similar targets).
        fqdns: Vec<String>,
    },
    /// A type the model does not know: its `type` as given.
    Other(String),
}

/// An associated resource: its id, and its settings when the resource
/// itself is part of the input.
#[derive(Clone, Debug)]
pub struct Associated<T> {
    pub id: String,
    pub settings: Option<T>,
    /// Where the settings were read (or the workspace's reference).
    pub origin: Span,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StorageSettings {
    pub public_network_access: Option<String>,
    /// `networkAcls.defaultAction`: `Allow`, `Deny`.
    pub default_action: Option<String>,
    /// `networkAcls.bypass`, e.g. `AzureServices`, `None`.
    pub bypass: Option<String>,
    /// `networkAcls.resourceAccessRules[].resourceId`.
    pub resource_access_rules: Vec<String>,
    /// `networkAcls.virtualNetworkRules[].id`: service endpoints of subnets.
    pub virtual_network_rules: Vec<String>,
    pub ip_rules: Vec<String>,
    pub sku: Option<String>,
    pub kind: Option<String>,
    pub allow_blob_public_access: Option<bool>,
    pub allow_shared_key_access: Option<bool>,
    pub minimum_tls_version: Option<String>,
    pub is_hns_enabled: Option<bool>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyVaultSettings {
    pub public_network_access: Option<String>,
    pub default_action: Option<String>,
    pub bypass: Option<String>,
    pub enable_purge_protection: Option<bool>,
    pub enable_rbac_authorization: Option<bool>,
    pub sku: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RegistrySettings {
    pub public_network_access: Option<String>,
    /// `Basic`, `Standard`, `Premium`.
    pub sku: Option<String>,
    /// `networkRuleBypassOptions`: `AzureServices`, `None`.
    pub bypass: Option<String>,
    pub default_action: Option<String>,
    pub admin_user_enabled: Option<bool>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InsightsSettings {
    /// `WorkspaceResourceId`: the Log Analytics workspace.
    pub log_analytics: Option<String>,
}

/// A private endpoint in a client VNet to the workspace or an associated
/// resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientEndpoint {
    pub origin: Span,
    pub id: String,
    pub name: String,
    pub location: Option<String>,
    pub subnet: String,
    /// The connection's `privateLinkServiceId`.
    pub target: String,
    pub group_ids: Vec<String>,
    /// Whether the connection is a manual one (`manualPrivateLinkServiceConnections`).
    pub manual: bool,
    /// `privateLinkServiceConnectionState.status`: `Approved`, `Pending`, ...
    pub status: Option<String>,
    /// The zones of its DNS zone group (ids), when the zone group is known.
    pub zones: Option<Vec<String>>,
    /// Whether every one of those zones is itself in the input.
    pub zones_in_input: bool,
}

/// Custom VNet mode: the workspace's spoke, as deployed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Spoke {
    pub vnet_id: String,
    /// The subnet the workspace's computes run in (its name).
    pub training_subnet: String,
    /// Whether the VNet resource itself is in the input (else only its
    /// subnets are).
    pub vnet_known: bool,
    pub vnet_name: String,
    pub location: Option<String>,
    pub address_space: Vec<String>,
    pub dns_servers: Vec<String>,
    /// Subnets by name: address prefix, NSG id, route table id, service
    /// endpoint policies, service endpoints.
    pub subnets: BTreeMap<String, SpokeSubnet>,
    /// NSG rules by NSG name.
    pub nsg_rules: BTreeMap<String, Vec<NsgRule>>,
    /// Routes of the route table: (address prefix, next hop type, next hop IP).
    pub routes: Vec<(String, String, Option<String>)>,
    pub service_endpoint_policy: bool,
    /// The peering's remote VNet.
    pub hub_vnet: Option<String>,
    /// Private DNS zone links (ids) to the spoke VNet.
    pub zone_links: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SpokeSubnet {
    pub address_prefix: String,
    pub nsg: Option<String>,
    pub route_table: Option<String>,
    pub service_endpoint_policies: Vec<String>,
    pub service_endpoints: Vec<String>,
    /// Delegations as (name, service).
    pub delegations: Vec<(String, String)>,
    pub nat_gateway: Option<String>,
    pub private_endpoint_network_policies: Option<String>,
    pub default_outbound_access: Option<bool>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NsgRule {
    pub name: String,
    pub access: String,
    pub direction: String,
    pub priority: u32,
    pub protocol: String,
    pub source: String,
    pub destination: String,
    /// Destination ports: `destinationPortRange` or the joined `destinationPortRanges`.
    pub ports: String,
}

/// One compute of the workspace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObservedCompute {
    pub origin: Span,
    pub name: String,
    /// `computeType`: `ComputeInstance`, `AmlCompute`, `Kubernetes`,
    /// `VirtualMachine`, ...
    pub compute_type: String,
    pub location: Option<String>,
    pub vm_size: Option<String>,
    pub max_nodes: Option<u64>,
    pub subnet: Option<String>,
    /// `enableNodePublicIp`.
    pub public_ip: Option<bool>,
    /// `sshSettings.sshPublicAccess` (instance) or
    /// `remoteLoginPortPublicAccess` (cluster): `Enabled`, `Disabled`,
    /// `NotSpecified`.
    pub ssh_public_access: Option<String>,
    /// `disableLocalAuth`.
    pub disable_local_auth: Option<bool>,
    /// `setupScripts.scripts.creationScript.scriptData`.
    pub setup_script: Option<String>,
    pub identity: ObservedIdentity,
    /// `personalComputeInstanceSettings.assignedUser`: object and tenant id.
    pub assigned_user: Option<(String, Option<String>)>,
}

/// `Microsoft.MachineLearningServices/workspaces/onlineEndpoints`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OnlineEndpoint {
    pub origin: Span,
    pub name: String,
    pub public_network_access: Option<String>,
}

/// One role assignment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObservedGrant {
    pub origin: Span,
    /// The scope's id (the resource, group or subscription it is on).
    pub scope: String,
    /// `principalId` as given (a GUID, or in a template read offline the
    /// stand-in of a `reference()` to an identity).
    pub principal_id: String,
    /// Whose identity it is, as far as the input tells.
    pub principal: Principal,
    /// `User`, `Group`, `ServicePrincipal`, ... when given.
    pub principal_type: Option<String>,
    /// The role definition's GUID (the last segment of `roleDefinitionId`).
    pub role: String,
}

/// The principal of a role assignment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Principal {
    /// The workspace's own managed identity (its `principalId`, or a
    /// reference to the workspace).
    Workspace,
    /// A user-assigned identity of the input, by its resource id (its
    /// `principalId`, or a reference to it).
    Identity(String),
    /// Any other object id.
    Object(String),
}

/// Two resource ids name the same resource: ARM ids ignore case.
#[must_use]
pub fn same_id(a: &str, b: &str) -> bool {
    a.trim_end_matches('/')
        .eq_ignore_ascii_case(b.trim_end_matches('/'))
}
