//! What hangs off a workspace: its associated resources (storage, key
//! vault, registry, Application Insights, read by the ids the workspace
//! names), the client private endpoints to any of them (with their DNS
//! zone groups), and the role assignments on them. Property names:
//! Microsoft's ARM schemas of each type.

use serde_json::{Map, Value};

use super::index::{Index, types};
use super::json::{array_at, bool_at, id_at, str_at, strings_at};
use crate::deployed::DeployedResource;
use crate::deployed::ids;
use crate::deployed::model::{
    Associated, ClientEndpoint, InsightsSettings, KeyVaultSettings, ObservedGrant,
    ObservedIdentity, ObservedWorkspace, Principal, RegistrySettings, RuleDestination,
    StorageSettings, same_id,
};

/// The associated resources and client private endpoints.
pub(super) fn read(w: &mut ObservedWorkspace, ws: &DeployedResource, idx: &Index<'_>) {
    let body = &ws.body;
    let assoc = |key: &str| str_at(body, &["properties", key]);
    w.storage = assoc("storageAccount").map(|id| associated(id, ws, idx, storage));
    w.key_vault = assoc("keyVault").map(|id| associated(id, ws, idx, key_vault));
    w.container_registry = assoc("containerRegistry").map(|id| associated(id, ws, idx, registry));
    w.app_insights = assoc("applicationInsights").map(|id| associated(id, ws, idx, insights));
    let targets = targets(w);
    for pe in idx.of_type(types::PRIVATE_ENDPOINT) {
        if let Some(e) = client_endpoint(pe, &targets, idx) {
            idx.claim(pe);
            w.private_endpoints.push(e);
        }
    }
    w.private_endpoints
        .sort_by(|a, b| (&a.target, &a.group_ids).cmp(&(&b.target, &b.group_ids)));
}

/// The ids a client private endpoint of this workspace connects to.
fn targets(w: &ObservedWorkspace) -> Vec<String> {
    let mut t = vec![w.id.clone()];
    t.extend(w.storage.as_ref().map(|a| a.id.clone()));
    t.extend(w.key_vault.as_ref().map(|a| a.id.clone()));
    t.extend(w.container_registry.as_ref().map(|a| a.id.clone()));
    t
}

fn associated<T>(
    id: String,
    ws: &DeployedResource,
    idx: &Index<'_>,
    read: fn(&Map<String, Value>) -> T,
) -> Associated<T> {
    match idx.take(&id) {
        Some(r) => Associated {
            id,
            settings: Some(read(&r.body)),
            origin: r.origin,
        },
        None => Associated {
            id,
            settings: None,
            origin: ws.origin,
        },
    }
}

fn storage(v: &Map<String, Value>) -> StorageSettings {
    let p = |k: &str| str_at(v, &["properties", k]);
    StorageSettings {
        public_network_access: p("publicNetworkAccess"),
        default_action: str_at(v, &["properties", "networkAcls", "defaultAction"]),
        bypass: str_at(v, &["properties", "networkAcls", "bypass"]),
        resource_access_rules: strings_at(
            v,
            &["properties", "networkAcls", "resourceAccessRules"],
            |r| str_at(r, &["resourceId"]),
        ),
        virtual_network_rules: strings_at(
            v,
            &["properties", "networkAcls", "virtualNetworkRules"],
            |r| str_at(r, &["id"]),
        ),
        ip_rules: strings_at(v, &["properties", "networkAcls", "ipRules"], |r| {
            str_at(r, &["value"])
        }),
        sku: str_at(v, &["sku", "name"]),
        kind: str_at(v, &["kind"]),
        allow_blob_public_access: bool_at(v, &["properties", "allowBlobPublicAccess"]),
        allow_shared_key_access: bool_at(v, &["properties", "allowSharedKeyAccess"]),
        minimum_tls_version: p("minimumTlsVersion"),
        is_hns_enabled: bool_at(v, &["properties", "isHnsEnabled"]),
    }
}

fn key_vault(v: &Map<String, Value>) -> KeyVaultSettings {
    KeyVaultSettings {
        public_network_access: str_at(v, &["properties", "publicNetworkAccess"]),
        default_action: str_at(v, &["properties", "networkAcls", "defaultAction"]),
        bypass: str_at(v, &["properties", "networkAcls", "bypass"]),
        enable_purge_protection: bool_at(v, &["properties", "enablePurgeProtection"]),
        enable_rbac_authorization: bool_at(v, &["properties", "enableRbacAuthorization"]),
        sku: str_at(v, &["properties", "sku", "name"]),
    }
}

