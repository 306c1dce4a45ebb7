//! The IR: a typed posture with every default applied and every preset
//! expanded, each remembering where it came from.
//!
//! Field values are closed enums and checked newtypes, so no ill-formed
//! value can be stored. The cross-setting platform rules are checked by
//! [`crate::check`]; only a posture that passed them becomes a
//! [`Checked`], which is what the emitters take.

pub mod lower;
pub mod newtypes;

use std::collections::BTreeMap;

pub use newtypes::{
    ArmName, FqdnPattern, Guid, Ipv4Net, PortRanges, ResourceGroupName, ResourceId, ServiceTag,
};

use crate::span::Span;

/// Where a setting's value came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// Written in the workspace (or the block the setting belongs to).
    Explicit(Span),
    /// Written in the file's `defaults` block.
    Defaults(Span),
    /// Set by the workspace's profile.
    Profile(Profile),
    /// Not written: amlgen chose the safer legal value.
    SecureDefault,
}

/// A value and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setting<T> {
    pub value: T,
    pub source: Source,
}

impl<T> Setting<T> {
    pub fn new(value: T, source: Source) -> Self {
        Self { value, source }
    }

    /// The span to point at: where it was written, if it was.
    #[must_use]
    pub fn span(&self) -> Option<Span> {
        match self.source {
            Source::Explicit(s) | Source::Defaults(s) => Some(s),
            Source::Profile(_) | Source::SecureDefault => None,
        }
    }

    #[must_use]
    pub fn is_explicit(&self) -> bool {
        matches!(self.source, Source::Explicit(_))
    }
}

/// Organisation profiles of the decision guide; each sets defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Profile {
    /// Established network processes, scale, sensitive data, high security:
    /// managed network disabled, compute in your own spoke VNet.
    HubSpoke,
    /// Limited network skills, sensitive data: internet outbound plus
    /// private endpoint rules to the private data.
    SensitiveData,
    /// Limited skills, public data, low security: internet outbound, no rules.
    PublicData,
    /// Minimal exfiltration risk: approved outbound only, fewest rules.
    ExfiltrationProtected,
}

impl Profile {
    pub const ALL: &'static [(&'static str, Profile)] = &[
        ("exfiltration_protected", Profile::ExfiltrationProtected),
        ("hub_spoke", Profile::HubSpoke),
        ("public_data", Profile::PublicData),
        ("sensitive_data", Profile::SensitiveData),
    ];

    #[must_use]
    pub fn keyword(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, p)| *p == self)
            .map_or("", |(k, _)| k)
    }
}

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
        Self::ALL
            .iter()
            .find(|(_, m)| *m == self)
            .map_or("", |(k, _)| k)
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

/// Azure cloud, for DNS zone names and regions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cloud {
    Public,
    UsGov,
    China,
}

impl Cloud {
    pub const ALL: &'static [(&'static str, Cloud)] = &[
        ("public", Cloud::Public),
        ("usgov", Cloud::UsGov),
        ("china", Cloud::China),
    ];
}

/// A region name, checked against the cloud's region list.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Region(pub(crate) String);

impl Region {
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// On/off for a resource's public network access.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Access {
    Enabled,
    Disabled,
}

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
            other => Self::NAMED
                .iter()
                .find(|(_, p)| *p == other)
                .map_or("", |(k, _)| k),
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

/// Protocol of a service tag rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Protocol {
    Tcp,
    Udp,
    Icmp,
    Any,
}

