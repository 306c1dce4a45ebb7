//! The TextMate grammar of `editors/vscode`: it names every word the
//! lowering accepts (so it cannot fall behind the language), and the engine
//! VS Code uses (`vscode-textmate` on `vscode-oniguruma`, run by
//! `tests/editor/tokenize.js`) scopes every token of every example and of a
//! few ui cases. Each file's tokens and scopes are snapshotted.
//!
//! Node and the npm registry are required: without them the test fails,
//! it does not skip.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

const GRAMMAR: &str = "editors/vscode/syntaxes/aml.tmLanguage.json";

/// Snake-case string literals of the lowering that are not words of the
/// language: labels and context words of diagnostics, and misspellings the
/// lowering recognises only to suggest the right word.
const NOT_WORDS: &[&str] = &[
    "ation",
    "endpoint",
    "loc",
    "lock",
    "managed_network",
    "provision_network_now",
    "public_access",
    "scenario",
    "unexpected",
];

/// A few ui cases: broken strings, escapes, interpolations and words.
const UI_CASES: &[&str] = &[
    "tests/ui/syntax/dash-in-keyword.aml",
    "tests/ui/syntax/invalid-escape.aml",
    "tests/ui/syntax/invalid-interpolation.aml",
    "tests/ui/syntax/invalid-unicode-escape.aml",
];

