//! `amlgen lsp` driven as an editor drives it: the built binary, real
//! JSON-RPC messages with `Content-Length` framing over its standard input
//! and output.

// Messages are built in place and handed over whole.
#![allow(clippy::needless_pass_by_value)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use serde_json::{Value, json};

/// A running server and the messages it sent.
struct Server {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    next_id: i64,
}

impl Server {
    fn start() -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_amlgen"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start amlgen lsp");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, incoming) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut len = None;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        len = n.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; len.expect("Content-Length header")];
                if r.read_exact(&mut body).is_err() {
                    return;
                }
                if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
                    return;
                }
            }
        });
        let mut s = Server {
            child,
            stdin,
            incoming,
            next_id: 0,
        };
        let init = s.request("initialize", json!({ "capabilities": {} }));
        assert!(init["capabilities"]["hoverProvider"].as_bool().unwrap());
        s.notify("initialized", json!({}));
        s
    }

    fn send(&mut self, msg: &Value) {
        let body = msg.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    fn recv(&mut self) -> Value {
        self.incoming
            .recv_timeout(Duration::from_secs(60))
            .expect("a message from the server")
    }

    /// Sends a request and returns its result (notifications in between
    /// are dropped).
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        loop {
            let m = self.recv();
            if m["id"] == json!(id) {
                assert!(m.get("error").is_none(), "{method} failed: {m}");
                return m["result"].clone();
            }
        }
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics_for(&mut self, uri: &str) -> Vec<Value> {
        loop {
            let m = self.recv();
            if m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri {
                return m["params"]["diagnostics"].as_array().unwrap().clone();
            }
        }
    }

    fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "aml", "version": 1, "text": text } }),
        );
    }

    fn at(&mut self, method: &str, uri: &str, line: u32, character: u32) -> Value {
        let mut params = json!({
            "textDocument": { "uri": uri },
            "position": { "line": line, "character": character },
        });
        if method == "textDocument/references" {
            params["context"] = json!({ "includeDeclaration": true });
        }
        self.request(method, params)
    }

    fn stop(mut self) {
        assert_eq!(self.request("shutdown", Value::Null), Value::Null);
        self.notify("exit", Value::Null);
        let status = self.child.wait().unwrap();
        assert!(status.success(), "{status}");
    }
}

/// A fresh directory holding one posture build.
fn build_dir(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("amlgen-lsp-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (f, text) in files {
        std::fs::write(dir.join(f), text).unwrap();
    }
    dir
}

fn uri(p: &Path) -> String {
    format!("file://{}", p.display())
}

fn labels(items: &Value) -> Vec<String> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap().to_string())
        .collect()
}

const POSTURE: &str = r#"let rg = "rg-lsp"
let hub = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/vnet-hub"

workspace "mlw-lsp" {
  resource_group = rg
  region         = "westeurope"

  inbound {
    public_network_access = disabled
    private_endpoint {
      subnet = "${hub}/subnets/snet-pe"
    }
  }

  outbound {
    mode = allow_only_approved_outbound
    allow huggingface
  }

  storage { public_netwrk_access = disabled }
}
# AML2001 is the code of an unknown setting.
"#;

