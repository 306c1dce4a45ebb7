//! Compute and associated resources: R16, R17, R19, R24, R25, R26, and
//! grants to individual users on sensitive workspaces.

use super::context::report;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::ir::{
    Access, ClientEndpoint, ComputeKind, Destination, IsolationMode, Lock, PeTarget, Preset,
    PrincipalKind, RuleKind, Workspace,
};

/// R16: under a managed network, no compute in another region, no
/// Kubernetes or attached VMs, no compute in a custom VNet subnet.
pub fn managed_network_compute(ws: &Workspace, d: &mut Diagnostics) {
    if !ws.outbound.mode.value.is_managed() {
        return;
    }
    let mode_note = format!(
        "the workspace uses a managed network (`{}`)",
        ws.outbound.mode.value.keyword()
    );
    for c in &ws.computes {
        if matches!(
            c.kind.value,
            ComputeKind::Kubernetes | ComputeKind::AttachedVm
        ) {
            report(
                d,
                Diagnostic::new(
                    Code::ComputeUnderManagedNetwork,
                    c.kind.span().unwrap_or(c.span),
                    format!("compute `{}` is a {}", c.name, c.kind.value.keyword()),
                )
                .label("Kubernetes and attached VMs are not supported in a managed network")
                .note(mode_note.clone())
                .help(
                    "use a compute cluster or instance, or `mode = disabled` with your own network",
                ),
            );
        }
        if let Some((region, span)) = &c.region
            && region != &ws.region.value
        {
            report(
                d,
                Diagnostic::new(
                    Code::ComputeUnderManagedNetwork,
                    *span,
                    format!(
                        "compute `{}` is in `{}`, the workspace in `{}`",
                        c.name,
                        region.as_str(),
                        ws.region.value.as_str()
                    ),
                )
                .label("a managed network cannot have compute in another region")
                .note(mode_note.clone())
                .help(format!(
                    "remove `region` or set it to `{}`",
                    ws.region.value.as_str()
                )),
            );
        }
        if let Some((_, span)) = &c.subnet {
            report(
                d,
                Diagnostic::new(Code::ComputeUnderManagedNetwork, *span, format!("compute `{}` is placed in a custom VNet subnet", c.name))
                    .label("compute in a managed network cannot be placed in your own subnet")
                    .note(mode_note.clone())
                    .help("remove `subnet` (the managed network hosts the compute), or use `mode = disabled` with your own spoke network"),
            );
        }
    }
}

/// R17: the default storage cannot have both a private endpoint and a
/// service endpoint.
pub fn service_endpoint(ws: &Workspace, d: &mut Diagnostics) {
    if !ws.storage.service_endpoint.value {
        return;
    }
    let Some(span) = ws.storage.service_endpoint.span() else {
        return;
    };
    let client_pe = ws
        .inbound
        .private_endpoint
        .as_ref()
        .is_some_and(|pe| pe.targets.value.contains(&ClientEndpoint::Storage));
    let managed_pe = ws.outbound.mode.value.is_managed()
        && (ws.outbound.mode.value == IsolationMode::AllowOnlyApprovedOutbound
            || ws.storage.public_network_access.value == Access::Disabled
            || ws.outbound.rules.iter().any(|r| {
                matches!(
                    r.destination,
                    Destination::PrivateEndpoint {
                        target: PeTarget::DefaultStorage,
                        ..
                    }
                )
            }));
    if client_pe || managed_pe {
        let why = if client_pe {
            "the client VNet also has a private endpoint to this storage"
        } else {
            "the managed network reaches this storage through a private endpoint"
        };
        report(
            d,
            Diagnostic::new(Code::EndpointAndServiceEndpoint, span, "the default storage cannot have a service endpoint and a private endpoint")
                .label(why)
                .help("remove `service_endpoint = true`; private endpoints are recommended in all scenarios"),
        );
    }
}

/// R19: a scope lock on the resource group can block managed network
/// operations.
pub fn resource_group_lock(ws: &Workspace, d: &mut Diagnostics) {
    if ws.resource_group_lock.value == Lock::None {
        return;
    }
    let Some(span) = ws.resource_group_lock.span() else {
        return;
    };
    report(
        d,
        Diagnostic::new(Code::ResourceGroupLock, span, format!("resource group `{}` has a scope lock", ws.resource_group.value.as_str()))
            .label("internal managed network operations can be blocked by it")
            .help("remove the lock from the workspace's resource group (lock other resource groups instead)"),
    );
}

