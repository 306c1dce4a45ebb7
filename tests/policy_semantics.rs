//! Azure Policy semantics the offline evaluator follows, each checked with a
//! compliant and a non-compliant case: `ipRangeContains()` ("Azure Policy
//! definition structure policy rule", policy functions), the `Indexed` mode
//! ("Azure Policy definition structure basics", mode), `[[` literals in each
//! form a definition is read in, and assignment values checked against
//! `allowedValues` case-sensitively, from the library and from `amlgen
//! policy eval`.

use std::path::Path;

#[path = "common/policy.rs"]
mod policy_data;

use amlgen::policy::{Context, Definition, ErrorKind, Escaping, Verdict, evaluate};
use policy_data::{amlgen as cli, load as read, params as assigned, stdout_of_success};
use serde_json::{Map, Value, json};

fn run(def: &Value, escaping: Escaping, values: &Value, res: &Value) -> Verdict {
    Definition::from_json(def, escaping)
        .unwrap_or_else(|e| panic!("{def}: {e}"))
        .evaluate(&assigned(values), res, &Context::default())
        .unwrap_or_else(|e| panic!("{def} on {res}: {e}"))
}

const PNA: &str = "builtin/MachineLearning/Workspace_PublicNetworkAccessDisabled_Audit.json";

// ---------------------------------------------------------------------------
// allowedValues: case-sensitive, as Azure's assignment is
// ---------------------------------------------------------------------------

#[test]
fn allowed_values_compare_case_sensitively() {
    let d = Definition::from_json(&read(PNA), Escaping::Auto).unwrap();
    // Compliant with the definition: the value as it is declared.
    assert!(
        d.check_parameters(&assigned(&json!({"effect": "Deny"})))
            .is_ok()
    );
    // Azure refuses `deny` where `Deny` is allowed.
    let e = d
        .check_parameters(&assigned(&json!({"effect": "deny"})))
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Parameter);
    assert!(e.message.contains("allowed: Audit, Deny, Disabled"), "{e}");
    assert!(e.message.contains("write `Deny`"), "{e}");
    // Array parameters: every member exactly as allowed.
    let locations = json!({"parameters": {"allowedLocations": {"type": "Array",
        "allowedValues": ["eastus2", "westus2"]}},
        "policyRule": {"if": {"not": {"field": "location", "in": "[parameters('allowedLocations')]"}}, "then": {"effect": "audit"}}});
    let d = Definition::from_json(&locations, Escaping::Auto).unwrap();
    assert!(
        d.check_parameters(&assigned(&json!({"allowedLocations": ["westus2"]})))
            .is_ok()
    );
    let e = d
        .check_parameters(&assigned(
            &json!({"allowedLocations": ["westus2", "EastUS2"]}),
        ))
        .unwrap_err();
    assert!(e.message.contains("write `eastus2`"), "{e}");
}

