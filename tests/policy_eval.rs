//! The offline Azure Policy evaluator (`amlgen::policy`): real built-in and
//! landing-zone definitions (unchanged copies in `tests/data/policies/`,
//! origin in its README) over hand-made ARM resources, with the verdicts
//! Azure gives; every operator, `[*]` and `count` as Microsoft documents
//! them; case-insensitivity; unsupported constructs as errors; the
//! `amlgen policy eval` command; and no panic on mutated input.

#[path = "common/policy.rs"]
mod policy_data;

use amlgen::policy::aliases::AliasTable;
use amlgen::policy::{
    Context, Definition, Effect, ErrorKind, Escaping, EvalError, Mode, ReadOptions, Verdict,
    evaluate, evaluate_with,
};
use policy_data::{amlgen, load, params};
use serde_json::{Map, Value, json};

fn resource(name: &str) -> Value {
    load(&format!("resources/{name}.json"))
}

const PNA: &str = "builtin/MachineLearning/Workspace_PublicNetworkAccessDisabled_Audit.json";
const ISOLATION: &str = "builtin/MachineLearning/ManagedNetworkIsolationMode_Audit.json";
const LOCAL_AUTH: &str = "builtin/MachineLearning/DisableLocalAuth_Audit.json";
const VNET: &str = "builtin/MachineLearning/Vnet_Audit.json";
const IDLE: &str = "builtin/MachineLearning/IdleShutdown_Audit.json";
const DNS: &str = "builtin/MachineLearning/Workspace_PrivateDnsZones_DINE.json";
const UAI: &str = "builtin/MachineLearning/Workspace_UAIEnabled_Audit.json";
const PRIVATE_LINK: &str = "builtin/MachineLearning/Workspace_PrivateEndpoint_Audit_V2.json";
const LEGACY: &str = "builtin/MachineLearning/Workspace_EnableV1LegacyMode_Audit.json";
const CMK: &str = "builtin/MachineLearning/Workspace_CMKEnabled_Audit.json";
const REGISTRY_MODELS: &str = "builtin/MachineLearning/OnlyDeployAllowedRegistryModels_Deny.json";
const ES: &str = "alz/Enterprise-Scale/policyDefinitions";
const ALZ_LIB: &str = "alz/Azure-Landing-Zones-Library/policy_definitions";
const ALZ_BICEP: &str = "alz/ALZ-Bicep/policy_definitions";

/// Evaluates a real definition over resources and checks each verdict:
/// `Some(effect)` matched with that effect, `None` not matched.
fn check(def: &str, assigned: &Value, cases: &[(&str, Option<&str>)]) {
    let definition =
        Definition::from_json(&load(def), Escaping::Auto).unwrap_or_else(|e| panic!("{def}: {e}"));
    for (res, want) in cases {
        let v = definition
            .evaluate(&params(assigned), &resource(res), &Context::default())
            .unwrap_or_else(|e| panic!("{def} on {res}: {e}"));
        match want {
            Some(effect) => {
                assert!(v.matched, "{def} on {res}: expected a match, got {v:?}");
                assert_eq!(v.effect, *effect, "{def} on {res}");
            }
            None => assert!(!v.matched, "{def} on {res}: expected no match, got {v:?}"),
        }
    }
}

fn eval_err(def: &str, assigned: &Value, res: &Value) -> EvalError {
    let d = Definition::from_json(&load(def), Escaping::Auto).unwrap();
    d.evaluate(&params(assigned), res, &Context::default())
        .expect_err("expected an evaluation error")
}

// ---------------------------------------------------------------------------
// Real definitions
// ---------------------------------------------------------------------------

#[test]
fn public_network_access_438c38d2_takes_exists_as_the_string_false() {
    check(
        PNA,
        &json!({}),
        &[
            ("ws-private", None),
            ("ws-public", Some("Audit")),
            // No `publicNetworkAccess` at all: `"exists": "false"` (a string) matches.
            ("ws-no-public-network-access", Some("Audit")),
            ("ws-template-declared", None),
            ("ci-compliant", None),
        ],
    );
    check(
        PNA,
        &json!({"effect": "Deny"}),
        &[("ws-public", Some("Deny")), ("ws-private", None)],
    );
    let d = Definition::from_json(&load(PNA), Escaping::Auto).unwrap();
    let v = d
        .evaluate(
            &params(&json!({"effect": "Deny"})),
            &resource("ws-public"),
            &Context::default(),
        )
        .unwrap();
    assert!(v.denies() && !v.audits());
    assert_eq!(v.kind, Effect::Deny);
    assert_eq!(d.name(), Some("438c38d2-3772-465a-a9cc-7a6666a275ce"));
    assert_eq!(d.mode(), Mode::Indexed);
    assert!(!d.template_escaped());
}

#[test]
fn isolation_mode_6ddb1705_needs_its_parameter() {
    let approved = json!({"isolationMode": "AllowOnlyApprovedOutbound"});
    check(
        ISOLATION,
        &approved,
        &[
            ("ws-private", None),
            ("ws-template-declared", None),
            ("ws-pending-pe", Some("Audit")),
            // No managed network: `notEquals` against a missing field is true.
            ("ws-public", Some("Audit")),
            ("cluster-compliant", None),
        ],
    );
    // The default `isolationMode` is `Disabled`, despite the display name: a
    // workspace that does use approved-outbound is then the one flagged.
    check(ISOLATION, &json!({}), &[("ws-private", Some("Audit"))]);
    check(
        ISOLATION,
        &json!({"isolationMode": "AllowOnlyApprovedOutbound", "effect": "Deny"}),
        &[("ws-pending-pe", Some("Deny"))],
    );
}

#[test]
fn local_auth_e96a9a5f_applies_to_instances_and_clusters() {
    check(
        LOCAL_AUTH,
        &json!({}),
        &[
            ("ci-compliant", None),
            ("cluster-compliant", None),
            ("ci-noncompliant", Some("Audit")),
            ("cluster-public-ssh", Some("Audit")),
            // AKS is neither ComputeInstance nor AmlCompute.
            ("aks-attached", None),
            ("ws-public", None),
        ],
    );
    check(
        LOCAL_AUTH,
        &json!({"effect": "Deny"}),
        &[("ci-noncompliant", Some("Deny"))],
    );
}

#[test]
fn compute_in_vnet_7804b5c7_reads_the_flattened_subnet_alias() {
    check(
        VNET,
        &json!({}),
        &[
            ("ci-compliant", None),
            ("cluster-compliant", None),
            ("ci-noncompliant", Some("Audit")),
            // `"subnet": {"id": ""}`: exists, but `[empty(field(...))]` is true.
            ("ci-empty-settings", Some("Audit")),
            ("cluster-public-ssh", Some("Audit")),
            ("aks-attached", None),
        ],
    );
}

#[test]
fn idle_shutdown_679ddf89_is_for_compute_instances() {
    check(
        IDLE,
        &json!({"effect": "Deny"}),
        &[
            ("ci-compliant", None),
            ("ci-noncompliant", Some("Deny")),
            ("ci-empty-settings", Some("Deny")),
            ("cluster-compliant", None),
        ],
    );
}

#[test]
fn private_dns_ee40564d_counts_group_ids_across_connections() {
    check(
        DNS,
        &json!({}),
        &[
            ("pe-amlworkspace", Some("DeployIfNotExists")),
            ("pe-blob", None),
            // The rule counts `privateLinkServiceConnections` only: a
            // manual-approval endpoint to the same workspace is not matched.
            ("pe-amlworkspace-manual", None),
            ("ws-private", None),
        ],
    );
    // `privateDnsZoneId` has no default, but `if` never reads it.
    let v = evaluate(&load(DNS), &Map::new(), &resource("pe-amlworkspace")).unwrap();
    assert!(v.needs_existence_check() && !v.denies() && !v.audits());
}

#[test]
fn user_assigned_identity_5f0c7d88() {
    check(
        UAI,
        &json!({}),
        &[
            ("ws-private", None),
            ("ws-public", Some("Audit")),
            // `"primaryUserAssignedIdentity": ""`
            ("ws-pending-pe", Some("Audit")),
        ],
    );
}

#[test]
fn private_link_45e05259_counts_approved_connections() {
    check(
        PRIVATE_LINK,
        &json!({}),
        &[
            ("ws-private", None),
            ("ws-pending-pe", Some("Audit")),
            ("ws-public", Some("Audit")),
            ("pe-amlworkspace", None),
        ],
    );
}

#[test]
fn legacy_mode_e413671a_compares_a_boolean_with_the_string_true() {
    check(
        LEGACY,
        &json!({}),
        &[("ws-public", None), ("ws-private", Some("Audit"))],
    );
}

#[test]
fn cmk_ba769a63_excludes_projects_whatever_the_case() {
    check(
        CMK,
        &json!({}),
        &[
            ("ws-private", None),
            ("ws-public", Some("Audit")),
            // ARM returns `"kind": "Project"`; the rule says `project`.
            ("hub-project", None),
        ],
    );
}

#[test]
fn alz_compute_subnet_reads_the_same_in_every_envelope() {
    let cases = [
        ("ci-compliant", None),
        ("cluster-compliant", None),
        ("ci-noncompliant", Some("Deny")),
        ("ci-empty-settings", Some("Deny")),
        ("cluster-public-ssh", Some("Deny")),
        ("aks-attached", None),
    ];
    let es = format!("{ES}/Deny-MachineLearning-Compute-SubnetId.json");
    let bicep =
        format!("{ALZ_BICEP}/policy_definition_es_Deny-MachineLearning-Compute-SubnetId.json");
    check(&es, &json!({}), &cases);
    check(&bicep, &json!({}), &cases);
    check(
        &es,
        &json!({"effect": "Audit"}),
        &[("ci-noncompliant", Some("Audit"))],
    );
    assert!(
        Definition::from_json(&load(&es), Escaping::Auto)
            .unwrap()
            .template_escaped()
    );
    assert!(
        !Definition::from_json(&load(&bicep), Escaping::Auto)
            .unwrap()
            .template_escaped()
    );
}

