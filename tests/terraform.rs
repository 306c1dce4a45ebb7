//! The Terraform target's checks (issue 14), done without a Terraform
//! binary: every root module parses with a real HCL grammar (`hcl-rs`),
//! its references resolve with no cycle, every `azapi_resource` body
//! validates strictly against the vendored ARM schemas, ARM and Terraform
//! describe the same resources (type, API version, parent, name, body,
//! location, tags, identity) once references are reduced to what they
//! name, and hostile strings stay inert literals.
//!
//! The checks are developed on hand-written modules that follow the agreed
//! layout (`tests/data/terraform/`): `good/` (a module and its ARM twin)
//! must pass every check, each `bad-*/` adds one `extra.tf` to it that one
//! check must reject with the message its `EXPECT` file holds, and the
//! mutations below change one thing the normaliser must notice.
//!
//! The tests that build with the printer are in `needs_printer` at the end.

#[path = "common/arm.rs"]
mod arm;
#[path = "common/hcl.rs"]
mod hcl;
#[path = "common/postures.rs"]
mod postures;

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/terraform");

/// The files of a fixture directory, by file name.
fn read_dir(dir: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        files.insert(name, std::fs::read_to_string(&p).unwrap());
    }
    files
}

/// Every error the checks find in one root module, given its ARM twin.
fn module_errors(files: &BTreeMap<String, String>, twin: &Value) -> Vec<String> {
    let module = match hcl::Module::parse(files) {
        Ok(m) => m,
        Err(errors) => return errors,
    };
    let schema = twin["$schema"].as_str().unwrap_or_default();
    let mut errors = module.reference_errors();
    errors.extend(module.injection_errors());
    errors.extend(module.layout_errors());
    errors.extend(module.schema_errors(schema));
    let ctx = hcl::Ctx::new(&module, schema);
    let arm = hcl::arm_canonical(twin, &ctx);
    let tf = module.canonical(&ctx);
    errors.extend(hcl::diff_records(&arm, &tf));
    errors.extend(hcl::order_errors(&module, twin, &ctx));
    errors
}

fn good() -> (BTreeMap<String, String>, Value) {
    fixture("good")
}

fn fixture(dir: &str) -> (BTreeMap<String, String>, Value) {
    let mut files = read_dir(&Path::new(DATA).join(dir));
    let twin = files.remove("azuredeploy.json").unwrap();
    (files, serde_json::from_str(&twin).unwrap())
}

#[test]
fn the_good_fixture_passes_every_check() {
    let (files, twin) = good();
    assert!(
        arm::validate_template(&twin).is_empty(),
        "the ARM twin itself must be valid"
    );
    let errors = module_errors(&files, &twin);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    // The normaliser saw every resource of both sides (2 workspace phases).
    let module = hcl::Module::parse(&files).unwrap();
    let ctx = hcl::Ctx::new(&module, twin["$schema"].as_str().unwrap());
    assert_eq!(module.canonical(&ctx).len(), 7);
    assert_eq!(hcl::arm_canonical(&twin, &ctx).len(), 7);
}

/// Policy blocks are their own root modules at a management group, which
/// Terraform takes as a variable (no default: the example sets it).
#[test]
fn the_management_group_fixture_passes_every_check() {
    let (files, twin) = fixture("good-policy");
    assert!(arm::validate_template(&twin).is_empty());
    let errors = module_errors(&files, &twin);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let mut unset = files.clone();
    unset.remove("terraform.tfvars.example");
    let errors = module_errors(&unset, &twin);
    assert!(
        errors
            .iter()
            .any(|e| e.contains("var.management_group_id has no default")),
        "{errors:?}"
    );
    // The definition's id written out: the same value, but nothing orders
    // the assignment after the definition any more.
    let mut literal = files.clone();
    let main = literal.get_mut("main.tf").unwrap();
    *main = main.replacen(
        "policyDefinitionId = azapi_resource.definition_pna.id",
        "policyDefinitionId = \"${var.management_group_id}/providers/Microsoft.Authorization/policyDefinitions/amlgen-fixture-pna\"",
        1,
    );
    assert_eq!(
        module_errors(&literal, &twin),
        [
            "azapi_resource.assignment is not ordered after azapi_resource.definition_pna, which its ARM dependsOn names"
        ]
    );
    let mut wrong = files;
    let main = wrong.get_mut("main.tf").unwrap();
    *main = main.replacen(
        "policyDefinitionId = azapi_resource.definition_pna.id",
        "policyDefinitionId = \"/providers/Microsoft.Management/managementGroups/other/providers/Microsoft.Authorization/policyDefinitions/amlgen-other\"",
        1,
    );
    assert!(!module_errors(&wrong, &twin).is_empty());
}