#[test]
fn cli_refuses_a_value_allowed_only_in_another_case() {
    let ok = cli(&[
        "policy",
        "eval",
        "--policy",
        PNA,
        "--param",
        "effect=Deny",
        "resources/ws-public.json",
    ]);
    assert_eq!(
        stdout_of_success(&ok),
        "resources/ws-public.json: Deny (matched)\n"
    );
    let bad = cli(&[
        "policy",
        "eval",
        "--policy",
        PNA,
        "--param",
        "effect=deny",
        "resources/ws-public.json",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(bad.stdout.is_empty());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("does not allow the string \"deny\" (allowed: Audit, Deny, Disabled)")
            && err.contains("write `Deny`"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------
// ipRangeContains(range, targetRange)
// ---------------------------------------------------------------------------

fn workspace_with_ip_rules(rules: &[&str]) -> Value {
    let rules: Vec<Value> = rules.iter().map(|r| json!({"value": r})).collect();
    json!({
        "id": "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.MachineLearningServices/workspaces/mlw-x",
        "name": "mlw-x",
        "type": "Microsoft.MachineLearningServices/workspaces",
        "location": "westeurope",
        "properties": {"publicNetworkAccess": "Enabled", "networkAcls": {"defaultAction": "Deny", "ipRules": rules}}
    })
}

/// Audits a workspace that admits an address outside the approved ranges:
/// Microsoft's "address prefix not under the approved prefixes" example
/// (value count over a parameter, `ipRangeContains` in `where`), on the
/// workspace's selected-IP rules.
fn approved_ranges_rule() -> Value {
    json!({"mode": "Indexed",
        "parameters": {"approvedRanges": {"type": "Array"}},
        "policyRule": {"if": {"allOf": [
            {"field": "type", "equals": "Microsoft.MachineLearningServices/workspaces"},
            {"count": {"value": "[field('Microsoft.MachineLearningServices/workspaces/networkAcls.ipRules[*].value')]", "name": "rule",
                "where": {"count": {"value": "[parameters('approvedRanges')]", "name": "approved",
                    "where": {"value": "[ipRangeContains(current('approved'), current('rule'))]", "equals": true}},
                    "equals": 0}},
             "greater": 0}
        ]}, "then": {"effect": "audit"}}})
}

#[test]
fn ip_range_contains_as_documented() {
    let def = approved_ranges_rule();
    let v4 = json!({"approvedRanges": ["203.0.113.0/24", "198.51.100.10-198.51.100.20"]});
    let v6 = json!({"approvedRanges": ["2001:db8::/32"]});
    let verdict = |approved: &Value, rules: &[&str]| {
        run(
            &def,
            Escaping::Auto,
            approved,
            &workspace_with_ip_rules(rules),
        )
    };
    // Compliant: single addresses, a smaller CIDR, a start-end range, IPv6.
    assert!(
        !verdict(
            &v4,
            &[
                "203.0.113.7",
                "203.0.113.128/25",
                "198.51.100.12-198.51.100.20"
            ]
        )
        .matched
    );
    assert!(!verdict(&v6, &["2001:db8:1::/48", "2001:DB8::3:FFFE"]).matched);
    assert!(!verdict(&v4, &[]).matched);
    // Non-compliant: one rule reaches past an approved range.
    assert!(verdict(&v4, &["203.0.113.7", "203.0.112.0/23"]).audits());
    assert!(verdict(&v4, &["198.51.100.9"]).audits());
    assert!(verdict(&v6, &["2001:db9::1"]).audits());
    // An IPv6 rule against IPv4 ranges: the evaluation fails, as documented.
    let e = Definition::from_json(&def, Escaping::Auto)
        .unwrap()
        .evaluate(
            &assigned(&v4),
            &workspace_with_ip_rules(&["2001:db8::1"]),
            &Context::default(),
        )
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Evaluation);
    assert!(e.message.contains("IPv4 range with an IPv6 range"), "{e}");
}

#[test]
fn ip_range_contains_fails_the_evaluation_where_azure_does() {
    let r = workspace_with_ip_rules(&[]);
    let fails = |call: &str| {
        let def = json!({"policyRule": {"if": {"value": call, "equals": true}, "then": {"effect": "deny"}}});
        let e = evaluate(&def, &Map::new(), &r).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Evaluation, "{call}: {e}");
        e.message
    };
    // Mixing IP families and empty ranges are evaluation failures (which
    // Azure turns into a deny).
    assert!(
        fails("[ipRangeContains('10.0.0.0/8', '2001:db8::1')]").contains("IPv4 range with an IPv6")
    );
    assert!(fails("[ipRangeContains('', '10.0.0.1')]").contains("empty"));
    assert!(fails("[ipRangeContains('10.0.0.9-10.0.0.1', '10.0.0.1')]").contains("empty"));
    assert!(
        fails("[ipRangeContains('10.0.0.0/8', 'Internet')]")
            .contains("not an IPv4 or IPv6 address")
    );
    // The number of arguments is checked when the definition is read.
    let def = json!({"policyRule": {"if": {"value": "[ipRangeContains('10.0.0.0/8')]", "equals": true}, "then": {"effect": "deny"}}});
    let e = Definition::from_json(&def, Escaping::Auto).unwrap_err();
    assert!(e.message.contains("takes 2 argument(s)"), "{e}");
}

// ---------------------------------------------------------------------------
// `[[` literals in each form a definition is read in
// ---------------------------------------------------------------------------

/// A workspace whose `stage` tag is `stage`.
fn tagged(stage: &str) -> Value {
    json!({
        "id": "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.MachineLearningServices/workspaces/mlw-x",
        "name": "mlw-x",
        "type": "Microsoft.MachineLearningServices/workspaces",
        "location": "westeurope",
        "tags": {"stage": stage},
        "properties": {}
    })
}

/// `[` + the `stage` tag + `]`, written plain or template-escaped.
fn bracketed_stage(escaped: bool) -> &'static str {
    if escaped {
        "[[concat('[', field('tags[stage]'), ']')]"
    } else {
        "[concat('[', field('tags[stage]'), ']')]"
    }
}

/// Denies a workspace whose bracketed `stage` tag is the literal `literal`,
/// with the effect `effect`, in the envelope of each source.
fn draft_rule(envelope: &str, literal: &str, effect: &str) -> Value {
    let escaped = effect.starts_with("[[");
    let body = json!({
        "mode": "All",
        "parameters": {"effect": {"type": "String", "defaultValue": "Deny"}},
        "policyRule": {"if": {"allOf": [
            {"field": "type", "equals": "Microsoft.MachineLearningServices/workspaces"},
            {"value": bracketed_stage(escaped), "in": [literal, "[[[unused]"]}
        ]}, "then": {"effect": effect}}
    });
    match envelope {
        "bare" => body,
        "built-in" => {
            json!({"properties": body, "id": "/providers/Microsoft.Authorization/policyDefinitions/x", "name": "x"})
        }
        _ => {
            json!({"name": "x", "type": "Microsoft.Authorization/policyDefinitions", "properties": body})
        }
    }
}

/// The rule denies the `draft` stage (`[draft]` once bracketed), and
/// neither `[draft` (whose bracketed form is the unreduced `[[draft]`) nor
/// another stage.
fn denies_only_draft(def: &Value, escaping: Escaping) {
    let verdict = |stage: &str| run(def, escaping, &json!({}), &tagged(stage));
    assert!(verdict("draft").denies(), "{def} {escaping:?}");
    assert!(!verdict("[draft").matched, "{def} {escaping:?}");
    assert!(!verdict("final").matched, "{def} {escaping:?}");
}

#[test]
fn a_literal_starting_with_a_bracket_reads_the_same_in_every_form() {
    for envelope in ["bare", "built-in", "alz"] {
        // The direct form (built-in, ALZ Library, ALZ-Bicep, bare): `[[draft]`
        // is the literal `[draft]`, beside a plain expression or alone.
        for effect in ["[parameters('effect')]", "deny"] {
            let mut def = draft_rule(envelope, "[[draft]", effect);
            if effect == "deny" {
                // No plain expression at all in the file.
                let cond = json!({"value": "[[draft]", "equals": "[[draft]"});
                let rule = if envelope == "bare" {
                    &mut def
                } else {
                    &mut def["properties"]
                };
                rule["policyRule"]["if"]["allOf"][1] = cond;
                for escaping in [Escaping::Auto, Escaping::Direct] {
                    assert!(
                        run(&def, escaping, &json!({}), &tagged("any")).denies(),
                        "{envelope} {escaping:?}"
                    );
                }
                continue;
            }
            for escaping in [Escaping::Auto, Escaping::Direct] {
                denies_only_draft(&def, escaping);
            }
        }
        // The template-escaped form (Enterprise-Scale): the same literal is
        // `[[[draft]`, the expressions `[[...]`.
        let def = draft_rule(envelope, "[[[draft]", "[[parameters('effect')]");
        for escaping in [Escaping::Auto, Escaping::Template] {
            assert!(
                Definition::from_json(&def, escaping)
                    .unwrap()
                    .template_escaped()
            );
            denies_only_draft(&def, escaping);
        }
        // `[[draft]` in a template-escaped file deploys as the expression
        // `[draft]`, which is not one.
        let broken = draft_rule(envelope, "[[draft]", "[[parameters('effect')]");
        let e = Definition::from_json(&broken, Escaping::Auto).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Definition, "{envelope}: {e}");
        assert!(
            e.message
                .contains("`draft` is neither a function call nor a literal"),
            "{e}"
        );
    }
}

