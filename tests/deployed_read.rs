//! The deployed-file reader (`amlgen::deployed::read`): every shape it
//! reads (`tests/data/deployed/shapes/`, sources in its `SOURCE.md`) into
//! the expected ARM resources; amlgen's own ARM template of every example
//! read into exactly the resources its modules declare; hostile input
//! (truncations of every fixture, random bytes, the limits) never panics
//! and gets its code.

use std::path::{Path, PathBuf};

use amlgen::deployed::DeployedResource;
use amlgen::deployed::read::{self, Scope};
use amlgen::deployed::template_eval::{is_stand_in_guid, is_unknown};
use amlgen::diag::{Diagnostic, Diagnostics};
use amlgen::source::SourceMap;
use serde_json::{Value, json};

#[path = "common/rng.rs"]
mod rng;

const SUB: &str = "00000000-0000-0000-0000-0000000000aa";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn shape(name: &str) -> PathBuf {
    root().join("tests/data/deployed/shapes").join(name)
}

fn demo_scope() -> Scope {
    Scope {
        subscription_id: Some(SUB.into()),
        resource_group: Some("rg-demo".into()),
        ..Scope::default()
    }
}

struct Read {
    resources: Vec<DeployedResource>,
    diags: Vec<Diagnostic>,
    sources: SourceMap,
}

fn read_with(paths: &[PathBuf], scope: &Scope) -> Read {
    let mut sources = SourceMap::default();
    let mut diags = Diagnostics::default();
    let resources =
        amlgen::driver::read_deployed(paths, scope, &mut sources, &mut diags).expect("readable");
    Read {
        resources,
        diags: diags.into_sorted(),
        sources,
    }
}

fn read_shape(name: &str) -> Read {
    read_with(&[shape(name)], &demo_scope())
}

fn read_str(name: &str, text: &str) -> Read {
    let mut sources = SourceMap::default();
    let mut diags = Diagnostics::default();
    let resources = read::read_text(name, text, &Scope::default(), &mut sources, &mut diags);
    Read {
        resources,
        diags: diags.into_sorted(),
        sources,
    }
}

fn codes(r: &Read) -> Vec<&'static str> {
    r.diags.iter().map(|d| d.code.id()).collect()
}

fn one<'a>(r: &'a Read, ty: &str) -> &'a DeployedResource {
    let found: Vec<_> = r.resources.iter().filter(|x| x.is(ty)).collect();
    assert_eq!(found.len(), 1, "one {ty} in {:?}", names(r));
    found[0]
}

fn names(r: &Read) -> Vec<(String, String)> {
    r.resources
        .iter()
        .map(|x| (x.arm_type.clone(), x.name.clone()))
        .collect()
}

fn rg_id(ty_tail: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/rg-demo/providers/{ty_tail}")
}

/// The text a resource's origin covers.
fn origin_text<'a>(r: &'a Read, x: &DeployedResource) -> &'a str {
    &r.sources.get(x.origin.file).text[x.origin.range()]
}

#[test]
fn one_resource_as_az_resource_show_prints_it() {
    let r = read_shape("resource-show-workspace.json");
    assert!(r.diags.is_empty(), "{:?}", r.diags);
    let w = one(&r, "Microsoft.MachineLearningServices/workspaces");
    assert_eq!(w.name, "mlw-demo");
    assert_eq!(
        w.id,
        rg_id("Microsoft.MachineLearningServices/workspaces/mlw-demo")
    );
    assert_eq!(w.location.as_deref(), Some("westeurope"));
    assert_eq!(w.tags.get("env").map(String::as_str), Some("prod"));
    assert_eq!(
        w.properties()["managedNetwork"]["isolationMode"],
        "AllowOnlyApprovedOutbound"
    );
    // The origin is the resource's whole object.
    let whole: Value = serde_json::from_str(origin_text(&r, w)).unwrap();
    assert_eq!(whole["name"], "mlw-demo");
}

