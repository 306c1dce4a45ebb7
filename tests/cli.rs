//! The command line: exit codes (0 clean, 1 posture errors, 2 usage and
//! I/O), machine-readable formats, `explain`, `--help` and `--version`.

use std::path::Path;
use std::process::{Command, Output};

fn amlgen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_amlgen"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .expect("amlgen runs")
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn scratch(name: &str, text: &str) -> String {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli");
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

const BAD: &str = "workspace \"mlw-demo\" {\n  resource_group = \"rg-demo\"\n  region = \"westeurope\"\n  profile = public_data\n  outbound {\n    mode = allow_internet_outbound\n    rule \"pypi\" fqdn \"pypi.org\"\n  }\n}\n";

#[test]
fn examples_exit_zero() {
    // At a fixed date: the examples' accepted risks expire.
    let o = amlgen(&[
        "check",
        "examples",
        "--color",
        "never",
        "--today",
        "2026-12-07",
    ]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    // With no path, `check` checks `examples`.
    assert_eq!(code(&amlgen(&["check", "--color", "never"])), 0);
}

#[test]
fn posture_errors_exit_one_with_position_and_caret() {
    let f = scratch("bad.aml", BAD);
    let o = amlgen(&["check", &f, "--color", "never"]);
    assert_eq!(code(&o), 1);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("error[AML3003]"), "{err}");
    assert!(err.contains("bad.aml:7:5"), "{err}");
    assert!(err.contains("^^^^"), "{err}");
    assert!(err.contains("= help:"), "{err}");
}

#[test]
fn warnings_pass_unless_denied() {
    // An example with a warning it does not accept, and a note.
    let ex = "examples/guardrails";
    assert_eq!(code(&amlgen(&["check", ex, "--color", "never"])), 0);
    assert_eq!(
        code(&amlgen(&[
            "check",
            ex,
            "--color",
            "never",
            "--deny-warnings"
        ])),
        1
    );
    assert_eq!(
        code(&amlgen(&[
            "check",
            ex,
            "--color",
            "never",
            "--deny",
            "fqdn-firewall-cost"
        ])),
        1
    );
    let o = amlgen(&[
        "check",
        ex,
        "--color",
        "never",
        "--allow",
        "AML3004",
        "--allow",
        "service-tag-surface",
    ]);
    assert_eq!(code(&o), 0);
    // A clean run prints its one summary line, and nothing else.
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        "amlgen: checked 1 file, 2 workspaces: 0 errors, 0 warnings, 1 accepted risk\n"
    );
}

#[test]
fn usage_errors_exit_two() {
    assert_eq!(code(&amlgen(&["check", "no/such/path.aml"])), 2);
    assert_eq!(code(&amlgen(&["check", "--no-such-flag"])), 2);
    assert_eq!(
        code(&amlgen(&["check", "examples", "--allow", "not-a-code"])),
        2
    );
    assert_eq!(
        code(&amlgen(&[
            "check",
            "examples",
            "--previous",
            "no/such/lock.json"
        ])),
        2
    );
    assert_eq!(code(&amlgen(&["frobnicate"])), 2);
    let empty = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-empty");
    std::fs::create_dir_all(&empty).unwrap();
    assert_eq!(code(&amlgen(&["check", &empty.to_string_lossy()])), 2);
}

/// A file that is not UTF-8 is a posture error at its first bad byte, not
/// an unplaced I/O error; a byte order mark shifts no column.
#[test]
fn encoding_errors_are_placed() {
    let latin1 = scratch("latin1.aml", "");
    std::fs::write(&latin1, b"workspace \"\xe9\" {}\n").unwrap();
    let o = amlgen(&["check", &latin1, "--color", "never"]);
    assert_eq!(code(&o), 1);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("error[AML0006]"), "{err}");
    assert!(err.contains("latin1.aml:1:12"), "{err}");
    let bom = scratch("bom.aml", "\u{feff}workspace \"mlw-demo\" { colour = 1 }\n");
    let o = amlgen(&["check", &bom, "--color", "never"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("error[AML2001]"), "{err}");
    assert!(err.contains("bom.aml:1:24"), "{err}");
}

#[test]
fn json_output_parses() {
    let f = scratch("bad-json.aml", BAD);
    let o = amlgen(&["check", &f, "--format", "json"]);
    assert_eq!(code(&o), 1);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON on stdout");
    assert_eq!(v["version"], amlgen::diag::render::JSON_VERSION);
    assert_eq!(v["errors"], 1);
    let d = &v["diagnostics"][0];
    assert_eq!(d["code"], "AML3003");
    assert_eq!(d["severity"], "error");
    assert_eq!(d[concat!("loc", "ation")]["line"], 7);
    assert_eq!(d[concat!("loc", "ation")]["column"], 5);
    assert!(!d["help"].as_array().unwrap().is_empty());
}

