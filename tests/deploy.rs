//! `DEPLOY.md`: every command names only files of the build, posture
//! values reach the shell as one word, a fleet deploys a workspace after
//! the one whose resources it uses, and the cost figures are the price
//! table's arithmetic.

#[path = "common/postures.rs"]
mod postures;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use amlgen::catalog::prices::{self, Meter};
use amlgen::emit::BuildOptions;
use amlgen::manifest::Target;
use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// All examples as one build, as `out/` is made, with these targets.
fn examples(targets: Vec<Target>) -> BTreeMap<String, String> {
    let outcome = amlgen::compile(
        postures::inputs_of(&["examples"]),
        &amlgen::Options::default(),
    );
    assert!(!outcome.has_errors());
    let options = BuildOptions {
        version: "0.0.0-test".into(),
        targets,
        ..BuildOptions::default()
    };
    amlgen::driver::emit(&outcome, &options).unwrap()
}

fn fleet(text: String) -> BTreeMap<String, String> {
    postures::build_text("fleet.aml", text, None).unwrap()
}

fn fleet_posture() -> String {
    std::fs::read_to_string(root().join("tests/data/deploy/fleet-shared-zones.aml")).unwrap()
}

/// The command lines of a `DEPLOY.md` (the lines of its `sh` blocks).
fn command_lines(deploy: &str) -> Vec<&str> {
    let mut inside = false;
    let mut out = Vec::new();
    for line in deploy.lines() {
        let t = line.trim();
        if t.starts_with("```") {
            inside = t == "```sh";
            continue;
        }
        if inside && !t.starts_with('#') && !t.is_empty() {
            out.push(t);
        }
    }
    out
}

/// The build paths the command lines name (words starting with a folder
/// of the build), and those the build does not hold.
fn paths(deploy: &str, files: &BTreeMap<String, String>) -> (usize, Vec<String>) {
    let mut named = 0;
    let mut missing = Vec::new();
    for line in command_lines(deploy) {
        for word in line.split_whitespace() {
            let w = word
                .trim_start_matches('(')
                .trim_end_matches(')')
                .replace('\'', "");
            if !["workspaces/", "policies/", "hub-firewall/", "epac/"]
                .iter()
                .any(|p| w.starts_with(p))
            {
                continue;
            }
            named += 1;
            let dir = format!("{w}/");
            if !files.contains_key(&w) && !files.keys().any(|k| k.starts_with(&dir)) {
                missing.push(w);
            }
        }
    }
    (named, missing)
}

#[test]
fn every_command_names_only_paths_of_the_build() {
    let builds = [
        (
            "examples, all targets",
            examples(vec![Target::Bicep, Target::Terraform]),
        ),
        ("examples, Bicep", examples(vec![Target::Bicep])),
        ("examples, Terraform", examples(vec![Target::Terraform])),
        ("fleet", fleet(fleet_posture())),
    ];
    for (what, files) in &builds {
        let deploy = &files["DEPLOY.md"];
        let (named, missing) = paths(deploy, files);
        assert!(named >= 4, "{what}: only {named} paths named");
        assert!(missing.is_empty(), "{what}: {missing:?}");
    }
    // The check sees a path the build does not hold.
    let (files_name, files) = &builds[0];
    let broken = files["DEPLOY.md"].replace("main.bicepparam", "main.bicepparm");
    assert!(!paths(&broken, files).1.is_empty(), "{files_name}");
}

#[test]
fn every_example_has_its_workspaces_policies_and_the_hub_firewall_in_deploy_md() {
    let files = examples(vec![Target::Bicep, Target::Terraform]);
    let deploy = &files["DEPLOY.md"];
    let manifest = amlgen::manifest::Manifest::parse(&files[amlgen::manifest::FILE_NAME]).unwrap();
    for name in manifest.workspaces.keys() {
        assert!(
            deploy.contains(&format!("--template-file workspaces/{name}/main.bicep")),
            "{name}"
        );
    }
    for name in manifest.policies.keys() {
        assert!(
            deploy.contains(&format!("policies/{name}/main.bicep")),
            "{name}"
        );
    }
    assert!(deploy.contains("hub-firewall/main.bicep"));
    assert!(deploy.contains("--include-spark"));
    assert!(deploy.contains(&format!("at list price on {}", prices::TABLE_DATE)));
    assert!(deploy.contains("not a quote"));
}

