//! Custom VNet mode: the emitted NSGs against the documented table
//! (transcribed here from the seeds, not taken from the code), the routes,
//! compute and private endpoint placement, IP planning at its boundary,
//! and the hub firewall artifact.

#[path = "common/arm.rs"]
mod arm;
#[path = "common/posture.rs"]
mod one_posture;

use one_posture::{build, compile, workspace_resources};

use std::collections::BTreeSet;

use serde_json::Value;

/// The required network security rules, transcribed from the sources.
/// `direction`, the service tag (`{region}` for regional tags), protocol,
/// ports, and the seed (or page) that says so.
///
/// Seed 002, "Workspace Managed Virtual Network Isolation", table of
/// required service tags: `AzureMachineLearning` outbound ("Python
/// intellisense in notebooks uses port 18881. Creating, updating, and
/// deleting an Azure Machine Learning compute instance uses port 5831"),
/// `AzureActiveDirectory`, `BatchNodeManagement.region`,
/// `AzureResourceManager`, `AzureFrontDoor.FirstParty`,
/// `MicrosoftContainerRegistry`, `AzureMonitor`, `VirtualNetwork`.
/// Seed 004, "Network traffic flow when using a secured workspace":
/// inbound "Azure Machine Learning on port 44224" and "Azure Batch on
/// ports 29876-29877"; outbound `Storage.region` and `Keyvault.region`
/// (Azure's tag is `AzureKeyVault`); storage over 445 (SMB) and 443.
/// Ports of the other outbound tags: "Configure inbound and outbound
/// network traffic" (`docs/research/custom-vnet-sources.md`): Entra ID 80
/// and 443, Azure Machine Learning 443, 8787, 18881 (TCP) and 5831 (UDP),
/// Batch 443 over any protocol, the rest 443.
const OUTBOUND: &[(&str, &str, &[&str], &str)] = &[
    ("AzureActiveDirectory", "Tcp", &["80", "443"], "002"),
    (
        "AzureMachineLearning",
        "Tcp",
        &["443", "8787", "18881"],
        "002",
    ),
    ("AzureMachineLearning", "Udp", &["5831"], "002"),
    ("BatchNodeManagement.{region}", "*", &["443"], "002"),
    ("AzureResourceManager", "Tcp", &["443"], "002"),
    ("AzureFrontDoor.FirstParty", "Tcp", &["443"], "002"),
    ("MicrosoftContainerRegistry", "Tcp", &["443"], "002"),
    ("AzureMonitor", "Tcp", &["443"], "002"),
    ("VirtualNetwork", "Tcp", &["443", "445"], "002, 004"),
    ("Storage.{region}", "Tcp", &["443"], "004"),
    ("AzureKeyVault.{region}", "Tcp", &["443"], "004"),
];

/// Inbound, only for compute with a public IP (001, 004).
const INBOUND: &[(&str, &str, &[&str], &str)] = &[
    ("AzureMachineLearning", "Tcp", &["44224"], "004"),
    ("BatchNodeManagement", "Tcp", &["29876-29877"], "004"),
];

/// Of the outbound rules, those for compute instances and clusters only,
/// not for the scoring (AKS) subnet: Batch and its storage and key vault
/// (004), and UDP 5831 for compute instances (002).
const TRAINING_ONLY: &[(&str, &str)] = &[
    ("BatchNodeManagement.{region}", "*"),
    ("Storage.{region}", "Tcp"),
    ("AzureKeyVault.{region}", "Tcp"),
    ("AzureMachineLearning", "Udp"),
];

fn of_type<'a>(rs: &'a [Value], ty: &str) -> Vec<&'a Value> {
    rs.iter().filter(|r| r["type"] == ty).collect()
}

/// (direction, tag, protocol, ports) of an NSG's rules.
fn rules_of(nsg: &Value) -> BTreeSet<(String, String, String, Vec<String>)> {
    nsg["properties"]["securityRules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let p = &r["properties"];
            let dir = p["direction"].as_str().unwrap().to_string();
            let tag = if dir == "Outbound" {
                p["destinationAddressPrefix"].as_str().unwrap()
            } else {
                p["sourceAddressPrefix"].as_str().unwrap()
            };
            let ports: Vec<String> = match (
                p["destinationPortRange"].as_str(),
                p["destinationPortRanges"].as_array(),
            ) {
                (Some(one), _) => vec![one.to_string()],
                (None, Some(many)) => many
                    .iter()
                    .map(|v| v.as_str().unwrap().to_string())
                    .collect(),
                (None, None) => panic!("rule without ports: {r}"),
            };
            (
                dir,
                tag.to_string(),
                p["protocol"].as_str().unwrap().to_string(),
                ports,
            )
        })
        .collect()
}