#[test]
fn an_array_keeps_the_known_types_and_notes_the_others() {
    let r = read_shape("resource-list.json");
    assert_eq!(codes(&r), ["AML4007"]);
    assert!(
        r.diags[0].message.contains("vm-jump"),
        "{}",
        r.diags[0].message
    );
    assert_eq!(r.resources.len(), 2);
    let kv = one(&r, "Microsoft.KeyVault/vaults");
    assert_eq!(kv.properties()["enableRbacAuthorization"], true);
    assert!(origin_text(&r, kv).starts_with('{') && origin_text(&r, kv).contains("\"kvdemo\""));
}

#[test]
fn a_rest_list_page_reads_its_value() {
    let r = read_shape("rest-list-outbound-rules.json");
    assert!(r.diags.is_empty(), "{:?}", r.diags);
    assert_eq!(
        names(&r),
        [
            (
                "Microsoft.MachineLearningServices/workspaces/outboundRules".to_string(),
                "mlw-demo/pypi".to_string()
            ),
            (
                "Microsoft.MachineLearningServices/workspaces/outboundRules".to_string(),
                "mlw-demo/adf".to_string()
            ),
        ]
    );
    assert_eq!(
        r.resources[1].properties()["destination"]["serviceTag"],
        "DataFactory"
    );
}

#[test]
fn several_json_values_one_after_the_other() {
    let r = read_shape("stream.json");
    assert!(r.diags.is_empty(), "{:?}", r.diags);
    assert_eq!(r.resources.len(), 2);
    let appi = one(&r, "Microsoft.Insights/components");
    assert!(origin_text(&r, appi).contains("appi-demo"));
    assert!(!origin_text(&r, appi).contains("crdemo"));
}

#[test]
fn cli_private_endpoint_gets_its_properties_wrapper_back() {
    let r = read_shape("cli-private-endpoint.json");
    assert!(r.diags.is_empty(), "{:?}", r.diags);
    let pe = one(&r, "Microsoft.Network/privateEndpoints");
    let p = pe.properties();
    assert_eq!(
        p["subnet"]["id"],
        rg_id("Microsoft.Network/virtualNetworks/vnet-hub/subnets/snet-pe")
    );
    let conn = &p["privateLinkServiceConnections"][0];
    assert_eq!(conn["name"], "pe-mlw-demo");
    assert_eq!(conn["properties"]["groupIds"], json!(["amlworkspace"]));
    assert_eq!(
        conn["properties"]["privateLinkServiceId"],
        rg_id("Microsoft.MachineLearningServices/workspaces/mlw-demo")
    );
    assert!(pe.body.get("provisioningState").is_none());
    assert_eq!(pe.body["resourceGroup"], "rg-demo");
}

#[test]
fn cli_dns_zone_group_has_its_type_from_its_id() {
    let r = read_shape("cli-dns-zone-group.json");
    assert!(r.diags.is_empty(), "{:?}", r.diags);
    let g = one(
        &r,
        "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
    );
    assert_eq!(g.name, "pe-mlw-demo/default");
    assert_eq!(
        g.properties()["privateDnsZoneConfigs"][0]["properties"]["privateDnsZoneId"],
        rg_id("Microsoft.Network/privateDnsZones/privatelink.api.azureml.ms")
    );
}

#[test]
fn cli_private_dns_zone_link_and_record() {
    let r = read_shape("cli-private-dns.json");
    assert!(r.diags.is_empty(), "{:?}", r.diags);
    let link = one(&r, "Microsoft.Network/privateDnsZones/virtualNetworkLinks");
    assert_eq!(link.name, "privatelink.api.azureml.ms/link-hub");
    assert_eq!(
        link.properties()["virtualNetwork"]["id"],
        rg_id("Microsoft.Network/virtualNetworks/vnet-hub")
    );
    assert_eq!(link.properties()["registrationEnabled"], false);
    let a = one(&r, "Microsoft.Network/privateDnsZones/A");
    assert_eq!(a.properties()["aRecords"][0]["ipv4Address"], "10.0.1.4");
    one(&r, "Microsoft.Network/privateDnsZones");
}

