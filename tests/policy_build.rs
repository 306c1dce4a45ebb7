//! The policy outputs of a build: every definition, initiative and
//! assignment validates against Microsoft's `Microsoft.Authorization`
//! schema, every alias a definition uses is in the vendored alias table
//! (`policies/aliases.tsv`), and the deployment template is the same
//! content with its expressions escaped for ARM.

#[path = "common/arm.rs"]
mod arm;

#[path = "common/postures.rs"]
mod postures;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn policy_dirs() -> Vec<PathBuf> {
    let dir = root().join("out/policies");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("out/policies exists")
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty(), "no policy block was built");
    dirs
}

fn load(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// Validates a policy-native object as the resource of a template at the
/// block's scope.
fn validate(kind: &str, obj: &Value, scope: &str) -> Vec<String> {
    let mut resource = obj.clone();
    resource["type"] = json!(format!("Microsoft.Authorization/{kind}"));
    resource["apiVersion"] = json!("2026-06-01");
    let schema = if scope == "managementGroup" {
        "https://schema.management.azure.com/schemas/2019-08-01/managementGroupDeploymentTemplate.json#"
    } else {
        "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#"
    };
    let template =
        json!({ "$schema": schema, "contentVersion": "1.0.0.0", "resources": [resource] });
    arm::validate_template(&template)
}

fn scope_of(dir: &Path) -> &'static str {
    let bicep = std::fs::read_to_string(dir.join("main.bicep")).unwrap();
    if bicep.contains("targetScope = 'managementGroup'") {
        "managementGroup"
    } else {
        "subscription"
    }
}

#[test]
fn definitions_initiative_and_assignment_validate_against_the_schema() {
    for dir in policy_dirs() {
        let scope = scope_of(&dir);
        let mut errors = Vec::new();
        let defs = dir.join("definitions");
        for e in std::fs::read_dir(&defs).into_iter().flatten() {
            let p = e.unwrap().path();
            errors.extend(
                validate("policyDefinitions", &load(&p), scope)
                    .into_iter()
                    .map(|x| format!("{}: {x}", p.display())),
            );
        }
        errors.extend(validate(
            "policySetDefinitions",
            &load(&dir.join("initiative.json")),
            scope,
        ));
        errors.extend(validate(
            "policyAssignments",
            &load(&dir.join("assignment.json")),
            scope,
        ));
        assert!(errors.is_empty(), "{}", errors.join("\n"));
    }
}

fn alias_table() -> BTreeSet<String> {
    let text = std::fs::read_to_string(root().join("policies/aliases.tsv")).unwrap();
    text.lines()
        .skip(1)
        .filter_map(|l| l.split('\t').next())
        .map(str::to_ascii_lowercase)
        .collect()
}

/// Every field a policy rule reads: `field` conditions, `count.field`,
/// and `field('...')` inside expressions.
fn fields(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if k == "field"
                    && let Some(s) = x.as_str()
                {
                    out.push(s.to_string());
                }
                fields(x, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| fields(x, out)),
        Value::String(s) => {
            let mut rest = s.as_str();
            while let Some(i) = rest.find("field('") {
                rest = &rest[i + 7..];
                if let Some(j) = rest.find('\'') {
                    out.push(rest[..j].to_string());
                    rest = &rest[j..];
                }
            }
        }
        _ => {}
    }
}

/// Fields that are properties of every resource, not aliases.
const BUILT_IN_FIELDS: &[&str] = &[
    "type",
    "name",
    "kind",
    "location",
    "id",
    "fullname",
    "tags",
    "identity.type",
];