#[test]
fn every_bad_fixture_is_rejected_by_its_check() {
    let (files, twin) = good();
    let mut seen = 0;
    for e in std::fs::read_dir(DATA).unwrap() {
        let dir = e.unwrap().path();
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("bad-") {
            continue;
        }
        seen += 1;
        let mut bad = files.clone();
        let mut extra = read_dir(&dir);
        let expect = extra.remove("EXPECT").unwrap();
        bad.extend(extra);
        let errors = module_errors(&bad, &twin);
        for want in expect.lines().filter(|l| !l.trim().is_empty()) {
            assert!(
                errors.iter().any(|e| e.contains(want.trim())),
                "{name}: no error says {want:?}; got:\n{}",
                errors.join("\n")
            );
        }
    }
    assert!(seen >= 8, "only {seen} bad fixtures");
}

/// One change to `main.tf` that the agreement check must notice.
#[test]
fn the_normaliser_notices_each_difference() {
    let (files, twin) = good();
    let mutations = [
        // A body value.
        (
            r#"publicNetworkAccess = "Disabled""#,
            r#"publicNetworkAccess = "Enabled""#,
        ),
        // A name.
        (r#"name      = "kvfixture""#, r#"name      = "kvfixture2""#),
        // The tenant is not the subscription.
        (
            "tenantId = data.azapi_client_config.current.tenant_id",
            "tenantId = data.azapi_client_config.current.subscription_id",
        ),
        // A child under the wrong parent.
        (
            "parent_id = azapi_resource.private_endpoints_zone_api.id",
            "parent_id = local.hub_group_id",
        ),
        // A resource in the wrong group.
        (
            "parent_id = local.hub_group_id\n  location  = \"global\"",
            "parent_id = local.resource_group_id\n  location  = \"global\"",
        ),
        // The other identity's principal.
        (
            "principalId      = data.azapi_resource.id_builder.output.properties.principalId",
            "principalId      = azapi_resource.workspace_workspace.output.identity.principalId",
        ),
        // guid() arguments in another order give another name.
        (
            "join(\"-\", [azapi_resource.key_vault_vault.id, azapi_resource.workspace_workspace.output.identity.principalId,",
            "join(\"-\", [azapi_resource.workspace_workspace.output.identity.principalId, azapi_resource.key_vault_vault.id,",
        ),
        // Another guid namespace.
        (
            "uuidv5(\"11fb06fb-712d-4ddd-98c7-e71bbd588830\", join(\"-\", [azapi_resource.key_vault_vault.id, data",
            "uuidv5(\"6ba7b811-9dad-11d1-80b4-00c04fd430c8\", join(\"-\", [azapi_resource.key_vault_vault.id, data",
        ),
        // A literal where the variable belongs.
        (
            "location  = var.location\n  tags      = var.tags\n  body = {\n    properties = {\n      enableRbac",
            "location  = \"westeurope\"\n  tags      = var.tags\n  body = {\n    properties = {\n      enableRbac",
        ),
        // Another API version.
        ("vaults@2026-02-01", "vaults@2025-05-01"),
        // A missing identity.
        ("  identity {\n    type = \"SystemAssigned\"\n  }\n", ""),
    ];
    for (from, to) in mutations {
        let mut files = files.clone();
        let main = files.get_mut("main.tf").unwrap();
        assert!(main.contains(from), "the fixture no longer has {from:?}");
        *main = main.replacen(from, to, 1);
        let module = hcl::Module::parse(&files).unwrap();
        let schema = twin["$schema"].as_str().unwrap();
        let ctx = hcl::Ctx::new(&module, schema);
        let diff = hcl::diff_records(&hcl::arm_canonical(&twin, &ctx), &module.canonical(&ctx));
        assert!(
            !diff.is_empty(),
            "no difference found after {from:?} -> {to:?}"
        );
    }
}

/// Without its `depends_on`, the workspace's final settings could be
/// applied before its role assignments: the order check says so.
#[test]
fn a_missing_dependency_is_an_order_error() {
    let (mut files, twin) = good();
    let main = files.get_mut("main.tf").unwrap();
    let line = main
        .lines()
        .find(|l| {
            l.trim_start()
                .starts_with("depends_on = [azapi_resource.rbac_")
        })
        .unwrap()
        .to_string();
    *main = main.replace(&line, "");
    let errors = module_errors(&files, &twin);
    assert_eq!(errors.len(), 2, "{errors:#?}");
    for e in &errors {
        assert!(
            e.starts_with("azapi_update_resource.workspace_final (module mlw-fixture-workspace-final) is not ordered after azapi_resource.rbac_"),
            "{e}"
        );
    }
}

fn nasty_strings() -> Vec<String> {
    let mut all: Vec<String> = postures::NASTY.iter().map(|s| (*s).to_string()).collect();
    all.extend(
        [
            "%{ if true }x%{ endif }",
            "$${already}",
            "${",
            "%{",
            "<<EOT\nheredoc\nEOT",
            "\u{7}bell \u{1b}[0m",
            "\"\n}\nresource \"azapi_resource\" \"evil\" {",
            "#",
            "$",
            "%",
            "a$b%c{d}",
        ]
        .map(str::to_string),
    );
    all.push(postures::ID_NAME.to_string());
    all
}

#[test]
fn hostile_strings_round_trip_through_the_grammar() {
    for s in nasty_strings() {
        let text = format!(
            "locals {{\n  v = {lit}\n  m = {{\n    {lit} = {lit}\n  }}\n}}\n",
            lit = amlgen::escape::hcl_string(&s)
        );
        let files = BTreeMap::from([("main.tf".to_string(), text.clone())]);
        let module = hcl::Module::parse(&files).unwrap_or_else(|e| panic!("{text}\n{e:?}"));
        assert_eq!(
            module.literal_strings(),
            vec![s.clone(), s.clone(), s.clone()],
            "{text}"
        );
        let errors: Vec<String> = module
            .reference_errors()
            .into_iter()
            .chain(module.injection_errors())
            .collect();
        assert!(errors.is_empty(), "{text}\n{errors:?}");
    }
}

#[test]
fn unescaped_strings_are_caught() {
    // What a printer that forgot to escape would write.
    for (s, want) in [
        ("${resourceGroup().id}", "resourceGroup"),
        ("%{ if true }x%{ endif }", "template directive"),
        ("${var.tags}", "interpolation"),
    ] {
        let text = format!("locals {{\n  v = \"{s}\"\n}}\n");
        let files = BTreeMap::from([("main.tf".to_string(), text)]);
        let module = hcl::Module::parse(&files).unwrap();
        let errors: Vec<String> = module
            .reference_errors()
            .into_iter()
            .chain(module.injection_errors())
            .collect();
        assert!(
            errors.iter().any(|e| e.contains(want))
                || !module.literal_strings().contains(&s.to_string()),
            "{s}: {errors:?}"
        );
        assert!(
            !module.literal_strings().contains(&s.to_string()),
            "{s} read back as a literal"
        );
    }
}

/// The ARM side of the agreement reads every committed ARM template: no
/// expression it cannot parse, no parameter it cannot resolve, one record
/// per deployed resource (nested deployments flattened).
#[test]
fn the_normaliser_reads_every_committed_arm_template() {
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("out");
    let mut stack = vec![out];
    let mut templates = 0;
    let mut problems = Vec::new();
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            if p.file_name().is_none_or(|n| n != "azuredeploy.json") {
                continue;
            }
            let template: Value =
                serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
            templates += 1;
            let module = hcl::Module::parse(&BTreeMap::new()).unwrap();
            let ctx = hcl::Ctx::new(&module, template["$schema"].as_str().unwrap_or_default());
            let records = hcl::arm_canonical(&template, &ctx);
            let deployed = arm::collect_resources(&template)
                .iter()
                .filter(|(t, _, _)| !t.eq_ignore_ascii_case("Microsoft.Resources/deployments"))
                .count();
            if records.len() != deployed {
                problems.push(format!(
                    "{}: {} records for {deployed} resources",
                    p.display(),
                    records.len()
                ));
            }
            let text = serde_json::to_string(&records).unwrap();
            for bad in ["{unparsed:", "{param:", "{too-deep}", "{fn:reference"] {
                if text.contains(bad) {
                    problems.push(format!("{}: {bad} in {text}", p.display()));
                }
            }
        }
    }
    assert!(templates > 10, "only {templates} templates");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every root module of a build: `<dir>/terraform/` -> its files by name,