#[test]
fn alz_vm_size_compares_sizes_ignoring_case() {
    let def = format!("{ES}/Deny-MachineLearning-Compute-VmSize.json");
    check(
        &def,
        &json!({}),
        &[
            // ARM returns `STANDARD_DS3_V2`; the list says `Standard_DS3_v2`.
            ("ci-compliant", None),
            ("cluster-compliant", None),
            ("ci-noncompliant", Some("Deny")),
        ],
    );
    check(
        &def,
        &json!({"allowedVmSizes": ["Standard_NC24ads_A100_v4"]}),
        &[("ci-noncompliant", None), ("ci-compliant", Some("Deny"))],
    );
}

#[test]
fn alz_cluster_ssh_in_both_envelopes() {
    let cases = [
        ("cluster-compliant", None),
        ("cluster-public-ssh", Some("Deny")),
        // No `remoteLoginPortPublicAccess`: `exists: false` matches.
        ("cluster-minutes-idle", Some("Deny")),
        ("ci-noncompliant", None),
    ];
    check(
        &format!("{ES}/Deny-MachineLearning-ComputeCluster-RemoteLoginPortPublicAccess.json"),
        &json!({}),
        &cases,
    );
    check(
        &format!(
            "{ALZ_LIB}/Deny-MachineLearning-ComputeCluster-RemoteLoginPortPublicAccess.alz_policy_definition.json"
        ),
        &json!({}),
        &cases,
    );
}

#[test]
fn alz_private_endpoint_id_splits_the_id_for_its_subscription() {
    let cases = [
        ("pec-same-subscription", None),
        ("pec-other-subscription", Some("Audit")),
        ("pec-other-subscription-pending", None),
        ("ws-private", None),
    ];
    let es = format!("{ES}/Audit-MachineLearning-PrivateEndpointId.json");
    check(&es, &json!({}), &cases);
    check(
        &format!("{ALZ_LIB}/Audit-MachineLearning-PrivateEndpointId.alz_policy_definition.json"),
        &json!({}),
        &cases,
    );
    // The subscription of the context wins over the resource's id.
    let ctx = Context {
        subscription_id: Some("9a8b7c6d-1e2f-4a3b-8c9d-0e1f2a3b4c5d".into()),
        ..Context::default()
    };
    let v = |res: &str| evaluate_with(&load(&es), &Map::new(), &resource(res), &ctx).unwrap();
    assert!(!v("pec-other-subscription").matched);
    assert!(v("pec-same-subscription").matched);
    // Without an id and without a context, `subscription()` is unknown.
    let mut no_id = resource("pec-other-subscription");
    no_id.as_object_mut().unwrap().remove("id");
    let e = eval_err(&es, &json!({}), &no_id);
    assert_eq!(e.kind, ErrorKind::Evaluation);
    assert!(e.message.contains("subscription()"), "{e}");
}

#[test]
fn alz_cluster_scale_parses_durations_only_in_seconds() {
    let def = format!("{ES}/Deny-MachineLearning-ComputeCluster-Scale.json");
    check(
        &def,
        &json!({}),
        &[
            ("cluster-compliant", None),
            ("cluster-public-ssh", Some("Deny")),
            ("ci-compliant", None),
        ],
    );
    let mut long_idle = resource("cluster-compliant");
    long_idle["properties"]["properties"]["scaleSettings"]["nodeIdleTimeBeforeScaleDown"] =
        json!("PT1200S");
    let d = Definition::from_json(&load(&def), Escaping::Auto).unwrap();
    assert!(
        d.evaluate(&Map::new(), &long_idle, &Context::default())
            .unwrap()
            .denies()
    );
    // `PT15M` becomes `//15/`, whose last part is "", and `int('')` fails:
    // in Azure a failed evaluation is a deny.
    let e = eval_err(&def, &json!({}), &resource("cluster-minutes-idle"));
    assert_eq!(e.kind, ErrorKind::Evaluation);
    assert_eq!(e.at, "policyRule.if.allOf[2].anyOf[2]");
    assert!(e.message.contains("int()"), "{e}");
}

#[test]
fn data_plane_definitions_are_not_evaluated_against_arm_resources() {
    let e = Definition::from_json(&load(REGISTRY_MODELS), Escaping::Auto).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unsupported);
    assert!(e.message.contains("Resource Provider mode"), "{e}");
    // Without its mode, its aliases are still data-plane aliases.
    let mut bare = load(REGISTRY_MODELS)["properties"].clone();
    bare.as_object_mut().unwrap().remove("mode");
    let e = Definition::from_json(&bare, Escaping::Auto).unwrap_err();
    assert!(e.message.contains("data-plane alias"), "{e}");
}

#[test]
fn unevaluated_template_expressions_in_a_resource_are_errors() {
    let e = eval_err(PNA, &json!({}), &resource("ws-unevaluated"));
    assert_eq!(e.kind, ErrorKind::Resource);
    assert!(
        e.message.contains("[parameters('publicNetworkAccess')]"),
        "{e}"
    );
}

#[test]
fn assignment_values_are_checked() {
    let d = Definition::from_json(&load(ISOLATION), Escaping::Auto).unwrap();
    let bad = |p: Value| d.check_parameters(&params(&p)).unwrap_err();
    assert_eq!(bad(json!({"effect": "Block"})).kind, ErrorKind::Parameter);
    assert!(
        bad(json!({"isolationMode": 3}))
            .message
            .contains("type String")
    );
    let undeclared = bad(json!({"isolationModes": "Disabled"})).message;
    assert!(
        undeclared.contains("not a parameter") && undeclared.contains("isolationMode,")
            || undeclared.contains(", isolationMode"),
        "{undeclared}"
    );
    // Allowed values compare case-sensitively, as Azure's assignment does.
    assert!(
        d.check_parameters(&params(&json!({"effect": "deny"})))
            .is_err()
    );
    // An array parameter's allowed values are its members' (Microsoft's
    // allowedLocations example).
    let locations = json!({"parameters": {"allowedLocations": {"type": "Array",
        "allowedValues": ["eastus2", "eastus", "westus2"]}},
        "policyRule": {"if": {"not": {"field": "location", "in": "[parameters('allowedLocations')]"}}, "then": {"effect": "audit"}}});
    let d = Definition::from_json(&locations, Escaping::Auto).unwrap();
    assert!(
        d.check_parameters(&params(
            &json!({"allowedLocations": ["eastus2", "westus2"]})
        ))
        .is_ok()
    );
    assert!(
        d.check_parameters(&params(
            &json!({"allowedLocations": ["eastus2", "westeurope"]})
        ))
        .is_err()
    );
    let d = Definition::from_json(&load(DNS), Escaping::Auto).unwrap();
    let mut names: Vec<&str> = d.parameter_names().collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["effect", "privateDnsZoneId", "secondPrivateDnsZoneId"]
    );
}

// ---------------------------------------------------------------------------
// Semantics, one construct at a time
// ---------------------------------------------------------------------------

fn rule(cond: &Value) -> Value {
    json!({"policyRule": {"if": cond, "then": {"effect": "audit"}}})
}

fn matches(cond: &Value, res: &Value) -> bool {
    evaluate(&rule(cond), &Map::new(), res)
        .unwrap_or_else(|e| panic!("{cond}: {e}"))
        .matched
}

fn fails(cond: &Value, res: &Value) -> EvalError {
    match evaluate(&rule(cond), &Map::new(), res) {
        Err(e) => e,
        Ok(v) => panic!("{cond}: expected an error, got {v:?}"),
    }
}

fn workspace(properties: &Value) -> Value {
    json!({
        "id": "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.MachineLearningServices/workspaces/mlw-x",
        "name": "mlw-x",
        "type": "Microsoft.MachineLearningServices/workspaces",
        "location": "West Europe",
        "kind": "Default",
        "tags": {"Env": "prod", "Cost.Center": "42", "it's": "quoted"},
        "identity": {"type": "SystemAssigned"},
        "properties": properties
    })
}

const W: &str = "Microsoft.MachineLearningServices/workspaces";

fn f(alias: &str) -> String {
    format!("{W}/{alias}")
}

#[test]
fn every_operator() {
    let r = workspace(
        &json!({"publicNetworkAccess": "Disabled", "privateLinkCount": 3, "v1LegacyMode": false}),
    );
    let pna = f("publicNetworkAccess");
    let count = f("privateLinkCount");
    let yes = |c: Value| assert!(matches(&c, &r), "{c}");
    let no = |c: Value| assert!(!matches(&c, &r), "{c}");
    yes(json!({"field": pna, "equals": "disabled"}));
    no(json!({"field": pna, "notEquals": "DISABLED"}));
    yes(json!({"field": pna, "in": ["Enabled", "Disabled"]}));
    no(json!({"field": pna, "notIn": ["disabled"]}));
    yes(json!({"field": pna, "like": "Dis*"}));
    yes(json!({"field": pna, "like": "*ABLED"}));
    no(json!({"field": pna, "like": "Dis?bled"}));
    yes(json!({"field": pna, "notLike": "En*"}));
    yes(json!({"field": "name", "match": "mlw-?"}));
    no(json!({"field": "name", "match": "MLW-?"}));
    yes(json!({"field": "name", "matchInsensitively": "MLW-?"}));
    yes(json!({"field": "name", "notMatch": "mlw-#"}));
    no(json!({"field": "name", "notMatchInsensitively": "MLW-."}));
    yes(json!({"field": pna, "contains": "SAB"}));
    yes(json!({"field": pna, "notContains": "en"}));
    yes(json!({"field": "tags", "containsKey": "env"}));
    yes(json!({"field": "tags", "notContainsKey": "owner"}));
    yes(json!({"field": count, "less": 4}));
    yes(json!({"field": count, "lessOrEquals": 3}));
    no(json!({"field": count, "greater": 3}));
    yes(json!({"field": count, "greaterOrEquals": 3}));
    yes(json!({"field": pna, "exists": true}));
    yes(json!({"field": f("hbiWorkspace"), "exists": "false"}));
    yes(json!({"field": f("v1LegacyMode"), "equals": "False"}));
    yes(json!({"field": count, "equals": "3"}));
    yes(json!({"value": "[less(length(field('tags')), 4)]", "equals": "true"}));
}

