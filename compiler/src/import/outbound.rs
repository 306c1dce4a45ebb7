//! The `outbound` block: the isolation mode, firewall SKU, provisioning,
//! every user rule (scenario presets recognised when all their rules are
//! there exactly as amlgen writes them, `docs/language.md` section 11),
//! and custom VNet mode's `vnet` block from the spoke. The rules the
//! platform adds itself (`Required`, `Recommended`, `__SYS_` rules) are
//! named in a comment, never written.

use std::collections::BTreeMap;

use super::cx::Cx;
use super::text::{Entry, list, q};
use crate::catalog::{custom_vnet, presets};
use crate::deployed::model::{ObservedRule, RuleDestination, Spoke, same_id};

pub(super) fn entries(cx: &mut Cx<'_>) -> Vec<Entry> {
    let ws = cx.ws;
    let net = &ws.network;
    let mut e = Vec::new();
    let mode = net.isolation_mode.as_deref().unwrap_or("Disabled");
    let managed = !mode.eq_ignore_ascii_case("Disabled");
    let word = match mode.to_ascii_lowercase().as_str() {
        "allowinternetoutbound" => "allow_internet_outbound",
        "allowonlyapprovedoutbound" => "allow_only_approved_outbound",
        "disabled" if ws.spoke.is_some() => "custom_vnet",
        "disabled" => "disabled",
        other => {
            cx.lose(
                ws.origin,
                format!("isolation mode `{other}`"),
                "not one Azure documents: `disabled` is written",
            );
            "disabled"
        }
    };
    e.push(Entry::Setting("mode".into(), word.into()));
    // `standard` is the default (and the SDK's when a file names none).
    if let Some(sku) = net
        .firewall_sku
        .as_ref()
        .filter(|s| !s.eq_ignore_ascii_case("Standard"))
    {
        e.push(Entry::Setting(
            "firewall_sku".into(),
            sku.to_ascii_lowercase(),
        ));
    }
    if managed && net.provision_now == Some(false) {
        e.push(Entry::Setting("provision_now".into(), "false".into()));
    }
    let platform: Vec<&ObservedRule> = net.rules.values().filter(|r| r.is_platform()).collect();
    if !platform.is_empty() {
        let names: Vec<&str> = platform.iter().map(|r| r.name.as_str()).collect();
        e.push(Entry::Comment(format!(
            "Rules the platform adds itself, not written: {}",
            names.join(", ")
        )));
    }
    let mut user: BTreeMap<String, &ObservedRule> = net
        .rules
        .values()
        .filter(|r| !r.is_platform())
        .map(|r| (r.name.clone(), r))
        .collect();
    drop_implied_selected_ips(cx, &mut user, word);
    presets_of(cx, &mut user, &mut e);
    for r in user.values() {
        if let Some(line) = rule(cx, r) {
            e.push(Entry::Line(line));
        }
    }
    if let Some(spoke) = &ws.spoke {
        e.push(Entry::Comment(
            "Custom VNet mode: the service tag and FQDN rules the hub firewall allows are not part of the deployed workspace; add them here (`rule`, `allow`) to rebuild hub-firewall/.".into(),
        ));
        let v = vnet(cx, spoke);
        e.push(Entry::Block("vnet".into(), v));
    }
    e
}

/// `selected-ips-workspace` is implied by `selected_ips` in
/// `allow_internet_outbound` mode (section 11): not written.
fn drop_implied_selected_ips(cx: &Cx<'_>, user: &mut BTreeMap<String, &ObservedRule>, mode: &str) {
    let ws = cx.ws;
    let selected = ws
        .network_acls
        .as_ref()
        .is_some_and(|(a, ips)| a.eq_ignore_ascii_case("Deny") && !ips.is_empty())
        && ws
            .public_network_access
            .as_deref()
            .is_some_and(|p| p.eq_ignore_ascii_case("Enabled"));
    if !(selected && mode == "allow_internet_outbound") {
        return;
    }
    if let Some(RuleDestination::PrivateEndpoint { target, .. }) =
        user.get("selected-ips-workspace").map(|r| &r.destination)
        && same_id(target, &ws.id)
    {
        user.remove("selected-ips-workspace");
    }
}

fn fqdn_of(r: &ObservedRule) -> Option<&str> {
    match &r.destination {
        RuleDestination::Fqdn { host, .. } => Some(host),
        _ => None,
    }
}

