//! `amlgen diff`: the comparison of a wanted and a deployed workspace
//! (`drift::compare`) on hand-built models, one test per kind of
//! difference and class; and the round trip, a build diffed against its
//! own deployed form (which needs the reader and the observer).

use std::collections::BTreeMap;

use amlgen::deployed::model::{
    Associated, ClientEndpoint, InsightsSettings, KeyVaultSettings, NsgRule, ObservedCompute,
    ObservedGrant, ObservedIdentity, ObservedNetwork, ObservedRule, ObservedWorkspace,
    OnlineEndpoint, Principal, RegistrySettings, RuleDestination, Spoke, SpokeSubnet,
    StorageSettings,
};
use amlgen::drift::{Class, Finding, compare};
use amlgen::source::FileId;
use amlgen::span::Span;

const SUB: &str = "00000000-0000-0000-0000-000000000001";

fn at(n: usize) -> Span {
    Span::new(FileId(0), n, n + 1)
}

fn id(rest: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/rg-ml/providers/{rest}")
}

fn rule(name: &str, category: &str, host: &str) -> ObservedRule {
    ObservedRule {
        origin: at(40),
        name: name.to_string(),
        category: Some(category.to_string()),
        status: Some("Active".to_string()),
        destination: RuleDestination::Fqdn {
            host: host.to_string(),
            ports: None,
        },
    }
}

fn compute(name: &str, ty: &str) -> ObservedCompute {
    ObservedCompute {
        origin: at(60),
        name: name.to_string(),
        compute_type: ty.to_string(),
        location: Some("westeurope".to_string()),
        vm_size: Some("Standard_DS3_v2".to_string()),
        max_nodes: Some(4),
        subnet: None,
        public_ip: Some(false),
        ssh_public_access: None,
        disable_local_auth: Some(true),
        setup_script: None,
        identity: ObservedIdentity::None,
        assigned_user: None,
    }
}

fn endpoint(name: &str, subnet: &str) -> ClientEndpoint {
    ClientEndpoint {
        origin: at(80),
        id: id(&format!("Microsoft.Network/privateEndpoints/{name}")),
        name: name.to_string(),
        location: Some("westeurope".to_string()),
        subnet: id(&format!(
            "Microsoft.Network/virtualNetworks/vnet-client/subnets/{subnet}"
        )),
        target: id("Microsoft.MachineLearningServices/workspaces/mlw-demo"),
        group_ids: vec!["amlworkspace".to_string()],
        manual: false,
        status: Some("Approved".to_string()),
        zones: None,
        zones_in_input: false,
    }
}

fn grant(principal: &str) -> ObservedGrant {
    ObservedGrant {
        origin: at(90),
        scope: id("Microsoft.MachineLearningServices/workspaces/mlw-demo"),
        principal_id: principal.to_string(),
        principal: Principal::Object(principal.to_string()),
        principal_type: Some("User".to_string()),
        role: "f6c7c914-8db3-469d-8ca1-694a8f32e121".to_string(),
    }
}

