//! Custom VNet mode, what would make a spoke's deployment harm or not
//! work: rewriting an existing spoke's subnets without knowing what they
//! hold (`AML3150`), and a spoke the deployment creates that cannot
//! resolve its private endpoints' DNS zones (`AML3151`).

use super::context::report;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::ir::{Dns, PeSubnet, SpokeVnet, Workspace};

/// `AML3150`: a subnet write (`PUT`) replaces every property of the
/// subnet (Microsoft.Network schema, `SubnetPropertiesFormat`): what it
/// does not carry (delegations, a NAT gateway, other service endpoints)
/// is removed. amlgen cannot read the subnet, so the posture must say what
/// each rewritten subnet keeps, even when that is nothing.
pub fn existing_subnets(ws: &Workspace, d: &mut Diagnostics) {
    let Some(spoke) = ws.outbound.custom_vnet() else {
        return;
    };
    let SpokeVnet::Existing { id, .. } = &spoke.vnet else {
        return;
    };
    for s in &spoke.subnets {
        if spoke.keep.iter().any(|k| k.role == s.role) {
            continue;
        }
        let role = s.role.keyword();
        report(
            d,
            Diagnostic::new(
                Code::ExistingSubnetRewrite,
                s.span,
                format!(
                    "amlgen would rewrite the existing {role} subnet `{}` of `{}` without knowing what it holds",
                    s.name,
                    id.name()
                ),
            )
            .label("a subnet write replaces all its properties")
            .note("the deployment writes the subnet's prefix, NSG, route table and service endpoints; delegations, a NAT gateway and service endpoints the posture does not list are removed")
            .help(format!(
                "declare what the subnet keeps in the `vnet` block: `keep {role} {{}}` if nothing, or e.g. `keep {role} {{ service_endpoints = [\"Microsoft.Sql\"]  nat_gateway = \"<natGateways id>\" }}`; or let amlgen create the spoke with `address_space`"
            )),
        );
    }
    for k in &spoke.keep {
        if spoke.subnet(k.role).is_none() {
            report(
                d,
                Diagnostic::new(
                    Code::ExistingSubnetRewrite,
                    k.span,
                    format!(
                        "`keep {}` is for a subnet the spoke does not have",
                        k.role.keyword()
                    ),
                )
                .label("amlgen does not write this subnet")
                .help(format!(
                    "remove it, or add `{} = \"<CIDR>\"` to the `vnet` block",
                    k.role.keyword()
                )),
            );
        }
    }
}

/// `AML3151`: a VNet resolves a private DNS zone only when the zone is
/// linked to it, or when its DNS servers forward to a resolver whose VNet
/// is. A spoke the deployment creates with the hub's existing zones needs
/// one of the two; with zones amlgen creates (linked to the spoke only),
/// custom DNS servers would not see them.
pub fn spoke_dns(ws: &Workspace, d: &mut Diagnostics) {
    let Some(spoke) = ws.outbound.custom_vnet() else {
        return;
    };
    let SpokeVnet::Create { name, .. } = &spoke.vnet else {
        return;
    };
    let Some(pe) = &ws.inbound.private_endpoint else {
        return;
    };
    if !matches!(pe.subnet, PeSubnet::Spoke) {
        return;
    }
    match &pe.dns {
        Dns::Existing(_) if spoke.dns_servers.is_empty() && pe.link_zones.is_none() => {
            report(
                d,
                Diagnostic::new(
                    Code::SpokeDnsUnresolved,
                    pe.span,
                    format!("the new spoke `{name}` cannot resolve the existing private DNS zones"),
                )
                .label("nothing links these zones to the spoke amlgen creates")
                .note("the private endpoints register in the existing zones, but a VNet resolves a private zone only when the zone is linked to it or its DNS servers forward to a resolver that is; compute in the spoke would not find the workspace or its storage")
                .help("set `link_zones = true` to link each zone to the spoke (the deploying identity needs rights in the zones' resource group), `dns_servers = [\"<hub DNS resolver IP>\"]` in the `vnet` block, or `link_zones = false` when the hub team links them (the report and `hub-firewall/` list the links)"),
            );
        }
        Dns::Create if !spoke.dns_servers.is_empty() => {
            let at = spoke.dns_servers.first().map_or(spoke.span, |(_, s)| *s);
            report(
                d,
                Diagnostic::new(
                    Code::SpokeDnsUnresolved,
                    at,
                    format!("the spoke `{name}` asks DNS servers that do not see the zones amlgen creates"),
                )
                .label("the spoke's queries go to these servers")
                .note("with `dns = create` the private DNS zones are linked to the spoke only; a resolver in another VNet does not see them")
                .help("register the endpoints in the hub's zones (`dns = [<privateDnsZones ids>]` in `inbound { private_endpoint { } }`), or remove `dns_servers`"),
            );
        }
        _ => {}
    }
}