fn expected(
    region: &str,
    subnet: &str,
    public_ip: bool,
) -> BTreeSet<(String, String, String, Vec<String>)> {
    let mut out = BTreeSet::new();
    for (tag, proto, ports, _seed) in OUTBOUND {
        if subnet == "scoring" && TRAINING_ONLY.contains(&(*tag, *proto)) {
            continue;
        }
        out.insert((
            "Outbound".to_string(),
            tag.replace("{region}", region),
            (*proto).to_string(),
            ports.iter().map(|p| (*p).to_string()).collect(),
        ));
    }
    if public_ip && subnet == "training" {
        for (tag, proto, ports, _seed) in INBOUND {
            out.insert((
                "Inbound".to_string(),
                (*tag).to_string(),
                (*proto).to_string(),
                ports.iter().map(|p| (*p).to_string()).collect(),
            ));
        }
    }
    out
}

fn posture(public_ip: bool, training: &str, nodes: u32, extra: &str) -> String {
    format!(
        r#"
workspace "mlw-spoke" {{
  region         = "northeurope"
  resource_group = "rg-spoke-ml"
  inbound {{ public_network_access = disabled }}
  outbound {{
    mode = custom_vnet
    vnet {{
      address_space = "10.70.0.0/16"
      training      = "{training}"
      scoring       = "10.70.8.0/22"
      pe            = "10.70.12.0/27"
      firewall_ip   = "10.0.1.4"
      hub_vnet      = "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/vnet-hub"
      {extra}
    }}
  }}
  container_registry {{ image_build_compute = "cpu" }}
  compute {{ public_ip = {public_ip} }}
  compute "cpu" {{
    kind      = cluster
    max_nodes = {nodes}
  }}
}}
"#
    )
}

#[test]
fn nsgs_hold_exactly_the_documented_rules() {
    for public_ip in [false, true] {
        let files = build(&posture(public_ip, "10.70.0.0/24", 4, ""));
        let rs = workspace_resources(&files, "mlw-spoke");
        let nsgs = of_type(&rs, "Microsoft.Network/networkSecurityGroups");
        assert_eq!(nsgs.len(), 3, "one NSG per subnet");
        for nsg in nsgs {
            let name = nsg["name"].as_str().unwrap();
            let subnet = name.rsplit('-').next().unwrap();
            let got = rules_of(nsg);
            if subnet == "pe" {
                assert!(got.is_empty(), "{name}: private endpoints need no rule");
                continue;
            }
            assert_eq!(
                got,
                expected("northeurope", subnet, public_ip),
                "{name} (public IP {public_ip})"
            );
            // Every required rule allows; priorities are unique per direction.
            let mut seen = BTreeSet::new();
            for r in nsg["properties"]["securityRules"].as_array().unwrap() {
                assert_eq!(r["properties"]["access"], "Allow");
                assert!(seen.insert((
                    r["properties"]["direction"].to_string(),
                    r["properties"]["priority"].as_u64().unwrap()
                )));
            }
        }
    }
}

