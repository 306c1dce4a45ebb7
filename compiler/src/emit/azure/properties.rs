//! The typed property models of the resources amlgen deploys: the one
//! place Azure property names live. Each struct's serde names follow
//! Microsoft's ARM schema of its type at the API version in
//! [`super::api`]; a lowering fills one in and [`super::Resource::new`]
//! turns it into the resource's ARM body, which every printer reads.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

use super::expr::Expr;
use super::resource::Ref;
use crate::escape::Text;

// ------------------------------------------------ workspace and associated

#[derive(Serialize)]
pub(crate) struct Sku {
    pub(crate) name: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) tier: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StorageAccount {
    pub(crate) location: Expr,
    pub(crate) tags: Expr,
    pub(crate) kind: &'static str,
    pub(crate) sku: Sku,
    pub(crate) properties: StorageProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StorageProperties {
    pub(crate) access_tier: &'static str,
    pub(crate) allow_blob_public_access: bool,
    pub(crate) allow_cross_tenant_replication: bool,
    pub(crate) minimum_tls_version: &'static str,
    pub(crate) supports_https_traffic_only: bool,
    pub(crate) public_network_access: &'static str,
    pub(crate) network_acls: StorageNetworkAcls,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StorageNetworkAcls {
    pub(crate) bypass: &'static str,
    pub(crate) default_action: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) resource_access_rules: Vec<ResourceAccessRule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ResourceAccessRule {
    pub(crate) tenant_id: Expr,
    pub(crate) resource_id: Expr,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct KeyVault {
    pub(crate) location: Expr,
    pub(crate) tags: Expr,
    pub(crate) properties: KeyVaultProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct KeyVaultProperties {
    pub(crate) tenant_id: Expr,
    pub(crate) sku: KeyVaultSku,
    pub(crate) enable_rbac_authorization: bool,
    pub(crate) enable_soft_delete: bool,
    pub(crate) soft_delete_retention_in_days: u32,
    /// Purge protection cannot be turned off once on, so `false` is omitted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) enable_purge_protection: Option<bool>,
    pub(crate) public_network_access: &'static str,
    pub(crate) network_acls: KeyVaultNetworkAcls,
}

#[derive(Serialize)]
pub(crate) struct KeyVaultSku {
    pub(crate) family: &'static str,
    pub(crate) name: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct KeyVaultNetworkAcls {
    pub(crate) bypass: &'static str,
    pub(crate) default_action: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ContainerRegistry {
    pub(crate) location: Expr,
    pub(crate) tags: Expr,
    pub(crate) sku: Sku,
    pub(crate) properties: RegistryProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RegistryProperties {
    pub(crate) admin_user_enabled: bool,
    pub(crate) public_network_access: &'static str,
    pub(crate) network_rule_bypass_options: &'static str,
    /// Network rules are a Premium feature.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) network_rule_set: Option<RegistryNetworkRuleSet>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RegistryNetworkRuleSet {
    pub(crate) default_action: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LogAnalytics {
    pub(crate) location: Expr,
    pub(crate) tags: Expr,
    pub(crate) properties: LogAnalyticsProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LogAnalyticsProperties {
    pub(crate) retention_in_days: u32,
    pub(crate) sku: Sku,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AppInsights {
    pub(crate) location: Expr,
    pub(crate) tags: Expr,
    pub(crate) kind: &'static str,
    pub(crate) properties: AppInsightsProperties,
}

/// The schema spells these in Pascal case.
#[derive(Serialize)]
pub(crate) struct AppInsightsProperties {
    #[serde(rename = "Application_Type")]
    pub(crate) application_type: &'static str,
    #[serde(rename = "IngestionMode")]
    pub(crate) ingestion_mode: &'static str,
    #[serde(rename = "WorkspaceResourceId")]
    pub(crate) workspace_resource_id: Ref,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MlWorkspace {
    pub(crate) location: Expr,
    pub(crate) tags: Expr,
    pub(crate) kind: &'static str,
    pub(crate) sku: Sku,
    pub(crate) identity: Identity,
    pub(crate) properties: MlWorkspaceProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Identity {
    #[serde(rename = "type")]
    pub(crate) kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) user_assigned_identities: Option<BTreeMap<String, Map<String, Value>>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MlWorkspaceProperties {
    pub(crate) friendly_name: Text,
    pub(crate) storage_account: Ref,
    pub(crate) key_vault: Ref,
    pub(crate) application_insights: Ref,
    pub(crate) container_registry: Ref,
    pub(crate) public_network_access: &'static str,
    /// Only in the preview API: the selected-IP allowlist.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) network_acls: Option<WorkspaceNetworkAcls>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) primary_user_assigned_identity: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) image_build_compute: Option<Text>,
    pub(crate) provision_network_now: bool,
    pub(crate) managed_network: ManagedNetwork,
    /// Custom VNet mode: serverless compute in the training subnet too.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) serverless_compute_settings: Option<ServerlessComputeSettings>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ServerlessComputeSettings {
    pub(crate) serverless_compute_custom_subnet: Ref,
    #[serde(rename = "serverlessComputeNoPublicIP")]
    pub(crate) serverless_compute_no_public_ip: bool,
}

/// Public access from selected IPs: deny by default, allow these.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WorkspaceNetworkAcls {
    pub(crate) default_action: &'static str,
    pub(crate) ip_rules: Vec<IpRule>,
}

#[derive(Serialize)]
pub(crate) struct IpRule {
    pub(crate) value: Text,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ManagedNetwork {
    pub(crate) isolation_mode: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) firewall_sku: Option<&'static str>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) outbound_rules: BTreeMap<String, OutboundRule>,
}

/// One outbound rule of a managed network, by its kind (serialized as
/// the rule itself: its `type` member tells them apart).
#[derive(Serialize)]
#[serde(untagged)]
pub(crate) enum OutboundRule {
    Fqdn(FqdnRule),
    ServiceTag(ServiceTagRule),
    PrivateEndpoint(PrivateEndpointRule),
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FqdnRule {
    #[serde(rename = "type")]
    pub(crate) kind: &'static str,
    pub(crate) category: &'static str,
    pub(crate) destination: Text,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PrivateEndpointRule {
    #[serde(rename = "type")]
    pub(crate) kind: &'static str,
    pub(crate) category: &'static str,
    pub(crate) destination: PrivateEndpointDestination,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PrivateEndpointDestination {
    pub(crate) service_resource_id: Ref,
    pub(crate) subresource_target: Text,
    pub(crate) spark_enabled: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ServiceTagRule {
    #[serde(rename = "type")]
    pub(crate) kind: &'static str,
    pub(crate) category: &'static str,
    pub(crate) destination: ServiceTagDestination,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ServiceTagDestination {
    pub(crate) action: &'static str,
    pub(crate) port_ranges: Text,
    pub(crate) protocol: &'static str,
    pub(crate) service_tag: Text,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MlCompute {
    pub(crate) location: Expr,
    pub(crate) tags: Expr,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) identity: Option<Identity>,
    pub(crate) properties: Value,
}

impl From<&crate::ir::Identity> for Identity {
    fn from(i: &crate::ir::Identity) -> Identity {
        match i {
            crate::ir::Identity::SystemAssigned => Identity {
                kind: "SystemAssigned",
                user_assigned_identities: None,
            },
            crate::ir::Identity::UserAssigned(id) => Identity {
                kind: "UserAssigned",
                user_assigned_identities: Some(BTreeMap::from([(
                    id.as_str().to_string(),
                    Map::new(),
                )])),
            },
        }
    }
}

/// A reference to another resource: `{ "id": ... }`.
#[derive(Serialize)]
pub(crate) struct IdRef {
    pub(crate) id: Ref,
}

// ------------------------------------------------ custom VNet mode network

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Nsg {
    pub(crate) location: Expr,
    pub(crate) tags: Expr,
    pub(crate) properties: NsgProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct NsgProperties {
    pub(crate) security_rules: Vec<NsgRuleModel>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct NsgRuleModel {
    pub(crate) name: Text,
    pub(crate) properties: NsgRuleProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct NsgRuleProperties {
    pub(crate) access: &'static str,
    pub(crate) description: Text,
    pub(crate) destination_address_prefix: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) destination_port_range: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) destination_port_ranges: Option<Vec<Text>>,
    pub(crate) direction: &'static str,
    pub(crate) priority: u16,
    pub(crate) protocol: &'static str,
    pub(crate) source_address_prefix: Text,
    pub(crate) source_port_range: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RouteTable {
    pub(crate) location: Expr,
    pub(crate) tags: Expr,
    pub(crate) properties: RouteTableProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RouteTableProperties {
    pub(crate) disable_bgp_route_propagation: bool,
    pub(crate) routes: Vec<RouteModel>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RouteModel {
    pub(crate) name: Text,
    pub(crate) properties: RouteProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RouteProperties {
    pub(crate) address_prefix: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) next_hop_ip_address: Option<Text>,
    pub(crate) next_hop_type: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ServiceEndpointPolicy {
    pub(crate) location: Expr,
    pub(crate) tags: Expr,
    pub(crate) properties: SepProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SepProperties {
    pub(crate) service_endpoint_policy_definitions: Vec<SepDefinition>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SepDefinition {
    pub(crate) name: Text,
    pub(crate) properties: SepDefinitionProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SepDefinitionProperties {
    pub(crate) description: Text,
    pub(crate) service: &'static str,
    pub(crate) service_resources: Vec<Ref>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct VirtualNetwork {
    pub(crate) location: Expr,
    pub(crate) tags: Expr,
    pub(crate) properties: VnetProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct VnetProperties {
    pub(crate) address_space: AddressSpace,
    /// The spoke's DNS servers (`vnet { dns_servers }`), e.g. the hub's resolver.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) dhcp_options: Option<DhcpOptions>,
    pub(crate) subnets: Vec<SubnetModel>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DhcpOptions {
    pub(crate) dns_servers: Vec<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AddressSpace {
    pub(crate) address_prefixes: Vec<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SubnetModel {
    pub(crate) name: Text,
    pub(crate) properties: SubnetProperties,
}

#[derive(Serialize)]
pub(crate) struct SubnetResource {
    pub(crate) properties: SubnetProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SubnetProperties {
    pub(crate) address_prefix: Text,
    pub(crate) network_security_group: IdRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) route_table: Option<IdRef>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) service_endpoint_policies: Vec<IdRef>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) service_endpoints: Vec<ServiceEndpoint>,
    // What an existing subnet keeps (`keep`): a subnet write replaces
    // every property it does not carry.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) delegations: Vec<Delegation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) nat_gateway: Option<IdRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) private_endpoint_network_policies: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) default_outbound_access: Option<bool>,
}

#[derive(Serialize)]
pub(crate) struct Delegation {
    pub(crate) name: Text,
    pub(crate) properties: DelegationProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DelegationProperties {
    pub(crate) service_name: Text,
}

#[derive(Serialize)]
pub(crate) struct Peering {
    pub(crate) properties: PeeringProperties,
}

/// The schema's shape: four switches of a peering.
#[allow(clippy::struct_excessive_bools)]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PeeringProperties {
    pub(crate) allow_forwarded_traffic: bool,
    pub(crate) allow_gateway_transit: bool,
    pub(crate) allow_virtual_network_access: bool,
    pub(crate) remote_virtual_network: IdRef,
    pub(crate) use_remote_gateways: bool,
}

#[derive(Serialize)]
pub(crate) struct ServiceEndpoint {
    pub(crate) service: Text,
}

// ------------------------------------------ private endpoints and their DNS

#[derive(Clone, Serialize)]
#[serde(untagged)]
pub(crate) enum Location {
    Param(Expr),
    Region(Text),
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PrivateEndpoint {
    pub(crate) location: Location,
    pub(crate) tags: Expr,
    pub(crate) properties: PrivateEndpointProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PrivateEndpointProperties {
    pub(crate) subnet: IdRef,
    pub(crate) private_link_service_connections: Vec<PrivateLinkServiceConnection>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PrivateLinkServiceConnection {
    pub(crate) name: Text,
    pub(crate) properties: PrivateLinkServiceConnectionProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PrivateLinkServiceConnectionProperties {
    pub(crate) private_link_service_id: Ref,
    pub(crate) group_ids: Vec<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ZoneGroup {
    pub(crate) properties: ZoneGroupProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ZoneGroupProperties {
    pub(crate) private_dns_zone_configs: Vec<ZoneConfig>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ZoneConfig {
    pub(crate) name: Text,
    pub(crate) properties: ZoneConfigProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ZoneConfigProperties {
    pub(crate) private_dns_zone_id: Ref,
}

#[derive(Serialize)]
pub(crate) struct PrivateDnsZone {
    pub(crate) location: &'static str,
    pub(crate) tags: Expr,
    pub(crate) properties: Map<String, Value>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct VnetLink {
    pub(crate) location: &'static str,
    pub(crate) tags: Expr,
    pub(crate) properties: VnetLinkProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct VnetLinkProperties {
    pub(crate) registration_enabled: bool,
    pub(crate) virtual_network: IdRef,
}

// ------------------------------------------------------- policy exemptions

/// Microsoft.Authorization/policyExemptions at [`super::api::POLICY_EXEMPTION`]
/// (`PolicyExemptionProperties`: `exemptionCategory` and
/// `policyAssignmentId` required; `expiresOn` "in UTC ISO 8601 format
/// yyyy-MM-ddTHH:mm:ssZ"). `resourceSelectors` and
/// `assignmentScopeValidation` are left out: see `emit::lower::policy_exemptions`.
#[derive(Serialize)]
pub(crate) struct PolicyExemption {
    pub(crate) properties: PolicyExemptionProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PolicyExemptionProperties {
    pub(crate) policy_assignment_id: Expr,
    pub(crate) policy_definition_reference_ids: Vec<Text>,
    /// `Waiver` or `Mitigated`.
    pub(crate) exemption_category: &'static str,
    pub(crate) expires_on: Text,
    pub(crate) display_name: Text,
    pub(crate) description: Text,
    pub(crate) metadata: BTreeMap<&'static str, Text>,
}