#[test]
fn logical_operators_and_short_circuits() {
    let r = workspace(&json!({"publicNetworkAccess": "Enabled"}));
    let t = json!({"field": "type", "equals": W});
    let fl = json!({"field": "type", "equals": "other"});
    assert!(matches(&json!({"allOf": [t, t]}), &r));
    assert!(!matches(&json!({"allOf": [t, fl]}), &r));
    assert!(matches(&json!({"anyOf": [fl, t]}), &r));
    assert!(!matches(&json!({"anyOf": [fl, fl]}), &r));
    assert!(matches(&json!({"not": fl}), &r));
    assert!(matches(&json!({"not": {"not": t}}), &r));
    // Evaluation stops at the deciding condition: a runtime failure after it
    // is not reached (`int('x')` fails).
    let boom = json!({"value": "[int('x')]", "equals": 1});
    assert!(matches(&json!({"anyOf": [t, boom]}), &r));
    assert!(!matches(&json!({"allOf": [fl, boom]}), &r));
    assert_eq!(
        fails(&json!({"allOf": [t, boom]}), &r).kind,
        ErrorKind::Evaluation
    );
}

#[test]
fn star_aliases_hold_for_every_member_as_microsoft_documents() {
    // "Author policies for array properties": ipRules 127.0.0.1 and
    // 192.168.1.1, the eight conditions of its table and their outcomes.
    let r = workspace(
        &json!({"networkAcls": {"defaultAction": "Deny", "ipRules": [
            {"value": "127.0.0.1", "action": "Allow"},
            {"value": "192.168.1.1", "action": "Allow"}
        ]}}),
    );
    let field = f("networkAcls.ipRules[*].value");
    let table = [
        (json!({"field": field, "notEquals": "127.0.0.1"}), false),
        (json!({"field": field, "notEquals": "10.0.4.1"}), true),
        (
            json!({"not": {"field": field, "Equals": "127.0.0.1"}}),
            true,
        ),
        (json!({"not": {"field": field, "Equals": "10.0.4.1"}}), true),
        (
            json!({"not": {"field": field, "notEquals": "127.0.0.1"}}),
            true,
        ),
        (
            json!({"not": {"field": field, "notEquals": "10.0.4.1"}}),
            false,
        ),
        (json!({"field": field, "Equals": "127.0.0.1"}), false),
        (json!({"field": field, "Equals": "10.0.4.1"}), false),
    ];
    for (cond, effect) in table {
        assert_eq!(matches(&cond, &r), effect, "{cond}");
    }
    // An empty array and a missing one select an empty collection: the
    // condition holds for every member of it.
    for props in [
        json!({"networkAcls": {"ipRules": []}}),
        json!({"networkAcls": {}}),
        json!({}),
    ] {
        let r = workspace(&props);
        assert!(
            matches(&json!({"field": field, "equals": "10.0.0.1"}), &r),
            "{props}"
        );
        assert!(
            matches(&json!({"field": field, "notEquals": "10.0.0.1"}), &r),
            "{props}"
        );
    }
    // `exists` per member: one member without `value`.
    let partial = workspace(
        &json!({"networkAcls": {"ipRules": [{"value": "1.2.3.4"}, {"action": "Allow"}]}}),
    );
    assert!(!matches(&json!({"field": field, "exists": true}), &partial));
    // Nested arrays flatten: every group id of every connection.
    let pe = json!({"type": "Microsoft.Network/privateEndpoints", "properties": {"privateLinkServiceConnections": [
        {"properties": {"groupIds": ["blob"]}}, {"properties": {"groupIds": ["blob", "BLOB"]}}
    ]}});
    let ids = "Microsoft.Network/privateEndpoints/privateLinkServiceConnections[*].groupIds[*]";
    assert!(matches(&json!({"field": ids, "equals": "blob"}), &pe));
    assert!(!matches(&json!({"field": ids, "equals": "dfs"}), &pe));
    // field() returns the selected values as an array.
    assert!(matches(
        &json!({"value": "[length(field('Microsoft.Network/privateEndpoints/privateLinkServiceConnections[*].groupIds[*]'))]", "equals": 3}),
        &pe
    ));
    assert!(matches(
        &json!({"value": "[field('Microsoft.MachineLearningServices/workspaces/ipAllowlist[*]')]", "equals": "[createArray()]"}),
        &workspace(&json!({}))
    ));
    // An object where the alias expects an array is an error, not "no members".
    let bad = workspace(&json!({"networkAcls": {"ipRules": {"value": "1.2.3.4"}}}));
    assert_eq!(
        fails(&json!({"field": field, "equals": "1.2.3.4"}), &bad).kind,
        ErrorKind::Resource
    );
}

#[test]
fn field_counts_with_where() {
    let conns = |statuses: &[&str]| {
        workspace(
            &json!({"privateEndpointConnections": statuses.iter().map(|s| json!({
            "properties": {"privateLinkServiceConnectionState": {"status": s}}
        })).collect::<Vec<_>>()}),
        )
    };
    let arr = f("privateEndpointConnections[*]");
    let status = f("privateEndpointConnections[*].privateLinkServiceConnectionState.status");
    let approved = |op: &str, n: Value| json!({"count": {"field": arr, "where": {"field": status, "equals": "Approved"}}, op: n});
    let r = conns(&["Approved", "Pending", "approved"]);
    assert!(matches(&approved("equals", json!(2)), &r));
    assert!(matches(&json!({"count": {"field": arr}, "equals": 3}), &r));
    assert!(matches(
        &json!({"count": {"field": arr}, "equals": "[length(field('Microsoft.MachineLearningServices/workspaces/privateEndpointConnections[*]'))]"}),
        &r
    ));
    assert!(matches(&approved("less", json!(1)), &conns(&["Pending"])));
    assert!(matches(&approved("equals", json!(0)), &conns(&[])));
    assert!(matches(
        &approved("equals", json!(0)),
        &workspace(&json!({}))
    ));
    // Inside `where`, the counted member is the only member: field() of the
    // counted alias is a one-member array, current() the member itself.
    let ids = workspace(&json!({"ipAllowlist": ["1.1.1.1", "2.2.2.2", "3.3.3.3"]}));
    let list = f("ipAllowlist[*]");
    let counting = |rhs: &str| json!({"count": {"field": list, "where": {"field": list, "equals": rhs}}, "equals": 3});
    assert!(!matches(&counting(&format!("[field('{list}')]")), &ids));
    assert!(matches(
        &counting(&format!("[first(field('{list}'))]")),
        &ids
    ));
    assert!(matches(&counting(&format!("[current('{list}')]")), &ids));
    assert!(matches(&counting("[current()]"), &ids));
    // current() of a member's property.
    let by_current = json!({"count": {"field": arr, "where": {"value": format!("[current('{status}')]"), "equals": "approved"}}, "equals": 2});
    assert!(matches(&by_current, &r));
    // `where` can read fields outside the array.
    assert!(matches(
        &json!({"count": {"field": arr, "where": {"field": "tags['env']", "equals": "prod"}}, "equals": 3}),
        &r
    ));
}

#[test]
fn nested_counts_bind_each_level() {
    // Counting `privateLinkServiceConnections[*].groupIds[*]` binds both
    // `[*]`: in `where`, the connection's other properties are those of the
    // connection the counted group id belongs to.
    let pe = json!({"type": "Microsoft.Network/privateEndpoints", "properties": {"privateLinkServiceConnections": [
        {"properties": {"privateLinkServiceId": "a", "groupIds": ["blob", "dfs"]}},
        {"properties": {"privateLinkServiceId": "b", "groupIds": ["amlworkspace"]}}
    ]}});
    let svc =
        "Microsoft.Network/privateEndpoints/privateLinkServiceConnections[*].privateLinkServiceId";
    let ids = "Microsoft.Network/privateEndpoints/privateLinkServiceConnections[*].groupIds[*]";
    let pair = |group: &str, service: &str| {
        json!({"count": {"field": ids, "where": {"allOf": [
        {"field": ids, "equals": group}, {"field": svc, "equals": service}
    ]}}, "equals": 1})
    };
    assert!(matches(&pair("dfs", "a"), &pe));
    assert!(matches(&pair("amlworkspace", "b"), &pe));
    assert!(!matches(&pair("amlworkspace", "a"), &pe));
    // current() reads the counted member or its properties only; the
    // connection's `privateLinkServiceId` is reached through `field`.
    let outer = json!({"count": {"field": ids, "where": {"value": format!("[current('{svc}')]"), "equals": "a"}}, "equals": 2});
    assert!(
        Definition::from_json(&rule(&outer), Escaping::Auto)
            .unwrap_err()
            .message
            .contains("names no enclosing count")
    );
    assert!(matches(
        &json!({"count": {"field": ids, "where": {"value": format!("[first(field('{svc}'))]"), "equals": "a"}}, "equals": 2}),
        &pe
    ));
    // A field count inside a field count over another array: the outer
    // member stays bound while the inner one iterates.
    let ws = workspace(&json!({
        "ipAllowlist": ["1.1.1.1", "2.2.2.2"],
        "privateEndpointConnections": [
            {"properties": {"privateLinkServiceConnectionState": {"status": "Approved"}}},
            {"properties": {"privateLinkServiceConnectionState": {"status": "Pending"}}}
        ]
    }));
    let list = f("ipAllowlist[*]");
    let conns = f("privateEndpointConnections[*]");
    let status = f("privateEndpointConnections[*].privateLinkServiceConnectionState.status");
    let nested = json!({"count": {"field": list, "where": {"allOf": [
        {"field": list, "equals": "2.2.2.2"},
        {"count": {"field": conns, "where": {"field": status, "equals": "Approved"}}, "equals": 1}
    ]}}, "equals": 1});
    assert!(matches(&nested, &ws));
    // An array alias the table does not have is an error (the table is the
    // authority), even for a count.
    let e = Definition::from_json(&rule(&json!({"count": {"field": "Microsoft.Network/privateEndpoints/privateLinkServiceConnections[*]"}, "equals": 1})), Escaping::Auto).unwrap_err();
    assert!(e.message.contains("not in the alias table"), "{e}");
}

