//! The brownfield round trip, for every legal posture of the suite and
//! every example: build → read the build's own ARM template as deployed
//! resources → add what Azure adds on a GET (ids, `provisioningState`,
//! the platform's required rules, principal ids: `common/deployed.rs`) →
//! `import` → build the imported posture → the same resources (type, id,
//! body). And `diff` of the posture against its own deployed form finds
//! nothing. The imported posture of each example is snapshotted.

#[path = "common/deployed.rs"]
mod deployed;
#[path = "common/postures.rs"]
mod postures;

use std::collections::BTreeMap;

use amlgen::deployed::DeployedResource;
use amlgen::deployed::read::{Scope, read_text};
use amlgen::diag::Diagnostics;
use amlgen::source::SourceMap;

/// The subscription a workspace's resources are read in when its posture
/// states none (a build's template names the subscription it is deployed to).
const SUBSCRIPTION: &str = "00000000-0000-0000-0000-0000000000ff";

/// The workspaces of a build's manifest: name → (subscription, group).
fn workspaces(files: &BTreeMap<String, String>) -> Vec<(String, String, String)> {
    let manifest: serde_json::Value =
        serde_json::from_str(&files["amlgen.lock.json"]).expect("the manifest is JSON");
    let mut out = Vec::new();
    for (name, w) in manifest["workspaces"].as_object().unwrap() {
        out.push((
            name.clone(),
            w["subscription_id"]
                .as_str()
                .unwrap_or(SUBSCRIPTION)
                .to_string(),
            w["resource_group"].as_str().unwrap().to_string(),
        ));
    }
    out
}

/// The resources one workspace's template deploys, read as `import` reads a template.
fn template_resources(
    files: &BTreeMap<String, String>,
    ws: &str,
    sub: &str,
    rg: &str,
) -> Result<Vec<DeployedResource>, String> {
    let path = format!("workspaces/{ws}/azuredeploy.json");
    let mut sources = SourceMap::default();
    let mut diags = Diagnostics::default();
    let scope = Scope {
        subscription_id: Some(sub.to_string()),
        resource_group: Some(rg.to_string()),
        ..Scope::default()
    };
    let r = read_text(&path, &files[&path], &scope, &mut sources, &mut diags);
    if diags.has_errors() {
        return Err(format!(
            "{path}: the reader reports {:?}",
            diags.into_sorted()
        ));
    }
    Ok(r)
}

/// The resources as a comparable map: lowercase id → (type, body).
fn comparable(rs: &[DeployedResource]) -> BTreeMap<String, (String, serde_json::Value)> {
    rs.iter()
        .map(|r| {
            (
                r.id.to_ascii_lowercase(),
                (
                    r.arm_type.clone(),
                    serde_json::Value::Object(r.body.clone()),
                ),
            )
        })
        .collect()
}

/// One workspace's round trip; `Ok` holds the imported posture.
fn round_trip(
    posture: &str,
    files: &BTreeMap<String, String>,
    ws: &str,
    sub: &str,
    rg: &str,
) -> Result<String, String> {
    let before = template_resources(files, ws, sub, rg)?;
    let as_deployed = serde_json::to_string_pretty(&deployed::deployed_form(&before)).unwrap();
    let mut sources = SourceMap::default();
    let mut diags = Diagnostics::default();
    let read = read_text(
        "deployed.json",
        &as_deployed,
        &Scope::default(),
        &mut sources,
        &mut diags,
    );
    let observed = amlgen::deployed::observe::observe(&read);
    let imported = amlgen::import::posture(&observed, &mut diags);
    if diags.has_errors() {
        return Err(format!("import reports errors: {:?}", diags.into_sorted()));
    }
    let rebuilt = postures::build_text("imported.aml", imported.clone(), None)
        .map_err(|e| format!("the imported posture does not build: {e}\n{imported}"))?;
    let after = template_resources(&rebuilt, ws, sub, rg)?;
    let (a, b) = (comparable(&before), comparable(&after));
    let mut problems = Vec::new();
    for (id, x) in &a {
        match b.get(id) {
            None => problems.push(format!("lost: {id}")),
            Some(y) if x != y => {
                problems.push(format!("changed: {id}\n  before {}\n  after  {}", x.1, y.1));
            }
            Some(_) => {}
        }
    }
    problems.extend(
        b.keys()
            .filter(|id| !a.contains_key(*id))
            .map(|id| format!("added: {id}")),
    );
    // `diff` of the original posture against its own deployed form.
    let outcome = amlgen::compile(
        vec![amlgen::Input {
            name: "posture.aml".into(),
            text: posture.to_string(),
        }],
        &amlgen::Options::default(),
    );
    if let Some(checked) = &outcome.checked {
        let mut drift = Diagnostics::default();
        let own: Vec<_> = observed
            .workspaces
            .iter()
            .filter(|w| w.name.eq_ignore_ascii_case(ws))
            .cloned()
            .collect();
        let only = amlgen::deployed::model::Observed {
            workspaces: own,
            ignored: Vec::new(),
        };
        amlgen::drift::diff(checked, &outcome.sources, &only, &mut drift);
        let found: Vec<String> = drift
            .into_sorted()
            .into_iter()
            // The build's other workspaces are not in this one's deployed
            // form: their "not deployed" notes are expected.
            .filter(|d| {
                d.code.id().starts_with("AML42")
                    && (!["AML4206", "AML4207"].contains(&d.code.id())
                        || d.message.contains(&format!("`{ws}`")))
            })
            .map(|d| format!("{}: {}", d.code.id(), d.message))
            .collect();
        if !found.is_empty() {
            problems.push(format!("diff against its own deployed form: {found:?}"));
        }
    }
    if problems.is_empty() {
        Ok(imported)
    } else {
        Err(format!(
            "{}\n--- imported posture:\n{imported}",
            problems.join("\n")
        ))
    }
}

