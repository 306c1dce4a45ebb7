//! The report's "Costs" section: the managed Azure Firewall and the
//! private endpoints, the parts of a posture that are billed by the hour.

use std::fmt::Write;

use crate::emit::azure::Deployment;
use crate::ir::{IsolationMode, Workspace};

use super::posture::private_endpoint_rules;

/// The "Costs" section.
pub(super) fn section(r: &mut String, ws: &Workspace, d: &Deployment) {
    let out = &ws.outbound;
    let mode = out.mode.value;
    let _ = writeln!(r, "\n## Costs\n");
    let pe_rules = private_endpoint_rules(out);
    let client_pes: usize = d
        .modules
        .iter()
        .flat_map(|m| &m.resources)
        .filter(|x| x.arm_type == crate::emit::azure::types::PRIVATE_ENDPOINT && !x.existing)
        .count();
    if mode == IsolationMode::AllowOnlyApprovedOutbound && out.has_fqdn_rules() {
        let _ = writeln!(
            r,
            "- **Azure Firewall ({}):** the FQDN rules make the managed network deploy a managed Azure Firewall, billed per hour and per GB processed, for as long as any FQDN rule exists.",
            out.firewall_sku.value.arm()
        );
    } else if out.custom_vnet().is_some() {
        let _ = writeln!(
            r,
            "- No managed Azure Firewall: traffic goes through the hub's firewall, whose hours and processed GB its owner pays; the spoke's NSGs, route table and service endpoint policy are free."
        );
    } else {
        let _ = writeln!(r, "- No managed Azure Firewall: there are no FQDN rules.");
    }
    if out.custom_vnet().is_some() {
        let _ = writeln!(
            r,
            "- **Private endpoints:** {client_pes}, each billed per hour and per GB (Azure Private Link pricing); no managed network adds any."
        );
    } else {
        let _ = writeln!(
            r,
            "- **Private endpoints:** {client_pes} in the client network and {pe_rules} private endpoint outbound rule(s) in the managed network, plus the platform's required ones; each is billed per hour and per GB (Azure Private Link pricing).{}",
            if mode.is_managed() && out.provision_now.value {
                " The managed network is provisioned at creation, so charges start then."
            } else {
                ""
            }
        );
    }
}
