//! The managed network's drift: the isolation mode (the one setting whose
//! changes are one-way, refused or disruptive), the firewall SKU, the
//! outbound rules by name (the platform's own rules are never drift), and
//! the client private endpoints, matched by target and group id.
//!
//! Sources: "Workspace Managed Virtual Network Isolation" (Microsoft
//! Learn), "Managed Virtual Network Architecture": once a workspace
//! allows internet outbound it can't be reconfigured to disabled, once it
//! allows only approved outbound it can't be reconfigured to allow
//! internet outbound; "Limitations": managed network isolation can't be
//! disabled once enabled; "Migration of compute resources": there is no
//! migration path for existing computes when a managed network is
//! enabled, they are deleted and created again (posture rules R01, R02:
//! `AML3001`, `AML3002`).

use super::finding::{Class, Finding, Subject, finding};
use super::values::{in_place, same, setting};
use crate::deployed::model::{
    ClientEndpoint, ObservedRule, ObservedWorkspace, RuleDestination, same_id,
};

pub(crate) fn compare(w: &ObservedWorkspace, d: &ObservedWorkspace, out: &mut Vec<Finding>) {
    isolation_mode(w, d, out);
    let managed = |ws: &ObservedWorkspace| {
        ws.network
            .isolation_mode
            .as_deref()
            .is_some_and(|m| rank(m) > Some(0))
    };
    if managed(w) && managed(d) {
        setting(
            out,
            (
                "properties.managedNetwork.firewallSku",
                Some("outbound.firewall_sku"),
                Subject::FirewallSku,
            ),
            (
                w.network.firewall_sku.as_deref(),
                d.network.firewall_sku.as_deref(),
            ),
            d.origin,
            in_place,
        );
    }
    rules(w, d, out);
    endpoints(w, d, out);
}

/// The order of the modes: a workspace may only move up. `None` for a
/// value the model does not know.
fn rank(mode: &str) -> Option<u8> {
    [
        "Disabled",
        "AllowInternetOutbound",
        "AllowOnlyApprovedOutbound",
    ]
    .iter()
    .position(|m| same(m, mode))
    .and_then(|p| u8::try_from(p).ok())
}

fn isolation_mode(w: &ObservedWorkspace, d: &ObservedWorkspace, out: &mut Vec<Finding>) {
    // No managed network object is `Disabled` to Azure.
    let wm = w.network.isolation_mode.as_deref().unwrap_or("Disabled");
    let dm = d.network.isolation_mode.as_deref().unwrap_or("Disabled");
    if same(wm, dm) {
        return;
    }
    let (class, consequence) = match (rank(wm), rank(dm)) {
        (Some(wr), Some(dr)) if wr < dr => (
            Class::Refused,
            format!(
                "Azure refuses to lower the isolation mode (\"Workspace Managed Virtual Network Isolation\": a managed network can't be disabled, approved-only can't go back to internet outbound): keep `{dm}`, or create a new workspace with `{wm}` and move the assets to it"
            ),
        ),
        (Some(_), Some(_)) => (
            Class::OneWay,
            format!(
                "the next deployment raises the isolation mode to `{wm}`; it can never be lowered back to `{dm}` on this workspace"
            ),
        ),
        _ => in_place(wm, dm),
    };
    out.push(
        finding(
            class,
            "properties.managedNetwork.isolationMode",
            Subject::IsolationMode,
            d.origin,
        )
        .keyword("outbound.mode")
        .values(Some(wm.to_string()), Some(dm.to_string()))
        .then(consequence),
    );
    if rank(dm) == Some(0) && rank(wm).is_some_and(|r| r > 0) {
        computes_to_recreate(d, out);
    }
}

