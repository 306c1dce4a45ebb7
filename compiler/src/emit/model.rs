//! The typed resource models: the one source of truth for Azure property
//! names. Each struct's serde names follow Microsoft's ARM schema of its
//! type at the API version in [`api`]; the ARM emitter serializes them and
//! the Bicep emitter prints the same values (see [`super::bicep`]).
//!
//! [`lower`] turns one checked workspace into a [`Deployment`]: the modules
//! of its Bicep entry file, each a list of resources.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

use super::escape::Text;
use super::expr::Expr;
use super::names;
use crate::ir::{
    Access, Compute, ComputeKind, Destination, IsolationMode, OutboundRule, PeTarget, Provision,
    PublicNetworkAccess, RegistrySku, RuleKind, Workspace,
};

/// API versions: the newest stable that has every property used, from
/// the vendored Microsoft schemas (`tests/data/arm-schemas/SOURCES.md`).
pub mod api {
    pub const ML: &str = "2026-05-01";
    /// The selected-IP allowlist (`networkAcls`) is only in preview APIs;
    /// this is the newest that has it (see the report).
    pub const ML_PREVIEW: &str = "2026-03-15-preview";
    pub const NETWORK: &str = "2025-07-01";
    pub const PRIVATE_DNS: &str = "2024-06-01";
    pub const STORAGE: &str = "2026-04-01";
    pub const KEY_VAULT: &str = "2026-02-01";
    pub const CONTAINER_REGISTRY: &str = "2025-11-01";
    pub const APP_INSIGHTS: &str = "2020-02-02";
    pub const LOG_ANALYTICS: &str = "2025-07-01";
    /// User-assigned identities, read for their principal id.
    pub const MANAGED_IDENTITY: &str = "2024-11-30";
    pub const DEPLOYMENTS: &str = "2025-04-01";
    /// Role definitions and role assignments (Microsoft.Authorization).
    pub const ROLES: &str = "2022-04-01";
}

pub mod types {
    pub const WORKSPACE: &str = "Microsoft.MachineLearningServices/workspaces";
    pub const COMPUTE: &str = "Microsoft.MachineLearningServices/workspaces/computes";
    pub const OUTBOUND_RULE: &str = "Microsoft.MachineLearningServices/workspaces/outboundRules";
    pub const STORAGE: &str = "Microsoft.Storage/storageAccounts";
    pub const KEY_VAULT: &str = "Microsoft.KeyVault/vaults";
    pub const CONTAINER_REGISTRY: &str = "Microsoft.ContainerRegistry/registries";
    pub const APP_INSIGHTS: &str = "Microsoft.Insights/components";
    pub const LOG_ANALYTICS: &str = "Microsoft.OperationalInsights/workspaces";
    pub const PRIVATE_ENDPOINT: &str = "Microsoft.Network/privateEndpoints";
    pub const ZONE_GROUP: &str = "Microsoft.Network/privateEndpoints/privateDnsZoneGroups";
    pub const PRIVATE_DNS_ZONE: &str = "Microsoft.Network/privateDnsZones";
    pub const VNET_LINK: &str = "Microsoft.Network/privateDnsZones/virtualNetworkLinks";
    pub const DEPLOYMENT: &str = "Microsoft.Resources/deployments";
    pub const VNET: &str = "Microsoft.Network/virtualNetworks";
    pub const SUBNET: &str = "Microsoft.Network/virtualNetworks/subnets";
    pub const PEERING: &str = "Microsoft.Network/virtualNetworks/virtualNetworkPeerings";
    pub const NSG: &str = "Microsoft.Network/networkSecurityGroups";
    pub const ROUTE_TABLE: &str = "Microsoft.Network/routeTables";
    pub const SERVICE_ENDPOINT_POLICY: &str = "Microsoft.Network/serviceEndpointPolicies";
    pub const FIREWALL_POLICY: &str = "Microsoft.Network/firewallPolicies";
    pub const ROLE_DEFINITION: &str = "Microsoft.Authorization/roleDefinitions";
    pub const ROLE_ASSIGNMENT: &str = "Microsoft.Authorization/roleAssignments";
    pub const RULE_COLLECTION_GROUP: &str =
        "Microsoft.Network/firewallPolicies/ruleCollectionGroups";
}

/// A resource id: computed by an expression (a resource this deployment
/// creates) or written out (an existing one).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Ref {
    Expr(Expr),
    Id(Text),
}

/// One resource of a module.
#[derive(Clone, Debug)]
pub struct Resource {
    /// The Bicep symbolic name, unique in its module.
    pub symbol: String,
    pub arm_type: &'static str,
    pub api_version: &'static str,
    /// Name segments: one for a top-level resource, the parent's then the
    /// child's for a child resource.
    pub names: Vec<String>,
    /// The parent's symbol, for a child resource.
    pub parent: Option<String>,
    /// Symbols of resources of the same module this one waits for.
    pub depends_on: Vec<String>,
    /// Everything but `type`, `apiVersion`, `name` and `dependsOn`, as ARM
    /// JSON (sorted keys).
    pub body: Map<String, Value>,
    /// One line saying what it is for.
    pub comment: String,
    /// The scope its id is relative to: the deployment's.
    pub scope: IdScope,
    /// Declared only to be referred to (Bicep `existing`): ARM JSON has no
    /// such resource.
    pub existing: bool,
    /// For an extension resource (a role assignment): the symbol of the
    /// resource of this module it applies to.
    pub scope_ref: Option<String>,
    /// A name Azure computes at deployment (a role assignment's or custom
    /// role's `guid(...)`), in place of the literal last name segment.
    pub name_expr: Option<Expr>,
}

