//! Role assignments: the grants the posture declares (`access`) and the
//! ones it implies, each with the reason it exists. The workspace identity
//! gets the private endpoint approver role on every private endpoint rule
//! target (a custom role for types the built-in does not cover), Reader on
//! the client-VNet storage private endpoints when the storage is private
//! (R22), and what data profiling needs (R23). Nothing for the workspace's
//! default resources: the platform grants those at creation.
//!
//! Assignments on what this deployment creates go in the `rbac` module;
//! those on resources elsewhere go in one module per resource group,
//! scoped there. Names are stable GUIDs of scope, principal and role.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::escape::Text;
use super::expr::Expr;
use super::model::{Associated, Module, Ref, Resource, api, types};
use super::names;
use crate::catalog::{private_link, roles};
use crate::ir::{
    Access, ClientEndpoint, Destination, GrantScope, Identity, PeTarget, PrincipalKind, Provision,
    ResourceId, Workspace,
};

/// The built-in role the managed network needs on private endpoint targets.
pub const APPROVER: &str = "Azure AI Enterprise Network Connection Approver";

/// The types amlgen can declare `existing` (the ones it deploys itself), in
/// their canonical casing, with their API version. A grant on another type
/// is made at its resource group (and the report says so).
fn known(arm_type: &str) -> Option<(&'static str, &'static str)> {
    [
        (types::STORAGE, api::STORAGE),
        (types::KEY_VAULT, api::KEY_VAULT),
        (types::CONTAINER_REGISTRY, api::CONTAINER_REGISTRY),
        (types::WORKSPACE, api::ML),
        (types::APP_INSIGHTS, api::APP_INSIGHTS),
        (types::PRIVATE_ENDPOINT, api::NETWORK),
    ]
    .into_iter()
    .find(|(t, _)| t.eq_ignore_ascii_case(arm_type))
}

/// Who a grant is for.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Principal {
    /// The workspace's managed identity (system- or user-assigned).
    Workspace,
    /// A named compute's managed identity.
    Compute(String),
    /// A principal the posture names.
    Declared(PrincipalKind, String),
}

/// What a grant applies to.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Target {
    /// The deployment's resource group.
    ResourceGroup,
    /// A resource this deployment creates: (type, name).
    Created(&'static str, String),
    /// A resource elsewhere, by id.
    Elsewhere(String),
}

/// The role a grant gives.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RoleRef {
    BuiltIn {
        name: &'static str,
        id: &'static str,
    },
    /// amlgen's scoped-down approver role for the given target types.
    CustomApprover(Vec<&'static str>),
}

impl RoleRef {
    /// The approver built-in or amlgen's custom approver role.
    #[must_use]
    pub fn is_approver(&self) -> bool {
        match self {
            RoleRef::BuiltIn { name, .. } => *name == APPROVER,
            RoleRef::CustomApprover(_) => true,
        }
    }
}

/// One role assignment and why it exists.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct RoleGrant {
    pub target: Target,
    pub principal: Principal,
    pub role: RoleRef,
    pub why: String,
    /// A grant made at the target's resource group because amlgen cannot
    /// name the target itself there (no verified API version for its type).
    pub widened: bool,
}

/// An associated resource as a grant target: the one this deployment
/// creates (by the name amlgen gave it), or the existing one by id.
fn associated_target(
    provision: &Provision,
    arm_type: &'static str,
    created: Option<&str>,
) -> Target {
    match provision {
        Provision::Create => Target::Created(arm_type, created.unwrap_or_default().to_string()),
        Provision::Existing(id) => Target::Elsewhere(id.as_str().to_string()),
    }
}

fn built_in(name: &str) -> Option<RoleRef> {
    roles::lookup(name).map(|r| RoleRef::BuiltIn {
        name: r.name,
        id: r.id,
    })
}

