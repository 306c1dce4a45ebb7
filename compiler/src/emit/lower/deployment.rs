//! One workspace's deployment: its modules in the order Azure needs
//! (associated resources and the spoke, the workspace, its client private
//! endpoints and DNS, the role assignments of its identity, its final
//! settings when it has two phases, the computes, then the compute
//! identities' role assignments). Each module comes from the lowering of
//! its concern; this file only orders them.

use super::{associated, computes, deployer, endpoints, firewall, network, rbac, workspace};
use crate::emit::azure::{Deployment, Module, Principal};
use crate::emit::plan::Plan;

/// Lowers one checked workspace, through its plan, into its deployment.
#[must_use]
pub fn deployment(plan: &Plan) -> Deployment {
    let ws = plan.ws;
    let mut modules: Vec<Module> = [
        associated::monitoring(plan),
        associated::storage(plan),
        associated::key_vault(plan),
        associated::container_registry(plan),
        // Custom VNet mode: the spoke, before the computes placed in it.
        network::module(plan),
    ]
    .into_iter()
    .flatten()
    .collect();

    // The order of what follows is Azure's (see `Phases`): the workspace,
    // its client private endpoints and DNS, the role assignments its
    // identity needs, its final settings, then the computes.
    let grants = rbac::grants(plan);
    let phases = workspace::phases(ws, &grants);
    let symbols = |m: &[Module]| -> Vec<String> { m.iter().map(|m| m.symbol.clone()).collect() };
    let mut first = workspace::module(plan, phases, false);
    first.depends_on = symbols(&modules);
    modules.push(first);
    modules.extend(endpoints::zone_link_modules(plan));
    if let Some(mut pe) = endpoints::client_endpoints_module(plan) {
        pe.depends_on = symbols(&modules);
        modules.push(pe);
    }
    let (compute_grants, identity_grants): (Vec<&_>, Vec<&_>) = grants
        .iter()
        .partition(|g| matches!(g.principal, Principal::Compute(_)));
    let after = symbols(&modules);
    modules.extend(rbac::modules(plan, &identity_grants, &after, "rbac"));
    if phases.two_phase() {
        let mut last = workspace::module(plan, phases, true);
        last.depends_on = symbols(&modules);
        modules.push(last);
    }
    if let Some(mut computes) = computes::module(plan) {
        computes.depends_on = symbols(&modules);
        modules.push(computes);
    }
    let after = symbols(&modules);
    modules.extend(rbac::modules(plan, &compute_grants, &after, "compute-rbac"));

    let deployer_groups = deployer::groups(ws, &modules);
    Deployment {
        deployer_role: deployer::role(ws, &modules, &deployer_groups),
        deployer_groups,
        client_group: plan.client.as_ref().and_then(|c| c.group.clone()),
        client_region: plan.client.as_ref().map(|c| c.region.as_str().to_string()),
        hub_zone_links: firewall::hub_team_zone_links(plan),
        workspace: plan.name.to_string(),
        resource_group: ws.resource_group.value.as_str().to_string(),
        location: ws.region.value.as_str().to_string(),
        tags: ws.tags.clone(),
        modules,
        ml_api: plan.ml_api,
        grants,
        phases,
    }
}
