//! Custom VNet mode: the spoke network module (NSGs, route table, service
//! endpoint policy, the VNet and its subnets, the peering), from the
//! spoke's names and ids in the plan (`language.md`: "Custom VNet mode").

use crate::catalog::custom_vnet::{self, SecurityRule};
use crate::emit::azure::properties::{
    AddressSpace, Delegation, DelegationProperties, DhcpOptions, IdRef, Nsg, NsgProperties,
    NsgRuleModel, NsgRuleProperties, Peering, PeeringProperties, RouteModel, RouteProperties,
    RouteTable, RouteTableProperties, SepDefinition, SepDefinitionProperties, SepProperties,
    ServiceEndpoint, ServiceEndpointPolicy, SubnetModel, SubnetProperties, SubnetResource,
    VirtualNetwork, VnetProperties,
};
use crate::emit::azure::{Expr, Module, Ref, Resource, api, loc, tags, types};
use crate::emit::plan::{Plan, SpokePlan};
use crate::escape::Text;
use crate::ir::{SpokeVnet, SubnetRole};

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
pub fn module(plan: &Plan) -> Option<Module> {
    let sp = plan.spoke.as_ref()?;
    let spoke = sp.spoke;
    let mut resources = nsgs(plan, sp);
    let mut waits: Vec<String> = resources.iter().map(|r| r.symbol.clone()).collect();
    resources.push(route_table(plan, sp));
    waits.push("routeTable".into());
    if let Some(sep) = service_endpoint_policy(plan, sp) {
        resources.push(sep);
        waits.push("serviceEndpointPolicy".into());
    }
    let target = match &spoke.vnet {
        SpokeVnet::Create { .. } => {
            resources.extend(created_vnet(sp, &waits));
            None
        }
        SpokeVnet::Existing { id, .. } => {
            resources.extend(existing_subnets(sp, &waits));
            Some((
                id.subscription().as_str().to_string(),
                id.resource_group().to_string(),
            ))
        }
    };
    Some(Module {
        symbol: "network".into(),
        file: "network".into(),
        deployment_name: plan.deployment("network"),
        description: "the spoke network: NSGs, the route to the hub firewall, the service endpoint policy, the VNet and its subnets".into(),
        resources,
        depends_on: if spoke.service_endpoint_policy.value {
            plan.assoc
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
    })
}

/// One network security group per subnet, with the rules Azure Machine
/// Learning requires and the posture's own.
fn nsgs(plan: &Plan, sp: &SpokePlan) -> Vec<Resource> {
    let (ws, spoke) = (plan.ws, sp.spoke);
    let mut resources = Vec::new();
    for s in &spoke.subnets {
        let name = &sp.nsgs[&s.role];
        let sym = nsg_symbol(s.role);
        let rules = custom_vnet::security_rules(ws, spoke, s.role);
        resources.push(Resource::new(
            &sym,
            types::NSG,
            api::NETWORK,
            &[name],
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
    }
    resources
}

/// The route table of the compute subnets: the default route to the hub
/// firewall.
fn route_table(plan: &Plan, sp: &SpokePlan) -> Resource {
    let (ws, spoke) = (plan.ws, sp.spoke);
    let rt_name = &sp.route_table;
    let routes = custom_vnet::routes(ws, spoke);
    Resource::new(
        "routeTable",
        types::ROUTE_TABLE,
        api::NETWORK,
        &[rt_name],
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
    )
}

/// The exfiltration guard of the training subnet, when the posture has it.
fn service_endpoint_policy(plan: &Plan, sp: &SpokePlan) -> Option<Resource> {
    let spoke = sp.spoke;
    if !spoke.service_endpoint_policy.value {
        return None;
    }
    Some(Resource::new(
        "serviceEndpointPolicy",
        types::SERVICE_ENDPOINT_POLICY,
        api::NETWORK,
        &[&sp.service_endpoint_policy],
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
                            service_resources: vec![storage_ref(plan, sp)],
                        },
                    },
                ],
            },
        },
    ))
}

/// The spoke VNet amlgen creates, with its subnets, and its side of the
/// peering with the hub.
fn created_vnet(sp: &SpokePlan, waits: &[String]) -> Vec<Resource> {
    let spoke = sp.spoke;
    let SpokeVnet::Create {
        name,
        address_space,
        hub,
        ..
    } = &spoke.vnet
    else {
        return Vec::new();
    };
    let subnet_props = |role: SubnetRole| subnet_properties(sp, role);
    let mut resources = Vec::new();
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
                    address_prefixes: address_space.iter().map(|n| Text(n.to_string())).collect(),
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
    for w in waits {
        vnet = vnet.after(w);
    }
    resources.push(vnet);
    if let (Some(hub), Some(peering)) = (hub, &sp.peering) {
        resources.push(
        Resource::new(
            "hubPeering",
            types::PEERING,
            api::NETWORK,
            &[name, peering],
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
    resources
}

/// An existing spoke VNet's subnets, each written back with its NSG and
/// routes (and what `keep` says it keeps), one after the other.
fn existing_subnets(sp: &SpokePlan, waits: &[String]) -> Vec<Resource> {
    let spoke = sp.spoke;
    let SpokeVnet::Existing { id, .. } = &spoke.vnet else {
        return Vec::new();
    };
    let subnet_props = |role: SubnetRole| subnet_properties(sp, role);
    let mut resources = Vec::new();
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
        for w in waits {
            r = r.after(w);
        }
        if let Some(p) = &previous {
            r = r.after(p);
        }
        previous = Some(sym);
        resources.push(r);
    }
    resources
}

/// The default storage's id as the network module sees it: an existing
/// VNet's module runs in the VNet's resource group, so a created storage
/// account is named with the workspace's group.
fn storage_ref(plan: &Plan, sp: &SpokePlan) -> Ref {
    let ws = plan.ws;
    match (&sp.spoke.vnet, &plan.assoc.storage) {
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
fn subnet_properties(sp: &SpokePlan, role: SubnetRole) -> SubnetProperties {
    let spoke = sp.spoke;
    let s = spoke.subnet(role).expect("a listed subnet");
    let compute = role != SubnetRole::Pe;
    let guarded = role == SubnetRole::Training && spoke.service_endpoint_policy.value;
    let keep = spoke.keep.iter().find(|k| k.role == role);
    SubnetProperties {
        address_prefix: Text(s.prefix.to_string()),
        network_security_group: IdRef {
            id: Ref::Expr(Expr::resource_id(types::NSG, &[&sp.nsgs[&role]])),
        },
        route_table: compute.then(|| IdRef {
            id: Ref::Expr(Expr::resource_id(types::ROUTE_TABLE, &[&sp.route_table])),
        }),
        service_endpoint_policies: if guarded {
            vec![IdRef {
                id: Ref::Expr(Expr::resource_id(
                    types::SERVICE_ENDPOINT_POLICY,
                    &[&sp.service_endpoint_policy],
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
