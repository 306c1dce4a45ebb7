//! Custom VNet mode: the spoke VNet a workspace without a managed network
//! runs its computes in, found from the workspace's serverless compute
//! subnet (`serverlessComputeSettings.serverlessComputeCustomSubnet`) or,
//! failing that, the one subnet its computes share; then its subnets, their
//! NSGs, route table, service endpoint policy and the peering. Property
//! names: Microsoft's ARM schemas of `Microsoft.Network`.

use serde_json::Value;

use super::index::{Index, types};
use super::json::{array_at, bool_at, id_at, str_at, strings_at, u64_at};
use crate::deployed::DeployedResource;
use crate::deployed::ids;
use crate::deployed::model::{NsgRule, ObservedWorkspace, Spoke, SpokeSubnet};

pub(super) fn read(w: &mut ObservedWorkspace, ws: &DeployedResource, idx: &Index<'_>) {
    let managed = w
        .network
        .isolation_mode
        .as_deref()
        .is_some_and(|m| !m.eq_ignore_ascii_case("Disabled"));
    if managed {
        return;
    }
    let body = &ws.body;
    let training = str_at(
        &body,
        &[
            "properties",
            "serverlessComputeSettings",
            "serverlessComputeCustomSubnet",
        ],
    )
    // Without it, a subnet the computes share is a spoke only when the
    // input holds its VNet or subnets (a compute in a subnet of a
    // workspace without a managed network is no custom VNet mode by itself).
    .or_else(|| {
        shared_compute_subnet(w).filter(|s| {
            idx.take(s).is_some()
                || ids::parent_before(s, "subnets").is_some_and(|v| idx.take(&v).is_some())
        })
    });
    let Some(training) = training else {
        return;
    };
    let Some(vnet_id) = ids::parent_before(&training, "subnets") else {
        return;
    };
    let mut spoke = Spoke {
        vnet_name: ids::last(&vnet_id).to_string(),
        training_subnet: ids::last(&training).to_string(),
        vnet_id: vnet_id.clone(),
        ..Spoke::default()
    };
    if let Some(vnet) = idx.take(&vnet_id) {
        let v = &vnet.body;
        spoke.vnet_known = true;
        spoke.location.clone_from(&vnet.location);
        spoke.address_space = strings_at(
            &v,
            &["properties", "addressSpace", "addressPrefixes"],
            |x| x.as_str().map(str::to_string),
        );
        spoke.dns_servers = strings_at(v, &["properties", "dhcpOptions", "dnsServers"], |x| {
            x.as_str().map(str::to_string)
        });
        for s in array_at(v, &["properties", "subnets"]) {
            if let Some(name) = str_at(s, &["name"]) {
                spoke
                    .subnets
                    .insert(name, subnet(s.get("properties").unwrap_or(&Value::Null)));
            }
        }
    }
    for s in idx.of_type(types::SUBNET) {
        if ids::is_below(&s.id, &vnet_id) {
            idx.claim(s);
            let v = &s.body;
            spoke.subnets.insert(
                ids::last(&s.id).to_string(),
                subnet(v.get("properties").unwrap_or(&Value::Null)),
            );
        }
    }
    for p in idx.of_type(types::PEERING) {
        if ids::is_below(&p.id, &vnet_id) {
            idx.claim(p);
            spoke.hub_vnet = id_at(&p.body, &["properties", "remoteVirtualNetwork"]);
        }
    }
    for link in idx.of_type(types::ZONE_LINK) {
        let v = &link.body;
        if id_at(v, &["properties", "virtualNetwork"])
            .is_some_and(|n| crate::deployed::model::same_id(&n, &vnet_id))
        {
            idx.claim(link);
            spoke.zone_links.push(link.id.clone());
        }
    }
    read_attached(&mut spoke, idx);
    w.spoke = Some(spoke);
}

/// The NSGs, route table and service endpoint policies the subnets name.
fn read_attached(spoke: &mut Spoke, idx: &Index<'_>) {
    let subnets: Vec<SpokeSubnet> = spoke.subnets.values().cloned().collect();
    for s in &subnets {
        if let Some(nsg) = s.nsg.as_deref().and_then(|id| idx.take(id)) {
            let v = &nsg.body;
            let rules = array_at(v, &["properties", "securityRules"])
                .iter()
                .map(nsg_rule)
                .collect();
            spoke
                .nsg_rules
                .insert(ids::last(&nsg.id).to_string(), rules);
        }
        if let Some(rt) = s.route_table.as_deref().and_then(|id| idx.take(id)) {
            let v = &rt.body;
            spoke.routes = array_at(v, &["properties", "routes"])
                .iter()
                .map(|r| {
                    (
                        str_at(r, &["properties", "addressPrefix"]).unwrap_or_default(),
                        str_at(r, &["properties", "nextHopType"]).unwrap_or_default(),
                        str_at(r, &["properties", "nextHopIpAddress"]),
                    )
                })
                .collect();
        }
        for sep in &s.service_endpoint_policies {
            if idx.take(sep).is_some() || !sep.is_empty() {
                spoke.service_endpoint_policy = true;
            }
        }
    }
}

fn shared_compute_subnet(w: &ObservedWorkspace) -> Option<String> {
    let mut subnets = w.computes.iter().filter_map(|c| c.subnet.clone());
    let first = subnets.next()?;
    subnets
        .all(|s| s.eq_ignore_ascii_case(&first))
        .then_some(first)
}

fn subnet(p: &Value) -> SpokeSubnet {
    SpokeSubnet {
        address_prefix: str_at(p, &["addressPrefix"]).unwrap_or_default(),
        nsg: id_at(p, &["networkSecurityGroup"]),
        route_table: id_at(p, &["routeTable"]),
        service_endpoint_policies: strings_at(p, &["serviceEndpointPolicies"], |x| {
            str_at(x, &["id"])
        }),
        service_endpoints: strings_at(p, &["serviceEndpoints"], |x| str_at(x, &["service"])),
        delegations: array_at(p, &["delegations"])
            .iter()
            .filter_map(|d| {
                Some((
                    str_at(d, &["name"])?,
                    str_at(d, &["properties", "serviceName"])?,
                ))
            })
            .collect(),
        nat_gateway: id_at(p, &["natGateway"]),
        private_endpoint_network_policies: str_at(p, &["privateEndpointNetworkPolicies"]),
        default_outbound_access: bool_at(p, &["defaultOutboundAccess"]),
    }
}

fn nsg_rule(r: &Value) -> NsgRule {
    let p = |k: &str| str_at(r, &["properties", k]).unwrap_or_default();
    let ports = str_at(r, &["properties", "destinationPortRange"]).unwrap_or_else(|| {
        strings_at(r, &["properties", "destinationPortRanges"], |x| {
            x.as_str().map(str::to_string)
        })
        .join(",")
    });
    NsgRule {
        name: str_at(r, &["name"]).unwrap_or_default(),
        access: p("access"),
        direction: p("direction"),
        priority: u64_at(r, &["properties", "priority"])
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(0),
        protocol: p("protocol"),
        source: p("sourceAddressPrefix"),
        destination: p("destinationAddressPrefix"),
        ports,
    }
}
