//! `ReadOptions`, the evaluator's test aids: raw paths (a `field` that is
//! no built-in field and no alias reads that path of the resource JSON)
//! and another alias table. By default both are off, and an unknown field
//! stays an error, in the library and on the command line.

use std::path::PathBuf;
use std::process::Command;

use amlgen::policy::aliases::AliasTable;
use amlgen::policy::{Context, Definition, Escaping, ReadOptions};
use serde_json::{Map, Value, json};

fn def(cond: &Value) -> Value {
    json!({ "properties": { "mode": "All", "policyRule": { "if": cond, "then": { "effect": "audit" } } } })
}

fn raw() -> ReadOptions {
    ReadOptions {
        raw_paths: true,
        aliases: None,
    }
}

fn matched(d: &Definition, resource: &Value) -> bool {
    d.evaluate(&Map::new(), resource, &Context::default())
        .unwrap()
        .matched
}

#[test]
fn a_raw_path_is_an_error_unless_asked_for() {
    let cond = json!({ "field": "properties.count", "equals": 5 });
    let e = Definition::from_json(&def(&cond), Escaping::Auto).unwrap_err();
    assert!(
        e.message.contains("unknown field `properties.count`"),
        "{}",
        e.message
    );

    let d = Definition::from_json_with(&def(&cond), Escaping::Auto, raw()).unwrap();
    let r = |n: i64| json!({ "type": "Test.Provider/things", "properties": { "count": n } });
    assert!(matched(&d, &r(5)));
    assert!(!matched(&d, &r(4)));
    // Raw paths read any type, and a resource may lack one.
    assert!(matched(&d, &json!({ "properties": { "count": 5 } })));
    // Without the option a resource without `type` is still an error.
    let strict = Definition::from_json(
        &def(&json!({ "field": "name", "equals": "x" })),
        Escaping::Auto,
    )
    .unwrap();
    assert!(
        strict
            .evaluate(&Map::new(), &json!({ "name": "x" }), &Context::default())
            .is_err()
    );
}

#[test]
fn raw_paths_read_arrays_and_leave_aliases_to_the_table() {
    let cond = json!({ "count": { "field": "properties.rules[*]", "where": { "field": "properties.rules[*].port", "equals": 22 } }, "greater": 0 });
    let d = Definition::from_json_with(&def(&cond), Escaping::Auto, raw()).unwrap();
    assert!(matched(
        &d,
        &json!({ "properties": { "rules": [ { "port": 80 }, { "port": 22 } ] } })
    ));
    assert!(!matched(
        &d,
        &json!({ "properties": { "rules": [ { "port": 80 } ] } })
    ));

    // An alias of the table keeps its own type and path under raw paths.
    let alias = "Microsoft.MachineLearningServices/workspaces/publicNetworkAccess";
    let d = Definition::from_json_with(
        &def(&json!({ "field": alias, "equals": "Enabled" })),
        Escaping::Auto,
        raw(),
    )
    .unwrap();
    let ws = json!({ "type": "Microsoft.MachineLearningServices/workspaces", "properties": { "publicNetworkAccess": "Enabled" } });
    assert!(matched(&d, &ws));
    let other = json!({ "type": "Microsoft.Storage/storageAccounts", "properties": { "publicNetworkAccess": "Enabled" } });
    assert!(!matched(&d, &other));
}

#[test]
fn another_alias_table_replaces_the_vendored_one() {
    let tsv = "alias\tresource_type\tarm_path\tused_in_files\tstatus\tnotes\n\
               Test.Provider/things/size\tTest.Provider/things\tproperties.hardware.size\t\tCONFIRMED(test)\t\n";
    let table: &'static AliasTable = Box::leak(Box::new(AliasTable::parse(tsv).unwrap()));
    let options = ReadOptions {
        raw_paths: false,
        aliases: Some(table),
    };
    let cond = json!({ "field": "Test.Provider/things/size", "equals": "L" });
    assert!(Definition::from_json(&def(&cond), Escaping::Auto).is_err());
    let d = Definition::from_json_with(&def(&cond), Escaping::Auto, options).unwrap();
    let r =
        json!({ "type": "Test.Provider/things", "properties": { "hardware": { "size": "L" } } });
    assert!(matched(&d, &r));
    // `field()` inside an expression reads through the same table.
    let v = d
        .evaluate_value(
            &Map::new(),
            &r,
            &Context::default(),
            &json!("[field('Test.Provider/things/size')]"),
        )
        .unwrap();
    assert_eq!(v, json!("L"));
}

fn scratch(name: &str, text: &str) -> PathBuf {
    let p = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn cli_reads_raw_paths_only_with_the_flag() {
    let policy = scratch(
        "raw-paths-policy.json",
        &def(&json!({ "field": "properties.count", "equals": 5 })).to_string(),
    );
    let resource = scratch(
        "raw-paths-resource.json",
        &json!({ "type": "Test.Provider/things", "properties": { "count": 5 } }).to_string(),
    );
    let run = |extra: &[&str]| {
        let mut args = vec!["policy", "eval", "--policy", policy.to_str().unwrap()];
        args.extend_from_slice(extra);
        args.push(resource.to_str().unwrap());
        Command::new(env!("CARGO_BIN_EXE_amlgen"))
            .args(&args)
            .output()
            .unwrap()
    };
    let strict = run(&[]);
    assert_eq!(strict.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&strict.stderr).contains("unknown field `properties.count`"));
    let lenient = run(&["--raw-paths"]);
    assert_eq!(
        lenient.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&lenient.stderr)
    );
    assert!(String::from_utf8_lossy(&lenient.stdout).ends_with(": audit (matched)\n"));
}