/// The grants of a workspace, declared and derived, sorted.
#[must_use]
pub fn grants(ws: &Workspace, assoc: &Associated) -> Vec<RoleGrant> {
    let mut out: Vec<RoleGrant> = Vec::new();
    let mut push = |target: Target, principal: Principal, role: Option<RoleRef>, why: String| {
        let Some(role) = role else { return };
        let widened = matches!(&target, Target::Elsewhere(id)
            if ResourceId::parse(id).is_ok_and(|r| known(&r.arm_type()).is_none()));
        let g = RoleGrant {
            target,
            principal,
            role,
            why,
            widened,
        };
        if !out
            .iter()
            .any(|o| o.target == g.target && o.principal == g.principal && o.role == g.role)
        {
            out.push(g);
        }
    };
    let default_ids: Vec<String> = [
        &ws.storage.provision,
        &ws.key_vault.provision,
        &ws.container_registry.provision,
    ]
    .iter()
    .filter_map(|p| match p {
        Provision::Existing(id) => Some(id.as_str().to_ascii_lowercase()),
        Provision::Create => None,
    })
    .collect();

    // R40: approve the managed network's private endpoints on each target.
    if ws.outbound.mode.value.is_managed() {
        let mut uncovered: BTreeMap<String, Vec<&'static str>> = BTreeMap::new();
        for rule in &ws.outbound.rules {
            let Destination::PrivateEndpoint {
                target: PeTarget::Resource(id),
                ..
            } = &rule.destination
            else {
                continue;
            };
            if default_ids.contains(&id.as_str().to_ascii_lowercase()) {
                continue;
            }
            let Some(t) = private_link::lookup(&id.arm_type()) else {
                continue;
            };
            if t.approver_role_covers {
                push(
                    Target::Elsewhere(id.as_str().to_string()),
                    Principal::Workspace,
                    built_in(APPROVER),
                    format!(
                        "R40: the managed network's private endpoint to this {} needs approving by the workspace identity (rule `{}`)",
                        t.service, rule.name
                    ),
                );
            } else {
                uncovered
                    .entry(id.as_str().to_string())
                    .or_default()
                    .push(t.arm_type);
            }
        }
        for (id, types) in uncovered {
            let rule_types = types.clone();
            push(
                Target::Elsewhere(id),
                Principal::Workspace,
                Some(RoleRef::CustomApprover(rule_types)),
                "R40: the approver built-in does not cover this type, so a custom role holding only its private endpoint connection approval actions".to_string(),
            );
        }
    }

    // R22 / R23: the workspace identity reads the client storage endpoints.
    let storage_private = ws.storage.public_network_access.value == Access::Disabled;
    let client_storage = ws
        .inbound
        .private_endpoint
        .as_ref()
        .is_some_and(|pe| pe.targets.value.contains(&ClientEndpoint::Storage));
    let storage_name = match (&assoc.storage.0, &assoc.storage.1) {
        (Some(n), _) => n.clone(),
        (None, Ref::Id(t)) => t
            .as_str()
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string(),
        (None, Ref::Expr(_)) => String::new(),
    };
    if client_storage && (storage_private || ws.storage.data_profiling.value) {
        for group in ["blob", "file"] {
            let why = if storage_private {
                "R22: studio reaches the private default storage through the client private endpoints; the workspace identity must read them"
            } else {
                "R23: data profiling reads the default storage through its client private endpoint"
            };
            // The endpoints are in the client VNet's group (see
            // `endpoints::client_group`), not always the deployment's.
            let name = names::private_endpoint(&storage_name, group);
            push(
                super::endpoints::client_endpoint_id(ws, &name).map_or_else(
                    || Target::Created(types::PRIVATE_ENDPOINT, name.clone()),
                    Target::Elsewhere,
                ),
                Principal::Workspace,
                built_in("Reader"),
                why.to_string(),
            );
        }
    }
    if ws.storage.data_profiling.value {
        push(
            associated_target(&ws.storage.provision, types::STORAGE, assoc.storage.0.as_deref()),
            Principal::Workspace,
            built_in("Storage Blob Data Contributor"),
            "R23: data profiling (AutoML, designer, datasets in studio) reads and writes the default storage's blobs as the workspace identity".to_string(),
        );
    }

    // Compute identities: pull images from the workspace's registry, read
    // the project data the posture names (project-centric access, seed 003).
    for c in ws.computes.iter().filter(|c| c.identity.is_some()) {
        let registry = associated_target(
            &ws.container_registry.provision,
            types::CONTAINER_REGISTRY,
            assoc.container_registry.0.as_deref(),
        );
        push(
            registry,
            Principal::Compute(c.name.as_str().to_string()),
            built_in("AcrPull"),
            format!(
                "compute `{}` pulls its images from the workspace's registry as its own identity",
                c.name
            ),
        );
        for id in &c.reads {
            push(
                Target::Elsewhere(id.as_str().to_string()),
                Principal::Compute(c.name.as_str().to_string()),
                built_in("Storage Blob Data Reader"),
                format!(
                    "compute `{}` reads this project data (`reads`) as its own identity",
                    c.name
                ),
            );
        }
    }

    // Declared grants.
    for g in &ws.access {
        let target = match &g.scope {
            GrantScope::Workspace => {
                Target::Created(types::WORKSPACE, ws.name.as_str().to_string())
            }
            GrantScope::ResourceGroup => Target::ResourceGroup,
            GrantScope::Storage => associated_target(
                &ws.storage.provision,
                types::STORAGE,
                assoc.storage.0.as_deref(),
            ),
            GrantScope::KeyVault => associated_target(
                &ws.key_vault.provision,
                types::KEY_VAULT,
                assoc.key_vault.0.as_deref(),
            ),
            GrantScope::ContainerRegistry => associated_target(
                &ws.container_registry.provision,
                types::CONTAINER_REGISTRY,
                assoc.container_registry.0.as_deref(),
            ),
            GrantScope::Resource(id) => Target::Elsewhere(id.as_str().to_string()),
        };
        push(
            target,
            Principal::Declared(g.principal_kind, g.principal_id.as_str().to_string()),
            Some(RoleRef::BuiltIn {
                name: g.role.name,
                id: g.role.id,
            }),
            "declared in the posture's `access` block".to_string(),
        );
    }
    out.sort();
    out
}