impl Protocol {
    pub const ALL: &'static [(&'static str, Protocol)] = &[
        ("tcp", Protocol::Tcp),
        ("udp", Protocol::Udp),
        ("icmp", Protocol::Icmp),
        ("any", Protocol::Any),
    ];

    /// The value the managed network takes.
    #[must_use]
    pub fn arm(self) -> &'static str {
        match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Icmp => "ICMP",
            Protocol::Any => "*",
        }
    }

    /// The Azure Firewall network rule `ipProtocols` value.
    #[must_use]
    pub fn firewall(self) -> &'static str {
        match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Icmp => "ICMP",
            Protocol::Any => "Any",
        }
    }

    /// The network security rule `protocol`.
    #[must_use]
    pub fn nsg(self) -> &'static str {
        match self {
            Protocol::Tcp => "Tcp",
            Protocol::Udp => "Udp",
            Protocol::Icmp => "Icmp",
            Protocol::Any => "*",
        }
    }
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
        Self::ALL
            .iter()
            .find(|(_, k)| *k == self)
            .map_or("", |(n, _)| n)
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
        Self::ALL
            .iter()
            .find(|(_, r)| *r == self)
            .map_or("", |(k, _)| k)
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

/// Create a resource, or reference an existing one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Provision {
    Create,
    Existing(ResourceId),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Storage {
    pub provision: Provision,
    pub public_network_access: Setting<Access>,
    /// Allow trusted Azure services (network rule bypass `AzureServices`).
    pub trusted_services: Setting<bool>,
    /// Allow the workspace as a resource instance.
    pub resource_instance_rule: Setting<bool>,
    /// A service endpoint from the client VNet (incompatible with private endpoints).
    pub service_endpoint: Setting<bool>,
    /// Data profiling from studio (AutoML, designer, datasets) is used.
    pub data_profiling: Setting<bool>,
    pub span: Option<Span>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyVault {
    pub provision: Provision,
    pub public_network_access: Setting<Access>,
    pub trusted_services: Setting<bool>,
    pub purge_protection: Setting<bool>,
    pub span: Option<Span>,
}

/// Container registry SKU.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RegistrySku {
    Basic,
    Standard,
    Premium,
}

impl RegistrySku {
    pub const ALL: &'static [(&'static str, RegistrySku)] = &[
        ("basic", RegistrySku::Basic),
        ("standard", RegistrySku::Standard),
        ("premium", RegistrySku::Premium),
    ];
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContainerRegistry {
    pub provision: Provision,
    pub sku: Setting<RegistrySku>,
    pub public_network_access: Setting<Access>,
    pub trusted_services: Setting<bool>,
    /// The compute that builds images when the registry is private.
    pub image_build_compute: Option<(String, Span)>,
    pub span: Option<Span>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppInsights {
    pub provision: Provision,
    /// An existing Log Analytics workspace for a created component.
    pub log_analytics: Option<ResourceId>,
    pub span: Option<Span>,
}

/// Settings every compute of the workspace gets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ComputeDefaults {
    pub public_ip: Setting<bool>,
    pub ssh: Setting<bool>,
    pub local_auth: Setting<bool>,
    pub setup_script: Option<(String, Span)>,
}

/// What kind of compute a named compute is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ComputeKind {
    Instance,
    Cluster,
    Kubernetes,
    AttachedVm,
}

impl ComputeKind {
    pub const ALL: &'static [(&'static str, ComputeKind)] = &[
        ("instance", ComputeKind::Instance),
        ("cluster", ComputeKind::Cluster),
        ("kubernetes", ComputeKind::Kubernetes),
        ("attached_vm", ComputeKind::AttachedVm),
    ];

    #[must_use]
    pub fn keyword(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, k)| *k == self)
            .map_or("", |(n, _)| n)
    }
}

/// A named compute the posture declares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Compute {
    pub name: ArmName,
    pub kind: Setting<ComputeKind>,
    pub vm_size: Option<String>,
    pub max_nodes: Option<u32>,
    pub region: Option<(Region, Span)>,
    pub subnet: Option<(ResourceId, Span)>,
    pub public_ip: Setting<bool>,
    /// The compute's managed identity, if it has one.
    pub identity: Option<Identity>,
    /// Storage accounts the compute's identity reads (project data).
    pub reads: Vec<ResourceId>,
    /// The person a compute instance is created for (instances only).
    pub assigned_user: Option<AssignedUser>,
    pub span: Span,
}

