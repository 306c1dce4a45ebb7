//! ARM templates validate against Microsoft's ARM JSON schemas, offline and
//! strictly: `tests/common/arm.rs` (a port of the `validate_arm.py --strict`
//! oracle) with the schemas vendored in `tests/data/arm-schemas/` and the
//! samples in `tests/data/arm-samples/` (see `tests/data/README.md`).
//!
//! `emitted_arm_validates` checks every ARM template under `out/`; set
//! `AMLGEN_ARM_OUT` to check another folder instead.

#[path = "common/arm.rs"]
mod arm;

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/arm-samples");

fn load(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not valid JSON: {e}", path.display()))
}

fn sample(name: &str) -> Value {
    load(&Path::new(SAMPLES).join(name))
}

fn samples(prefix: &str) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(SAMPLES)
        .unwrap_or_else(|e| panic!("cannot read {SAMPLES}: {e}"))
        .map(|e| e.expect("readable directory entry").path())
        .filter(|p| {
            p.extension().is_some_and(|x| x == "json")
                && p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with(prefix))
        })
        .collect();
    found.sort();
    found
}

/// `path: message` split at the first `": "` after the path (paths hold no
/// `": "`).
fn split(line: &str) -> (&str, &str) {
    line.split_once(": ")
        .unwrap_or_else(|| panic!("not `PATH: message`: {line}"))
}

/// A message with a leading JSON object dump (whose key order differs: the
/// oracle keeps document order, `serde_json` here sorts) reduced to the
/// part after it.
fn comparable(message: &str) -> String {
    match message.find(" matches none of the ") {
        Some(at) if message.starts_with('{') => format!("<object>{}", &message[at..]),
        _ => message.to_owned(),
    }
}

fn assert_reports(template: &Value, expected: &[(&str, &str)], what: &str) {
    let got = arm::validate_template(template);
    let mut got_paths: Vec<&str> = got.iter().map(|l| split(l).0).collect();
    let mut want_paths: Vec<&str> = expected.iter().map(|(p, _)| *p).collect();
    got_paths.sort_unstable();
    want_paths.sort_unstable();
    assert_eq!(
        got_paths,
        want_paths,
        "{what}: the error paths differ from the oracle's; got:\n{}",
        got.join("\n")
    );
    let mut got_lines: Vec<(String, String)> = got
        .iter()
        .map(|l| {
            let (p, m) = split(l);
            (p.to_owned(), comparable(m))
        })
        .collect();
    let mut want_lines: Vec<(String, String)> = expected
        .iter()
        .map(|(p, m)| ((*p).to_owned(), comparable(m)))
        .collect();
    got_lines.sort();
    want_lines.sort();
    assert_eq!(
        got_lines, want_lines,
        "{what}: the messages differ from the oracle's"
    );
}

/// The vendored files are all there, whole (byte sizes from `SOURCES.md`),
/// and each is the schema its path says.
#[test]
fn vendored_schemas_are_complete() {
    let expected: [(&str, u64); 20] = [
        ("2018-05-01/subscriptionDeploymentTemplate.json", 170_703),
        ("2019-04-01/deploymentTemplate.json", 16_665),
        ("2019-08-01/managementGroupDeploymentTemplate.json", 115_746),
        ("2019-08-01/tenantDeploymentTemplate.json", 134_683),
        ("2020-02-02/Microsoft.Insights.Application.json", 8_180),
        ("2022-04-01/Microsoft.Authorization.json", 12_866),
        ("2022-09-01/Microsoft.Resources.json", 25_291),
        ("2024-06-01/Microsoft.Network.privateDns.json", 36_475),
        ("2024-11-30/Microsoft.ManagedIdentity.json", 6_678),
        ("2025-04-01/Microsoft.Resources.json", 33_177),
        ("2025-07-01/Microsoft.Network.NRP.json", 988_109),
        ("2025-07-01/Microsoft.OperationalInsights.json", 74_803),
        ("2025-11-01/Microsoft.ContainerRegistry.json", 64_631),
        ("2026-02-01/Microsoft.KeyVault.json", 79_819),
        ("2026-04-01/Microsoft.Storage.json", 214_543),
        (
            "2026-03-15-preview/Microsoft.MachineLearningServices.json",
            807_754,
        ),
        ("2026-05-01/Microsoft.MachineLearningServices.json", 682_401),
        ("2026-06-01/Microsoft.Authorization.json", 55_321),
        ("2026-01-01-preview/Microsoft.Authorization.json", 80_181),
        ("common/definitions.json", 6_633),
    ];
    for (rel, bytes) in expected {
        let path = Path::new(arm::SCHEMA_DIR).join(rel);
        let size = std::fs::metadata(&path)
            .unwrap_or_else(|e| panic!("{} is missing: {e}", path.display()))
            .len();
        assert_eq!(size, bytes, "{} is not the vendored copy", path.display());
        let id = format!("https://schema.management.azure.com/schemas/{rel}#");
        assert_eq!(
            load(&path)["id"],
            json!(id),
            "{} has another id",
            path.display()
        );
    }
}

