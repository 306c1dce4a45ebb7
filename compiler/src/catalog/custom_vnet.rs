//! Custom VNet mode: the network security rules and routes a spoke needs
//! for Azure Machine Learning compute.
//!
//! Sources (the project's seeds, and the Microsoft pages quoted in
//! `docs/research/custom-vnet-sources.md`):
//! - 002, "Workspace Managed Virtual Network Isolation", table "required
//!   service tags": which tags, inbound or outbound, and why;
//! - 004, "Network traffic flow when using a secured workspace": inbound
//!   `AzureMachineLearning` TCP 44224 and Azure Batch TCP 29876-29877 for
//!   compute with a public IP, outbound `Storage.region` and
//!   `Keyvault.region`;
//! - 001, "Plan for network isolation": the inbound rules and the routes
//!   around the firewall are only for compute with a public IP;
//! - the ports of each outbound tag: "Configure inbound and outbound
//!   network traffic" (see the research note).

use crate::ir::{NsgDirection, Protocol, SubnetRole};

/// When a required rule applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    Always,
    /// Only for compute with a public IP (001, 004).
    PublicIpCompute,
}

/// One required network security rule.
#[derive(Clone, Copy, Debug)]
pub struct RequiredRule {
    /// The service tag; `regional` appends `.<region>`.
    pub tag: &'static str,
    pub regional: bool,
    pub direction: NsgDirection,
    pub protocol: Protocol,
    /// Destination ports, as an NSG takes them (`443`, `29876-29877`).
    pub ports: &'static [&'static str],
    /// The subnets whose NSG has it.
    pub subnets: &'static [SubnetRole],
    pub when: When,
    /// Why, from the documented table.
    pub purpose: &'static str,
    /// The seed that names it.
    pub seed: &'static str,
}

const TRAINING: &[SubnetRole] = &[SubnetRole::Training];
const COMPUTE: &[SubnetRole] = &[SubnetRole::Training, SubnetRole::Scoring];

/// The required rules, in priority order.
pub const REQUIRED: &[RequiredRule] = &[
    RequiredRule {
        tag: "AzureActiveDirectory",
        regional: false,
        direction: NsgDirection::Outbound,
        protocol: Protocol::Tcp,
        ports: &["80", "443"],
        subnets: COMPUTE,
        when: When::Always,
        purpose: "authentication using Microsoft Entra ID",
        seed: "002",
    },
    RequiredRule {
        tag: "AzureMachineLearning",
        regional: false,
        direction: NsgDirection::Outbound,
        protocol: Protocol::Tcp,
        ports: &["443", "8787", "18881"],
        subnets: COMPUTE,
        when: When::Always,
        purpose: "using Azure Machine Learning services; Python intellisense in notebooks uses port 18881",
        seed: "002",
    },
    RequiredRule {
        tag: "AzureMachineLearning",
        regional: false,
        direction: NsgDirection::Outbound,
        protocol: Protocol::Udp,
        ports: &["5831"],
        subnets: TRAINING,
        when: When::Always,
        purpose: "creating, updating and deleting a compute instance uses port 5831",
        seed: "002",
    },
    RequiredRule {
        tag: "BatchNodeManagement",
        regional: true,
        direction: NsgDirection::Outbound,
        protocol: Protocol::Any,
        ports: &["443"],
        subnets: TRAINING,
        when: When::Always,
        purpose: "communication with the Azure Batch back end of compute instances and clusters",
        seed: "002",
    },
    RequiredRule {
        tag: "AzureResourceManager",
        regional: false,
        direction: NsgDirection::Outbound,
        protocol: Protocol::Tcp,
        ports: &["443"],
        subnets: COMPUTE,
        when: When::Always,
        purpose: "creation of Azure resources with Azure Machine Learning, the Azure CLI and the SDK",
        seed: "002",
    },
    RequiredRule {
        tag: "AzureFrontDoor.FirstParty",
        regional: false,
        direction: NsgDirection::Outbound,
        protocol: Protocol::Tcp,
        ports: &["443"],
        subnets: COMPUTE,
        when: When::Always,
        purpose: "access to the docker images Microsoft provides",
        seed: "002",
    },
    RequiredRule {
        tag: "MicrosoftContainerRegistry",
        regional: false,
        direction: NsgDirection::Outbound,
        protocol: Protocol::Tcp,
        ports: &["443"],
        subnets: COMPUTE,
        when: When::Always,
        purpose: "docker images Microsoft provides; setup of the Azure Machine Learning router for Kubernetes",
        seed: "002",
    },
    RequiredRule {
        tag: "AzureMonitor",
        regional: false,
        direction: NsgDirection::Outbound,
        protocol: Protocol::Tcp,
        ports: &["443"],
        subnets: COMPUTE,
        // Needed unless Azure Monitor is secured (a private link scope),
        // which a posture cannot declare: always.
        when: When::Always,
        purpose: "metrics and monitoring to Azure Monitor (not behind a private link scope here); support-incident logs",
        seed: "002",
    },
    RequiredRule {
        tag: "VirtualNetwork",
        regional: false,
        direction: NsgDirection::Outbound,
        protocol: Protocol::Tcp,
        // 443 for blob, 445 for the file share compute mounts over SMB (004).
        ports: &["443", "445"],
        subnets: COMPUTE,
        when: When::Always,
        purpose: "private endpoints in this or peered virtual networks (the default storage over 443 and SMB 445)",
        seed: "002",
    },
    RequiredRule {
        tag: "Storage",
        regional: true,
        direction: NsgDirection::Outbound,
        protocol: Protocol::Tcp,
        ports: &["443"],
        subnets: TRAINING,
        when: When::Always,
        purpose: "the Azure storage account inside the Azure Batch managed network",
        seed: "004",
    },
    // The seed writes `Keyvault.region`; Azure's service tag is
    // `AzureKeyVault` (regional: `AzureKeyVault.<region>`).
    RequiredRule {
        tag: "AzureKeyVault",
        regional: true,
        direction: NsgDirection::Outbound,
        protocol: Protocol::Tcp,
        ports: &["443"],
        subnets: TRAINING,
        when: When::Always,
        purpose: "the Azure Key Vault inside the Azure Batch managed network",
        seed: "004",
    },
    RequiredRule {
        tag: "AzureMachineLearning",
        regional: false,
        direction: NsgDirection::Inbound,
        protocol: Protocol::Tcp,
        ports: &["44224"],
        subnets: TRAINING,
        when: When::PublicIpCompute,
        purpose: "create, update and delete of compute instances and clusters (compute with a public IP only)",
        seed: "004",
    },
    RequiredRule {
        tag: "BatchNodeManagement",
        regional: false,
        direction: NsgDirection::Inbound,
        protocol: Protocol::Tcp,
        ports: &["29876-29877"],
        subnets: TRAINING,
        when: When::PublicIpCompute,
        purpose: "Azure Batch management of compute nodes (compute with a public IP only)",
        seed: "004",
    },
];