/// The Entra user a compute instance is created on behalf of
/// (`personalComputeInstanceSettings.assignedUser`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssignedUser {
    pub object_id: Guid,
    /// The user's tenant; `None` is the tenant of the workspace's
    /// subscription, the only tenant whose users can reach the workspace.
    pub tenant_id: Option<Guid>,
    pub span: Span,
}

/// A managed online endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OnlineEndpoint {
    pub name: ArmName,
    pub public_network_access: Setting<Access>,
    /// The legacy `egress_public_network_access` flag, if written.
    pub egress_public_network_access: Option<(Access, Span)>,
    pub span: Span,
}

/// Kind of principal a role is granted to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PrincipalKind {
    Group,
    User,
    ServicePrincipal,
    ManagedIdentity,
}

impl PrincipalKind {
    pub const ALL: &'static [(&'static str, PrincipalKind)] = &[
        ("group", PrincipalKind::Group),
        ("user", PrincipalKind::User),
        ("service_principal", PrincipalKind::ServicePrincipal),
        ("managed_identity", PrincipalKind::ManagedIdentity),
    ];

    /// The ARM role assignment `principalType`.
    #[must_use]
    pub fn arm(self) -> &'static str {
        match self {
            PrincipalKind::Group => "Group",
            PrincipalKind::User => "User",
            PrincipalKind::ServicePrincipal | PrincipalKind::ManagedIdentity => "ServicePrincipal",
        }
    }
}

/// Where a grant applies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GrantScope {
    Workspace,
    ResourceGroup,
    Storage,
    KeyVault,
    ContainerRegistry,
    Resource(ResourceId),
}

/// A declared role assignment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    pub role: &'static crate::catalog::roles::Role,
    pub principal_kind: PrincipalKind,
    pub principal_id: Guid,
    pub scope: GrantScope,
    pub span: Span,
}

/// The workspace's managed identity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Identity {
    SystemAssigned,
    UserAssigned(ResourceId),
}

/// A resource lock on the workspace's resource group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lock {
    None,
    CanNotDelete,
    ReadOnly,
}

/// Where a tag's name and value are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TagSpan {
    pub name: Span,
    pub value: Span,
}

/// One workspace and everything around it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Workspace {
    pub name: ArmName,
    pub span: Span,
    pub resource_group: Setting<ResourceGroupName>,
    pub subscription_id: Option<Guid>,
    pub region: Setting<Region>,
    pub cloud: Setting<Cloud>,
    pub tags: BTreeMap<String, String>,
    /// Where each tag's name and value are written (the workspace or `defaults`).
    pub tag_spans: BTreeMap<String, TagSpan>,
    pub profile: Option<Setting<Profile>>,
    /// Holds sensitive data (grants to individual users are warned about).
    pub sensitive: Setting<bool>,
    pub identity: Identity,
    pub resource_group_lock: Setting<Lock>,
    pub inbound: Inbound,
    pub outbound: Outbound,
    pub storage: Storage,
    pub key_vault: KeyVault,
    pub container_registry: ContainerRegistry,
    pub app_insights: AppInsights,
    pub compute: ComputeDefaults,
    pub computes: Vec<Compute>,
    pub online_endpoints: Vec<OnlineEndpoint>,
    pub access: Vec<Grant>,
}

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
        Self::ALL
            .iter()
            .find(|(_, e)| *e == self)
            .map_or("", |(n, _)| n)
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

/// Everything one build describes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Posture {
    pub workspaces: Vec<Workspace>,
    pub policies: Vec<Policy>,
}

/// A posture that passed every platform rule with no error. Only
/// [`crate::check::check`] makes one.
#[derive(Debug)]
pub struct Checked(pub(crate) Posture);

impl Checked {
    #[must_use]
    pub fn posture(&self) -> &Posture {
        &self.0
    }
}