#[test]
fn every_alias_is_in_the_vendored_table() {
    let table = alias_table();
    assert!(table.len() > 100);
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in policy_dirs() {
        for e in std::fs::read_dir(dir.join("definitions"))
            .into_iter()
            .flatten()
        {
            files.push(e.unwrap().path());
        }
    }
    // The catalogue itself, every control, emitted or not.
    for e in std::fs::read_dir(root().join("policies")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "json") {
            files.push(p);
        }
    }
    let mut missing = Vec::new();
    for f in &files {
        let v = load(f);
        let mut used = Vec::new();
        fields(&v["properties"]["policyRule"], &mut used);
        assert!(!used.is_empty(), "{}: no field read", f.display());
        for a in used {
            let low = a.to_ascii_lowercase();
            if !BUILT_IN_FIELDS.contains(&low.as_str())
                && !low.starts_with("tags[")
                && !table.contains(&low)
            {
                missing.push(format!("{}: {a}", f.display()));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "aliases not in policies/aliases.tsv:\n{}",
        missing.join("\n")
    );
}

/// Undoes ARM's escape in every string of a value.
fn unescape(v: &Value) -> Value {
    match v {
        Value::String(s) => Value::String(amlgen::emit::escape::unarm_literal(s).to_string()),
        Value::Array(a) => Value::Array(a.iter().map(unescape).collect()),
        Value::Object(m) => {
            Value::Object(m.iter().map(|(k, x)| (k.clone(), unescape(x))).collect())
        }
        other => other.clone(),
    }
}

/// The ids the template makes where it is deployed
/// (`[managementGroupResourceId('T', 'n')]`, `[subscriptionResourceId(...)]`),
/// as Azure resolves them when deployed at `scope_id`.
fn resolve_ids(v: &Value, scope_id: &str) -> Value {
    match v {
        Value::String(s) => {
            let inner = s
                .strip_prefix("[managementGroupResourceId(")
                .or_else(|| s.strip_prefix("[subscriptionResourceId("))
                .and_then(|r| r.strip_suffix(")]"));
            match inner {
                Some(args) => {
                    let parts: Vec<&str> = args.split(", ").map(|a| a.trim_matches('\'')).collect();
                    Value::String(format!("{scope_id}/providers/{}/{}", parts[0], parts[1]))
                }
                None => v.clone(),
            }
        }
        Value::Array(a) => Value::Array(a.iter().map(|x| resolve_ids(x, scope_id)).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| (k.clone(), resolve_ids(x, scope_id)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[test]
fn the_template_names_no_scope_so_it_deploys_to_any_management_group() {
    for dir in policy_dirs() {
        for file in ["azuredeploy.json", "main.bicep"] {
            let text = std::fs::read_to_string(dir.join(file)).unwrap();
            assert!(
                !text.contains("/providers/Microsoft.Management/managementGroups/"),
                "{}/{file} hard-codes a management group",
                dir.display()
            );
        }
    }
}

#[test]
fn the_template_deploys_exactly_the_files_with_expressions_escaped() {
    for dir in policy_dirs() {
        let assignment_file = load(&dir.join("assignment.json"));
        let scope_id = assignment_file["properties"]["policyDefinitionId"]
            .as_str()
            .unwrap()
            .split("/providers/Microsoft.Authorization/")
            .next()
            .unwrap()
            .to_string();
        let template = resolve_ids(&load(&dir.join("azuredeploy.json")), &scope_id);
        let resources = template["resources"].as_array().unwrap();
        let by_type =
            |t: &str| -> Vec<&Value> { resources.iter().filter(|r| r["type"] == t).collect() };
        let set = by_type("Microsoft.Authorization/policySetDefinitions");
        assert_eq!(set.len(), 1);
        assert_eq!(
            unescape(&set[0]["properties"]),
            load(&dir.join("initiative.json"))["properties"]
        );
        // Policy expressions reach ARM escaped, so ARM does not evaluate them.
        let text = serde_json::to_string(&set[0]["properties"]).unwrap();
        assert!(!text.contains("\"[parameters("), "{text}");
        assert!(text.contains("\"[[parameters("));
        for def in by_type("Microsoft.Authorization/policyDefinitions") {
            let name = def["name"].as_str().unwrap();
            let file = load(&dir.join(format!("definitions/{name}.json")));
            assert_eq!(unescape(&def["properties"]), file["properties"], "{name}");
        }
        let assignment = by_type("Microsoft.Authorization/policyAssignments");
        assert_eq!(
            unescape(&assignment[0]["properties"]),
            load(&dir.join("assignment.json"))["properties"]
        );
    }
}

fn build_epac(dirs: &[&str]) -> std::collections::BTreeMap<String, String> {
    let outcome = amlgen::compile(postures::inputs_of(dirs), &amlgen::Options::default());
    let options = amlgen::emit::BuildOptions {
        version: "0.0.0-test".into(),
        policy_layout: amlgen::emit::policy::Layout::Epac,
        ..amlgen::emit::BuildOptions::default()
    };
    amlgen::driver::emit(&outcome, &options)
        .unwrap()
        .into_iter()
        .collect()
}

#[test]
fn the_epac_layout_has_definitions_sets_and_assignments() {
    let files = build_epac(&["examples/guardrails"]);
    let epac: Vec<&String> = files
        .keys()
        .filter(|k| k.starts_with("epac/Definitions/"))
        .collect();
    let defs: Vec<_> = epac
        .iter()
        .filter(|k| k.contains("/policyDefinitions/"))
        .collect();
    assert_eq!(defs.len(), 7, "{epac:?}");
    let set = &files["epac/Definitions/policySetDefinitions/amlgen-ml-guardrails.json"];
    let set: Value = serde_json::from_str(set).unwrap();
    assert!(
        set["$schema"]
            .as_str()
            .unwrap()
            .ends_with("/policy-set-definition-schema.json")
    );
    // EPAC's set schema (Schemas/policy-set-definition-schema.json)
    // allows only these in `properties` (additionalProperties false): no
    // `version`, no `policyType`.
    let allowed = [
        "displayName",
        "description",
        "metadata",
        "importPolicyDefinitionGroups",
        "policyDefinitionGroups",
        "parameters",
        "policyDefinitions",
    ];
    for k in set["properties"].as_object().unwrap().keys() {
        assert!(
            allowed.contains(&k.as_str()),
            "EPAC's set schema forbids `{k}`"
        );
    }
    for r in set["properties"]["policyDefinitions"].as_array().unwrap() {
        // Custom definitions by name (EPAC makes their ids), built-ins by id.
        let by_name = r.get("policyDefinitionName").is_some();
        let by_id = r["policyDefinitionId"].as_str().is_some_and(|id| {
            id.starts_with("/providers/Microsoft.Authorization/policyDefinitions/")
        });
        assert!(by_name ^ by_id, "{r}");
    }
    let a = &files["epac/Definitions/policyAssignments/ml-guardrails.jsonc"];
    let a: Value = serde_json::from_str(a).unwrap();
    assert_eq!(
        a["definitionEntry"]["policySetName"],
        "amlgen-ml-guardrails"
    );
    assert!(a["assignment"]["name"].as_str().unwrap().len() <= 24);
    assert_eq!(
        a["scope"]["tenant"][0],
        "/providers/Microsoft.Management/managementGroups/mg-ml-landing-zone"
    );
    assert_eq!(a["parameters"]["compute-ssh-effect"], "Deny");
    // No policy block has its own EPAC root.
    assert!(!files.keys().any(|k| k.contains("/epac/")), "{epac:?}");
    // The plain layout does not have it.
    assert!(!root().join("out/epac").exists());
}

/// Two policy blocks that share custom definitions: one root, each
/// definition once (EPAC stops on "Duplicate Policy" otherwise), one set
/// and one assignment per block.
#[test]
fn two_policy_blocks_share_one_epac_root_with_each_definition_once() {
    let files = build_epac(&["examples/guardrails", "examples/hub-spoke-regulated"]);
    let roots: std::collections::BTreeSet<&str> = files
        .keys()
        .filter_map(|k| k.find("/Definitions/").map(|i| &k[..i]))
        .collect();
    assert_eq!(roots.into_iter().collect::<Vec<_>>(), ["epac"]);
    let mut names = std::collections::BTreeMap::new();
    for (k, text) in &files {
        if k.starts_with("epac/Definitions/policyDefinitions/") {
            let v: Value = serde_json::from_str(text).unwrap();
            *names
                .entry(v["name"].as_str().unwrap().to_string())
                .or_insert(0) += 1;
        }
    }
    assert!(names.values().all(|n| *n == 1), "{names:?}");
    // Both blocks use the serverless definition; it is there once.
    assert!(
        names.contains_key("amlgen-serverless-no-public-ip"),
        "{names:?}"
    );
    let sets = files
        .keys()
        .filter(|k| k.starts_with("epac/Definitions/policySetDefinitions/"))
        .count();
    let assignments = files
        .keys()
        .filter(|k| k.starts_with("epac/Definitions/policyAssignments/"))
        .count();
    assert_eq!((sets, assignments), (2, 2));
    // Every set refers only to definitions of the root (or built-ins).
    for (k, text) in &files {
        if k.starts_with("epac/Definitions/policySetDefinitions/") {
            let v: Value = serde_json::from_str(text).unwrap();
            for r in v["properties"]["policyDefinitions"].as_array().unwrap() {
                if let Some(n) = r["policyDefinitionName"].as_str() {
                    assert!(names.contains_key(n), "{k}: {n}");
                }
            }
        }
    }
}

/// The private DNS zones deploy effect links zones that often live in a
/// hub subscription: the assignment's identity gets its role on each zone,
/// in the zone's resource group (a module there), and EPAC's assignment
/// lists it as an additional role assignment.
#[test]
fn the_dns_zone_deploy_gets_its_role_where_the_zones_are() {
    let case = "tests/ui/rules/policy-effect-dns-deny-ok.aml";
    let text = std::fs::read_to_string(root().join(case)).unwrap();
    let zone = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-hub-dns/providers/Microsoft.Network/privateDnsZones/privatelink.api.azureml.ms";
    assert!(text.contains(zone));
    let outcome = amlgen::compile(
        vec![amlgen::Input {
            name: case.into(),
            text,
        }],
        &amlgen::Options::default(),
    );
    let options = amlgen::emit::BuildOptions {
        version: "0.0.0-test".into(),
        policy_layout: amlgen::emit::policy::Layout::Epac,
        ..amlgen::emit::BuildOptions::default()
    };
    let files = amlgen::driver::emit(&outcome, &options).unwrap();
    let network_contributor = "4d97b98b-1d4f-4787-a291-c67834d212e7";
    // ARM: a nested deployment into the zone's resource group, after the
    // assignment, assigning the role on the zone to the assignment's identity.
    let t: Value = serde_json::from_str(&files["policies/ml-guardrails/azuredeploy.json"]).unwrap();
    let nested: Vec<&Value> = t["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["type"] == "Microsoft.Resources/deployments")
        .collect();
    assert_eq!(nested.len(), 1);
    let d = nested[0];
    assert_eq!(d["subscriptionId"], "00000000-0000-0000-0000-000000000001");
    assert_eq!(d["resourceGroup"], "rg-hub-dns");
    assert!(
        d["dependsOn"][0]
            .as_str()
            .unwrap()
            .contains("policyAssignments")
    );
    assert!(
        d["properties"]["parameters"]["assignmentPrincipalId"]["value"]
            .as_str()
            .unwrap()
            .contains("identity.principalId")
    );
    let inner = &d["properties"]["template"]["resources"][0];
    assert_eq!(inner["type"], "Microsoft.Authorization/roleAssignments");
    assert_eq!(
        inner["scope"],
        "Microsoft.Network/privateDnsZones/privatelink.api.azureml.ms"
    );
    assert!(
        inner["properties"]["roleDefinitionId"]
            .as_str()
            .unwrap()
            .contains(network_contributor)
    );
    // Bicep: the same as a module scoped to that resource group.
    let main = &files["policies/ml-guardrails/main.bicep"];
    assert!(
        main.contains("scope: resourceGroup('00000000-0000-0000-0000-000000000001', 'rg-hub-dns')"),
        "{main}"
    );
    assert!(files.contains_key("policies/ml-guardrails/modules/zone-roles-1.bicep"));
    // EPAC: the role as an additional role assignment, and the identity's location.
    let a: Value =
        serde_json::from_str(&files["epac/Definitions/policyAssignments/ml-guardrails.jsonc"])
            .unwrap();
    assert_eq!(
        a["additionalRoleAssignments"]["tenant"],
        json!([{ "roleDefinitionId": format!("/providers/Microsoft.Authorization/roleDefinitions/{network_contributor}"), "scope": zone }])
    );
    assert_eq!(a["managedIdentityLocations"]["tenant"], "westeurope");
    // POLICY.md says so.
    let report = &files["policies/ml-guardrails/POLICY.md"];
    assert!(report.contains("rg-hub-dns"), "{report}");
}

/// An assignment with a managed identity must have a location: the
/// policy's `region`, else the region of its file's first workspace.
#[test]
fn an_assignment_with_an_identity_has_a_location() {
    for (case, region) in [
        (
            "tests/ui/rules/policy-identity-location-ok.aml",
            "westeurope",
        ),
        ("tests/ui/rules/policy-effect-dns-deny-ok.aml", "westeurope"),
    ] {
        let outcome = amlgen::compile(
            vec![amlgen::Input {
                name: case.into(),
                text: std::fs::read_to_string(root().join(case)).unwrap(),
            }],
            &amlgen::Options::default(),
        );
        let files = amlgen::driver::emit(&outcome, &amlgen::emit::BuildOptions::default()).unwrap();
        let assignments: Vec<Value> = files
            .iter()
            .filter(|(k, _)| k.ends_with("/assignment.json"))
            .map(|(_, t)| serde_json::from_str(t).unwrap())
            .collect();
        assert_eq!(assignments.len(), 1, "{case}");
        let a = &assignments[0];
        assert_eq!(a["identity"]["type"], "SystemAssigned", "{case}");
        assert_eq!(a["location"], region, "{case}");
    }
}

/// The guardrails example accepts a deny: its policy block's template
/// (the exemption in a nested deployment into the workspace's resource
/// group) validates against Microsoft's schemas, the newest
/// `policyExemptions` API version among them; a misspelt property does not.
#[test]
fn the_exemption_template_validates_against_the_schemas() {
    let dir = root().join("out/policies/ml-guardrails");
    let template = load(&dir.join("azuredeploy.json"));
    let text = serde_json::to_string(&template).unwrap();
    assert!(
        text.contains("\"Microsoft.Authorization/policyExemptions\""),
        "the guardrails example has no exemption"
    );
    let errors = arm::validate_template(&template);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    // On the workspace's resource group, which exists before the workspace
    // (runtime rule `policy.exemption.scope`): a nested deployment there.
    let _ = amlgen::catalog::limits::rule("policy.exemption.scope");
    let nested: Vec<&Value> = template["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            serde_json::to_string(&r["properties"]["template"])
                .unwrap()
                .contains("Microsoft.Authorization/policyExemptions")
        })
        .collect();
    assert_eq!(nested.len(), 1);
    assert_eq!(nested[0]["resourceGroup"], "rg-credit-batch");
    assert_eq!(
        nested[0]["subscriptionId"],
        "00000000-0000-0000-0000-000000000005"
    );
    let broken: Value =
        serde_json::from_str(&text.replace("\"exemptionCategory\"", "\"exemptionKind\"")).unwrap();
    assert!(!arm::validate_template(&broken).is_empty());
    let broken: Value =
        serde_json::from_str(&text.replace("\"Mitigated\"", "\"Accepted\"")).unwrap();
    assert!(!arm::validate_template(&broken).is_empty());
}

/// EPAC's exemption file: under `policyExemptions/<pacSelector>/`, valid
/// against EPAC's own schema (vendored in `tests/data/epac/`, origin in its
/// `SOURCE.md`), one entry per exemption of the plain layout, with the
/// same assignment, references, scope and expiry.
#[test]
fn the_epac_exemptions_follow_epac_schema_and_match_the_plain_layout() {
    let files = build_epac(&["examples/guardrails"]);
    let path = "epac/Definitions/policyExemptions/tenant/amlgen-exemptions.json";
    let doc: Value = serde_json::from_str(&files[path]).unwrap();
    assert!(
        doc["$schema"]
            .as_str()
            .unwrap()
            .ends_with("/policy-exemption-schema.json")
    );
    let schema = load(&root().join("tests/data/epac/policy-exemption-schema.json"));
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    // The schema refuses what EPAC does not know (and an entry without a scope).
    let mut bad = doc.clone();
    bad["exemptions"][0]["exemptionKind"] = json!("Waiver");
    assert!(!validator.is_valid(&bad));
    let mut bad = doc.clone();
    bad["exemptions"][0]
        .as_object_mut()
        .unwrap()
        .remove("scope");
    assert!(!validator.is_valid(&bad));
    let plain: Value =
        serde_json::from_str(&files["policies/ml-guardrails/exemptions.json"]).unwrap();
    let entries = doc["exemptions"].as_array().unwrap();
    assert_eq!(entries.len(), plain.as_array().unwrap().len());
    for (e, p) in entries.iter().zip(plain.as_array().unwrap()) {
        assert_eq!(e["name"], p["name"]);
        assert_eq!(e["scope"], p["scope"]);
        for k in [
            "policyAssignmentId",
            "policyDefinitionReferenceIds",
            "exemptionCategory",
            "expiresOn",
        ] {
            assert_eq!(e[k], p["properties"][k], "{k}");
        }
    }
}