#[test]
fn cli_role_assignment_list() {
    let r = read_shape("cli-role-assignments.json");
    assert!(r.diags.is_empty(), "{:?}", r.diags);
    let a = one(&r, "Microsoft.Authorization/roleAssignments");
    let p = a.properties();
    assert_eq!(p["principalId"], "11111111-2222-3333-4444-555555555555");
    assert_eq!(p["principalType"], "ServicePrincipal");
    assert_eq!(
        p["scope"],
        rg_id("Microsoft.Storage/storageAccounts/stdemo")
    );
    assert!(
        p["roleDefinitionId"]
            .as_str()
            .unwrap()
            .ends_with("ba92f5b4-2d11-453d-a403-e96b0029c9fe")
    );
}

#[test]
fn group_export_is_evaluated_in_the_given_scope() {
    let r = read_shape("group-export.json");
    assert_eq!(codes(&r), ["AML4007"], "{:?}", r.diags);
    assert!(r.diags[0].message.contains("blobServices"));
    let mut got = names(&r);
    got.sort();
    let mut want: Vec<(String, String)> = [
        ("Microsoft.MachineLearningServices/workspaces", "mlw-demo"),
        ("Microsoft.Storage/storageAccounts", "stdemo"),
        ("Microsoft.Network/virtualNetworks", "vnet-hub"),
        (
            "Microsoft.Network/virtualNetworks/subnets",
            "vnet-hub/snet-pe",
        ),
        (
            "Microsoft.Network/privateDnsZones",
            "privatelink.api.azureml.ms",
        ),
        (
            "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
            "privatelink.api.azureml.ms/link-hub",
        ),
        ("Microsoft.Network/privateEndpoints", "pe-mlw-demo"),
        (
            "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
            "pe-mlw-demo/default",
        ),
    ]
    .iter()
    .map(|(t, n)| ((*t).to_string(), (*n).to_string()))
    .collect();
    want.sort();
    assert_eq!(got, want);
    let w = one(&r, "Microsoft.MachineLearningServices/workspaces");
    assert_eq!(
        w.id,
        rg_id("Microsoft.MachineLearningServices/workspaces/mlw-demo")
    );
    assert_eq!(
        w.properties()["storageAccount"],
        rg_id("Microsoft.Storage/storageAccounts/stdemo")
    );
    assert_eq!(w.properties()["friendlyName"], "mlw-demo");
    assert!(w.body.get("dependsOn").is_none() && w.body.get("apiVersion").is_none());
    let subnet = one(&r, "Microsoft.Network/virtualNetworks/subnets");
    assert_eq!(
        subnet.id,
        rg_id("Microsoft.Network/virtualNetworks/vnet-hub/subnets/snet-pe")
    );
    let pe = one(&r, "Microsoft.Network/privateEndpoints");
    assert_eq!(
        pe.properties()["privateLinkServiceConnections"][0]["properties"]["privateLinkServiceId"],
        w.id.as_str()
    );
    // The origin points at the resource's object in the template.
    assert!(origin_text(&r, pe).contains("privateEndpoints_pe_mlw_demo_name"));
}

#[test]
fn a_template_without_a_scope_uses_the_documented_placeholders() {
    let r = read_with(&[shape("group-export.json")], &Scope::default());
    let w = r
        .resources
        .iter()
        .find(|x| x.is("Microsoft.MachineLearningServices/workspaces"))
        .unwrap();
    assert_eq!(
        w.id,
        format!(
            "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.MachineLearningServices/workspaces/mlw-demo",
            read::NO_SUBSCRIPTION,
            read::NO_RESOURCE_GROUP
        )
    );
}

/// What the azure-ai-ml SDK (1.35.2) sends for `azml-workspace.yml`:
/// `Workspace._to_rest_object()`, serialized (see `SOURCE.md`).
fn sdk_managed_network() -> Value {
    json!({
        "isolationMode": "AllowOnlyApprovedOutbound",
        "outboundRules": {
            "pypi": { "type": "FQDN", "category": "UserDefined", "destination": "pypi.org" },
            "adf": { "type": "ServiceTag", "category": "UserDefined",
                     "destination": { "serviceTag": "DataFactory", "protocol": "TCP", "portRanges": "80,8080-8089" } },
            "lake": { "type": "PrivateEndpoint", "category": "UserDefined",
                      "destination": { "serviceResourceId": rg_id("Microsoft.Storage/storageAccounts/stlake"),
                                       "subresourceTarget": "dfs", "sparkEnabled": false } }
        },
        "firewallSku": "Basic"
    })
}

