//! The client-VNet private endpoints (`privateEndpoints` module): where
//! they go, their DNS zone groups, the private DNS zones amlgen creates
//! with their VNet links, and the links of existing (hub) zones to a spoke
//! the deployment creates (`zone-links-<n>` modules).
//!
//! "The private endpoint must be deployed in the same region and
//! subscription as the virtual network" (Azure Private Link, "What is a
//! private endpoint?"), while "the private-link resource can be deployed
//! in a different region": so the module is scoped to the client VNet's
//! subscription, in the group the posture names or the subnet's own, and
//! each endpoint's `location` is the VNet's region.

use std::collections::BTreeMap;

use serde_json::Map;

use crate::catalog::dns;
use crate::emit::azure::properties::{
    IdRef, Location, PrivateDnsZone, PrivateEndpoint, PrivateEndpointProperties,
    PrivateLinkServiceConnection, PrivateLinkServiceConnectionProperties, VnetLink,
    VnetLinkProperties, ZoneConfig, ZoneConfigProperties, ZoneGroup, ZoneGroupProperties,
};
use crate::emit::azure::{Expr, Module, Ref, Resource, api, loc, tags, types};
use crate::emit::plan::{ClientPlan, Plan, names};
use crate::escape::Text;
use crate::ir::{ClientEndpoint, Dns, ResourceId, SpokeVnet, Workspace};

/// Ids the module cannot compute in its own scope (resources of the
/// deployment's group, seen from another group) become parameters the
/// entry file fills in.
struct Params {
    elsewhere: bool,
    list: Vec<(String, Expr)>,
}

impl Params {
    fn pass(&mut self, name: &str, r: Ref) -> Ref {
        match r {
            Ref::Expr(e) if self.elsewhere => {
                if !self.list.iter().any(|(n, _)| n == name) {
                    self.list.push((name.to_string(), e));
                }
                Ref::Expr(Expr::param(name))
            }
            other => other,
        }
    }
}

/// The client-VNet private endpoints, their DNS zone groups, and the
/// private DNS zones with their VNet links when the posture creates them.
#[must_use]
pub fn client_endpoints_module(plan: &Plan) -> Option<Module> {
    let ws = plan.ws;
    let client = plan.client.as_ref()?;
    let pe = client.pe;
    let mut params = Params {
        elsewhere: client.group.is_some(),
        list: Vec::new(),
    };
    let subnet = params.pass("subnetId", client.subnet.clone()?);
    let vnet = client
        .vnet
        .as_ref()
        .map(|(n, r)| (n.as_str(), params.pass("vnetId", r.clone())));
    let (mut resources, zone_symbols) = match pe.dns {
        Dns::Create => created_zones(ws, client, vnet.as_ref().map(|(_, r)| r)),
        Dns::Existing(_) => (Vec::new(), BTreeMap::new()),
    };
    let location = if client.region == &ws.region.value {
        Location::Param(loc())
    } else {
        Location::Region(Text(client.region.as_str().to_string()))
    };
    let mut n = 0;
    for t in &client.targets {
        let id = target_id(plan, t.target, &mut params);
        for (group, public_zones, name) in &t.endpoints {
            n += 1;
            let sym = format!("pe{n}");
            resources.push(Resource::new(
                &sym,
                types::PRIVATE_ENDPOINT,
                api::NETWORK,
                &[name],
                format!("client private endpoint to {} ({group})", t.resource),
                PrivateEndpoint {
                    location: location.clone(),
                    tags: tags(),
                    properties: PrivateEndpointProperties {
                        subnet: IdRef { id: subnet.clone() },
                        private_link_service_connections: vec![PrivateLinkServiceConnection {
                            name: Text((*group).to_string()),
                            properties: PrivateLinkServiceConnectionProperties {
                                private_link_service_id: id.clone(),
                                group_ids: vec![Text((*group).to_string())],
                            },
                        }],
                    },
                },
            ));
            if let Some(zg) = zone_group(
                ws,
                client,
                t.target,
                &sym,
                name,
                public_zones,
                &zone_symbols,
            ) {
                resources.push(zg);
            }
        }
    }
    params.list.sort_by(|a, b| a.0.cmp(&b.0));
    Some(Module {
        symbol: "privateEndpoints".into(),
        file: "private-endpoints".into(),
        deployment_name: plan.deployment("private-endpoints"),
        description: "client-VNet private endpoints and their private DNS".into(),
        resources,
        depends_on: Vec::new(),
        target: client.group.clone(),
        params: params.list,
        condition: None,
    })
}