#[test]
fn value_counts_with_names_and_current() {
    let r = workspace(&json!({}));
    // Microsoft's examples: name patterns.
    let patterns = |name: Option<&str>, cur: &str| {
        let mut count =
            json!({"value": ["mlw-*", "prod-*"], "where": {"field": "name", "like": cur}});
        if let Some(n) = name {
            count["name"] = json!(n);
        }
        json!({"count": count, "greater": 0})
    };
    assert!(matches(
        &patterns(Some("pattern"), "[current('pattern')]"),
        &r
    ));
    assert!(matches(&patterns(None, "[current()]"), &r));
    assert!(matches(
        &json!({"count": {"value": [1, 2, 3]}, "equals": 3}),
        &r
    ));
    // Objects as members, with property access.
    let rules = json!({"count": {"value": [{"k": "Env", "v": "prod"}, {"k": "Owner", "v": "x"}], "name": "t",
        "where": {"value": "[contains(field('tags'), current('t').k)]", "equals": true}}, "equals": 1});
    assert!(matches(&rules, &r));
    // A value count nested in a field count.
    let ws = workspace(&json!({"ipAllowlist": ["10.0.0.1", "192.168.0.9"]}));
    let list = f("ipAllowlist[*]");
    let unapproved = json!({"count": {"field": list, "where": {"count": {"value": ["10.*", "172.16.*"], "name": "prefix",
        "where": {"value": format!("[current('{list}')]"), "like": "[current('prefix')]"}}, "equals": 0}}, "greater": 0});
    assert!(matches(&unapproved, &ws));
    // `count.value` must be an array.
    assert_eq!(
        fails(&json!({"count": {"value": "[string(1)]"}, "equals": 1}), &r).kind,
        ErrorKind::Evaluation
    );
}

#[test]
fn built_in_fields_tags_and_locations() {
    let r = workspace(&json!({}));
    assert!(matches(
        &json!({"field": "location", "equals": "westeurope"}),
        &r
    ));
    assert!(matches(
        &json!({"field": "location", "in": ["eastus", "WestEurope"]}),
        &r
    ));
    assert!(matches(&json!({"field": "kind", "equals": "default"}), &r));
    assert!(matches(
        &json!({"field": "identity.type", "equals": "SystemAssigned"}),
        &r
    ));
    assert!(matches(
        &json!({"field": "id", "contains": "/resourceGroups/rg1/"}),
        &r
    ));
    assert!(matches(
        &json!({"field": "fullName", "equals": "mlw-x"}),
        &r
    ));
    assert!(matches(
        &json!({"field": "tags['Cost.Center']", "equals": "42"}),
        &r
    ));
    assert!(matches(
        &json!({"field": "tags[Cost.Center]", "equals": "42"}),
        &r
    ));
    assert!(matches(&json!({"field": "tags.env", "equals": "PROD"}), &r));
    assert!(matches(
        &json!({"field": "tags['''it''s''']", "exists": false}),
        &r
    ));
    assert!(matches(
        &json!({"field": "tags['it''s']", "equals": "quoted"}),
        &r
    ));
    // Microsoft's dynamic tag field.
    let dynamic = json!({"policyRule": {
        "if": {"field": "[concat('tags[', parameters('tagName'), ']')]", "exists": "false"},
        "then": {"effect": "modify"}},
        "parameters": {"tagName": {"type": "String"}}});
    let p = |t: &str| params(&json!({"tagName": t}));
    assert!(evaluate(&dynamic, &p("owner"), &r).unwrap().matched);
    assert!(!evaluate(&dynamic, &p("env"), &r).unwrap().matched);
    // A child resource as a template declares it: `name` is its last segment.
    let child = json!({"type": "Microsoft.MachineLearningServices/workspaces/computes", "name": "mlw-x/cpu", "apiVersion": "2024-10-01"});
    assert!(matches(&json!({"field": "name", "equals": "cpu"}), &child));
    assert!(matches(
        &json!({"field": "fullName", "equals": "mlw-x/cpu"}),
        &child
    ));
    assert!(matches(
        &json!({"value": "[requestContext().apiVersion]", "equals": "2024-10-01"}),
        &child
    ));
    assert!(matches(
        &json!({"value": "[resourceGroup().name]", "equals": "rg1"}),
        &r
    ));
    assert!(matches(
        &json!({"value": "[subscription().id]", "equals": "/subscriptions/s1"}),
        &r
    ));
}

#[test]
fn case_insensitive_where_azure_is() {
    let r = json!({"TYPE": "microsoft.machinelearningservices/WORKSPACES", "Properties": {"PublicNetworkAccess": "DISABLED"}});
    let cond = json!({"ALLOF": [
        {"FIELD": "Type", "EQUALS": W},
        {"field": "MICROSOFT.MACHINELEARNINGSERVICES/WORKSPACES/PUBLICNETWORKACCESS", "Equals": "disabled"},
        {"field": "type", "notin": ["a", "b"]}
    ]});
    assert!(matches(&cond, &r));
    let d = json!({"Properties": {"PolicyRule": {"If": {"field": "type", "equals": W}, "Then": {"Effect": "AUDIT"}},
        "Mode": "indexed"}});
    let v = evaluate(&d, &Map::new(), &r).unwrap();
    assert_eq!(
        (v.matched, v.kind, v.effect.as_str()),
        (true, Effect::Audit, "AUDIT")
    );
    // Template functions ignore case; ARM's own comparisons do not.
    assert!(matches(
        &json!({"value": "[TOLOWER('A')]", "equals": "a"}),
        &r
    ));
    assert!(matches(
        &json!({"value": "[equals('a', 'A')]", "equals": false}),
        &r
    ));
    assert!(matches(
        &json!({"value": "[contains('Azure', 'azure')]", "equals": false}),
        &r
    ));
}

#[test]
fn escaping_follows_the_file() {
    let es = json!({"name": "x", "type": "Microsoft.Authorization/policyDefinitions", "apiVersion": "2021-06-01",
        "properties": {"mode": "All",
            "parameters": {"effect": {"type": "String", "defaultValue": "Deny"}, "p": {"type": "String", "defaultValue": "plain"}},
            "policyRule": {"if": {"allOf": [
                {"value": "[[parameters('p')]", "equals": "plain"},
                {"value": "[[[bracketed]", "equals": "[[[BRACKETED]"}
            ]}, "then": {"effect": "[[parameters('effect')]"}}}});
    let r = workspace(&json!({}));
    // Template-escaped: `[[parameters('p')]` is an expression once ARM has
    // deployed the definition, and `[[[bracketed]` the literal `[bracketed]`.
    let d = Definition::from_json(&es, Escaping::Auto).unwrap();
    assert!(d.template_escaped());
    assert!(
        d.evaluate(&Map::new(), &r, &Context::default())
            .unwrap()
            .denies()
    );
    // Read directly, the same strings are literals: the effect is the
    // literal text `[parameters('effect')]`, an unknown effect.
    let e = Definition::from_json(&es, Escaping::Direct).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unsupported);
    assert!(e.message.contains("unknown effect"), "{e}");
    // A direct definition read as a template: a plain expression is an error.
    let direct = rule(&json!({"value": "[string(1)]", "equals": "1"}));
    assert!(Definition::from_json(&direct, Escaping::Template).is_err());
    assert!(
        evaluate_with_escaping(&direct, Escaping::Auto)
            .unwrap()
            .matched
    );
    // Both in one file: say which.
    let mixed = json!({"policyRule": {"if": {"value": "[[concat('a')]", "equals": "a"}, "then": {"effect": "[concat('audit')]"}}});
    assert!(
        Definition::from_json(&mixed, Escaping::Auto)
            .unwrap_err()
            .message
            .contains("mixes")
    );
    let v = evaluate_with_escaping(&mixed, Escaping::Direct).unwrap();
    assert!(!v.matched && v.kind == Effect::Audit);
}

fn evaluate_with_escaping(def: &Value, e: Escaping) -> Result<Verdict, EvalError> {
    Definition::from_json(def, e)?.evaluate(
        &Map::new(),
        &workspace(&json!({})),
        &Context::default(),
    )
}

#[test]
fn the_effect_is_resolved_or_an_error() {
    let with_effect = |effect: Value, params: Value| json!({"properties": {"parameters": params, "policyRule": {"if": {"field": "type", "equals": W}, "then": {"effect": effect}}}});
    let r = workspace(&json!({}));
    let p = json!({"effect": {"type": "String", "allowedValues": ["Audit", "Deny", "Disabled"]}});
    // No default and no value: the effect cannot be resolved.
    let e = evaluate(
        &with_effect(json!("[parameters('effect')]"), p.clone()),
        &Map::new(),
        &r,
    )
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Parameter);
    let v = evaluate(
        &with_effect(json!("[parameters('effect')]"), p),
        &params(&json!({"effect": "Disabled"})),
        &r,
    )
    .unwrap();
    assert_eq!((v.matched, v.kind), (true, Effect::Disabled));
    assert!(!v.denies() && !v.audits());
    let e = evaluate(&with_effect(json!("block"), json!({})), &Map::new(), &r).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unsupported);
    let e = evaluate(
        &with_effect(json!("[concat('de', 'ny2')]"), json!({})),
        &Map::new(),
        &r,
    )
    .unwrap_err();
    assert!(e.message.contains("unknown effect `deny2`"), "{e}");
    assert!(
        evaluate(
            &with_effect(json!("[concat('de', 'ny')]"), json!({})),
            &Map::new(),
            &r
        )
        .unwrap()
        .denies()
    );
}

