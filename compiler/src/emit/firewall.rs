//! The hub team's part of custom VNet mode (R33): every service tag and
//! FQDN the central firewall must allow, for which workspace and why, as
//! data (`hub-firewall/allowlist.json`) and as an Azure Firewall policy
//! rule collection group (`hub-firewall/main.bicep`, `azuredeploy.json`).

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Value, json};

use super::escape::Text;
use super::expr::Expr;
use super::model::{Resource, api, types};
use crate::catalog::custom_vnet;
use crate::ir::{Destination, NsgDirection, Posture, RuleOrigin, Spoke, SubnetRole, Workspace};

/// The rule collection group's name in the hub's policy.
pub const GROUP_NAME: &str = "amlgen-aml-workspaces";
/// Its priority unless the hub team passes another.
pub const DEFAULT_PRIORITY: u32 = 500;

/// One destination the hub firewall must allow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Allow {
    /// `service_tag` (a network rule) or `fqdn` (an application rule).
    pub kind: &'static str,
    pub destination: String,
    /// Network rules: `TCP`, `UDP`, `Any`; application rules: `Https:443`, `Http:80`.
    pub protocols: Vec<String>,
    /// Network rules' destination ports (empty for application rules).
    pub ports: Vec<String>,
    /// The spoke prefixes the traffic comes from.
    pub sources: Vec<String>,
    pub why: String,
    /// `required` (the documented table, with its seed) or the posture line.
    pub origin: String,
}

/// Traffic of the spoke that does not reach the hub firewall.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Bypass {
    pub destination: String,
    pub why: String,
}

/// What one workspace's spoke needs from the hub firewall.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WorkspaceAllow {
    pub workspace: String,
    pub region: String,
    pub spoke: String,
    /// The firewall IP the spoke's default route points at.
    pub firewall_ip: String,
    pub allow: Vec<Allow>,
    pub not_through_firewall: Vec<Bypass>,
    /// The hub's private DNS zones the hub team links to a spoke the
    /// deployment creates (`link_zones = false`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dns_zone_links: Vec<ZoneLink>,
}

/// A virtual network link the hub team makes on one of their zones.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ZoneLink {
    pub zone: String,
    /// The link's name: the one `link_zones = true` would give it.
    pub link_name: String,
    pub virtual_network: String,
    pub virtual_network_resource_group: String,
    /// `None` when the posture does not name the workspace's subscription.
    pub virtual_network_subscription: Option<String>,
    pub registration_enabled: bool,
}

/// The links the hub team makes for a created spoke (`link_zones = false`).
#[must_use]
pub fn hub_team_zone_links(ws: &Workspace) -> Vec<ZoneLink> {
    let (Some(spoke), Some(pe)) = (ws.outbound.custom_vnet(), &ws.inbound.private_endpoint) else {
        return Vec::new();
    };
    let (
        crate::ir::SpokeVnet::Create { name, .. },
        crate::ir::Dns::Existing(zones),
        Some((false, _)),
    ) = (&spoke.vnet, &pe.dns, pe.link_zones)
    else {
        return Vec::new();
    };
    let link_name = super::endpoints::spoke_link_name(ws, spoke);
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

/// The allowlist of one custom VNet workspace.
#[must_use]
fn workspace_allow(
    ws: &Workspace,
    spoke: &Spoke,
    sources: &crate::source::SourceMap,
) -> WorkspaceAllow {
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
            origin: format!("required (seed {})", r.seed),
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
    WorkspaceAllow {
        workspace: ws.name.as_str().to_string(),
        region: region.to_string(),
        spoke: spoke.vnet_name().to_string(),
        firewall_ip: spoke.firewall_ip.0.to_string(),
        allow,
        not_through_firewall: bypass,
        dns_zone_links: hub_team_zone_links(ws),
    }
}

/// Every custom VNet workspace's allowlist, sorted by workspace.
#[must_use]
pub fn allowlists(posture: &Posture, sources: &crate::source::SourceMap) -> Vec<WorkspaceAllow> {
    let mut out: Vec<WorkspaceAllow> = posture
        .workspaces
        .iter()
        .filter_map(|ws| {
            ws.outbound
                .custom_vnet()
                .map(|s| workspace_allow(ws, s, sources))
        })
        .collect();
    out.sort_by(|a, b| a.workspace.cmp(&b.workspace));
    out
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
    Resource::new(
        "ruleCollectionGroup",
        types::RULE_COLLECTION_GROUP,
        api::NETWORK,
        &["firewallPolicyName", GROUP_NAME],
        comment,
        json!({ "properties": { "priority": Expr::param("priority"), "ruleCollections": collections } }),
    )
    .child_of("firewallPolicy")
}

/// The ARM template of the rule collection group, with the same two
/// parameters as the Bicep file.
#[must_use]
pub fn template(group: &Resource) -> Value {
    let mut res = group.body.clone();
    res.insert("type".into(), Value::from(group.arm_type));
    res.insert("apiVersion".into(), Value::from(group.api_version));
    res.insert(
        "name".into(),
        Value::from(format!(
            "[format('{{0}}/{{1}}', parameters('firewallPolicyName'), '{GROUP_NAME}')]"
        )),
    );
    json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {
            "firewallPolicyName": {
                "type": "string",
                "metadata": { "description": "Name of the hub firewall policy, in this resource group" },
            },
            "priority": {
                "type": "int",
                "defaultValue": DEFAULT_PRIORITY,
                "minValue": 100,
                "maxValue": 65000,
                "metadata": { "description": "Priority of the rule collection group in the policy (100 to 65000, unique in the policy)" },
            },
        },
        "resources": [Value::Object(res)],
    })
}

/// `hub-firewall/allowlist.json`.
#[must_use]
pub fn allowlist_json(lists: &[WorkspaceAllow], header: &str) -> Value {
    json!({
        "about": header,
        "rule_collection_group": GROUP_NAME,
        "workspaces": lists,
    })
}

/// All files of `hub-firewall/`.
pub fn artifacts(
    lists: &[WorkspaceAllow],
    hb: &handlebars::Handlebars,
    header: &str,
) -> Result<super::Artifacts, String> {
    let group = rule_collection_group(lists);
    let mut files = super::Artifacts::new();
    files.insert(
        "hub-firewall/allowlist.json".into(),
        super::arm::to_text(&allowlist_json(lists, header)),
    );
    files.insert(
        "hub-firewall/azuredeploy.json".into(),
        super::arm::to_text(&template(&group)),
    );
    let workspaces: Vec<&str> = lists.iter().map(|l| l.workspace.as_str()).collect();
    files.insert(
        "hub-firewall/main.bicep".into(),
        super::bicep::render_hub_firewall(
            hb,
            header,
            &format!(
                "What the hub firewall must allow for the custom VNet workspaces {}",
                workspaces.join(", ")
            ),
            &group,
            DEFAULT_PRIORITY,
        )?,
    );
    Ok(files)
}