/// A workspace in approved-outbound mode with one rule, one cluster, one
/// client endpoint, one grant and its associated resources' settings.
fn ws() -> ObservedWorkspace {
    let mut rules = BTreeMap::new();
    rules.insert("pypi".to_string(), rule("pypi", "UserDefined", "pypi.org"));
    rules.insert(
        "__SYS_PE_storage_blob".to_string(),
        rule(
            "__SYS_PE_storage_blob",
            "Required",
            "x.blob.core.windows.net",
        ),
    );
    ObservedWorkspace {
        origin: at(1),
        id: id("Microsoft.MachineLearningServices/workspaces/mlw-demo"),
        name: "mlw-demo".to_string(),
        subscription_id: Some(SUB.to_string()),
        resource_group: Some("rg-ml".to_string()),
        location: "westeurope".to_string(),
        tags: BTreeMap::from([("owner".to_string(), "ml-team".to_string())]),
        kind: Some("Default".to_string()),
        identity: ObservedIdentity::SystemAssigned,
        public_network_access: Some("Disabled".to_string()),
        network_acls: None,
        v1_legacy_mode: Some(false),
        image_build_compute: None,
        network: ObservedNetwork {
            isolation_mode: Some("AllowOnlyApprovedOutbound".to_string()),
            firewall_sku: Some("Standard".to_string()),
            provision_now: Some(true),
            status: Some("Active".to_string()),
            rules,
        },
        storage: Some(Associated {
            id: id("Microsoft.Storage/storageAccounts/stmldemo"),
            settings: Some(StorageSettings {
                public_network_access: Some("Disabled".to_string()),
                is_hns_enabled: Some(false),
                ..StorageSettings::default()
            }),
            origin: at(10),
        }),
        key_vault: Some(Associated {
            id: id("Microsoft.KeyVault/vaults/kv-ml-demo"),
            settings: Some(KeyVaultSettings {
                enable_purge_protection: Some(true),
                ..KeyVaultSettings::default()
            }),
            origin: at(20),
        }),
        container_registry: Some(Associated {
            id: id("Microsoft.ContainerRegistry/registries/crmldemo"),
            settings: Some(RegistrySettings {
                sku: Some("Premium".to_string()),
                ..RegistrySettings::default()
            }),
            origin: at(30),
        }),
        app_insights: None,
        private_endpoints: vec![endpoint("pe-mlw-demo", "snet-pe")],
        spoke: None,
        computes: vec![compute("cpu-cluster", "AmlCompute")],
        online_endpoints: Vec::new(),
        grants: vec![grant("6f1c0000-0000-0000-0000-0000000000a1")],
        losses: Vec::new(),
    }
}

/// The one finding of a comparison.
fn one(findings: &[Finding]) -> &Finding {
    assert_eq!(findings.len(), 1, "{findings:#?}");
    &findings[0]
}

fn classes(findings: &[Finding]) -> Vec<Class> {
    findings.iter().map(|f| f.class).collect()
}

#[test]
fn a_workspace_matches_itself() {
    assert!(compare(&ws(), &ws()).is_empty());
}

#[test]
fn case_and_region_spelling_are_not_drift() {
    let mut d = ws();
    d.location = "West Europe".to_string();
    d.public_network_access = Some("disabled".to_string());
    d.network.isolation_mode = Some("allowonlyapprovedoutbound".to_string());
    d.network.rules.get_mut("pypi").unwrap().name = "PyPI".to_string();
    d.grants[0].scope = d.grants[0].scope.to_ascii_uppercase();
    d.storage.as_mut().unwrap().id = d.storage.as_ref().unwrap().id.to_ascii_uppercase();
    assert!(compare(&ws(), &d).is_empty(), "{:#?}", compare(&ws(), &d));
}

#[test]
fn an_in_place_setting_quotes_both_sides() {
    let mut d = ws();
    d.public_network_access = Some("Enabled".to_string());
    let findings = compare(&ws(), &d);
    let f = one(&findings);
    assert_eq!(f.class, Class::InPlace);
    assert_eq!(
        f.message(),
        "properties.publicNetworkAccess (`inbound.public_network_access`): wanted `Disabled`, deployed `Enabled`"
    );
    assert_eq!(f.origin, d.origin);
}

#[test]
fn raising_the_isolation_mode_is_one_way() {
    let w = ws();
    let mut d = ws();
    d.network.isolation_mode = Some("AllowInternetOutbound".to_string());
    let findings = compare(&w, &d);
    let f = one(&findings);
    assert_eq!(f.class, Class::OneWay);
    assert_eq!(f.keyword, Some("outbound.mode"));
}

#[test]
fn turning_the_managed_network_on_without_computes_is_one_way() {
    let mut w = ws();
    w.computes.clear();
    let mut d = w.clone();
    d.network.isolation_mode = None;
    d.network.rules.clear();
    w.network.rules.retain(|_, r| r.is_platform());
    assert_eq!(classes(&compare(&w, &d)), vec![Class::OneWay]);
}