fn check_azml_workspace(r: &Read) {
    let w = one(r, "Microsoft.MachineLearningServices/workspaces");
    assert_eq!(
        w.id,
        rg_id("Microsoft.MachineLearningServices/workspaces/mlw-demo")
    );
    assert_eq!(w.location.as_deref(), Some("westeurope"));
    assert_eq!(w.body["identity"]["type"], "SystemAssigned");
    let p = w.properties();
    let mut mn = p["managedNetwork"].clone();
    if let Some(o) = mn.as_object_mut() {
        o.remove("networkId");
        o.remove("status");
    }
    assert_eq!(mn, sdk_managed_network());
    for (k, v) in [
        ("publicNetworkAccess", json!("Disabled")),
        ("friendlyName", json!("Demo")),
        ("hbiWorkspace", json!(true)),
        ("imageBuildCompute", json!("cpu-build")),
        ("enableDataIsolation", json!(true)),
        ("provisionNetworkNow", json!(true)),
        (
            "storageAccount",
            json!(rg_id("Microsoft.Storage/storageAccounts/stdemo")),
        ),
    ] {
        assert_eq!(p[k], v, "{k}");
    }
}

#[test]
fn az_ml_workspace_yaml_reads_as_the_sdk_sends_it() {
    let r = read_shape("azml-workspace.yml");
    assert!(r.diags.is_empty(), "{:?}", r.diags);
    check_azml_workspace(&r);
    let p = one(&r, "Microsoft.MachineLearningServices/workspaces").properties();
    assert_eq!(
        p["networkAcls"],
        json!({ "defaultAction": "Deny", "ipRules": [{ "value": "203.0.113.0/24" }] })
    );
}

#[test]
fn az_ml_workspace_show_json_reads_the_same() {
    let r = read_shape("azml-show.json");
    assert!(r.diags.is_empty(), "{:?}", r.diags);
    check_azml_workspace(&r);
    let p = one(&r, "Microsoft.MachineLearningServices/workspaces").properties();
    assert_eq!(p["managedNetwork"]["status"]["status"], "Active");
}

#[test]
fn az_ml_keys_not_understood_are_reported_not_kept() {
    let r = read_str(
        "w.yml",
        "name: mlw-x\nlocation: westeurope\npublic_network_acess: disabled\nmanaged_network:\n  isolation_mode: allow_internet_outbound\n  outbound_rule: []\n",
    );
    assert_eq!(codes(&r), ["AML4008", "AML4008"]);
    assert!(
        r.diags[0].message.contains("`public_network_acess`"),
        "{}",
        r.diags[0].message
    );
    assert!(
        r.diags[1]
            .message
            .contains("`managed_network.outbound_rule`"),
        "{}",
        r.diags[1].message
    );
    // Each points at its key.
    let at = r.diags[1].primary.unwrap();
    assert_eq!(&r.sources.get(at.file).text[at.range()], "outbound_rule:");
    let w = &r.resources[0];
    assert!(!w.properties().contains_key("publicNetworkAccess"));
    let r = read_str(
        "s.yml",
        "name: mlw-x\nserverless_compute:\n  custom_subnet: /subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/snet\n  no_public_ip: true\n",
    );
    assert!(r.diags.is_empty(), "{:?}", r.diags);
    assert_eq!(
        r.resources[0].properties()["serverlessComputeSettings"]["serverlessComputeNoPublicIP"],
        true
    );
    assert_eq!(
        w.properties()["managedNetwork"]["isolationMode"],
        "AllowInternetOutbound"
    );
}