/// The principal id expression of the workspace identity, from the entry
/// file (where the workspace is in scope).
#[must_use]
pub fn workspace_principal(ws: &Workspace, ml_api: &str) -> Expr {
    identity_principal(
        &ws.identity,
        Expr::resource_id(types::WORKSPACE, &[ws.name.as_str()]),
        ml_api,
    )
}

/// The object id of a managed identity: the resource's own (system-assigned,
/// read from `resource` at `api_version`) or the user-assigned identity's.
fn identity_principal(identity: &Identity, resource: Expr, api_version: &str) -> Expr {
    match identity {
        Identity::SystemAssigned => Expr::call(
            "reference",
            vec![resource, Expr::str(api_version), Expr::str("full")],
        )
        .prop("identity")
        .prop("principalId"),
        Identity::UserAssigned(id) => Expr::call(
            "reference",
            vec![Expr::str(id.as_str()), Expr::str(api::MANAGED_IDENTITY)],
        )
        .prop("principalId"),
    }
}

/// The operations that read and approve a private endpoint connection, per
/// type the approver built-in does not cover, spelled as Microsoft's
/// provider-operations pages print them (sources in
/// `docs/research/pe-approval-actions.md`): the approval action, and
/// `privateEndpointConnections/read` and `/write`, the minimum Microsoft's
/// private link troubleshooting article gives.
const APPROVAL_ACTIONS: &[(&str, &[&str])] = &[
    (
        "Microsoft.DataFactory/factories",
        &[
            "Microsoft.DataFactory/factories/PrivateEndpointConnectionsApproval/action",
            "Microsoft.DataFactory/factories/privateEndpointConnections/read",
            "Microsoft.DataFactory/factories/privateEndpointConnections/write",
        ],
    ),
    (
        "Microsoft.Databricks/workspaces",
        &[
            "Microsoft.Databricks/workspaces/privateEndpointConnectionsApproval/action",
            "Microsoft.Databricks/workspaces/privateEndpointConnections/read",
            "Microsoft.Databricks/workspaces/privateEndpointConnections/write",
        ],
    ),
    (
        "Microsoft.DBforMariaDB/servers",
        &[
            "Microsoft.DBforMariaDB/servers/privateEndpointConnectionsApproval/action",
            "Microsoft.DBforMariaDB/servers/privateEndpointConnections/read",
            "Microsoft.DBforMariaDB/servers/privateEndpointConnections/write",
        ],
    ),
];