#[test]
fn unsupported_constructs_are_errors_even_where_evaluation_would_not_look() {
    let r = workspace(&json!({}));
    let never = json!({"field": "type", "equals": "never"});
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"field": "type", "startsWith": "M"}),
            "unknown operator or key `startsWith`",
        ),
        (
            json!({"field": "type", "equal": "M"}),
            "did you mean `equals`?",
        ),
        (
            json!({"field": "Microsoft.MachineLearningServices/workspaces/publicNetworkAcess", "equals": "x"}),
            "did you mean `Microsoft.MachineLearningServices/workspaces/publicNetworkAccess`?",
        ),
        (
            json!({"field": "Microsoft.MachineLearningServices/workspaces/computes/properties.enableNodePublicIp", "equals": true}),
            "NOT-FOUND",
        ),
        (
            json!({"field": "Microsoft.MachineLearningServices.Data/workspaces/computeType", "equals": "x"}),
            "data-plane alias",
        ),
        (
            json!({"field": "properties.publicNetworkAccess", "equals": "x"}),
            "unknown field",
        ),
        (
            json!({"value": "[utcNow()]", "equals": "x"}),
            "reads the clock",
        ),
        (
            json!({"value": "[frobnicate(1)]", "equals": "x"}),
            "unknown or unsupported template function `frobnicate()`",
        ),
        (
            json!({"value": "[concat()]", "equals": "x"}),
            "takes at least 1 argument",
        ),
        (
            json!({"value": "[parameters('missing')]", "equals": "x"}),
            "declares no parameter `missing`",
        ),
        (
            json!({"value": "[field('nope')]", "equals": "x"}),
            "unknown field `nope`",
        ),
        (
            json!({"value": "[current()]", "equals": "x"}),
            "only available inside a count",
        ),
        (
            json!({"value": "[concat('a']", "equals": "x"}),
            "not closed",
        ),
        (
            json!({"field": "type", "in": "Microsoft.MachineLearningServices/workspaces"}),
            "expects an array",
        ),
        (json!({"field": "type", "equals": ["a"]}), "single value"),
        (json!({"field": "type", "exists": "yes"}), "true or false"),
        (json!({"field": "type", "contains": "*"}), "wildcard"),
        (
            json!({"field": "type", "equals": "a", "notEquals": "b"}),
            "one operator",
        ),
        (json!({"field": "type"}), "no operator"),
        (
            json!({"field": "type", "value": "x", "equals": "y"}),
            "one of `field`, `value` or `count`",
        ),
        (
            json!({"source": "action", "like": "Microsoft.Network/*"}),
            "unknown operator or key `source`",
        ),
        (
            json!({"count": {"field": "Microsoft.MachineLearningServices/workspaces/publicNetworkAccess"}, "equals": 0}),
            "array alias",
        ),
        (
            json!({"count": {"field": "tags"}, "equals": 0}),
            "array alias",
        ),
        (
            json!({"count": {"value": [1], "name": "a-b"}, "equals": 0}),
            "letters and digits",
        ),
        (
            json!({"count": {"value": [1], "where": {"value": "[current('other')]", "equals": 1}}, "equals": 0}),
            "names no enclosing count",
        ),
        (
            json!({"allOf": {"field": "type", "equals": "x"}}),
            "array of conditions",
        ),
        (json!({"allOf": [], "anyOf": []}), "only key"),
    ];
    for (cond, want) in cases {
        // Behind a condition that is false: evaluation would never reach it.
        let guarded = json!({"allOf": [never, cond]});
        let e = match Definition::from_json(&rule(&guarded), Escaping::Auto) {
            Err(e) => e,
            Ok(d) => panic!(
                "{cond}: compiled, evaluates to {:?}",
                d.evaluate(&Map::new(), &r, &Context::default())
            ),
        };
        assert!(e.to_string().contains(want), "{cond}: `{e}` lacks `{want}`");
        assert!(
            e.at.starts_with("policyRule.if.allOf[1]"),
            "{cond}: at {}",
            e.at
        );
    }
    // An array parameter compared with `equals` (Microsoft's example).
    let arr = json!({"parameters": {"allowedLocations": {"type": "Array"}},
        "policyRule": {"if": {"not": {"field": "location", "equals": "[parameters('allowedLocations')]"}}, "then": {"effect": "audit"}}});
    assert!(
        Definition::from_json(&arr, Escaping::Auto)
            .unwrap_err()
            .message
            .contains("single value")
    );
}

#[test]
fn malformed_definitions_and_resources_are_errors() {
    let r = workspace(&json!({}));
    let bad_defs = [
        json!([1]),
        json!({"properties": {"displayName": "no rule"}}),
        json!({"properties": {"policyDefinitions": []}}),
        json!({"policyRule": {"if": {"field": "type", "equals": "x"}}}),
        json!({"policyRule": {"then": {"effect": "audit"}}}),
        json!({"policyRule": {"if": {"field": "type", "equals": "x"}, "then": {}}}),
        json!({"policyRule": {"if": {"field": "type", "equals": "x"}, "then": {"effect": "audit"}, "else": {}}}),
        json!({"mode": "Microsoft.KeyVault.Data", "policyRule": {"if": {"field": "type", "equals": "x"}, "then": {"effect": "audit"}}}),
        json!({"mode": "Sometimes", "policyRule": {"if": {"field": "type", "equals": "x"}, "then": {"effect": "audit"}}}),
        json!({"parameters": {"p": {"type": "Text"}}, "policyRule": {"if": {"field": "type", "equals": "x"}, "then": {"effect": "audit"}}}),
        json!({"policyRule": {"if": [], "then": {"effect": "audit"}}}),
        json!({"policyRule": {"if": {}, "then": {"effect": "audit"}}}),
    ];
    for d in bad_defs {
        assert!(Definition::from_json(&d, Escaping::Auto).is_err(), "{d}");
    }
    let ok = rule(&json!({"field": "type", "equals": W}));
    for bad in [json!("x"), json!({"name": "no type"}), json!({"type": 5})] {
        let e = evaluate(&ok, &Map::new(), &bad).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Resource, "{bad}");
    }
    // Ordering mismatched types fails, as Azure's does.
    let e = fails(&json!({"field": "name", "greater": 3}), &r);
    assert_eq!(e.kind, ErrorKind::Evaluation);
    assert!(e.message.contains("cannot order"), "{e}");
    // A deep definition is an error, not a stack overflow.
    let mut deep = json!({"field": "type", "equals": W});
    for _ in 0..300 {
        deep = json!({"not": deep});
    }
    assert!(
        Definition::from_json(&rule(&deep), Escaping::Auto)
            .unwrap_err()
            .message
            .contains("nested deeper")
    );
}

// ---------------------------------------------------------------------------
// The command line
// ---------------------------------------------------------------------------

#[test]
fn cli_prints_one_verdict_per_resource() {
    let o = amlgen(&[
        "policy",
        "eval",
        "--policy",
        PNA,
        "--param",
        "effect=Deny",
        "resources/ws-public.json",
        "resources/ws-private.json",
        "resources/ws-no-public-network-access.json",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "resources/ws-public.json: Deny (matched)\n\
         resources/ws-private.json: compliant (not matched)\n\
         resources/ws-no-public-network-access.json: Deny (matched)\n"
    );
}

#[test]
fn cli_json_format_and_context() {
    let def = format!("{ES}/Audit-MachineLearning-PrivateEndpointId.json");
    let o = amlgen(&[
        "policy",
        "eval",
        "--policy",
        &def,
        "--format",
        "json",
        "--subscription",
        "9a8b7c6d-1e2f-4a3b-8c9d-0e1f2a3b4c5d",
        "resources/pec-other-subscription.json",
        "resources/pec-same-subscription.json",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        v,
        json!([
            {"resource": "resources/pec-other-subscription.json", "applicable": true, "matched": false, "effect": "Audit"},
            {"resource": "resources/pec-same-subscription.json", "applicable": true, "matched": true, "effect": "Audit"}
        ])
    );
    // Parameter values are JSON; text that is not JSON is a string.
    let vm = format!("{ES}/Deny-MachineLearning-Compute-VmSize.json");
    let o = amlgen(&[
        "policy",
        "eval",
        "--policy",
        &vm,
        "--param",
        r#"allowedVmSizes=["Standard_DS3_v2"]"#,
        "--param",
        "effect=Audit",
        "resources/ci-noncompliant.json",
    ]);
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "resources/ci-noncompliant.json: Audit (matched)\n"
    );
}

#[test]
fn cli_string_parameters_take_the_text_as_it_is() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("policy-eval");
    std::fs::create_dir_all(&dir).unwrap();
    let def = dir.join("tag.json");
    let tagged = json!({"parameters": {"value": {"type": "String"}, "count": {"type": "Integer"}},
        "policyRule": {"if": {"allOf": [
            {"field": "tags['build']", "equals": "[parameters('value')]"},
            {"value": "[parameters('count')]", "greater": 1}
        ]}, "then": {"effect": "audit"}}});
    std::fs::write(&def, tagged.to_string()).unwrap();
    let res = dir.join("ws.json");
    std::fs::write(
        &res,
        workspace(&json!({}))
            .to_string()
            .replace("\"Env\"", "\"build\": \"0042\", \"Env\""),
    )
    .unwrap();
    let (d, r) = (
        def.to_string_lossy().into_owned(),
        res.to_string_lossy().into_owned(),
    );
    // `0042` stays the string "0042" (it would be the number 42 as JSON);
    // `count` is an Integer, so `2` is the number 2.
    let o = amlgen(&[
        "policy",
        "eval",
        "--policy",
        &d,
        "--param",
        "value=0042",
        "--param",
        "count=2",
        &r,
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stdout).ends_with(": audit (matched)\n"));
    let o = amlgen(&[
        "policy",
        "eval",
        "--policy",
        &d,
        "--param",
        "value=0042",
        "--param",
        "count=two",
        &r,
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("type Integer"));
}

#[test]
fn cli_errors_exit_two() {
    let code = |args: &[&str]| {
        let o = amlgen(args);
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
        )
    };
    // A data-plane definition cannot be evaluated.
    let (c, err, out) = code(&[
        "policy",
        "eval",
        "--policy",
        REGISTRY_MODELS,
        "resources/ws-public.json",
    ]);
    assert_eq!(c, Some(2));
    assert!(err.contains("Resource Provider mode"), "{err}");
    assert!(out.is_empty());
    // A parameter the definition does not declare, or does not allow.
    let (c, err, _) = code(&[
        "policy",
        "eval",
        "--policy",
        PNA,
        "--param",
        "efect=Deny",
        "resources/ws-public.json",
    ]);
    assert_eq!(c, Some(2));
    assert!(err.contains("`efect` is not a parameter"), "{err}");
    let (c, _, _) = code(&[
        "policy",
        "eval",
        "--policy",
        PNA,
        "--param",
        "effect",
        "resources/ws-public.json",
    ]);
    assert_eq!(c, Some(2));
    // One resource fails: the others are still reported, the exit code is 2.
    let (c, err, out) = code(&[
        "policy",
        "eval",
        "--policy",
        PNA,
        "resources/ws-unevaluated.json",
        "resources/ws-public.json",
        "resources/missing.json",
    ]);
    assert_eq!(c, Some(2));
    assert_eq!(out, "resources/ws-public.json: Audit (matched)\n");
    assert!(
        err.contains("unevaluated ARM template expression") && err.contains("missing.json"),
        "{err}"
    );
    // Usage: no resources.
    let (c, _, _) = code(&["policy", "eval", "--policy", PNA]);
    assert_eq!(c, Some(2));
}