/// The in-memory work-arounds find exactly the quirks the oracle finds in
/// the same files; if a schema is replaced, this shows what changed.
#[test]
fn schema_workarounds_match_the_oracle() {
    let expected = [
        ("discriminator-base", 78),
        ("expr-oneOf-to-anyOf", 4883),
        ("lowercase-enum", 7),
        ("name-expression", 12),
        ("root-tags", 4),
    ];
    assert_eq!(
        arm::schema_workarounds().into_iter().collect::<Vec<_>>(),
        expected,
        "python3 validate_arm.py --schemas tests/data/arm-schemas reports these counts"
    );
}

#[test]
fn good_samples_validate() {
    let good = samples("good-");
    assert!(good.len() >= 4, "the good samples are missing: {good:?}");
    for path in good {
        let errors = arm::validate_template(&load(&path));
        assert!(
            errors.is_empty(),
            "{} should validate:\n{}",
            path.display(),
            errors.join("\n")
        );
    }
}

/// What `python3 validate_arm.py --strict bad-misc.json` reports.
const BAD_MISC: &[(&str, &str)] = &[
    (
        "$.resources[0]",
        "unknown resource type/apiVersion Microsoft.MachineLearningServices/workspaces@2026-05-01-preview; local schemas have apiVersions ['2026-03-15-preview', '2026-05-01']",
    ),
    (
        "$.resources[1]",
        "Microsoft.Authorization/policyDefinitions@2026-06-01 cannot be deployed at resourceGroup scope (schema defines it for: managementGroup, subscription)",
    ),
    (
        "$.resources[2].name",
        "\"cpu-cluster\" has 1 segment(s) but Microsoft.MachineLearningServices/workspaces/computes needs 2 ('parent/.../child')",
    ),
    (
        "$.resources[2].properties",
        "{\"computeType\": \"AmlCompute\", \"properties\": {\"enableNodePublicIp\": ... matches none of the 10 alternatives; the variant its discriminator selects fails with:",
    ),
    (
        "$.resources[2].properties.properties.enableNodePublicIp",
        "\"false\" is not of type \"boolean\"",
    ),
    (
        "$.resources[2].properties.properties.scaleSettings",
        "'maxNodeCount' is a required property",
    ),
    (
        "$.resources[2].properties.properties.vmPriority",
        "\"Spot\" is not one of [\"Dedicated\", \"LowPriority\"]",
    ),
    (
        "$.resources[3].properties.managedNetwork.firewallSku",
        "\"Premium\" is not one of [\"Standard\", \"Basic\"]",
    ),
    (
        "$.resources[3].properties.managedNetwork.outboundRules[\"pe-kv\"]",
        "{\"type\": \"PrivateEndpoint\", \"destination\": {\"serviceResourceId\": \"x... matches none of the 3 alternatives; the variant its discriminator selects fails with:",
    ),
    (
        "$.resources[3].properties.managedNetwork.outboundRules[\"pe-kv\"].destination.sparkEnabled",
        "\"yes\" is not of type \"boolean\"",
    ),
    (
        "$.resources[3].properties.managedNetwork.outboundRules[\"tag-bad\"]",
        "{\"type\": \"ServiceTag\", \"destination\": \"AzureMonitor\"} matches none of the 3 alternatives; the variant its discriminator selects fails with:",
    ),
    (
        "$.resources[3].properties.managedNetwork.outboundRules[\"tag-bad\"].destination",
        "\"AzureMonitor\" is not of type \"object\"",
    ),
    (
        "$.resources[3].properties.publicNetworkAccess",
        "\"disabled\" is not one of [\"Enabled\", \"Disabled\"]",
    ),
];