/// The position of a workspace's section among the workspaces.
fn section(deploy: &str, name: &str) -> usize {
    let workspaces = deploy.find("## The workspaces").unwrap();
    workspaces
        + deploy[workspaces..]
            .find(&format!(". `{name}`\n"))
            .unwrap_or_else(|| panic!("no section for {name}"))
}

#[test]
fn a_fleet_deploys_the_workspace_that_creates_shared_zones_first() {
    let text = fleet_posture();
    let files = fleet(text.clone());
    let deploy = &files["DEPLOY.md"];
    // `mlw-uses` comes first in the file, but registers in the zones
    // `mlw-makes` creates.
    assert!(text.find("\"mlw-uses\"").unwrap() < text.find("\"mlw-makes\"").unwrap());
    assert!(
        section(deploy, "mlw-makes") < section(deploy, "mlw-uses"),
        "{deploy}"
    );
    assert!(deploy.contains("After `mlw-makes` (it creates `privatelink."));
    // With the zones in another group, nothing is shared: the build's order.
    let apart = fleet(text.replace(
        "resourceGroups/rg-net/providers/Microsoft.Network/privateDnsZones",
        "resourceGroups/rg-hub/providers/Microsoft.Network/privateDnsZones",
    ));
    let deploy = &apart["DEPLOY.md"];
    assert!(
        section(deploy, "mlw-uses") < section(deploy, "mlw-makes"),
        "{deploy}"
    );
    assert!(!deploy.contains("After `"));
}

#[test]
fn posture_values_reach_the_shell_as_one_word() {
    // Parentheses and dots are legal in a resource group name, and special
    // to a shell.
    let group = "rg-(ml).x";
    let text = fleet_posture().replace("\"rg-uses\"", &format!("\"{group}\""));
    let files = fleet(text);
    let deploy = &files["DEPLOY.md"];
    let mut seen = 0;
    for line in command_lines(deploy)
        .into_iter()
        .filter(|l| l.contains("rg-(ml)"))
    {
        // A stand-in `az` that prints its arguments, one a line.
        let out = Command::new("bash")
            .arg("-c")
            .arg(format!(
                "az() {{ printf '%s\\n' \"$@\"; }}; DEPLOYER=d; SUBSCRIPTION=s; {line}"
            ))
            .output()
            .expect("bash runs");
        assert!(
            out.status.success(),
            "{line}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let args = String::from_utf8(out.stdout).unwrap();
        let args: Vec<&str> = args.lines().collect();
        assert!(
            args.iter().any(|a| *a == group
                || a.ends_with(&format!("/resourceGroups/{group}"))
                || a.ends_with(&format!("/{group})"))),
            "{line}: {args:?}"
        );
        seen += 1;
    }
    assert!(seen >= 3, "{deploy}");
}

/// Every object of a JSON value with this `type`, nested templates too.
fn of_type<'a>(v: &'a Value, t: &str, out: &mut Vec<&'a Value>) {
    match v {
        Value::Object(o) => {
            if o.get("type").and_then(Value::as_str) == Some(t) {
                out.push(v);
            }
            o.values().for_each(|x| of_type(x, t, out));
        }
        Value::Array(a) => a.iter().for_each(|x| of_type(x, t, out)),
        _ => {}
    }
}