#[test]
fn turning_the_managed_network_on_with_computes_is_one_way_and_disruptive() {
    let mut w = ws();
    w.network.rules.retain(|_, r| r.is_platform());
    let mut d = w.clone();
    d.network.isolation_mode = Some("Disabled".to_string());
    let findings = compare(&w, &d);
    assert_eq!(classes(&findings), vec![Class::OneWay, Class::Disruptive]);
    let f = &findings[1];
    assert_eq!(f.what, "computes cpu-cluster (AmlCompute)");
    assert_eq!(f.origin, at(60), "placed at the deployed compute");
    assert!(f.consequence.contains("no migration path"), "{f:#?}");
}

#[test]
fn lowering_the_isolation_mode_is_refused_with_the_way_out() {
    for (wanted, deployed) in [
        (Some("AllowInternetOutbound"), "AllowOnlyApprovedOutbound"),
        (Some("Disabled"), "AllowInternetOutbound"),
        (None, "AllowOnlyApprovedOutbound"),
    ] {
        let mut w = ws();
        w.network.isolation_mode = wanted.map(str::to_string);
        let mut d = ws();
        d.network.isolation_mode = Some(deployed.to_string());
        let findings = compare(&w, &d);
        let f = findings
            .iter()
            .find(|f| f.keyword == Some("outbound.mode"))
            .unwrap();
        assert_eq!(f.class, Class::Refused, "{wanted:?} from {deployed}");
        assert!(f.consequence.contains("new workspace"), "{f:#?}");
    }
}

#[test]
fn the_firewall_sku_changes_in_place() {
    let mut d = ws();
    d.network.firewall_sku = Some("Basic".to_string());
    assert_eq!(classes(&compare(&ws(), &d)), vec![Class::InPlace]);
}

#[test]
fn outbound_rules_missing_extra_and_changed() {
    let mut d = ws();
    d.network.rules.remove("pypi");
    let findings = compare(&ws(), &d);
    let f = one(&findings);
    assert_eq!(f.class, Class::InPlace);
    assert_eq!(f.deployed, None);

    let mut d = ws();
    d.network.rules.insert(
        "github".to_string(),
        rule("github", "UserDefined", "github.com"),
    );
    let findings = compare(&ws(), &d);
    let f = one(&findings);
    assert_eq!(f.class, Class::Unmanaged);
    assert_eq!(f.wanted, None);

    let mut d = ws();
    d.network.rules.insert(
        "pypi".to_string(),
        rule("pypi", "UserDefined", "files.pythonhosted.org"),
    );
    let findings = compare(&ws(), &d);
    let f = one(&findings);
    assert_eq!(f.class, Class::InPlace);
    assert_eq!(f.origin, at(40), "placed at the deployed rule");
}

#[test]
fn rules_the_platform_adds_are_not_drift() {
    let mut d = ws();
    d.network.rules.insert(
        "__SYS_ST_AzureMonitor".to_string(),
        rule("__SYS_ST_AzureMonitor", "Required", "monitor"),
    );
    d.network.rules.insert(
        "dependency-rule".to_string(),
        rule("dependency-rule", "Dependency", "x.example"),
    );
    d.network.rules.remove("__SYS_PE_storage_blob");
    assert!(compare(&ws(), &d).is_empty());
}

#[test]
fn client_endpoints_match_by_target_and_group_not_name() {
    let mut d = ws();
    d.private_endpoints = vec![endpoint("pe-renamed-by-hand", "snet-pe")];
    assert!(compare(&ws(), &d).is_empty());

    let mut d = ws();
    d.private_endpoints = vec![endpoint("pe-mlw-demo", "snet-other")];
    assert_eq!(classes(&compare(&ws(), &d)), vec![Class::Refused]);

    let mut d = ws();
    d.private_endpoints.clear();
    assert_eq!(classes(&compare(&ws(), &d)), vec![Class::InPlace]);

    let mut d = ws();
    let mut blob = endpoint("pe-blob", "snet-pe");
    blob.target = id("Microsoft.Storage/storageAccounts/stmldemo");
    blob.group_ids = vec!["blob".to_string()];
    d.private_endpoints.push(blob);
    assert_eq!(classes(&compare(&ws(), &d)), vec![Class::Unmanaged]);
}