#[test]
fn every_legal_posture_round_trips() {
    let cases = postures::legal_postures();
    assert!(cases.len() > 100, "only {} legal postures", cases.len());
    let mut problems = Vec::new();
    let mut count = 0;
    for (path, previous) in &cases {
        let Ok(files) = postures::build_file(path, previous.as_deref()) else {
            continue; // tests/legal_postures.rs reports it
        };
        let text = postures::read_posture(path);
        for (ws, sub, rg) in workspaces(&files) {
            count += 1;
            if let Err(e) = round_trip(&text, &files, &ws, &sub, &rg) {
                problems.push(format!("{} ({ws}): {e}", path.display()));
            }
        }
    }
    assert!(count > 150, "only {count} workspaces");
    assert!(
        problems.is_empty(),
        "{} of {count} workspaces do not round trip:\n{}",
        problems.len(),
        problems.join("\n\n")
    );
}

#[test]
fn imported_examples() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for (path, _) in postures::legal_postures() {
        if !path.starts_with(root.join("examples")) {
            continue;
        }
        let files = postures::build_file(&path, None).unwrap();
        let text = postures::read_posture(&path);
        let example = path
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy();
        for (ws, sub, rg) in workspaces(&files) {
            let imported = round_trip(&text, &files, &ws, &sub, &rg).unwrap();
            insta::assert_snapshot!(format!("imported-{example}-{ws}"), imported);
        }
    }
}

/// Strings from deployed files land in the imported posture escaped: a
/// tag value that tries to close the string, interpolate or start a
/// comment reads back as the same text, and nothing else changes.
#[test]
fn hostile_strings_round_trip_through_import() {
    let mut tags = serde_json::Map::new();
    for (i, s) in postures::NASTY.iter().enumerate() {
        tags.insert(format!("t{i} \"${{x}}\" #"), serde_json::Value::from(*s));
    }
    let ws = serde_json::json!({
        "id": "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/mlw-demo",
        "name": "mlw-demo",
        "type": "Microsoft.MachineLearningServices/workspaces",
        "location": "westeurope",
        "tags": tags,
        "identity": { "type": "SystemAssigned" },
        "properties": {
            "publicNetworkAccess": "Enabled",
            "storageAccount": "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-ml/providers/Microsoft.Storage/storageAccounts/st1",
            "keyVault": "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-ml/providers/Microsoft.KeyVault/vaults/kv1",
            "containerRegistry": "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-ml/providers/Microsoft.ContainerRegistry/registries/cr1",
            "applicationInsights": "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-ml/providers/Microsoft.Insights/components/appi1",
            "imageBuildCompute": "it's\"${x}\n// x",
            "friendlyName": "x\n}\nworkspace \"evil\" {\n# ${y}",
            "description": "\r\u{2028}}\"",
            "managedNetwork": {
                "isolationMode": "AllowOnlyApprovedOutbound",
                "outboundRules": {
                    "r\"1\n}": { "type": "FQDN", "category": "UserDefined", "destination": "a\"b\n} workspace \"evil2\" {" },
                    "tagged": { "type": "ServiceTag", "category": "UserDefined",
                        "destination": { "serviceTag": "x\"}", "protocol": "TCP", "portRanges": "1\"\n}", "addressPrefixes": ["\n}"] } }
                }
            }
        }
    });
    let mut sources = SourceMap::default();
    let mut diags = Diagnostics::default();
    let read = read_text(
        "ws.json",
        &ws.to_string(),
        &Scope::default(),
        &mut sources,
        &mut diags,
    );
    let observed = amlgen::deployed::observe::observe(&read);
    let imported = amlgen::import::posture(&observed, &mut diags);
    let outcome = amlgen::compile(
        vec![amlgen::Input {
            name: "imported.aml".into(),
            text: imported.clone(),
        }],
        &amlgen::Options::default(),
    );
    // Nothing closes a string, a block or a comment early: no syntax
    // error, and one workspace.
    let syntax: Vec<_> = outcome
        .diagnostics
        .iter()
        .filter(|d| d.code.id().starts_with("AML0") || d.code.id().starts_with("AML1"))
        .collect();
    assert!(syntax.is_empty(), "{syntax:?}\n{imported}");
    assert!(
        !imported
            .lines()
            .any(|l| l.trim_start().starts_with("workspace \"evil")),
        "{imported}"
    );
    // The hostile rule names are refused as names (AML2011) by the checker,
    // so build only the tags' part of the posture below.
    let imported = imported
        .lines()
        .filter(|l| !l.trim_start().starts_with("rule "))
        .collect::<Vec<_>>()
        .join("\n");
    let outcome = amlgen::compile(
        vec![amlgen::Input {
            name: "imported.aml".into(),
            text: imported.clone(),
        }],
        &amlgen::Options::default(),
    );
    let checked = outcome
        .checked
        .unwrap_or_else(|| panic!("{:?}\n{imported}", outcome.diagnostics));
    let got = checked.posture().workspaces[0].tags.clone();
    let want: BTreeMap<String, String> = tags
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .collect();
    assert_eq!(got, want, "{imported}");
}