/// A workspace's expected monthly figure, from its ARM JSON and the
/// price table: `None` when its required endpoints cannot be read there
/// (internet-outbound mode with an existing associated resource).
fn expected_micro(arm: &Value) -> Option<u64> {
    let mut ws = Vec::new();
    of_type(arm, "Microsoft.MachineLearningServices/workspaces", &mut ws);
    let last = ws.last()?;
    let net = &last["properties"]["managedNetwork"];
    let mode = net["isolationMode"].as_str().unwrap_or("Disabled");
    let rules: Vec<&Value> = ws
        .iter()
        .filter_map(|w| w["properties"]["managedNetwork"]["outboundRules"].as_object())
        .flat_map(|o| o.values())
        .collect();
    let fqdn = rules.iter().any(|r| r["type"] == "FQDN");
    let mut names = std::collections::BTreeSet::new();
    for w in &ws {
        if let Some(o) = w["properties"]["managedNetwork"]["outboundRules"].as_object() {
            for (k, r) in o {
                if r["type"] == "PrivateEndpoint" {
                    names.insert(k.clone());
                }
            }
        }
    }
    let mut pes = Vec::new();
    of_type(arm, "Microsoft.Network/privateEndpoints", &mut pes);
    let required = match mode {
        "AllowOnlyApprovedOutbound" => 4,
        "AllowInternetOutbound" => {
            let disabled = |t: &str| {
                let mut v = Vec::new();
                of_type(arm, t, &mut v);
                v.first()
                    .map(|r| r["properties"]["publicNetworkAccess"] == "Disabled")
            };
            let ws_disabled = last["properties"]["publicNetworkAccess"] == "Disabled";
            let others = [
                disabled("Microsoft.Storage/storageAccounts")?,
                disabled("Microsoft.KeyVault/vaults")?,
                disabled("Microsoft.ContainerRegistry/registries")?,
            ];
            usize::from(ws_disabled) + others.iter().filter(|b| **b).count()
        }
        _ => 0,
    };
    let managed = mode != "Disabled";
    let n = (pes.len() + if managed { names.len() + required } else { 0 }) as u64;
    let p = |m: Meter| prices::price(m).micro_usd;
    let mut total = 0;
    if mode == "AllowOnlyApprovedOutbound" && fqdn {
        let (hour, gb) = match net["firewallSku"].as_str() {
            Some("Basic") => (Meter::FirewallBasicHour, Meter::FirewallBasicGb),
            _ => (Meter::FirewallStandardHour, Meter::FirewallStandardGb),
        };
        total += prices::HOURS_PER_MONTH * p(hour) + prices::FIREWALL_GB_PER_MONTH * p(gb);
    }
    total += n * prices::HOURS_PER_MONTH * p(Meter::PrivateEndpointHour);
    total += n
        * prices::ENDPOINT_GB_PER_MONTH_EACH_WAY
        * (p(Meter::PrivateEndpointIngressGb) + p(Meter::PrivateEndpointEgressGb));
    Some(total)
}

#[test]
fn cost_figures_are_the_price_table_arithmetic() {
    let files = examples(vec![Target::Bicep]);
    let deploy = &files["DEPLOY.md"];
    let manifest = amlgen::manifest::Manifest::parse(&files[amlgen::manifest::FILE_NAME]).unwrap();
    let mut checked = 0;
    let mut firewalls = 0;
    let mut sum = 0;
    for name in manifest.workspaces.keys() {
        let report = &files[&format!("workspaces/{name}/REPORT.md")];
        // The report's total: its table's last row, or no table when
        // nothing is billed.
        let reported = report
            .lines()
            .find_map(|l| l.strip_prefix("| **total** | | **"))
            .map(|l| l.trim_end_matches("** |").to_string())
            .or_else(|| {
                report
                    .contains("USD 0.00 a month")
                    .then(|| "0.00".to_string())
            })
            .unwrap_or_else(|| panic!("{name}: no total"));
        let row = deploy
            .lines()
            .find(|l| l.starts_with(&format!("| `{name}` |")))
            .unwrap_or_else(|| panic!("{name}: no row"));
        let figure = row.rsplit('|').nth(1).unwrap().trim().to_string();
        assert_eq!(reported, figure, "{name}");
        let cents: u64 = figure.replace('.', "").parse().unwrap();
        sum += cents;
        let arm: Value =
            serde_json::from_str(&files[&format!("workspaces/{name}/azuredeploy.json")]).unwrap();
        if let Some(expected) = expected_micro(&arm) {
            assert_eq!(figure, prices::usd(expected), "{name}");
            checked += 1;
            if report.contains("Azure Firewall Standard, deployment")
                || report.contains("Azure Firewall Basic, deployment")
            {
                firewalls += 1;
            }
        }
        assert!(report.contains(&format!("at list price on {}", prices::TABLE_DATE)));
    }
    assert!(
        checked >= 8 && firewalls >= 2,
        "{checked} checked, {firewalls} with a firewall"
    );
    let build = deploy
        .lines()
        .find(|l| l.starts_with("| **the build** |"))
        .unwrap();
    assert!(
        build.ends_with(&format!("**{}.{:02}** |", sum / 100, sum % 100)),
        "{build}"
    );
}