#[test]
fn computes_by_name_and_what_recreates_them() {
    let mut d = ws();
    d.computes.clear();
    assert_eq!(classes(&compare(&ws(), &d)), vec![Class::InPlace]);

    let mut d = ws();
    d.computes.push(compute("ci-alice", "ComputeInstance"));
    assert_eq!(classes(&compare(&ws(), &d)), vec![Class::Unmanaged]);

    let mut d = ws();
    d.computes[0].max_nodes = Some(2);
    assert_eq!(classes(&compare(&ws(), &d)), vec![Class::InPlace]);

    for change in [
        |c: &mut ObservedCompute| c.vm_size = Some("Standard_NC6".to_string()),
        |c: &mut ObservedCompute| c.public_ip = Some(true),
        |c: &mut ObservedCompute| {
            c.subnet = Some(id(
                "Microsoft.Network/virtualNetworks/vnet-spoke/subnets/snet-training",
            ));
        },
        |c: &mut ObservedCompute| c.identity = ObservedIdentity::SystemAssigned,
    ] {
        let mut d = ws();
        change(&mut d.computes[0]);
        let findings = compare(&ws(), &d);
        let f = one(&findings);
        assert_eq!(f.class, Class::Disruptive, "{f:#?}");
        assert_eq!(f.origin, at(60));
    }

    let mut w = ws();
    w.computes = vec![compute("ci-alice", "ComputeInstance")];
    let mut d = w.clone();
    d.computes[0].max_nodes = Some(1);
    assert_eq!(classes(&compare(&w, &d)), vec![Class::Disruptive]);
}

#[test]
fn grants_by_scope_principal_and_role() {
    let mut d = ws();
    d.grants[0].principal_id = d.grants[0].principal_id.to_ascii_uppercase();
    assert!(compare(&ws(), &d).is_empty());

    let mut d = ws();
    d.grants.clear();
    assert_eq!(classes(&compare(&ws(), &d)), vec![Class::InPlace]);

    let mut d = ws();
    d.grants.push(grant("6f1c0000-0000-0000-0000-0000000000b2"));
    assert_eq!(classes(&compare(&ws(), &d)), vec![Class::Unmanaged]);
}

#[test]
fn tags_are_replaced_in_place() {
    let mut d = ws();
    d.tags.insert("owner".to_string(), "someone".to_string());
    d.tags.insert("cost-center".to_string(), "42".to_string());
    assert_eq!(
        classes(&compare(&ws(), &d)),
        vec![Class::InPlace, Class::InPlace]
    );

    let mut d = ws();
    d.tags = BTreeMap::from([("OWNER".to_string(), "ml-team".to_string())]);
    assert!(compare(&ws(), &d).is_empty(), "tag names ignore case");
}

#[test]
fn identity_changes_in_place() {
    let mut d = ws();
    d.identity = ObservedIdentity::UserAssigned {
        ids: vec![id("Microsoft.ManagedIdentity/userAssignedIdentities/id-ml")],
        primary: None,
    };
    assert_eq!(classes(&compare(&ws(), &d)), vec![Class::InPlace]);
}

#[test]
fn purge_protection_on_is_one_way_and_off_is_refused() {
    let mut d = ws();
    d.key_vault.as_mut().unwrap().settings = Some(KeyVaultSettings {
        enable_purge_protection: Some(false),
        ..KeyVaultSettings::default()
    });
    let findings = compare(&ws(), &d);
    assert_eq!(one(&findings).class, Class::OneWay);
    assert_eq!(one(&findings).origin, at(20));
    let findings = compare(&d, &ws());
    assert_eq!(one(&findings).class, Class::Refused);
}

