//! The workspace resource: its settings, identity, inbound access and
//! managed network with every outbound rule, whether written in the
//! workspace (`properties.managedNetwork.outboundRules`) or read as child
//! resources (`workspaces/outboundRules`, as `az ml workspace
//! outbound-rule show` and the REST API's outbound rule operations give
//! them). Property names: Microsoft's ARM schema of
//! `Microsoft.MachineLearningServices/workspaces`.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::index::{Index, types};
use super::json::{array_at, at, bool_at, object_at, str_at, strings_at};
use crate::deployed::DeployedResource;
use crate::deployed::ids;
use crate::deployed::model::{
    Loss, ObservedIdentity, ObservedNetwork, ObservedRule, ObservedWorkspace, RuleDestination,
};

/// The workspace and its managed network; the rest is filled in by the
/// other readers.
pub(super) fn read(r: &DeployedResource, idx: &Index<'_>) -> ObservedWorkspace {
    let body = &r.body;
    let p = |k: &str| str_at(body, &["properties", k]);
    let mut losses = Vec::new();
    let mut network = network(body, r, &mut losses);
    for child in idx.of_type(types::OUTBOUND_RULE) {
        if ids::is_below(&child.id, &r.id) {
            idx.claim(child);
            let name = ids::last(&child.id).to_string();
            let rule = rule(
                &name,
                &child.body.get("properties").cloned().unwrap_or(Value::Null),
                child.origin,
            );
            network.rules.insert(name, rule);
        }
    }
    let acls = object_at(body, &["properties", "networkAcls"]).map(|a| {
        let a = Value::Object(a.clone());
        (
            str_at(&a, &["defaultAction"]).unwrap_or_default(),
            strings_at(&a, &["ipRules"], |v| str_at(v, &["value"])),
        )
    });
    // The older `ipAllowlist` (a list of addresses) means the same.
    let allowlist = strings_at(body, &["properties", "ipAllowlist"], |v| {
        v.as_str().map(str::to_string)
    });
    let network_acls = match acls {
        Some(a) => Some(a),
        None if !allowlist.is_empty() => Some(("Deny".to_string(), allowlist)),
        None => None,
    };
    unwritable(body, r, idx, &mut losses);
    ObservedWorkspace {
        origin: r.origin,
        id: r.id.clone(),
        name: ids::last(&r.id).to_string(),
        subscription_id: ids::subscription(&r.id),
        resource_group: ids::resource_group(&r.id),
        location: r.location.clone().unwrap_or_default(),
        tags: r.tags.clone(),
        kind: str_at(body, &["kind"]),
        identity: identity(body, p("primaryUserAssignedIdentity")),
        public_network_access: p("publicNetworkAccess"),
        network_acls,
        v1_legacy_mode: bool_at(body, &["properties", "v1LegacyMode"]),
        image_build_compute: p("imageBuildCompute"),
        network,
        storage: None,
        key_vault: None,
        container_registry: None,
        app_insights: None,
        private_endpoints: Vec::new(),
        spoke: None,
        computes: Vec::new(),
        online_endpoints: Vec::new(),
        grants: Vec::new(),
        losses,
    }
}

/// Workspace settings a posture has no word for: listed, never dropped.
fn unwritable(
    body: &Map<String, Value>,
    r: &DeployedResource,
    idx: &Index<'_>,
    losses: &mut Vec<Loss>,
) {
    let mut lose = |what: String, why: &str| {
        losses.push(Loss {
            origin: r.origin,
            what,
            why: why.to_string(),
        });
    };
    if str_at(body, &["properties", "encryption", "status"])
        .is_some_and(|s| s.eq_ignore_ascii_case("Enabled"))
    {
        let key = str_at(
            body,
            &[
                "properties",
                "encryption",
                "keyVaultProperties",
                "keyIdentifier",
            ],
        )
        .unwrap_or_default();
        lose(
            format!("encryption with a customer-managed key `{key}`"),
            "the posture language has no customer-managed key setting",
        );
    }
    for spl in array_at(body, &["properties", "sharedPrivateLinkResources"]) {
        let name = str_at(spl, &["name"]).unwrap_or_default();
        let group = str_at(spl, &["properties", "groupId"]).unwrap_or_default();
        lose(
            format!("shared private link `{name}` ({group})"),
            "shared private links are not part of the posture language (managed network outbound rules are)",
        );
    }
    let name = ids::last(&r.id);
    if let Some(f) = str_at(body, &["properties", "friendlyName"]).filter(|f| f != name) {
        lose(
            format!("friendly name `{f}`"),
            "a build sets the friendly name to the workspace's name",
        );
    }
    if let Some(d) = str_at(body, &["properties", "description"]) {
        lose(
            format!("description `{d}`"),
            "the posture language has no workspace description",
        );
    }
    if bool_at(body, &["properties", "hbiWorkspace"]) == Some(true) {
        lose(
            "`hbiWorkspace: true`".into(),
            "a build does not set the high business impact flag (it cannot be changed after creation)",
        );
    }
    for c in array_at(body, &["properties", "privateEndpointConnections"]) {
        let Some(pe) = str_at(c, &["properties", "privateEndpoint", "id"]) else {
            continue;
        };
        if idx.take(&pe).is_none() {
            lose(
                format!("private endpoint connection from `{}`", ids::last(&pe)),
                "the endpoint itself is not in the input, so its subnet and zones are unknown: give `az network private-endpoint show` for it",
            );
        }
    }
}