#[test]
fn parameter_values_are_data_not_expressions() {
    // A direct file's default `[[draft]` is the text `[[draft]`: Azure Policy
    // resolves functions in the rule, not in a definition's parameters.
    let def = json!({"parameters": {"stage": {"type": "String", "defaultValue": "[[draft]"}},
        "policyRule": {"if": {"value": bracketed_stage(false), "equals": "[parameters('stage')]"}, "then": {"effect": "audit"}}});
    assert!(run(&def, Escaping::Auto, &json!({}), &tagged("[draft")).audits());
    assert!(!run(&def, Escaping::Auto, &json!({}), &tagged("draft")).matched);
    // In the template-escaped form the deployment reduces it once.
    let es = json!({"parameters": {"stage": {"type": "String", "defaultValue": "[[draft]"}},
        "policyRule": {"if": {"value": bracketed_stage(true), "equals": "[[parameters('stage')]"}, "then": {"effect": "audit"}}});
    assert!(run(&es, Escaping::Auto, &json!({}), &tagged("draft")).audits());
    assert!(!run(&es, Escaping::Auto, &json!({}), &tagged("[draft")).matched);
}

// ---------------------------------------------------------------------------
// Mode: Indexed evaluates only types that support tags and location
// ---------------------------------------------------------------------------

