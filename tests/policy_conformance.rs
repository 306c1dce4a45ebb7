//! Conformance of the offline policy evaluator with an Azure Policy test
//! suite written by others: the YAML cases of Microsoft's `regorus`
//! repository (MIT), vendored unchanged in `tests/data/policy-conformance/`
//! (source and commit in its `SOURCE.md`).
//!
//! Every case runs. A case either passes, or is listed in
//! `tests/data/policy-conformance/expected-differences.tsv` with the reason
//! amlgen differs: a construct it deliberately refuses (with the refusal
//! it gives), or a point where it follows Microsoft's documentation over
//! the suite (with the page). A listed case that passes is a failure too,
//! so the list stays true. The harness prints "N passed, M expected
//! differences".
//!
//! How a case maps onto amlgen:
//! - `policy_rule` is wrapped in a definition in mode `All` that declares
//!   each parameter the case assigns (its type from the value);
//!   `policy_definition` is read as it is.
//! - The suite's engine reads any property path: its cases address
//!   properties by raw path (`properties.x`, and `apiVersion`, which its
//!   host puts on the resource), and some resources have no `type`. Every
//!   case is read with `ReadOptions::raw_paths`. Files with an alias
//!   catalogue (`aliases: test_aliases.json`) are read with that catalogue
//!   instead of amlgen's table, so their aliases resolve as the suite
//!   means; a name shaped like an alias (`Namespace/type/...`) is never a
//!   raw path, so an alias neither table knows stays an error.
//! - `want_effect` is "the rule matched, resolved to this effect, and the
//!   effect applies" (`Verdict::applies`), `want_undefined` "the effect
//!   does not apply" (no match, a `disabled` effect, or an existence
//!   check a related resource satisfies), `want_parse_error` and
//!   `want_compile_error` "amlgen refuses the definition".
//! - `want_details` names members of the matched rule's resolved
//!   `then.details` (`Verdict::details`); each must agree.
//! - `host_await` holds the suite's host lookups of an existence check:
//!   their responses are the related resources given to
//!   `Definition::evaluate_related` (a `null` response: none found), and
//!   the effect is expected only when it applies (`Verdict::applies`).
//! - `azure_policy_builtins` cases call one template function on values;
//!   `want_undefined`/`want_error` expect an error, `want_null` a null.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use amlgen::policy::aliases::AliasTable;
use amlgen::policy::{Context, Definition, Escaping, ReadOptions};
use serde_json::{Map, Value, json};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/policy-conformance")
}

/// One case's outcome: `Ok` when amlgen agrees with the suite.
struct Outcome {
    /// `<file stem>/<note>`, the key of the expectations file.
    key: String,
    result: Result<(), String>,
}

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    out.sort();
    out
}

fn read_yaml(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    yaml_serde::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn stem(path: &Path) -> String {
    path.file_stem().unwrap().to_string_lossy().into_owned()
}

// ------------------------------------------------------------- alias catalogues

/// A catalogue in the suite's format (namespaces, resource types, aliases
/// with a `defaultPath`) as an amlgen alias table, made once per process.
fn catalogue(name: &str) -> &'static AliasTable {
    use std::sync::{LazyLock, Mutex};
    static TABLES: LazyLock<Mutex<BTreeMap<String, &'static AliasTable>>> =
        LazyLock::new(|| Mutex::new(BTreeMap::new()));
    let mut tables = TABLES.lock().unwrap();
    if let Some(t) = tables.get(name) {
        return t;
    }
    let json: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("azure_policy/aliases").join(name)).unwrap(),
    )
    .unwrap();
    let mut tsv = String::from(
        "alias\tresource_type\tarm_path\tused_in_files\tstatus\tnotes\tattributes\tapi_version_paths\n",
    );
    let mut seen = BTreeSet::new();
    for ns in json.as_array().unwrap() {
        let namespace = ns["namespace"].as_str().unwrap();
        for rt in ns["resourceTypes"].as_array().unwrap() {
            let listed = format!("{namespace}/{}", rt["resourceType"].as_str().unwrap());
            for a in rt["aliases"].as_array().into_iter().flatten() {
                let (Some(alias), Some(path)) = (a["name"].as_str(), a["defaultPath"].as_str())
                else {
                    continue;
                };
                let ty = alias_type(alias, &listed);
                // The alias path's attributes (`Modifiable`, `None`), when
                // the catalogue gives them, in the seventh column; the
                // paths of particular API versions in the eighth
                // (`path@version,version;...`).
                let attributes = a["defaultMetadata"]["attributes"].as_str().unwrap_or("");
                let versions: Vec<String> = a["paths"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|p| {
                        let vs: Vec<&str> = p["apiVersions"]
                            .as_array()?
                            .iter()
                            .filter_map(Value::as_str)
                            .collect();
                        Some(format!("{}@{}", p["path"].as_str()?, vs.join(",")))
                    })
                    .collect();
                // One row per alias and type: a name may belong to several
                // types, each with its own path.
                if seen.insert((alias.to_ascii_lowercase(), ty.to_ascii_lowercase())) {
                    let _ = writeln!(
                        tsv,
                        "{alias}\t{ty}\t{path}\t\tCONFIRMED(suite)\t{name}\t{attributes}\t{}",
                        versions.join(";")
                    );
                }
            }
        }
    }
    let table: &'static AliasTable = Box::leak(Box::new(
        AliasTable::parse(&tsv).unwrap_or_else(|e| panic!("{name}: {e}")),
    ));
    tables.insert(name.to_string(), table);
    table
}

