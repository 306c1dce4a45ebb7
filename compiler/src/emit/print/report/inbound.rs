//! The report's "Inbound" section: the client private endpoints, where
//! they go, and how their names resolve; or the public endpoint.

use std::fmt::Write;

use crate::emit::azure::Deployment;
use crate::escape::markdown_code as code;
use crate::ir::{ClientEndpoint, Dns, Workspace};

use super::network;
use super::posture::public_network_access;

/// The "Inbound" section.
pub(super) fn section(r: &mut String, ws: &Workspace, d: &Deployment) {
    let pna = public_network_access(ws);
    let _ = writeln!(r, "\n## Inbound\n");
    match &ws.inbound.private_endpoint {
        Some(pe) => {
            let targets: Vec<String> = pe
                .targets
                .value
                .iter()
                .map(|t| {
                    code(match t {
                        ClientEndpoint::Workspace => "workspace",
                        ClientEndpoint::Storage => "storage",
                        ClientEndpoint::KeyVault => "key_vault",
                        ClientEndpoint::ContainerRegistry => "container_registry",
                    })
                })
                .collect();
            let _ = writeln!(
                r,
                "- Client private endpoints in {} for {}.",
                pe_subnet_text(ws, pe),
                targets.join(", ")
            );
            let _ = writeln!(r, "- {}", network::pe_placement_text(ws, d, pe));
            match &pe.dns {
                Dns::Create => {
                    // In custom VNet mode the endpoints' network is the spoke.
                    let linked = match (&pe.subnet, ws.outbound.custom_vnet()) {
                        (crate::ir::PeSubnet::Spoke, Some(spoke)) => {
                            format!("the spoke {}", code(spoke.vnet_name()))
                        }
                        _ => "the client virtual network".to_string(),
                    };
                    let _ = writeln!(
                        r,
                        "- Private DNS zones are created beside the endpoints and linked to {linked}."
                    );
                }
                Dns::Existing(ids) => {
                    let _ = writeln!(r, "- The endpoints register in existing private DNS zones:");
                    for id in ids {
                        let _ = writeln!(r, "  - {}", code(id.as_str()));
                    }
                    if let Some(t) = network::spoke_dns_text(ws, pe) {
                        let _ = writeln!(r, "- {t}");
                    }
                }
            }
        }
        None => {
            let _ = writeln!(
                r,
                "- No client private endpoint: the workspace is reached over its public endpoint ({pna})."
            );
        }
    }
}

/// Where the client private endpoints are, in words.
fn pe_subnet_text(ws: &Workspace, pe: &crate::ir::ClientPrivateEndpoint) -> String {
    match (&pe.subnet, ws.outbound.custom_vnet()) {
        (crate::ir::PeSubnet::Id(id), _) => code(id.as_str()),
        (crate::ir::PeSubnet::Spoke, Some(spoke)) => format!(
            "the spoke's `pe` subnet {} of {}",
            code(
                spoke
                    .subnet(crate::ir::SubnetRole::Pe)
                    .map_or("", |s| s.name.as_str())
            ),
            code(spoke.vnet_name())
        ),
        (crate::ir::PeSubnet::Spoke, None) => String::new(),
    }
}
