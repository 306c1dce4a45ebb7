//! The report's text about where network resources go and what they
//! keep: the client private endpoints' subscription, group and region,
//! how a created spoke resolves existing zones, what an existing subnet
//! keeps.

use crate::emit::azure::Deployment;
use crate::escape::markdown_code as code;
use crate::ir::Workspace;

/// Where the client private endpoints are deployed, in words: Azure wants
/// them in their VNet's subscription and region.
pub(super) fn pe_placement_text(
    ws: &Workspace,
    d: &Deployment,
    pe: &crate::ir::ClientPrivateEndpoint,
) -> String {
    let group = match &d.client_group {
        Some((sub, group)) => format!(
            "resource group {} of subscription {}",
            code(group),
            code(sub)
        ),
        None => format!(
            "the workspace's resource group {}",
            code(ws.resource_group.value.as_str())
        ),
    };
    let region = d
        .client_region
        .as_deref()
        .unwrap_or(ws.region.value.as_str());
    let why = match (&pe.region, &pe.subnet) {
        (Some(_), _) => "as the posture states".to_string(),
        (None, crate::ir::PeSubnet::Spoke) => "the spoke's".to_string(),
        (None, crate::ir::PeSubnet::Id(_)) => "taken to be the workspace's: if the client VNet is elsewhere, set `private_endpoint { region = \"<its region>\" }`, or the deployment fails".to_string(),
    };
    format!(
        "The endpoints are deployed in {group}, in region {} ({why}): a private endpoint must be in the same region and subscription as its virtual network.",
        code(region)
    )
}

/// How a created spoke resolves existing zones, in words.
pub(super) fn spoke_dns_text(
    ws: &Workspace,
    pe: &crate::ir::ClientPrivateEndpoint,
) -> Option<String> {
    let spoke = ws.outbound.custom_vnet()?;
    let crate::ir::SpokeVnet::Create { name, .. } = &spoke.vnet else {
        return None;
    };
    let servers = spoke
        .dns_servers
        .iter()
        .map(|(ip, _)| code(&ip.to_string()))
        .collect::<Vec<_>>()
        .join(", ");
    Some(match (pe.link_zones, servers.is_empty()) {
        (Some((true, _)), _) => format!(
            "This deployment links each zone to the spoke {} (`modules/zone-links-<n>.bicep`, scoped to the zones' resource groups).",
            code(name)
        ),
        (Some((false, _)), true) => format!(
            "The hub team links each zone to the spoke {} (see Before deploying).",
            code(name)
        ),
        (_, false) => format!(
            "The spoke {} asks the DNS servers {servers}, which must resolve these zones (a resolver in a network the zones are linked to).",
            code(name)
        ),
        (None, true) => return None,
    })
}

/// What an existing spoke subnet keeps, in words.
pub(super) fn keep_text(spoke: &crate::ir::Spoke, role: crate::ir::SubnetRole) -> String {
    let Some(k) = spoke.keep.iter().find(|k| k.role == role) else {
        return "keeps nothing".to_string();
    };
    let mut parts = Vec::new();
    for (name, service) in &k.delegations {
        parts.push(format!("delegation {} to {}", code(name), code(service)));
    }
    if let Some(id) = &k.nat_gateway {
        parts.push(format!("NAT gateway {}", code(id.name())));
    }
    for se in &k.service_endpoints {
        parts.push(format!("service endpoint {}", code(se)));
    }
    if let Some(p) = k.private_endpoint_network_policies {
        parts.push(format!("private endpoint network policies {}", code(p)));
    }
    if let Some(b) = k.default_outbound_access {
        parts.push(format!("default outbound access {}", code(&b.to_string())));
    }
    if parts.is_empty() {
        "keeps nothing".to_string()
    } else {
        format!("keeps {}", parts.join(", "))
    }
}

/// The subscription the client private endpoints are deployed in, when it
/// is not the workspace's.
#[must_use]
pub fn client_subscription<'a>(ws: &Workspace, d: &'a Deployment) -> Option<&'a str> {
    let (sub, _) = d.client_group.as_ref()?;
    ws.subscription_id
        .as_ref()
        .is_none_or(|s| s.as_str() != sub)
        .then_some(sub.as_str())
}