/// Types whose `privateEndpointConnectionsApproval/action` the approver
/// built-in lists (Microsoft's built-in roles page, in
/// `docs/research/pe-approval-actions.md`).
const APPROVER_LISTS_APPROVAL: &[&str] = &[
    "Microsoft.ContainerRegistry/registries",
    "Microsoft.Cache/redis",
    "Microsoft.Cache/redisEnterprise",
    "Microsoft.DocumentDB/databaseAccounts",
    "Microsoft.KeyVault/vaults",
    "Microsoft.MachineLearningServices/workspaces",
    "Microsoft.Sql/servers",
];

/// The custom approver role's actions for the types it must cover.
#[must_use]
pub fn approval_actions(types: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = types
        .iter()
        .flat_map(|t| {
            match APPROVAL_ACTIONS
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(t))
            {
                Some((_, actions)) => actions.iter().map(|a| (*a).to_string()).collect::<Vec<_>>(),
                None => vec![
                    format!("{t}/privateEndpointConnections/read"),
                    format!("{t}/privateEndpointConnections/write"),
                ],
            }
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The actions the identity running a workspace's deployment needs:
/// read and write of every type it deploys, and what Microsoft documents
/// for a managed network and private endpoints (sources in
/// `docs/research/pe-approval-actions.md`).
#[must_use]
pub fn deployer_actions(ws: &Workspace, d: &super::model::Deployment) -> Vec<String> {
    let mut out: Vec<String> = vec![
        // Nested deployments (Bicep modules) and the resource group.
        "Microsoft.Resources/deployments/*".into(),
        "Microsoft.Resources/subscriptions/resourceGroups/read".into(),
        // Required for a managed network (how-to-managed-network).
        "Microsoft.MachineLearningServices/workspaces/privateEndpointConnections/read".into(),
        "Microsoft.MachineLearningServices/workspaces/privateEndpointConnections/write".into(),
    ];
    let all: Vec<&Resource> = d
        .modules
        .iter()
        .flat_map(|m| &m.resources)
        .filter(|r| !r.existing)
        .collect();
    for r in &all {
        out.push(format!("{}/read", r.arm_type));
        out.push(format!("{}/write", r.arm_type));
    }
    if all.iter().any(|r| r.arm_type == types::PRIVATE_ENDPOINT) {
        // A private endpoint in a subnet (private-link rbac-permissions).
        out.extend(
            [
                "Microsoft.Network/virtualNetworks/read",
                "Microsoft.Network/virtualNetworks/subnets/read",
                "Microsoft.Network/virtualNetworks/subnets/join/action",
                "Microsoft.Network/locations/availablePrivateEndpointTypes/read",
            ]
            .map(String::from),
        );
    }
    if all.iter().any(|r| r.arm_type == types::ZONE_GROUP) {
        out.push("Microsoft.Network/privateDnsZones/join/action".into());
        // The zone group writes the endpoint's A records (private link
        // troubleshooting article).
        out.push("Microsoft.Network/privateDnsZones/A/write".into());
    }
    // A client private endpoint with an automatic connection needs the
    // approval action on its target (private-link rbac-permissions).
    if let Some(pe) = &ws.inbound.private_endpoint {
        for t in &pe.targets.value {
            out.push(
                match t {
                    ClientEndpoint::Workspace => {
                        "Microsoft.MachineLearningServices/workspaces/privateEndpointConnectionsApproval/action"
                    }
                    ClientEndpoint::Storage => "Microsoft.Storage/storageAccounts/PrivateEndpointConnectionsApproval/action",
                    ClientEndpoint::KeyVault => "Microsoft.KeyVault/vaults/privateEndpointConnectionsApproval/action",
                    ClientEndpoint::ContainerRegistry => {
                        "Microsoft.ContainerRegistry/registries/privateEndpointConnectionsApproval/action"
                    }
                }
                .to_string(),
            );
        }
    }
    // Starting the managed network's private endpoints needs approval
    // rights on their targets too (how-to-managed-network): the types'
    // connection operations, as the approver role and the provider
    // operations pages spell them.
    if ws.outbound.mode.value.is_managed() {
        for rule in &ws.outbound.rules {
            if let Destination::PrivateEndpoint {
                target: PeTarget::Resource(id),
                ..
            } = &rule.destination
            {
                let ty = private_link::lookup(&id.arm_type())
                    .map_or_else(|| id.arm_type(), |t| t.arm_type.to_string());
                match APPROVAL_ACTIONS
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(&ty))
                {
                    Some((_, actions)) => out.extend(actions.iter().map(|a| (*a).to_string())),
                    None => {
                        out.push(format!("{ty}/privateEndpointConnections/read"));
                        out.push(format!("{ty}/privateEndpointConnections/write"));
                        if APPROVER_LISTS_APPROVAL
                            .iter()
                            .any(|k| k.eq_ignore_ascii_case(&ty))
                        {
                            out.push(format!("{ty}/privateEndpointConnectionsApproval/action"));
                        }
                    }
                }
            }
        }
    }
    // Attaching a user-assigned identity (managed identities FAQ).
    let uai = matches!(ws.identity, Identity::UserAssigned(_))
        || ws
            .computes
            .iter()
            .any(|c| matches!(c.identity, Some(Identity::UserAssigned(_))));
    if uai {
        out.push("Microsoft.ManagedIdentity/userAssignedIdentities/read".into());
        out.push("Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action".into());
    }
    if all.iter().any(|r| r.arm_type == types::VNET_LINK) {
        out.push("Microsoft.Network/virtualNetworks/join/action".into());
    }
    // Custom VNet mode: subnets that use the NSGs, the route table and the
    // service endpoint policy, compute joined to the training subnet, and
    // the spoke's peering (Microsoft.Network provider operations).
    if all.iter().any(|r| r.arm_type == types::NSG) {
        out.extend(
            [
                "Microsoft.Network/networkSecurityGroups/join/action",
                "Microsoft.Network/routeTables/join/action",
                "Microsoft.Network/virtualNetworks/read",
                "Microsoft.Network/virtualNetworks/subnets/read",
                "Microsoft.Network/virtualNetworks/subnets/join/action",
            ]
            .map(String::from),
        );
    }
    if all
        .iter()
        .any(|r| r.arm_type == types::SERVICE_ENDPOINT_POLICY)
    {
        out.push("Microsoft.Network/serviceEndpointPolicies/join/action".into());
        out.push("Microsoft.Network/virtualNetworks/subnets/joinViaServiceEndpoint/action".into());
    }
    if all.iter().any(|r| r.arm_type == types::PEERING) {
        out.push("Microsoft.Network/virtualNetworks/peer/action".into());
    }
    out.sort();
    out.dedup();
    out
}

/// The resource groups the deploying identity works in besides the
/// workspace's: the client subnet's, the hub DNS zones', and every group a
/// module is scoped to (the client private endpoints', the zone links',
/// those a role assignment is made in). As `(subscription, group)`.
#[must_use]
pub fn deployer_groups(ws: &Workspace, d: &super::model::Deployment) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut add = |id: &ResourceId| {
        let key = (
            id.subscription().as_str().to_string(),
            id.resource_group().to_string(),
        );
        if !out.contains(&key) {
            out.push(key);
        }
    };
    if let Some(pe) = &ws.inbound.private_endpoint {
        if let crate::ir::PeSubnet::Id(id) = &pe.subnet {
            add(id);
        }

        if let crate::ir::Dns::Existing(zones) = &pe.dns {
            zones.iter().for_each(&mut add);
        }
    }
    // The hub VNet a created spoke peers with (`peer/action` there).
    if let Some(crate::ir::Spoke {
        vnet: crate::ir::SpokeVnet::Create { hub: Some(hub), .. },
        ..
    }) = ws.outbound.custom_vnet()
    {
        add(hub);
    }
    for m in &d.modules {
        if let Some((sub, grp)) = &m.target {
            let key = (sub.clone(), grp.clone());
            if !out.contains(&key) {
                out.push(key);
            }
        }
    }
    out.sort();
    out
}