/// with the ARM twin `<dir>/azuredeploy.json`.
fn terraform_modules(
    files: &BTreeMap<String, String>,
) -> BTreeMap<String, (BTreeMap<String, String>, Value)> {
    let mut out: BTreeMap<String, (BTreeMap<String, String>, Value)> = BTreeMap::new();
    for (path, text) in files {
        let Some((dir, name)) = path.rsplit_once("/terraform/") else {
            continue;
        };
        let entry = out.entry(dir.to_string()).or_insert_with(|| {
            let twin = files
                .get(&format!("{dir}/azuredeploy.json"))
                .and_then(|t| serde_json::from_str(t).ok())
                .unwrap_or(Value::Null);
            (BTreeMap::new(), twin)
        });
        entry.0.insert(name.to_string(), text.clone());
    }
    out
}

/// Every check on every root module of a build; the module directories.
fn check_build(files: &BTreeMap<String, String>) -> (Vec<String>, Vec<String>) {
    let mut errors = Vec::new();
    let modules = terraform_modules(files);
    for (dir, (tf, twin)) in &modules {
        for name in [
            "versions.tf",
            "variables.tf",
            "main.tf",
            "outputs.tf",
            "terraform.tfvars.example",
        ] {
            if !tf.contains_key(name) {
                errors.push(format!("{dir}/terraform: no {name}"));
            }
        }
        if twin.is_null() {
            errors.push(format!("{dir}: no azuredeploy.json beside the Terraform"));
            continue;
        }
        errors.extend(
            module_errors(tf, twin)
                .into_iter()
                .map(|e| format!("{dir}/terraform: {e}")),
        );
    }
    (errors, modules.into_keys().collect())
}