/// Turning the managed network on: "Workspace Managed Virtual Network
/// Isolation", "Migration of compute resources": the computes and managed
/// online endpoints created before it must be deleted and created again.
fn computes_to_recreate(d: &ObservedWorkspace, out: &mut Vec<Finding>) {
    let names: Vec<String> = d
        .computes
        .iter()
        .map(|c| format!("{} ({})", c.name, c.compute_type))
        .chain(
            d.online_endpoints
                .iter()
                .map(|e| format!("{} (online endpoint)", e.name)),
        )
        .collect();
    if names.is_empty() {
        return;
    }
    out.push(
        finding(
            Class::Disruptive,
            format!("computes {}", names.join(", ")),
            Subject::IsolationMode,
            d.computes
                .first()
                .map(|c| c.origin)
                .or_else(|| d.online_endpoints.first().map(|e| e.origin))
                .unwrap_or(d.origin),
        )
        .keyword("outbound.mode")
        .values(
            Some("in the managed network".to_string()),
            Some("created before it".to_string()),
        )
        .then("there is no migration path: delete them before the next deployment and create them again after it (the posture's `compute` blocks do); running jobs and an instance's local files are lost"),
    );
}

/// A rule's destination in one line, lists sorted, for quoting; two
/// compare ignoring ASCII case (ARM ids and DNS names ignore it).
fn destination(r: &ObservedRule) -> String {
    let opt = |o: &Option<String>| o.as_deref().unwrap_or("-").to_string();
    match &r.destination {
        RuleDestination::Fqdn { host, ports } => {
            format!("FQDN {host} ports {}", opt(ports))
        }
        RuleDestination::ServiceTag {
            tag,
            protocol,
            port_ranges,
            action,
            address_prefixes,
        } => {
            let mut prefixes = address_prefixes.clone();
            prefixes.sort();
            format!(
                "ServiceTag {tag} {} ports {} action {}{}",
                opt(protocol),
                opt(port_ranges),
                opt(action),
                if prefixes.is_empty() {
                    String::new()
                } else {
                    format!(" prefixes {}", prefixes.join(","))
                }
            )
        }
        RuleDestination::PrivateEndpoint {
            target,
            subresource,
            spark,
            fqdns,
        } => {
            let mut fqdns = fqdns.clone();
            fqdns.sort();
            format!(
                "PrivateEndpoint {} {} spark {}{}",
                target.trim_end_matches('/'),
                opt(subresource),
                spark.map_or("-".to_string(), |s| s.to_string()),
                if fqdns.is_empty() {
                    String::new()
                } else {
                    format!(" fqdns {}", fqdns.join(","))
                }
            )
        }
        RuleDestination::Other(t) => format!("{t} (a rule type amlgen does not know)"),
    }
}

/// The user's rules (never the platform's: `ObservedRule::is_platform`),
/// by name ignoring case as ARM does.
fn user_rules(ws: &ObservedWorkspace) -> Vec<&ObservedRule> {
    ws.network
        .rules
        .values()
        .filter(|r| !r.is_platform())
        .collect()
}

fn rules(w: &ObservedWorkspace, d: &ObservedWorkspace, out: &mut Vec<Finding>) {
    let (wanted, deployed) = (user_rules(w), user_rules(d));
    let find = |rules: &[&'_ ObservedRule], name: &str| {
        rules
            .iter()
            .find(|r| same(&r.name, name))
            .map(|r| (*r).clone())
    };
    for r in &wanted {
        let what = format!("outbound rule `{}`", r.name);
        let subject = Subject::Rule(r.name.clone());
        match find(&deployed, &r.name) {
            None => out.push(
                finding(Class::InPlace, what, subject, d.origin)
                    .keyword("outbound.rule")
                    .values(Some(destination(r)), None)
                    .then("the next deployment creates the rule"),
            ),
            Some(dr) if !destination(r).eq_ignore_ascii_case(&destination(&dr)) => {
                out.push(
                    finding(Class::InPlace, what, subject, dr.origin)
                        .keyword("outbound.rule")
                        .values(Some(destination(r)), Some(destination(&dr)))
                        .then("the next deployment rewrites the rule's destination"),
                );
            }
            Some(_) => {}
        }
    }
    for r in &deployed {
        if find(&wanted, &r.name).is_none() {
            // amlgen writes each rule as a child resource
            // (`workspaces/outboundRules`); a deployment in incremental
            // mode leaves child resources the template does not name.
            out.push(
                finding(
                    Class::Unmanaged,
                    format!("outbound rule `{}`", r.name),
                    Subject::Workspace,
                    r.origin,
                )
                .keyword("outbound.rule")
                .values(None, Some(destination(r)))
                .then("the next deployment leaves the rule in place: add it to the posture, or delete it (`az ml workspace outbound-rule remove`)"),
            );
        }
    }
}