/// The table the evaluator embeds.
fn indexed_table() -> Vec<(String, bool, String)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("compiler/src/policy/indexed.tsv");
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .skip(1)
        .map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            (c[0].to_string(), c[1] == "yes", c[2].to_string())
        })
        .collect()
}

/// Every resource type the vendored ARM schemas declare, whole
/// (`tests/data/arm-schemas/`) or as excerpts of resource definitions
/// (`tests/data/arm-schema-excerpts/`): (type, schema file relative to
/// `schemas/` upstream, declares `location` and `tags`).
fn schema_types() -> Vec<(String, String, bool)> {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let mut out = schema_types_under(&data.join("arm-schemas"));
    let excerpts = schema_types_under(&data.join("arm-schema-excerpts"));
    assert!(excerpts.len() >= 16, "{}", excerpts.len());
    out.extend(excerpts);
    out
}

fn schema_types_under(root: &Path) -> Vec<(String, String, bool)> {
    let mut out = Vec::new();
    for version in std::fs::read_dir(root).unwrap() {
        let version = version.unwrap().path();
        if !version.is_dir() || version.ends_with("common") {
            continue;
        }
        for file in std::fs::read_dir(&version).unwrap() {
            let file = file.unwrap().path();
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            if name.contains("Template") || file.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let schema: Value =
                serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
            let rel = format!("{}/{name}", version.file_name().unwrap().to_string_lossy());
            // An excerpt names the upstream file it was cut from and the
            // snapshot's commit (origin in its folder's SOURCES.md).
            if let Some(comment) = schema["$comment"].as_str() {
                assert!(
                    comment.starts_with(&format!(
                        "Excerpt of schemas/{rel} in Azure/azure-resource-manager-schemas"
                    )) && comment.contains("a1454431151fd3e9c1b254b1a11d00c2d8474611"),
                    "{rel}: {comment}"
                );
            }
            for (key, defs) in schema.as_object().unwrap() {
                if !key.ends_with("resourceDefinitions") {
                    continue;
                }
                for def in defs.as_object().unwrap().values() {
                    let props = &def["properties"];
                    if let Some([Value::String(ty)]) =
                        props["type"]["enum"].as_array().map(Vec::as_slice)
                    {
                        let both = props.get("location").is_some() && props.get("tags").is_some();
                        out.push((ty.clone(), rel.clone(), both));
                    }
                }
            }
        }
    }
    out
}

#[test]
fn the_indexed_table_is_the_vendored_schemas() {
    let table = indexed_table();
    let schemas = schema_types();
    assert!(schemas.len() > 200, "{}", schemas.len());
    let row = |ty: &str| table.iter().find(|(t, _, _)| t.eq_ignore_ascii_case(ty));
    // Every type a schema declares is in the table, with what the schema says,
    // except the documented exception (resource groups).
    for (ty, file, both) in &schemas {
        let (_, yes, source) =
            row(ty).unwrap_or_else(|| panic!("{ty} ({file}) is not in indexed.tsv"));
        if source.starts_with("docs:") {
            assert_eq!(ty, "Microsoft.Resources/resourceGroups");
            assert!(!yes);
        } else {
            assert_eq!(
                yes, both,
                "{ty}: indexed.tsv says {yes}, {file} says {both}"
            );
        }
    }
    // Every row names a vendored schema that declares its type, or the page.
    for (ty, yes, source) in &table {
        if let Some(rest) = source.strip_prefix("docs: ") {
            assert!(
                rest.starts_with("definition structure basics, mode"),
                "{source}"
            );
            assert!(!yes, "{ty}");
            continue;
        }
        let file = source
            .strip_prefix("schemas/")
            .unwrap_or_else(|| panic!("{ty}: source {source}"));
        assert!(
            schemas.iter().any(|(t, f, _)| t == ty && f == file),
            "{ty}: {file} does not declare it"
        );
    }
    let docs: Vec<&str> = table
        .iter()
        .filter(|r| r.2.starts_with("docs:"))
        .map(|r| r.0.as_str())
        .collect();
    assert_eq!(
        docs,
        [
            "Microsoft.Resources/resourceGroups",
            "Microsoft.Resources/subscriptions",
            "Microsoft.Resources/subscriptions/resourceGroups"
        ]
    );
    // The library reads the same table.
    for (ty, yes, _) in &table {
        assert_eq!(
            amlgen::policy::indexed::evaluates(ty),
            Ok(Some(*yes)),
            "{ty}"
        );
    }
}