/// R24: private associated resources must let trusted Microsoft services in.
pub fn trusted_services(ws: &Workspace, d: &mut Diagnostics) {
    let s = &ws.storage;
    // With data profiling on, R23 reports the same gap more precisely.
    if s.public_network_access.value == Access::Disabled
        && !s.trusted_services.value
        && !s.resource_instance_rule.value
        && !s.data_profiling.value
    {
        let span = s
            .trusted_services
            .span()
            .or(s.resource_instance_rule.span())
            .unwrap_or(ws.span);
        report(
            d,
            Diagnostic::new(Code::TrustedServices, span, "the private default storage admits neither trusted services nor the workspace")
                .label("the workspace cannot reach its storage")
                .help("set `resource_instance_rule = true` (grant access to the workspace as a resource instance) or `trusted_services = true`"),
        );
    }
    for (name, access, trusted) in [
        (
            "key vault",
            &ws.key_vault.public_network_access,
            &ws.key_vault.trusted_services,
        ),
        (
            "container registry",
            &ws.container_registry.public_network_access,
            &ws.container_registry.trusted_services,
        ),
    ] {
        if access.value == Access::Disabled && !trusted.value {
            let span = trusted.span().unwrap_or(ws.span);
            report(
                d,
                Diagnostic::new(
                    Code::TrustedServices,
                    span,
                    format!("the private {name} does not allow trusted Microsoft services"),
                )
                .label("Azure Machine Learning cannot reach it")
                .help("set `trusted_services = true`"),
            );
        }
    }
}

/// R25: a private registry cannot build images: an image-build compute
/// must be named, and in approved mode it needs package access.
pub fn registry_image_build(ws: &Workspace, d: &mut Diagnostics) {
    let acr = &ws.container_registry;
    if acr.public_network_access.value != Access::Disabled {
        return;
    }
    let at = acr
        .public_network_access
        .span()
        .or(acr.span)
        .unwrap_or(ws.span);
    let Some((compute, span)) = &acr.image_build_compute else {
        report(
            d,
            Diagnostic::new(Code::PrivateRegistryImageBuild, at, "a private container registry cannot build images itself")
                .label("no `image_build_compute`")
                .help("name a compute cluster or instance to build images: `container_registry { image_build_compute = \"cpu-build\" }`"),
        );
        return;
    };
    if ws.outbound.mode.value == IsolationMode::AllowOnlyApprovedOutbound {
        let packages = ws
            .outbound
            .presets
            .iter()
            .any(|(p, _)| *p == Preset::PythonPackages)
            || ws
                .outbound
                .rules
                .iter()
                .any(|r| r.destination.kind() == RuleKind::Fqdn);
        if !packages {
            report(
                d,
                Diagnostic::new(Code::ImageBuildPackageAccess, *span, format!("image builds on `{compute}` may not reach any package repository"))
                    .label("approved-outbound mode with no package access")
                    .help("add `allow python_packages` to `outbound`, or FQDN rules for your private package feeds"),
            );
        }
    }
}

/// R26: the legacy egress flag has no effect under a managed network.
pub fn online_endpoints(ws: &Workspace, d: &mut Diagnostics) {
    if !ws.outbound.mode.value.is_managed() {
        return;
    }
    for e in &ws.online_endpoints {
        if let Some((_, span)) = e.egress_public_network_access {
            report(
                d,
                Diagnostic::new(
                    Code::OnlineEndpointEgressFlag,
                    span,
                    format!(
                        "`egress_public_network_access` on `{}` has no effect",
                        e.name
                    ),
                )
                .label("ignored under a managed network")
                .note("the workspace's managed network governs the endpoint's outbound traffic")
                .help("remove the flag; use `public_network_access` for inbound"),
            );
        }
    }
}

/// Access patterns (R42): on a sensitive workspace, grant roles to groups,
/// not individual users.
pub fn user_grants(ws: &Workspace, d: &mut Diagnostics) {
    if !ws.sensitive.value {
        return;
    }
    for g in &ws.access {
        if g.principal_kind == PrincipalKind::User {
            report(
                d,
                Diagnostic::new(Code::UserGrantOnSensitive, g.span, format!("`{}` is granted to an individual user", g.role.name))
                    .label("grant to an Entra group instead")
                    .note("the workspace is marked sensitive; group grants are reviewed and revoked in one place")
                    .help("grant the role to a group the user belongs to: `to group \"<object id>\"`"),
            );
        }
    }
}