fn registry(v: &Map<String, Value>) -> RegistrySettings {
    RegistrySettings {
        public_network_access: str_at(v, &["properties", "publicNetworkAccess"]),
        sku: str_at(v, &["sku", "name"]),
        bypass: str_at(v, &["properties", "networkRuleBypassOptions"]),
        default_action: str_at(v, &["properties", "networkRuleSet", "defaultAction"]),
        admin_user_enabled: bool_at(v, &["properties", "adminUserEnabled"]),
    }
}

fn insights(v: &Map<String, Value>) -> InsightsSettings {
    InsightsSettings {
        log_analytics: str_at(v, &["properties", "WorkspaceResourceId"]),
    }
}

/// A private endpoint whose connection targets one of `targets`.
fn client_endpoint(
    pe: &DeployedResource,
    targets: &[String],
    idx: &Index<'_>,
) -> Option<ClientEndpoint> {
    let body = &pe.body;
    let auto = array_at(body, &["properties", "privateLinkServiceConnections"]);
    let manual = array_at(
        &body,
        &["properties", "manualPrivateLinkServiceConnections"],
    );
    let (conn, is_manual) = auto
        .iter()
        .map(|c| (c, false))
        .chain(manual.iter().map(|c| (c, true)))
        .find(|(c, _)| {
            str_at(*c, &["properties", "privateLinkServiceId"])
                .is_some_and(|t| targets.iter().any(|x| same_id(x, &t)))
        })?;
    let target = str_at(conn, &["properties", "privateLinkServiceId"])?;
    let zone_groups: Vec<&DeployedResource> = idx
        .of_type(types::ZONE_GROUP)
        .filter(|g| ids::is_below(&g.id, &pe.id))
        .collect();
    let zones = if zone_groups.is_empty() {
        None
    } else {
        let mut z = Vec::new();
        for g in zone_groups {
            idx.claim(g);
            let gv = &g.body;
            z.extend(strings_at(
                &gv,
                &["properties", "privateDnsZoneConfigs"],
                |c| str_at(c, &["properties", "privateDnsZoneId"]),
            ));
        }
        Some(z)
    };
    let zones_in_input = zones
        .as_ref()
        .is_some_and(|z| z.iter().all(|id| idx.take(id).is_some()));
    Some(ClientEndpoint {
        zones_in_input,
        origin: pe.origin,
        id: pe.id.clone(),
        name: ids::last(&pe.id).to_string(),
        location: pe.location.clone(),
        subnet: id_at(body, &["properties", "subnet"]).unwrap_or_default(),
        target,
        group_ids: strings_at(conn, &["properties", "groupIds"], |g| {
            g.as_str().map(str::to_string)
        }),
        manual: is_manual,
        status: str_at(
            conn,
            &["properties", "privateLinkServiceConnectionState", "status"],
        ),
        zones,
    })
}

/// The role assignments that belong to this workspace: on it, its group,
/// its associated resources, its client private endpoints or the targets
/// of its private endpoint rules, or to its own or its computes'
/// identities.
pub(super) fn grants(w: &mut ObservedWorkspace, ws: &DeployedResource, idx: &Index<'_>) {
    let mut scopes = targets(w);
    scopes.extend(w.app_insights.as_ref().map(|a| a.id.clone()));
    scopes.extend(ids::group_id(&w.id));
    scopes.extend(w.private_endpoints.iter().map(|e| e.id.clone()));
    for r in w.network.rules.values() {
        if let RuleDestination::PrivateEndpoint { target, .. } = &r.destination {
            scopes.push(target.clone());
        }
    }
    let identities = identities(w, ws, idx);
    for ra in idx.of_type(types::ROLE_ASSIGNMENT) {
        let v = &ra.body;
        let Some(principal_id) = str_at(v, &["properties", "principalId"]) else {
            continue;
        };
        let role = str_at(v, &["properties", "roleDefinitionId"]).unwrap_or_default();
        let scope = str_at(v, &["properties", "scope"])
            .or_else(|| ids::extension_scope(&ra.id, types::ROLE_ASSIGNMENT))
            .unwrap_or_default();
        let principal = principal(&principal_id, &identities);
        let on_ours = scopes.iter().any(|s| same_id(s, &scope));
        if !on_ours && matches!(principal, Principal::Object(_)) {
            continue;
        }
        idx.claim(ra);
        // A custom role of the input (amlgen's approver role) goes with its assignments.
        for def in idx.of_type(types::ROLE_DEFINITION) {
            if ids::last(&def.id).eq_ignore_ascii_case(ids::last(&role)) {
                idx.claim(def);
            }
        }
        w.grants.push(ObservedGrant {
            origin: ra.origin,
            scope,
            principal_id,
            principal,
            principal_type: str_at(v, &["properties", "principalType"]),
            role: ids::last(&role).to_ascii_lowercase(),
        });
    }
    w.grants.sort_by(|a, b| {
        (a.scope.to_ascii_lowercase(), &a.role, &a.principal_id).cmp(&(
            b.scope.to_ascii_lowercase(),
            &b.role,
            &b.principal_id,
        ))
    });
}

