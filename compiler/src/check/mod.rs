//! The platform rules that span several settings, over the lowered IR.
//!
//! Each rule is a function named after what it guards, with its rule id
//! (R01...) from the posture rules in its doc comment. [`check`] runs them
//! all and makes a [`Checked`] posture only when no error was found.

mod accept;
mod compute;
mod context;
mod custom_vnet;
mod inbound;
mod limits;
mod outbound;
mod policy;
mod resources;
mod spoke_deploy;

pub use accept::AcceptedFinding;
pub use context::Previous;
pub use custom_vnet::{IpPlan, ip_plan};

use crate::diag::Diagnostics;
use crate::ir::{Checked, Date, Posture, Workspace};

/// Runs every rule, then applies the posture's accepted risks on the
/// build's date `today` (the findings they cover go to `accepted`);
/// returns the checked posture when there is no error.
pub fn check(
    posture: Posture,
    previous: Option<&Previous>,
    today: Date,
    diags: &mut Diagnostics,
    accepted: &mut Vec<AcceptedFinding>,
) -> Option<Checked> {
    let mut found = Diagnostics::default();
    for ws in &posture.workspaces {
        check_workspace(ws, previous, &mut found);
    }
    custom_vnet::shared_spokes(&posture, &mut found);
    // Only when the postures are otherwise sound: a workspace that failed
    // to lower is not forgotten, it is broken.
    if let Some(p) = previous
        && p.keep_known
        && !found.has_errors()
        && !diags.has_errors()
    {
        outbound::forgotten_workspaces(&posture, p, &mut found);
    }
    let policy_findings = crate::ir::policy_reach::findings(&posture);
    policy::contradictions(&policy_findings, &mut found);
    policy::managed_endpoints(&posture, &mut found);
    policy::exemption_reach(&posture, &policy_findings, &mut found);
    policy::identity_location(&posture, &mut found);
    accepted.extend(accept::apply(
        &posture,
        today,
        &mut found,
        diags.has_errors(),
    ));
    let ok = !found.has_errors() && !diags.has_errors();
    diags.append(found);
    ok.then_some(Checked(posture))
}

fn check_workspace(ws: &Workspace, previous: Option<&Previous>, d: &mut Diagnostics) {
    if let Some(p) = previous {
        outbound::isolation_history(ws, p, d);
    }
    outbound::rule_kinds(ws, d);
    outbound::firewall_cost(ws, d);
    outbound::fqdn_rules(ws, d);
    outbound::private_endpoint_rules(ws, d);
    outbound::spark_provisioning(ws, d);
    outbound::rule_names(ws, d);
    outbound::provisioning(ws, d);
    outbound::service_tags(ws, d);
    resources::managed_network_compute(ws, d);
    compute::unassigned_instances(ws, d);
    resources::service_endpoint(ws, d);
    resources::resource_group_lock(ws, d);
    resources::trusted_services(ws, d);
    resources::registry_image_build(ws, d);
    resources::online_endpoints(ws, d);
    resources::user_grants(ws, d);
    custom_vnet::spoke_placement(ws, d);
    custom_vnet::spoke_layout(ws, d);
    custom_vnet::nsg_extra(ws, d);
    custom_vnet::public_ip(ws, d);
    custom_vnet::firewall_ip(ws, d);
    custom_vnet::exfiltration_guard(ws, d);
    custom_vnet::ip_planning(ws, d);
    spoke_deploy::existing_subnets(ws, d);
    spoke_deploy::spoke_dns(ws, d);
    inbound::selected_ips(ws, d);
    inbound::private_workspace(ws, d);
    inbound::studio_storage(ws, d);
    inbound::data_profiling(ws, d);
    limits::tags(ws, d);
    limits::names(ws, d);
}