/// The resource type an alias of the suite's catalogue belongs to. An
/// alias is named `<resource type>/<property path>`, and a property path
/// holds no `/`: `Microsoft.Network/networkSecurityGroups/securityRules/access`
/// belongs to the child type `.../securityRules` although the catalogue
/// lists it with the aliases of `networkSecurityGroups` (Azure's own
/// catalogue lists it under the child type; "Azure Policy definition
/// structure aliases"). The listed type is kept where the name does not
/// extend it.
fn alias_type(alias: &str, listed: &str) -> String {
    match alias.rsplit_once('/') {
        Some((ty, _))
            if ty
                .get(..=listed.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(&format!("{listed}/"))) =>
        {
            ty.to_string()
        }
        _ => listed.to_string(),
    }
}

// ------------------------------------------------------------- policy cases

/// The parameter type Azure Policy would declare for a value.
fn param_type(v: &Value) -> &'static str {
    match v {
        Value::Bool(_) => "Boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "Integer",
        Value::Number(_) => "Float",
        Value::Array(_) => "Array",
        Value::Object(_) => "Object",
        Value::String(_) | Value::Null => "String",
    }
}

/// The definition a case evaluates, or `Err` with the reason it cannot be
/// read as JSON.
fn definition_json(file: &Value, case: &Value) -> Result<Value, String> {
    let text = |v: &Value| v.as_str().map(str::to_string);
    if let Some(def) = text(&case["policy_definition"]).or_else(|| {
        text(&case["policy_rule"])
            .is_none()
            .then(|| text(&file["policy_definition"]))
            .flatten()
    }) {
        return serde_json::from_str(&def).map_err(|e| format!("definition JSON: {e}"));
    }
    let rule = text(&case["policy_rule"])
        .or_else(|| text(&file["policy_rule"]))
        .ok_or("the case has no policy_rule or policy_definition")?;
    let rule: Value = serde_json::from_str(&rule).map_err(|e| format!("rule JSON: {e}"))?;
    let declared: Map<String, Value> = case["parameters"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), json!({ "type": param_type(v) })))
        .collect();
    Ok(json!({ "properties": { "mode": "All", "parameters": declared, "policyRule": rule } }))
}

/// The case's context, or the suite's default one (resource group
/// `myResourceGroup` in `eastus`, subscription `00000000-...`): the
/// resource group's name, location and tags, the subscription id; the
/// request's API version from `context.requestContext`, else
/// `request_context`, else `api_version`.
fn context_of(case: &Value) -> Context {
    let s = |v: &Value| v.as_str().map(str::to_string);
    let ctx = if case["context"].is_null() {
        json!({
            "resourceGroup": { "name": "myResourceGroup", "location": "eastus" },
            "subscription": { "subscriptionId": "00000000-0000-0000-0000-000000000000" },
        })
    } else {
        case["context"].clone()
    };
    Context {
        subscription_id: s(&ctx["subscription"]["subscriptionId"]),
        resource_group: s(&ctx["resourceGroup"]["name"]),
        resource_group_location: s(&ctx["resourceGroup"]["location"]),
        resource_group_tags: ctx["resourceGroup"]["tags"].as_object().cloned(),
        api_version: s(&ctx["requestContext"]["apiVersion"])
            .or_else(|| s(&case["request_context"]["apiVersion"]))
            .or_else(|| s(&case["api_version"]))
            .or_else(|| latest_api_version(case["resource"]["type"].as_str()?)),
    }
}