/// Service tags whose traffic a public-IP compute sends around the
/// firewall, straight to the internet (001: "user defined routing to skip
/// your firewall").
pub const ROUTED_AROUND_FIREWALL: &[(&str, bool)] = &[
    ("AzureMachineLearning", false),
    ("BatchNodeManagement", true),
];

/// The first priority of the required rules, and the step between them.
pub const FIRST_PRIORITY: u16 = 100;
pub const PRIORITY_STEP: u16 = 10;
/// Where rules the posture adds without a priority start.
pub const EXTRA_PRIORITY: u16 = 1000;

/// Azure reserves five addresses in every subnet.
pub const RESERVED_PER_SUBNET: u64 = 5;
/// The smallest subnet Azure allows, /29.
pub const SMALLEST_SUBNET_PREFIX: u8 = 29;

/// The alias a service endpoint policy names to allow Azure Machine
/// Learning's own storage accounts (001).
pub const AML_SERVICE_ALIAS: &str = "/services/Azure/MachineLearning";

/// The tag as the rule writes it in a region.
#[must_use]
pub fn tag(rule: &RequiredRule, region: &str) -> String {
    if rule.regional {
        format!("{}.{region}", rule.tag)
    } else {
        rule.tag.to_string()
    }
}

/// One rule of a spoke subnet's NSG, required or the posture's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecurityRule {
    pub name: String,
    pub priority: u16,
    pub direction: NsgDirection,
    pub access: crate::ir::NsgAccess,
    pub protocol: Protocol,
    pub source: String,
    pub destination: String,
    /// Destination ports; `*` for any.
    pub ports: Vec<String>,
    pub description: String,
    /// From [`REQUIRED`] (not the posture's `nsg_extra`).
    pub required: bool,
}

/// Whether the workspace's compute may have a public IP: then the inbound
/// rules and the routes around the firewall are needed (001, 004).
#[must_use]
pub fn public_ip_compute(ws: &crate::ir::Workspace) -> bool {
    use crate::ir::ComputeKind;
    ws.compute.public_ip.value
        || ws.computes.iter().any(|c| {
            c.public_ip.value
                && matches!(c.kind.value, ComputeKind::Instance | ComputeKind::Cluster)
        })
}

/// The NSG description of a posture's `nsg_extra` rule.
const EXTRA_DESCRIPTION: &str = "Added by the posture (nsg_extra)";

/// The NSG description of a required rule: Azure refuses more than 140
/// characters (`nsg.rule.description.length` of the runtime-rule table).
fn required_description(r: &RequiredRule) -> String {
    format!("Required by Azure Machine Learning: {}", r.purpose)
}

/// The NSG rule name of a required rule in `region`:
/// `allow-<in|out>-<tag with dots as hyphens>-<protocol>`.
#[must_use]
pub fn required_rule_name(r: &RequiredRule, region: &str) -> String {
    let dir = match r.direction {
        NsgDirection::Outbound => "out",
        NsgDirection::Inbound => "in",
    };
    let proto = match r.protocol {
        Protocol::Any => "any",
        p => p.nsg(),
    };
    format!(
        "allow-{dir}-{}-{}",
        tag(r, region).replace('.', "-"),
        proto.to_ascii_lowercase()
    )
}