/// The scope of a deployment, for the function that makes ids in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdScope {
    ResourceGroup,
    Subscription,
    ManagementGroup,
}

impl IdScope {
    /// The ARM (and Bicep) function that makes a resource id at this scope.
    #[must_use]
    pub fn id_function(self) -> &'static str {
        match self {
            IdScope::ResourceGroup => "resourceId",
            IdScope::Subscription => "subscriptionResourceId",
            IdScope::ManagementGroup => "managementGroupResourceId",
        }
    }
}

impl Resource {
    pub(crate) fn new(
        symbol: &str,
        arm_type: &'static str,
        api_version: &'static str,
        names: &[&str],
        comment: String,
        body: impl Serialize,
    ) -> Resource {
        let body = match serde_json::to_value(body) {
            Ok(Value::Object(m)) => m,
            _ => Map::new(),
        };
        Resource {
            symbol: symbol.to_string(),
            arm_type,
            api_version,
            names: names.iter().map(|s| (*s).to_string()).collect(),
            parent: None,
            depends_on: Vec::new(),
            body,
            comment,
            scope: IdScope::ResourceGroup,
            existing: false,
            scope_ref: None,
            name_expr: None,
        }
    }

    /// An existing resource, declared to be referred to by name.
    pub(crate) fn existing(
        symbol: &str,
        arm_type: &'static str,
        api_version: &'static str,
        name: &str,
    ) -> Resource {
        let mut r = Resource::new(
            symbol,
            arm_type,
            api_version,
            &[name],
            String::new(),
            Map::new(),
        );
        r.existing = true;
        r
    }

    /// The same extension resource, applied to another resource of the module.
    #[must_use]
    pub(crate) fn on(mut self, symbol: &str) -> Resource {
        self.scope_ref = Some(symbol.to_string());
        self
    }

    /// The id relative to the deployment's resource group, as an extension
    /// resource's `scope` names it: `Microsoft.Storage/storageAccounts/st`.
    #[must_use]
    pub fn relative_id(&self) -> String {
        let mut parts = self.arm_type.split('/');
        let mut out = parts.next().unwrap_or_default().to_string();
        for (ty, name) in parts.zip(&self.names) {
            out.push('/');
            out.push_str(ty);
            out.push('/');
            out.push_str(name);
        }
        out
    }

    /// The same resource at another deployment scope.
    #[must_use]
    pub(crate) fn at(mut self, scope: IdScope) -> Resource {
        self.scope = scope;
        self
    }

    pub(crate) fn child_of(mut self, parent: &str) -> Resource {
        self.parent = Some(parent.to_string());
        self
    }

    pub(crate) fn after(mut self, symbol: &str) -> Resource {
        self.depends_on.push(symbol.to_string());
        self
    }

    /// A top-level resource whose name Azure computes at deployment.
    #[must_use]
    pub(crate) fn named(mut self, name: Expr) -> Resource {
        self.name_expr = Some(name);
        self
    }

    /// The name as ARM JSON: an expression, or the literal full name.
    #[must_use]
    pub fn arm_name(&self) -> serde_json::Value {
        match &self.name_expr {
            Some(e) => serde_json::json!(e),
            None => serde_json::json!(Text(self.full_name())),
        }
    }

    /// The last name segment as ARM JSON, as the Bicep declaration writes it.
    #[must_use]
    pub fn arm_short_name(&self) -> serde_json::Value {
        match &self.name_expr {
            Some(e) => serde_json::json!(e),
            None => serde_json::json!(Text(self.short_name().to_string())),
        }
    }

    /// The id of this resource at the deployment's scope (`resourceId()`
    /// in a resource group).
    #[must_use]
    pub fn id(&self) -> Expr {
        let mut args = vec![Expr::str(self.arm_type)];
        match &self.name_expr {
            Some(e) => args.push(e.clone()),
            None => args.extend(self.names.iter().map(|n| Expr::str(n))),
        }
        Expr::call(self.scope.id_function(), args)
    }

    /// The full ARM name (`parent/child` for a child).
    #[must_use]
    pub fn full_name(&self) -> String {
        self.names.join("/")
    }

    /// The name as the Bicep declaration writes it (the last segment).
    #[must_use]
    pub fn short_name(&self) -> &str {
        self.names.last().map_or("", String::as_str)
    }
}

/// A Bicep module (a nested deployment in ARM JSON).
#[derive(Clone, Debug)]
pub struct Module {
    /// Its Bicep symbolic name and file stem (`modules/<file>.bicep`).
    pub symbol: String,
    pub file: String,
    /// The nested deployment's name.
    pub deployment_name: String,
    pub description: String,
    pub resources: Vec<Resource>,
    /// Symbols of the modules it waits for.
    pub depends_on: Vec<String>,
    /// Another resource group it deploys into: (subscription, group).
    pub target: Option<(String, String)>,
    /// Parameters beyond `location` and `tags`: name and the entry file's
    /// value for it (a string).
    pub params: Vec<(String, Expr)>,
    /// Deployed only when this entry-file expression is true (Bicep
    /// `module ... = if (...)`, an ARM `condition`).
    pub condition: Option<Expr>,
}

