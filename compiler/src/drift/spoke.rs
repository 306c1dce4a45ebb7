//! Custom VNet mode's drift: the spoke VNet, its subnets by name, the NSG
//! rules by NSG and rule name, the route table's routes, the peering to
//! the hub.
//!
//! Classes: the NSGs and the route table are written with their rules and
//! routes inline, so a PUT replaces them (an extra rule or route is
//! removed: in place). Subnets of an existing VNet are child resources, so
//! a subnet only deployed is left (unmanaged). "Add, change, or delete a
//! virtual network subnet" (Microsoft Learn): a subnet's address range can
//! be changed only while no resource is deployed in it; with the
//! workspace's computes or private endpoints in it the change is refused.

use super::finding::{Class, Finding, Subject, finding};
use super::values::{same, setting};
use crate::deployed::model::{NsgRule, ObservedWorkspace, Spoke, SpokeSubnet, same_id};
use crate::span::Span;

pub(crate) fn compare(w: &ObservedWorkspace, d: &ObservedWorkspace, out: &mut Vec<Finding>) {
    let at = d.origin;
    match (&w.spoke, &d.spoke) {
        (None, None) => {}
        (Some(ws), None) => out.push(
            finding(Class::InPlace, "spoke virtual network", Subject::Workspace, at)
                .keyword("outbound.vnet")
                .values(Some(ws.vnet_id.clone()), None)
                .then("the next deployment creates or configures the spoke"),
        ),
        (None, Some(ds)) => out.push(
            finding(Class::Unmanaged, "spoke virtual network", Subject::Workspace, at)
                .keyword("outbound.vnet")
                .values(None, Some(ds.vnet_id.clone()))
                .then("the next deployment leaves the spoke and its computes' network as they are"),
        ),
        (Some(ws), Some(ds)) if !same_id(&ws.vnet_id, &ds.vnet_id) => out.push(
            finding(Class::InPlace, "spoke virtual network", Subject::Workspace, at)
                .keyword("outbound.vnet")
                .values(Some(ws.vnet_id.clone()), Some(ds.vnet_id.clone()))
                .then("the next deployment configures the posture's VNet; the deployed one is left as it is, and computes in it stay there until recreated"),
        ),
        (Some(ws), Some(ds)) => {
            // The VNet's own settings only when both sides hold the VNet
            // resource (an input with only its subnets says nothing of
            // them).
            if ws.vnet_known && ds.vnet_known {
                vnet(ws, ds, at, out);
            }
            zone_links(ws, ds, at, out);
            subnets(ws, ds, d, at, out);
            nsg_rules(ws, ds, at, out);
        }
    }
}

/// A list as one line, folded and sorted (order does not matter to Azure).
fn set(v: &[String]) -> String {
    let mut v: Vec<String> = v.iter().map(|s| s.to_ascii_lowercase()).collect();
    v.sort();
    format!("[{}]", v.join(", "))
}

fn vnet(w: &Spoke, d: &Spoke, at: Span, out: &mut Vec<Finding>) {
    let in_place = |what: &str, wv: String, dv: String, out: &mut Vec<Finding>| {
        if wv != dv {
            out.push(
                finding(
                    Class::InPlace,
                    format!("spoke: {what}"),
                    Subject::Workspace,
                    at,
                )
                .keyword("outbound.vnet")
                .values(Some(wv.clone()), Some(dv))
                .then(format!("the next deployment sets it to `{wv}`")),
            );
        }
    };
    in_place(
        "properties.addressSpace.addressPrefixes",
        set(&w.address_space),
        set(&d.address_space),
        out,
    );
    // DNS servers are tried in order: the order matters.
    in_place(
        "properties.dhcpOptions.dnsServers",
        format!("[{}]", w.dns_servers.join(", ")),
        format!("[{}]", d.dns_servers.join(", ")),
        out,
    );
    let routes = |r: &[(String, String, Option<String>)]| {
        let v: Vec<String> = r
            .iter()
            .map(|(p, t, ip)| format!("{p} -> {t} {}", ip.as_deref().unwrap_or("")))
            .collect();
        set(&v)
    };
    in_place(
        "route table routes",
        routes(&w.routes),
        routes(&d.routes),
        out,
    );
    in_place(
        "service endpoint policy",
        w.service_endpoint_policy.to_string(),
        d.service_endpoint_policy.to_string(),
        out,
    );
    let hub = |h: &Option<String>| h.as_deref().map_or(String::new(), str::to_ascii_lowercase);
    in_place(
        "peering to the hub",
        hub(&w.hub_vnet),
        hub(&d.hub_vnet),
        out,
    );
}