/// The API version of a compliance scan of an existing resource. A case
/// that names no request and no API version is such a scan, and "the
/// latest API version is always used during compliance evaluation on
/// existing resources" ("Azure Policy definition structure policy rule",
/// requestContext). The latest stable version of each namespace whose
/// cases read `requestContext().apiVersion` without giving one, from
/// Microsoft's ARM schemas (Azure/azure-resource-manager-schemas, commit
/// a1454431: `schemas/<version>/<namespace>.json`, the newest version
/// without `-preview`). For any other namespace amlgen refuses, as it does
/// when the version is known nowhere.
fn latest_api_version(resource_type: &str) -> Option<String> {
    const LATEST_STABLE: &[(&str, &str)] = &[("Microsoft.DocumentDB", "2026-03-15")];
    let namespace = resource_type.split('/').next()?;
    LATEST_STABLE
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(namespace))
        .map(|(_, v)| (*v).to_string())
}

/// The resource as the suite's host hands it over: the case's
/// `api_version` is the resource's `apiVersion`.
fn resource_of(case: &Value) -> Value {
    let mut resource = if case["resource"].is_null() {
        json!({})
    } else {
        case["resource"].clone()
    };
    if let (Some(v), Value::Object(o)) = (case["api_version"].as_str(), &mut resource) {
        o.insert("apiVersion".into(), json!(v));
    }
    resource
}

/// The related resources the suite's host hands an existence check
/// (`host_await`: one lookup's `response` each, `null` when it found
/// none), or `None` when the case has no existence check.
fn related_of(case: &Value) -> Option<Vec<Value>> {
    let awaits = case["host_await"].as_array()?;
    Some(
        awaits
            .iter()
            .flat_map(|a| match &a["response"] {
                Value::Null => Vec::new(),
                Value::Array(found) => found.clone(),
                found => vec![found.clone()],
            })
            .collect(),
    )
}

/// `want_details`: the suite names some members of `then.details` (it
/// leaves out, e.g., modify's `conflictEffect` and the existence check's
/// `existenceCondition` and `deployment`); each member it names must be
/// amlgen's resolved value. An array of details (append) is compared
/// whole.
fn check_details(got: Option<&Value>, want: &Value) -> Result<(), String> {
    let Some(got) = got else {
        return Err(format!("no details, the suite expects {want}"));
    };
    let agrees = match (got, want) {
        (Value::Object(g), Value::Object(w)) => {
            w.iter().all(|(k, v)| g.get(k).is_some_and(|x| same(x, v)))
        }
        _ => same(got, want),
    };
    if agrees {
        Ok(())
    } else {
        Err(format!("details {got}, the suite expects {want}"))
    }
}

fn run_policy_case(file: &Value, case: &Value) -> Result<(), String> {
    let want_refusal =
        case["want_parse_error"] == json!(true) || case["want_compile_error"] == json!(true);
    let def = match definition_json(file, case) {
        Ok(d) => d,
        Err(_) if want_refusal => return Ok(()),
        Err(e) => return Err(e),
    };
    let options = ReadOptions {
        raw_paths: true,
        aliases: file["aliases"].as_str().map(catalogue),
    };
    let read = Definition::from_json_with(&def, Escaping::Auto, options);
    let def = match (read, want_refusal) {
        (Err(_), true) => return Ok(()),
        (Ok(_), true) => {
            return Err("the suite expects the definition refused; amlgen reads it".into());
        }
        (Err(e), false) => return Err(format!("refused: {}: {}", e.at, e.message)),
        (Ok(d), false) => d,
    };
    let parameters = case["parameters"].as_object().cloned().unwrap_or_default();
    let resource = resource_of(case);
    let context = context_of(case);
    let verdict = match related_of(case) {
        None => def.evaluate(&parameters, &resource, &context),
        Some(related) => def.evaluate_related(&parameters, &resource, &context, &related),
    }
    .map_err(|e| format!("evaluation error: {}: {}", e.at, e.message))?;
    if !case["want_details"].is_null() {
        check_details(verdict.details.as_ref(), &case["want_details"])?;
    }
    if case["want_undefined"] == json!(true) {
        return if verdict.applies() {
            Err(format!(
                "matched ({}), the suite expects no match",
                verdict.effect
            ))
        } else {
            Ok(())
        };
    }
    // No expectation: the suite asks only that the case evaluates.
    let Some(want) = case["want_effect"].as_str() else {
        return Ok(());
    };
    match (verdict.applies(), verdict.effect.eq_ignore_ascii_case(want)) {
        (true, true) => Ok(()),
        (true, false) => Err(format!(
            "effect {}, the suite expects {want}",
            verdict.effect
        )),
        (false, _) => Err(format!("no match, the suite expects {want}")),
    }
}