/// The id of one client endpoint target, as the module sees it.
fn target_id(plan: &Plan, t: ClientEndpoint, params: &mut Params) -> Ref {
    let assoc = &plan.assoc;
    match t {
        ClientEndpoint::Workspace => {
            params.pass("workspaceId", Ref::Expr(plan.workspace_id.clone()))
        }
        ClientEndpoint::Storage => params.pass("storageId", assoc.storage.1.clone()),
        ClientEndpoint::KeyVault => params.pass("keyVaultId", assoc.key_vault.1.clone()),
        ClientEndpoint::ContainerRegistry => {
            params.pass("containerRegistryId", assoc.container_registry.1.clone())
        }
    }
}

/// The private DNS zones of the targets in this cloud, each linked to the
/// client VNet; their symbols by zone name.
fn created_zones(
    ws: &Workspace,
    client: &ClientPlan,
    vnet: Option<&Ref>,
) -> (Vec<Resource>, BTreeMap<&'static str, String>) {
    let cloud = ws.cloud.value;
    let mut resources = Vec::new();
    let mut zone_symbols: BTreeMap<&'static str, String> = BTreeMap::new();
    let mut zones: Vec<&'static str> = client
        .targets
        .iter()
        .filter_map(|t| dns::zones(t.target, cloud))
        .flatten()
        .copied()
        .collect();
    zones.sort_unstable();
    zones.dedup();
    for (i, zone) in zones.iter().enumerate() {
        let zsym = format!("zone{}", i + 1);
        resources.push(Resource::new(
            &zsym,
            types::PRIVATE_DNS_ZONE,
            api::PRIVATE_DNS,
            &[zone],
            format!("private DNS zone {zone}"),
            PrivateDnsZone {
                location: "global",
                tags: tags(),
                properties: Map::new(),
            },
        ));
        if let (Some(vnet_id), Some(link)) = (vnet, &client.vnet_link) {
            resources.push(
                vnet_link(
                    &zsym,
                    zone,
                    link,
                    vnet_id.clone(),
                    format!("links {zone} to the client virtual network"),
                )
                .after(&zsym),
            );
        }
        zone_symbols.insert(zone, zsym);
    }
    (resources, zone_symbols)
}

/// The zone group registering endpoint `name` in its zones, if any zone
/// is known for it.
fn zone_group(
    ws: &Workspace,
    client: &ClientPlan,
    t: ClientEndpoint,
    sym: &str,
    name: &str,
    public_zones: &[&str],
    zone_symbols: &BTreeMap<&'static str, String>,
) -> Option<Resource> {
    let cloud = ws.cloud.value;
    let cloud_zones: Vec<&'static str> =
        dns::zones(t, cloud).map(<[_]>::to_vec).unwrap_or_default();
    // The zones of this group in this cloud: the public names map
    // position by position onto the cloud's list.
    let all_public = dns::zones(t, crate::ir::Cloud::Public).unwrap_or(&[]);
    let zones: Vec<&str> = public_zones
        .iter()
        .filter_map(|z| all_public.iter().position(|p| p == z))
        .filter_map(|i| cloud_zones.get(i).copied())
        .collect();
    let zone_ref = |zone: &str| -> Option<Ref> {
        match &client.pe.dns {
            Dns::Create => Some(Ref::Expr(Expr::resource_id(
                types::PRIVATE_DNS_ZONE,
                &[zone],
            ))),
            Dns::Existing(ids) => ids
                .iter()
                .find(|id| id.name().eq_ignore_ascii_case(zone))
                .map(|id| Ref::Id(Text(id.as_str().to_string()))),
        }
    };
    let configs: Vec<ZoneConfig> = zones
        .iter()
        .filter_map(|z| {
            zone_ref(z).map(|r| ZoneConfig {
                name: Text(names::zone_config(z)),
                properties: ZoneConfigProperties {
                    private_dns_zone_id: r,
                },
            })
        })
        .collect();
    if configs.is_empty() {
        return None;
    }
    let mut zg = Resource::new(
        &format!("{sym}Dns"),
        types::ZONE_GROUP,
        api::NETWORK,
        &[name, "default"],
        format!("registers {name} in its private DNS zones"),
        ZoneGroup {
            properties: ZoneGroupProperties {
                private_dns_zone_configs: configs,
            },
        },
    )
    .child_of(sym)
    .after(sym);
    for z in &zones {
        if let Some(zs) = zone_symbols.get(z) {
            zg = zg.after(zs);
        }
    }
    Some(zg)
}

