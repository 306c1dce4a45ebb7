//! The hub team's part of custom VNet mode (R33): every service tag and
//! FQDN the central firewall must allow, for which workspace and why, and
//! the Azure Firewall policy rule collection group that allows them (the
//! files are printed by `print::firewall`).

use std::collections::BTreeMap;

use serde_json::json;

use crate::catalog::custom_vnet;
use crate::emit::azure::firewall::GROUP_NAME;
use crate::emit::azure::{Allow, Bypass, Expr, Resource, WorkspaceAllow, ZoneLink, api, types};
use crate::emit::plan::Plan;
use crate::escape::Text;
use crate::ir::{Destination, NsgDirection, RuleOrigin, Spoke, SubnetRole};

/// The links the hub team makes for a created spoke (`link_zones = false`).
#[must_use]
pub fn hub_team_zone_links(plan: &Plan) -> Vec<ZoneLink> {
    let ws = plan.ws;
    let (Some(sp), Some(pe)) = (&plan.spoke, &ws.inbound.private_endpoint) else {
        return Vec::new();
    };
    let spoke = sp.spoke;
    let (
        crate::ir::SpokeVnet::Create { name, .. },
        crate::ir::Dns::Existing(zones),
        Some((false, _)),
    ) = (&spoke.vnet, &pe.dns, pe.link_zones)
    else {
        return Vec::new();
    };
    let link_name = &sp.hub_link;
    zones
        .iter()
        .map(|z| ZoneLink {
            zone: z.as_str().to_string(),
            link_name: link_name.clone(),
            virtual_network: name.clone(),
            virtual_network_resource_group: ws.resource_group.value.as_str().to_string(),
            virtual_network_subscription: ws
                .subscription_id
                .as_ref()
                .map(|g| g.as_str().to_string()),
            registration_enabled: false,
        })
        .collect()
}

fn prefixes(spoke: &Spoke, roles: &[SubnetRole]) -> Vec<String> {
    spoke
        .subnets
        .iter()
        .filter(|s| roles.contains(&s.role))
        .map(|s| s.prefix.to_string())
        .collect()
}

/// The allowlist of one custom VNet workspace (`None` in any other mode),
/// with the zone links its deployment leaves to the hub team
/// (`Deployment::hub_zone_links`, from [`hub_team_zone_links`]).
#[must_use]
pub fn workspace_allow(
    plan: &Plan,
    dns_zone_links: &[ZoneLink],
    sources: &crate::source::SourceMap,
) -> Option<WorkspaceAllow> {
    let ws = plan.ws;
    let spoke = plan.spoke.as_ref()?.spoke;
    let region = spoke.region.value.as_str();
    let public = custom_vnet::public_ip_compute(ws);
    let compute_roles: Vec<SubnetRole> = spoke
        .subnets
        .iter()
        .map(|s| s.role)
        .filter(|r| *r != SubnetRole::Pe)
        .collect();
    let mut allow = Vec::new();
    let mut bypass = Vec::new();
    for r in custom_vnet::REQUIRED {
        if r.direction != NsgDirection::Outbound {
            continue;
        }
        let tag = custom_vnet::tag(r, region);
        if r.tag == "VirtualNetwork" {
            bypass.push(Bypass {
                destination: tag,
                why: "stays inside the spoke and its peerings (private endpoints)".into(),
            });
            continue;
        }
        if r.tag == "Storage" && spoke.service_endpoint_policy.value {
            bypass.push(Bypass {
                destination: tag,
                why: "the training subnet's `Microsoft.Storage` service endpoint carries it, limited by the service endpoint policy".into(),
            });
            continue;
        }
        if public
            && custom_vnet::ROUTED_AROUND_FIREWALL
                .iter()
                .any(|(t, _)| *t == r.tag)
        {
            if !bypass.iter().any(|b: &Bypass| b.destination == tag) {
                bypass.push(Bypass {
                    destination: tag,
                    why: "compute with a public IP: the route table sends it straight to the internet".into(),
                });
            }
            continue;
        }
        let roles: Vec<SubnetRole> = compute_roles
            .iter()
            .copied()
            .filter(|role| r.subnets.contains(role))
            .collect();
        if roles.is_empty() {
            continue;
        }
        allow.push(Allow {
            kind: "service_tag",
            destination: tag,
            protocols: vec![r.protocol.firewall().to_string()],
            ports: r.ports.iter().map(|p| (*p).to_string()).collect(),
            sources: prefixes(spoke, &roles),
            why: r.purpose.to_string(),
            origin: required_origin(r.seed),
        });
    }
    for rule in &ws.outbound.rules {
        let at = match rule.origin {
            RuleOrigin::User => format!("rule `{}` at {}", rule.name, sources.place(rule.span)),
            RuleOrigin::Preset(p, sp) => {
                format!("preset `{}` at {}", p.keyword(), sources.place(sp))
            }
        };
        match &rule.destination {
            Destination::ServiceTag {
                tag,
                protocol,
                ports,
            } => allow.push(Allow {
                kind: "service_tag",
                destination: tag.as_str().to_string(),
                protocols: vec![protocol.firewall().to_string()],
                ports: ports.to_string().split(',').map(str::to_string).collect(),
                sources: prefixes(spoke, &compute_roles),
                why: "declared by the posture".into(),
                origin: at,
            }),
            Destination::Fqdn { fqdn, .. } => {
                let mut protocols = Vec::new();
                match &rule.fqdn_ports {
                    Some((ports, _)) => {
                        for (lo, hi) in ports.ranges() {
                            if (*lo..=*hi).contains(&80) {
                                protocols.push("Http:80".to_string());
                            }
                            if (*lo..=*hi).contains(&443) {
                                protocols.push("Https:443".to_string());
                            }
                        }
                    }
                    None => protocols.push("Https:443".to_string()),
                }
                allow.push(Allow {
                    kind: "fqdn",
                    destination: fqdn.as_str().to_string(),
                    protocols,
                    ports: Vec::new(),
                    sources: prefixes(spoke, &compute_roles),
                    why: match rule.origin {
                        RuleOrigin::Preset(p, _) => format!("scenario `{}`", p.keyword()),
                        RuleOrigin::User => "declared by the posture".into(),
                    },
                    origin: at,
                });
            }
            // Refused by the checker in custom VNet mode (R03).
            Destination::PrivateEndpoint { .. } => {}
        }
    }
    Some(WorkspaceAllow {
        workspace: ws.name.as_str().to_string(),
        region: region.to_string(),
        spoke: spoke.vnet_name().to_string(),
        firewall_ip: spoke.firewall_ip.0.to_string(),
        allow,
        not_through_firewall: bypass,
        dns_zone_links: dns_zone_links.to_vec(),
    })
}

