//! Custom VNet mode: the spoke network module (NSGs, route table, service
//! endpoint policy, the VNet and its subnets), and the ids other modules
//! use to place compute and private endpoints in it.

use serde::Serialize;

use super::escape::Text;
use super::expr::Expr;
use super::model::{Associated, IdRef, Module, Ref, Resource, api, loc, tags, types};
use super::names;
use crate::catalog::custom_vnet::{self, SecurityRule};
use crate::ir::{Spoke, SpokeVnet, SubnetRole, Workspace};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Nsg {
    location: Expr,
    tags: Expr,
    properties: NsgProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NsgProperties {
    security_rules: Vec<NsgRuleModel>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NsgRuleModel {
    name: Text,
    properties: NsgRuleProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NsgRuleProperties {
    access: &'static str,
    description: Text,
    destination_address_prefix: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    destination_port_range: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    destination_port_ranges: Option<Vec<Text>>,
    direction: &'static str,
    priority: u16,
    protocol: &'static str,
    source_address_prefix: Text,
    source_port_range: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RouteTable {
    location: Expr,
    tags: Expr,
    properties: RouteTableProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RouteTableProperties {
    disable_bgp_route_propagation: bool,
    routes: Vec<RouteModel>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RouteModel {
    name: Text,
    properties: RouteProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RouteProperties {
    address_prefix: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_hop_ip_address: Option<Text>,
    next_hop_type: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ServiceEndpointPolicy {
    location: Expr,
    tags: Expr,
    properties: SepProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SepProperties {
    service_endpoint_policy_definitions: Vec<SepDefinition>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SepDefinition {
    name: Text,
    properties: SepDefinitionProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SepDefinitionProperties {
    description: Text,
    service: &'static str,
    service_resources: Vec<Ref>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VirtualNetwork {
    location: Expr,
    tags: Expr,
    properties: VnetProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VnetProperties {
    address_space: AddressSpace,
    /// The spoke's DNS servers (`vnet { dns_servers }`), e.g. the hub's resolver.
    #[serde(skip_serializing_if = "Option::is_none")]
    dhcp_options: Option<DhcpOptions>,
    subnets: Vec<SubnetModel>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DhcpOptions {
    dns_servers: Vec<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AddressSpace {
    address_prefixes: Vec<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SubnetModel {
    name: Text,
    properties: SubnetProperties,
}

#[derive(Serialize)]
struct SubnetResource {
    properties: SubnetProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SubnetProperties {
    address_prefix: Text,
    network_security_group: IdRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    route_table: Option<IdRef>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    service_endpoint_policies: Vec<IdRef>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    service_endpoints: Vec<ServiceEndpoint>,
    // What an existing subnet keeps (`keep`): a subnet write replaces
    // every property it does not carry.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    delegations: Vec<Delegation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    nat_gateway: Option<IdRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    private_endpoint_network_policies: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    default_outbound_access: Option<bool>,
}

#[derive(Serialize)]
struct Delegation {
    name: Text,
    properties: DelegationProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DelegationProperties {
    service_name: Text,
}

#[derive(Serialize)]
struct Peering {
    properties: PeeringProperties,
}

/// The schema's shape: four switches of a peering.
#[allow(clippy::struct_excessive_bools)]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PeeringProperties {
    allow_forwarded_traffic: bool,
    allow_gateway_transit: bool,
    allow_virtual_network_access: bool,
    remote_virtual_network: IdRef,
    use_remote_gateways: bool,
}

#[derive(Serialize)]
struct ServiceEndpoint {
    service: Text,
}

/// The id of the spoke VNet.
#[must_use]
pub fn vnet_ref(spoke: &Spoke) -> Ref {
    match &spoke.vnet {
        SpokeVnet::Create { name, .. } => Ref::Expr(Expr::resource_id(types::VNET, &[name])),
        SpokeVnet::Existing { id, .. } => Ref::Id(Text(id.as_str().to_string())),
    }
}

/// The id of one spoke subnet, from the workspace's resource group.
#[must_use]
pub fn subnet_ref(spoke: &Spoke, role: SubnetRole) -> Option<Ref> {
    let s = spoke.subnet(role)?;
    Some(match &spoke.vnet {
        SpokeVnet::Create { name, .. } => {
            Ref::Expr(Expr::resource_id(types::SUBNET, &[name, &s.name]))
        }
        SpokeVnet::Existing { id, .. } => {
            Ref::Id(Text(format!("{}/subnets/{}", id.as_str(), s.name)))
        }
    })
}

fn nsg_rule(r: &SecurityRule) -> NsgRuleModel {
    let (one, many) = match r.ports.as_slice() {
        [p] => (Some(Text(p.clone())), None),
        ps => (None, Some(ps.iter().map(|p| Text(p.clone())).collect())),
    };
    NsgRuleModel {
        name: Text(r.name.clone()),
        properties: NsgRuleProperties {
            access: r.access.arm(),
            description: Text(r.description.clone()),
            destination_address_prefix: Text(r.destination.clone()),
            destination_port_range: one,
            destination_port_ranges: many,
            direction: r.direction.arm(),
            priority: r.priority,
            protocol: r.protocol.nsg(),
            source_address_prefix: Text(r.source.clone()),
            source_port_range: "*",
        },
    }
}

fn nsg_symbol(role: SubnetRole) -> String {
    format!("nsg{}", capitalized(role.keyword()))
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}

/// The spoke network module: deployed in the workspace's resource group
/// when amlgen creates the VNet, in the VNet's when it exists (its subnets
/// are then updated one at a time: Azure refuses parallel subnet writes).
#[must_use]
pub fn module(ws: &Workspace, spoke: &Spoke, assoc: &Associated) -> Module {
    let mut resources = Vec::new();
    let mut waits: Vec<String> = Vec::new();
    for s in &spoke.subnets {
        let name = names::nsg(ws, s.role);
        let sym = nsg_symbol(s.role);
        let rules = custom_vnet::security_rules(ws, spoke, s.role);
        resources.push(Resource::new(
            &sym,
            types::NSG,
            api::NETWORK,
            &[&name],
            format!(
                "network security group of the {} subnet: {} rules ({} required by Azure Machine Learning)",
                s.role.keyword(),
                rules.len(),
                rules.iter().filter(|r| r.required).count()
            ),
            Nsg {
                location: loc(),
                tags: tags(),
                properties: NsgProperties {
                    security_rules: rules.iter().map(nsg_rule).collect(),
                },
            },
        ));
        waits.push(sym);
    }
    let rt_name = names::route_table(ws);
    let routes = custom_vnet::routes(ws, spoke);
    resources.push(Resource::new(
        "routeTable",
        types::ROUTE_TABLE,
        api::NETWORK,
        &[&rt_name],
        format!(
            "routes of the training and scoring subnets: 0.0.0.0/0 to the hub firewall at {}",
            spoke.firewall_ip.0
        ),
        RouteTable {
            location: loc(),
            tags: tags(),
            properties: RouteTableProperties {
                disable_bgp_route_propagation: true,
                routes: routes
                    .iter()
                    .map(|r| RouteModel {
                        name: Text(r.name.clone()),
                        properties: RouteProperties {
                            address_prefix: Text(r.address_prefix.clone()),
                            next_hop_ip_address: r.next_hop_ip.clone().map(Text),
                            next_hop_type: r.next_hop,
                        },
                    })
                    .collect(),
            },
        },
    ));
    waits.push("routeTable".into());
    let sep_name = names::service_endpoint_policy(ws);
    if spoke.service_endpoint_policy.value {
        resources.push(Resource::new(
            "serviceEndpointPolicy",
            types::SERVICE_ENDPOINT_POLICY,
            api::NETWORK,
            &[&sep_name],
            "data exfiltration guard: storage egress from the training subnet reaches only Azure Machine Learning's storage and the workspace's own".into(),
            ServiceEndpointPolicy {
                location: loc(),
                tags: tags(),
                properties: SepProperties {
                    service_endpoint_policy_definitions: vec![
                        SepDefinition {
                            name: Text("azure-machine-learning".into()),
                            properties: SepDefinitionProperties {
                                description: Text("Storage accounts Azure Machine Learning manages (compute setup)".into()),
                                service: "Global",
                                service_resources: vec![Ref::Id(Text(
                                    custom_vnet::AML_SERVICE_ALIAS.into(),
                                ))],
                            },
                        },
                        SepDefinition {
                            name: Text("workspace-storage".into()),
                            properties: SepDefinitionProperties {
                                description: Text("The workspace's default storage account".into()),
                                service: "Microsoft.Storage",
                                service_resources: vec![storage_ref(ws, spoke, assoc)],
                            },
                        },
                    ],
                },
            },
        ));
        waits.push("serviceEndpointPolicy".into());
    }
    let subnet_props = |role: SubnetRole| subnet_properties(ws, spoke, role, &rt_name, &sep_name);
    let target = match &spoke.vnet {
        SpokeVnet::Create {
            name,
            address_space,
            hub,
            ..
        } => {
            let mut vnet = Resource::new(
                "vnet",
                types::VNET,
                api::NETWORK,
                &[name],
                format!(
                    "the spoke: {} subnets, internet traffic through the hub firewall",
                    spoke.subnets.len()
                ),
                VirtualNetwork {
                    location: loc(),
                    tags: tags(),
                    properties: VnetProperties {
                        dhcp_options: (!spoke.dns_servers.is_empty()).then(|| DhcpOptions {
                            dns_servers: spoke
                                .dns_servers
                                .iter()
                                .map(|(ip, _)| Text(ip.to_string()))
                                .collect(),
                        }),
                        address_space: AddressSpace {
                            address_prefixes: address_space
                                .iter()
                                .map(|n| Text(n.to_string()))
                                .collect(),
                        },
                        subnets: spoke
                            .subnets
                            .iter()
                            .map(|s| SubnetModel {
                                name: Text(s.name.clone()),
                                properties: subnet_props(s.role),
                            })
                            .collect(),
                    },
                },
            );
            for w in &waits {
                vnet = vnet.after(w);
            }
            resources.push(vnet);
            if let Some(hub) = hub {
                resources.push(
                Resource::new(
                    "hubPeering",
                    types::PEERING,
                    api::NETWORK,
                    &[name, &names::peering(hub.name())],
                    format!(
                        "the spoke's side of its peering with the hub `{}` (the hub team adds the other side)",
                        hub.name()
                    ),
                    Peering {
                        properties: PeeringProperties {
                            allow_forwarded_traffic: true,
                            allow_gateway_transit: false,
                            allow_virtual_network_access: true,
                            remote_virtual_network: IdRef {
                                id: Ref::Id(Text(hub.as_str().to_string())),
                            },
                            use_remote_gateways: false,
                        },
                    },
                )
                .child_of("vnet")
                .after("vnet"),
            );
            }
            None
        }
        SpokeVnet::Existing { id, .. } => {
            resources.push(Resource::existing(
                "vnet",
                types::VNET,
                api::NETWORK,
                id.name(),
            ));
            let mut previous: Option<String> = None;
            for s in &spoke.subnets {
                let sym = format!("subnet{}", capitalized(s.role.keyword()));
                let mut r = Resource::new(
                    &sym,
                    types::SUBNET,
                    api::NETWORK,
                    &[id.name(), &s.name],
                    format!(
                        "the existing {} subnet, now with its NSG{}",
                        s.role.keyword(),
                        if s.role == SubnetRole::Pe {
                            ""
                        } else {
                            " and routes"
                        }
                    ),
                    SubnetResource {
                        properties: subnet_props(s.role),
                    },
                )
                .child_of("vnet");
                for w in &waits {
                    r = r.after(w);
                }
                if let Some(p) = &previous {
                    r = r.after(p);
                }
                previous = Some(sym);
                resources.push(r);
            }
            Some((
                id.subscription().as_str().to_string(),
                id.resource_group().to_string(),
            ))
        }
    };
    Module {
        symbol: "network".into(),
        file: "network".into(),
        deployment_name: names::deployment(ws, "network"),
        description: "the spoke network: NSGs, the route to the hub firewall, the service endpoint policy, the VNet and its subnets".into(),
        resources,
        depends_on: if spoke.service_endpoint_policy.value {
            assoc
                .storage
                .0
                .as_ref()
                .map(|_| vec!["storage".to_string()])
                .unwrap_or_default()
        } else {
            Vec::new()
        },
        target,
        params: Vec::new(),
        condition: None,
    }
}

/// The default storage's id as the network module sees it: an existing
/// VNet's module runs in the VNet's resource group, so a created storage
/// account is named with the workspace's group.
fn storage_ref(ws: &Workspace, spoke: &Spoke, assoc: &Associated) -> Ref {
    match (&spoke.vnet, &assoc.storage) {
        (SpokeVnet::Existing { .. }, (Some(name), _)) => Ref::Expr(Expr::call(
            "resourceId",
            vec![
                Expr::str(ws.resource_group.value.as_str()),
                Expr::str(types::STORAGE),
                Expr::str(name),
            ],
        )),
        (_, (_, id)) => id.clone(),
    }
}

/// A subnet's service endpoints: `Microsoft.Storage` under the service
/// endpoint policy, and those an existing subnet keeps, sorted.
fn service_endpoints(guarded: bool, keep: Option<&crate::ir::SubnetKeep>) -> Vec<ServiceEndpoint> {
    let mut names: Vec<String> = keep
        .map(|k| k.service_endpoints.clone())
        .unwrap_or_default();
    if guarded {
        names.push("Microsoft.Storage".into());
    }
    names.sort_by_key(|n| n.to_ascii_lowercase());
    names.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    names
        .into_iter()
        .map(|service| ServiceEndpoint {
            service: Text(service),
        })
        .collect()
}

/// The properties of one spoke subnet as amlgen writes them: prefix, NSG,
/// routes (compute subnets), the exfiltration guard (training), and what
/// an existing subnet keeps (`keep`).
fn subnet_properties(
    ws: &Workspace,
    spoke: &Spoke,
    role: SubnetRole,
    rt_name: &str,
    sep_name: &str,
) -> SubnetProperties {
    let s = spoke.subnet(role).expect("a listed subnet");
    let compute = role != SubnetRole::Pe;
    let guarded = role == SubnetRole::Training && spoke.service_endpoint_policy.value;
    let keep = spoke.keep.iter().find(|k| k.role == role);
    SubnetProperties {
        address_prefix: Text(s.prefix.to_string()),
        network_security_group: IdRef {
            id: Ref::Expr(Expr::resource_id(types::NSG, &[&names::nsg(ws, role)])),
        },
        route_table: compute.then(|| IdRef {
            id: Ref::Expr(Expr::resource_id(types::ROUTE_TABLE, &[rt_name])),
        }),
        service_endpoint_policies: if guarded {
            vec![IdRef {
                id: Ref::Expr(Expr::resource_id(
                    types::SERVICE_ENDPOINT_POLICY,
                    &[sep_name],
                )),
            }]
        } else {
            Vec::new()
        },
        service_endpoints: service_endpoints(guarded, keep),
        delegations: keep
            .map(|k| {
                k.delegations
                    .iter()
                    .map(|(name, service)| Delegation {
                        name: Text(name.clone()),
                        properties: DelegationProperties {
                            service_name: Text(service.clone()),
                        },
                    })
                    .collect()
            })
            .unwrap_or_default(),
        nat_gateway: keep.and_then(|k| {
            k.nat_gateway.as_ref().map(|id| IdRef {
                id: Ref::Id(Text(id.as_str().to_string())),
            })
        }),
        private_endpoint_network_policies: keep.and_then(|k| k.private_endpoint_network_policies),
        default_outbound_access: keep.and_then(|k| k.default_outbound_access),
    }
}