// ---------------------------------------------------------------------------
// No panic on any input
// ---------------------------------------------------------------------------

/// A small deterministic generator (xorshift).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % (n as u64)).unwrap_or(0)
    }
}

fn mutate(v: &mut Value, rng: &mut Rng) {
    const POOL: &[&str] = &[
        "[concat(",
        "[field('type')]",
        "[[x]",
        "[current()]",
        "[parameters('effect')]",
        "[split(field('name'), '/')[9]]",
        "[int('x')]",
        "[if(true, 1)]",
        "",
        "*",
        "Deny",
        "[]",
        "Microsoft.MachineLearningServices/workspaces/privateEndpointConnections[*]",
        "[first(createArray())]",
        "[length(1)]",
        "[substring('a', 5)]",
        "['unterminated]",
    ];
    let pick = |rng: &mut Rng| -> Value {
        match rng.below(8) {
            0 => Value::Null,
            1 => json!(rng.below(5) == 0),
            2 => json!(i64::try_from(rng.below(1000)).unwrap_or(0) - 500),
            3 => json!([POOL[rng.below(POOL.len())]]),
            4 => {
                json!({"field": POOL[rng.below(POOL.len())], "equals": POOL[rng.below(POOL.len())]})
            }
            5 => json!({"count": {"field": POOL[rng.below(POOL.len())]}, "greater": 0}),
            _ => json!(POOL[rng.below(POOL.len())]),
        }
    };
    match v {
        Value::Object(o) if !o.is_empty() => {
            let keys: Vec<String> = o.keys().cloned().collect();
            let k = &keys[rng.below(keys.len())];
            match rng.below(4) {
                0 => {
                    o.remove(k);
                }
                1 => {
                    let val = o.remove(k).unwrap_or(Value::Null);
                    o.insert(format!("{k}x"), val);
                }
                2 => {
                    o.insert(k.clone(), pick(rng));
                }
                _ => {
                    if let Some(child) = o.get_mut(k) {
                        mutate(child, rng);
                    }
                }
            }
        }
        Value::Array(a) if !a.is_empty() => {
            let i = rng.below(a.len());
            if rng.below(3) == 0 {
                a[i] = pick(rng);
            } else {
                mutate(&mut a[i], rng);
            }
        }
        other => *other = pick(rng),
    }
}

#[test]
fn no_panic_on_mutated_definitions_and_resources() {
    let defs = [PNA, ISOLATION, VNET, DNS, PRIVATE_LINK, CMK];
    let extra = [
        format!("{ES}/Audit-MachineLearning-PrivateEndpointId.json"),
        format!("{ES}/Deny-MachineLearning-ComputeCluster-Scale.json"),
        format!("{ES}/Deny-MachineLearning-Compute-VmSize.json"),
    ];
    let defs: Vec<Value> = defs
        .iter()
        .map(|d| load(d))
        .chain(extra.iter().map(|d| load(d)))
        .collect();
    let resources: Vec<Value> = [
        "ws-private",
        "ci-compliant",
        "pe-amlworkspace",
        "cluster-public-ssh",
        "pec-other-subscription",
    ]
    .iter()
    .map(|r| resource(r))
    .collect();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut outcomes = (0, 0);
    for _ in 0..3000 {
        let mut d = defs[rng.below(defs.len())].clone();
        let mut r = resources[rng.below(resources.len())].clone();
        for _ in 0..=rng.below(3) {
            if rng.below(2) == 0 {
                mutate(&mut d, &mut rng);
            } else {
                mutate(&mut r, &mut rng);
            }
        }
        match evaluate(&d, &Map::new(), &r) {
            Ok(_) => outcomes.0 += 1,
            Err(e) => {
                assert!(!e.message.is_empty());
                outcomes.1 += 1;
            }
        }
    }
    assert!(outcomes.0 > 100 && outcomes.1 > 100, "{outcomes:?}");
}

// ---------------------------------------------------------------------------
// Effect details and existence checks
// ---------------------------------------------------------------------------

/// A bare definition over raw paths (`properties.x`), for one construct.
fn raw_definition(rule: &Value, parameters: &Value) -> Definition {
    let def = json!({ "mode": "All", "parameters": parameters, "policyRule": rule });
    let options = ReadOptions {
        raw_paths: true,
        aliases: None,
    };
    Definition::from_json_with(&def, Escaping::Auto, options).unwrap()
}

#[test]
fn a_matched_rule_carries_its_resolved_details() {
    let d = Definition::from_json(&load(DNS), Escaping::Auto).unwrap();
    let v = d
        .evaluate(
            &Map::new(),
            &resource("pe-amlworkspace"),
            &Context::default(),
        )
        .unwrap();
    let details = v.details.expect("details of a matched rule");
    assert_eq!(
        details["type"],
        "Microsoft.Network/privateEndpoints/privateDnsZoneGroups"
    );
    assert_eq!(
        details["roleDefinitionIds"][0],
        "/providers/Microsoft.Authorization/roleDefinitions/4d97b98b-1d4f-4787-a291-c67834d212e7"
    );
    // The deployment is the template Azure deploys: as written.
    assert_eq!(
        details["deployment"]["properties"]["parameters"]["privateEndpointName"]["value"],
        "[field('name')]"
    );
    // No match, no details; a rule without details has none either.
    let v = d
        .evaluate(&Map::new(), &resource("pe-blob"), &Context::default())
        .unwrap();
    assert!(!v.matched && v.details.is_none());
    let v = Definition::from_json(&load(PNA), Escaping::Auto)
        .unwrap()
        .evaluate(&Map::new(), &resource("ws-public"), &Context::default())
        .unwrap();
    assert!(v.matched && v.details.is_none());
}

#[test]
fn modify_and_append_details_evaluate_their_expressions() {
    let rule = json!({
        "if": { "field": "type", "equals": "Microsoft.Compute/virtualMachines" },
        "then": {
            "effect": "[parameters('effect')]",
            "details": {
                "roleDefinitionIds": ["/providers/microsoft.authorization/roleDefinitions/b24988ac"],
                "conflictEffect": "[if(equals(parameters('effect'), 'modify'), 'audit', 'deny')]",
                "operations": [{
                    "operation": "addOrReplace",
                    "field": "[concat('tags[', parameters('tagName'), ']')]",
                    "value": "[toUpper(field('name'))]",
                    "condition": "[greaterOrEquals(requestContext().apiVersion, '2019-04-01')]"
                }]
            }
        }
    });
    let declared = json!({
        "effect": { "type": "String", "defaultValue": "modify" },
        "tagName": { "type": "String" }
    });
    let d = raw_definition(&rule, &declared);
    let vm = json!({ "type": "Microsoft.Compute/virtualMachines", "name": "vm1" });
    let v = d
        .evaluate(
            &params(&json!({ "tagName": "owner" })),
            &vm,
            &Context::default(),
        )
        .unwrap();
    assert_eq!(v.kind, Effect::Modify);
    assert_eq!(
        v.details.unwrap(),
        json!({
            "roleDefinitionIds": ["/providers/microsoft.authorization/roleDefinitions/b24988ac"],
            "conflictEffect": "audit",
            "operations": [{
                "operation": "addOrReplace",
                "field": "tags[owner]",
                "value": "VM1",
                // Decides whether the operation is applied, at the request
                // or at remediation: as written.
                "condition": "[greaterOrEquals(requestContext().apiVersion, '2019-04-01')]"
            }]
        })
    );
    let append = raw_definition(
        &json!({
            "if": { "field": "type", "exists": true },
            "then": {
                "effect": "append",
                "details": [{ "field": "properties.minimumTlsVersion", "value": "[concat('TLS1', '_2')]" }]
            }
        }),
        &json!({}),
    );
    let v = append
        .evaluate(&Map::new(), &vm, &Context::default())
        .unwrap();
    assert_eq!(
        v.details.unwrap(),
        json!([{ "field": "properties.minimumTlsVersion", "value": "TLS1_2" }])
    );
}

