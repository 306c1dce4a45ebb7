//! The diagnostics harness: every `tests/ui/**/*.aml` is checked by the
//! built `amlgen` binary, and its exit code and full rendered output are
//! snapshotted (`tests/ui/snapshots/`).
//!
//! Each case starts with a header of `#` comment lines:
//! - `# code: AML3003` — the case must report this code (repeatable);
//! - `# neighbour-of: AML3003` — the nearest legal posture: it must not
//!   report that code, and must have no error;
//! - `# args: --deny-warnings` — extra command-line arguments;
//! - `# previous: NAME` — a manifest file beside the case, passed as
//!   `--previous`;
//! - `# command: build` — run `amlgen build` instead of `check`, into a
//!   fresh `target/ui-out/<case>` (for what only a build reports);
//! - `# command: import` — run `amlgen import` on the `# deployed:` files
//!   (the case's own text is only its header); the posture it writes is
//!   part of the snapshot;
//! - `# command: diff` — run `amlgen diff` of the case against the
//!   `# deployed:` files;
//! - `# deployed: NAME` — a file beside the case describing deployed
//!   resources (repeatable);
//! - `# with: NAME` — another posture file beside the case, checked (or
//!   built) with it as one build (repeatable); name it `*.aml-part` so it
//!   is not a case of its own;
//!
//! A case with neither `code` nor `neighbour-of` is rejected, so no case
//! can pass by asserting nothing.

use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Default)]
struct Header {
    codes: Vec<String>,
    neighbour_of: Vec<String>,
    args: Vec<String>,
    previous: Option<String>,
    command: Option<String>,
    deployed: Vec<String>,
    with: Vec<String>,
}

fn header(text: &str) -> Header {
    let mut h = Header::default();
    for line in text.trim_start_matches('\u{feff}').lines() {
        let Some(rest) = line.strip_prefix('#') else {
            break;
        };
        let rest = rest.trim();
        if let Some(v) = rest.strip_prefix("code:") {
            h.codes.push(v.trim().to_string());
        } else if let Some(v) = rest.strip_prefix("neighbour-of:") {
            h.neighbour_of.push(v.trim().to_string());
        } else if let Some(v) = rest.strip_prefix("args:") {
            h.args.extend(v.split_whitespace().map(str::to_string));
        } else if let Some(v) = rest.strip_prefix("previous:") {
            h.previous = Some(v.trim().to_string());
        } else if let Some(v) = rest.strip_prefix("command:") {
            let v = v.trim();
            assert!(
                ["build", "import", "diff"].contains(&v),
                "`# command:` takes `build`, `import` or `diff`"
            );
            h.command = Some(v.to_string());
        } else if let Some(v) = rest.strip_prefix("deployed:") {
            h.deployed.push(v.trim().to_string());
        } else if let Some(v) = rest.strip_prefix("with:") {
            h.with.push(v.trim().to_string());
        }
    }
    h
}

/// Runs `amlgen check` (or the case's command) on a case; returns (exit
/// code, stdout, stderr).
fn run_case(rel: &Path, h: &Header) -> (i32, String, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_amlgen"));
    cmd.current_dir(root);
    let deployed: Vec<PathBuf> = h
        .deployed
        .iter()
        .map(|d| rel.parent().unwrap().join(d))
        .collect();
    match h.command.as_deref() {
        Some("import") => {
            assert!(
                !deployed.is_empty(),
                "{}: `import` needs `# deployed:`",
                rel.display()
            );
            cmd.arg("import").args(&deployed).args(["--color", "never"]);
        }
        Some("diff") => {
            assert!(
                !deployed.is_empty(),
                "{}: `diff` needs `# deployed:`",
                rel.display()
            );
            cmd.arg("diff")
                .arg(rel)
                .arg("--deployed")
                .args(&deployed)
                .args(["--color", "never"]);
        }
        command => {
            let build = command == Some("build");
            let out = if build {
                let stem = rel.file_stem().unwrap().to_string_lossy();
                let out = format!("target/ui-out/{stem}");
                let _ = std::fs::remove_dir_all(root.join(&out));
                out
            } else {
                "tests/ui/no-such-out".to_string()
            };
            cmd.arg(if build { "build" } else { "check" })
                .arg(rel)
                .args(h.with.iter().map(|w| rel.parent().unwrap().join(w)))
                .args(["--color", "never", "--out", &out]);
            if let Some(p) = &h.previous {
                cmd.arg("--previous").arg(rel.parent().unwrap().join(p));
            }
        }
    }
    cmd.args(&h.args);
    let out = cmd.output().expect("the amlgen binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn relative(path: &Path) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

#[test]
fn ui() {
    insta::glob!("ui/**/*.aml", |path| {
        // Read as bytes: some cases are not UTF-8 on purpose (AML0006).
        let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
        let h = header(&text);
        let rel = relative(path);
        assert!(
            !h.codes.is_empty() || !h.neighbour_of.is_empty(),
            "{}: a ui case needs a `# code:` or `# neighbour-of:` header",
            rel.display()
        );
        let (exit, stdout, stderr) = run_case(&rel, &h);
        let shown = format!("exit: {exit}\n{stdout}{stderr}");
        for code in &h.codes {
            assert!(
                stderr.contains(&format!("[{code}]")) || stdout.contains(&format!("\"{code}\"")),
                "{}: expected {code} in:\n{shown}",
                rel.display()
            );
        }
        for code in &h.neighbour_of {
            assert!(
                !stderr.contains(&format!("[{code}]")),
                "{}: the legal neighbour must not report {code}:\n{shown}",
                rel.display()
            );
            assert!(
                exit == 0,
                "{}: the legal neighbour must check without errors:\n{shown}",
                rel.display()
            );
        }
        assert!(
            !stderr.contains("panicked"),
            "{}: amlgen panicked:\n{shown}",
            rel.display()
        );
        insta::assert_snapshot!(shown);
    });
}

/// Every registered code has a documentation page, a case that triggers it
/// and a legal neighbour.
#[test]
fn every_code_has_a_page_a_case_and_a_neighbour() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut triggered = std::collections::BTreeSet::new();
    let mut neighbours = std::collections::BTreeSet::new();
    let mut stack = vec![root.join("tests/ui")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "aml") {
                let h = header(&String::from_utf8_lossy(&std::fs::read(&p).unwrap()));
                triggered.extend(h.codes);
                neighbours.extend(h.neighbour_of);
            }
        }
    }
    let mut missing = Vec::new();
    for code in amlgen::diag::Code::ALL {
        let id = code.id();
        let page = root.join(format!("docs/codes/{id}.md"));
        match std::fs::read_to_string(&page) {
            Ok(text) if text.starts_with(&format!("# {id}")) && text.len() > 200 => {}
            _ => missing.push(format!("{id}: no documentation page (docs/codes/{id}.md)")),
        }
        if !triggered.contains(id) {
            missing.push(format!("{id}: no ui case with `# code: {id}`"));
        }
        if !neighbours.contains(id) {
            missing.push(format!("{id}: no ui case with `# neighbour-of: {id}`"));
        }
    }
    let known: std::collections::BTreeSet<&str> =
        amlgen::diag::Code::ALL.iter().map(|c| c.id()).collect();
    for c in triggered.iter().chain(&neighbours) {
        if !known.contains(c.as_str()) {
            missing.push(format!("{c}: ui header names a code that does not exist"));
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}
