//! Every control of the catalogue, run through the offline evaluator over
//! hand-made resources (`tests/data/policy-controls/`): each denies or
//! audits at least one non-compliant resource and lets at least one
//! compliant resource through. And self-consistency: every resource amlgen
//! emits for a posture complies with every `deny` control of that
//! posture's policy blocks.

use std::path::{Path, PathBuf};

use amlgen::catalog::controls::{self, Chosen};
use amlgen::ir::{Control, Effect, FqdnPattern, IsolationMode, RuleKind};
use serde_json::{Map, Value, json};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn assignment(c: &Chosen) -> Map<String, Value> {
    let mut p = c.parameters.clone();
    p.insert("effect".into(), json!(c.effect));
    p
}

/// The control and effect each fixture folder exercises, and the
/// reference id of the definition under test.
fn cases() -> Vec<(&'static str, Control, Effect, &'static str)> {
    use IsolationMode::{AllowInternetOutbound, AllowOnlyApprovedOutbound};
    vec![
        (
            "workspace-public-network-access",
            Control::PrivateEndpoints {
                allow_selected_ips: false,
            },
            Effect::Deny,
            "workspace-public-network-access",
        ),
        (
            "workspace-public-network-access-selected-ips",
            Control::PrivateEndpoints {
                allow_selected_ips: true,
            },
            Effect::Deny,
            "workspace-public-network-access",
        ),
        (
            "workspace-private-link",
            Control::PrivateLink,
            Effect::Audit,
            "workspace-private-link",
        ),
        (
            "compute-public-ip",
            Control::PublicIpCompute,
            Effect::Deny,
            "compute-public-ip",
        ),
        (
            "serverless-public-ip",
            Control::PublicIpCompute,
            Effect::Deny,
            "serverless-public-ip",
        ),
        (
            "compute-setup-script",
            Control::SetupScript {
                script: Some("Users/admin/harden.sh".into()),
            },
            Effect::Deny,
            "compute-setup-script",
        ),
        (
            "workspace-isolation-mode",
            Control::IsolationMode {
                allowed: vec![AllowOnlyApprovedOutbound],
            },
            Effect::Deny,
            "workspace-isolation-mode",
        ),
        (
            "workspace-isolation-mode-disabled",
            Control::IsolationMode {
                allowed: vec![IsolationMode::Disabled],
            },
            Effect::Deny,
            "workspace-isolation-mode",
        ),
        (
            "workspace-isolation-modes",
            Control::IsolationMode {
                allowed: vec![AllowInternetOutbound, AllowOnlyApprovedOutbound],
            },
            Effect::Deny,
            "workspace-isolation-mode",
        ),
        (
            "outbound-rules",
            Control::OutboundRules {
                kinds: vec![RuleKind::PrivateEndpoint, RuleKind::Fqdn],
                fqdns: Some(vec![FqdnPattern::parse("pypi.org").unwrap()]),
            },
            Effect::Deny,
            "outbound-rules",
        ),
        (
            "compute-local-auth",
            Control::LocalAuth,
            Effect::Deny,
            "compute-local-auth",
        ),
        ("compute-ssh", Control::Ssh, Effect::Deny, "compute-ssh"),
        (
            "compute-in-subnet",
            Control::ComputeInSubnet,
            Effect::Deny,
            "compute-in-subnet",
        ),
        (
            "compute-in-subnet",
            Control::ComputeInSubnet,
            Effect::Audit,
            "compute-in-subnet",
        ),
    ]
}

fn fixtures(dir: &str) -> Vec<(PathBuf, bool)> {
    let mut out: Vec<(PathBuf, bool)> =
        std::fs::read_dir(root().join("tests/data/policy-controls").join(dir))
            .unwrap_or_else(|e| panic!("{dir}: {e}"))
            .map(|e| e.unwrap().path())
            .map(|p| {
                let bad = p
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("noncompliant-");
                (p, bad)
            })
            .collect();
    out.sort();
    out
}