#[test]
fn details_azure_cannot_evaluate_here_fail_a_matched_resource_only() {
    let d = raw_definition(
        &json!({
            "if": { "field": "name", "equals": "vm1" },
            "then": { "effect": "denyAction", "details": { "actionNames": ["delete"], "note": "[utcNow()]" } }
        }),
        &json!({}),
    );
    let other = json!({ "type": "t", "name": "vm2" });
    let v = d
        .evaluate(&Map::new(), &other, &Context::default())
        .unwrap();
    assert!(!v.matched && v.details.is_none());
    let e = d
        .evaluate(
            &Map::new(),
            &json!({ "type": "t", "name": "vm1" }),
            &Context::default(),
        )
        .unwrap_err();
    assert_eq!(e.at, "policyRule.then.details.note");
    assert!(e.message.contains("utcNow"), "{e}");
}

#[test]
fn template_escaped_details_read_as_they_deploy() {
    let def = json!({
        "properties": {
            "mode": "All",
            "policyRule": {
                "if": { "field": "[[concat('ty', 'pe')]", "equals": "t" },
                "then": { "effect": "append", "details": [{ "field": "tags['a']", "value": "[[field('name')]" }] }
            }
        }
    });
    let d = Definition::from_json(&def, Escaping::Auto).unwrap();
    let v = d
        .evaluate(
            &Map::new(),
            &json!({ "type": "t", "name": "n1" }),
            &Context::default(),
        )
        .unwrap();
    assert_eq!(
        v.details.unwrap(),
        json!([{ "field": "tags['a']", "value": "n1" }])
    );
}

#[test]
fn a_disabled_effect_never_applies() {
    let d = raw_definition(
        &json!({ "if": { "field": "type", "exists": true }, "then": { "effect": "disabled" } }),
        &json!({}),
    );
    let v = d
        .evaluate(&Map::new(), &json!({ "type": "t" }), &Context::default())
        .unwrap();
    assert!(v.matched && !v.applies());
}

#[test]
fn existence_check_against_the_related_resources() {
    let d = Definition::from_json(&load(DNS), Escaping::Auto).unwrap();
    let pe = resource("pe-amlworkspace");
    let group = resource("pe-amlworkspace-dns-zone-group");
    let ctx = Context::default();
    // Without related resources the check is not made.
    let v = d.evaluate(&Map::new(), &pe, &ctx).unwrap();
    assert!(v.needs_existence_check() && v.existence.is_none() && v.applies());
    // None found: the effect applies.
    let v = d.evaluate_related(&Map::new(), &pe, &ctx, &[]).unwrap();
    assert!(v.applies() && !v.needs_existence_check());
    assert_eq!(v.existence.as_ref().unwrap().candidates, 0);
    // The zone group exists (no existence condition: existing is enough).
    let v = d
        .evaluate_related(
            &Map::new(),
            &pe,
            &ctx,
            &[resource("pe-blob"), group.clone()],
        )
        .unwrap();
    assert!(v.matched && !v.applies());
    let e = v.existence.unwrap();
    assert_eq!((e.candidates, e.satisfied_by), (1, Some(1)));
    // A resource the rule does not match is not checked.
    let v = d
        .evaluate_related(&Map::new(), &resource("pe-blob"), &ctx, &[group])
        .unwrap();
    assert!(!v.matched && v.existence.is_none());
}

#[test]
fn an_existence_condition_reads_the_related_resource_and_field_the_evaluated_one() {
    let d = raw_definition(
        &json!({
            "if": { "field": "type", "equals": "Microsoft.Compute/virtualMachines" },
            "then": {
                "effect": "auditIfNotExists",
                "details": {
                    "type": "Microsoft.Compute/virtualMachines/extensions",
                    "name": "[concat(field('name'), '-ext')]",
                    "existenceCondition": {
                        "field": "properties.vmId",
                        "equals": "[field('properties.vmId')]"
                    }
                }
            }
        }),
        &json!({}),
    );
    let vm = json!({ "type": "Microsoft.Compute/virtualMachines", "name": "vm1", "properties": { "vmId": "id-1" } });
    let ext = |name: &str, vm_id: &str| json!({ "type": "Microsoft.Compute/virtualMachines/extensions", "name": name, "properties": { "vmId": vm_id } });
    let ctx = Context::default();
    let check = |related: &[Value]| d.evaluate_related(&Map::new(), &vm, &ctx, related).unwrap();
    assert!(!check(&[ext("vm1/vm1-ext", "id-1")]).applies());
    // Another VM's extension, another name: the effect applies.
    assert!(check(&[ext("vm1-ext", "id-2")]).applies());
    let v = check(&[ext("other", "id-1")]);
    assert!(v.applies());
    assert_eq!(v.existence.unwrap().candidates, 0);
    // A related resource without `type` or `name` is taken as found.
    assert!(!check(&[json!({ "properties": { "vmId": "id-1" } })]).applies());
    // A related resource that is no object is an error.
    assert!(
        d.evaluate_related(&Map::new(), &vm, &ctx, &[json!(3)])
            .is_err()
    );
}

#[test]
fn a_modify_operation_on_an_alias_that_is_not_modifiable_is_refused() {
    let tsv = "alias\tresource_type\tarm_path\tused_in_files\tstatus\tnotes\tattributes\n\
        Microsoft.Storage/storageAccounts/supportsHttpsTrafficOnly\tMicrosoft.Storage/storageAccounts\tproperties.supportsHttpsTrafficOnly\t\tCONFIRMED\t\tModifiable\n\
        Microsoft.Storage/storageAccounts/primaryEndpoints.blob\tMicrosoft.Storage/storageAccounts\tproperties.primaryEndpoints.blob\t\tCONFIRMED\t\tNone\n";
    let table: &'static AliasTable = Box::leak(Box::new(AliasTable::parse(tsv).unwrap()));
    let options = ReadOptions {
        raw_paths: false,
        aliases: Some(table),
    };
    let def = |field: &str| {
        json!({ "mode": "All", "policyRule": {
            "if": { "field": "type", "equals": "Microsoft.Storage/storageAccounts" },
            "then": { "effect": "modify", "details": {
                "roleDefinitionIds": [],
                "operations": [{ "operation": "addOrReplace", "field": field, "value": true }]
            } }
        } })
    };
    let ok = "Microsoft.Storage/storageAccounts/supportsHttpsTrafficOnly";
    assert!(Definition::from_json_with(&def(ok), Escaping::Auto, options).is_ok());
    assert!(Definition::from_json_with(&def("tags['env']"), Escaping::Auto, options).is_ok());
    let e = Definition::from_json_with(
        &def("Microsoft.Storage/storageAccounts/primaryEndpoints.blob"),
        Escaping::Auto,
        options,
    )
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Definition);
    assert_eq!(e.at, "policyRule.then.details.operations[0].field");
}

#[test]
fn cli_related_resources_and_details() {
    let o = amlgen(&[
        "policy",
        "eval",
        "--policy",
        DNS,
        "--related",
        "resources/pe-amlworkspace-dns-zone-group.json",
        "resources/pe-amlworkspace.json",
    ]);
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "resources/pe-amlworkspace.json: compliant (matched; related resource 1 satisfies the existence check)\n",
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = amlgen(&[
        "policy",
        "eval",
        "--policy",
        DNS,
        "--format",
        "json",
        "resources/pe-amlworkspace.json",
        "resources/pe-blob.json",
    ]);
    let out: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        out[0]["details"]["type"],
        "Microsoft.Network/privateEndpoints/privateDnsZoneGroups"
    );
    assert!(out[0].get("existence").is_none());
    assert!(out[1].get("details").is_none());
}

#[test]
fn resource_group_location_and_tags_come_from_the_context() {
    let d = raw_definition(
        &json!({
            "if": { "allOf": [
                { "value": "[resourceGroup().location]", "equals": "westeurope" },
                { "value": "[resourceGroup().tags['env']]", "equals": "prod" }
            ] },
            "then": { "effect": "audit" }
        }),
        &json!({}),
    );
    let ctx = Context {
        resource_group_location: Some("westeurope".into()),
        resource_group_tags: Some(params(&json!({ "env": "prod" }))),
        ..Context::default()
    };
    let r = json!({ "type": "t", "name": "n" });
    assert!(d.evaluate(&Map::new(), &r, &ctx).unwrap().matched);
    // Known only by its tags, the group has no name to read.
    let by_name = raw_definition(
        &json!({
            "if": { "value": "[resourceGroup().name]", "equals": "rg" },
            "then": { "effect": "audit" }
        }),
        &json!({}),
    );
    assert!(by_name.evaluate(&Map::new(), &r, &ctx).is_err());
    // Nothing known of it at all: the refusal names what is missing.
    let e = d
        .evaluate(&Map::new(), &r, &Context::default())
        .unwrap_err();
    assert!(e.message.contains("needs the resource group"), "{e}");
}