/// How to recognise each identity of the workspace in a `principalId`:
/// (who, its principal id when known, the resource id a template's
/// `reference()` names).
struct Known {
    who: Principal,
    principal_id: Option<String>,
    resource_id: String,
}

fn identities(w: &ObservedWorkspace, ws: &DeployedResource, idx: &Index<'_>) -> Vec<Known> {
    let body = &ws.body;
    let mut out = vec![Known {
        who: Principal::Workspace,
        principal_id: str_at(body, &["identity", "principalId"]),
        resource_id: w.id.clone(),
    }];
    let mut uais: Vec<String> = Vec::new();
    if let ObservedIdentity::UserAssigned { ids, .. } | ObservedIdentity::Both { ids } = &w.identity
    {
        uais.extend(ids.iter().cloned());
    }
    for c in &w.computes {
        if let ObservedIdentity::UserAssigned { ids, .. } | ObservedIdentity::Both { ids } =
            &c.identity
        {
            uais.extend(ids.iter().cloned());
        }
    }
    for c in &w.computes {
        if matches!(
            c.identity,
            ObservedIdentity::SystemAssigned | ObservedIdentity::Both { .. }
        ) {
            let id = format!("{}/computes/{}", w.id, c.name);
            let principal_id = idx
                .take(&id)
                .and_then(|r| str_at(&r.body, &["identity", "principalId"]));
            out.push(Known {
                who: Principal::Identity(id.clone()),
                principal_id,
                resource_id: id,
            });
        }
    }
    for id in uais {
        let from_resource = idx
            .take(&id)
            .and_then(|r| str_at(&r.body, &["properties", "principalId"]));
        let from_workspace = super::json::object_at(body, &["identity", "userAssignedIdentities"])
            .and_then(|m| m.iter().find(|(k, _)| same_id(k, &id)))
            .and_then(|(_, v)| str_at(v, &["principalId"]));
        out.push(Known {
            who: Principal::Identity(id.clone()),
            principal_id: from_resource.or(from_workspace),
            resource_id: id,
        });
    }
    out
}

fn principal(principal_id: &str, known: &[Known]) -> Principal {
    let quoted = quoted_strings(principal_id);
    for k in known {
        let by_id = k
            .principal_id
            .as_deref()
            .is_some_and(|p| p.eq_ignore_ascii_case(principal_id));
        // A template read offline: the stand-in of `reference(<id>)` or
        // `reference(resourceId('<type>', '<name>', ...))` (the reader
        // keeps the expression's text, `deployed::template_eval`).
        let by_reference = crate::ir::Guid::parse(principal_id).is_err()
            && names_resource(&quoted, &k.resource_id);
        if by_id || by_reference {
            return k.who.clone();
        }
    }
    Principal::Object(principal_id.to_string())
}

/// The `'...'` string literals of an expression's text.
fn quoted_strings(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut parts = text.split('\'');
    parts.next();
    while let Some(inside) = parts.next() {
        out.push(inside.to_string());
        // The text between two literals.
        if parts.next().is_none() {
            break;
        }
    }
    out
}

/// Whether the literals name `id`: the id itself, or its type followed by
/// its name segments (`resourceId('T/c', 'a', 'b')`).
fn names_resource(quoted: &[String], id: &str) -> bool {
    if quoted.iter().any(|q| same_id(q, id)) {
        return true;
    }
    let Some((_, path)) = id.rsplit_once("/providers/") else {
        return false;
    };
    let segs: Vec<&str> = path.split('/').collect();
    if segs.len() < 3 || segs.len().is_multiple_of(2) {
        return false;
    }
    let ty = std::iter::once(segs[0])
        .chain(segs[1..].iter().step_by(2).copied())
        .collect::<Vec<_>>()
        .join("/");
    let names: Vec<&str> = segs[2..].iter().step_by(2).copied().collect();
    quoted.windows(names.len() + 1).any(|w| {
        w[0].eq_ignore_ascii_case(&ty)
            && w[1..]
                .iter()
                .zip(&names)
                .all(|(a, b)| a.eq_ignore_ascii_case(b))
    })
}