/// Where the deployer role may be assigned: the deployment's subscription
/// and every subscription of [`deployer_groups`].
fn deployer_scopes(ws: &Workspace, d: &super::model::Deployment) -> Value {
    let mut subs: Vec<String> = deployer_groups(ws, d).into_iter().map(|(s, _)| s).collect();
    let own = ws.subscription_id.as_ref().map(|g| g.as_str().to_string());
    if let Some(own) = &own {
        subs.push(own.clone());
    }
    subs.sort();
    subs.dedup();
    let mut scopes: Vec<Value> = Vec::new();
    if own.is_none() {
        scopes.push(json!(Expr::call("subscription", Vec::new()).prop("id")));
    }
    scopes.extend(
        subs.into_iter()
            .map(|s| json!(Text(format!("/subscriptions/{s}")))),
    );
    Value::Array(scopes)
}

/// The custom role for the deploying identity, as a subscription-scope
/// template resource.
#[must_use]
pub fn deployer_role(ws: &Workspace, d: &super::model::Deployment) -> Resource {
    let role_name = deployer_role_name(ws);
    Resource::new(
        "deployerRole",
        types::ROLE_DEFINITION,
        api::ROLES,
        &[],
        "what the identity that deploys this workspace needs, and nothing more".into(),
        json!({ "properties": {
            "roleName": role_name,
            "description": Text(format!("Deploys the amlgen build of workspace {} in resource group {}: the resources it creates, its nested deployments, its private endpoints, DNS zone groups and role assignments.", ws.name, ws.resource_group.value.as_str())),
            "type": "CustomRole",
            "permissions": [ { "actions": deployer_actions(ws, d).into_iter().map(Text).collect::<Vec<_>>(), "notActions": [] } ],
            "assignableScopes": deployer_scopes(ws, d),
        } }),
    )
    .named(Expr::call("guid", vec![role_name]))
    .at(super::model::IdScope::Subscription)
}