/// Takes the rules of each preset that is wholly there.
fn presets_of(cx: &Cx<'_>, user: &mut BTreeMap<String, &ObservedRule>, e: &mut Vec<Entry>) {
    let has_hosts = |user: &BTreeMap<String, &ObservedRule>, prefix: &str, hosts: &[&str]| {
        hosts.iter().enumerate().all(|(i, h)| {
            user.get(&format!("{prefix}-{}", i + 1))
                .and_then(|r| fqdn_of(r))
                .is_some_and(|x| x.eq_ignore_ascii_case(h))
        })
    };
    let take = |user: &mut BTreeMap<String, &ObservedRule>, prefix: &str, n: usize| {
        for i in 1..=n {
            user.remove(&format!("{prefix}-{i}"));
        }
    };
    if has_hosts(user, "python-packages", presets::PYTHON_PACKAGES) {
        let mut all = presets::PYTHON_PACKAGES.to_vec();
        all.extend_from_slice(presets::PYTHON_INDEX_OVERRIDDEN);
        if has_hosts(user, "python-packages", &all) {
            take(user, "python-packages", all.len());
            e.push(Entry::Block(
                "allow python_packages".into(),
                vec![Entry::Setting("index_overridden".into(), "true".into())],
            ));
        } else {
            take(user, "python-packages", presets::PYTHON_PACKAGES.len());
            e.push(Entry::Line("allow python_packages".into()));
        }
    }
    for (prefix, hosts, word) in [
        ("vscode", presets::VSCODE, "vscode"),
        ("huggingface", presets::HUGGINGFACE, "huggingface"),
    ] {
        if has_hosts(user, prefix, hosts) {
            take(user, prefix, hosts.len());
            e.push(Entry::Line(format!("allow {word}")));
        }
    }
    batch_endpoints(cx, user, e);
}

fn batch_endpoints(cx: &Cx<'_>, user: &mut BTreeMap<String, &ObservedRule>, e: &mut Vec<Entry>) {
    let Some(storage) = cx.ws.storage.as_ref().map(|a| a.id.clone()) else {
        return;
    };
    let to_storage = |r: Option<&&ObservedRule>, sub: &str| {
        r.is_some_and(|r| match &r.destination {
            RuleDestination::PrivateEndpoint {
                target,
                subresource,
                ..
            } => {
                same_id(target, &storage)
                    && subresource
                        .as_deref()
                        .is_some_and(|s| s.eq_ignore_ascii_case(sub))
            }
            _ => false,
        })
    };
    let queue = to_storage(user.get("batch-endpoints-queue"), "queue");
    let table = to_storage(user.get("batch-endpoints-table"), "table");
    if !(queue && table) {
        return;
    }
    user.remove("batch-endpoints-queue");
    user.remove("batch-endpoints-table");
    let mut b = Vec::new();
    for (rule, key) in [
        ("batch-endpoints-ai-services", "ai_services"),
        ("batch-endpoints-ai-search", "ai_search"),
    ] {
        if let Some(RuleDestination::PrivateEndpoint { target, .. }) =
            user.get(rule).map(|r| &r.destination)
        {
            b.push(Entry::Setting(key.into(), q(target)));
            user.remove(rule);
        }
    }
    if b.is_empty() {
        e.push(Entry::Line("allow batch_endpoints".into()));
    } else {
        e.push(Entry::Block("allow batch_endpoints".into(), b));
    }
}

/// One user rule as a `rule` statement, or a loss.
fn rule(cx: &mut Cx<'_>, r: &ObservedRule) -> Option<String> {
    let name = q(&r.name);
    match &r.destination {
        RuleDestination::Fqdn { host, .. } => Some(format!("rule {name} fqdn {}", q(host))),
        RuleDestination::ServiceTag {
            tag,
            protocol,
            port_ranges,
            action,
            address_prefixes,
        } => {
            if !address_prefixes.is_empty() {
                cx.lose(
                    r.origin,
                    format!(
                        "outbound rule `{}`: a service tag rule with address prefixes",
                        r.name
                    ),
                    "a posture's service tag rule names a tag, not addresses",
                );
                return None;
            }
            if action
                .as_deref()
                .is_some_and(|a| !a.eq_ignore_ascii_case("Allow"))
            {
                cx.lose(
                    r.origin,
                    format!(
                        "outbound rule `{}`: action {}",
                        r.name,
                        action.as_deref().unwrap_or("")
                    ),
                    "managed network rules allow; a posture cannot write another action",
                );
                return None;
            }
            let proto = match protocol.as_deref().map(str::to_ascii_lowercase).as_deref() {
                Some("udp") => "udp",
                Some("icmp") => "icmp",
                Some("*" | "any") => "any",
                _ => "tcp",
            };
            let ports = port_ranges.clone().unwrap_or_else(|| "*".to_string());
            Some(format!(
                "rule {name} service_tag {} {{ protocol = {proto}  ports = {} }}",
                q(tag),
                q(&ports)
            ))
        }
        RuleDestination::PrivateEndpoint {
            target,
            subresource,
            spark,
            fqdns,
        } => {
            if !fqdns.is_empty() {
                cx.lose(r.origin, format!("outbound rule `{}`: FQDNs {}", r.name, fqdns.join(", ")), "a posture's private endpoint rule has no FQDN list (application gateway targets)");
            }
            let mut body = Vec::new();
            if let Some(s) = subresource {
                body.push(format!("subresource = {}", q(s)));
            }
            if *spark == Some(true) {
                body.push("spark = true".to_string());
            }
            let body = if body.is_empty() {
                String::new()
            } else {
                format!(" {{ {} }}", body.join("  "))
            };
            Some(format!("rule {name} private_endpoint {}{body}", q(target)))
        }
        RuleDestination::Other(ty) => {
            cx.lose(
                r.origin,
                format!("outbound rule `{}` of type `{ty}`", r.name),
                "a posture writes FQDN, service tag and private endpoint rules only",
            );
            None
        }
    }
}