#[test]
fn associated_resources_settings_and_ids() {
    let mut d = ws();
    d.storage.as_mut().unwrap().settings = Some(StorageSettings {
        public_network_access: Some("Enabled".to_string()),
        is_hns_enabled: Some(false),
        ..StorageSettings::default()
    });
    assert_eq!(classes(&compare(&ws(), &d)), vec![Class::InPlace]);

    let mut d = ws();
    d.storage.as_mut().unwrap().settings = Some(StorageSettings {
        public_network_access: Some("Disabled".to_string()),
        is_hns_enabled: Some(true),
        ..StorageSettings::default()
    });
    assert_eq!(classes(&compare(&ws(), &d)), vec![Class::Refused]);

    let mut d = ws();
    d.storage.as_mut().unwrap().id = id("Microsoft.Storage/storageAccounts/stother");
    assert_eq!(classes(&compare(&ws(), &d)), vec![Class::Refused]);

    let mut d = ws();
    d.container_registry.as_mut().unwrap().id =
        id("Microsoft.ContainerRegistry/registries/crother");
    assert_eq!(classes(&compare(&ws(), &d)), vec![Class::InPlace]);

    let mut d = ws();
    d.container_registry.as_mut().unwrap().settings = Some(RegistrySettings {
        sku: Some("Basic".to_string()),
        ..RegistrySettings::default()
    });
    assert_eq!(classes(&compare(&ws(), &d)), vec![Class::InPlace]);

    // Settings the deployed files do not hold are not compared.
    let mut d = ws();
    d.storage.as_mut().unwrap().settings = None;
    d.key_vault.as_mut().unwrap().settings = None;
    assert!(compare(&ws(), &d).is_empty());
}

#[test]
fn region_and_kind_are_refused() {
    let mut d = ws();
    d.location = "northeurope".to_string();
    d.kind = Some("Hub".to_string());
    assert_eq!(
        classes(&compare(&ws(), &d)),
        vec![Class::Refused, Class::Refused]
    );
}

#[test]
fn v1_legacy_mode_unset_is_false_and_leaving_it_is_one_way() {
    let mut w = ws();
    w.v1_legacy_mode = None;
    let mut d = ws();
    d.v1_legacy_mode = Some(true);
    let findings = compare(&w, &d);
    let f = one(&findings);
    assert_eq!(f.class, Class::OneWay);
    assert_eq!(f.wanted.as_deref(), Some("false"));
    d.v1_legacy_mode = Some(false);
    assert!(compare(&w, &d).is_empty());
}

// ---------------------------------------------------------------- round trip

/// Every example, built, read back as deployed (its own ARM templates)
/// and diffed against itself: no drift, and every workspace compared.
#[test]
#[allow(clippy::needless_update)] // the reader's `Scope` has more fields on its branch
fn a_build_diffed_against_its_own_deployed_form_is_empty() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let paths = amlgen::driver::collect_paths(&[root.join("examples")]).unwrap();
    let inputs = paths
        .iter()
        .map(|p| amlgen::Input {
            name: amlgen::driver::display_name(p.strip_prefix(root).unwrap()),
            text: std::fs::read_to_string(p).unwrap(),
        })
        .collect();
    let mut outcome = amlgen::compile(inputs, &amlgen::Options::default());
    let checked = outcome.checked.take().expect("the examples check");
    let built = amlgen::emit::build(
        &checked,
        &[],
        &outcome.sources,
        &amlgen::emit::BuildOptions::default(),
    )
    .unwrap();
    let mut diags = amlgen::diag::Diagnostics::default();
    let mut resources = Vec::new();
    for ws in &checked.posture().workspaces {
        let path = format!("workspaces/{}/azuredeploy.json", ws.name.as_str());
        let scope = amlgen::deployed::read::Scope {
            subscription_id: Some(
                ws.subscription_id
                    .as_ref()
                    .map_or(SUB, |s| s.as_str())
                    .to_string(),
            ),
            resource_group: Some(ws.resource_group.value.as_str().to_string()),
            ..amlgen::deployed::read::Scope::default()
        };
        resources.extend(amlgen::deployed::read::read_text(
            &path,
            &built[&path],
            &scope,
            &mut outcome.sources,
            &mut diags,
        ));
    }
    let observed = amlgen::deployed::observe::observe(&resources);
    for ws in &checked.posture().workspaces {
        let d = observed
            .workspaces
            .iter()
            .find(|d| amlgen::drift::is_deployed_as(ws, d))
            .unwrap_or_else(|| panic!("{} is observed", ws.name));
        assert!(
            amlgen::drift::wanted(ws, d, &built).is_some(),
            "{}: the build reads back",
            ws.name
        );
    }
    amlgen::drift::diff(&checked, &outcome.sources, &observed, &mut diags);
    let drift: Vec<_> = diags
        .iter()
        .filter(|d| d.code.id().starts_with("AML42"))
        .collect();
    assert!(drift.is_empty(), "{drift:#?}");
}