/// What `python3 validate_arm.py --strict bad-workspace.json` reports.
const BAD_WORKSPACE: &[(&str, &str)] = &[
    (
        "$.resources[1].properties.managedNetwork.isolationMode",
        "\"AllowOnlyApprovedOutbund\" is not one of [\"Disabled\", \"AllowInternetOutbound\", \"AllowOnlyApprovedOutbound\"]",
    ),
    (
        "$.resources[1].properties.managedNetwork.outboundRules[\"allow-pypi\"]",
        "{\"type\": \"Fqdn\", \"category\": \"UserDefined\", \"destination\": \"pypi.org\"} matches none of the 3 alternatives (its discriminator value selects no variant)",
    ),
    (
        "$.resources[1].properties.managedNetwork.outboundRules[\"allow-pypi\"].type",
        "\"Fqdn\" is not one of [\"FQDN\", \"PrivateEndpoint\", \"ServiceTag\"]",
    ),
    (
        "$.resources[1].properties.managedNetwork.firewalSku",
        "[strict] property 'firewalSku' is not declared by the schema (did you mean 'firewallSku'?)",
    ),
];

#[test]
fn bad_samples_report_what_the_oracle_reports() {
    let bad = samples("bad-");
    let names: Vec<String> = bad
        .iter()
        .map(|p| {
            p.file_name()
                .expect("a file")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(
        names,
        ["bad-misc.json", "bad-workspace.json"],
        "every bad sample needs its expected errors here"
    );
    assert_reports(&sample("bad-misc.json"), BAD_MISC, "bad-misc.json");
    assert_reports(
        &sample("bad-workspace.json"),
        BAD_WORKSPACE,
        "bad-workspace.json",
    );
}

/// Mistakes planted in the realistic template (workspace with a managed
/// network, its dependencies, private endpoint, DNS, role assignment and a
/// nested deployment) are each found, and only they.
#[test]
fn misspelt_property_wrong_enum_and_unknown_api_version_are_reported() {
    let good = sample("good-managed-network.json");
    let resource = |t: &Value, i: usize, ty: &str| {
        assert_eq!(t["resources"][i]["type"], json!(ty), "the sample changed");
    };
    resource(&good, 6, "Microsoft.MachineLearningServices/workspaces");
    resource(&good, 8, "Microsoft.Network/privateEndpoints");
    resource(&good, 13, "Microsoft.Resources/deployments");
    let rename = |t: &mut Value, ptr: &str, from: &str, to: &str| {
        let object = t
            .pointer_mut(ptr)
            .and_then(Value::as_object_mut)
            .unwrap_or_else(|| panic!("{ptr} is not an object in the sample"));
        let value = object
            .remove(from)
            .unwrap_or_else(|| panic!("{ptr} has no {from}"));
        object.insert(to.to_owned(), value);
    };

    let mut misspelt = good.clone();
    rename(
        &mut misspelt,
        "/resources/6/properties",
        "publicNetworkAccess",
        "publicNetworkAcess",
    );
    assert_reports(
        &misspelt,
        &[(
            "$.resources[6].properties.publicNetworkAcess",
            "[strict] property 'publicNetworkAcess' is not declared by the schema (did you mean 'publicNetworkAccess'?)",
        )],
        "misspelt property",
    );

    let mut wrong_enum = good.clone();
    wrong_enum["resources"][6]["properties"]["managedNetwork"]["isolationMode"] =
        json!("ApprovedOutboundOnly");
    assert_reports(
        &wrong_enum,
        &[(
            "$.resources[6].properties.managedNetwork.isolationMode",
            "\"ApprovedOutboundOnly\" is not one of [\"Disabled\", \"AllowInternetOutbound\", \"AllowOnlyApprovedOutbound\"]",
        )],
        "wrong enum value",
    );

    let mut unknown_api = good.clone();
    unknown_api["resources"][8]["apiVersion"] = json!("2025-09-01");
    assert_reports(
        &unknown_api,
        &[(
            "$.resources[8]",
            "unknown resource type/apiVersion Microsoft.Network/privateEndpoints@2025-09-01; local schemas have apiVersions ['2025-07-01']",
        )],
        "unknown apiVersion",
    );

    let mut nested = good;
    rename(
        &mut nested,
        "/resources/13/properties/template/resources/0/properties/properties",
        "enableNodePublicIp",
        "enableNodePublicIP",
    );
    assert_reports(
        &nested,
        &[(
            "$.resources[13].properties.template.resources[0].properties.properties.enableNodePublicIP",
            "[strict] property 'enableNodePublicIP' is not declared by the schema (did you mean 'enableNodePublicIp'?)",
        )],
        "misspelt property in a nested deployment",
    );
}

fn storage_template(account: &Value) -> Value {
    json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": [account]
    })
}