#[test]
fn diagnostics_hover_completion_definition_formatting_and_actions() {
    let dir = build_dir("main", &[("posture.aml", POSTURE)]);
    let file = dir.join("posture.aml");
    let u = uri(&file);
    let mut s = Server::start();
    s.open(&u, POSTURE);

    // Diagnostics: the same code and range as `amlgen check`, with the
    // suggestion the quick fix offers.
    let diags = s.diagnostics_for(&u);
    let d = diags
        .iter()
        .find(|d| d["code"] == "AML2001")
        .unwrap_or_else(|| panic!("no AML2001 in {diags:?}"));
    assert_eq!(d["range"]["start"], json!({ "line": 19, "character": 12 }));
    assert_eq!(d["range"]["end"], json!({ "line": 19, "character": 32 }));
    assert_eq!(d["severity"], 1);
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("public_netwrk_access")
    );

    // A code action replaces the misspelled setting.
    let actions = s.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": u },
            "range": d["range"],
            "context": { "diagnostics": [d] },
        }),
    );
    let edit = &actions[0]["edit"]["changes"][&u][0];
    assert_eq!(edit["newText"], "public_network_access");
    assert_eq!(edit["range"], d["range"]);
    assert_eq!(actions[0]["kind"], "quickfix");

    // Fixing the text clears the diagnostic.
    let fixed = POSTURE.replace("netwrk", "network");
    s.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": u, "version": 2 }, "contentChanges": [{ "text": fixed }] }),
    );
    let diags = s.diagnostics_for(&u);
    assert!(diags.iter().all(|d| d["code"] != "AML2001"), "{diags:?}");

    // Hover: a setting's values and default; a keyword; a code's page.
    let h = s.at("textDocument/hover", &u, 15, 6);
    let text = h["contents"]["value"].as_str().unwrap();
    assert!(text.contains("allow_only_approved_outbound"), "{text}");
    assert!(text.contains("default"), "{text}");
    let h = s.at("textDocument/hover", &u, 3, 3);
    assert!(
        h["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("workspace")
    );

    // Completion: settings of the enclosing block, values after `=`,
    // presets after `allow`, rule kinds after `rule "x"`.
    let storage_line = 19;
    let items = s.at("textDocument/completion", &u, 15, 11);
    let values = labels(&items);
    assert!(
        values.contains(&"allow_internet_outbound".to_string()),
        "{values:?}"
    );
    let items = s.at("textDocument/completion", &u, 16, 10);
    assert!(labels(&items).contains(&"python_packages".to_string()));
    let items = s.at("textDocument/completion", &u, storage_line, 12);
    let names = labels(&items);
    assert!(names.contains(&"trusted_services".to_string()), "{names:?}");
    assert!(!names.contains(&"mode".to_string()), "{names:?}");
    let items = s.at("textDocument/completion", &u, 6, 0);
    let names = labels(&items);
    assert!(names.contains(&"outbound".to_string()) && names.contains(&"tags".to_string()));

    // Definition and references of a `let`, bare and interpolated.
    let def = s.at("textDocument/definition", &u, 4, 20);
    assert_eq!(def["uri"], u);
    assert_eq!(def["range"]["start"], json!({ "line": 0, "character": 4 }));
    let refs = s.at("textDocument/references", &u, 1, 5);
    let lines: Vec<u64> = refs
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["range"]["start"]["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [1, 10]);

    // Formatting answers with edits (none when already formatted).
    let edits = s.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": u }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    assert!(edits.is_array(), "{edits}");

    s.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn completion_of_rules_and_private_endpoint_targets() {
    let text = "workspace \"mlw-x\" {\n  outbound {\n    rule \"a\" \n    rule \"b\" private_endpoint \n    rule \"c\" private_endpoint \"/subscriptions/s/resourceGroups/g/providers/Microsoft.KeyVault/vaults/kv\" { subresource =  }\n  }\n}\npolicy \"pol\" {\n  deny \n}\n";
    let dir = build_dir("rules", &[("p.aml", text)]);
    let u = uri(&dir.join("p.aml"));
    let mut s = Server::start();
    s.open(&u, text);
    let kinds = labels(&s.at("textDocument/completion", &u, 2, 13));
    assert_eq!(kinds, ["private_endpoint", "service_tag", "fqdn"]);
    let targets = labels(&s.at("textDocument/completion", &u, 3, 30));
    assert!(
        targets.contains(&"Microsoft.Storage/storageAccounts".to_string()),
        "{targets:?}"
    );
    let line = text.lines().nth(4).unwrap();
    let col = line.find("= ").unwrap() as u32 + 2;
    let subs = labels(&s.at("textDocument/completion", &u, 4, col));
    assert_eq!(subs, ["vault"]);
    let controls = labels(&s.at("textDocument/completion", &u, 8, 7));
    assert!(
        controls.contains(&"private_endpoints".to_string()),
        "{controls:?}"
    );
    let top = labels(&s.at("textDocument/completion", &u, 10, 0));
    assert_eq!(top, ["let", "defaults", "workspace", "policy", "accept"]);
    s.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn completion_of_accepted_codes_and_hover_with_the_title() {
    let text = "accept \nworkspace \"mlw-x\" {\n  accept AML3004 {}\n}\n";
    let dir = build_dir("accept", &[("p.aml", text)]);
    let u = uri(&dir.join("p.aml"));
    let mut s = Server::start();
    s.open(&u, text);
    let items = s.at("textDocument/completion", &u, 0, 7);
    let codes = labels(&items);
    assert!(codes.contains(&"AML3004".to_string()), "{codes:?}");
    assert!(codes.contains(&"AML3029".to_string()), "{codes:?}");
    // Only what a posture may accept: no error Azure refuses, no finding
    // about acceptances.
    assert!(!codes.contains(&"AML3003".to_string()), "{codes:?}");
    assert!(!codes.contains(&"AML3171".to_string()), "{codes:?}");
    let first = &items.as_array().unwrap()[0];
    assert!(
        first["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "{first}"
    );
    let h = s.at("textDocument/hover", &u, 2, 12);
    let value = h["contents"]["value"].as_str().unwrap();
    assert!(
        value.starts_with("**AML3004**: FQDN rules deploy a billed managed Azure Firewall"),
        "{value}"
    );
    s.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn diagnostics_cover_the_whole_build_and_use_utf16_columns() {
    // A second file of the build, on disk only, shares the workspace name.
    let a = "workspace \"mlw-dup\" {\n  resource_group = \"rg\"\n  region = \"westeurope\"\n}\n";
    let b = "# ünïcode 😀\nworkspace \"mlw-dup\" {\n  resource_group = \"rg\"\n  region = \"westeurope\"\n  tags = { \"😀\" = \"x\" }  sensitiv = true\n}\n";
    let dir = build_dir("build", &[("a.aml", a), ("b.aml", b)]);
    let (ua, ub) = (uri(&dir.join("a.aml")), uri(&dir.join("b.aml")));
    let mut s = Server::start();
    s.open(&ub, b);
    let mut seen = std::collections::BTreeMap::new();
    while seen.len() < 2 {
        let m = s.recv();
        if m["method"] == "textDocument/publishDiagnostics" {
            seen.insert(
                m["params"]["uri"].as_str().unwrap().to_string(),
                m["params"]["diagnostics"].clone(),
            );
        }
    }
    assert!(seen.contains_key(&ua) && seen.contains_key(&ub), "{seen:?}");
    let unknown = seen[&ub]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "AML2001")
        .cloned()
        .expect("unknown setting in b");
    // `  tags = { "😀" = "x" }  ` is 24 UTF-16 units (the emoji is two).
    assert_eq!(
        unknown["range"]["start"],
        json!({ "line": 4, "character": 25 })
    );
    let all: Vec<&Value> = seen.values().flat_map(|v| v.as_array().unwrap()).collect();
    let dup = all.iter().find(|d| d["relatedInformation"].is_array());
    assert!(
        dup.is_some(),
        "a diagnostic with related locations: {all:?}"
    );
    s.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn hostile_input_never_stops_the_server() {
    let inputs = [
        "workspace \"w\" { outbound { rule \"x\" private_endpoint \"${",
        "{{{{ [[[[ ] } \" \\u{ 😀 \u{0}",
        "let = = = \nlet a = a\nworkspace { { } } }",
        "\u{feff}workspace \"é\" {\n\tstorage {\r\n public_network_access = [1, 2,",
    ];
    let dir = build_dir("hostile", &[]);
    let mut s = Server::start();
    for (i, text) in inputs.iter().enumerate() {
        let u = uri(&dir.join(format!("h{i}.aml")));
        s.open(&u, text);
        let _ = s.diagnostics_for(&u);
        let len = text.chars().count() as u32;
        for (line, ch) in [(0, 0), (0, 3), (0, len), (1, 2), (7, 90)] {
            for m in [
                "textDocument/hover",
                "textDocument/completion",
                "textDocument/definition",
                "textDocument/references",
            ] {
                let _ = s.at(m, &u, line, ch);
            }
        }
        let _ = s.request(
            "textDocument/formatting",
            json!({ "textDocument": { "uri": u }, "options": { "tabSize": 2, "insertSpaces": true } }),
        );
    }
    // Unknown methods and malformed params are errors, not crashes.
    s.send(&json!({ "jsonrpc": "2.0", "id": 999, "method": "textDocument/hover", "params": { "bad": 1 } }));
    loop {
        let m = s.recv();
        if m["id"] == 999 {
            assert!(m["error"].is_object());
            break;
        }
    }
    s.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

/// Formatting gives the layout `amlgen fmt` gives: one edit replacing the
/// whole text with it.
#[test]
fn formatting_is_the_same_as_fmt() {
    let text = "workspace \"mlw-f\" {\nregion = \"westeurope\"\n      resource_group=\"rg\"\n  profile = public_data\n}\n";
    let dir = build_dir("formatting", &[("f.aml", text)]);
    let u = uri(&dir.join("f.aml"));
    let mut s = Server::start();
    s.open(&u, text);
    let edits = s.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": u }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    let edits = edits.as_array().unwrap_or_else(|| panic!("{edits}"));
    assert_eq!(edits.len(), 1, "{edits:?}");
    let want = amlgen::syntax::fmt::format(text).unwrap();
    assert_ne!(want, text);
    assert_eq!(edits[0]["newText"], want);
    s.stop();
    let _ = std::fs::remove_dir_all(&dir);
}
