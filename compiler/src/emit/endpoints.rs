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

use serde::Serialize;
use serde_json::{Map, Value};

use super::escape::Text;
use super::expr::Expr;
use super::model::{Associated, IdRef, Module, Ref, Resource, api, loc, tags, types};
use super::names;
use crate::catalog::dns;
use crate::ir::{
    ClientEndpoint, ClientPrivateEndpoint, Dns, PeSubnet, Region, ResourceId, Spoke, SpokeVnet,
    Workspace,
};

/// A resource's `location`: the module's parameter, or a region written out.
#[derive(Clone, Serialize)]
#[serde(untagged)]
enum Location {
    Param(Expr),
    Region(Text),
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PrivateEndpoint {
    location: Location,
    tags: Expr,
    properties: PrivateEndpointProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PrivateEndpointProperties {
    subnet: IdRef,
    private_link_service_connections: Vec<PrivateLinkServiceConnection>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PrivateLinkServiceConnection {
    name: Text,
    properties: PrivateLinkServiceConnectionProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PrivateLinkServiceConnectionProperties {
    private_link_service_id: Ref,
    group_ids: Vec<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ZoneGroup {
    properties: ZoneGroupProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ZoneGroupProperties {
    private_dns_zone_configs: Vec<ZoneConfig>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ZoneConfig {
    name: Text,
    properties: ZoneConfigProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ZoneConfigProperties {
    private_dns_zone_id: Ref,
}

#[derive(Serialize)]
struct PrivateDnsZone {
    location: &'static str,
    tags: Expr,
    properties: Map<String, Value>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VnetLink {
    location: &'static str,
    tags: Expr,
    properties: VnetLinkProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VnetLinkProperties {
    registration_enabled: bool,
    virtual_network: IdRef,
}

/// The VNet of the client private endpoints' subnet, when the posture
/// names it by id (a client subnet, or an existing spoke).
fn client_vnet_id(ws: &Workspace, pe: &ClientPrivateEndpoint) -> Option<ResourceId> {
    match (&pe.subnet, ws.outbound.custom_vnet()) {
        (PeSubnet::Id(id), _) => id.parent(),
        (
            PeSubnet::Spoke,
            Some(Spoke {
                vnet: SpokeVnet::Existing { id, .. },
                ..
            }),
        ) => Some(id.clone()),
        (PeSubnet::Spoke, _) => None,
    }
}

/// Where the client private endpoints go when that is not the deployment's
/// own resource group: `(subscription, group)`, the VNet's subscription and
/// the group the posture names or the VNet's. A spoke the deployment
/// creates is in the workspace's group, and so are its endpoints.
#[must_use]
pub fn client_group(ws: &Workspace) -> Option<(String, String)> {
    let pe = ws.inbound.private_endpoint.as_ref()?;
    let vnet = client_vnet_id(ws, pe)?;
    let sub = vnet.subscription().as_str().to_string();
    let group = pe
        .resource_group
        .as_ref()
        .map_or(vnet.resource_group(), |(g, _)| g.as_str())
        .to_string();
    let own = ws
        .subscription_id
        .as_ref()
        .is_some_and(|s| s.as_str() == sub)
        && group.eq_ignore_ascii_case(ws.resource_group.value.as_str());
    (!own).then_some((sub, group))
}

/// The client VNet's region, where its private endpoints must be: written
/// (`private_endpoint { region }`), the spoke's, else the workspace's.
#[must_use]
pub fn client_region(ws: &Workspace) -> Option<&Region> {
    let pe = ws.inbound.private_endpoint.as_ref()?;
    Some(match (&pe.region, &pe.subnet, ws.outbound.custom_vnet()) {
        (Some(r), _, _) => &r.value,
        (None, PeSubnet::Spoke, Some(spoke)) => &spoke.region.value,
        (None, _, _) => &ws.region.value,
    })
}

/// The full id of a client private endpoint amlgen deploys in another
/// group (a role assignment's target there), or `None` when it is in the
/// deployment's own group.
#[must_use]
pub fn client_endpoint_id(ws: &Workspace, name: &str) -> Option<String> {
    client_group(ws).map(|(sub, group)| {
        format!(
            "/subscriptions/{sub}/resourceGroups/{group}/providers/{}/{name}",
            types::PRIVATE_ENDPOINT
        )
    })
}

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
pub(crate) fn client_endpoints_module(ws: &Workspace, assoc: &Associated) -> Option<Module> {
    let pe = ws.inbound.private_endpoint.as_ref()?;
    let target = client_group(ws);
    let mut params = Params {
        elsewhere: target.is_some(),
        list: Vec::new(),
    };
    let (subnet, vnet) = match (&pe.subnet, ws.outbound.custom_vnet()) {
        (PeSubnet::Id(id), _) => (
            Ref::Id(Text(id.as_str().to_string())),
            id.parent()
                .map(|v| (v.name().to_string(), Ref::Id(Text(v.as_str().to_string())))),
        ),
        (PeSubnet::Spoke, Some(spoke)) => (
            super::network::subnet_ref(spoke, crate::ir::SubnetRole::Pe)?,
            Some((
                spoke.vnet_name().to_string(),
                super::network::vnet_ref(spoke),
            )),
        ),
        (PeSubnet::Spoke, None) => return None,
    };
    let subnet = params.pass("subnetId", subnet);
    let vnet = vnet.map(|(n, r)| (n, params.pass("vnetId", r)));
    let mut targets: Vec<ClientEndpoint> = pe.targets.value.clone();
    targets.sort();
    targets.dedup();
    let (mut resources, zone_symbols) = match pe.dns {
        Dns::Create => created_zones(ws, &targets, vnet.as_ref()),
        Dns::Existing(_) => (Vec::new(), BTreeMap::new()),
    };
    let location = match client_region(ws) {
        Some(r) if r != &ws.region.value => Location::Region(Text(r.as_str().to_string())),
        _ => Location::Param(loc()),
    };
    let mut n = 0;
    for t in targets {
        let (resource_name, id, groups) = endpoint_target(ws, assoc, t, &mut params);
        for (group, public_zones) in groups {
            n += 1;
            let sym = format!("pe{n}");
            let name = names::private_endpoint(&resource_name, group);
            resources.push(Resource::new(
                &sym,
                types::PRIVATE_ENDPOINT,
                api::NETWORK,
                &[&name],
                format!("client private endpoint to {resource_name} ({group})"),
                PrivateEndpoint {
                    location: location.clone(),
                    tags: tags(),
                    properties: PrivateEndpointProperties {
                        subnet: IdRef { id: subnet.clone() },
                        private_link_service_connections: vec![PrivateLinkServiceConnection {
                            name: Text(group.to_string()),
                            properties: PrivateLinkServiceConnectionProperties {
                                private_link_service_id: id.clone(),
                                group_ids: vec![Text(group.to_string())],
                            },
                        }],
                    },
                },
            ));
            if let Some(zg) = zone_group(ws, pe, t, &sym, &name, public_zones, &zone_symbols) {
                resources.push(zg);
            }
        }
    }
    params.list.sort_by(|a, b| a.0.cmp(&b.0));
    Some(Module {
        symbol: "privateEndpoints".into(),
        file: "private-endpoints".into(),
        deployment_name: names::deployment(ws, "private-endpoints"),
        description: "client-VNet private endpoints and their private DNS".into(),
        resources,
        depends_on: Vec::new(),
        target,
        params: params.list,
        condition: None,
    })
}

/// The private DNS zones of the targets in this cloud, each linked to the
/// client VNet; their symbols by zone name.
fn created_zones(
    ws: &Workspace,
    targets: &[ClientEndpoint],
    vnet: Option<&(String, Ref)>,
) -> (Vec<Resource>, BTreeMap<&'static str, String>) {
    let cloud = ws.cloud.value;
    let mut resources = Vec::new();
    let mut zone_symbols: BTreeMap<&'static str, String> = BTreeMap::new();
    let mut zones: Vec<&'static str> = targets
        .iter()
        .filter_map(|t| dns::zones(*t, cloud))
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
        if let Some((vnet_name, vnet_id)) = vnet {
            resources.push(
                vnet_link(
                    &zsym,
                    zone,
                    &names::vnet_link(vnet_name),
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

/// A zone group's groups: `(sub-resource, its public-cloud zones)`.
type Groups = Vec<(&'static str, &'static [&'static str])>;

/// The name, id and sub-resources of one client endpoint target.
fn endpoint_target(
    ws: &Workspace,
    assoc: &Associated,
    t: ClientEndpoint,
    params: &mut Params,
) -> (String, Ref, Groups) {
    let ws_name = ws.name.as_str();
    match t {
        ClientEndpoint::Workspace => (
            ws_name.to_string(),
            params.pass(
                "workspaceId",
                Ref::Expr(Expr::resource_id(types::WORKSPACE, &[ws_name])),
            ),
            vec![(
                "amlworkspace",
                &[
                    "privatelink.api.azureml.ms",
                    "privatelink.notebooks.azure.net",
                ][..],
            )],
        ),
        ClientEndpoint::Storage => (
            target_name(&assoc.storage),
            params.pass("storageId", assoc.storage.1.clone()),
            vec![
                ("blob", &["privatelink.blob.core.windows.net"][..]),
                ("file", &["privatelink.file.core.windows.net"][..]),
            ],
        ),
        ClientEndpoint::KeyVault => (
            target_name(&assoc.key_vault),
            params.pass("keyVaultId", assoc.key_vault.1.clone()),
            vec![("vault", &["privatelink.vaultcore.azure.net"][..])],
        ),
        ClientEndpoint::ContainerRegistry => (
            target_name(&assoc.container_registry),
            params.pass("containerRegistryId", assoc.container_registry.1.clone()),
            vec![("registry", &["privatelink.azurecr.io"][..])],
        ),
    }
}

/// The zone group registering endpoint `name` in its zones, if any zone
/// is known for it.
fn zone_group(
    ws: &Workspace,
    pe: &ClientPrivateEndpoint,
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
        match &pe.dns {
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

fn target_name(r: &(Option<String>, Ref)) -> String {
    match r {
        (Some(n), _) => n.clone(),
        (None, Ref::Id(t)) => t.as_str().rsplit('/').next().unwrap_or("").to_string(),
        (None, Ref::Expr(_)) => String::new(),
    }
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

/// The name of a created spoke's link in an existing zone: the VNet's link
/// name and the workspace's suffix, as one hub zone holds the links of
/// many spokes (a VNet name is only unique in its group).
#[must_use]
pub fn spoke_link_name(ws: &Workspace, spoke: &Spoke) -> String {
    let base = names::vnet_link(spoke.vnet_name());
    let suffix = names::suffix(ws);
    let keep = 80usize.saturating_sub(suffix.len() + 1);
    let base: String = base.chars().take(keep).collect();
    format!("{}-{suffix}", base.trim_end_matches(['-', '.', '_']))
}

/// One module per resource group of existing zones a created spoke is
/// linked to, scoped there: a VNet link on each zone to the spoke, whose
/// id the entry file passes in (`spokeVnetId`).
#[must_use]
pub fn zone_link_modules(ws: &Workspace) -> Vec<Module> {
    let Some(spoke) = ws.outbound.custom_vnet() else {
        return Vec::new();
    };
    let link = spoke_link_name(ws, spoke);
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
                &link,
                Ref::Expr(Expr::param("spokeVnetId")),
                format!("links the existing zone {} to the spoke", zone.name()),
            ));
        }
        let file = format!("zone-links-{}", i + 1);
        out.push(Module {
            symbol: format!("zoneLinks{}", i + 1),
            deployment_name: names::deployment(ws, &file),
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
