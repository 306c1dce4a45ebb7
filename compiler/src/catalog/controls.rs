//! The policy control catalogue: for each control of a `policy` block and
//! the effect it asks for, the definition that does the job: a built-in
//! (referenced by id, copied unchanged in `policies/builtin/` from
//! Microsoft's azure-policy repository) when one does exactly that, else
//! amlgen's custom definition (`policies/<control>.json`), and the
//! parameter values the posture gives it.

use serde_json::{Map, Value, json};

use crate::ir::{Control, Effect, IsolationMode, RuleKind};

/// A definition file of the catalogue: (file stem, JSON text).
type File = (&'static str, &'static str);

/// amlgen's custom definitions.
pub const CUSTOM: &[File] = &[
    (
        "compute-in-subnet",
        include_str!("../../../policies/compute-in-subnet.json"),
    ),
    (
        "compute-public-ip",
        include_str!("../../../policies/compute-public-ip.json"),
    ),
    (
        "compute-setup-script",
        include_str!("../../../policies/compute-setup-script.json"),
    ),
    (
        "compute-ssh",
        include_str!("../../../policies/compute-ssh.json"),
    ),
    (
        "outbound-rules",
        include_str!("../../../policies/outbound-rules.json"),
    ),
    (
        "serverless-public-ip",
        include_str!("../../../policies/serverless-public-ip.json"),
    ),
    (
        "workspace-isolation-modes",
        include_str!("../../../policies/workspace-isolation-modes.json"),
    ),
    (
        "workspace-private-dns-zones",
        include_str!("../../../policies/workspace-private-dns-zones.json"),
    ),
    (
        "workspace-private-link",
        include_str!("../../../policies/workspace-private-link.json"),
    ),
    (
        "workspace-public-network-access",
        include_str!("../../../policies/workspace-public-network-access.json"),
    ),
];

/// The built-in definitions amlgen references, unchanged copies.
pub const BUILT_IN: &[File] = &[
    (
        "DisableLocalAuth_Audit",
        include_str!("../../../policies/builtin/DisableLocalAuth_Audit.json"),
    ),
    (
        "Vnet_Audit",
        include_str!("../../../policies/builtin/Vnet_Audit.json"),
    ),
    (
        "Workspace_PrivateDnsZones_DINE",
        include_str!("../../../policies/builtin/Workspace_PrivateDnsZones_DINE.json"),
    ),
    (
        "Workspace_PrivateEndpoint_Audit_V2",
        include_str!("../../../policies/builtin/Workspace_PrivateEndpoint_Audit_V2.json"),
    ),
];

