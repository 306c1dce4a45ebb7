//! The custom role of the identity that deploys a workspace (`deployer/`):
//! read and write of every type the deployment creates, what Microsoft
//! documents for a managed network and private endpoints, assignable in
//! every group a module is scoped to.

use serde_json::{Value, json};

use crate::catalog::{approval, private_link};
use crate::emit::azure::{Expr, IdScope, Module, Resource, api, types};
use crate::escape::Text;
use crate::ir::{ClientEndpoint, Destination, Identity, PeTarget, ResourceId, Workspace};

/// The actions the identity running a workspace's deployment needs:
/// read and write of every type it deploys, and what Microsoft documents
/// for a managed network and private endpoints (sources in
/// `docs/research/pe-approval-actions.md`).
#[must_use]
fn actions(ws: &Workspace, modules: &[Module]) -> Vec<String> {
    let mut out: Vec<String> = vec![
        // Nested deployments (Bicep modules) and the resource group.
        "Microsoft.Resources/deployments/*".into(),
        "Microsoft.Resources/subscriptions/resourceGroups/read".into(),
        // Required for a managed network (how-to-managed-network).
        "Microsoft.MachineLearningServices/workspaces/privateEndpointConnections/read".into(),
        "Microsoft.MachineLearningServices/workspaces/privateEndpointConnections/write".into(),
    ];
    // The types deployed, each once.
    let mut all: Vec<&'static str> = modules
        .iter()
        .flat_map(|m| &m.resources)
        .filter(|r| !r.existing)
        .map(|r| r.arm_type)
        .collect();
    all.sort_unstable();
    all.dedup();
    for ty in &all {
        out.push(format!("{ty}/read"));
        out.push(format!("{ty}/write"));
    }
    if all.contains(&types::PRIVATE_ENDPOINT) {
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
    if all.contains(&types::ZONE_GROUP) {
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
                match approval::APPROVAL_ACTIONS
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(&ty))
                {
                    Some((_, actions)) => out.extend(actions.iter().map(|a| (*a).to_string())),
                    None => {
                        out.push(format!("{ty}/privateEndpointConnections/read"));
                        out.push(format!("{ty}/privateEndpointConnections/write"));
                        if approval::APPROVER_LISTS_APPROVAL
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
    if all.contains(&types::VNET_LINK) {
        out.push("Microsoft.Network/virtualNetworks/join/action".into());
    }
    // Custom VNet mode: subnets that use the NSGs, the route table and the
    // service endpoint policy, compute joined to the training subnet, and
    // the spoke's peering (Microsoft.Network provider operations).
    if all.contains(&types::NSG) {
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
    if all.contains(&types::SERVICE_ENDPOINT_POLICY) {
        out.push("Microsoft.Network/serviceEndpointPolicies/join/action".into());
        out.push("Microsoft.Network/virtualNetworks/subnets/joinViaServiceEndpoint/action".into());
    }
    if all.contains(&types::PEERING) {
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
pub fn groups(ws: &Workspace, modules: &[Module]) -> Vec<(String, String)> {
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
    for m in modules {
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
/// and every subscription of [`groups`].
fn scopes(ws: &Workspace, groups: &[(String, String)]) -> Value {
    let mut subs: Vec<String> = groups.iter().map(|(s, _)| s.clone()).collect();
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
pub fn role(ws: &Workspace, modules: &[Module], groups: &[(String, String)]) -> Resource {
    let role_name = role_name(ws);
    Resource::from_json(
        "deployerRole",
        types::ROLE_DEFINITION,
        api::ROLES,
        &[],
        "what the identity that deploys this workspace needs, and nothing more".into(),
        json!({ "properties": {
            "roleName": role_name,
            "description": Text(format!("Deploys the amlgen build of workspace {} in resource group {}: the resources it creates, its nested deployments, its private endpoints, DNS zone groups and role assignments.", ws.name, ws.resource_group.value.as_str())),
            "type": "CustomRole",
            "permissions": [ { "actions": actions(ws, modules).into_iter().map(Text).collect::<Vec<_>>(), "notActions": [] } ],
            "assignableScopes": scopes(ws, groups),
        } }),
    )
    .named(Expr::call("guid", vec![role_name]))
    .at(IdScope::Subscription)
}

/// The deployer role's name: the workspace, its subscription and resource
/// group (the workspace's identity in Azure), the subscription read at
/// deployment when the posture does not name it. Its GUID is `guid()` of
/// this name, so the two change together.
fn role_name(ws: &Workspace) -> Expr {
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