// ---------------------------------------------------------------- diagnostics

/// A posture compiled with a deployed file in the same source map, as
/// `amlgen diff` has them; the deployed workspace is hand-built, its
/// origin in that file.
#[test]
fn a_finding_points_at_the_setting_and_the_deployed_resource() {
    let posture = r#"workspace "mlw-demo" {
  region          = "westeurope"
  resource_group  = "rg-ml"
  subscription_id = "00000000-0000-0000-0000-000000000001"

  inbound            { public_network_access = enabled }
  storage            { public_network_access = enabled }
  key_vault          { public_network_access = enabled }
  container_registry { public_network_access = enabled }

  outbound { mode = allow_internet_outbound }
}
"#;
    let mut outcome = amlgen::compile(
        vec![amlgen::Input {
            name: "demo.aml".to_string(),
            text: posture.to_string(),
        }],
        &amlgen::Options::default(),
    );
    let checked = outcome.checked.take().expect("the posture checks");
    let deployed_text = r#"{ "name": "mlw-demo", "properties": { "managedNetwork": { "isolationMode": "AllowOnlyApprovedOutbound" } } }"#;
    let file = outcome.sources.add(amlgen::source::SourceFile::new(
        "deployed.json",
        deployed_text,
    ));
    let ws = &checked.posture().workspaces[0];
    let mut wanted = ws_named("mlw-demo");
    wanted.network.isolation_mode = Some("AllowInternetOutbound".to_string());
    let mut deployed = ws_named("mlw-demo");
    deployed.origin = Span::new(file, 0, deployed_text.len());
    let mut diags = amlgen::diag::Diagnostics::default();
    amlgen::drift::report(ws, &wanted, &deployed, &mut diags);
    let diags = diags.into_sorted();
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(diags[0].code.id(), "AML4203");
    let shown = amlgen::diag::render::human(&diags, &outcome.sources, false);
    assert!(shown.contains("error[AML4203]"), "{shown}");
    assert!(
        shown.contains(
            "properties.managedNetwork.isolationMode (`outbound.mode`): wanted `AllowInternetOutbound`, deployed `AllowOnlyApprovedOutbound`"
        ),
        "{shown}"
    );
    assert!(shown.contains("demo.aml:11"), "at the mode line:\n{shown}");
    assert!(shown.contains("deployed.json"), "{shown}");
    assert!(shown.contains("new workspace"), "{shown}");
}

fn ws_named(name: &str) -> ObservedWorkspace {
    let mut w = ws();
    w.name = name.to_string();
    w
}