/// Machine formats stay ungrouped: one JSON diagnostic per workspace, each
/// naming its workspace, where the human output shows one with a note.
#[test]
fn json_lists_every_workspace_where_human_output_groups() {
    let case = "tests/ui/rules/fqdn-firewall-cost-grouped.aml";
    let o = amlgen(&["check", case, "--format", "json"]);
    assert_eq!(code(&o), 0);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON on stdout");
    let workspaces: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "AML3004")
        .map(|d| d["workspace"].as_str().unwrap())
        .collect();
    assert_eq!(
        workspaces,
        [
            "mlw-a", "mlw-b", "mlw-c", "mlw-d", "mlw-e", "mlw-f", "mlw-g"
        ]
    );
    let human = |extra: &[&str]| {
        let mut args = vec!["check", case, "--color", "never"];
        args.extend_from_slice(extra);
        let o = amlgen(&args);
        String::from_utf8(o.stderr).unwrap()
    };
    let grouped = human(&[]);
    assert_eq!(grouped.matches("warning[AML3004]").count(), 1, "{grouped}");
    assert!(grouped.contains("also in 6 other workspaces"), "{grouped}");
    let every = human(&["--verbose"]);
    assert_eq!(every.matches("warning[AML3004]").count(), 7, "{every}");
    assert!(!every.contains("also in"), "{every}");
    assert!(
        every.ends_with("0 errors, 7 warnings, 0 accepted risks\n"),
        "{every}"
    );
}

#[test]
fn sarif_output_parses() {
    let f = scratch("bad-sarif.aml", BAD);
    let o = amlgen(&["check", &f, "--format", "sarif"]);
    assert_eq!(code(&o), 1);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON on stdout");
    assert_eq!(v["version"], "2.1.0");
    let r = &v["runs"][0]["results"][0];
    assert_eq!(r["ruleId"], "AML3003");
    assert_eq!(
        r["locations"][0]["physicalLocation"]["region"]["startLine"],
        7
    );
}

#[test]
fn previous_manifest_is_read_from_the_output_directory() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-out");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("amlgen.lock.json"),
        r#"{"format":1,"amlgen_version":"0.1.0","workspaces":{"mlw-open-data":{"resource_group":"rg-open-data-ml","isolation_mode":"allow_only_approved_outbound"}}}"#,
    )
    .unwrap();
    let o = amlgen(&[
        "check",
        "examples/public-data",
        "--color",
        "never",
        "--out",
        &dir.to_string_lossy(),
    ]);
    assert_eq!(code(&o), 1);
    assert!(String::from_utf8_lossy(&o.stderr).contains("error[AML3001]"));
    std::fs::write(dir.join("amlgen.lock.json"), "{ not json").unwrap();
    let o = amlgen(&[
        "check",
        "examples/public-data",
        "--color",
        "never",
        "--out",
        &dir.to_string_lossy(),
    ]);
    assert_eq!(code(&o), 1);
    assert!(String::from_utf8_lossy(&o.stderr).contains("error[AML9001]"));
}

#[test]
fn explain_help_and_version() {
    let o = amlgen(&["explain", "AML3003"]);
    assert_eq!(code(&o), 0);
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("# AML3003"));
    assert_eq!(code(&amlgen(&["explain", "rule-kind-not-allowed"])), 0);
    let o = amlgen(&["explain", "AML3O03"]);
    assert_eq!(code(&o), 2);
    assert!(String::from_utf8_lossy(&o.stderr).contains("did you mean `AML3003`?"));
    for args in [
        &["--help"][..],
        &["check", "--help"],
        &["explain", "--help"],
        &["--version"],
        &["check", "--version"],
    ] {
        let o = amlgen(args);
        assert_eq!(code(&o), 0, "{args:?}");
        assert!(!o.stdout.is_empty());
    }
}

/// `amlgen build PATH --out OUT` with more flags.
fn build(path: &str, out: &str, flags: &[&str]) -> Output {
    let mut args = vec!["build", path, "--out", out, "--color", "never"];
    args.extend(flags);
    amlgen(&args)
}

/// A fresh output directory under the test's scratch space.
fn fresh_out(name: &str) -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// A posture of one workspace with the given isolation mode.
fn lowered(name: &str, resource_group: &str, mode: &str) -> String {
    scratch(
        &format!("{name}-{mode}.aml"),
        &format!(
            "workspace \"{name}\" {{\n  region = \"westeurope\"\n  resource_group = \"{resource_group}\"\n  inbound {{ public_network_access = enabled }}\n  container_registry {{ public_network_access = enabled }}\n  outbound {{ mode = {mode} }}\n}}\n"
        ),
    )
}