/// Where a required rule comes from, in words its reader can look up:
/// the Microsoft Learn page the catalogue's seed is (the seed numbers are
/// the project's own, see `catalog::custom_vnet`).
fn required_origin(seed: &str) -> String {
    let page = match seed {
        "002" => "\"Workspace Managed Virtual Network Isolation\", required service tags",
        "004" => "\"Network traffic flow when using a secured workspace\"",
        _ => return "required by Azure Machine Learning".to_string(),
    };
    format!("required by Azure Machine Learning (Microsoft Learn: {page})")
}

/// A name Azure Firewall accepts for a rule: the text with characters
/// other than letters, digits, `-`, `_` and `.` as `-`.
fn rule_name(text: &str) -> String {
    let mut n: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    n.truncate(80);
    n
}

/// The rule collection group: per workspace a collection of network rules
/// (service tags) and one of application rules (FQDNs).
#[must_use]
pub fn rule_collection_group(lists: &[WorkspaceAllow]) -> Resource {
    let mut collections = Vec::new();
    let mut priority = 100u32;
    for w in lists {
        let mut network = Vec::new();
        let mut application = Vec::new();
        let mut used: BTreeMap<String, u32> = BTreeMap::new();
        let mut unique = |base: String| {
            let n = used.entry(base.clone()).or_insert(0);
            *n += 1;
            if *n == 1 { base } else { format!("{base}-{n}") }
        };
        for a in &w.allow {
            match a.kind {
                "service_tag" => network.push(json!({
                    "ruleType": "NetworkRule",
                    "name": Text(unique(rule_name(&format!("{}-{}", a.destination, a.protocols.join("-").to_ascii_lowercase())))),
                    "description": Text(a.why.clone()),
                    "ipProtocols": a.protocols,
                    "sourceAddresses": a.sources,
                    "destinationAddresses": [Text(a.destination.clone())],
                    "destinationPorts": a.ports,
                })),
                _ => application.push(json!({
                    "ruleType": "ApplicationRule",
                    "name": Text(unique(rule_name(&a.destination.replace('*', "wildcard")))),
                    "description": Text(a.why.clone()),
                    "protocols": a.protocols.iter().map(|p| {
                        let (t, port) = p.split_once(':').unwrap_or((p, "443"));
                        json!({ "protocolType": t, "port": port.parse::<u32>().unwrap_or(443) })
                    }).collect::<Vec<_>>(),
                    "sourceAddresses": a.sources,
                    "targetFqdns": [Text(a.destination.clone())],
                })),
            }
        }
        for (suffix, rules) in [("service-tags", network), ("fqdns", application)] {
            if rules.is_empty() {
                continue;
            }
            collections.push(json!({
                "ruleCollectionType": "FirewallPolicyFilterRuleCollection",
                "name": Text(format!("{}-{suffix}", w.workspace)),
                "priority": priority,
                "action": { "type": "Allow" },
                "rules": rules,
            }));
            priority += 10;
        }
    }
    let comment = format!(
        "what the hub firewall must allow for {} workspace(s) in custom VNet mode",
        lists.len()
    );
    Resource::from_json(
        "ruleCollectionGroup",
        types::RULE_COLLECTION_GROUP,
        api::NETWORK,
        &["firewallPolicyName", GROUP_NAME],
        comment,
        json!({ "properties": { "priority": Expr::param("priority"), "ruleCollections": collections } }),
    )
    .child_of("firewallPolicy")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every required rule's origin names its Microsoft Learn page: a seed
    /// the mapping does not know would fall back to bare words.
    #[test]
    fn every_required_rule_names_its_page() {
        for r in custom_vnet::REQUIRED {
            let origin = required_origin(r.seed);
            assert!(
                origin.contains("(Microsoft Learn: \""),
                "{}: {origin}",
                r.tag
            );
        }
        assert_eq!(required_origin("999"), "required by Azure Machine Learning");
    }
}
