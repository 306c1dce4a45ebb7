//! The report's text about where network resources go: the client
//! private endpoints' group and region.

use super::code;
use crate::ir::Workspace;

/// Where the client private endpoints are deployed, in words: Azure wants
/// them in their VNet's subscription and region.
pub(super) fn pe_placement_text(ws: &Workspace, pe: &crate::ir::ClientPrivateEndpoint) -> String {
    let group = match super::super::endpoints::client_group(ws) {
        Some((sub, group)) => format!(
            "resource group {} of subscription {}",
            code(&group),
            code(&sub)
        ),
        None => format!(
            "the workspace's resource group {}",
            code(ws.resource_group.value.as_str())
        ),
    };
    let region = super::super::endpoints::client_region(ws).unwrap_or(&ws.region.value);
    let why = match (&pe.region, &pe.subnet) {
        (Some(_), _) => "as the posture states".to_string(),
        (None, crate::ir::PeSubnet::Spoke) => "the spoke's".to_string(),
        (None, crate::ir::PeSubnet::Id(_)) => "taken to be the workspace's: if the client VNet is elsewhere, set `private_endpoint { region = \"<its region>\" }`, or the deployment fails".to_string(),
    };
    format!(
        "The endpoints are deployed in {group}, in region {} ({why}): a private endpoint must be in the same region and subscription as its virtual network.",
        code(region.as_str())
    )
}