fn policy_outcomes() -> Vec<Outcome> {
    let mut out = Vec::new();
    for path in yaml_files(&root().join("azure_policy/cases")) {
        let file = read_yaml(&path);
        for case in file["cases"].as_array().unwrap() {
            let note = case["note"].as_str().unwrap();
            out.push(Outcome {
                key: format!("azure_policy/{}/{note}", stem(&path)),
                result: run_policy_case(&file, case),
            });
        }
    }
    out
}

// ------------------------------------------------------------- builtin cases

/// The template function a suite builtin stands for: `fn.add_days` is
/// `addDays`; the suite's helpers for `and`, `or`, `div` and `mod` keep
/// their own names.
fn function_of(builtin: &str) -> String {
    let name = builtin
        .trim_start_matches("azure.policy.fn.")
        .trim_start_matches("azure.policy.");
    match name {
        "logic_all" => return "and".into(),
        "logic_any" => return "or".into(),
        "int_div" => return "div".into(),
        "int_mod" => return "mod".into(),
        _ => {}
    }
    let mut out = String::new();
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Numbers compare by value (`42` and `42.0` are one number).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// What a builtin gives for its arguments. `getParameter(assigned,
/// defaults, name)` and `resolveField(resource, path)` are the suite's
/// helpers behind `parameters()` and `field()`: they run as those, in a
/// definition that declares the defaults, and with raw paths.
fn call(function: &str, args: &[Value]) -> Result<Value, String> {
    let value = |def: Value, assigned: &Value, resource: &Value, expr: String| {
        let options = ReadOptions {
            raw_paths: true,
            aliases: None,
        };
        let def =
            Definition::from_json_with(&def, Escaping::Auto, options).map_err(|e| e.message)?;
        let assigned = assigned.as_object().cloned().unwrap_or_default();
        def.evaluate_value(&assigned, resource, &Context::default(), &json!(expr))
            .map_err(|e| e.message)
    };
    let rule = json!({ "if": { "field": "type", "exists": true }, "then": { "effect": "audit" } });
    match function {
        "getParameter" => {
            let (assigned, defaults, name) = (&args[0], &args[1], args[2].as_str().unwrap_or(""));
            let mut declared = Map::new();
            for (k, v) in assigned.as_object().into_iter().flatten() {
                declared.insert(k.clone(), json!({ "type": param_type(v) }));
            }
            for (k, v) in defaults.as_object().into_iter().flatten() {
                declared.insert(
                    k.clone(),
                    json!({ "type": param_type(v), "defaultValue": v }),
                );
            }
            let def = json!({ "properties": { "mode": "All", "parameters": declared, "policyRule": rule } });
            value(def, assigned, &json!({}), format!("[parameters('{name}')]"))
        }
        "resolveField" => {
            let def = json!({ "properties": { "mode": "All", "policyRule": rule } });
            let path = args[1].as_str().unwrap_or("");
            value(def, &json!({}), &args[0], format!("[field('{path}')]"))
        }
        _ => {
            // A function amlgen does not know fails the case whatever it
            // expects: an unknown function is no "undefined".
            amlgen::policy::functions::spec(function)?;
            amlgen::policy::functions::call_values(function, args)
        }
    }
}

fn run_builtin_case(function: &str, case: &Value) -> Result<(), String> {
    let args: Vec<Value> = case["args"].as_array().cloned().unwrap_or_default();
    if !matches!(function, "getParameter" | "resolveField") {
        amlgen::policy::functions::spec(function).map_err(|e| format!("`{function}()`: {e}"))?;
    }
    let got = call(function, &args);
    // `want_error` is `true` or the message the suite's engine gives.
    let wants_error = case["want_undefined"] == json!(true)
        || case["want_error"] == json!(true)
        || case["want_error"].is_string();
    match got {
        Err(_) if wants_error => Ok(()),
        Err(e) => Err(format!("`{function}()`: {e}")),
        Ok(v) if wants_error => Err(format!(
            "`{function}()` gave {v}, the suite expects an error"
        )),
        Ok(v) if case["want_null"] == json!(true) => {
            if v.is_null() {
                Ok(())
            } else {
                Err(format!("`{function}()` gave {v}, the suite expects null"))
            }
        }
        Ok(v) if same(&v, &case["want"]) => Ok(()),
        Ok(v) => Err(format!(
            "`{function}()` gave {v}, the suite expects {}",
            case["want"]
        )),
    }
}

fn builtin_outcomes() -> Vec<Outcome> {
    let mut out = Vec::new();
    for path in yaml_files(&root().join("azure_policy_builtins/cases")) {
        let file = read_yaml(&path);
        let function = function_of(file["builtin"].as_str().unwrap());
        for case in file["cases"].as_array().unwrap() {
            let note = case["note"].as_str().unwrap();
            out.push(Outcome {
                key: format!("azure_policy_builtins/{}/{note}", stem(&path)),
                result: run_builtin_case(&function, case),
            });
        }
    }
    out
}

// ------------------------------------------------------------- expectations

/// `tests/data/policy-conformance/expected-differences.tsv`: key, kind
/// (`refused` or `docs`), reason.
fn expectations() -> BTreeMap<String, (String, String)> {
    let text = std::fs::read_to_string(root().join("expected-differences.tsv")).unwrap_or_default();
    let mut out = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        if n == 0 || line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.splitn(3, '\t').collect();
        assert_eq!(
            cols.len(),
            3,
            "expected-differences.tsv line {}: key, kind, reason",
            n + 1
        );
        assert!(
            matches!(cols[1], "refused" | "docs"),
            "expected-differences.tsv line {}: kind is `refused` or `docs`, got `{}`",
            n + 1,
            cols[1]
        );
        assert!(
            !cols[2].trim().is_empty(),
            "expected-differences.tsv line {}: a difference needs its reason",
            n + 1
        );
        let dup = out.insert(
            cols[0].to_string(),
            (cols[1].to_string(), cols[2].to_string()),
        );
        assert!(
            dup.is_none(),
            "expected-differences.tsv lists {} twice",
            cols[0]
        );
    }
    out
}