/// The scope the grammar gives a word it does not know (a `let`'s name).
const CATCH_ALL: &str = "variable.other.aml";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn is_word(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The snake-case string literals of a Rust source, outside comments and
/// before its tests.
fn literals(source: &str) -> Vec<String> {
    let code = source.split("#[cfg(test)]").next().unwrap_or_default();
    let mut out = Vec::new();
    for line in code.lines() {
        let line = match line.find("//") {
            Some(i) if !line[..i].contains('"') => &line[..i],
            _ => line,
        };
        let mut rest = line;
        while let Some(start) = rest.find('"') {
            let after = &rest[start + 1..];
            let Some(end) = after.find('"') else { break };
            let lit = &after[..end];
            if is_word(lit) {
                out.push(lit.to_string());
            }
            rest = &after[end + 1..];
        }
    }
    out
}

fn rust_files(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    files
}

/// Every word the lowering reads: the settings and blocks of each body,
/// statement heads and keyword values (the literals of `ir/lower/`), and
/// the keyword tables of the IR (`ALL`, `NAMED`, `KEYWORDS`: profiles,
/// modes, rule kinds, presets, effects, controls, principal kinds, ...).
fn language_words() -> BTreeSet<String> {
    let mut words = BTreeSet::new();
    for file in rust_files("compiler/src/ir/lower") {
        words.extend(literals(&std::fs::read_to_string(file).unwrap()));
    }
    for file in rust_files("compiler/src/ir") {
        let text = std::fs::read_to_string(file).unwrap();
        for table in ["const ALL:", "const NAMED:", "const KEYWORDS:"] {
            for (i, _) in text.match_indices(table) {
                let body = &text[i..];
                let body = &body[..body.find("];").unwrap_or(body.len())];
                words.extend(literals(body));
            }
        }
    }
    for w in NOT_WORDS {
        assert!(
            words.remove(*w),
            "`{w}` is no longer a literal of the lowering: drop it from NOT_WORDS"
        );
    }
    words
}

/// The settings and the blocks (or statements) each `.block(entries,
/// context, &[settings], &[blocks])` call of the lowering accepts.
fn block_calls() -> (BTreeSet<String>, BTreeSet<String>) {
    let (mut settings, mut blocks) = (BTreeSet::new(), BTreeSet::new());
    for file in rust_files("compiler/src/ir/lower") {
        let text = std::fs::read_to_string(file).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for (i, _) in code.match_indices(".block(") {
            let args = &code[i + ".block(".len()..];
            let mut depth = 1;
            let end = args
                .char_indices()
                .find(|&(_, c)| {
                    depth += match c {
                        '(' => 1,
                        ')' => -1,
                        _ => 0,
                    };
                    depth == 0
                })
                .map_or(args.len(), |(j, _)| j);
            let lists: Vec<&str> = args[..end].split("&[").skip(1).collect();
            if let Some(first) = lists.first() {
                settings.extend(literals(&first[..first.find(']').unwrap_or(0)]));
            }
            if let Some(second) = lists.get(1) {
                blocks.extend(literals(&second[..second.find(']').unwrap_or(0)]));
            }
        }
    }
    // Most blocks name their words in one table the language server
    // reads too (`ir::lower::words`); the rest are written in the call.
    for (_, w) in amlgen::ir::lower::words::BY_NAME {
        settings.extend(w.settings.iter().map(|s| (*s).to_string()));
        // `let` has a rule of its own (`#let`: the keyword and the name).
        blocks.extend(
            w.blocks
                .iter()
                .filter(|b| **b != "let")
                .map(|s| (*s).to_string()),
        );
    }
    (settings, blocks)
}

/// The words named in the regular expressions of the grammar, or of the
/// part of it at `pointer` (a JSON pointer).
fn grammar_words(pointer: &str) -> BTreeSet<String> {
    fn walk(v: &serde_json::Value, out: &mut BTreeSet<String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, v) in m {
                    if let ("match" | "begin", serde_json::Value::String(re)) = (k.as_str(), v) {
                        out.extend(
                            re.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                                .filter(|w| is_word(w))
                                .map(str::to_string),
                        );
                    } else {
                        walk(v, out);
                    }
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let text = std::fs::read_to_string(root().join(GRAMMAR)).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let part = json
        .pointer(pointer)
        .unwrap_or_else(|| panic!("{GRAMMAR} has no {pointer}"));
    let mut out = BTreeSet::new();
    walk(part, &mut out);
    out
}

#[test]
fn grammar_names_every_word_the_lowering_accepts() {
    let words = language_words();
    assert!(
        words.len() > 150,
        "the word lists were not found: {words:?}"
    );
    for w in [
        "workspace",
        "defaults",
        "let",
        "policy",
        "rule",
        "grant",
        "keep",
        "fqdn",
        "deny",
    ] {
        assert!(words.contains(w), "`{w}` was not read from the lowering");
    }
    let grammar = grammar_words("");
    let missing: Vec<&String> = words.difference(&grammar).collect();
    assert!(
        missing.is_empty(),
        "{GRAMMAR} does not name these words of the language: {missing:?}"
    );
}

#[test]
fn grammar_scopes_settings_and_blocks_as_such() {
    let (settings, blocks) = block_calls();
    assert!(
        settings.len() > 50 && blocks.len() > 10,
        "the `.block(` calls were not read"
    );
    let named = grammar_words("/repository/setting/patterns/0");
    let missing: Vec<&String> = settings.difference(&named).collect();
    assert!(
        missing.is_empty(),
        "settings not scoped as settings: {missing:?}"
    );
    let named = grammar_words("/repository/keywords");
    let missing: Vec<&String> = blocks.difference(&named).collect();
    assert!(
        missing.is_empty(),
        "blocks and statements not scoped as keywords: {missing:?}"
    );
}

#[derive(serde::Deserialize)]
struct Token {
    text: String,
    scopes: Vec<String>,
}

#[derive(serde::Deserialize)]
struct Tokenized {
    file: String,
    lines: Vec<Vec<Token>>,
}

fn run(cmd: &mut Command, what: &str) -> Vec<u8> {
    let out = cmd.output().unwrap_or_else(|e| {
        panic!("{what} could not start ({e}): Node.js and npm are required by this test")
    });
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Tokenises `files` (paths relative to the repository) with the real engine.
fn tokenize(files: &[String]) -> Vec<Tokenized> {
    let dir = root().join("tests/editor");
    if !dir.join("node_modules").is_dir() {
        run(
            Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund"])
                .current_dir(&dir),
            "`npm ci` in tests/editor",
        );
    }
    let stdout = run(
        Command::new("node")
            .arg("tests/editor/tokenize.js")
            .args(files)
            .current_dir(root()),
        "`node tests/editor/tokenize.js`",
    );
    serde_json::from_slice(&stdout).expect("tokenize.js prints JSON")
}

fn inputs() -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(root().join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path().join("posture.aml"))
        .filter(|p| p.is_file())
        .map(|p| {
            p.strip_prefix(root())
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    files.sort();
    assert!(files.len() >= 7, "expected at least 7 examples: {files:?}");
    files.extend(UI_CASES.iter().map(|s| (*s).to_string()));
    files
}

/// One line per token: its text and its scopes below the root.
fn render(file: &Tokenized) -> String {
    let mut out = String::new();
    for (n, line) in file.lines.iter().enumerate() {
        for t in line.iter().filter(|t| !t.text.trim().is_empty()) {
            let scopes = t.scopes.get(1..).unwrap_or_default().join(" ");
            writeln!(out, "{:>3} {:?} {scopes}", n + 1, t.text).unwrap();
        }
    }
    out
}

#[test]
fn grammar_scopes_every_token_of_every_example() {
    let files = inputs();
    let words = language_words();
    let tokenized = tokenize(&files);
    assert_eq!(tokenized.len(), files.len());
    let mut problems = Vec::new();
    for file in &tokenized {
        // A `let` may be named like a keyword (`hub_vnet = hub_vnet`).
        let lets: BTreeSet<&str> = file
            .lines
            .iter()
            .flatten()
            .filter(|t| t.scopes.iter().any(|s| s == "variable.other.constant.aml"))
            .map(|t| t.text.as_str())
            .collect();
        for (n, line) in file.lines.iter().enumerate() {
            for t in line {
                let at = format!("{}:{}: {:?}", file.file, n + 1, t.text);
                let wordy = t.text.chars().any(|c| c.is_ascii_alphanumeric());
                if wordy && t.scopes.len() < 2 {
                    problems.push(format!("{at} has only the root scope"));
                }
                if words.contains(t.text.as_str())
                    && !lets.contains(t.text.as_str())
                    && t.scopes.last().is_some_and(|s| s == CATCH_ALL)
                {
                    problems.push(format!("{at} is a keyword scoped as a plain name"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    for file in &tokenized {
        let name = file.file.trim_end_matches(".aml").replace('/', "__");
        insta::assert_snapshot!(name, render(file));
    }
}

#[test]
fn extension_manifest_ties_aml_files_to_the_grammar_and_the_server() {
    let read = |p: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(root().join(p)).unwrap())
            .unwrap_or_else(|e| panic!("{p} is not JSON: {e}"))
    };
    let manifest = read("editors/vscode/package.json");
    let language = &manifest["contributes"]["languages"][0];
    assert_eq!(language["extensions"], serde_json::json!([".aml"]));
    let id = language["id"].as_str().unwrap();
    let config = language["configuration"].as_str().unwrap();
    let config = read(&format!(
        "editors/vscode/{}",
        config.trim_start_matches("./")
    ));
    assert_eq!(config["comments"]["lineComment"], "#");
    assert!(
        config["folding"]["markers"]["start"]
            .as_str()
            .unwrap()
            .contains('{')
    );
    let grammar = &manifest["contributes"]["grammars"][0];
    assert_eq!(grammar["language"], id);
    let path = grammar["path"].as_str().unwrap().trim_start_matches("./");
    assert_eq!(format!("editors/vscode/{path}"), GRAMMAR);
    assert_eq!(grammar["scopeName"], read(GRAMMAR)["scopeName"]);
    let main = manifest["main"].as_str().unwrap().trim_start_matches("./");
    let extension = std::fs::read_to_string(root().join("editors/vscode").join(main)).unwrap();
    assert!(
        extension.contains("args: ['lsp']"),
        "the extension starts `amlgen lsp`"
    );
    assert!(manifest["dependencies"]["vscode-languageclient"].is_string());
}
