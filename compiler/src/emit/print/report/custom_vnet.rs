//! The report's text for custom VNet mode (under "Allowed outbound
//! destinations"): the spoke, its subnets and IP plan, their NSGs and
//! routes, the exfiltration guard, and what the hub firewall must allow.

use std::fmt::Write;

use crate::escape::{markdown_code as code, markdown_row};
use crate::ir::Workspace;

/// Custom VNet mode: the spoke, its NSGs and routes, the exfiltration
/// guard, the IP plan, and what the hub firewall must allow.
pub(super) fn section(r: &mut String, ws: &Workspace, spoke: &crate::ir::Spoke) {
    use crate::catalog::custom_vnet;
    let _ = writeln!(
        r,
        "Custom VNet mode: no managed network. Compute runs in the spoke {} ({}), region {}; every packet to the internet goes through the hub firewall at {}.\n",
        code(spoke.vnet_name()),
        match &spoke.vnet {
            crate::ir::SpokeVnet::Create { address_space, .. } => format!(
                "created, address space {}",
                address_space
                    .iter()
                    .map(|n| code(&n.to_string()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            crate::ir::SpokeVnet::Existing { .. } =>
                "existing; amlgen sets its subnets' NSGs and routes".to_string(),
        },
        code(spoke.region.value.as_str()),
        code(&spoke.firewall_ip.0.to_string())
    );
    let _ = writeln!(
        r,
        "| subnet | name | prefix | holds | addresses used / available |\n| --- | --- | --- | --- | --- |"
    );
    for s in &spoke.subnets {
        let plan = crate::check::ip_plan(ws, s.role);
        let size = 1u64 << (32 - u32::from(s.prefix.prefix));
        let _ = writeln!(
            r,
            "| {} | {} | {} | {} | {} of {size} ({}) |",
            s.role.keyword(),
            code(&s.name),
            code(&s.prefix.to_string()),
            plan.holds,
            plan.needed,
            if plan.counted {
                "with Azure's 5 reserved"
            } else {
                "not counted: Kubernetes needs many addresses, see AKS IP planning"
            }
        );
    }
    for s in &spoke.subnets {
        let rules = custom_vnet::security_rules(ws, spoke, s.role);
        let _ = writeln!(r, "\nNSG of the {} subnet:\n", s.role.keyword());
        if rules.is_empty() {
            let _ = writeln!(
                r,
                "- no rules beyond Azure's defaults: private endpoints need none."
            );
            continue;
        }
        let _ = writeln!(
            r,
            "| priority | direction | access | protocol | from | to | ports | why |\n| --- | --- | --- | --- | --- | --- | --- | --- |"
        );
        for x in rules {
            let _ = writeln!(
                r,
                "{}",
                markdown_row(&[
                    &x.priority.to_string(),
                    x.direction.arm(),
                    x.access.arm(),
                    x.protocol.nsg(),
                    &code(&x.source),
                    &code(&x.destination),
                    &code(&x.ports.join(",")),
                    &x.description
                ])
            );
        }
    }
    let _ = writeln!(
        r,
        "\nRoutes of the training{} subnet:\n",
        if spoke.subnet(crate::ir::SubnetRole::Scoring).is_some() {
            " and scoring"
        } else {
            ""
        }
    );
    for route in custom_vnet::routes(ws, spoke) {
        let _ = writeln!(
            r,
            "- {} to {}{}: {}.",
            code(&route.address_prefix),
            route.next_hop,
            route
                .next_hop_ip
                .map(|ip| format!(" {}", code(&ip)))
                .unwrap_or_default(),
            route.why
        );
    }
    if spoke.service_endpoint_policy.value {
        let _ = writeln!(
            r,
            "\nData exfiltration guard: the training subnet has a `Microsoft.Storage` service endpoint with a service endpoint policy that allows only {} (the storage Azure Machine Learning manages for compute setup) and the workspace's default storage. Storage traffic from compute reaches no other account.",
            code(custom_vnet::AML_SERVICE_ALIAS)
        );
    } else {
        let _ = writeln!(
            r,
            "\nNo service endpoint policy: storage egress from the training subnet can reach any storage account the firewall allows (see the warnings)."
        );
    }
    let _ = writeln!(
        r,
        "\nThe hub team's part: `hub-firewall/` at the top of the build lists every service tag and FQDN the hub firewall must allow for this workspace, as JSON and as an Azure Firewall policy rule collection group."
    );
}