/// The deployment of one workspace: entry file parameters and modules.
#[derive(Clone, Debug)]
pub struct Deployment {
    pub workspace: String,
    pub resource_group: String,
    pub location: String,
    pub tags: BTreeMap<String, String>,
    pub modules: Vec<Module>,
    /// The ML API version the workspace uses (a preview one only when needed).
    pub ml_api: &'static str,
    /// Every role assignment, declared and derived, with its reason.
    pub grants: Vec<super::rbac::RoleGrant>,
    /// Why the workspace is deployed in two phases, if it is: the first
    /// only on the first deployment (entry-file parameter
    /// [`FIRST_DEPLOYMENT`]).
    pub phases: Phases,
}

/// The entry-file parameter that tells a first deployment from a redeploy.
pub const FIRST_DEPLOYMENT: &str = "firstDeployment";

// ---------------------------------------------------------------- models

#[derive(Serialize)]
struct Sku {
    name: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    tier: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StorageAccount {
    location: Expr,
    tags: Expr,
    kind: &'static str,
    sku: Sku,
    properties: StorageProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StorageProperties {
    access_tier: &'static str,
    allow_blob_public_access: bool,
    allow_cross_tenant_replication: bool,
    minimum_tls_version: &'static str,
    supports_https_traffic_only: bool,
    public_network_access: &'static str,
    network_acls: StorageNetworkAcls,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StorageNetworkAcls {
    bypass: &'static str,
    default_action: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    resource_access_rules: Vec<ResourceAccessRule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResourceAccessRule {
    tenant_id: Expr,
    resource_id: Expr,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct KeyVault {
    location: Expr,
    tags: Expr,
    properties: KeyVaultProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct KeyVaultProperties {
    tenant_id: Expr,
    sku: KeyVaultSku,
    enable_rbac_authorization: bool,
    enable_soft_delete: bool,
    soft_delete_retention_in_days: u32,
    /// Purge protection cannot be turned off once on, so `false` is omitted.
    #[serde(skip_serializing_if = "Option::is_none")]
    enable_purge_protection: Option<bool>,
    public_network_access: &'static str,
    network_acls: KeyVaultNetworkAcls,
}

#[derive(Serialize)]
struct KeyVaultSku {
    family: &'static str,
    name: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct KeyVaultNetworkAcls {
    bypass: &'static str,
    default_action: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ContainerRegistry {
    location: Expr,
    tags: Expr,
    sku: Sku,
    properties: RegistryProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RegistryProperties {
    admin_user_enabled: bool,
    public_network_access: &'static str,
    network_rule_bypass_options: &'static str,
    /// Network rules are a Premium feature.
    #[serde(skip_serializing_if = "Option::is_none")]
    network_rule_set: Option<RegistryNetworkRuleSet>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RegistryNetworkRuleSet {
    default_action: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogAnalytics {
    location: Expr,
    tags: Expr,
    properties: LogAnalyticsProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogAnalyticsProperties {
    retention_in_days: u32,
    sku: Sku,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AppInsights {
    location: Expr,
    tags: Expr,
    kind: &'static str,
    properties: AppInsightsProperties,
}

/// The schema spells these in Pascal case.
#[derive(Serialize)]
struct AppInsightsProperties {
    #[serde(rename = "Application_Type")]
    application_type: &'static str,
    #[serde(rename = "IngestionMode")]
    ingestion_mode: &'static str,
    #[serde(rename = "WorkspaceResourceId")]
    workspace_resource_id: Ref,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MlWorkspace {
    location: Expr,
    tags: Expr,
    kind: &'static str,
    sku: Sku,
    identity: Identity,
    properties: MlWorkspaceProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Identity {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_assigned_identities: Option<BTreeMap<String, Map<String, Value>>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MlWorkspaceProperties {
    friendly_name: Text,
    storage_account: Ref,
    key_vault: Ref,
    application_insights: Ref,
    container_registry: Ref,
    public_network_access: &'static str,
    /// Only in the preview API: the selected-IP allowlist.
    #[serde(skip_serializing_if = "Option::is_none")]
    network_acls: Option<WorkspaceNetworkAcls>,
    #[serde(skip_serializing_if = "Option::is_none")]
    primary_user_assigned_identity: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    image_build_compute: Option<Text>,
    provision_network_now: bool,
    managed_network: ManagedNetwork,
    /// Custom VNet mode: serverless compute in the training subnet too.
    #[serde(skip_serializing_if = "Option::is_none")]
    serverless_compute_settings: Option<ServerlessComputeSettings>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ServerlessComputeSettings {
    serverless_compute_custom_subnet: Ref,
    #[serde(rename = "serverlessComputeNoPublicIP")]
    serverless_compute_no_public_ip: bool,
}

/// Public access from selected IPs: deny by default, allow these.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WorkspaceNetworkAcls {
    default_action: &'static str,
    ip_rules: Vec<IpRule>,
}

#[derive(Serialize)]
struct IpRule {
    value: Text,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ManagedNetwork {
    isolation_mode: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    firewall_sku: Option<&'static str>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    outbound_rules: BTreeMap<String, Value>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FqdnRule {
    #[serde(rename = "type")]
    kind: &'static str,
    category: &'static str,
    destination: Text,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PrivateEndpointRule {
    #[serde(rename = "type")]
    kind: &'static str,
    category: &'static str,
    destination: PrivateEndpointDestination,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PrivateEndpointDestination {
    service_resource_id: Ref,
    subresource_target: Text,
    spark_enabled: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ServiceTagRule {
    #[serde(rename = "type")]
    kind: &'static str,
    category: &'static str,
    destination: ServiceTagDestination,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ServiceTagDestination {
    action: &'static str,
    port_ranges: Text,
    protocol: &'static str,
    service_tag: Text,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MlCompute {
    location: Expr,
    tags: Expr,
    #[serde(skip_serializing_if = "Option::is_none")]
    identity: Option<Identity>,
    properties: Value,
}

fn identity_of(i: &crate::ir::Identity) -> Identity {
    match i {
        crate::ir::Identity::SystemAssigned => Identity {
            kind: "SystemAssigned",
            user_assigned_identities: None,
        },
        crate::ir::Identity::UserAssigned(id) => Identity {
            kind: "UserAssigned",
            user_assigned_identities: Some(BTreeMap::from([(id.as_str().to_string(), Map::new())])),
        },
    }
}

#[derive(Serialize)]
pub(crate) struct IdRef {
    pub(crate) id: Ref,
}

// ---------------------------------------------------------------- lowering

fn access(a: Access) -> &'static str {
    match a {
        Access::Enabled => "Enabled",
        Access::Disabled => "Disabled",
    }
}

fn deny_or_allow(a: Access) -> &'static str {
    match a {
        Access::Enabled => "Allow",
        Access::Disabled => "Deny",
    }
}

fn bypass(trusted: bool) -> &'static str {
    if trusted { "AzureServices" } else { "None" }
}

/// The module's `location` parameter.
pub(crate) fn loc() -> Expr {
    Expr::param("location")
}

/// The module's `tags` parameter.
pub(crate) fn tags() -> Expr {
    Expr::param("tags")
}

/// The names and ids of the workspace's associated resources.
pub struct Associated {
    pub storage: (Option<String>, Ref),
    pub key_vault: (Option<String>, Ref),
    pub container_registry: (Option<String>, Ref),
    pub app_insights: (Option<String>, Ref),
    pub log_analytics: Option<(Option<String>, Ref)>,
}

/// The associated resources: created (a name amlgen chose) or existing (its id).
#[must_use]
pub fn associated(ws: &Workspace) -> Associated {
    let pick = |p: &Provision, ty: &str, name: String| match p {
        Provision::Create => {
            let id = Ref::Expr(Expr::resource_id(ty, &[&name]));
            (Some(name), id)
        }
        Provision::Existing(id) => (None, Ref::Id(Text(id.as_str().to_string()))),
    };
    let app = &ws.app_insights;
    Associated {
        storage: pick(&ws.storage.provision, types::STORAGE, names::storage(ws)),
        key_vault: pick(
            &ws.key_vault.provision,
            types::KEY_VAULT,
            names::key_vault(ws),
        ),
        container_registry: pick(
            &ws.container_registry.provision,
            types::CONTAINER_REGISTRY,
            names::container_registry(ws),
        ),
        app_insights: pick(&app.provision, types::APP_INSIGHTS, names::app_insights(ws)),
        log_analytics: match (&app.provision, &app.log_analytics) {
            (Provision::Existing(_), _) => None,
            (Provision::Create, Some(id)) => Some((None, Ref::Id(Text(id.as_str().to_string())))),
            (Provision::Create, None) => {
                let name = names::log_analytics(ws);
                let id = Ref::Expr(Expr::resource_id(types::LOG_ANALYTICS, &[&name]));
                Some((Some(name), id))
            }
        },
    }
}

/// Lowers one checked workspace into its deployment.
#[must_use]
pub fn lower(ws: &Workspace) -> Deployment {
    let assoc = associated(ws);
    let selected_ips = matches!(
        ws.inbound.public_network_access.value,
        PublicNetworkAccess::SelectedIps(_)
    );
    let ml_api = if selected_ips {
        api::ML_PREVIEW
    } else {
        api::ML
    };
    let mut modules = Vec::new();

    // Monitoring: Log Analytics and Application Insights.
    if let (Some(appi), _) = &assoc.app_insights {
        let mut resources = Vec::new();
        let la_id = match &assoc.log_analytics {
            Some((Some(name), id)) => {
                resources.push(Resource::new(
                    "logAnalytics",
                    types::LOG_ANALYTICS,
                    api::LOG_ANALYTICS,
                    &[name],
                    "Log Analytics workspace behind Application Insights".into(),
                    LogAnalytics {
                        location: loc(),
                        tags: tags(),
                        properties: LogAnalyticsProperties {
                            retention_in_days: 30,
                            sku: Sku {
                                name: "PerGB2018",
                                tier: None,
                            },
                        },
                    },
                ));
                id.clone()
            }
            Some((None, id)) => id.clone(),
            None => Ref::Id(Text(String::new())),
        };
        let mut appi_res = Resource::new(
            "appInsights",
            types::APP_INSIGHTS,
            api::APP_INSIGHTS,
            &[appi],
            "Application Insights for the workspace".into(),
            AppInsights {
                location: loc(),
                tags: tags(),
                kind: "web",
                properties: AppInsightsProperties {
                    application_type: "web",
                    ingestion_mode: "LogAnalytics",
                    workspace_resource_id: la_id,
                },
            },
        );
        if !resources.is_empty() {
            appi_res = appi_res.after("logAnalytics");
        }
        resources.push(appi_res);
        modules.push(Module {
            symbol: "monitoring".into(),
            file: "monitoring".into(),
            deployment_name: names::deployment(ws, "monitoring"),
            description: "Application Insights and its Log Analytics workspace".into(),
            resources,
            depends_on: Vec::new(),
            target: None,
            params: Vec::new(),
            condition: None,
        });
    }

    let ws_id = Expr::resource_id(types::WORKSPACE, &[ws.name.as_str()]);

    // Storage.
    if let (Some(name), _) = &assoc.storage {
        let s = &ws.storage;
        let pna = s.public_network_access.value;
        let rules = if s.resource_instance_rule.value {
            vec![ResourceAccessRule {
                tenant_id: Expr::tenant_id(),
                resource_id: ws_id.clone(),
            }]
        } else {
            Vec::new()
        };
        modules.push(Module {
            symbol: "storage".into(),
            file: "storage".into(),
            deployment_name: names::deployment(ws, "storage"),
            description: "the workspace's default storage account".into(),
            resources: vec![Resource::new(
                "storage",
                types::STORAGE,
                api::STORAGE,
                &[name],
                "default storage account of the workspace".into(),
                StorageAccount {
                    location: loc(),
                    tags: tags(),
                    kind: "StorageV2",
                    sku: Sku {
                        name: "Standard_ZRS",
                        tier: None,
                    },
                    properties: StorageProperties {
                        access_tier: "Hot",
                        allow_blob_public_access: false,
                        allow_cross_tenant_replication: false,
                        minimum_tls_version: "TLS1_2",
                        supports_https_traffic_only: true,
                        public_network_access: access(pna),
                        network_acls: StorageNetworkAcls {
                            bypass: bypass(s.trusted_services.value),
                            default_action: deny_or_allow(pna),
                            resource_access_rules: rules,
                        },
                    },
                },
            )],
            depends_on: Vec::new(),
            target: None,
            params: Vec::new(),
            condition: None,
        });
    }

    // Key vault.
    if let (Some(name), _) = &assoc.key_vault {
        let k = &ws.key_vault;
        let pna = k.public_network_access.value;
        modules.push(Module {
            symbol: "keyVault".into(),
            file: "key-vault".into(),
            deployment_name: names::deployment(ws, "key-vault"),
            description: "the workspace's key vault".into(),
            resources: vec![Resource::new(
                "keyVault",
                types::KEY_VAULT,
                api::KEY_VAULT,
                &[name],
                "key vault of the workspace (RBAC authorization, soft delete)".into(),
                KeyVault {
                    location: loc(),
                    tags: tags(),
                    properties: KeyVaultProperties {
                        tenant_id: Expr::tenant_id(),
                        sku: KeyVaultSku {
                            family: "A",
                            name: "standard",
                        },
                        enable_rbac_authorization: true,
                        enable_soft_delete: true,
                        soft_delete_retention_in_days: 90,
                        enable_purge_protection: k.purge_protection.value.then_some(true),
                        public_network_access: access(pna),
                        network_acls: KeyVaultNetworkAcls {
                            bypass: bypass(k.trusted_services.value),
                            default_action: deny_or_allow(pna),
                        },
                    },
                },
            )],
            depends_on: Vec::new(),
            target: None,
            params: Vec::new(),
            condition: None,
        });
    }

    // Container registry.
    if let (Some(name), _) = &assoc.container_registry {
        let r = &ws.container_registry;
        let pna = r.public_network_access.value;
        let premium = r.sku.value == RegistrySku::Premium;
        modules.push(Module {
            symbol: "containerRegistry".into(),
            file: "container-registry".into(),
            deployment_name: names::deployment(ws, "container-registry"),
            description: "the workspace's container registry".into(),
            resources: vec![Resource::new(
                "containerRegistry",
                types::CONTAINER_REGISTRY,
                api::CONTAINER_REGISTRY,
                &[name],
                "container registry of the workspace (admin user off)".into(),
                ContainerRegistry {
                    location: loc(),
                    tags: tags(),
                    sku: Sku {
                        name: match r.sku.value {
                            RegistrySku::Basic => "Basic",
                            RegistrySku::Standard => "Standard",
                            RegistrySku::Premium => "Premium",
                        },
                        tier: None,
                    },
                    properties: RegistryProperties {
                        admin_user_enabled: false,
                        public_network_access: access(pna),
                        network_rule_bypass_options: bypass(r.trusted_services.value),
                        network_rule_set: premium.then(|| RegistryNetworkRuleSet {
                            default_action: deny_or_allow(pna),
                        }),
                    },
                },
            )],
            depends_on: Vec::new(),
            target: None,
            params: Vec::new(),
            condition: None,
        });
    }

    // Custom VNet mode: the spoke, before the computes placed in it.
    if let Some(spoke) = ws.outbound.custom_vnet() {
        modules.push(super::network::module(ws, spoke, &assoc));
    }

    // The order of what follows is Azure's (see `Phases`): the workspace,
    // its client private endpoints and DNS, the role assignments its
    // identity needs, its final settings, then the computes.
    let grants = super::rbac::grants(ws, &assoc);
    let phases = Phases::of(ws, &grants);
    let symbols = |m: &[Module]| -> Vec<String> { m.iter().map(|m| m.symbol.clone()).collect() };
    let mut first = workspace_module(ws, &assoc, ml_api, phases, false);
    first.depends_on = symbols(&modules);
    modules.push(first);
    modules.extend(super::endpoints::zone_link_modules(ws));
    if let Some(mut pe) = super::endpoints::client_endpoints_module(ws, &assoc) {
        pe.depends_on = symbols(&modules);
        modules.push(pe);
    }
    let (compute_grants, identity_grants): (Vec<_>, Vec<_>) = grants
        .iter()
        .cloned()
        .partition(|g| matches!(g.principal, super::rbac::Principal::Compute(_)));
    let after = symbols(&modules);
    modules.extend(super::rbac::modules(
        ws,
        &identity_grants,
        ml_api,
        &after,
        "rbac",
    ));
    if phases.two_phase() {
        let mut last = workspace_module(ws, &assoc, ml_api, phases, true);
        last.depends_on = symbols(&modules);
        modules.push(last);
    }
    if let Some(mut computes) = computes_module(ws, ml_api) {
        computes.depends_on = symbols(&modules);
        modules.push(computes);
    }
    let after = symbols(&modules);
    modules.extend(super::rbac::modules(
        ws,
        &compute_grants,
        ml_api,
        &after,
        "compute-rbac",
    ));

    Deployment {
        workspace: ws.name.as_str().to_string(),
        resource_group: ws.resource_group.value.as_str().to_string(),
        location: ws.region.value.as_str().to_string(),
        tags: ws.tags.clone(),
        modules,
        ml_api,
        grants,
        phases,
    }
}

/// Why a workspace is deployed in two phases. Azure's rules, each of
/// which the first deployment must respect and a redeploy must not undo:
///
/// - an IP allowlist can only be set on an existing workspace (the
///   selected-IP scenario of "Configure a managed virtual network"), so
///   the first phase creates the workspace private;
/// - a managed network's private endpoint rule to the workspace itself
///   cannot be added at creation ("the workspace doesn't exist yet");
/// - since 30 April 2025 the workspace identity must hold the approver
///   role on a private endpoint rule's target before the managed network
///   is provisioned, or the endpoint stays pending; the identity only
///   exists once the workspace does, so the first phase does not provision
///   (`provisionNetworkNow` false, no compute yet), the grants follow, and
///   the second phase provisions.
///
/// The first phase runs only when the entry file's `firstDeployment`
/// parameter is true: on a redeploy (the default) the workspace gets one
/// PUT, its final settings, after the grants. A redeploy therefore never
/// narrows inbound access, never drops a rule, and grants the approver
/// role on a new target before the rule that needs it is added. A first
/// deployment run without the flag fails harmlessly (the workspace does
/// not exist for the role assignments) and the report says what to pass.
#[derive(Clone, Copy, Debug)]
pub struct Phases {
    pub selected_ips: bool,
    pub self_rules: bool,
    pub gated: bool,
}

impl Phases {
    fn of(ws: &Workspace, grants: &[super::rbac::RoleGrant]) -> Phases {
        let managed = ws.outbound.mode.value.is_managed() && ws.outbound.custom_vnet().is_none();
        Phases {
            selected_ips: matches!(
                ws.inbound.public_network_access.value,
                PublicNetworkAccess::SelectedIps(_)
            ),
            self_rules: managed && ws.outbound.rules.iter().any(is_self_rule),
            gated: managed
                && grants.iter().any(|g| {
                    g.principal == super::rbac::Principal::Workspace && g.role.is_approver()
                }),
        }
    }

    #[must_use]
    pub fn two_phase(&self) -> bool {
        self.selected_ips || self.self_rules || self.gated
    }
}

/// A managed network's private endpoint rule to the workspace itself.
fn is_self_rule(r: &OutboundRule) -> bool {
    matches!(
        r.destination,
        Destination::PrivateEndpoint {
            target: PeTarget::ThisWorkspace,
            ..
        }
    )
}

/// The ARM value of one outbound rule.
fn outbound_rule(rule: &OutboundRule, assoc: &Associated, ws_name: &str) -> Value {
    let v = match &rule.destination {
        Destination::Fqdn { fqdn, .. } => serde_json::to_value(FqdnRule {
            kind: RuleKind::Fqdn.arm(),
            category: "UserDefined",
            destination: Text(fqdn.as_str().to_string()),
        }),
        Destination::ServiceTag {
            tag,
            protocol,
            ports,
        } => serde_json::to_value(ServiceTagRule {
            kind: RuleKind::ServiceTag.arm(),
            category: "UserDefined",
            destination: ServiceTagDestination {
                action: "Allow",
                port_ranges: Text(ports.to_string()),
                protocol: protocol.arm(),
                service_tag: Text(tag.as_str().to_string()),
            },
        }),
        Destination::PrivateEndpoint {
            target,
            subresource,
            spark,
        } => {
            let id = match target {
                PeTarget::Resource(id) => Ref::Id(Text(id.as_str().to_string())),
                PeTarget::DefaultStorage => assoc.storage.1.clone(),
                PeTarget::ThisWorkspace => {
                    Ref::Expr(Expr::resource_id(types::WORKSPACE, &[ws_name]))
                }
            };
            serde_json::to_value(PrivateEndpointRule {
                kind: RuleKind::PrivateEndpoint.arm(),
                category: "UserDefined",
                destination: PrivateEndpointDestination {
                    service_resource_id: id,
                    subresource_target: Text(subresource.clone()),
                    spark_enabled: *spark,
                },
            })
        }
    };
    v.unwrap_or(Value::Null)
}

/// The workspace module of a phase: the first (`last` false: created
/// private, not provisioned, no rule to itself, and only on a first
/// deployment when there are two phases) or the last (its final settings).
fn workspace_module(
    ws: &Workspace,
    assoc: &Associated,
    ml_api: &'static str,
    phases: Phases,
    last: bool,
) -> Module {
    let out = &ws.outbound;
    let mode = out.mode.value;
    let ws_name = ws.name.as_str();
    let first_of_two = phases.two_phase() && !last;
    let mut rules = BTreeMap::new();
    // In custom VNet mode the rules are the hub firewall's (see
    // `emit::firewall`), not the managed network's.
    let managed_rules = if out.custom_vnet().is_some() {
        &[][..]
    } else {
        &out.rules[..]
    };
    for r in managed_rules {
        if first_of_two && is_self_rule(r) {
            continue;
        }
        rules.insert(
            r.name.as_str().to_string(),
            outbound_rule(r, assoc, ws_name),
        );
    }
    let identity = identity_of(&ws.identity);
    let primary_uai = match &ws.identity {
        crate::ir::Identity::SystemAssigned => None,
        crate::ir::Identity::UserAssigned(id) => Some(Text(id.as_str().to_string())),
    };
    let (pna, allowlist) = match &ws.inbound.public_network_access.value {
        PublicNetworkAccess::Disabled => ("Disabled", None),
        PublicNetworkAccess::Enabled => ("Enabled", None),
        // Created private: the allowlist can only be set on an existing
        // workspace.
        PublicNetworkAccess::SelectedIps(_) if first_of_two => ("Disabled", None),
        PublicNetworkAccess::SelectedIps(ips) => (
            "Enabled",
            Some(WorkspaceNetworkAcls {
                default_action: "Deny",
                ip_rules: ips
                    .iter()
                    .map(|ip| IpRule {
                        value: Text(ip.to_string()),
                    })
                    .collect(),
            }),
        ),
    };
    let registry_private = ws.container_registry.public_network_access.value == Access::Disabled;
    let image_build = ws
        .container_registry
        .image_build_compute
        .as_ref()
        .map(|(n, _)| Text(n.clone()))
        .filter(|_| registry_private || mode.is_managed());
    let comment = if first_of_two {
        format!(
            "the workspace as a first deployment creates it (isolation mode {}); `workspace-final` then sets {}",
            mode.arm(),
            first_phase_reasons(phases)
        )
    } else if last {
        format!(
            "the workspace's final settings (isolation mode {}), once its role assignments exist",
            mode.arm()
        )
    } else {
        format!("the workspace, isolation mode {}", mode.arm())
    };
    let resources = vec![Resource::new(
        "workspace",
        types::WORKSPACE,
        ml_api,
        &[ws_name],
        comment,
        MlWorkspace {
            location: loc(),
            tags: tags(),
            kind: "Default",
            sku: Sku {
                name: "Basic",
                tier: Some("Basic"),
            },
            identity,
            properties: MlWorkspaceProperties {
                friendly_name: Text(ws_name.to_string()),
                storage_account: assoc.storage.1.clone(),
                key_vault: assoc.key_vault.1.clone(),
                application_insights: assoc.app_insights.1.clone(),
                container_registry: assoc.container_registry.1.clone(),
                public_network_access: pna,
                network_acls: allowlist,
                primary_user_assigned_identity: primary_uai,
                image_build_compute: image_build,
                provision_network_now: mode.is_managed()
                    && out.provision_now.value
                    && !(first_of_two && phases.gated),
                managed_network: ManagedNetwork {
                    isolation_mode: mode.arm(),
                    firewall_sku: (mode == IsolationMode::AllowOnlyApprovedOutbound
                        && out.has_fqdn_rules())
                    .then(|| out.firewall_sku.value.arm()),
                    outbound_rules: rules,
                },
                serverless_compute_settings: out.custom_vnet().and_then(|spoke| {
                    Some(ServerlessComputeSettings {
                        serverless_compute_custom_subnet: super::network::subnet_ref(
                            spoke,
                            crate::ir::SubnetRole::Training,
                        )?,
                        serverless_compute_no_public_ip:
                            !crate::catalog::custom_vnet::public_ip_compute(ws),
                    })
                }),
            },
        },
    )];
    let (symbol, file, description) = if last {
        (
            "workspaceFinal",
            "workspace-final",
            format!(
                "the workspace's final settings, after its role assignments: {}",
                first_phase_reasons(phases)
            ),
        )
    } else if first_of_two {
        (
            "workspace",
            "workspace",
            "the workspace as a first deployment creates it (only with firstDeployment=true), its managed network and outbound rules".to_string(),
        )
    } else {
        (
            "workspace",
            "workspace",
            "the workspace, its managed network and outbound rules".to_string(),
        )
    };
    Module {
        symbol: symbol.into(),
        file: file.into(),
        deployment_name: names::deployment(ws, file),
        description,
        resources,
        depends_on: Vec::new(),
        target: None,
        params: Vec::new(),
        condition: first_of_two.then(|| Expr::param(FIRST_DEPLOYMENT)),
    }
}

/// What the last phase sets that the first may not, in words.
pub(crate) fn first_phase_reasons(phases: Phases) -> String {
    let mut why = Vec::new();
    if phases.selected_ips {
        why.push("public access from the selected IPs (an allowlist can only be set on an existing workspace)");
    }
    if phases.self_rules {
        why.push("the managed network's private endpoint to the workspace itself (it cannot be added at creation)");
    }
    if phases.gated {
        why.push("the managed network provisioned only after the workspace identity may approve its private endpoints");
    }
    why.join("; ")
}

/// The computes, in their own module after everything they reach: the
/// workspace's private endpoints and DNS (compute without a public IP
/// reaches the workspace through them: "Secure training environments with
/// virtual networks"), and the approver grants (the first compute
/// provisions a managed network that is not yet provisioned).
fn computes_module(ws: &Workspace, ml_api: &'static str) -> Option<Module> {
    let ws_name = ws.name.as_str();
    let mut resources = vec![Resource::existing(
        "workspace",
        types::WORKSPACE,
        ml_api,
        ws_name,
    )];
    for (i, c) in ws.computes.iter().enumerate() {
        if let Some(body) = compute_body(ws, c) {
            resources.push(
                Resource::new(
                    &format!("compute{}", i + 1),
                    types::COMPUTE,
                    api::ML,
                    &[ws_name, c.name.as_str()],
                    format!("{} `{}`", c.kind.value.keyword().replace('_', " "), c.name),
                    MlCompute {
                        location: loc(),
                        tags: tags(),
                        identity: c.identity.as_ref().map(identity_of),
                        properties: body,
                    },
                )
                .child_of("workspace"),
            );
        }
    }
    if resources.len() == 1 {
        return None;
    }
    Some(Module {
        symbol: "computes".into(),
        file: "computes".into(),
        deployment_name: names::deployment(ws, "computes"),
        description:
            "the workspace's computes, after its private endpoints, DNS and role assignments".into(),
        resources,
        depends_on: Vec::new(),
        target: None,
        params: Vec::new(),
        condition: None,
    })
}

/// The ARM `properties` of a managed compute; `None` for kinds that are
/// attached, not created (Kubernetes, virtual machines).
fn compute_body(ws: &Workspace, c: &Compute) -> Option<Value> {
    let d = &ws.compute;
    let subnet = match (&c.subnet, ws.outbound.custom_vnet()) {
        (Some((id, _)), _) => Some(Ref::Id(Text(id.as_str().to_string()))),
        // Custom VNet mode: instances and clusters in the training subnet.
        (None, Some(spoke)) => super::network::subnet_ref(spoke, crate::ir::SubnetRole::Training),
        (None, None) => None,
    }
    .and_then(|id| serde_json::to_value(IdRef { id }).ok());
    let mut inner = Map::new();
    if let Some(size) = &c.vm_size {
        inner.insert("vmSize".into(), serde_json::json!(Text(size.clone())));
    }
    inner.insert("enableNodePublicIp".into(), Value::Bool(c.public_ip.value));
    if let Some(s) = subnet {
        inner.insert("subnet".into(), s);
    }
    let public_ssh = if d.ssh.value { "Enabled" } else { "Disabled" };
    let compute_type = match c.kind.value {
        ComputeKind::Cluster => {
            inner.insert(
                "scaleSettings".into(),
                serde_json::json!({ "maxNodeCount": c.max_nodes.unwrap_or(1), "minNodeCount": 0 }),
            );
            inner.insert(
                "remoteLoginPortPublicAccess".into(),
                Value::from(public_ssh),
            );
            "AmlCompute"
        }
        ComputeKind::Instance => {
            inner.insert(
                "sshSettings".into(),
                serde_json::json!({ "sshPublicAccess": public_ssh }),
            );
            if let Some((script, _)) = &d.setup_script {
                inner.insert(
                    "setupScripts".into(),
                    serde_json::json!({ "scripts": { "creationScript": {
                        "scriptSource": "workspaceStorage",
                        "scriptData": Text(script.clone()),
                    } } }),
                );
            }
            if let Some(user) = &c.assigned_user {
                // Without a tenant, the workspace's: `subscription()` of the
                // deployment into the workspace's resource group is the
                // workspace's subscription, and its `tenantId` the tenant
                // whose users the workspace serves (`tenant()` would be the
                // deploying identity's tenant, which differs when a
                // pipeline deploys across tenants). Microsoft's quickstart
                // template `machine-learning-compute-create-computeinstance`
                // defaults `tenantId` to `[subscription().tenantId]` too. The
                // docs are silent on a user of another tenant; an explicit
                // `tenant_id` is written as given.
                let tenant = match &user.tenant_id {
                    Some(t) => serde_json::json!(Text(t.to_string())),
                    None => serde_json::json!(Expr::tenant_id()),
                };
                inner.insert(
                    "personalComputeInstanceSettings".into(),
                    serde_json::json!({ "assignedUser": {
                        "objectId": Text(user.object_id.to_string()),
                        "tenantId": tenant,
                    } }),
                );
            }
            "ComputeInstance"
        }
        ComputeKind::Kubernetes | ComputeKind::AttachedVm => return None,
    };
    Some(serde_json::json!({
        "computeType": compute_type,
        "disableLocalAuth": !d.local_auth.value,
        "properties": inner,
    }))
}