/// The published schemas accept any extra property; the strict check
/// reports a name that no applicable subschema declares, and nothing else.
#[test]
fn strict_mode_reports_undeclared_properties() {
    let account = json!({
        "type": "Microsoft.Storage/storageAccounts",
        "apiVersion": "2026-04-01",
        "name": "stamlgen01",
        "location": "westeurope",
        "kind": "StorageV2",
        "sku": { "name": "Standard_LRS" },
        // ARM's own resource keys are not flagged:
        "metadata": { "owner": "ml-platform" },
        "comments": "the workspace's default storage",
        // additionalProperties: any tag name is fine
        "tags": { "any-tag-name": "x" },
        "properties": {
            "allowBlobPublicAccess": false,
            // an expression is not looked into
            "networkAcls": "[variables('acls')]",
            "minimumTlsVersion": "TLS1_2"
        }
    });
    let template = storage_template(&account);
    let clean = arm::validate_template(&template);
    assert!(clean.is_empty(), "{}", clean.join("\n"));

    let mut misspelt = account.clone();
    misspelt["properties"]["alowSharedKeyAccess"] = json!(false);
    misspelt["sku"]["tier"] = json!("Standard");
    misspelt["sku"]["size"] = json!("S");
    misspelt["zone"] = json!("1");
    let errors = arm::validate_template(&storage_template(&misspelt));
    assert_eq!(
        errors,
        [
            "$.resources[0].properties.alowSharedKeyAccess: [strict] property 'alowSharedKeyAccess' is not declared by the schema (did you mean 'allowSharedKeyAccess'?)",
            "$.resources[0].sku.size: [strict] property 'size' is not declared by the schema (declared: name)",
            "$.resources[0].sku.tier: [strict] property 'tier' is not declared by the schema (declared: name)",
            "$.resources[0].zone: [strict] property 'zone' is not declared by the schema (did you mean 'zones'?)",
        ],
        "what validate_arm.py --strict reports (Storage's Sku declares only `name`: `tier` is read-only)"
    );
}