/// The required rules of one subnet's NSG, with their priorities: 100,
/// 110, ... in table order.
#[must_use]
pub fn required_rules(
    ws: &crate::ir::Workspace,
    spoke: &crate::ir::Spoke,
    role: SubnetRole,
) -> Vec<SecurityRule> {
    let public = public_ip_compute(ws);
    let region = spoke.region.value.as_str();
    let mut out = Vec::new();
    let mut priority = FIRST_PRIORITY;
    for r in REQUIRED {
        if !r.subnets.contains(&role) || (r.when == When::PublicIpCompute && !public) {
            continue;
        }
        let tag = tag(r, region);
        let (source, destination) = match r.direction {
            NsgDirection::Outbound => ("VirtualNetwork".to_string(), tag.clone()),
            NsgDirection::Inbound => (tag.clone(), "VirtualNetwork".to_string()),
        };
        out.push(SecurityRule {
            name: required_rule_name(r, region),
            priority,
            direction: r.direction,
            access: crate::ir::NsgAccess::Allow,
            protocol: r.protocol,
            source,
            destination,
            ports: r.ports.iter().map(|p| (*p).to_string()).collect(),
            description: required_description(r),
            required: true,
        });
        priority += PRIORITY_STEP;
    }
    out
}

/// Every rule of one subnet's NSG: the required ones, then the posture's
/// `nsg_extra` rules for that subnet (at their written priority, or from
/// [`EXTRA_PRIORITY`] up in steps of ten).
#[must_use]
pub fn security_rules(
    ws: &crate::ir::Workspace,
    spoke: &crate::ir::Spoke,
    role: SubnetRole,
) -> Vec<SecurityRule> {
    let mut out = required_rules(ws, spoke, role);
    let mine: Vec<&crate::ir::NsgRule> = spoke
        .nsg_extra
        .iter()
        .filter(|x| x.subnet == role)
        .collect();
    let mut next = EXTRA_PRIORITY;
    for x in &mine {
        let priority = match x.priority {
            Some((p, _)) => p,
            None => {
                // Past every priority taken so far and every one written
                // on a later rule of the same direction.
                while out
                    .iter()
                    .any(|r| r.priority == next && r.direction == x.direction)
                    || mine.iter().any(|o| {
                        o.direction == x.direction && o.priority.is_some_and(|(p, _)| p == next)
                    })
                {
                    next += PRIORITY_STEP;
                }
                let p = next;
                next += PRIORITY_STEP;
                p
            }
        };
        out.push(SecurityRule {
            name: x.name.as_str().to_string(),
            priority,
            direction: x.direction,
            access: x.access,
            protocol: x.protocol,
            source: x.source.to_string(),
            destination: x.destination.to_string(),
            ports: x.ports.as_ref().map_or_else(
                || vec!["*".to_string()],
                |p| {
                    p.ranges()
                        .iter()
                        .map(|(a, b)| {
                            if a == b {
                                a.to_string()
                            } else {
                                format!("{a}-{b}")
                            }
                        })
                        .collect()
                },
            ),
            description: EXTRA_DESCRIPTION.to_string(),
            required: false,
        });
    }
    out
}

/// One route of the spoke's route table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    pub name: String,
    pub address_prefix: String,
    /// `VirtualAppliance` (with the firewall's IP) or `Internet`.
    pub next_hop: &'static str,
    pub next_hop_ip: Option<String>,
    pub why: String,
}

/// The routes of the training and scoring subnets: everything to the hub
/// firewall, and for public-IP compute the Azure Machine Learning and
/// Batch management traffic straight to the internet (001).
#[must_use]
pub fn routes(ws: &crate::ir::Workspace, spoke: &crate::ir::Spoke) -> Vec<Route> {
    let mut out = vec![Route {
        name: "to-hub-firewall".to_string(),
        address_prefix: "0.0.0.0/0".to_string(),
        next_hop: "VirtualAppliance",
        next_hop_ip: Some(spoke.firewall_ip.0.to_string()),
        why: "all other traffic leaves through the hub firewall (the route table does not take gateway routes, so on-premises traffic goes through the firewall too)".to_string(),
    }];
    if public_ip_compute(ws) {
        for (t, regional) in ROUTED_AROUND_FIREWALL {
            let tag = if *regional {
                format!("{t}.{}", spoke.region.value.as_str())
            } else {
                (*t).to_string()
            };
            out.push(Route {
                name: format!("{}-direct", tag.replace('.', "-")),
                address_prefix: tag,
                next_hop: "Internet",
                next_hop_ip: None,
                why: "compute with a public IP answers Azure Machine Learning and Batch management around the firewall".to_string(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::limits::rule;

    /// Every description a spoke NSG can carry is within Azure's limit.
    #[test]
    fn nsg_rule_descriptions_fit_azures_limit() {
        let limit = rule("nsg.rule.description.length");
        for r in REQUIRED {
            let d = required_description(r);
            assert!(limit.check(&d).is_ok(), "{} chars: {d}", d.chars().count());
        }
        assert!(limit.check(EXTRA_DESCRIPTION).is_ok());
    }
}
