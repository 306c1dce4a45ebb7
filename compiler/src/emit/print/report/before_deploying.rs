//! The report's "Before deploying" section: the resource providers to
//! register, the first-deployment flag, the deploying identity's role,
//! and in custom VNet mode what the hub team does first (peering, zone
//! links, firewall rules).

use std::fmt::Write;

use crate::emit::azure::Deployment;
use crate::escape::markdown_code as code;
use crate::ir::{Spoke, Workspace};

use super::network;

/// The "Before deploying" section.
pub(super) fn section(r: &mut String, ws: &Workspace, d: &Deployment) {
    let _ = writeln!(r, "\n## Before deploying\n");
    let namespaces = providers(d);
    let _ = writeln!(
        r,
        "- Register the resource providers on the subscription: {}. {}",
        namespaces
            .iter()
            .map(|n| code(n))
            .collect::<Vec<_>>()
            .join(", "),
        network_provider_reason(ws)
    );
    if d.phases.two_phase() {
        let _ = writeln!(
            r,
            "- **The deployment that creates the workspace sets `firstDeployment` to true; every later one keeps the default, false**: with `main.bicepparam`, run the first deployment with `AMLGEN_FIRST_DEPLOYMENT=true` in its environment; with `azuredeploy.json`, pass `--parameters firstDeployment=true`. The workspace is set in two steps: {}. On the first deployment `modules/workspace.bicep` creates it without those, and `modules/workspace-final.bicep` sets them after the role assignments. On a redeploy the first step is skipped, so the workspace gets one update with its final settings and access is never narrowed, even for a moment. A first deployment run without the flag cannot narrow anything either: it fails where a step needs the workspace that does not exist yet, or creates it directly with its final settings; if it fails, run it again with the flag.",
            crate::emit::azure::first_phase_reasons(d.phases)
        );
    }
    if let Some(sub) = network::client_subscription(ws, d) {
        let _ = writeln!(
            r,
            "- Register `Microsoft.Network` on subscription {} too: the client private endpoints are deployed there (the subscription that holds a private endpoint must be registered with the network resource provider).",
            code(sub)
        );
    }
    let _ = writeln!(
        r,
        "- The identity that runs the deployment needs what `deployer/main.bicep` defines (a custom role, among its actions `Microsoft.MachineLearningServices/workspaces/privateEndpointConnections/read` and `/write`): deploy it once (`az deployment sub create`; it is assignable in every subscription below) and assign it on {}{}.",
        code(ws.resource_group.value.as_str()),
        {
            let groups = &d.deployer_groups;
            if groups.is_empty() {
                String::new()
            } else {
                format!(
                    " and on {}",
                    groups
                        .iter()
                        .map(|(s, g)| code(&format!("/subscriptions/{s}/resourceGroups/{g}")))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        }
    );
    if let Some(spoke) = ws.outbound.custom_vnet() {
        spoke_steps(r, d, spoke);
    }
}

/// Why `Microsoft.Network` is registered even when the deployment creates
/// nothing of it. In custom VNet mode there is no managed network (seed
/// 001, "Plan for network isolation"): the private endpoints are the
/// posture's own, in the spoke.
fn network_provider_reason(ws: &Workspace) -> &'static str {
    if ws.outbound.custom_vnet().is_some() {
        "In custom VNet mode there is no managed network: the spoke, its network security groups and route table, and the workspace's private endpoints in the spoke are `Microsoft.Network` resources."
    } else if ws.outbound.mode.value.is_managed() {
        "The managed network creates its private endpoints through `Microsoft.Network`."
    } else {
        "Private endpoints are `Microsoft.Network` resources."
    }
}

/// The resource providers to register on the workspace's subscription:
/// the namespace of every type the deployment creates (bar
/// `Microsoft.Authorization` and `Microsoft.Resources`, always
/// registered), and `Microsoft.Network` (private endpoints, and the
/// managed network's own). Sorted.
#[must_use]
pub fn providers(d: &Deployment) -> Vec<&'static str> {
    let mut namespaces: Vec<&'static str> = d
        .modules
        .iter()
        .flat_map(|m| &m.resources)
        .filter(|x| !x.existing)
        .filter_map(|x| x.arm_type.split('/').next())
        .filter(|n| *n != "Microsoft.Authorization" && *n != "Microsoft.Resources")
        .collect();
    namespaces.push("Microsoft.Network");
    namespaces.sort_unstable();
    namespaces.dedup();
    namespaces
}

/// Custom VNet mode: the spoke's peering, the hub team's zone links and
/// firewall rules.
fn spoke_steps(r: &mut String, d: &Deployment, spoke: &Spoke) {
    match &spoke.vnet {
        crate::ir::SpokeVnet::Create { hub: Some(hub), .. } => {
            let _ = writeln!(
                r,
                "- The hub team peers the hub {} back to the spoke {} (the deployment creates the spoke's side); the spoke's side does not use remote gateways: set `useRemoteGateways` if on-premises traffic should come through the hub's gateway.",
                code(hub.as_str()),
                code(spoke.vnet_name())
            );
        }
        crate::ir::SpokeVnet::Create { hub: None, .. } => {
            let _ = writeln!(
                r,
                "- Peer the spoke {} with the hub (no `hub_vnet` given, so the deployment creates no peering): the default route points at the hub firewall {}, which the spoke reaches only through a peering.",
                code(spoke.vnet_name()),
                code(&spoke.firewall_ip.0.to_string())
            );
        }
        crate::ir::SpokeVnet::Existing { id, .. } => {
            let _ = writeln!(
                r,
                "- The deployment rewrites the subnets {} of the existing spoke {} with their prefix, NSG, route table and service endpoints, and what the posture's `keep` blocks list: a subnet write replaces its properties, so check with the network team that nothing else is set on them (anything unlisted is removed). The spoke must already be peered with the hub.",
                spoke
                    .subnets
                    .iter()
                    .map(|s| format!("{} ({})", code(&s.name), network::keep_text(spoke, s.role)))
                    .collect::<Vec<_>>()
                    .join(", "),
                code(id.as_str())
            );
        }
    }
    for link in &d.hub_zone_links {
        let _ = writeln!(
            r,
            "- The hub team links their private DNS zone {} to the spoke {} (link {}, registration off) as soon as the deployment has created the spoke: until then compute in the spoke cannot resolve the workspace's private endpoints, and a compute instance created before the links may fail to provision. `hub-firewall/allowlist.json` lists these links too.",
            code(&link.zone),
            code(&link.virtual_network),
            code(&link.link_name)
        );
    }
    let _ = writeln!(
        r,
        "- The hub team deploys `hub-firewall/main.bicep` into the hub firewall's policy before the first compute is created: without those rules compute cannot reach Azure Machine Learning, Entra ID or Batch and provisioning fails."
    );
}
