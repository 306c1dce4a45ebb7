//! The workspace module: the workspace with its identity, inbound access,
//! managed network and outbound rules, in the phase the deployment needs
//! (`language.md`: "Workspaces", "Inbound", "Outbound"); and why a
//! workspace has two phases.

use std::collections::BTreeMap;

use crate::emit::azure::properties::{
    self, FqdnRule, Identity, IpRule, ManagedNetwork, MlWorkspace, MlWorkspaceProperties,
    PrivateEndpointDestination, PrivateEndpointRule, ServerlessComputeSettings,
    ServiceTagDestination, ServiceTagRule, Sku, WorkspaceNetworkAcls,
};
use crate::emit::azure::{
    Expr, FIRST_DEPLOYMENT, Module, Phases, Principal, Ref, Resource, RoleGrant,
    first_phase_reasons, loc, tags, types,
};
use crate::emit::plan::Plan;
use crate::escape::Text;
use crate::ir::{
    Access, Destination, IsolationMode, OutboundRule, PeTarget, PublicNetworkAccess, RuleKind,
    SubnetRole, Workspace,
};

/// Why this workspace is deployed in two phases, given its grants.
#[must_use]
pub fn phases(ws: &Workspace, grants: &[RoleGrant]) -> Phases {
    let managed = ws.outbound.mode.value.is_managed() && ws.outbound.custom_vnet().is_none();
    Phases {
        selected_ips: matches!(
            ws.inbound.public_network_access.value,
            PublicNetworkAccess::SelectedIps(_)
        ),
        self_rules: managed && ws.outbound.rules.iter().any(is_self_rule),
        gated: managed
            && grants
                .iter()
                .any(|g| g.principal == Principal::Workspace && g.role.is_approver()),
    }
}

/// A managed network's private endpoint rule to the workspace itself.
fn is_self_rule(r: &OutboundRule) -> bool {
    matches!(
        r.destination,
        Destination::PrivateEndpoint {
            target: PeTarget::ThisWorkspace,
            ..
        }
    )
}

/// The ARM model of one outbound rule.
fn outbound_rule(rule: &OutboundRule, plan: &Plan) -> properties::OutboundRule {
    match &rule.destination {
        Destination::Fqdn { fqdn, .. } => properties::OutboundRule::Fqdn(FqdnRule {
            kind: RuleKind::Fqdn.arm(),
            category: "UserDefined",
            destination: Text(fqdn.as_str().to_string()),
        }),
        Destination::ServiceTag {
            tag,
            protocol,
            ports,
        } => properties::OutboundRule::ServiceTag(ServiceTagRule {
            kind: RuleKind::ServiceTag.arm(),
            category: "UserDefined",
            destination: ServiceTagDestination {
                action: "Allow",
                port_ranges: Text(ports.to_string()),
                protocol: protocol.arm(),
                service_tag: Text(tag.as_str().to_string()),
            },
        }),
        Destination::PrivateEndpoint {
            target,
            subresource,
            spark,
        } => {
            let id = match target {
                PeTarget::Resource(id) => Ref::Id(Text(id.as_str().to_string())),
                PeTarget::DefaultStorage => plan.assoc.storage.1.clone(),
                PeTarget::ThisWorkspace => Ref::Expr(plan.workspace_id.clone()),
            };
            properties::OutboundRule::PrivateEndpoint(PrivateEndpointRule {
                kind: RuleKind::PrivateEndpoint.arm(),
                category: "UserDefined",
                destination: PrivateEndpointDestination {
                    service_resource_id: id,
                    subresource_target: Text(subresource.clone()),
                    spark_enabled: *spark,
                },
            })
        }
    }
}

