//! The plan of one workspace: every name and id its deployment gives or
//! uses, computed once ([`Plan::of`]) and read by every lowering. The
//! naming rules themselves are in [`names`]; a lowering never derives a
//! name from the workspace itself.

pub mod names;

use std::collections::BTreeMap;

use super::azure::{Expr, Ref, api, types};
use crate::catalog::dns;
use crate::escape::Text;
use crate::ir::{
    ClientEndpoint, ClientPrivateEndpoint, PeSubnet, Provision, PublicNetworkAccess, Region,
    ResourceId, Spoke, SpokeVnet, SubnetRole, Workspace,
};

/// An associated resource: the name amlgen gives it when it creates it,
/// and its id (an expression when created, the written id when existing).
pub type Named = (Option<String>, Ref);

/// The names and ids of the workspace's associated resources.
pub struct Associated {
    pub storage: Named,
    pub key_vault: Named,
    pub container_registry: Named,
    pub app_insights: Named,
    pub log_analytics: Option<Named>,
}

/// One workspace's names and ids.
pub struct Plan<'a> {
    pub ws: &'a Workspace,
    /// The workspace's name.
    pub name: &'a str,
    /// Six hex digits that tell this workspace's resources from another's.
    pub suffix: String,
    /// The workspace's id in the deployment's resource group.
    pub workspace_id: Expr,
    /// The ML API version the workspace uses (a preview one only when needed).
    pub ml_api: &'static str,
    pub assoc: Associated,
    /// The client-VNet private endpoints, when the posture has them.
    pub client: Option<ClientPlan<'a>>,
    /// Custom VNet mode's spoke.
    pub spoke: Option<SpokePlan<'a>>,
}

/// Where the client private endpoints go and what they are called.
pub struct ClientPlan<'a> {
    pub pe: &'a ClientPrivateEndpoint,
    /// `(subscription, group)` when that is not the deployment's own group:
    /// the VNet's subscription and the group the posture names or the
    /// VNet's. A spoke the deployment creates is in the workspace's group,
    /// and so are its endpoints.
    pub group: Option<(String, String)>,
    /// The client VNet's region, where its private endpoints must be:
    /// written (`private_endpoint { region }`), the spoke's, else the
    /// workspace's.
    pub region: &'a Region,
    /// The subnet's VNet (its name and id), when the posture names one.
    pub vnet: Option<(String, Ref)>,
    /// The subnet the endpoints are placed in.
    pub subnet: Option<Ref>,
    /// The name of the client VNet's link in a zone amlgen creates.
    pub vnet_link: Option<String>,
    /// The targets, sorted, each with its endpoints.
    pub targets: Vec<ClientTarget>,
}

/// One client endpoint target and its endpoints (one per sub-resource).
pub struct ClientTarget {
    pub target: ClientEndpoint,
    /// The target resource's name.
    pub resource: String,
    /// `(sub-resource, its public-cloud zones, the endpoint's name)`.
    pub endpoints: Vec<(&'static str, &'static [&'static str], String)>,
}

/// A custom VNet spoke's names and ids.
pub struct SpokePlan<'a> {
    pub spoke: &'a Spoke,
    /// The spoke VNet's id.
    pub vnet: Ref,
    /// Each subnet's id, from the workspace's resource group.
    pub subnets: BTreeMap<SubnetRole, Ref>,
    /// Each subnet's network security group.
    pub nsgs: BTreeMap<SubnetRole, String>,
    pub route_table: String,
    pub service_endpoint_policy: String,
    /// The peering with the hub VNet, when the posture names the hub.
    pub peering: Option<String>,
    /// The spoke's link in an existing (hub) zone: the VNet's link name and
    /// the workspace's suffix, as one hub zone holds the links of many
    /// spokes (a VNet name is only unique in its group).
    pub hub_link: String,
}

impl<'a> Plan<'a> {
    /// The plan of one checked workspace.
    #[must_use]
    pub fn of(ws: &'a Workspace) -> Plan<'a> {
        let name = ws.name.as_str();
        let suffix = names::suffix(ws);
        let selected_ips = matches!(
            ws.inbound.public_network_access.value,
            PublicNetworkAccess::SelectedIps(_)
        );
        let assoc = associated(ws);
        let spoke = ws
            .outbound
            .custom_vnet()
            .map(|s| spoke_plan(ws, s, &suffix));
        let client = ws
            .inbound
            .private_endpoint
            .as_ref()
            .map(|pe| client_plan(ws, pe, &assoc, spoke.as_ref()));
        Plan {
            ws,
            name,
            suffix,
            workspace_id: Expr::resource_id(types::WORKSPACE, &[name]),
            ml_api: if selected_ips {
                api::ML_PREVIEW
            } else {
                api::ML
            },
            assoc,
            client,
            spoke,
        }
    }

    /// The nested deployment name of one of the workspace's modules.
    #[must_use]
    pub fn deployment(&self, module: &str) -> String {
        names::deployment(self.name, module)
    }

    /// The id of one spoke subnet.
    #[must_use]
    pub fn subnet(&self, role: SubnetRole) -> Option<Ref> {
        self.spoke.as_ref()?.subnets.get(&role).cloned()
    }
}

impl ClientPlan<'_> {
    /// The name of the endpoint to `target`'s `group` sub-resource, and its
    /// full id when it is deployed outside the deployment's group (a role
    /// assignment's target there).
    #[must_use]
    pub fn endpoint(&self, target: ClientEndpoint, group: &str) -> Option<(&str, Option<String>)> {
        let t = self.targets.iter().find(|t| t.target == target)?;
        let (_, _, name) = t.endpoints.iter().find(|(g, _, _)| *g == group)?;
        let id = self.group.as_ref().map(|(sub, rg)| {
            format!(
                "/subscriptions/{sub}/resourceGroups/{rg}/providers/{}/{name}",
                types::PRIVATE_ENDPOINT
            )
        });
        Some((name, id))
    }
}

/// The names amlgen gives the resources it creates for a workspace, from
/// what identifies the workspace alone: `import` compares them with what
/// is deployed to tell a resource the posture created from an existing one
/// (and whether the posture stated its subscription, which the names'
/// suffix includes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreatedNames {
    pub storage: String,
    pub key_vault: String,
    pub container_registry: String,
    pub app_insights: String,
    pub log_analytics: String,
}