#[test]
fn the_build_checker_finds_the_modules_and_their_twins() {
    let (tf, twin) = good();
    let mut files: BTreeMap<String, String> = tf
        .into_iter()
        .map(|(k, v)| (format!("workspaces/mlw-fixture/terraform/{k}"), v))
        .collect();
    files.insert(
        "workspaces/mlw-fixture/azuredeploy.json".into(),
        twin.to_string(),
    );
    let (errors, dirs) = check_build(&files);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    assert_eq!(dirs, ["workspaces/mlw-fixture"]);
    files.remove("workspaces/mlw-fixture/terraform/outputs.tf");
    files.remove("workspaces/mlw-fixture/azuredeploy.json");
    let (errors, _) = check_build(&files);
    assert!(
        errors.iter().any(|e| e.contains("no outputs.tf")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.contains("no azuredeploy.json")),
        "{errors:?}"
    );
}

// The tests below build with the printer, with every target.
mod needs_printer {
    use super::*;
    fn build_all(name: &str, text: String, previous: Option<&Path>) -> BTreeMap<String, String> {
        postures::build_all_targets(name, text, previous)
            .unwrap_or_else(|e| panic!("{name} does not build: {e}"))
    }

    /// Every example and every legal posture of the suite: each workspace,
    /// deployer and policy block has a Terraform root module that passes
    /// every check against its ARM twin.
    #[test]
    fn every_legal_posture_passes_every_terraform_check() {
        let mut failures = Vec::new();
        let mut modules = 0;
        for (path, previous) in postures::legal_postures() {
            let files = build_all(
                &path.display().to_string(),
                postures::read_posture(&path),
                previous.as_deref(),
            );
            let (errors, dirs) = check_build(&files);
            modules += dirs.len();
            let workspaces = files
                .keys()
                .filter(|p| {
                    p.starts_with("workspaces/")
                        && p.ends_with("/main.bicep")
                        && !p.contains("/deployer/")
                })
                .count();
            let with_tf = dirs
                .iter()
                .filter(|d| d.starts_with("workspaces/") && !d.ends_with("/deployer"))
                .count();
            if workspaces != with_tf {
                failures.push(format!(
                    "{}: {workspaces} workspaces, {with_tf} Terraform modules",
                    path.display()
                ));
            }
            for twin in files.keys().filter(|p| p.ends_with("/azuredeploy.json")) {
                let dir = twin.trim_end_matches("/azuredeploy.json");
                if !dirs.iter().any(|d| d == dir) && !dir.starts_with("hub-firewall") {
                    failures.push(format!(
                        "{}: {dir} has ARM but no Terraform",
                        path.display()
                    ));
                }
            }
            failures.extend(
                errors
                    .into_iter()
                    .map(|e| format!("{}: {e}", path.display())),
            );
        }
        assert!(modules > 20, "only {modules} modules");
        assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    }