/// The deployer role's name: the workspace, its subscription and resource
/// group (the workspace's identity in Azure), the subscription read at
/// deployment when the posture does not name it. Its GUID is `guid()` of
/// this name, so the two change together.
fn deployer_role_name(ws: &Workspace) -> Expr {
    let subscription = match &ws.subscription_id {
        Some(g) => Expr::str(g.as_str()),
        None => Expr::call("subscription", Vec::new()).prop("subscriptionId"),
    };
    Expr::call(
        "format",
        vec![
            Expr::str("amlgen deployer: {0} ({1}/{2})"),
            Expr::str(ws.name.as_str()),
            subscription,
            Expr::str(ws.resource_group.value.as_str()),
        ],
    )
}

/// A role definition's id in the deployment's subscription.
pub(crate) fn role_definition_id(guid: Expr) -> Expr {
    Expr::call(
        "subscriptionResourceId",
        vec![Expr::str(types::ROLE_DEFINITION), guid],
    )
}

/// The module parameter that carries a managed identity's object id.
fn principal_param(p: &Principal) -> Option<String> {
    match p {
        Principal::Workspace => Some("principalId".to_string()),
        Principal::Compute(name) => Some(format!("computePrincipalId_{}", name.replace('-', "_"))),
        Principal::Declared(..) => None,
    }
}

/// A principal's object id: the declared GUID, or the module parameter
/// that carries a managed identity's; and its `principalType`.
fn principal_id(p: &Principal) -> (Expr, &'static str) {
    match (p, principal_param(p)) {
        (Principal::Declared(kind, id), _) => (Expr::str(id), kind.arm()),
        (_, param) => (Expr::param(&param.unwrap_or_default()), "ServicePrincipal"),
    }
}

/// The object id as the assignment's `principalId` writes it: a literal
/// GUID, or the parameter.
fn principal_value(id: &Expr) -> Value {
    match id {
        Expr::Str(s) => json!(Text(s.clone())),
        e => json!(e),
    }
}

/// The object id of a principal's managed identity, as the entry file
/// reads it.
fn principal_expr(ws: &Workspace, p: &Principal, ml_api: &str) -> Option<Expr> {
    match p {
        Principal::Workspace => Some(workspace_principal(ws, ml_api)),
        Principal::Compute(name) => {
            let c = ws.computes.iter().find(|c| c.name.as_str() == name)?;
            Some(identity_principal(
                c.identity.as_ref()?,
                Expr::resource_id(types::COMPUTE, &[ws.name.as_str(), name]),
                api::ML,
            ))
        }
        Principal::Declared(..) => None,
    }
}