fn network(ty: &str, name: &str) -> Value {
    json!({
        "id": format!("/subscriptions/s1/resourceGroups/rg1/providers/{ty}/{name}"),
        "name": name,
        "type": ty,
        "location": "westeurope",
        "properties": {}
    })
}

/// Denies every resource of the `Microsoft.Network` and
/// `Microsoft.Authorization` namespaces, in the given mode (null: no `mode`).
fn deny_namespace(mode: &Value) -> Value {
    let mut def = json!({"policyRule": {"if": {"anyOf": [
        {"field": "type", "like": "Microsoft.Network/*"},
        {"field": "type", "like": "Microsoft.Authorization/*"}
    ]}, "then": {"effect": "deny"}}});
    if !mode.is_null() {
        def["mode"] = mode.clone();
    }
    def
}

#[test]
fn indexed_mode_skips_types_without_tags_and_location() {
    let evaluated = [
        ("Microsoft.Network/routeTables", "rt-hub"),
        ("Microsoft.Network/networkSecurityGroups", "nsg-train"),
        ("Microsoft.Network/virtualNetworks", "vnet-spoke"),
    ];
    let skipped = [
        ("Microsoft.Network/routeTables/routes", "rt-hub/to-firewall"),
        (
            "Microsoft.Network/virtualNetworks/subnets",
            "vnet-spoke/snet-training",
        ),
        (
            "Microsoft.Network/networkSecurityGroups/securityRules",
            "nsg-train/allow-aml",
        ),
        (
            "Microsoft.Authorization/roleAssignments",
            "00000000-0000-0000-0000-000000000001",
        ),
    ];
    let all = deny_namespace(&json!("All"));
    // `mode: null` and no mode at all are Indexed.
    for mode in [json!("Indexed"), json!("indexed"), Value::Null] {
        let indexed = deny_namespace(&mode);
        for (ty, name) in evaluated {
            let v = run(&indexed, Escaping::Auto, &json!({}), &network(ty, name));
            assert!(v.applicable && v.denies(), "{mode} {ty}: {v:?}");
        }
        for (ty, name) in skipped {
            let v = run(&indexed, Escaping::Auto, &json!({}), &network(ty, name));
            assert!(
                !v.applicable && !v.matched && !v.denies(),
                "{mode} {ty}: {v:?}"
            );
            // Mode All evaluates every type.
            let v = run(&all, Escaping::Auto, &json!({}), &network(ty, name));
            assert!(v.applicable && v.denies(), "All {ty}: {v:?}");
        }
    }
    let mut explicit_null = deny_namespace(&Value::Null);
    explicit_null["mode"] = Value::Null;
    assert!(
        !run(
            &explicit_null,
            Escaping::Auto,
            &json!({}),
            &network(skipped[0].0, skipped[0].1)
        )
        .applicable
    );
    // Resource groups and subscriptions: the documented exception.
    let any = json!({"mode": "Indexed", "policyRule": {"if": {"field": "location", "exists": true}, "then": {"effect": "audit"}}});
    for ty in [
        "Microsoft.Resources/subscriptions/resourceGroups",
        "Microsoft.Resources/subscriptions",
    ] {
        assert!(
            !run(&any, Escaping::Auto, &json!({}), &network(ty, "x")).applicable,
            "{ty}"
        );
    }
    // A type the table does not know: an error, not a guess either way.
    let e = Definition::from_json(&any, Escaping::Auto)
        .unwrap()
        .evaluate(
            &assigned(&json!({})),
            &network("Contoso.Widgets/gadgets", "g1"),
            &Context::default(),
        )
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unsupported);
    assert!(e.message.contains("`Contoso.Widgets/gadgets`"), "{e}");
}

