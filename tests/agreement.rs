//! The Bicep and the ARM JSON of each built workspace describe the same
//! deployment: the same resources (Bicep's `existing` declarations aside),
//! with the same types, API versions and full names, and one nested
//! deployment per Bicep module. The Bicep side is read with the tree-sitter
//! Bicep grammar, not with amlgen's own code.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use amlgen::emit::escape::{unarm_literal, unbicep_string};
use serde_json::Value;
use tree_sitter::Node;

type Row = (String, String, String);

fn parse(text: &str) -> tree_sitter::Tree {
    let mut p = tree_sitter::Parser::new();
    p.set_language(&tree_sitter_bicep::LANGUAGE.into())
        .expect("the Bicep grammar loads");
    p.parse(text, None).expect("tree-sitter parses")
}

fn children(n: Node<'_>) -> Vec<Node<'_>> {
    let mut c = n.walk();
    n.named_children(&mut c).collect()
}

fn text<'a>(n: Node, src: &'a str) -> &'a str {
    &src[n.byte_range()]
}

/// `(type, apiVersion, full name)` of every resource a Bicep file declares.
fn bicep_resources(src: &str) -> Vec<Row> {
    let tree = parse(src);
    let mut by_symbol: std::collections::BTreeMap<String, (String, Option<String>)> =
        std::collections::BTreeMap::new();
    let mut rows = Vec::new();
    for decl in children(tree.root_node()) {
        if decl.kind() != "resource_declaration" {
            continue;
        }
        let parts = children(decl);
        let symbol = text(parts[0], src).to_string();
        let ty = unbicep_string(text(parts[1], src)).expect("a type string");
        let (arm_type, api) = ty.split_once('@').expect("type@apiVersion");
        let body = parts.iter().find(|p| p.kind() == "object").expect("a body");
        let mut name = None;
        let mut parent = None;
        for prop in children(*body) {
            let kv = children(prop);
            match text(kv[0], src) {
                "name" => {
                    let v = text(kv[1], src);
                    name = unbicep_string(v).or_else(|| Some(canonical_expr(v, false)));
                }
                "parent" => parent = Some(text(kv[1], src).to_string()),
                _ => {}
            }
        }
        let name = name.expect("a name");
        let full = match &parent {
            Some(p) => format!("{}/{name}", by_symbol[p].0),
            None => name,
        };
        by_symbol.insert(symbol, (full.clone(), parent));
        // An `existing` declaration only names a resource; ARM has none.
        let existing = src[parts[1].end_byte()..body.start_byte()].contains("existing");
        if !existing {
            rows.push((arm_type.to_string(), api.to_string(), full));
        }
    }
    rows
}

/// Module paths of an entry file.
fn bicep_modules(src: &str) -> Vec<String> {
    let tree = parse(src);
    children(tree.root_node())
        .into_iter()
        .filter(|d| d.kind() == "module_declaration")
        .map(|d| unbicep_string(text(children(d)[1], src)).expect("a module path"))
        .collect()
}

/// An ARM name: a literal, or an expression in canonical form.
fn arm_name(name: &str) -> String {
    if name.starts_with('[') && !name.starts_with("[[") && name.ends_with(']') {
        canonical_expr(&name[1..name.len() - 1], true)
    } else {
        unarm_literal(name).to_string()
    }
}

/// An expression as a canonical token string, read from ARM (`''` in
/// strings, `parameters('x')`) or Bicep (`\'` in strings, bare `x`): no
/// spaces, strings re-quoted, parameter references bare. Written here, not
/// taken from amlgen, so the two printers are compared independently.
fn canonical_expr(text: &str, arm: bool) -> String {
    let b = text.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b' ' | b'\n' => i += 1,
            b'\'' => {
                let mut lit = String::new();
                i += 1;
                while i < b.len() {
                    if arm && b[i] == b'\'' && b.get(i + 1) == Some(&b'\'') {
                        lit.push('\'');
                        i += 2;
                    } else if !arm && b[i] == b'\\' && i + 1 < b.len() {
                        lit.push(b[i + 1] as char);
                        i += 2;
                    } else if b[i] == b'\'' {
                        i += 1;
                        break;
                    } else {
                        lit.push(b[i] as char);
                        i += 1;
                    }
                }
                let _ = write!(out, "{lit:?}");
            }
            c => {
                out.push(c as char);
                i += 1;
            }
        }
    }
    if arm {
        // `parameters("x")` is Bicep's bare `x`.
        while let Some(at) = out.find("parameters(\"") {
            let rest = &out[at + 12..];
            let Some(end) = rest.find("\")") else { break };
            let param = rest[..end].to_string();
            out.replace_range(at..at + 12 + end + 2, &param);
        }
    }
    out
}

fn arm_resources(template: &Value, rows: &mut Vec<Row>, deployments: &mut usize) {
    for r in template["resources"].as_array().into_iter().flatten() {
        let ty = r["type"].as_str().unwrap_or_default();
        if ty == "Microsoft.Resources/deployments" {
            *deployments += 1;
            arm_resources(&r["properties"]["template"], rows, deployments);
        } else {
            rows.push((
                ty.to_string(),
                r["apiVersion"].as_str().unwrap_or_default().to_string(),
                arm_name(r["name"].as_str().unwrap_or_default()),
            ));
        }
    }
}

#[test]
fn bicep_and_arm_describe_the_same_resources() {
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("out/workspaces");
    let mut workspaces = 0;
    for entry in std::fs::read_dir(&out).expect("out/ exists") {
        let dir = entry.unwrap().path();
        if !dir.join("main.bicep").exists() {
            continue;
        }
        workspaces += 1;
        let main = std::fs::read_to_string(dir.join("main.bicep")).unwrap();
        let modules = bicep_modules(&main);
        let mut bicep: Vec<Row> = Vec::new();
        for m in &modules {
            let src = std::fs::read_to_string(dir.join(m)).unwrap();
            bicep.extend(bicep_resources(&src));
        }
        let arm: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("azuredeploy.json")).unwrap())
                .unwrap();
        let mut rows = Vec::new();
        let mut deployments = 0;
        arm_resources(&arm, &mut rows, &mut deployments);
        assert_eq!(
            deployments,
            modules.len(),
            "{}: modules vs nested deployments",
            dir.display()
        );
        // A resource may be deployed twice, in two modules (the selected-IP
        // workspace's second phase): compare with multiplicity too.
        let mut sorted_b = bicep.clone();
        let mut sorted_a = rows.clone();
        sorted_b.sort();
        sorted_a.sort();
        assert_eq!(
            sorted_b,
            sorted_a,
            "{}: resource counts differ",
            dir.display()
        );
        let b: BTreeSet<Row> = bicep.iter().cloned().collect();
        let a: BTreeSet<Row> = rows.iter().cloned().collect();
        assert_eq!(
            b,
            a,
            "{}: Bicep and ARM differ\nonly in Bicep: {:#?}\nonly in ARM: {:#?}",
            dir.display(),
            b.difference(&a).collect::<Vec<_>>(),
            a.difference(&b).collect::<Vec<_>>()
        );
        assert!(!b.is_empty());
    }
    assert!(
        workspaces >= 9,
        "found {workspaces} built workspaces under out/"
    );
}