/// The existing DNS zones a created spoke is linked to by this deployment
/// (`link_zones = true`), by `(subscription, group)`.
#[must_use]
pub fn linked_zones(ws: &Workspace) -> BTreeMap<(String, String), Vec<&ResourceId>> {
    let mut out: BTreeMap<(String, String), Vec<&ResourceId>> = BTreeMap::new();
    let Some(pe) = &ws.inbound.private_endpoint else {
        return out;
    };
    let (Dns::Existing(ids), Some((true, _))) = (&pe.dns, pe.link_zones) else {
        return out;
    };
    if !matches!(
        ws.outbound.custom_vnet().map(|s| &s.vnet),
        Some(SpokeVnet::Create { .. })
    ) {
        return out;
    }
    for id in ids {
        out.entry((
            id.subscription().as_str().to_string(),
            id.resource_group().to_string(),
        ))
        .or_default()
        .push(id);
    }
    out
}

/// One module per resource group of existing zones a created spoke is
/// linked to, scoped there: a VNet link on each zone to the spoke, whose
/// id the entry file passes in (`spokeVnetId`).
#[must_use]
pub fn zone_link_modules(plan: &Plan) -> Vec<Module> {
    let ws = plan.ws;
    let Some(sp) = &plan.spoke else {
        return Vec::new();
    };
    let (spoke, link) = (sp.spoke, &sp.hub_link);
    let mut out = Vec::new();
    for (i, ((sub, group), zones)) in linked_zones(ws).into_iter().enumerate() {
        let mut resources = Vec::new();
        for (j, zone) in zones.iter().enumerate() {
            let zsym = format!("zone{}", j + 1);
            resources.push(Resource::existing(
                &zsym,
                types::PRIVATE_DNS_ZONE,
                api::PRIVATE_DNS,
                zone.name(),
            ));
            resources.push(vnet_link(
                &zsym,
                zone.name(),
                link,
                Ref::Expr(Expr::param("spokeVnetId")),
                format!("links the existing zone {} to the spoke", zone.name()),
            ));
        }
        let file = format!("zone-links-{}", i + 1);
        out.push(Module {
            symbol: format!("zoneLinks{}", i + 1),
            deployment_name: plan.deployment(&file),
            file,
            description: format!(
                "links the existing private DNS zones of resource group {group} to the spoke"
            ),
            resources,
            depends_on: vec!["network".into()],
            target: Some((sub, group)),
            params: vec![(
                "spokeVnetId".into(),
                Expr::resource_id(types::VNET, &[spoke.vnet_name()]),
            )],
            condition: None,
        });
    }
    out
}

/// A resolution-only link (registration off) of the zone declared as
/// `zone_symbol` to a virtual network.
fn vnet_link(zone_symbol: &str, zone: &str, name: &str, vnet: Ref, comment: String) -> Resource {
    Resource::new(
        &format!("{zone_symbol}Link"),
        types::VNET_LINK,
        api::PRIVATE_DNS,
        &[zone, name],
        comment,
        VnetLink {
            location: "global",
            tags: tags(),
            properties: VnetLinkProperties {
                registration_enabled: false,
                virtual_network: IdRef { id: vnet },
            },
        },
    )
    .child_of(zone_symbol)
}
