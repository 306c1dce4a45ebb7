//! What several sections of the report say alike: the workspace's public
//! network access in words, and how many outbound rules are private
//! endpoints.

use crate::escape::markdown_code as code;
use crate::ir::{Outbound, PublicNetworkAccess, RuleKind, Workspace};

/// The workspace's public network access in words (the selected IPs as
/// code).
pub(super) fn public_network_access(ws: &Workspace) -> String {
    match &ws.inbound.public_network_access.value {
        PublicNetworkAccess::Disabled => "disabled".to_string(),
        PublicNetworkAccess::Enabled => "enabled".to_string(),
        PublicNetworkAccess::SelectedIps(ips) => format!(
            "selected IPs: {}",
            ips.iter()
                .map(|i| code(&i.to_string()))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// How many of the outbound rules are private endpoint rules.
pub(super) fn private_endpoint_rules(out: &Outbound) -> usize {
    out.rules
        .iter()
        .filter(|x| x.destination.kind() == RuleKind::PrivateEndpoint)
        .count()
}