/// Where a control's definition comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum Origin {
    /// A built-in, by its definition name (a GUID).
    BuiltIn { id: String, file: &'static str },
    /// amlgen's own, by its definition name.
    Custom { name: String, file: &'static str },
}

/// One definition an initiative references for a control.
#[derive(Clone, Debug, PartialEq)]
pub struct Chosen {
    /// The initiative's reference id (stable, from the control).
    pub reference_id: &'static str,
    pub origin: Origin,
    /// The whole definition (`{name, properties}`), policy-native.
    pub definition: Value,
    /// The effect value as the definition spells it.
    pub effect: String,
    /// Values for the definition's other parameters.
    pub parameters: Map<String, Value>,
    /// Role definition ids a DeployIfNotExists or Modify effect needs.
    pub roles: Vec<String>,
}

fn parse(file: &str) -> Value {
    serde_json::from_str(file).unwrap_or(Value::Null)
}

fn custom(stem: &'static str) -> (Origin, Value) {
    let text = CUSTOM
        .iter()
        .find(|(s, _)| *s == stem)
        .map_or("", |(_, t)| t);
    let v = parse(text);
    let name = v["name"].as_str().unwrap_or_default().to_string();
    (Origin::Custom { name, file: stem }, v)
}

fn built_in(stem: &'static str) -> (Origin, Value) {
    let text = BUILT_IN
        .iter()
        .find(|(s, _)| *s == stem)
        .map_or("", |(_, t)| t);
    let v = parse(text);
    let id = v["name"].as_str().unwrap_or_default().to_string();
    (Origin::BuiltIn { id, file: stem }, v)
}

/// The effect as the definition's `effect` parameter lists it (case as
/// allowed there).
fn spell(definition: &Value, effect: Effect) -> String {
    definition["properties"]["parameters"]["effect"]["allowedValues"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .find(|v| v.eq_ignore_ascii_case(effect.arm()))
        .map_or_else(|| effect.arm().to_string(), str::to_string)
}

fn roles(definition: &Value) -> Vec<String> {
    definition["properties"]["policyRule"]["then"]["details"]["roleDefinitionIds"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter_map(|id| id.rsplit('/').next())
        .map(str::to_string)
        .collect()
}

/// The definitions a control with an effect becomes (more than one for a
/// control that spans two resource types).
#[must_use]
pub fn choose(control: &Control, effect: Effect) -> Vec<Chosen> {
    let mut out = Vec::new();
    let mut push = |reference_id: &'static str,
                    (origin, definition): (Origin, Value),
                    parameters: Map<String, Value>| {
        out.push(Chosen {
            reference_id,
            effect: spell(&definition, effect),
            roles: if matches!(effect, Effect::DeployIfNotExists | Effect::Modify) {
                roles(&definition)
            } else {
                Vec::new()
            },
            origin,
            definition,
            parameters,
        });
    };
    let none = Map::new;
    match control {
        // Not the built-in 438c38d2: it also denies every AI Foundry
        // project (kind Project), whose public network access is its hub's.
        Control::PrivateEndpoints { allow_selected_ips } => {
            let mut p = Map::new();
            p.insert("allowSelectedIps".into(), json!(allow_selected_ips));
            push(
                "workspace-public-network-access",
                custom("workspace-public-network-access"),
                p,
            );
        }
        Control::PrivateLink => {
            if effect == Effect::AuditIfNotExists {
                push(
                    "workspace-private-link",
                    custom("workspace-private-link"),
                    none(),
                );
            } else {
                push(
                    "workspace-private-link",
                    built_in("Workspace_PrivateEndpoint_Audit_V2"),
                    none(),
                );
            }
        }
        Control::PrivateDnsZones { zone_ids } => {
            if effect == Effect::AuditIfNotExists {
                push(
                    "workspace-private-dns-zones",
                    custom("workspace-private-dns-zones"),
                    none(),
                );
            } else {
                let zone = |n: &str| {
                    zone_ids
                        .iter()
                        .find(|z| z.name().eq_ignore_ascii_case(n))
                        .map_or(String::new(), |z| z.as_str().to_string())
                };
                let mut p = Map::new();
                let api = zone("privatelink.api.azureml.ms");
                let first = if api.is_empty() {
                    zone_ids
                        .first()
                        .map_or(String::new(), |z| z.as_str().to_string())
                } else {
                    api
                };
                p.insert("privateDnsZoneId".into(), json!(first));
                p.insert(
                    "secondPrivateDnsZoneId".into(),
                    json!(zone("privatelink.notebooks.azure.net")),
                );
                push(
                    "workspace-private-dns-zones",
                    built_in("Workspace_PrivateDnsZones_DINE"),
                    p,
                );
            }
        }
        Control::PublicIpCompute => {
            push("compute-public-ip", custom("compute-public-ip"), none());
            push(
                "serverless-public-ip",
                custom("serverless-public-ip"),
                none(),
            );
        }
        Control::SetupScript { script } => {
            let mut p = Map::new();
            p.insert(
                "requiredScript".into(),
                json!(script.clone().unwrap_or_default()),
            );
            push("compute-setup-script", custom("compute-setup-script"), p);
        }
        // Not the built-in 6ddb1705, even for one mode: its `notEquals` is
        // true for a missing mode, so it denies every workspace created
        // without a `managedNetwork` (Azure's default, Disabled) and every
        // AI Foundry project (which uses its hub's managed network).
        Control::IsolationMode { allowed } => {
            let mut modes: Vec<IsolationMode> = allowed.clone();
            modes.sort();
            modes.dedup();
            let mut p = Map::new();
            p.insert(
                "allowedIsolationModes".into(),
                json!(modes.iter().map(|m| m.arm()).collect::<Vec<_>>()),
            );
            push(
                "workspace-isolation-mode",
                custom("workspace-isolation-modes"),
                p,
            );
        }
        Control::OutboundRules { kinds, fqdns } => {
            let mut ks: Vec<RuleKind> = kinds.clone();
            ks.sort();
            ks.dedup();
            let mut p = Map::new();
            p.insert(
                "allowedRuleTypes".into(),
                json!(ks.iter().map(|k| k.arm()).collect::<Vec<_>>()),
            );
            p.insert(
                "allowedFqdns".into(),
                json!(
                    fqdns
                        .iter()
                        .flatten()
                        .map(|f| f.as_str().to_string())
                        .collect::<Vec<_>>()
                ),
            );
            push("outbound-rules", custom("outbound-rules"), p);
        }
        Control::LocalAuth => push(
            "compute-local-auth",
            built_in("DisableLocalAuth_Audit"),
            none(),
        ),
        Control::Ssh => push("compute-ssh", custom("compute-ssh"), none()),
        Control::ComputeInSubnet => {
            if effect == Effect::Deny {
                push("compute-in-subnet", custom("compute-in-subnet"), none());
            } else {
                push("compute-in-subnet", built_in("Vnet_Audit"), none());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_parses_and_is_well_formed() {
        for (stem, text) in CUSTOM {
            let v: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{stem}: {e}"));
            let p = &v["properties"];
            let name = v["name"].as_str().unwrap();
            assert!(name.starts_with("amlgen-") && name.len() <= 64, "{stem}");
            assert_eq!(p["policyType"], "Custom", "{stem}");
            assert_eq!(p["metadata"]["category"], "Machine Learning", "{stem}");
            assert!(p["metadata"]["version"].is_string(), "{stem}");
            let allowed = p["parameters"]["effect"]["allowedValues"]
                .as_array()
                .unwrap();
            assert!(allowed.iter().any(|e| e == "Disabled"), "{stem}");
            assert!(
                p["parameters"]["effect"]["defaultValue"].is_string(),
                "{stem}"
            );
            assert_eq!(
                p["policyRule"]["then"]["effect"], "[parameters('effect')]",
                "{stem}"
            );
            // Workspace controls are Indexed, compute controls All, as the built-ins.
            let rule = p["policyRule"].to_string();
            let mode = p["mode"].as_str().unwrap();
            if rule.contains("workspaces/computes\"") || rule.contains("outboundRules\"") {
                assert_eq!(mode, "All", "{stem}");
            } else {
                assert_eq!(mode, "Indexed", "{stem}");
            }
        }
        for (stem, text) in BUILT_IN {
            let v: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{stem}: {e}"));
            assert_eq!(v["properties"]["policyType"], "BuiltIn", "{stem}");
        }
    }

    #[test]
    fn every_control_and_effect_has_a_definition_that_takes_the_effect() {
        let controls = [
            Control::PrivateEndpoints {
                allow_selected_ips: false,
            },
            Control::PrivateEndpoints {
                allow_selected_ips: true,
            },
            Control::PrivateLink,
            Control::PrivateDnsZones {
                zone_ids: Vec::new(),
            },
            Control::PublicIpCompute,
            Control::SetupScript { script: None },
            Control::IsolationMode {
                allowed: vec![IsolationMode::AllowOnlyApprovedOutbound],
            },
            Control::IsolationMode {
                allowed: vec![
                    IsolationMode::AllowInternetOutbound,
                    IsolationMode::AllowOnlyApprovedOutbound,
                ],
            },
            Control::OutboundRules {
                kinds: vec![RuleKind::Fqdn],
                fqdns: None,
            },
            Control::LocalAuth,
            Control::Ssh,
            Control::ComputeInSubnet,
        ];
        for c in &controls {
            let keyword = match c {
                Control::PrivateEndpoints { .. } => "private_endpoints",
                Control::PrivateLink => "private_link",
                Control::PrivateDnsZones { .. } => "private_dns_zones",
                Control::PublicIpCompute => "public_ip_compute",
                Control::SetupScript { .. } => "setup_script",
                Control::IsolationMode { .. } => "isolation_mode",
                Control::OutboundRules { .. } => "outbound_rules",
                Control::LocalAuth => "local_auth",
                Control::Ssh => "ssh",
                Control::ComputeInSubnet => "compute_in_subnet",
            };
            let effects = Control::KEYWORDS
                .iter()
                .find(|(k, _)| *k == keyword)
                .unwrap()
                .1;
            for e in effects {
                let chosen = choose(c, *e);
                assert!(!chosen.is_empty(), "{keyword} {e:?}");
                for ch in chosen {
                    let allowed =
                        ch.definition["properties"]["parameters"]["effect"]["allowedValues"]
                            .as_array()
                            .unwrap();
                    assert!(
                        allowed.iter().any(|a| a == ch.effect.as_str()),
                        "{keyword} {e:?}: {} does not take {}",
                        ch.reference_id,
                        ch.effect
                    );
                    for p in ch.parameters.keys() {
                        assert!(
                            ch.definition["properties"]["parameters"].get(p).is_some(),
                            "{keyword}: {p} is not a parameter of {}",
                            ch.reference_id
                        );
                    }
                }
            }
        }
    }
}