/// A resource's managed identity (`identity.type` and
/// `userAssignedIdentities`).
pub(super) fn identity(body: &Map<String, Value>, primary: Option<String>) -> ObservedIdentity {
    let ty = str_at(body, &["identity", "type"])
        .unwrap_or_default()
        .replace(' ', "");
    let ids: Vec<String> = object_at(body, &["identity", "userAssignedIdentities"])
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    match ty.to_ascii_lowercase().as_str() {
        "systemassigned" => ObservedIdentity::SystemAssigned,
        "userassigned" => ObservedIdentity::UserAssigned { ids, primary },
        "systemassigned,userassigned" => ObservedIdentity::Both { ids },
        _ => ObservedIdentity::None,
    }
}

fn network(
    body: &Map<String, Value>,
    r: &DeployedResource,
    losses: &mut Vec<Loss>,
) -> ObservedNetwork {
    let mn = at(body, &["properties", "managedNetwork"]);
    let mut rules = BTreeMap::new();
    match mn.and_then(|m| at(m, &["outboundRules"])) {
        Some(Value::Object(m)) => {
            for (name, v) in m {
                rules.insert(name.clone(), rule(name, v, r.origin));
            }
        }
        // Some clients list the rules with their names inside.
        Some(Value::Array(list)) => {
            for v in list {
                if let Some(name) = str_at(v, &["name"]) {
                    let inner = at(v, &["properties"]).unwrap_or(v);
                    rules.insert(name.clone(), rule(&name, inner, r.origin));
                }
            }
        }
        Some(Value::Null) | None => {}
        Some(other) => losses.push(Loss {
            origin: r.origin,
            what: "`managedNetwork.outboundRules`".into(),
            why: format!(
                "expected an object of rules by name, found {}",
                crate::deployed::shapes::kind_of(other)
            ),
        }),
    }
    ObservedNetwork {
        isolation_mode: mn.and_then(|m| str_at(m, &["isolationMode"])),
        firewall_sku: mn.and_then(|m| str_at(m, &["firewallSku"])),
        provision_now: bool_at(body, &["properties", "provisionNetworkNow"]),
        status: mn.and_then(|m| str_at(m, &["status", "status"])),
        rules,
    }
}

/// One outbound rule (the object under its name).
pub(super) fn rule(name: &str, v: &Value, origin: crate::span::Span) -> ObservedRule {
    let ty = str_at(v, &["type"]).unwrap_or_default();
    let dest = at(v, &["destination"]);
    let destination = match ty.to_ascii_lowercase().as_str() {
        "fqdn" => RuleDestination::Fqdn {
            host: dest
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_default(),
            ports: None,
        },
        "servicetag" => {
            let d = dest.cloned().unwrap_or(Value::Null);
            RuleDestination::ServiceTag {
                tag: str_at(&d, &["serviceTag"]).unwrap_or_default(),
                protocol: str_at(&d, &["protocol"]),
                port_ranges: str_at(&d, &["portRanges"]),
                action: str_at(&d, &["action"]),
                address_prefixes: strings_at(&d, &["addressPrefixes"], |x| {
                    x.as_str().map(str::to_string)
                }),
            }
        }
        "privateendpoint" => {
            let d = dest.cloned().unwrap_or(Value::Null);
            RuleDestination::PrivateEndpoint {
                target: str_at(&d, &["serviceResourceId"]).unwrap_or_default(),
                subresource: str_at(&d, &["subresourceTarget"]),
                spark: bool_at(&d, &["sparkEnabled"]),
                fqdns: array_at(v, &["fqdns"])
                    .iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect(),
            }
        }
        _ => RuleDestination::Other(ty),
    };
    ObservedRule {
        origin,
        name: name.to_string(),
        category: str_at(v, &["category"]),
        status: str_at(v, &["status"]),
        destination,
    }
}