#[test]
fn routes_go_through_the_firewall_and_around_it_only_for_public_ip() {
    for public_ip in [false, true] {
        let files = build(&posture(public_ip, "10.70.0.0/24", 4, ""));
        let rs = workspace_resources(&files, "mlw-spoke");
        let rt = of_type(&rs, "Microsoft.Network/routeTables");
        assert_eq!(rt.len(), 1);
        let routes: BTreeSet<(String, String, String)> = rt[0]["properties"]["routes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let p = &r["properties"];
                (
                    p["addressPrefix"].as_str().unwrap().to_string(),
                    p["nextHopType"].as_str().unwrap().to_string(),
                    p["nextHopIpAddress"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        let mut want = BTreeSet::from([(
            "0.0.0.0/0".to_string(),
            "VirtualAppliance".to_string(),
            "10.0.1.4".to_string(),
        )]);
        if public_ip {
            for tag in ["AzureMachineLearning", "BatchNodeManagement.northeurope"] {
                want.insert((tag.to_string(), "Internet".to_string(), String::new()));
            }
        }
        assert_eq!(routes, want, "public IP {public_ip}");
    }
}

#[test]
fn compute_and_private_endpoints_are_placed_in_the_spoke() {
    let files = build(&posture(false, "10.70.0.0/24", 4, ""));
    let rs = workspace_resources(&files, "mlw-spoke");
    let training = "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet-mlw-spoke', 'snet-training')]";
    let pe =
        "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet-mlw-spoke', 'snet-pe')]";
    let computes = of_type(&rs, "Microsoft.MachineLearningServices/workspaces/computes");
    assert_eq!(computes.len(), 1);
    for c in computes {
        let p = &c["properties"]["properties"];
        assert_eq!(p["subnet"]["id"], training);
        assert_eq!(p["enableNodePublicIp"], false);
    }
    let ws = &of_type(&rs, "Microsoft.MachineLearningServices/workspaces")[0];
    assert_eq!(
        ws["properties"]["managedNetwork"]["isolationMode"],
        "Disabled"
    );
    let serverless = &ws["properties"]["serverlessComputeSettings"];
    assert_eq!(serverless["serverlessComputeCustomSubnet"], training);
    assert_eq!(serverless["serverlessComputeNoPublicIP"], true);
    let pes = of_type(&rs, "Microsoft.Network/privateEndpoints");
    assert!(pes.len() >= 3, "workspace, blob, file at least");
    for p in pes {
        assert_eq!(p["properties"]["subnet"]["id"], pe);
    }
    // The training subnet is guarded; the others are not.
    let vnet = &of_type(&rs, "Microsoft.Network/virtualNetworks")[0];
    for s in vnet["properties"]["subnets"].as_array().unwrap() {
        let guarded = s["name"] == "snet-training";
        assert_eq!(
            s["properties"]["serviceEndpointPolicies"].is_array(),
            guarded,
            "{s}"
        );
        assert_eq!(
            s["properties"]["routeTable"].is_object(),
            s["name"] != "snet-pe"
        );
    }
    let sep = &of_type(&rs, "Microsoft.Network/serviceEndpointPolicies")[0];
    let defs = sep["properties"]["serviceEndpointPolicyDefinitions"]
        .as_array()
        .unwrap();
    assert!(
        defs.iter()
            .any(|d| d["properties"]["serviceResources"][0] == "/services/Azure/MachineLearning")
    );
}

#[test]
fn the_exfiltration_guard_can_be_turned_off() {
    let files = build(&posture(
        false,
        "10.70.0.0/24",
        4,
        "service_endpoint_policy = false",
    ));
    let rs = workspace_resources(&files, "mlw-spoke");
    assert!(of_type(&rs, "Microsoft.Network/serviceEndpointPolicies").is_empty());
    // Storage then goes through the firewall, so the hub must allow it.
    let allow: Value = serde_json::from_str(&files["hub-firewall/allowlist.json"]).unwrap();
    let dests: Vec<&str> = allow["workspaces"][0]["allow"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["destination"].as_str().unwrap())
        .collect();
    assert!(dests.contains(&"Storage.northeurope"), "{dests:?}");
}

fn ip_diagnostics(nodes: u32) -> Vec<String> {
    compile(&posture(false, "10.70.0.0/28", nodes, ""))
        .diagnostics
        .iter()
        .filter(|d| d.code.id() == "AML3135")
        .map(|d| d.message.clone())
        .collect()
}

#[test]
fn ip_planning_exactly_enough_passes_one_short_fails() {
    // A /28 has 16 addresses: 5 reserved, so 11 cluster nodes fit.
    assert!(ip_diagnostics(11).is_empty(), "{:?}", ip_diagnostics(11));
    let short = ip_diagnostics(12);
    assert_eq!(short.len(), 1, "{short:?}");
    assert!(
        short[0].contains("needs 17 addresses, it has 16"),
        "{short:?}"
    );
    // The pe subnet counts its private endpoints: a /29 holds 3.
    let text = posture(false, "10.70.0.0/24", 1, "").replace("10.70.12.0/27", "10.70.12.0/29");
    let d: Vec<String> = compile(&text)
        .diagnostics
        .iter()
        .filter(|d| d.code.id() == "AML3135")
        .map(|d| d.message.clone())
        .collect();
    // workspace 1 + storage blob and file 2 + registry 1 (private by
    // default) + key vault 1 = 5, plus 5 reserved: 10 > 8.
    assert_eq!(
        d,
        vec!["the pe subnet `10.70.12.0/29` needs 10 addresses, it has 8"]
    );
}

#[test]
fn the_example_firewall_artifact_lists_every_required_destination() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let allow: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("out/hub-firewall/allowlist.json")).unwrap(),
    )
    .unwrap();
    let lists = allow["workspaces"].as_array().unwrap();
    let names: Vec<&str> = lists
        .iter()
        .map(|w| w["workspace"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["mlw-fraud-detect", "mlw-risk-models"]);
    for w in lists {
        let region = w["region"].as_str().unwrap();
        let mut listed: BTreeSet<String> = w["allow"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["destination"].as_str().unwrap().to_string())
            .collect();
        for b in w["not_through_firewall"].as_array().unwrap() {
            assert!(!b["why"].as_str().unwrap().is_empty());
            listed.insert(b["destination"].as_str().unwrap().to_string());
        }
        for (tag, ..) in OUTBOUND {
            let tag = tag.replace("{region}", region);
            assert!(listed.contains(&tag), "{}: {tag} missing", w["workspace"]);
        }
        for a in w["allow"].as_array().unwrap() {
            assert!(!a["why"].as_str().unwrap().is_empty());
            assert!(!a["sources"].as_array().unwrap().is_empty());
        }
    }
    // The posture's FQDNs: the Python packages preset and the conda mirror.
    let fqdns: BTreeSet<&str> = lists
        .iter()
        .flat_map(|w| w["allow"].as_array().unwrap())
        .filter(|a| a["kind"] == "fqdn")
        .map(|a| a["destination"].as_str().unwrap())
        .collect();
    for host in ["pypi.org", "*.anaconda.org", "conda.contoso.com"] {
        assert!(fqdns.contains(host), "{host}: {fqdns:?}");
    }
}

#[test]
fn the_rule_collection_group_says_the_same_in_bicep_and_arm() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let bicep = std::fs::read_to_string(root.join("out/hub-firewall/main.bicep")).unwrap();
    let arm: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("out/hub-firewall/azuredeploy.json")).unwrap(),
    )
    .unwrap();
    let group = &arm["resources"][0];
    assert_eq!(
        group["type"],
        "Microsoft.Network/firewallPolicies/ruleCollectionGroups"
    );
    assert!(bicep.contains(&format!(
        "resource ruleCollectionGroup 'Microsoft.Network/firewallPolicies/ruleCollectionGroups@{}'",
        group["apiVersion"].as_str().unwrap()
    )));
    let collections = group["properties"]["ruleCollections"].as_array().unwrap();
    let rules: usize = collections
        .iter()
        .map(|c| c["rules"].as_array().unwrap().len())
        .sum();
    assert_eq!(bicep.matches("ruleType: ").count(), rules);
    assert_eq!(
        bicep.matches("ruleCollectionType: ").count(),
        collections.len()
    );
    for c in collections {
        assert!(bicep.contains(&format!("name: '{}'", c["name"].as_str().unwrap())));
        for r in c["rules"].as_array().unwrap() {
            assert!(bicep.contains(&format!("name: '{}'", r["name"].as_str().unwrap())));
        }
    }
    // The allowlist and the rule collection group hold the same rules.
    let allow: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("out/hub-firewall/allowlist.json")).unwrap(),
    )
    .unwrap();
    let listed: usize = allow["workspaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["allow"].as_array().unwrap().len())
        .sum();
    assert_eq!(listed, rules);
    assert!(arm::validate_template(&arm).is_empty());
}