#[test]
fn current_of_a_deeper_array_alias_is_the_array_of_its_values_in_the_member() {
    // A count over `regions[*]` whose `where` reads
    // `current('regions[*].disks[*].id')`: the inner `[*]` is not bound, so
    // current() is the array of the member's ids (built-in policies take
    // its `length()`), with missing ids left out as field() does.
    let table = amlgen::policy::aliases::AliasTable::parse(
        "alias\tresource_type\tarm_path\tused_in_files\tstatus\n\
         Contoso.Things/thing/regions[*]\tContoso.Things/thing\tproperties.regions[*]\t\tCONFIRMED\n\
         Contoso.Things/thing/regions[*].disks[*].id\tContoso.Things/thing\tproperties.regions[*].disks[*].id\t\tCONFIRMED\n",
    )
    .unwrap();
    let options = amlgen::policy::ReadOptions {
        raw_paths: false,
        aliases: Some(Box::leak(Box::new(table))),
    };
    let def = json!({"mode": "All", "policyRule": {"if": {"count": {
        "field": "Contoso.Things/thing/regions[*]",
        "where": {"value": "[length(current('Contoso.Things/thing/regions[*].disks[*].id'))]", "equals": 2}
    }, "equals": 1}, "then": {"effect": "audit"}}});
    let d = Definition::from_json_with(&def, Escaping::Auto, options).unwrap();
    let res = json!({"type": "Contoso.Things/thing", "properties": {"regions": [
        {"disks": [{"id": "a"}, {"id": "b"}]},
        {"disks": [{"id": "c"}, {"name": "no id"}]},
        {}
    ]}});
    let v = d
        .evaluate(&Map::new(), &res, &Context::default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(v.matched, "{v:?}");
    let ids = d
        .evaluate_value(
            &Map::new(),
            &res,
            &Context::default(),
            &json!("[field('Contoso.Things/thing/regions[*].disks[*].id')]"),
        )
        .unwrap();
    assert_eq!(ids, json!(["a", "b", "c"]));
}

#[test]
fn a_tag_field_built_from_an_empty_parameter_reads_nothing() {
    // Automanage's built-in reads `tags[<inclusionTagName>]`, whose default
    // is "": no tag has an empty name, so the field is missing.
    let def = json!({"mode": "All", "parameters": {"tag": {"type": "String", "defaultValue": ""}},
        "policyRule": {"if": {"anyOf": [
            {"field": "[concat('tags[', parameters('tag'), ']')]", "in": ["prod"]},
            {"value": "[empty(parameters('tag'))]", "equals": "true"}
        ]}, "then": {"effect": "audit"}}});
    let ws = workspace(&json!({}));
    assert!(evaluate(&def, &Map::new(), &ws).unwrap().matched);
    let literal = json!({"field": "tags[]", "exists": false});
    assert!(matches(&literal, &ws));
}

#[test]
fn an_alias_reads_the_path_of_the_request_api_version() {
    // "During policy evaluation, the policy engine gets the property path
    // for that API version" ("Azure Policy definition structure aliases").
    let table = amlgen::policy::aliases::AliasTable::parse(
        "alias\tresource_type\tarm_path\tused_in_files\tstatus\tnotes\tattributes\tapi_version_paths\n\
         Contoso.Things/thing/tier\tContoso.Things/thing\tsku.tier\t\tCONFIRMED\t\t\tproperties.pricingTier@2015-01-01\n\
         Contoso.Things/thing/rules[*]\tContoso.Things/thing\tproperties.rules[*]\t\tCONFIRMED\t\t\t\n\
         Contoso.Things/thing/rules[*].prio\tContoso.Things/thing\tproperties.rules[*].priority\t\tCONFIRMED\t\t\tproperties.rules[*].p@2015-01-01\n",
    )
    .unwrap();
    let options = amlgen::policy::ReadOptions {
        raw_paths: false,
        aliases: Some(Box::leak(Box::new(table))),
    };
    let read = |cond: Value| {
        Definition::from_json_with(
            &json!({"mode": "All", "policyRule": {"if": cond, "then": {"effect": "deny"}}}),
            Escaping::Auto,
            options,
        )
        .unwrap()
    };
    let tier = read(json!({"field": "Contoso.Things/thing/tier", "equals": "Old"}));
    let count = read(json!({"count": {"field": "Contoso.Things/thing/rules[*]",
        "where": {"field": "Contoso.Things/thing/rules[*].prio", "equals": 1}}, "equals": 1}));
    let res = json!({"type": "Contoso.Things/thing", "sku": {"tier": "New"},
        "properties": {"pricingTier": "Old", "rules": [{"priority": 2, "p": 1}]}});
    let at = |v: Option<&str>| Context {
        api_version: v.map(str::to_string),
        ..Context::default()
    };
    let m = |d: &Definition, c: &Context| d.evaluate(&Map::new(), &res, c).unwrap().matched;
    assert!(m(&tier, &at(Some("2015-01-01"))));
    assert!(!m(&tier, &at(Some("2020-01-01"))));
    assert!(!m(&tier, &at(None)));
    assert!(m(&count, &at(Some("2015-01-01"))));
    assert!(!m(&count, &at(None)));
    // Without a context, the resource's own apiVersion is the request's.
    let mut old = res.clone();
    old["apiVersion"] = json!("2015-01-01");
    assert!(tier.evaluate(&Map::new(), &old, &at(None)).unwrap().matched);
}

#[test]
fn an_alias_of_several_types_reads_the_path_of_the_resource_type() {
    // Azure's catalogue lists `Microsoft.Compute/imagePublisher` under
    // virtual machines and under scale sets, each with its own path; a
    // resource reads the row of its type ("Azure Policy definition
    // structure aliases": an alias maps to paths for a given resource type).
    let table = amlgen::policy::aliases::AliasTable::parse(
        "alias\tresource_type\tarm_path\tused_in_files\tstatus\n\
         Microsoft.Compute/imagePublisher\tMicrosoft.Compute/virtualMachines\tproperties.storageProfile.imageReference.publisher\t\tCONFIRMED\n\
         Microsoft.Compute/imagePublisher\tMicrosoft.Compute/virtualMachineScaleSets\tproperties.virtualMachineProfile.storageProfile.imageReference.publisher\t\tCONFIRMED\n\
         Microsoft.Compute/disks[*]\tMicrosoft.Compute/virtualMachines\tproperties.disks[*]\t\tCONFIRMED\n\
         Microsoft.Compute/disks[*]\tMicrosoft.Compute/virtualMachineScaleSets\tproperties.virtualMachineProfile.disks[*]\t\tCONFIRMED\n",
    )
    .unwrap();
    let options = amlgen::policy::ReadOptions {
        raw_paths: false,
        aliases: Some(Box::leak(Box::new(table))),
    };
    let def = json!({"mode": "All", "policyRule": {"if": {"allOf": [
        {"field": "Microsoft.Compute/imagePublisher", "equals": "Canonical"},
        {"count": {"field": "Microsoft.Compute/disks[*]"}, "equals": 1},
        {"value": "[length(field('Microsoft.Compute/disks'))]", "equals": 1}
    ]}, "then": {"effect": "audit"}}});
    let d = Definition::from_json_with(&def, Escaping::Auto, options).unwrap();
    let eval = |r: &Value| {
        d.evaluate(&Map::new(), r, &Context::default())
            .unwrap_or_else(|e| panic!("{e}"))
            .matched
    };
    let image = json!({"imageReference": {"publisher": "Canonical"}});
    let vm = json!({"type": "Microsoft.Compute/virtualMachines",
        "properties": {"storageProfile": image, "disks": [{}]}});
    let vmss = json!({"type": "Microsoft.Compute/virtualMachineScaleSets",
        "properties": {"virtualMachineProfile": {"storageProfile": image, "disks": [{}]}}});
    assert!(eval(&vm));
    assert!(eval(&vmss));
    // A scale set shaped like a virtual machine has none of its values.
    let wrong = json!({"type": "Microsoft.Compute/virtualMachineScaleSets",
        "properties": {"storageProfile": image, "disks": [{}]}});
    assert!(!eval(&wrong));
    // Another type reads nothing.
    let other = json!({"type": "Microsoft.Compute/disks", "properties": {"storageProfile": image}});
    assert!(!eval(&other));
    // A name twice for one type is still an error.
    let twice = amlgen::policy::aliases::AliasTable::parse(
        "alias\tresource_type\tarm_path\tused_in_files\tstatus\n\
         A/b\tA/t\tproperties.b\t\tCONFIRMED\n\
         a/B\ta/T\tproperties.c\t\tCONFIRMED\n",
    );
    assert!(twice.unwrap_err().contains("duplicate alias"));
}

#[test]
fn a_tag_the_resource_group_lacks_reads_blank() {
    // Microsoft's built-in "Inherit a tag from the resource group": the
    // second condition holds when the tag exists on the resource group
    // ("Azure Policy pattern: the value operator"), so a missing tag reads
    // as the blank value, not as an error.
    let def = json!({"mode": "All", "parameters": {"tagName": {"type": "String"}},
        "policyRule": {"if": {"allOf": [
            {"field": "[concat('tags[', parameters('tagName'), ']')]",
             "notEquals": "[resourceGroup().tags[parameters('tagName')]]"},
            {"value": "[resourceGroup().tags[parameters('tagName')]]", "notEquals": ""}
        ]}, "then": {"effect": "audit"}}});
    let d = Definition::from_json(&def, Escaping::Auto).unwrap();
    let values = params(&json!({"tagName": "environment"}));
    let r = json!({"type": "Microsoft.Compute/virtualMachines", "name": "vm", "tags": {}});
    let group = |tags: Value| Context {
        resource_group: Some("rg".into()),
        resource_group_tags: Some(params(&tags)),
        ..Context::default()
    };
    let v = d.evaluate(&values, &r, &group(json!({}))).unwrap();
    assert!(!v.matched, "{v:?}");
    // Tag names ignore case; a tag the group has is inherited.
    let v = d
        .evaluate(&values, &r, &group(json!({"Environment": "prod"})))
        .unwrap();
    assert!(v.matched, "{v:?}");
    let member = raw_definition(
        &json!({"if": {"value": "[resourceGroup().tags.environment]", "equals": ""},
            "then": {"effect": "audit"}}),
        &json!({}),
    );
    assert!(
        member
            .evaluate(&Map::new(), &r, &group(json!({})))
            .unwrap()
            .matched
    );
    // Tags not known at all: reading them is still an error.
    let unknown = Context {
        resource_group: Some("rg".into()),
        ..Context::default()
    };
    assert!(d.evaluate(&values, &r, &unknown).is_err());
    // Other objects keep refusing a missing property.
    let other = raw_definition(
        &json!({"if": {"value": "[createObject('a', 1).b]", "equals": ""},
            "then": {"effect": "audit"}}),
        &json!({}),
    );
    assert!(other.evaluate(&Map::new(), &r, &group(json!({}))).is_err());
}