    /// Hostile strings in every slot: the module passes every check, and
    /// every one of them reads back as a literal, never a template.
    #[test]
    fn adversarial_strings_stay_literals() {
        for text in [postures::posture(), postures::custom_vnet_posture()] {
            let files = build_all("nasty.aml", text, None);
            let (errors, dirs) = check_build(&files);
            assert!(errors.is_empty(), "{}", errors.join("\n"));
            let tf = &terraform_modules(&files)["workspaces/mlw-nasty"].0;
            let module = hcl::Module::parse(tf).unwrap();
            let literals = module.literal_strings();
            let all = module.all_strings();
            for s in [postures::NASTY[0], postures::NASTY[1], postures::NASTY[4]] {
                assert!(
                    literals.iter().any(|l| l.contains(s)),
                    "{s:?} is not a literal"
                );
            }
            assert!(
                all.iter().any(|l| l.contains(postures::ID_NAME)),
                "the id name is missing"
            );
            assert!(!dirs.is_empty());
            for (path, text) in &files {
                assert!(
                    !text
                        .lines()
                        .any(|l| l.starts_with("resource \"azapi_resource\" \"evil\"")),
                    "{path}"
                );
            }
        }
        let files = build_all("nasty.aml", postures::posture(), None);
        let vars =
            hcl::Module::parse(&terraform_modules(&files)["workspaces/mlw-nasty"].0).unwrap();
        let literals = vars.literal_strings();
        for s in postures::NASTY {
            assert!(
                literals.iter().any(|l| l == s),
                "the tag {s:?} does not read back"
            );
        }
    }

    #[test]
    fn the_printer_escapes_like_the_reference() {
        for s in nasty_strings() {
            let got = amlgen::emit::escape::hcl_string(&s);
            let text = format!("locals {{\n  v = {got}\n}}\n");
            let module = hcl::Module::parse(&BTreeMap::from([("main.tf".into(), text)])).unwrap();
            assert_eq!(module.literal_strings(), vec![s.clone()]);
        }
    }
}