/// The lock file's subscription and group of a built workspace.
fn built_scope(ws: &str) -> Scope {
    let lock: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("out/amlgen.lock.json")).unwrap(),
    )
    .unwrap();
    let w = &lock["workspaces"][ws];
    Scope {
        subscription_id: w["subscription_id"].as_str().map(str::to_string),
        resource_group: w["resource_group"].as_str().map(str::to_string),
        ..Scope::default()
    }
}

/// What a built template deploys, walked independently of the reader:
/// each unconditional module's inner resources, in the module's target
/// (type, subscription, group, and the name when it is a literal).
fn declared(template: &Value, scope: &Scope) -> Vec<(String, String, String, Option<String>)> {
    let mut out = Vec::new();
    for m in template["resources"].as_array().unwrap() {
        assert_eq!(
            m["type"], "Microsoft.Resources/deployments",
            "amlgen's entry template holds modules only"
        );
        if m.get("condition").is_some() {
            assert_eq!(m["condition"], "[parameters('firstDeployment')]");
            continue;
        }
        // A workspace whose posture names no subscription: the reader's
        // documented placeholder.
        let sub = m["subscriptionId"]
            .as_str()
            .or(scope.subscription_id.as_deref())
            .unwrap_or(read::NO_SUBSCRIPTION);
        let rg = m["resourceGroup"]
            .as_str()
            .or(scope.resource_group.as_deref())
            .unwrap();
        for x in m["properties"]["template"]["resources"].as_array().unwrap() {
            let name = x["name"].as_str().unwrap();
            let literal = (!name.starts_with('[')).then(|| name.to_string());
            out.push((
                x["type"].as_str().unwrap().to_string(),
                sub.to_string(),
                rg.to_string(),
                literal,
            ));
        }
    }
    out.sort();
    out
}

#[test]
fn amlgen_templates_read_into_the_resources_their_modules_declare() {
    let dir = root().join("out/workspaces");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let ws_dir = entry.unwrap().path();
        let ws = ws_dir.file_name().unwrap().to_string_lossy().into_owned();
        let path = ws_dir.join("azuredeploy.json");
        let scope = built_scope(&ws);
        let r = read_with(std::slice::from_ref(&path), &scope);
        assert!(r.diags.is_empty(), "{ws}: {:?}", r.diags);
        let template: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let want = declared(&template, &scope);
        let mut got: Vec<_> = r
            .resources
            .iter()
            .map(|x| {
                let (sub, rg) = scope_of(&x.id);
                let literal = want
                    .iter()
                    .any(|w| w.0 == x.arm_type && w.3.as_deref() == Some(x.name.as_str()))
                    .then(|| x.name.clone());
                (x.arm_type.clone(), sub, rg, literal)
            })
            .collect();
        got.sort();
        assert_eq!(got, want, "{ws}");
        // Exactly one workspace: the first deployment's module is skipped.
        let workspaces: Vec<_> = r
            .resources
            .iter()
            .filter(|x| x.is("Microsoft.MachineLearningServices/workspaces"))
            .collect();
        assert_eq!(workspaces.len(), 1, "{ws}");
        assert_eq!(workspaces[0].name, ws);
        // Each id names its type and name.
        for x in &r.resources {
            assert!(
                x.id.contains(&format!(
                    "/providers/{}/",
                    x.arm_type.split('/').next().unwrap()
                )),
                "{}",
                x.id
            );
            if x.is("Microsoft.Authorization/roleAssignments") {
                assert!(is_stand_in_guid(&x.name), "{}", x.name);
                let p = x.properties();
                assert!(x.id.starts_with(p["scope"].as_str().unwrap()), "{}", x.id);
                let principal = p["principalId"].as_str().unwrap();
                assert!(
                    is_unknown(principal) || principal.len() == 36,
                    "{principal}"
                );
            }
        }
        seen += 1;
    }
    assert!(seen >= 10, "the examples' builds are in out/workspaces");
}