#[test]
fn added_rules_never_share_a_priority() {
    // An unnumbered rule before one written at 1000: the first must not
    // take 1000 too (Azure refuses two rules of a direction at one priority).
    let extra = r#"
      nsg_extra "deny-smtp"  { access = deny  protocol = tcp  destination = "Internet"  ports = "25" }
      nsg_extra "deny-irc"   { access = deny  protocol = tcp  destination = "Internet"  ports = "6667"  priority = 1000 }
      nsg_extra "deny-telnet" { access = deny  protocol = tcp  destination = "Internet"  ports = "23" }
    "#;
    let files = build(&posture(false, "10.70.0.0/24", 4, extra));
    let rs = workspace_resources(&files, "mlw-spoke");
    let nsg = of_type(&rs, "Microsoft.Network/networkSecurityGroups")
        .into_iter()
        .find(|n| n["name"] == "nsg-mlw-spoke-training")
        .unwrap();
    let mut seen = BTreeSet::new();
    let mut added = Vec::new();
    for r in nsg["properties"]["securityRules"].as_array().unwrap() {
        let p = &r["properties"];
        let key = (
            p["direction"].as_str().unwrap().to_string(),
            p["priority"].as_u64().unwrap(),
        );
        assert!(seen.insert(key.clone()), "priority taken twice: {key:?}");
        if p["access"] == "Deny" {
            added.push((r["name"].as_str().unwrap().to_string(), key.1));
        }
    }
    assert_eq!(
        added,
        [
            ("deny-smtp".to_string(), 1010),
            ("deny-irc".to_string(), 1000),
            ("deny-telnet".to_string(), 1020)
        ]
    );
}