#[test]
fn every_control_denies_or_audits_the_bad_and_allows_the_good() {
    for (dir, control, effect, reference) in cases() {
        let chosen = controls::choose(&control, effect);
        let c = chosen
            .iter()
            .find(|c| c.reference_id == reference)
            .unwrap_or_else(|| panic!("{dir}: no definition {reference}"));
        let files = fixtures(dir);
        assert!(
            files.iter().any(|(_, bad)| *bad),
            "{dir}: no non-compliant fixture"
        );
        assert!(
            files.iter().any(|(_, bad)| !*bad),
            "{dir}: no compliant fixture"
        );
        for (path, bad) in files {
            let resource: Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let v = amlgen::policy::evaluate(&c.definition, &assignment(c), &resource)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let name = path.file_name().unwrap().to_string_lossy();
            if bad {
                assert!(
                    v.denies() || v.audits(),
                    "{dir}/{name}: {effect:?} should refuse it, got {v:?}"
                );
                assert_eq!(v.denies(), effect == Effect::Deny, "{dir}/{name}");
            } else {
                assert!(!v.matched, "{dir}/{name}: should be allowed, got {v:?}");
            }
        }
    }
    // Every definition file of the catalogue is exercised here, except the
    // existence-check ones (tested below; the DeployIfNotExists built-in
    // has no resource-level verdict to test offline).
    let mut files = std::collections::BTreeSet::new();
    for (_, control, effect, reference) in cases() {
        for c in controls::choose(&control, effect) {
            if c.reference_id == reference {
                files.insert(match c.origin {
                    controls::Origin::BuiltIn { file, .. }
                    | controls::Origin::Custom { file, .. } => file,
                });
            }
        }
    }
    let untested: Vec<&str> = controls::CUSTOM
        .iter()
        .chain(controls::BUILT_IN)
        .map(|(stem, _)| *stem)
        .filter(|stem| !files.contains(stem))
        .collect();
    assert_eq!(
        untested,
        [
            "workspace-private-dns-zones",
            "workspace-private-link",
            "Workspace_PrivateDnsZones_DINE"
        ],
        "catalogue files without a verdict test"
    );
}

/// An `auditIfNotExists` control: `if` selects the resource, and its
/// existence condition decides on the related resource.
fn existence(c: &Chosen, related: &Value) -> bool {
    let condition =
        &c.definition["properties"]["policyRule"]["then"]["details"]["existenceCondition"];
    let probe = json!({ "properties": {
        "mode": "All",
        "parameters": {},
        "policyRule": { "if": condition, "then": { "effect": "audit" } },
    } });
    amlgen::policy::evaluate(&probe, &Map::new(), related)
        .unwrap_or_else(|e| panic!("{e}"))
        .matched
}