/// A subnet's settings a PUT changes in place, as (what, value) lines.
fn subnet_settings(s: &SpokeSubnet) -> [(&'static str, String); 8] {
    let id = |o: &Option<String>| o.as_deref().map_or(String::new(), str::to_ascii_lowercase);
    let delegations: Vec<String> = s.delegations.iter().map(|(_, svc)| svc.clone()).collect();
    [
        ("networkSecurityGroup", id(&s.nsg)),
        ("routeTable", id(&s.route_table)),
        ("natGateway", id(&s.nat_gateway)),
        ("serviceEndpoints", set(&s.service_endpoints)),
        ("serviceEndpointPolicies", set(&s.service_endpoint_policies)),
        ("delegations", set(&delegations)),
        (
            "privateEndpointNetworkPolicies",
            s.private_endpoint_network_policies
                .as_deref()
                .map_or(String::new(), str::to_ascii_lowercase),
        ),
        (
            "defaultOutboundAccess",
            s.default_outbound_access
                .map_or(String::new(), |b| b.to_string()),
        ),
    ]
}

/// Whether the deployed workspace has a compute or a client private
/// endpoint in subnet `name` of the spoke.
fn in_use(name: &str, d: &ObservedWorkspace) -> bool {
    let is = |id: &str| {
        id.trim_end_matches('/')
            .rsplit_once("/subnets/")
            .is_some_and(|(_, n)| same(n, name))
    };
    d.computes
        .iter()
        .filter_map(|c| c.subnet.as_deref())
        .chain(d.private_endpoints.iter().map(|e| e.subnet.as_str()))
        .any(is)
}

fn subnets(w: &Spoke, d: &Spoke, dws: &ObservedWorkspace, at: Span, out: &mut Vec<Finding>) {
    let find = |s: &Spoke, name: &str| {
        s.subnets
            .iter()
            .find(|(n, _)| same(n, name))
            .map(|(_, v)| v.clone())
    };
    for (name, ws) in &w.subnets {
        let what = format!("spoke subnet `{name}`");
        let Some(ds) = find(d, name) else {
            out.push(
                finding(Class::InPlace, what, Subject::Workspace, at)
                    .keyword("outbound.vnet")
                    .values(Some(ws.address_prefix.clone()), None)
                    .then("the next deployment creates the subnet"),
            );
            continue;
        };
        setting(
            out,
            (
                &format!("{what}: properties.addressPrefix"),
                Some("outbound.vnet"),
                Subject::Workspace,
            ),
            (
                Some(ws.address_prefix.as_str()),
                Some(ds.address_prefix.as_str()),
            ),
            at,
            |wv, _| {
                if in_use(name, dws) {
                    (
                        Class::Refused,
                        format!(
                            "Azure changes a subnet's address range only while nothing is deployed in it: move or delete the workspace's computes and private endpoints in `{name}` first, then deploy"
                        ),
                    )
                } else {
                    (
                        Class::InPlace,
                        format!("the next deployment sets it to `{wv}`"),
                    )
                }
            },
        );
        for ((key, wv), (_, dv)) in subnet_settings(ws).into_iter().zip(subnet_settings(&ds)) {
            if wv != dv {
                out.push(
                    finding(
                        Class::InPlace,
                        format!("{what}: properties.{key}"),
                        Subject::Workspace,
                        at,
                    )
                    .keyword("outbound.vnet")
                    .values(Some(wv.clone()), Some(dv))
                    .then("the next deployment rewrites the subnet's setting"),
                );
            }
        }
    }
    for (name, ds) in &d.subnets {
        if find(w, name).is_none() {
            out.push(
                finding(
                    Class::Unmanaged,
                    format!("spoke subnet `{name}`"),
                    Subject::Workspace,
                    at,
                )
                .keyword("outbound.vnet")
                .values(None, Some(ds.address_prefix.clone()))
                .then("the next deployment leaves the subnet as it is"),
            );
        }
    }
}

fn rule_text(r: &NsgRule) -> String {
    format!(
        "{} {} priority {} {} {} -> {} ports {}",
        r.access, r.direction, r.priority, r.protocol, r.source, r.destination, r.ports
    )
}

fn nsg_rules(w: &Spoke, d: &Spoke, at: Span, out: &mut Vec<Finding>) {
    let empty = Vec::new();
    for (nsg, wrules) in &w.nsg_rules {
        let drules = d
            .nsg_rules
            .iter()
            .find(|(n, _)| same(n, nsg))
            .map_or(&empty, |(_, r)| r);
        let find = |rules: &[NsgRule], name: &str| {
            rules.iter().find(|r| same(&r.name, name)).map(rule_text)
        };
        let names = wrules
            .iter()
            .map(|r| &r.name)
            .chain(drules.iter().map(|r| &r.name));
        let mut seen: Vec<String> = Vec::new();
        for name in names {
            if seen.iter().any(|s| same(s, name)) {
                continue;
            }
            seen.push(name.clone());
            let (wv, dv) = (find(wrules, name), find(drules, name));
            if wv.as_deref().map(str::to_ascii_lowercase)
                == dv.as_deref().map(str::to_ascii_lowercase)
            {
                continue;
            }
            let then = match (&wv, &dv) {
                (Some(_), None) => "the next deployment adds the rule",
                (None, _) => {
                    "the next deployment rewrites the NSG's rules and removes this one: add it to the posture as an `nsg_extra` rule to keep it"
                }
                (Some(_), Some(_)) => "the next deployment rewrites the rule",
            };
            out.push(
                finding(
                    Class::InPlace,
                    format!("NSG `{nsg}` rule `{name}`"),
                    Subject::Workspace,
                    at,
                )
                .keyword("outbound.vnet")
                .values(wv, dv)
                .then(then),
            );
        }
    }
}

/// The private DNS zone links to the spoke: a link is a child resource of
/// its zone, so one only deployed is left.
fn zone_links(w: &Spoke, d: &Spoke, at: Span, out: &mut Vec<Finding>) {
    for link in &w.zone_links {
        if !d.zone_links.iter().any(|l| same_id(l, link)) {
            out.push(
                finding(
                    Class::InPlace,
                    "private DNS zone link to the spoke",
                    Subject::Workspace,
                    at,
                )
                .keyword("inbound.private_endpoint.link_zones")
                .values(Some(link.clone()), None)
                .then("the next deployment creates the link"),
            );
        }
    }
    for link in &d.zone_links {
        if !w.zone_links.iter().any(|l| same_id(l, link)) {
            out.push(
                finding(
                    Class::Unmanaged,
                    "private DNS zone link to the spoke",
                    Subject::Workspace,
                    at,
                )
                .keyword("inbound.private_endpoint.link_zones")
                .values(None, Some(link.clone()))
                .then("the next deployment leaves the link as it is"),
            );
        }
    }
}
