//! The workspace's associated resources that amlgen creates: Application
//! Insights and its Log Analytics workspace, the default storage account,
//! the key vault and the container registry, one module each (`language.md`:
//! "Associated resources").

use crate::emit::azure::properties::{
    AppInsights, AppInsightsProperties, ContainerRegistry, KeyVault, KeyVaultNetworkAcls,
    KeyVaultProperties, KeyVaultSku, LogAnalytics, LogAnalyticsProperties, RegistryNetworkRuleSet,
    RegistryProperties, ResourceAccessRule, Sku, StorageAccount, StorageNetworkAcls,
    StorageProperties,
};
use crate::emit::azure::{Expr, Module, Ref, Resource, api, loc, tags, types};
use crate::emit::plan::Plan;
use crate::escape::Text;
use crate::ir::{Access, RegistrySku};

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

/// Monitoring: Application Insights and, unless the posture names one, its
/// Log Analytics workspace (created when Application Insights is).
#[must_use]
pub fn monitoring(plan: &Plan) -> Option<Module> {
    let (Some(appi), _) = &plan.assoc.app_insights else {
        return None;
    };
    let mut resources = Vec::new();
    let la_id = match &plan.assoc.log_analytics {
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
    Some(Module {
        symbol: "monitoring".into(),
        file: "monitoring".into(),
        deployment_name: plan.deployment("monitoring"),
        description: "Application Insights and its Log Analytics workspace".into(),
        resources,
        depends_on: Vec::new(),
        target: None,
        params: Vec::new(),
        condition: None,
    })
}

/// The default storage account, when amlgen creates it.
#[must_use]
pub fn storage(plan: &Plan) -> Option<Module> {
    let ws = plan.ws;
    let (Some(name), _) = &plan.assoc.storage else {
        return None;
    };
    let s = &ws.storage;
    let pna = s.public_network_access.value;
    let rules = if s.resource_instance_rule.value {
        vec![ResourceAccessRule {
            tenant_id: Expr::tenant_id(),
            resource_id: plan.workspace_id.clone(),
        }]
    } else {
        Vec::new()
    };
    Some(Module {
        symbol: "storage".into(),
        file: "storage".into(),
        deployment_name: plan.deployment("storage"),
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
    })
}

/// The key vault, when amlgen creates it.
#[must_use]
pub fn key_vault(plan: &Plan) -> Option<Module> {
    let ws = plan.ws;
    let (Some(name), _) = &plan.assoc.key_vault else {
        return None;
    };
    let k = &ws.key_vault;
    let pna = k.public_network_access.value;
    Some(Module {
        symbol: "keyVault".into(),
        file: "key-vault".into(),
        deployment_name: plan.deployment("key-vault"),
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
    })
}

/// The container registry, when amlgen creates it.
#[must_use]
pub fn container_registry(plan: &Plan) -> Option<Module> {
    let ws = plan.ws;
    let (Some(name), _) = &plan.assoc.container_registry else {
        return None;
    };
    let r = &ws.container_registry;
    let pna = r.public_network_access.value;
    let premium = r.sku.value == RegistrySku::Premium;
    Some(Module {
        symbol: "containerRegistry".into(),
        file: "container-registry".into(),
        deployment_name: plan.deployment("container-registry"),
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
    })
}