#[test]
fn existence_controls_select_the_resource_and_check_the_related_one() {
    let ws = json!({ "type": "Microsoft.MachineLearningServices/workspaces", "name": "mlw-demo", "properties": {} });
    let link = controls::choose(&Control::PrivateLink, Effect::AuditIfNotExists).remove(0);
    let v = amlgen::policy::evaluate(&link.definition, &assignment(&link), &ws).unwrap();
    assert!(v.needs_existence_check(), "{v:?}");
    let approved = json!({ "type": "Microsoft.MachineLearningServices/workspaces/privateEndpointConnections", "name": "mlw-demo/pe",
        "properties": { "privateLinkServiceConnectionState": { "status": "Approved" } } });
    let pending = json!({ "type": "Microsoft.MachineLearningServices/workspaces/privateEndpointConnections", "name": "mlw-demo/pe",
        "properties": { "privateLinkServiceConnectionState": { "status": "Pending" } } });
    assert!(existence(&link, &approved));
    // An AI Foundry project is reached through its hub's private endpoints.
    let project = json!({ "type": "Microsoft.MachineLearningServices/workspaces", "name": "proj-demo", "kind": "Project", "properties": {} });
    let v = amlgen::policy::evaluate(&link.definition, &assignment(&link), &project).unwrap();
    assert!(!v.matched, "{v:?}");
    assert!(!existence(&link, &pending));

    let dns = controls::choose(
        &Control::PrivateDnsZones {
            zone_ids: Vec::new(),
        },
        Effect::AuditIfNotExists,
    )
    .remove(0);
    let pe = |group: &str| {
        json!({ "type": "Microsoft.Network/privateEndpoints", "name": "pe-x",
        "properties": { "privateLinkServiceConnections": [ { "name": "c", "properties": { "privateLinkServiceId": "/x", "groupIds": [group] } } ] } })
    };
    let v =
        amlgen::policy::evaluate(&dns.definition, &assignment(&dns), &pe("amlworkspace")).unwrap();
    assert!(v.needs_existence_check());
    let v = amlgen::policy::evaluate(&dns.definition, &assignment(&dns), &pe("blob")).unwrap();
    assert!(
        !v.matched,
        "a storage private endpoint is not this control's"
    );
    // The zone group must link both workspace zones of one cloud
    // (names from the DNS zone catalogue); a group pointing at any other
    // zone, or at one of the two, does not comply.
    let group = |zones: &[&str]| {
        let configs: Vec<Value> = zones.iter().enumerate().map(|(i, z)| json!({ "name": format!("c{i}"), "properties": {
            "privateDnsZoneId": format!("/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg-hub-dns/providers/Microsoft.Network/privateDnsZones/{z}") } })).collect();
        json!({ "type": "Microsoft.Network/privateEndpoints/privateDnsZoneGroups", "name": "pe-x/default",
            "properties": { "privateDnsZoneConfigs": configs } })
    };
    for (_, cloud) in amlgen::ir::Cloud::ALL {
        let zones =
            amlgen::catalog::dns::zones(amlgen::ir::ClientEndpoint::Workspace, *cloud).unwrap();
        assert!(existence(&dns, &group(zones)), "{cloud:?}");
        assert!(!existence(&dns, &group(&zones[..1])), "{cloud:?}: one zone");
        assert!(!existence(&dns, &group(&zones[1..])), "{cloud:?}: one zone");
    }
    assert!(!existence(&dns, &group(&[])));
    assert!(!existence(
        &dns,
        &group(&["privatelink.blob.core.windows.net"])
    ));
    assert!(!existence(
        &dns,
        &group(&["contoso.com", "privatelink.notebooks.azure.net"])
    ));
    assert!(!existence(
        &dns,
        &group(&[
            "privatelink.api.azureml.ms.evil.com",
            "privatelink.notebooks.azure.net.evil.com"
        ])
    ));
    // Zones of two clouds mixed are not one cloud's pair.
    assert!(!existence(
        &dns,
        &group(&[
            "privatelink.api.azureml.ms",
            "privatelink.notebooks.chinacloudapi.cn"
        ])
    ));
}

/// The resources of a built workspace as Azure would see them: nested
/// deployments flattened, and the entry parameters (location, tags)
/// filled in.
fn deployed(template: &Value, out: &mut Vec<Value>) {
    let location = template["parameters"]["location"]["defaultValue"].clone();
    flatten(template, &location, out);
}

/// `[resourceId('T', 'a', 'b')]` as ARM evaluates it in a resource
/// group (a placeholder subscription and group: the controls look at the
/// id's shape, not at whose it is); other values unchanged.
fn resolve_ids(v: &mut Value) {
    match v {
        Value::String(s) => {
            let Some(args) = s
                .strip_prefix("[resourceId(")
                .and_then(|r| r.strip_suffix(")]"))
            else {
                return;
            };
            let parts: Vec<&str> = args.split(", ").map(|a| a.trim_matches('\'')).collect();
            let Some((ty, names)) = parts.split_first() else {
                return;
            };
            let mut segs = ty.split('/');
            let mut id = format!(
                "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/{}",
                segs.next().unwrap_or_default()
            );
            for (t, n) in segs.zip(names) {
                let _ = std::fmt::Write::write_fmt(&mut id, format_args!("/{t}/{n}"));
            }
            *s = id;
        }
        Value::Array(items) => items.iter_mut().for_each(resolve_ids),
        Value::Object(m) => m.values_mut().for_each(resolve_ids),
        _ => {}
    }
}

fn flatten(t: &Value, location: &Value, out: &mut Vec<Value>) {
    for r in t["resources"].as_array().into_iter().flatten() {
        if r["type"] == "Microsoft.Resources/deployments" {
            flatten(&r["properties"]["template"], location, out);
            continue;
        }
        let mut r = r.clone();
        if let Some(p) = r.get_mut("properties") {
            resolve_ids(p);
        }
        if let Value::Object(m) = &mut r {
            m.insert("location".into(), location.clone());
            m.insert("tags".into(), json!({}));
            m.remove("dependsOn");
            m.remove("apiVersion");
        }
        out.push(r);
    }
}