#[test]
fn expressions_are_accepted_where_the_schema_offers_them() {
    let workspace = json!({
        "type": "Microsoft.MachineLearningServices/workspaces",
        "apiVersion": "2026-05-01",
        "name": "[parameters('name')]",
        "location": "[parameters('location')]",
        "tags": "[parameters('tags')]",
        "identity": "[variables('identity')]",
        "properties": {
            "publicNetworkAccess": "[if(parameters('private'), 'Disabled', 'Enabled')]",
            "managedNetwork": {
                "isolationMode": "[parameters('isolation')]",
                "outboundRules": "[variables('rules')]"
            }
        }
    });
    let template = storage_template(&workspace);
    let errors = arm::validate_template(&template);
    assert!(errors.is_empty(), "{}", errors.join("\n"));

    let mut literal_type = workspace.clone();
    literal_type["type"] = json!("[variables('type')]");
    assert_eq!(
        arm::validate_template(&storage_template(&literal_type)),
        [
            "$.resources[0].type: resource type must be a literal string, got \"[variables('type')]\""
        ]
    );
    // `[[` escapes a literal string that starts with `[`: not an expression.
    let mut escaped = workspace;
    escaped["properties"]["managedNetwork"]["isolationMode"] = json!("[[parameters('isolation')]");
    let errors = arm::validate_template(&storage_template(&escaped));
    assert_eq!(errors.len(), 1, "{}", errors.join("\n"));
    assert!(
        errors[0].starts_with("$.resources[0].properties.managedNetwork.isolationMode: "),
        "{}",
        errors[0]
    );
}

#[test]
fn types_without_a_schema_are_errors() {
    let template = storage_template(&json!({
        "type": "Microsoft.Foo/bars",
        "apiVersion": "2026-01-01",
        "name": "x",
        "properties": {}
    }));
    assert_eq!(
        arm::validate_template(&template),
        [
            "$.resources[0]: unknown resource type/apiVersion Microsoft.Foo/bars@2026-01-01; no local schema for this type at all"
        ]
    );
    // The lookup ignores the type's case, as ARM does.
    let template = storage_template(&json!({
        "type": "microsoft.managedidentity/USERASSIGNEDIDENTITIES",
        "apiVersion": "2024-11-30",
        "name": "id-x",
        "location": "westeurope",
        "properties": {}
    }));
    let errors = arm::validate_template(&template);
    assert_eq!(errors.len(), 1, "{}", errors.join("\n"));
    assert!(
        errors[0].starts_with("$.resources[0].type: "),
        "{}",
        errors[0]
    );
    assert!(
        arm::known_types().contains(&(
            "microsoft.operationalinsights/workspaces".to_owned(),
            "2025-07-01".to_owned()
        )),
        "the Log Analytics schema is vendored"
    );
}

/// A `$ref` to a schema that is not vendored is an error, never a download.
/// The root templates' `#/definitions/resource` refers to the index of every
/// provider (`common/autogeneratedResources.json`), which is not vendored.
#[test]
fn unavailable_schema_reference_is_an_error() {
    let errors = arm::validate_against(
        "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#/definitions/resource",
        &json!({ "type": "Microsoft.Storage/storageAccounts", "apiVersion": "2026-04-01", "name": "x" }),
    );
    assert_eq!(errors.len(), 1, "{}", errors.join("\n"));
    assert!(
        errors[0].starts_with("$: schema reference not available offline: https://schema.management.azure.com/schemas/"),
        "{}",
        errors[0]
    );
    let errors = arm::validate_against(
        "https://schema.management.azure.com/schemas/2015-01-01/deploymentTemplate.json#",
        &json!({}),
    );
    assert_eq!(errors.len(), 1, "{}", errors.join("\n"));
    assert!(
        errors[0].starts_with("$: schema reference not available offline: "),
        "{}",
        errors[0]
    );
}