/// The RBAC modules of some grants of a workspace: `<file>` for what the
/// deployment creates and the resource group, `<file>-<n>` per other
/// resource group.
#[must_use]
pub fn modules(
    ws: &Workspace,
    grants: &[RoleGrant],
    ml_api: &str,
    after: &[String],
    file: &str,
) -> Vec<Module> {
    let mut local: Vec<&RoleGrant> = Vec::new();
    let mut remote: BTreeMap<(String, String), Vec<&RoleGrant>> = BTreeMap::new();
    for g in grants {
        match &g.target {
            Target::Elsewhere(id) => {
                let Ok(rid) = ResourceId::parse(id) else {
                    continue;
                };
                remote
                    .entry((
                        rid.subscription().as_str().to_string(),
                        rid.resource_group().to_string(),
                    ))
                    .or_default()
                    .push(g);
            }
            _ => local.push(g),
        }
    }
    let for_whom = if file == "rbac" {
        ""
    } else {
        ", for the computes' identities (after the computes exist)"
    };
    let mut out = Vec::new();
    if !local.is_empty() {
        out.push(module(
            ws,
            file,
            &format!("role assignments on what this deployment creates{for_whom}"),
            &local,
            None,
            ml_api,
            after,
        ));
    }
    for (i, ((sub, grp), gs)) in remote.into_iter().enumerate() {
        let file = format!("{file}-{}", i + 1);
        out.push(module(
            ws,
            &file,
            &format!("role assignments in resource group {grp}{for_whom}"),
            &gs,
            Some((sub, grp.clone())),
            ml_api,
            after,
        ));
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn module(
    ws: &Workspace,
    file: &str,
    description: &str,
    grants: &[&RoleGrant],
    target: Option<(String, String)>,
    ml_api: &str,
    after: &[String],
) -> Module {
    let mut resources: Vec<Resource> = Vec::new();
    let mut declared: BTreeMap<String, String> = BTreeMap::new();
    let mut params: Vec<(String, Expr)> = Vec::new();
    for g in grants {
        if let (Some(name), Some(value)) = (
            principal_param(&g.principal),
            principal_expr(ws, &g.principal, ml_api),
        ) && !params.iter().any(|(n, _)| *n == name)
        {
            params.push((name, value));
        }
    }
    params.sort_by(|a, b| a.0.cmp(&b.0));
    // Every type of this group's targets the approver built-in does not
    // cover: they share one custom role.
    let mut uncovered: Vec<&'static str> = grants
        .iter()
        .filter_map(|g| match &g.role {
            RoleRef::CustomApprover(t) => Some(t.clone()),
            RoleRef::BuiltIn { .. } => None,
        })
        .flatten()
        .collect();
    uncovered.sort_unstable();
    uncovered.dedup();
    // One custom approver role per module (per resource group), for every
    // uncovered type of its targets: its name and GUID both derive from
    // the group and the workspace identity, so they change together.
    let scope = target.as_ref().map_or_else(String::new, |(sub, grp)| {
        format!("/subscriptions/{sub}/resourceGroups/{grp}")
    });
    let mut custom_role: Option<Expr> = None;
    for (i, g) in grants.iter().enumerate() {
        // The resource the assignment applies to, declared `existing`:
        // (key, canonical type, API version, name), or none for the group.
        let existing: Option<(String, &'static str, &'static str, String)> = match &g.target {
            Target::ResourceGroup => None,
            Target::Created(ty, name) => Some((
                format!("{ty}/{name}"),
                *ty,
                known(ty).map_or(api::ML, |(_, v)| v),
                name.clone(),
            )),
            Target::Elsewhere(id) => ResourceId::parse(id).ok().and_then(|rid| {
                known(&rid.arm_type())
                    .map(|(ty, v)| (id.to_ascii_lowercase(), ty, v, rid.name().to_string()))
            }),
        };
        // The full id of the assignment's scope, as Bicep's `target.id`.
        let (scope_symbol, scope_id) = match existing {
            None => (None, Expr::call("resourceGroup", Vec::new()).prop("id")),
            Some((key, ty, version, name)) => {
                let sym = declared
                    .entry(key)
                    .or_insert_with(|| format!("target{}", i + 1))
                    .clone();
                if !resources.iter().any(|r| r.symbol == sym) {
                    resources.push(Resource::existing(&sym, ty, version, &name));
                }
                (Some(sym), Expr::resource_id(ty, &[&name]))
            }
        };
        let role_definition = match &g.role {
            RoleRef::BuiltIn { id, .. } => role_definition_id(Expr::str(id)),
            RoleRef::CustomApprover(_) => {
                let role_name = custom_role.get_or_insert_with(|| {
                    let role_name = custom_approver_name(ws, &scope);
                    resources.push(
                        Resource::new(
                            "approverRole1",
                            types::ROLE_DEFINITION,
                            api::ROLES,
                            &[],
                            "a custom role that may only read and approve private endpoint connections of these types".into(),
                            json!({ "properties": {
                                "roleName": role_name,
                                "description": Text(format!("Reads and approves private endpoint connections on {}; made by amlgen for an Azure Machine Learning managed network.", uncovered.join(", "))),
                                "type": "CustomRole",
                                "permissions": [ { "actions": approval_actions(&uncovered).into_iter().map(Text).collect::<Vec<_>>(), "notActions": [] } ],
                                "assignableScopes": [ Text(scope.clone()) ],
                            } }),
                        )
                        .named(Expr::call("guid", vec![role_name.clone()])),
                    );
                    role_name
                });
                role_definition_id(Expr::call("guid", vec![role_name.clone()]))
            }
        };
        let (principal_id, principal_type) = principal_id(&g.principal);
        // Bicep's `guid(scope, principalId, roleDefinitionId)`: unique for
        // each scope, principal and role, and new for a new identity
        // ("role assignment names must be unique": RBAC troubleshooting).
        let name = Expr::call(
            "guid",
            vec![scope_id, principal_id.clone(), role_definition.clone()],
        );
        let role_name = match &g.role {
            RoleRef::BuiltIn { name, .. } => (*name).to_string(),
            RoleRef::CustomApprover(_) => "amlgen private endpoint approver".to_string(),
        };
        let mut r = Resource::new(
            &format!("grant{}", i + 1),
            types::ROLE_ASSIGNMENT,
            api::ROLES,
            &[],
            format!("{role_name}: {}", g.why),
            json!({ "properties": {
                "roleDefinitionId": role_definition,
                "principalId": principal_value(&principal_id),
                "principalType": principal_type,
                "description": Text(g.why.clone()),
            } }),
        )
        .named(name);
        if let Some(sym) = scope_symbol {
            r = r.on(&sym);
        }
        if let RoleRef::CustomApprover(_) = &g.role {
            r = r.after("approverRole1");
        }
        resources.push(r);
    }
    Module {
        symbol: camel(file),
        file: file.to_string(),
        deployment_name: names::deployment(ws, file),
        description: description.to_string(),
        resources,
        depends_on: after.to_vec(),
        target,
        params,
        condition: None,
    }
}

/// A module's Bicep symbol from its file stem: `compute-rbac-1` →
/// `computeRbac1`.
fn camel(file: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in file.chars() {
        if c == '-' {
            upper = true;
        } else if upper && !out.is_empty() {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
            upper = false;
        }
    }
    out
}

/// The custom approver role's name: the workspace, its identity's object
/// id and the resource group it applies in. Role names are unique in a
/// directory; this one is unique per identity and group, and its GUID is
/// `guid()` of it, so name and GUID change together (a new identity or
/// group: a new role; a new set of types: the same role, updated).
fn custom_approver_name(ws: &Workspace, scope: &str) -> Expr {
    Expr::call(
        "format",
        vec![
            Expr::str("amlgen private endpoint approver: {0}, identity {1}, in {2}"),
            Expr::str(ws.name.as_str()),
            Expr::param("principalId"),
            Expr::str(scope),
        ],
    )
}