/// Every posture of the suite with a policy block: the examples and the
/// legal ui cases.
fn postures_with_policies() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root().join("examples"), root().join("tests/ui")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            if p.extension().is_none_or(|x| x != "aml") {
                continue;
            }
            // Some cases are not UTF-8 on purpose (AML0006).
            let text = String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned();
            let legal = p.starts_with(root().join("examples"))
                || text.lines().any(|l| l.starts_with("# neighbour-of:"));
            if legal
                && text
                    .lines()
                    .any(|l| l.trim_start().starts_with("policy \""))
                && !text.contains("# previous:")
            {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn what_amlgen_emits_complies_with_the_posture_own_deny_controls() {
    let cases = postures_with_policies();
    assert!(cases.len() >= 5, "{cases:?}");
    let mut checked = 0;
    let mut problems = Vec::new();
    for path in cases {
        let outcome = amlgen::compile(
            vec![amlgen::Input {
                name: path.display().to_string(),
                text: std::fs::read_to_string(&path).unwrap(),
            }],
            &amlgen::Options::default(),
        );
        let Some(checked_posture) = &outcome.checked else {
            panic!("{} does not check", path.display());
        };
        let posture = checked_posture.posture();
        let files: Vec<(String, String)> =
            amlgen::driver::emit(&outcome, &amlgen::emit::BuildOptions::default())
                .unwrap()
                .into_iter()
                .collect();
        let resources = resources_by_workspace(&files);
        // An accepted deny is exempted (checked exactly by
        // `an_accepted_deny_is_denied_by_the_definition_and_exempted_exactly`).
        let mut exempt = std::collections::BTreeSet::new();
        for (name, text) in &files {
            if name.starts_with("policies/") && name.ends_with("/exemptions.json") {
                let list: Value = serde_json::from_str(text).unwrap();
                for e in list.as_array().unwrap() {
                    for id in e["properties"]["policyDefinitionReferenceIds"]
                        .as_array()
                        .unwrap()
                    {
                        exempt.insert((
                            e["properties"]["metadata"]["workspace"]
                                .as_str()
                                .unwrap()
                                .to_string(),
                            id.as_str().unwrap().to_string(),
                        ));
                    }
                }
            }
        }
        for policy in &posture.policies {
            for pc in &policy.controls {
                if pc.effect != Effect::Deny {
                    continue;
                }
                for c in controls::choose(&pc.control, pc.effect) {
                    for (ws, r) in &resources {
                        match amlgen::policy::evaluate(&c.definition, &assignment(&c), r) {
                            Ok(v)
                                if v.denies()
                                    && exempt
                                        .contains(&(ws.clone(), c.reference_id.to_string())) =>
                            {
                                checked += 1;
                            }
                            Ok(v) if v.denies() => problems.push(format!(
                                "{}: {} denies {} {}",
                                path.display(),
                                c.reference_id,
                                r["type"],
                                r["name"]
                            )),
                            Ok(_) => checked += 1,
                            Err(e) => problems.push(format!(
                                "{}: {} on {}: {e}",
                                path.display(),
                                c.reference_id,
                                r["name"]
                            )),
                        }
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(checked > 100, "only {checked} evaluations");
}

/// The workspaces' resources of a build, by workspace name.
fn resources_by_workspace(files: &[(String, String)]) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for (name, text) in files {
        let Some(ws) = name
            .strip_prefix("workspaces/")
            .and_then(|r| r.strip_suffix("/azuredeploy.json"))
            .filter(|w| !w.contains('/'))
        else {
            continue;
        };
        let mut resources = Vec::new();
        deployed(&serde_json::from_str(text).unwrap(), &mut resources);
        out.extend(resources.into_iter().map(|r| (ws.to_string(), r)));
    }
    out
}

/// The id Azure gives a resource of a workspace's resource group.
fn resource_id(sub: &str, rg: &str, r: &Value) -> String {
    let ty = r["type"].as_str().unwrap();
    let name = r["name"].as_str().unwrap();
    let mut segs = ty.split('/');
    let mut id = format!(
        "/subscriptions/{sub}/resourceGroups/{rg}/providers/{}",
        segs.next().unwrap()
    );
    for (t, n) in segs.zip(name.split('/')) {
        let _ = std::fmt::Write::write_fmt(&mut id, format_args!("/{t}/{n}"));
    }
    id
}

/// An accepted deny, evaluated: in the guardrails example a workspace
/// accepts `AML3029` for `local_auth`. The control's definition, evaluated
/// on what amlgen deploys for it, denies it; the policy block's exemption
/// names exactly that definition's reference id in the initiative, its
/// scope holds the denied resource's id, and it has not expired on the
/// build's date. Without the acceptance the same posture does not check.
#[test]
fn an_accepted_deny_is_denied_by_the_definition_and_exempted_exactly() {
    let path = root().join("examples/guardrails/posture.aml");
    let text = std::fs::read_to_string(&path).unwrap();
    let outcome = amlgen::compile(
        vec![amlgen::Input {
            name: "examples/guardrails/posture.aml".into(),
            text: text.clone(),
        }],
        &amlgen::Options::default(),
    );
    let posture = outcome
        .checked
        .as_ref()
        .expect("the example checks")
        .posture();
    let files: Vec<(String, String)> =
        amlgen::driver::emit(&outcome, &amlgen::emit::BuildOptions::default())
            .unwrap()
            .into_iter()
            .collect();
    let file = |n: &str| -> Value {
        serde_json::from_str(&files.iter().find(|(k, _)| k == n).unwrap().1).unwrap()
    };
    let exemptions = file("policies/ml-guardrails/exemptions.json");
    let initiative = file("policies/ml-guardrails/initiative.json");
    let assignment_id = format!(
        "{}/providers/Microsoft.Authorization/policyAssignments/{}",
        "/providers/Microsoft.Management/managementGroups/mg-ml-landing-zone",
        file("policies/ml-guardrails/assignment.json")["name"]
            .as_str()
            .unwrap()
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let today = amlgen::ir::Date::from_days_since_epoch(now / 86_400).to_string();
    let references: Vec<&str> = initiative["properties"]["policyDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["policyDefinitionReferenceId"].as_str().unwrap())
        .collect();
    let mut exempted = Vec::new();
    let policy = &posture.policies[0];
    for (ws_name, r) in resources_by_workspace(&files) {
        let ws = posture
            .workspaces
            .iter()
            .find(|w| w.name.as_str() == ws_name)
            .unwrap();
        for pc in policy.controls.iter().filter(|c| c.effect == Effect::Deny) {
            for c in controls::choose(&pc.control, pc.effect) {
                let v = amlgen::policy::evaluate(&c.definition, &assignment(&c), &r).unwrap();
                if !v.denies() {
                    continue;
                }
                let sub = ws
                    .subscription_id
                    .as_ref()
                    .expect("an exempted workspace has a subscription");
                let id = resource_id(sub.as_str(), ws.resource_group.value.as_str(), &r);
                let covering: Vec<&Value> = exemptions
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|e| {
                        let ids = e["properties"]["policyDefinitionReferenceIds"]
                            .as_array()
                            .unwrap();
                        ids.len() == 1
                            && ids[0] == c.reference_id
                            && id.to_lowercase().starts_with(&format!(
                                "{}/",
                                e["scope"].as_str().unwrap().to_lowercase()
                            ))
                    })
                    .collect();
                assert_eq!(
                    covering.len(),
                    1,
                    "{ws_name}: {} denies {id}, exempted by {covering:?}",
                    c.reference_id
                );
                let e = covering[0];
                assert!(references.contains(&c.reference_id), "{}", c.reference_id);
                assert_eq!(
                    e["properties"]["policyAssignmentId"],
                    assignment_id.as_str()
                );
                let expires = e["properties"]["expiresOn"].as_str().unwrap();
                assert!(
                    expires.ends_with("T23:59:59Z") && &expires[..10] >= today.as_str(),
                    "{expires} on {today}"
                );
                assert!(posture.accepts_for(ws).any(|a| a.code.id() == "AML3029" && a.expires.to_string() == expires[..10]));
                exempted.push(format!("{ws_name}: {} {}", c.reference_id, r["name"]));
            }
        }
    }
    assert!(!exempted.is_empty(), "no accepted deny in the example");
    // Without the acceptance, the denial is an error again.
    let start = text.find("  accept AML3029").unwrap();
    let end = start + text[start..].find("\n  }\n").unwrap() + 4;
    let without = format!("{}{}", &text[..start], &text[end..]);
    let outcome = amlgen::compile(
        vec![amlgen::Input {
            name: "guardrails-without-accept.aml".into(),
            text: without,
        }],
        &amlgen::Options::default(),
    );
    assert!(outcome.checked.is_none());
    assert!(
        outcome
            .diagnostics
            .iter()
            .any(|d| d.code == amlgen::diag::Code::PolicyContradiction)
    );
}