fn scope_of(id: &str) -> (String, String) {
    let segs: Vec<&str> = id.split('/').collect();
    let after = |k: &str| {
        segs.iter()
            .position(|s| s.eq_ignore_ascii_case(k))
            .and_then(|i| segs.get(i + 1))
            .map(|s| (*s).to_string())
            .unwrap_or_default()
    };
    (after("subscriptions"), after("resourceGroups"))
}

#[test]
fn hostile_json_gets_its_code() {
    let r = read_str(
        "x.json",
        "{\"type\": \"Microsoft.Storage/storageAccounts\",\n  \"name\": }",
    );
    assert_eq!(codes(&r), ["AML4002"]);
    let d = &r.diags[0];
    let (line, _) = r
        .sources
        .get(d.primary.unwrap().file)
        .line_col(d.primary.unwrap().start as usize);
    assert_eq!(line, 2);

    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    assert_eq!(codes(&read_str("deep.json", &deep)), ["AML4004"]);
    assert_eq!(
        codes(&read_str("deep.yml", &format!("a: {deep}"))),
        ["AML4004"]
    );
    // Nine levels of nine aliases: a billion strings, refused early.
    let mut laughs =
        "a: &a [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n"
            .to_string();
    for (prev, next) in ["a", "b", "c", "d", "e", "f", "g", "h"]
        .iter()
        .zip(["b", "c", "d", "e", "f", "g", "h", "i"])
    {
        let refs = vec![format!("*{prev}"); 9].join(", ");
        laughs = format!("{laughs}{next}: &{next} [{refs}]\n");
    }
    assert_eq!(codes(&read_str("laughs.yml", &laughs)), ["AML4002"]);

    let r = read_str("x.json", "{\"name\": \"x\", \"properties\": {}}");
    assert_eq!(codes(&r), ["AML4005"]);
    assert!(
        r.diags[0].message.contains("`type`"),
        "{}",
        r.diags[0].message
    );
    let r = read_str(
        "x.json",
        "{\"type\": \"Microsoft.Storage/storageAccounts\"}",
    );
    assert!(
        r.diags[0].message.contains("`name`"),
        "{}",
        r.diags[0].message
    );
    assert_eq!(
        codes(&read_str("x.json", "[1, \"a\"]")),
        ["AML4005", "AML4005"]
    );
    assert_eq!(codes(&read_str("x.yml", "a: [1, 2")), ["AML4002"]);
    // A byte order mark (what some Windows tools write) is not an error.
    let r = read_str(
        "bom.json",
        "\u{feff}{\"id\": \"/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv\", \"type\": \"Microsoft.KeyVault/vaults\", \"name\": \"kv\"}",
    );
    assert!(r.diags.is_empty(), "{:?}", r.diags);
    assert!(origin_text(&r, &r.resources[0]).starts_with('{'));

    let t = r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0",
      "resources": [ { "type": "Microsoft.Storage/storageAccounts", "name": "st1", "location": "[nosuch('x')]", "properties": {} },
                     { "type": "Microsoft.KeyVault/vaults", "name": "[parameters('missing')]", "properties": {} } ] }"#;
    let r = read_str("t.json", t);
    assert_eq!(codes(&r), ["AML4006", "AML4006"]);
    assert!(
        r.diags[0].notes.iter().any(|n| n.contains("nosuch")),
        "{:?}",
        r.diags[0]
    );
    assert!(
        r.diags[1].message.contains("left out") && r.diags[1].message.contains("missing"),
        "{}",
        r.diags[1].message
    );
    assert_eq!(r.resources.len(), 1);
    assert!(is_unknown(r.resources[0].location.as_deref().unwrap()));
}

