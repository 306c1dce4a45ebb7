//! Custom VNet mode, what would make a spoke's deployment harm or not
//! work: rewriting an existing spoke's subnets without knowing what they
//! hold (`AML3150`).

use super::report;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::ir::{SpokeVnet, Workspace};

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