#[test]
fn indexed_mode_evaluates_the_types_of_the_schema_excerpts() {
    // Their resource definitions declare `location` and `tags`
    // (tests/data/arm-schema-excerpts/); type names compare ignoring case.
    let any = json!({"mode": "Indexed", "policyRule": {"if": {"field": "location", "exists": true}, "then": {"effect": "audit"}}});
    for ty in [
        "Microsoft.Compute/virtualMachines",
        "Microsoft.Compute/virtualMachineScaleSets",
        "Microsoft.Compute/disks",
        "Microsoft.Compute/diskEncryptionSets",
        "Microsoft.Compute/images",
        "Microsoft.Compute/galleries/images/versions",
        "Microsoft.ContainerService/managedclusters",
        "Microsoft.DBforPostgreSQL/flexibleServers",
        "Microsoft.DocumentDB/databaseAccounts",
        "Microsoft.HybridCompute/machines",
        "Microsoft.Portal/dashboards",
        "Microsoft.ServiceBus/namespaces",
        "Microsoft.SignalRService/SignalR",
        "Microsoft.SignalRService/WebPubSub",
        "Microsoft.Sql/servers",
        "Microsoft.Web/sites",
    ] {
        let v = run(&any, Escaping::Auto, &json!({}), &network(ty, "x"));
        assert!(v.applicable && v.matched, "{ty}: {v:?}");
    }
}

#[test]
fn indexed_mode_evaluates_an_untyped_resource_only_with_raw_paths() {
    let def = json!({"mode": "Indexed", "policyRule": {"if": {"field": "tags.env", "notEquals": "prod"}, "then": {"effect": "deny"}}});
    let resource = json!({"name": "x", "tags": {"env": "dev"}});
    let raw = amlgen::policy::ReadOptions {
        raw_paths: true,
        aliases: None,
    };
    let v = Definition::from_json_with(&def, Escaping::Auto, raw)
        .unwrap()
        .evaluate(&assigned(&json!({})), &resource, &Context::default())
        .unwrap();
    assert!(v.applicable && v.denies(), "{v:?}");
    // Without raw paths a resource needs its `type`.
    let e = Definition::from_json(&def, Escaping::Auto)
        .unwrap()
        .evaluate(&assigned(&json!({})), &resource, &Context::default())
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Resource, "{e}");
}

#[test]
fn real_indexed_definitions_apply_where_azure_applies_them() {
    // Built-in 438c38d2 (Indexed) applies to workspaces, not to their
    // outbound rules (no tags, no location in the schema).
    let pna = read(PNA);
    let rule = json!({"id": "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.MachineLearningServices/workspaces/mlw-x/outboundRules/pypi",
        "name": "mlw-x/pypi", "type": "Microsoft.MachineLearningServices/workspaces/outboundRules",
        "properties": {"type": "FQDN", "destination": "pypi.org"}});
    assert!(!run(&pna, Escaping::Auto, &json!({}), &rule).applicable);
    assert!(
        run(
            &pna,
            Escaping::Auto,
            &json!({}),
            &read("resources/ws-public.json")
        )
        .audits()
    );
    // The landing-zone compute policies are Indexed: computes carry tags and
    // location, so they are evaluated.
    let vm =
        read("alz/Enterprise-Scale/policyDefinitions/Deny-MachineLearning-Compute-VmSize.json");
    let v = run(
        &vm,
        Escaping::Auto,
        &json!({}),
        &read("resources/cluster-compliant.json"),
    );
    assert!(v.applicable, "{v:?}");
}

#[test]
fn cli_says_not_applicable() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("policy-semantics");
    std::fs::create_dir_all(&dir).unwrap();
    let route = dir.join("route.json");
    let table = dir.join("route-table.json");
    let def = dir.join("deny-network.json");
    std::fs::write(
        &route,
        network("Microsoft.Network/routeTables/routes", "rt/r").to_string(),
    )
    .unwrap();
    std::fs::write(
        &table,
        network("Microsoft.Network/routeTables", "rt").to_string(),
    )
    .unwrap();
    std::fs::write(&def, deny_namespace(&json!("Indexed")).to_string()).unwrap();
    let (def, route, table) = (
        def.to_str().unwrap(),
        route.to_str().unwrap(),
        table.to_str().unwrap(),
    );
    let o = cli(&["policy", "eval", "--policy", def, route, table]);
    assert_eq!(
        stdout_of_success(&o),
        format!(
            "{route}: not applicable (Indexed mode: the resource type supports no tags and location)\n{table}: deny (matched)\n"
        )
    );
    let o = cli(&["policy", "eval", "--format", "json", "--policy", def, route]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        v,
        json!([{"resource": route, "applicable": false, "matched": false, "effect": "deny"}])
    );
}