/// [`CreatedNames`] of the workspace `name` in `resource_group`, with the
/// subscription when the posture states it.
#[must_use]
pub fn created_names(subscription: Option<&str>, resource_group: &str, name: &str) -> CreatedNames {
    let sfx = names::suffix_of(subscription, resource_group, name);
    CreatedNames {
        storage: names::prefixed_alnum_of("st", name, &sfx, 24),
        key_vault: names::prefixed_alnum_of("kv", name, &sfx, 24),
        container_registry: names::prefixed_alnum_of("cr", name, &sfx, 50),
        app_insights: names::hyphenated_of("appi-", name),
        log_analytics: names::hyphenated_of("log-", name),
    }
}

/// The associated resources: created (a name amlgen chose) or existing (its id).
fn associated(ws: &Workspace) -> Associated {
    let pick = |p: &Provision, ty: &str, name: fn(&Workspace) -> String| match p {
        Provision::Create => {
            let name = name(ws);
            let id = Ref::Expr(Expr::resource_id(ty, &[&name]));
            (Some(name), id)
        }
        Provision::Existing(id) => (None, Ref::Id(Text(id.as_str().to_string()))),
    };
    let app = &ws.app_insights;
    Associated {
        storage: pick(&ws.storage.provision, types::STORAGE, names::storage),
        key_vault: pick(&ws.key_vault.provision, types::KEY_VAULT, names::key_vault),
        container_registry: pick(
            &ws.container_registry.provision,
            types::CONTAINER_REGISTRY,
            names::container_registry,
        ),
        app_insights: pick(&app.provision, types::APP_INSIGHTS, names::app_insights),
        log_analytics: match (&app.provision, &app.log_analytics) {
            (Provision::Existing(_), _) => None,
            (Provision::Create, Some(id)) => Some((None, Ref::Id(Text(id.as_str().to_string())))),
            (Provision::Create, None) => {
                let name = names::log_analytics(ws);
                let id = Ref::Expr(Expr::resource_id(types::LOG_ANALYTICS, &[&name]));
                Some((Some(name), id))
            }
        },
    }
}