#[test]
fn files_not_utf8_or_too_large() {
    let dir = std::env::temp_dir().join(format!("amlgen-deployed-read-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("latin1.json");
    std::fs::write(&bad, b"{\"name\": \"caf\xe9\"}").unwrap();
    let r = read_with(&[bad], &Scope::default());
    assert_eq!(codes(&r), ["AML4001"]);
    assert_eq!(r.diags[0].primary.unwrap().start, 13);
    let big = dir.join("big.json");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(read::MAX_FILE_BYTES + 1).unwrap();
    let r = read_with(&[big], &Scope::default());
    assert_eq!(codes(&r), ["AML4003"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn truncations_and_random_bytes_never_panic() {
    let mut texts = Vec::new();
    for e in std::fs::read_dir(root().join("tests/data/deployed/shapes")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x != "md") {
            texts.push((
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            ));
        }
    }
    let built = root().join("out/workspaces/mlw-fraud-prod/azuredeploy.json");
    texts.push((
        "azuredeploy.json".into(),
        std::fs::read_to_string(built).unwrap(),
    ));
    let mut rng = rng::Rng(0x5eed_1301);
    for (name, text) in &texts {
        let cuts: Vec<usize> = (0..40)
            .map(|_| rng.below(text.len()))
            .chain([0, 1, text.len() / 2])
            .collect();
        for cut in cuts {
            let cut = amlgen::source::floor_char_boundary(text, cut);
            let r = read_str(name, &text[..cut]);
            // Something read, or something said: never silence.
            assert!(
                !r.diags.is_empty() || !r.resources.is_empty(),
                "{name} cut at {cut}"
            );
        }
    }
    for i in 0..200 {
        let len = rng.below(300);
        let bytes: Vec<u8> = (0..len).map(|_| (rng.next() & 0xff) as u8).collect();
        let text = String::from_utf8_lossy(&bytes);
        let name = if i % 2 == 0 { "r.json" } else { "r.yml" };
        let _ = read_str(name, &text);
        let _ = read_str(
            "r.json",
            &format!("{{\"resources\": [{text}], \"contentVersion\": \"1\"}}"),
        );
    }
}

#[test]
fn the_ignored_type_page_lists_the_types_read() {
    let page = std::fs::read_to_string(root().join("docs/codes/AML4007.md")).unwrap();
    let listed: Vec<&str> = page
        .lines()
        .filter_map(|l| l.strip_prefix("- `")?.strip_suffix('`'))
        .collect();
    assert_eq!(listed, read::READ_TYPES);
}

#[test]
fn template_copy_loops_outer_scope_and_extension_scopes() {
    let t = r#"{
      "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      "contentVersion": "1.0.0.0",
      "parameters": { "zones": { "type": "array", "defaultValue": ["privatelink.blob.core.windows.net", "privatelink.file.core.windows.net"] } },
      "variables": { "prefix": "[concat('pe-', 'st')]" },
      "resources": [
        { "type": "Microsoft.Network/privateDnsZones", "apiVersion": "2024-06-01",
          "name": "[parameters('zones')[copyIndex()]]", "location": "global",
          "copy": { "name": "zoneLoop", "count": "[length(parameters('zones'))]" }, "properties": {} },
        { "type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "spoke",
          "resourceGroup": "rg-spoke",
          "properties": { "mode": "Incremental",
            "template": { "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0",
              "resources": [ { "type": "Microsoft.Network/privateEndpoints", "apiVersion": "2024-05-01",
                "name": "[concat(variables('prefix'), '-', deployment().name, '-', copyIndex(1))]", "location": "westeurope",
                "copy": { "name": "pe", "count": 1 }, "properties": {} } ] } } },
        { "type": "Microsoft.Authorization/roleAssignments", "apiVersion": "2022-04-01",
          "name": "[guid('x')]",
          "scope": "[resourceId('rg-other', 'Microsoft.Storage/storageAccounts', 'stother')]",
          "properties": { "principalId": "[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'id-x')).principalId]",
                          "roleDefinitionId": "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'ba92f5b4-2d11-453d-a403-e96b0029c9fe')]" } },
        { "type": "Microsoft.KeyVault/vaults", "apiVersion": "2023-07-01", "name": "kv-existing", "existing": true }
      ]
    }"#;
    let mut sources = SourceMap::default();
    let mut diags = Diagnostics::default();
    let rs = read::read_text("t.json", t, &demo_scope(), &mut sources, &mut diags);
    assert!(diags.is_empty(), "{:?}", diags.into_sorted());
    let ids: Vec<&str> = rs.iter().map(|x| x.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            rg_id("Microsoft.Network/privateDnsZones/privatelink.blob.core.windows.net").as_str(),
            rg_id("Microsoft.Network/privateDnsZones/privatelink.file.core.windows.net").as_str(),
            // Outer evaluation scope: the parent's variables, the nested
            // deployment's name and target group.
            format!("/subscriptions/{SUB}/resourceGroups/rg-spoke/providers/Microsoft.Network/privateEndpoints/pe-st-spoke-1").as_str(),
            format!(
                "/subscriptions/{SUB}/resourceGroups/rg-other/providers/Microsoft.Storage/storageAccounts/stother/providers/Microsoft.Authorization/roleAssignments/{}",
                rs[3].name
            )
            .as_str(),
        ]
    );
    let ra = rs[3].properties();
    assert_eq!(
        ra["principalId"],
        "<unknown: [reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'id-x')).principalId]>"
    );
    assert_eq!(
        ra["scope"],
        format!(
            "/subscriptions/{SUB}/resourceGroups/rg-other/providers/Microsoft.Storage/storageAccounts/stother"
        )
    );
}

#[test]
fn a_subscription_template_and_symbolic_resources() {
    let t = r#"{
      "$schema": "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#",
      "languageVersion": "2.0",
      "contentVersion": "1.0.0.0",
      "resources": {
        "def": { "type": "Microsoft.Authorization/roleDefinitions", "apiVersion": "2022-04-01",
                 "name": "[guid(subscription().id, 'deployer')]", "properties": { "roleName": "deployer" } }
      }
    }"#;
    let mut sources = SourceMap::default();
    let mut diags = Diagnostics::default();
    let rs = read::read_text("s.json", t, &demo_scope(), &mut sources, &mut diags);
    assert!(diags.is_empty(), "{:?}", diags.into_sorted());
    assert_eq!(rs.len(), 1);
    assert!(
        rs[0].id.starts_with(&format!(
            "/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/"
        )),
        "{}",
        rs[0].id
    );
    assert!(is_stand_in_guid(&rs[0].name));
}

#[test]
fn quirks_of_real_outputs() {
    // Microsoft's REST example of an outbound rule GET
    // (`ManagedNetwork/getRule.json`, MachineLearningServices 2025-09-01)
    // writes the type without its provider namespace: the id says it.
    let r = read_str(
        "rule.json",
        r#"{ "id": "/subscriptions/s/resourceGroups/test-rg/providers/Microsoft.MachineLearningServices/workspaces/aml-workspace-name/outboundRules/rule_name_1",
             "name": "rule_name_1", "type": "workspace/outboundRules",
             "properties": { "type": "FQDN", "destination": "destination_of_the_fqdn_rule", "status": "Active", "category": "UserDefined" } }"#,
    );
    assert!(r.diags.is_empty(), "{:?}", r.diags);
    assert_eq!(
        r.resources[0].arm_type,
        "Microsoft.MachineLearningServices/workspaces/outboundRules"
    );
    assert_eq!(r.resources[0].name, "aml-workspace-name/rule_name_1");
    // azure-ai-ml 1.35.2 under Python 3.11 prints rule statuses by enum
    // name; older versions by value.
    let r = read_str(
        "show.json",
        r#"{ "name": "w", "resource_group": "rg", "managed_network": { "isolation_mode": "allow_only_approved_outbound",
             "outbound_rules": [ { "name": "a", "type": "fqdn", "destination": "x.org", "category": "required", "status": "RuleStatus.INACTIVE" },
                                 { "name": "b", "type": "fqdn", "destination": "y.org", "status": "Active" } ] } }"#,
    );
    assert!(r.diags.is_empty(), "{:?}", r.diags);
    let rules = &r.resources[0].properties()["managedNetwork"]["outboundRules"];
    assert_eq!(rules["a"]["status"], "Inactive");
    assert_eq!(rules["a"]["category"], "Required");
    assert_eq!(rules["b"]["status"], "Active");
    assert_eq!(rules["b"]["category"], "UserDefined");
}