#[test]
fn a_subset_build_never_forgets_known_workspaces_unless_pruned() {
    let dir = fresh_out("subset-out");
    let out = dir.to_string_lossy().into_owned();
    let o = build("examples", &out, &[]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let manifest = std::fs::read_to_string(dir.join("amlgen.lock.json")).unwrap();
    assert!(manifest.contains("\"mlw-fraud-prod\""));

    // Building one posture into it is refused, naming the others, and
    // leaves the output as it was.
    let o = build("examples/public-data", &out, &[]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(code(&o), 1, "{err}");
    assert!(
        err.contains("error[AML9002]")
            && err.contains("`mlw-fraud-prod` (resource group `rg-fraud-ml`)"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("amlgen.lock.json")).unwrap(),
        manifest
    );
    // `--check` sees the same refusal.
    let o = build("examples/public-data", &out, &["--check"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("error[AML9002]"));

    // So the downgrade guard still holds for the workspace not rebuilt.
    let lowered = lowered("mlw-fraud-prod", "rg-fraud-ml", "allow_internet_outbound");
    let o = amlgen(&["check", &lowered, "--out", &out, "--color", "never"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("error[AML3001]"));

    // `--prune` drops them on purpose: files and entries.
    let o = build("examples/public-data", &out, &["--prune"]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let pruned = std::fs::read_to_string(dir.join("amlgen.lock.json")).unwrap();
    assert!(pruned.contains("\"mlw-open-data\"") && !pruned.contains("\"mlw-fraud-prod\""));
    assert!(!dir.join("workspaces/mlw-fraud-prod").exists());
    assert!(dir.join("workspaces/mlw-open-data/main.bicep").exists());
}

#[test]
fn an_old_format_manifest_is_read_and_rewritten_in_the_new_format() {
    let dir = fresh_out("format-1-out");
    std::fs::create_dir_all(&dir).unwrap();
    let old = include_str!("data/manifest-format-1.lock.json");
    std::fs::write(dir.join("amlgen.lock.json"), old).unwrap();
    let out = dir.to_string_lossy().into_owned();
    let o = build("examples/public-data", &out, &[]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let new: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("amlgen.lock.json")).unwrap())
            .unwrap();
    assert_eq!(new["format"], 2);
    assert_eq!(
        new["workspaces"]["mlw-open-data"]["resource_group"],
        "rg-open-data-ml"
    );
    // The old manifest's guard applied: the same workspace lowered is refused.
    let lowered = lowered("mlw-open-data", "RG-Open-Data-ML", "disabled");
    std::fs::write(dir.join("amlgen.lock.json"), old).unwrap();
    let o = amlgen(&["check", &lowered, "--out", &out, "--color", "never"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("error[AML3001]"));
}

/// With no path, `check` reads `examples/` when there is one beside it,
/// else every `*.aml` below the current directory (hidden directories
/// skipped); `-` reads one posture from standard input.
#[test]
fn no_path_reads_the_current_directory_and_dash_reads_stdin() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-no-path");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("team/a")).unwrap();
    std::fs::create_dir_all(dir.join(".hidden")).unwrap();
    let posture = "workspace \"mlw-cli\" {\n  region = \"westeurope\"\n  resource_group = \"rg\"\n  profile = public_data\n}\n";
    std::fs::write(dir.join("team/a/one.aml"), posture).unwrap();
    // A broken file in a hidden directory is not read.
    std::fs::write(dir.join(".hidden/broken.aml"), "workspace {").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_amlgen"))
        .current_dir(&dir)
        .args(["check", "--color", "never", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    // A broken file that is read fails the check: the directory was read.
    std::fs::write(dir.join("team/broken.aml"), "workspace {").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_amlgen"))
        .current_dir(&dir)
        .args(["check", "--color", "never"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 1);
    assert!(String::from_utf8_lossy(&out.stderr).contains("team/broken.aml"));

    let mut child = Command::new(env!("CARGO_BIN_EXE_amlgen"))
        .args(["check", "-", "--color", "never"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(
        child.stdin.as_mut().unwrap(),
        b"workspace \"x\" { regio = \"westeurope\" }\n",
    )
    .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(code(&out), 1);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("<stdin>:1:"), "{err}");
}

/// `completions` prints a script for each shell clap supports, and every
/// command's help has an example.
#[test]
fn completions_and_help_examples() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = amlgen(&["completions", shell]);
        assert_eq!(code(&out), 0);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("amlgen") && text.contains("import"),
            "{shell}: {text}"
        );
    }
    for cmd in [
        &["check"][..],
        &["build"],
        &["import"],
        &["diff"],
        &["explain"],
        &["completions"],
        &["policy", "eval"],
    ] {
        let mut args = cmd.to_vec();
        args.push("--help");
        let out = amlgen(&args);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("Example"),
            "{cmd:?} --help has no example:\n{text}"
        );
    }
}