/// The workspace module of a phase: the first (`last` false: created
/// private, not provisioned, no rule to itself, and only on a first
/// deployment when there are two phases) or the last (its final settings).
#[must_use]
pub fn module(plan: &Plan, phases: Phases, last: bool) -> Module {
    let ws = plan.ws;
    let assoc = &plan.assoc;
    let ml_api = plan.ml_api;
    let out = &ws.outbound;
    let mode = out.mode.value;
    let ws_name = ws.name.as_str();
    let first_of_two = phases.two_phase() && !last;
    let mut rules = BTreeMap::new();
    // In custom VNet mode the rules are the hub firewall's (see
    // `emit::lower::firewall`), not the managed network's.
    let managed_rules = if out.custom_vnet().is_some() {
        &[][..]
    } else {
        &out.rules[..]
    };
    for r in managed_rules {
        if first_of_two && is_self_rule(r) {
            continue;
        }
        rules.insert(r.name.as_str().to_string(), outbound_rule(r, plan));
    }
    let identity = Identity::from(&ws.identity);
    let primary_uai = match &ws.identity {
        crate::ir::Identity::SystemAssigned => None,
        crate::ir::Identity::UserAssigned(id) => Some(Text(id.as_str().to_string())),
    };
    let (pna, allowlist) = match &ws.inbound.public_network_access.value {
        PublicNetworkAccess::Disabled => ("Disabled", None),
        PublicNetworkAccess::Enabled => ("Enabled", None),
        // Created private: the allowlist can only be set on an existing
        // workspace.
        PublicNetworkAccess::SelectedIps(_) if first_of_two => ("Disabled", None),
        PublicNetworkAccess::SelectedIps(ips) => (
            "Enabled",
            Some(WorkspaceNetworkAcls {
                default_action: "Deny",
                ip_rules: ips
                    .iter()
                    .map(|ip| IpRule {
                        value: Text(ip.to_string()),
                    })
                    .collect(),
            }),
        ),
    };
    let registry_private = ws.container_registry.public_network_access.value == Access::Disabled;
    let image_build = ws
        .container_registry
        .image_build_compute
        .as_ref()
        .map(|(n, _)| Text(n.clone()))
        .filter(|_| registry_private || mode.is_managed());
    let comment = if first_of_two {
        format!(
            "the workspace as a first deployment creates it (isolation mode {}); `workspace-final` then sets {}",
            mode.arm(),
            first_phase_reasons(phases)
        )
    } else if last {
        format!(
            "the workspace's final settings (isolation mode {}), once its role assignments exist",
            mode.arm()
        )
    } else {
        format!("the workspace, isolation mode {}", mode.arm())
    };
    let resources = vec![Resource::new(
        "workspace",
        types::WORKSPACE,
        ml_api,
        &[ws_name],
        comment,
        MlWorkspace {
            location: loc(),
            tags: tags(),
            kind: "Default",
            sku: Sku {
                name: "Basic",
                tier: Some("Basic"),
            },
            identity,
            properties: MlWorkspaceProperties {
                friendly_name: Text(ws_name.to_string()),
                storage_account: assoc.storage.1.clone(),
                key_vault: assoc.key_vault.1.clone(),
                application_insights: assoc.app_insights.1.clone(),
                container_registry: assoc.container_registry.1.clone(),
                public_network_access: pna,
                network_acls: allowlist,
                primary_user_assigned_identity: primary_uai,
                image_build_compute: image_build,
                provision_network_now: mode.is_managed()
                    && out.provision_now.value
                    && !(first_of_two && phases.gated),
                managed_network: ManagedNetwork {
                    isolation_mode: mode.arm(),
                    firewall_sku: (mode == IsolationMode::AllowOnlyApprovedOutbound
                        && out.has_fqdn_rules())
                    .then(|| out.firewall_sku.value.arm()),
                    outbound_rules: rules,
                },
                serverless_compute_settings: out.custom_vnet().and_then(|_| {
                    Some(ServerlessComputeSettings {
                        serverless_compute_custom_subnet: plan.subnet(SubnetRole::Training)?,
                        serverless_compute_no_public_ip:
                            !crate::catalog::custom_vnet::public_ip_compute(ws),
                    })
                }),
            },
        },
    )];
    let (symbol, file, description) = if last {
        (
            "workspaceFinal",
            "workspace-final",
            format!(
                "the workspace's final settings, after its role assignments: {}",
                first_phase_reasons(phases)
            ),
        )
    } else if first_of_two {
        (
            "workspace",
            "workspace",
            "the workspace as a first deployment creates it (only with firstDeployment=true), its managed network and outbound rules".to_string(),
        )
    } else {
        (
            "workspace",
            "workspace",
            "the workspace, its managed network and outbound rules".to_string(),
        )
    };
    Module {
        symbol: symbol.into(),
        file: file.into(),
        deployment_name: plan.deployment(file),
        description,
        resources,
        depends_on: Vec::new(),
        target: None,
        params: Vec::new(),
        condition: first_of_two.then(|| Expr::param(FIRST_DEPLOYMENT)),
    }
}
