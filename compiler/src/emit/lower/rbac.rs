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

use crate::catalog::{approval, private_link, roles};
use crate::emit::azure::grants::role_definition_id;
use crate::emit::azure::{
    APPROVER, Expr, Module, Principal, Resource, RoleGrant, RoleRef, Target, api, types,
};
use crate::emit::plan::Plan;
use crate::escape::Text;
use crate::ir::{
    Access, ClientEndpoint, Destination, GrantScope, Identity, PeTarget, Provision, ResourceId,
};

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
pub fn grants(plan: &Plan) -> Vec<RoleGrant> {
    let mut out = Grants(Vec::new());
    approver_grants(plan, &mut out);
    storage_grants(plan, &mut out);
    compute_grants(plan, &mut out);
    declared_grants(plan, &mut out);
    let mut out = out.0;
    out.sort();
    out
}

/// Grants being gathered: each (target, principal, role) once.
struct Grants(Vec<RoleGrant>);

impl Grants {
    fn push(&mut self, target: Target, principal: Principal, role: Option<RoleRef>, why: String) {
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
        if !self
            .0
            .iter()
            .any(|o| o.target == g.target && o.principal == g.principal && o.role == g.role)
        {
            self.0.push(g);
        }
    }
}

/// R40: the workspace identity approves the managed network's private
/// endpoints on each target (not the workspace's default resources).
fn approver_grants(plan: &Plan, out: &mut Grants) {
    let ws = plan.ws;
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

    if ws.outbound.mode.value.is_managed() {
        let mut uncovered: BTreeMap<String, Vec<&'static str>> = BTreeMap::new();
        // By name, so the grant's reason names the same rule whatever order
        // the posture writes them in (an imported posture sorts them).
        let mut rules: Vec<_> = ws.outbound.rules.iter().collect();
        rules.sort_by_key(|r| r.name.as_str().to_ascii_lowercase());
        for rule in rules {
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
                out.push(
                    Target::Elsewhere(id.as_str().to_string()),
                    Principal::Workspace,
                    built_in(APPROVER),
                    format!(
                        "the managed network's private endpoint to this {} needs approving by the workspace identity (rule `{}`)",
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
            out.push(
                Target::Elsewhere(id),
                Principal::Workspace,
                Some(RoleRef::CustomApprover(rule_types)),
                "the managed network's private endpoints need approving by the workspace identity, and the approver built-in does not cover this type: a custom role holding only its private endpoint connection approval actions".to_string(),
            );
        }
    }
}

/// R22 / R23: the workspace identity reads the client storage endpoints,
/// and data profiling reads and writes the default storage's blobs.
fn storage_grants(plan: &Plan, out: &mut Grants) {
    let (ws, assoc) = (plan.ws, &plan.assoc);
    let storage_private = ws.storage.public_network_access.value == Access::Disabled;
    let client_storage = ws
        .inbound
        .private_endpoint
        .as_ref()
        .is_some_and(|pe| pe.targets.value.contains(&ClientEndpoint::Storage));
    if let Some(client) = plan
        .client
        .as_ref()
        .filter(|_| client_storage && (storage_private || ws.storage.data_profiling.value))
    {
        for group in ["blob", "file"] {
            let why = if storage_private {
                "studio reaches the private default storage through the client private endpoints, so the workspace identity must read them (see `amlgen explain AML3022`)"
            } else {
                "data profiling reads the default storage through its client private endpoint (see `amlgen explain AML3023`)"
            };
            // The endpoints are in the client VNet's group (see
            // `ClientPlan::group`), not always the deployment's.
            let Some((name, elsewhere)) = client.endpoint(ClientEndpoint::Storage, group) else {
                continue;
            };
            out.push(
                elsewhere.map_or_else(
                    || Target::Created(types::PRIVATE_ENDPOINT, name.to_string()),
                    Target::Elsewhere,
                ),
                Principal::Workspace,
                built_in("Reader"),
                why.to_string(),
            );
        }
    }
    if ws.storage.data_profiling.value {
        out.push(
            associated_target(&ws.storage.provision, types::STORAGE, assoc.storage.0.as_deref()),
            Principal::Workspace,
            built_in("Storage Blob Data Contributor"),
            "data profiling (AutoML, designer, datasets in studio) reads and writes the default storage's blobs as the workspace identity (see `amlgen explain AML3023`)".to_string(),
        );
    }
}

/// Compute identities: pull images from the workspace's registry, read
/// the project data the posture names (project-centric access, seed 003).
fn compute_grants(plan: &Plan, out: &mut Grants) {
    let (ws, assoc) = (plan.ws, &plan.assoc);
    for c in ws.computes.iter().filter(|c| c.identity.is_some()) {
        let registry = associated_target(
            &ws.container_registry.provision,
            types::CONTAINER_REGISTRY,
            assoc.container_registry.0.as_deref(),
        );
        out.push(
            registry,
            Principal::Compute(c.name.as_str().to_string()),
            built_in("AcrPull"),
            format!(
                "compute `{}` pulls its images from the workspace's registry as its own identity",
                c.name
            ),
        );
        for id in &c.reads {
            out.push(
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
}

/// The grants the posture's `access` blocks declare.
fn declared_grants(plan: &Plan, out: &mut Grants) {
    let (ws, assoc) = (plan.ws, &plan.assoc);
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
        out.push(
            target,
            Principal::Declared(g.principal_kind, g.principal_id.as_str().to_string()),
            Some(RoleRef::BuiltIn {
                name: g.role.name,
                id: g.role.id,
            }),
            "declared in the posture's `access` block".to_string(),
        );
    }
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
fn principal_expr(plan: &Plan, p: &Principal) -> Option<Expr> {
    match p {
        Principal::Workspace => Some(identity_principal(
            &plan.ws.identity,
            plan.workspace_id.clone(),
            plan.ml_api,
        )),
        Principal::Compute(name) => {
            let c = plan.ws.computes.iter().find(|c| c.name.as_str() == name)?;
            Some(identity_principal(
                c.identity.as_ref()?,
                Expr::resource_id(types::COMPUTE, &[plan.name, name]),
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
pub fn modules(plan: &Plan, grants: &[&RoleGrant], after: &[String], file: &str) -> Vec<Module> {
    let mut local: Vec<&RoleGrant> = Vec::new();
    let mut remote: BTreeMap<(String, String), Vec<&RoleGrant>> = BTreeMap::new();
    for &g in grants {
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
            plan,
            file,
            &format!("role assignments on what this deployment creates{for_whom}"),
            &local,
            None,
            after,
        ));
    }
    for (i, ((sub, grp), gs)) in remote.into_iter().enumerate() {
        let file = format!("{file}-{}", i + 1);
        out.push(module(
            plan,
            &file,
            &format!("role assignments in resource group {grp}{for_whom}"),
            &gs,
            Some((sub, grp.clone())),
            after,
        ));
    }
    out
}

fn module(
    plan: &Plan,
    file: &str,
    description: &str,
    grants: &[&RoleGrant],
    target: Option<(String, String)>,
    after: &[String],
) -> Module {
    let mut resources: Vec<Resource> = Vec::new();
    let mut declared: BTreeMap<String, String> = BTreeMap::new();
    let mut params: Vec<(String, Expr)> = Vec::new();
    for g in grants {
        if let (Some(name), Some(value)) = (
            principal_param(&g.principal),
            principal_expr(plan, &g.principal),
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
                    let role_name = custom_approver_name(plan.name, &scope);
                    resources.push(
                        Resource::from_json(
                            "approverRole1",
                            types::ROLE_DEFINITION,
                            api::ROLES,
                            &[],
                            "a custom role that may only read and approve private endpoint connections of these types".into(),
                            json!({ "properties": {
                                "roleName": role_name,
                                "description": Text(format!("Reads and approves private endpoint connections on {}; made by amlgen for an Azure Machine Learning managed network.", uncovered.join(", "))),
                                "type": "CustomRole",
                                "permissions": [ { "actions": approval::actions(&uncovered).into_iter().map(Text).collect::<Vec<_>>(), "notActions": [] } ],
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
        let mut r = Resource::from_json(
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
        deployment_name: plan.deployment(file),
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
fn custom_approver_name(workspace: &str, scope: &str) -> Expr {
    Expr::call(
        "format",
        vec![
            Expr::str("amlgen private endpoint approver: {0}, identity {1}, in {2}"),
            Expr::str(workspace),
            Expr::param("principalId"),
            Expr::str(scope),
        ],
    )
}