/// An endpoint's key: its target and group ids, as ARM compares them.
fn same_endpoint(a: &ClientEndpoint, b: &ClientEndpoint) -> bool {
    let groups = |e: &ClientEndpoint| {
        let mut g: Vec<String> = e.group_ids.iter().map(|g| g.to_ascii_lowercase()).collect();
        g.sort();
        g
    };
    same_id(&a.target, &b.target) && groups(a) == groups(b)
}

fn endpoint_what(e: &ClientEndpoint) -> String {
    format!(
        "client private endpoint to `{}` ({})",
        e.target,
        e.group_ids.join(", ")
    )
}

fn endpoints(w: &ObservedWorkspace, d: &ObservedWorkspace, out: &mut Vec<Finding>) {
    for we in &w.private_endpoints {
        let Some(de) = d.private_endpoints.iter().find(|de| same_endpoint(we, de)) else {
            out.push(
                finding(
                    Class::InPlace,
                    endpoint_what(we),
                    Subject::ClientEndpoint,
                    d.origin,
                )
                .keyword("inbound.private_endpoint")
                .values(Some(we.subnet.clone()), None)
                .then(format!(
                    "the next deployment creates `{}` in the subnet",
                    we.name
                )),
            );
            continue;
        };
        if !same_id(&we.subnet, &de.subnet) {
            // A private endpoint's subnet is fixed when it is created
            // ("Manage Azure private endpoints": a new endpoint is made
            // in the new subnet); the deployment's own endpoint of the
            // same name fails to update.
            out.push(
                finding(Class::Refused, format!("{}: subnet", endpoint_what(we)), Subject::ClientEndpoint, de.origin)
                    .keyword("inbound.private_endpoint.subnet")
                    .values(Some(we.subnet.clone()), Some(de.subnet.clone()))
                    .then(format!("a private endpoint does not move to another subnet: delete `{}` before the next deployment (clients lose the endpoint until it is created again), or keep the deployed subnet", de.name)),
            );
        }
        if let (Some(wz), Some(dz)) = (&we.zones, &de.zones) {
            let fold = |z: &[String]| {
                let mut v: Vec<String> = z.iter().map(|s| s.to_ascii_lowercase()).collect();
                v.sort();
                v.join(", ")
            };
            if fold(wz) != fold(dz) {
                out.push(
                    finding(
                        Class::InPlace,
                        format!("{}: DNS zone group", endpoint_what(we)),
                        Subject::ClientEndpoint,
                        de.origin,
                    )
                    .keyword("inbound.private_endpoint.dns")
                    .values(Some(fold(wz)), Some(fold(dz)))
                    .then("the next deployment rewrites the endpoint's DNS zone group"),
                );
            }
        }
    }
    for de in &d.private_endpoints {
        if !w.private_endpoints.iter().any(|we| same_endpoint(we, de)) {
            out.push(
                finding(Class::Unmanaged, endpoint_what(de), Subject::ClientEndpoint, de.origin)
                    .keyword("inbound.private_endpoint")
                    .values(None, Some(de.subnet.clone()))
                    .then(format!("the next deployment leaves `{}` in place: describe it in the posture, or delete it", de.name)),
            );
        }
    }
}