fn spoke_plan<'a>(ws: &Workspace, spoke: &'a Spoke, suffix: &str) -> SpokePlan<'a> {
    let vnet = match &spoke.vnet {
        SpokeVnet::Create { name, .. } => Ref::Expr(Expr::resource_id(types::VNET, &[name])),
        SpokeVnet::Existing { id, .. } => Ref::Id(Text(id.as_str().to_string())),
    };
    let subnets = spoke
        .subnets
        .iter()
        .map(|s| {
            let id = match &spoke.vnet {
                SpokeVnet::Create { name, .. } => {
                    Ref::Expr(Expr::resource_id(types::SUBNET, &[name, &s.name]))
                }
                SpokeVnet::Existing { id, .. } => {
                    Ref::Id(Text(format!("{}/subnets/{}", id.as_str(), s.name)))
                }
            };
            (s.role, id)
        })
        .collect();
    let nsgs = spoke
        .subnets
        .iter()
        .map(|s| (s.role, names::nsg(ws, s.role)))
        .collect();
    let peering = match &spoke.vnet {
        SpokeVnet::Create { hub: Some(hub), .. } => Some(names::peering(hub.name())),
        _ => None,
    };
    let base = names::vnet_link(spoke.vnet_name());
    let keep = 80usize.saturating_sub(suffix.len() + 1);
    let base: String = base.chars().take(keep).collect();
    SpokePlan {
        spoke,
        vnet,
        subnets,
        nsgs,
        route_table: names::route_table(ws),
        service_endpoint_policy: names::service_endpoint_policy(ws),
        peering,
        hub_link: format!("{}-{suffix}", base.trim_end_matches(['-', '.', '_'])),
    }
}

/// The VNet of the client private endpoints' subnet, when the posture
/// names it by id (a client subnet, or an existing spoke).
fn client_vnet_id(ws: &Workspace, pe: &ClientPrivateEndpoint) -> Option<ResourceId> {
    match (&pe.subnet, ws.outbound.custom_vnet()) {
        (PeSubnet::Id(id), _) => id.parent(),
        (
            PeSubnet::Spoke,
            Some(Spoke {
                vnet: SpokeVnet::Existing { id, .. },
                ..
            }),
        ) => Some(id.clone()),
        (PeSubnet::Spoke, _) => None,
    }
}

fn client_plan<'a>(
    ws: &'a Workspace,
    pe: &'a ClientPrivateEndpoint,
    assoc: &Associated,
    spoke: Option<&SpokePlan>,
) -> ClientPlan<'a> {
    let group = client_vnet_id(ws, pe).and_then(|vnet| {
        let sub = vnet.subscription().as_str().to_string();
        let group = pe
            .resource_group
            .as_ref()
            .map_or(vnet.resource_group(), |(g, _)| g.as_str())
            .to_string();
        let own = ws
            .subscription_id
            .as_ref()
            .is_some_and(|s| s.as_str() == sub)
            && group.eq_ignore_ascii_case(ws.resource_group.value.as_str());
        (!own).then_some((sub, group))
    });
    let region = match (&pe.region, &pe.subnet, ws.outbound.custom_vnet()) {
        (Some(r), _, _) => &r.value,
        (None, PeSubnet::Spoke, Some(spoke)) => &spoke.region.value,
        (None, _, _) => &ws.region.value,
    };
    let (subnet, vnet) = match (&pe.subnet, spoke) {
        (PeSubnet::Id(id), _) => (
            Some(Ref::Id(Text(id.as_str().to_string()))),
            id.parent()
                .map(|v| (v.name().to_string(), Ref::Id(Text(v.as_str().to_string())))),
        ),
        (PeSubnet::Spoke, Some(sp)) => (
            sp.subnets.get(&SubnetRole::Pe).cloned(),
            Some((sp.spoke.vnet_name().to_string(), sp.vnet.clone())),
        ),
        (PeSubnet::Spoke, None) => (None, None),
    };
    let mut targets: Vec<ClientEndpoint> = pe.targets.value.clone();
    targets.sort();
    targets.dedup();
    let targets = targets
        .into_iter()
        .map(|t| {
            let resource = match t {
                ClientEndpoint::Workspace => ws.name.as_str().to_string(),
                ClientEndpoint::Storage => target_name(&assoc.storage),
                ClientEndpoint::KeyVault => target_name(&assoc.key_vault),
                ClientEndpoint::ContainerRegistry => target_name(&assoc.container_registry),
            };
            let endpoints = dns::client_groups(t)
                .iter()
                .map(|(group, zones)| (*group, *zones, names::private_endpoint(&resource, group)))
                .collect();
            ClientTarget {
                target: t,
                resource,
                endpoints,
            }
        })
        .collect();
    ClientPlan {
        pe,
        group,
        region,
        vnet_link: vnet.as_ref().map(|(n, _)| names::vnet_link(n)),
        vnet,
        subnet,
        targets,
    }
}

/// An associated resource's name: the one amlgen gives it, or the last
/// segment of its id.
fn target_name(r: &Named) -> String {
    match r {
        (Some(n), _) => n.clone(),
        (None, Ref::Id(t)) => t.as_str().rsplit('/').next().unwrap_or("").to_string(),
        (None, Ref::Expr(_)) => String::new(),
    }
}