#[test]
fn collect_resources_flattens_nested_deployments() {
    let got = arm::collect_resources(&sample("good-workspace.json"));
    let want = [
        (
            "Microsoft.Storage/storageAccounts",
            "2026-04-01",
            "[variables('stName')]",
        ),
        (
            "Microsoft.MachineLearningServices/workspaces",
            "2026-05-01",
            "[variables('wsName')]",
        ),
        (
            "Microsoft.Network/privateEndpoints",
            "2025-07-01",
            "[format('pe-{0}', variables('wsName'))]",
        ),
        (
            "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
            "2025-07-01",
            "default",
        ),
        (
            "Microsoft.Network/privateDnsZones",
            "2024-06-01",
            "[variables('amlZone')]",
        ),
        (
            "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
            "2024-06-01",
            "privatelink.api.azureml.ms/link-hub-vnet",
        ),
        (
            "Microsoft.Authorization/roleAssignments",
            "2022-04-01",
            "[guid(resourceId('Microsoft.MachineLearningServices/workspaces', variables('wsName')), parameters('dataScientistPrincipalId'), 'f6c7c914-8db3-469d-8ca1-694a8f32e121')]",
        ),
        (
            "Microsoft.Resources/deployments",
            "2025-04-01",
            "amlgen-policy-definitions",
        ),
        (
            "Microsoft.Authorization/policyDefinitions",
            "2026-06-01",
            "amlgen-deny-aml-compute-local-auth",
        ),
    ];
    let want: Vec<(String, String, String)> = want
        .iter()
        .map(|(t, a, n)| ((*t).to_owned(), (*a).to_owned(), (*n).to_owned()))
        .collect();
    assert_eq!(got, want);

    // languageVersion 2.0: a symbolic-name object; `existing` is left out.
    let got = arm::collect_resources(&sample("good-symbolic-compute.json"));
    let types: Vec<&str> = got.iter().map(|(t, _, _)| t.as_str()).collect();
    assert_eq!(
        types,
        [
            "Microsoft.MachineLearningServices/workspaces/computes",
            "Microsoft.MachineLearningServices/workspaces/computes",
            "Microsoft.MachineLearningServices/workspaces/outboundRules",
        ]
    );
    // A literal child name is given with its parent's.
    let nested = json!({ "resources": [{
        "type": "Microsoft.Network/privateDnsZones", "apiVersion": "2024-06-01", "name": "privatelink.api.azureml.ms",
        "resources": [{ "type": "virtualNetworkLinks", "apiVersion": "2024-06-01", "name": "hub" }]
    }]});
    assert_eq!(
        arm::collect_resources(&nested)[1],
        (
            "Microsoft.Network/privateDnsZones/virtualNetworkLinks".to_owned(),
            "2024-06-01".to_owned(),
            "privatelink.api.azureml.ms/hub".to_owned()
        )
    );
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.expect("readable directory entry").path();
        if path.is_dir() {
            json_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "json") {
            out.push(path);
        }
    }
}

/// Every ARM template the emitter wrote: each `azuredeploy.json`, and every
/// other `*.json` whose `$schema` is a deployment template schema. Must not
/// be empty (the emitter and this check land together).
#[test]
fn emitted_arm_validates() {
    let (dir, shown) = match std::env::var_os("AMLGEN_ARM_OUT") {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            let shown = format!("{}/", dir.display());
            (dir, shown)
        }
        None => (
            Path::new(env!("CARGO_MANIFEST_DIR")).join("out"),
            "out/".to_owned(),
        ),
    };
    let mut files = Vec::new();
    json_files(&dir, &mut files);
    files.sort();
    let mut checked = 0;
    let mut problems = Vec::new();
    for path in &files {
        let shown_path = path
            .strip_prefix(&dir)
            .unwrap_or(path)
            .display()
            .to_string();
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let value: Value = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(e) => {
                problems.push(format!("{shown}{shown_path}: not valid JSON: {e}"));
                continue;
            }
        };
        let named = path.file_name().is_some_and(|n| n == "azuredeploy.json");
        if !named && !arm::is_deployment_template(&value) {
            continue;
        }
        checked += 1;
        problems.extend(
            arm::validate_template(&value)
                .into_iter()
                .map(|e| format!("{shown}{shown_path}: {e}")),
        );
    }
    assert!(checked > 0, "no ARM templates under {shown}");
    assert!(
        problems.is_empty(),
        "{} problem(s) in the {checked} ARM template(s) under {shown}:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