#[test]
fn the_workspace_identity_matches_by_what_it_is_not_its_object_id() {
    let mut w = ws();
    w.grants[0].principal_id = "[reference(...).identity.principalId]".to_string();
    w.grants[0].principal = Principal::Workspace;
    let mut d = ws();
    d.grants[0].principal_id = "9b1d0000-0000-0000-0000-0000000000e1".to_string();
    d.grants[0].principal = Principal::Workspace;
    assert!(compare(&w, &d).is_empty());

    // Each deployed grant answers one wanted grant.
    let mut w2 = w.clone();
    w2.grants.push(w.grants[0].clone());
    assert_eq!(classes(&compare(&w2, &d)), vec![Class::InPlace]);

    d.grants.push(grant("6f1c0000-0000-0000-0000-0000000000b2"));
    let findings = compare(&w, &d);
    assert_eq!(classes(&findings), vec![Class::Unmanaged]);
    assert!(
        findings[0]
            .deployed
            .as_deref()
            .unwrap()
            .contains("6f1c0000-0000-0000-0000-0000000000b2")
    );
}

/// A custom VNet workspace: no managed network, a spoke with a training
/// and a private endpoint subnet, one NSG rule, a cluster in training.
fn custom() -> ObservedWorkspace {
    let mut w = ws();
    w.network = ObservedNetwork::default();
    w.network.isolation_mode = Some("Disabled".to_string());
    let vnet = id("Microsoft.Network/virtualNetworks/vnet-spoke");
    let subnet = |prefix: &str| SpokeSubnet {
        address_prefix: prefix.to_string(),
        nsg: Some(id("Microsoft.Network/networkSecurityGroups/nsg-training")),
        ..SpokeSubnet::default()
    };
    w.spoke = Some(Spoke {
        vnet_id: vnet.clone(),
        vnet_name: "vnet-spoke".to_string(),
        vnet_known: true,
        training_subnet: "training".to_string(),
        address_space: vec!["10.60.0.0/22".to_string()],
        subnets: BTreeMap::from([
            ("training".to_string(), subnet("10.60.0.0/24")),
            ("pe".to_string(), subnet("10.60.2.0/27")),
        ]),
        nsg_rules: BTreeMap::from([(
            "nsg-training".to_string(),
            vec![NsgRule {
                name: "deny-smtp".to_string(),
                access: "Deny".to_string(),
                direction: "Outbound".to_string(),
                priority: 4000,
                protocol: "Tcp".to_string(),
                source: "*".to_string(),
                destination: "Internet".to_string(),
                ports: "25".to_string(),
            }],
        )]),
        routes: vec![(
            "0.0.0.0/0".to_string(),
            "VirtualAppliance".to_string(),
            Some("10.0.1.4".to_string()),
        )],
        ..Spoke::default()
    });
    w.computes[0].subnet = Some(format!("{vnet}/subnets/training"));
    w.private_endpoints.clear();
    w
}

#[test]
fn the_spoke_subnets_rules_and_routes() {
    assert!(compare(&custom(), &custom()).is_empty());

    // A range with the cluster in it is refused; an empty subnet's changes.
    let mut d = custom();
    spoke(&mut d)
        .subnets
        .get_mut("training")
        .unwrap()
        .address_prefix = "10.60.1.0/24".to_string();
    assert_eq!(classes(&compare(&custom(), &d)), vec![Class::Refused]);
    let mut d = custom();
    spoke(&mut d).subnets.get_mut("pe").unwrap().address_prefix = "10.60.3.0/27".to_string();
    assert_eq!(classes(&compare(&custom(), &d)), vec![Class::InPlace]);

    // A subnet only deployed is left; a route or NSG rule only deployed is
    // removed by the rewrite.
    let mut d = custom();
    spoke(&mut d)
        .subnets
        .insert("bastion".to_string(), SpokeSubnet::default());
    assert_eq!(classes(&compare(&custom(), &d)), vec![Class::Unmanaged]);
    let mut d = custom();
    spoke(&mut d)
        .routes
        .push(("10.1.0.0/16".to_string(), "VnetLocal".to_string(), None));
    spoke(&mut d).nsg_rules.get_mut("nsg-training").unwrap()[0].name = "by-hand".to_string();
    assert_eq!(
        classes(&compare(&custom(), &d)),
        vec![Class::InPlace, Class::InPlace, Class::InPlace]
    );

    // Without the VNet resource on one side, its own settings are not
    // compared; a zone link only deployed is left.
    let mut d = custom();
    spoke(&mut d).vnet_known = false;
    spoke(&mut d).routes.clear();
    assert!(compare(&custom(), &d).is_empty());
    let mut d = custom();
    spoke(&mut d).zone_links.push(id(
        "Microsoft.Network/privateDnsZones/privatelink.api.azureml.ms/virtualNetworkLinks/link-spoke",
    ));
    assert_eq!(classes(&compare(&custom(), &d)), vec![Class::Unmanaged]);

    // The spoke only deployed is left; only wanted, configured.
    let mut w = custom();
    w.spoke = None;
    assert_eq!(classes(&compare(&w, &custom())), vec![Class::Unmanaged]);
    assert_eq!(classes(&compare(&custom(), &w)), vec![Class::InPlace]);
}