#[test]
fn the_suite_agrees_or_each_difference_is_explained() {
    let mut outcomes = policy_outcomes();
    outcomes.extend(builtin_outcomes());
    let expected = expectations();
    let keys: BTreeSet<&str> = outcomes.iter().map(|o| o.key.as_str()).collect();
    assert_eq!(
        keys.len(),
        outcomes.len(),
        "two cases share a file and note"
    );
    let mut passed = 0;
    let mut differences = 0;
    let mut problems = Vec::new();
    for o in &outcomes {
        match (&o.result, expected.get(&o.key)) {
            (Ok(()), None) => passed += 1,
            (Ok(()), Some(_)) => problems.push(format!(
                "{}: passes now; remove it from expected-differences.tsv",
                o.key
            )),
            (Err(_), Some(_)) => differences += 1,
            (Err(e), None) => problems.push(format!("{}: {e}", o.key)),
        }
    }
    for k in expected.keys() {
        if !keys.contains(k.as_str()) {
            problems.push(format!(
                "{k}: listed in expected-differences.tsv but no such case"
            ));
        }
    }
    println!("{passed} passed, {differences} expected differences");
    assert!(
        problems.is_empty(),
        "{} case(s) disagree with the suite and are not explained:\n{}",
        problems.len(),
        problems.join("\n")
    );
    let total = outcomes.len();
    assert!(
        passed * 100 >= total * 95,
        "{passed} of {total} cases pass: under 95%"
    );
}

#[test]
fn a_catalogue_alias_belongs_to_the_type_its_name_extends() {
    let nsg = "Microsoft.Network/networkSecurityGroups";
    assert_eq!(
        alias_type(
            "Microsoft.Network/networkSecurityGroups/securityRules/access",
            nsg
        ),
        "Microsoft.Network/networkSecurityGroups/securityRules"
    );
    assert_eq!(
        alias_type(
            "Microsoft.Network/networkSecurityGroups/securityRules[*].access",
            nsg
        ),
        nsg
    );
    // Names that do not extend the listed type keep it.
    assert_eq!(
        alias_type(
            "Microsoft.Keyvault/vaults/tenantId",
            "Microsoft.KeyVault/vaults"
        ),
        "Microsoft.KeyVault/vaults"
    );
    assert_eq!(
        alias_type("Microsoft.Other/things/x", "Microsoft.KeyVault/vaults"),
        "Microsoft.KeyVault/vaults"
    );
}