/// The types a rule's `{"field": "type", "equals" | "in": ...}` conditions name.
fn targeted_types(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(o) => {
            let is_type = o.iter().any(|(k, f)| {
                k.eq_ignore_ascii_case("field")
                    && f.as_str().is_some_and(|f| f.eq_ignore_ascii_case("type"))
            });
            for (k, x) in o {
                if is_type && (k.eq_ignore_ascii_case("equals") || k.eq_ignore_ascii_case("in")) {
                    match x {
                        Value::String(t) => out.push(t.clone()),
                        Value::Array(ts) => {
                            out.extend(ts.iter().filter_map(Value::as_str).map(str::to_string));
                        }
                        _ => {}
                    }
                }
                targeted_types(x, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|x| targeted_types(x, out)),
        _ => {}
    }
}

fn json_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            json_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
}

#[test]
fn every_real_indexed_definition_targets_types_indexed_mode_evaluates() {
    // Microsoft's built-ins and the landing-zone definitions the tests use,
    // and amlgen's own definitions: where their authors chose Indexed, the
    // types they name carry tags and location, so the evaluator applies
    // them as Azure does.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    json_files(&root.join("tests/data/policies/builtin"), &mut files);
    json_files(&root.join("tests/data/policies/alz"), &mut files);
    json_files(&root.join("policies"), &mut files);
    let mut indexed = 0;
    for f in &files {
        let def: Value = serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
        let Ok(d) = Definition::from_json(&def, Escaping::Auto) else {
            continue; // an initiative, an assignment, or a data-plane definition
        };
        if d.mode() != amlgen::policy::Mode::Indexed {
            continue;
        }
        indexed += 1;
        let body = def
            .get("properties")
            .filter(|p| p.get("policyRule").is_some())
            .unwrap_or(&def);
        let mut types = Vec::new();
        targeted_types(&body["policyRule"]["if"], &mut types);
        assert!(!types.is_empty(), "{}", f.display());
        for t in types {
            assert_eq!(
                amlgen::policy::indexed::evaluates(&t),
                Ok(Some(true)),
                "{}: {t}",
                f.display()
            );
        }
    }
    assert!(indexed >= 15, "{indexed}");
}

// ---------------------------------------------------------------------------
// identity.userAssignedIdentities: a field Microsoft's built-ins read
// ---------------------------------------------------------------------------

#[test]
fn user_assigned_identities_is_a_field() {
    // As the built-in "Add user-assigned managed identity to enable Guest
    // Configuration assignments on virtual machines" reads it: a dictionary
    // keyed by identity resource ID.
    let uami = "/subscriptions/s1/resourceGroups/Built-In-Identity-RG/providers/Microsoft.ManagedIdentity/userAssignedIdentities/Built-In-Identity-westeurope";
    let def = json!({"mode": "All", "policyRule": {"if": {"allOf": [
        {"field": "type", "equals": "Microsoft.Compute/virtualMachines"},
        {"field": "identity.userAssignedIdentities", "notContainsKey": uami}
    ]}, "then": {"effect": "audit"}}});
    let mut vm = network("Microsoft.Compute/virtualMachines", "vm1");
    // No identity: the key is not there.
    assert!(run(&def, Escaping::Auto, &json!({}), &vm).matched);
    vm["identity"] = json!({"type": "UserAssigned", "userAssignedIdentities": {uami: {}}});
    assert!(!run(&def, Escaping::Auto, &json!({}), &vm).matched);
    // Field names ignore case, as every field's does.
    let upper = serde_json::to_string(&def).unwrap().replace(
        "identity.userAssignedIdentities",
        "Identity.UserAssignedIdentities",
    );
    let upper: Value = serde_json::from_str(&upper).unwrap();
    assert!(!run(&upper, Escaping::Auto, &json!({}), &vm).matched);
}