/// Two subscription (or management group) deployments of one name in
/// different locations are refused (`InvalidDeploymentLocation`), and a
/// deployment is named after its template file unless `--name` says
/// otherwise: every `az deployment sub|mg create` of `DEPLOY.md` has its
/// own name, one name per scope and location. The examples have deployer
/// roles in one subscription but three regions.
#[test]
fn subscription_and_management_group_deployments_have_their_own_names() {
    let files = examples(vec![Target::Bicep, Target::Terraform]);
    let deploy = &files["DEPLOY.md"];
    let mut seen: BTreeMap<(String, String), String> = BTreeMap::new();
    let mut count = 0;
    for line in command_lines(deploy) {
        if !(line.starts_with("az deployment sub create")
            || line.starts_with("az deployment mg create"))
        {
            continue;
        }
        count += 1;
        let words: Vec<&str> = line.split_whitespace().collect();
        let value = |flag: &str| {
            words
                .iter()
                .position(|w| *w == flag)
                .and_then(|i| words.get(i + 1))
                .map(|s| (*s).to_string())
        };
        let name = value("--name").unwrap_or_else(|| panic!("no --name: {line}"));
        let scope = value("--management-group-id")
            .or_else(|| value("--subscription"))
            .unwrap_or_else(|| "the signed-in subscription".into());
        let location = value("--location").unwrap_or_default();
        if let Some(other) = seen.insert((scope.clone(), name.clone()), location.clone()) {
            assert_eq!(
                other, location,
                "deployment `{name}` in `{scope}` at two locations"
            );
        }
    }
    assert!(count > 3, "{deploy}");
}

/// A two-phase workspace's first-deployment flag is Bicep's and the ARM
/// JSON's: the Terraform line takes none, and the text says so rather than
/// sending a Terraform user to look for "the flag below".
#[test]
fn the_first_deployment_flag_is_said_to_be_bicep_and_arm_only() {
    let files = examples(vec![Target::Bicep, Target::Terraform]);
    let deploy = &files["DEPLOY.md"];
    let intros: Vec<&str> = deploy
        .lines()
        .filter(|l| l.contains("`firstDeployment` (the flag below)"))
        .collect();
    assert!(!intros.is_empty(), "{deploy}");
    for l in intros {
        assert!(l.contains("with Bicep or the ARM JSON"), "{l}");
        assert!(l.contains("Terraform takes no flag"), "{l}");
    }
    for l in command_lines(deploy) {
        if l.contains("terraform apply") {
            assert!(!l.to_lowercase().contains("first"), "{l}");
        }
    }
}

/// An exemption a policy block carries is placed on its workspace's
/// resource group, which must exist when the block is deployed: DEPLOY.md
/// creates that group before the block's deployment.
#[test]
fn resource_groups_of_exempted_workspaces_exist_before_their_policy_blocks() {
    let files = examples(vec![Target::Bicep]);
    let deploy = &files["DEPLOY.md"];
    let mut checked = 0;
    for (path, text) in &files {
        let Some(name) = path
            .strip_prefix("policies/")
            .and_then(|p| p.strip_suffix("/exemptions.json"))
        else {
            continue;
        };
        let exemptions: Value = serde_json::from_str(text).unwrap();
        let policy_at = deploy
            .find(&format!("policies/{name}/"))
            .unwrap_or_else(|| panic!("DEPLOY.md does not deploy policy `{name}`"));
        for e in exemptions.as_array().unwrap() {
            let ws = e["properties"]["metadata"]["workspace"].as_str().unwrap();
            // The workspace's group, as its own deployment names it.
            let line = deploy
                .lines()
                .find(|l| {
                    l.starts_with("az deployment group create")
                        && l.contains(&format!("workspaces/{ws}/"))
                })
                .unwrap_or_else(|| panic!("no deployment of {ws}"));
            let rg = line
                .split_whitespace()
                .skip_while(|w| *w != "--resource-group")
                .nth(1)
                .unwrap();
            let created = deploy
                .find(&format!("az group create --name {rg} "))
                .unwrap_or_else(|| panic!("DEPLOY.md never creates {rg}"));
            assert!(
                created < policy_at,
                "{rg} (exempted workspace {ws}) is created after policy `{name}` is deployed"
            );
            checked += 1;
        }
    }
    assert!(checked > 0, "the examples carry an exemption");
}