fn spoke(w: &mut ObservedWorkspace) -> &mut Spoke {
    w.spoke.as_mut().unwrap()
}

#[test]
fn a_storage_kind_upgrade_is_one_way_and_other_kinds_refused() {
    let with_kind = |k: &str| {
        let mut w = ws();
        w.storage.as_mut().unwrap().settings.as_mut().unwrap().kind = Some(k.to_string());
        w
    };
    let findings = compare(&with_kind("StorageV2"), &with_kind("Storage"));
    assert_eq!(classes(&findings), vec![Class::OneWay]);
    let findings = compare(&with_kind("Storage"), &with_kind("StorageV2"));
    assert_eq!(classes(&findings), vec![Class::Refused]);
    let findings = compare(&with_kind("StorageV2"), &with_kind("BlockBlobStorage"));
    assert_eq!(classes(&findings), vec![Class::Refused]);
}

#[test]
fn online_endpoints_by_name() {
    let ep = |pna: &str| OnlineEndpoint {
        origin: at(70),
        name: "ep-score".to_string(),
        public_network_access: Some(pna.to_string()),
    };
    let mut w = ws();
    w.online_endpoints = vec![ep("Disabled")];
    let mut d = ws();
    d.online_endpoints = vec![ep("Enabled")];
    assert_eq!(classes(&compare(&w, &d)), vec![Class::InPlace]);
    assert_eq!(classes(&compare(&w, &ws())), vec![Class::InPlace]);
    assert_eq!(classes(&compare(&ws(), &d)), vec![Class::Unmanaged]);
}

#[test]
fn a_classic_insights_component_made_workspace_based_is_one_way() {
    let insights = |law: Option<&str>| {
        Some(Associated {
            id: id("Microsoft.Insights/components/appi-ml"),
            settings: Some(InsightsSettings {
                log_analytics: law.map(str::to_string),
            }),
            origin: at(35),
        })
    };
    let mut w = ws();
    w.app_insights = insights(Some(&id("Microsoft.OperationalInsights/workspaces/log-ml")));
    let mut d = ws();
    d.app_insights = insights(None);
    assert_eq!(classes(&compare(&w, &d)), vec![Class::OneWay]);
    d.app_insights = insights(Some(&id(
        "Microsoft.OperationalInsights/workspaces/log-other",
    )));
    assert_eq!(classes(&compare(&w, &d)), vec![Class::InPlace]);
}

#[test]
fn a_principal_the_build_could_not_evaluate_matches_by_scope_and_role() {
    let mut w = ws();
    w.grants[0].principal_id = "<unknown: [reference('x').identity.principalId]>".to_string();
    w.grants[0].principal = Principal::Object(w.grants[0].principal_id.clone());
    assert!(compare(&w, &ws()).is_empty());

    // An exact grant is matched first, and not taken by the unknown one.
    let mut w2 = ws();
    w2.grants.insert(0, w.grants[0].clone());
    let mut d = ws();
    d.grants.push(grant("6f1c0000-0000-0000-0000-0000000000b2"));
    assert!(compare(&w2, &d).is_empty());
}