/// The required NSG rule names of a spoke in `region` (any compute).
fn required_names(region: &str) -> Vec<String> {
    custom_vnet::REQUIRED
        .iter()
        .map(|r| custom_vnet::required_rule_name(r, region))
        .collect()
}

/// The `vnet` block.
fn vnet(cx: &mut Cx<'_>, spoke: &Spoke) -> Vec<Entry> {
    let ws = cx.ws;
    let mut e = Vec::new();
    let pe_subnet = ws.private_endpoints.first().and_then(|p| {
        crate::deployed::ids::parent_before(&p.subnet, "subnets")
            .filter(|v| same_id(v, &spoke.vnet_id))
            .map(|_| crate::deployed::ids::last(&p.subnet).to_string())
    });
    let training = spoke.training_subnet.clone();
    let training_rt = spoke
        .subnets
        .get(&training)
        .and_then(|s| s.route_table.clone());
    let scoring = spoke
        .subnets
        .iter()
        .find(|(n, s)| {
            **n != training
                && Some(*n) != pe_subnet.as_ref()
                && s.route_table.is_some()
                && s.route_table == training_rt
        })
        .map(|(n, _)| n.clone());
    let roles: Vec<(&str, Option<String>)> = vec![
        ("training", Some(training.clone())),
        ("scoring", scoring),
        ("pe", pe_subnet),
    ];
    let role_names: Vec<&String> = roles.iter().filter_map(|(_, n)| n.as_ref()).collect();
    let create = spoke.vnet_known && spoke.subnets.keys().all(|n| role_names.contains(&n));
    if create {
        let space: Vec<String> = spoke.address_space.clone();
        e.push(Entry::Setting(
            "address_space".into(),
            if space.len() == 1 {
                q(&space[0])
            } else {
                list(&space)
            },
        ));
        if spoke.vnet_name != format!("vnet-{}", ws.name) {
            e.push(Entry::Setting("name".into(), q(&spoke.vnet_name)));
        }
    } else {
        e.push(Entry::Setting("existing".into(), q(&spoke.vnet_id)));
        if spoke.vnet_known {
            let others: Vec<&String> = spoke
                .subnets
                .keys()
                .filter(|n| !role_names.contains(n))
                .collect();
            if !others.is_empty() {
                e.push(Entry::Comment(format!(
                    "The VNet has other subnets ({}): amlgen rewrites only its own.",
                    others
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        }
    }
    for (role, name) in &roles {
        if let Some(s) = name.as_ref().and_then(|n| spoke.subnets.get(n)) {
            e.push(Entry::Setting((*role).into(), q(&s.address_prefix)));
        }
    }
    let defaults = [
        ("training", "snet-training"),
        ("scoring", "snet-scoring"),
        ("pe", "snet-pe"),
    ];
    let renamed: Vec<String> = roles
        .iter()
        .filter_map(|(role, name)| {
            let name = name.as_ref()?;
            let default = defaults.iter().find(|(r, _)| r == role).map(|(_, d)| *d)?;
            (name != default).then(|| format!("{role} = {}", q(name)))
        })
        .collect();
    if !renamed.is_empty() {
        e.push(Entry::Setting(
            "subnet_names".into(),
            format!("{{ {} }}", renamed.join(", ")),
        ));
    }
    match spoke
        .routes
        .iter()
        .find(|(p, _, _)| p == "0.0.0.0/0")
        .and_then(|(_, _, ip)| ip.clone())
    {
        Some(ip) => e.push(Entry::Setting("firewall_ip".into(), q(&ip))),
        None => cx.lose(
            ws.origin,
            "the spoke's route to the hub firewall",
            "no 0.0.0.0/0 route to a virtual appliance in the input: set `firewall_ip` by hand",
        ),
    }
    if create {
        if let Some(hub) = &spoke.hub_vnet {
            e.push(Entry::Setting("hub_vnet".into(), q(hub)));
        }
        if !spoke.dns_servers.is_empty() {
            e.push(Entry::Setting(
                "dns_servers".into(),
                list(&spoke.dns_servers),
            ));
        }
    }
    if let Some(loc) = spoke
        .location
        .as_deref()
        .filter(|l| !super::cx::same_region(l, &ws.location))
    {
        e.push(Entry::Setting("region".into(), q(loc)));
    }
    if !spoke.service_endpoint_policy {
        e.push(Entry::Setting(
            "service_endpoint_policy".into(),
            "false".into(),
        ));
    }
    nsg_extras(spoke, &roles, &ws.location, &mut e);
    if !create {
        keeps(spoke, &roles, &mut e);
    }
    e
}

fn nsg_extras(spoke: &Spoke, roles: &[(&str, Option<String>)], region: &str, e: &mut Vec<Entry>) {
    let region = spoke.location.as_deref().map_or_else(
        || crate::catalog::regions::key(region),
        crate::catalog::regions::key,
    );
    let required = required_names(&region);
    for (role, name) in roles {
        let Some(nsg) = name
            .as_ref()
            .and_then(|n| spoke.subnets.get(n))
            .and_then(|s| s.nsg.as_deref())
        else {
            continue;
        };
        let nsg_name = crate::deployed::ids::last(nsg);
        for r in spoke.nsg_rules.get(nsg_name).into_iter().flatten() {
            if required.iter().any(|n| n.eq_ignore_ascii_case(&r.name)) {
                continue;
            }
            let mut b = vec![Entry::Setting(
                "access".into(),
                r.access.to_ascii_lowercase(),
            )];
            if *role != "training" {
                b.push(Entry::Setting("subnet".into(), (*role).into()));
            }
            if !r.direction.eq_ignore_ascii_case("Outbound") {
                b.push(Entry::Setting("direction".into(), "inbound".into()));
            }
            b.push(Entry::Setting("priority".into(), r.priority.to_string()));
            let proto = match r.protocol.to_ascii_lowercase().as_str() {
                "tcp" => "tcp",
                "udp" => "udp",
                "icmp" => "icmp",
                _ => "any",
            };
            b.push(Entry::Setting("protocol".into(), proto.into()));
            for (key, v) in [("source", &r.source), ("destination", &r.destination)] {
                if v != "*" && !v.is_empty() {
                    b.push(Entry::Setting(key.into(), q(v)));
                }
            }
            if r.ports != "*" && !r.ports.is_empty() {
                b.push(Entry::Setting("ports".into(), q(&r.ports)));
            }
            e.push(Entry::Block(format!("nsg_extra {}", q(&r.name)), b));
        }
    }
}

/// `keep <subnet>` of an existing spoke: what each rewritten subnet has
/// besides what amlgen writes.
fn keeps(spoke: &Spoke, roles: &[(&str, Option<String>)], e: &mut Vec<Entry>) {
    for (role, name) in roles {
        let Some(s) = name.as_ref().and_then(|n| spoke.subnets.get(n)) else {
            continue;
        };
        let mut b = Vec::new();
        if !s.delegations.is_empty() {
            let items: Vec<String> = s
                .delegations
                .iter()
                .map(|(n, svc)| format!("{} = {}", q(n), q(svc)))
                .collect();
            b.push(Entry::Setting(
                "delegations".into(),
                format!("{{ {} }}", items.join(", ")),
            ));
        }
        if let Some(ng) = &s.nat_gateway {
            b.push(Entry::Setting("nat_gateway".into(), q(ng)));
        }
        let guarded = *role == "training" && spoke.service_endpoint_policy;
        let endpoints: Vec<String> = s
            .service_endpoints
            .iter()
            .filter(|x| !(guarded && x.eq_ignore_ascii_case("Microsoft.Storage")))
            .cloned()
            .collect();
        if !endpoints.is_empty() {
            b.push(Entry::Setting("service_endpoints".into(), list(&endpoints)));
        }
        if let Some(p) = &s.private_endpoint_network_policies {
            let w = match p.to_ascii_lowercase().as_str() {
                "enabled" => "enabled",
                "networksecuritygroupenabled" => "network_security_group_enabled",
                "routetableenabled" => "route_table_enabled",
                _ => "disabled",
            };
            b.push(Entry::Setting(
                "private_endpoint_network_policies".into(),
                w.into(),
            ));
        }
        if let Some(d) = s.default_outbound_access {
            b.push(Entry::Setting(
                "default_outbound_access".into(),
                d.to_string(),
            ));
        }
        e.push(Entry::Block(format!("keep {role}"), b));
    }
}
