//! Inbound: R20 (the selected-IP allowlist), R21, R22, R23.

use super::context::report;
use crate::catalog::dns;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::ir::{Access, ClientEndpoint, Dns, PublicNetworkAccess, Workspace};

/// R20: `selected_ips` admits only the addresses of its allowlist, so an
/// empty one (absent, `[]`, an empty `let`, or every entry malformed)
/// deploys a workspace nobody can reach from a public network.
pub fn selected_ips(ws: &Workspace, d: &mut Diagnostics) {
    let pna = &ws.inbound.public_network_access;
    let PublicNetworkAccess::SelectedIps(list) = &pna.value else {
        return;
    };
    if !list.is_empty() {
        return;
    }
    let at = pna.span().unwrap_or(ws.span);
    report(
        d,
        Diagnostic::new(
            Code::PublicAccessSettings,
            at,
            format!("workspace `{}` allows selected IPs but its allowlist is empty", ws.name),
        )
        .label("`selected_ips` with no valid address in `allowed_ips`")
        .note("only the listed addresses may reach the workspace: with none, nobody can (a malformed entry is reported on its own and not listed)")
        .help("list the IPv4 addresses or ranges to allow, e.g. `allowed_ips = [\"203.0.113.0/24\"]`, or set `public_network_access = disabled` and add a private endpoint"),
    );
}

/// R21: a private workspace needs a private endpoint in the client VNet and
/// the DNS zones for it.
pub fn private_workspace(ws: &Workspace, d: &mut Diagnostics) {
    let pna = &ws.inbound.public_network_access;
    let Some(pe) = &ws.inbound.private_endpoint else {
        if pna.value.is_disabled() {
            let at = pna.span().unwrap_or(ws.span);
            report(
                d,
                Diagnostic::new(Code::PrivateWorkspaceWithoutEndpoint, at, format!("workspace `{}` is private but has no private endpoint", ws.name))
                    .label("public network access is disabled")
                    .help("add `inbound { private_endpoint { subnet = \"<client subnet id>\"  dns = create } }`, or set `public_network_access = enabled` or `selected_ips`"),
            );
        }
        return;
    };
    let Dns::Existing(zones) = &pe.dns else {
        return;
    };
    for target in &pe.targets.value {
        let Some(required) = dns::zones(*target, ws.cloud.value) else {
            continue;
        };
        for zone in required {
            if !zones.iter().any(|z| z.name().eq_ignore_ascii_case(zone)) {
                let what = ClientEndpoint::ALL
                    .iter()
                    .find(|(_, t)| t == target)
                    .map_or("", |(n, _)| n);
                report(
                    d,
                    Diagnostic::new(
                        Code::PrivateWorkspaceWithoutEndpoint,
                        pe.span,
                        format!(
                            "no private DNS zone `{zone}` for the {} private endpoint",
                            what.replace('_', " ")
                        ),
                    )
                    .label("the existing zones do not include it")
                    .help(format!(
                        "add the id of the hub's `{zone}` zone to `dns`, or use `dns = create`"
                    )),
                );
            }
        }
    }
}

/// R22: studio needs the client VNet to reach the private default storage
/// (private endpoints for blob and file).
pub fn studio_storage(ws: &Workspace, d: &mut Diagnostics) {
    // In custom VNet mode the endpoints are the compute's too: a missing
    // storage endpoint is an error there (R30).
    if ws.storage.public_network_access.value != Access::Disabled || ws.outbound.custom_requested {
        return;
    }
    let Some(pe) = &ws.inbound.private_endpoint else {
        return;
    };
    if pe.targets.value.contains(&ClientEndpoint::Storage) {
        return;
    }
    let at = pe.targets.span().unwrap_or(pe.span);
    report(
        d,
        Diagnostic::new(Code::StudioStorageEndpoints, at, "the client network has no private endpoint to the private default storage")
            .label("`storage` is not among the client private endpoints")
            .note("studio notebooks and datasets talk to the default storage from the browser: the client VNet needs private endpoints for blob and file")
            .help("add `storage` to `resources`"),
    );
}

/// R23: data profiling needs the storage to admit the workspace.
pub fn data_profiling(ws: &Workspace, d: &mut Diagnostics) {
    let s = &ws.storage;
    if !s.data_profiling.value || s.public_network_access.value != Access::Disabled {
        return;
    }
    if s.resource_instance_rule.value || s.trusted_services.value {
        return;
    }
    let at = s.data_profiling.span().unwrap_or(ws.span);
    report(
        d,
        Diagnostic::new(
            Code::DataProfilingAccess,
            at,
            "data profiling cannot reach the private default storage",
        )
        .label("needs the workspace as a resource instance or trusted services")
        .help("set `resource_instance_rule = true` or `trusted_services = true` on `storage`"),
    );
}
