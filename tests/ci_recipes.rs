//! The CI recipes of `docs/ci/` are valid for their services and call
//! amlgen as it is.
//!
//! - Each validates against its service's published JSON Schema, vendored
//!   in `tests/data/schemas/` (see its `SOURCE.md`), offline.
//! - Each `amlgen ...` command line in them runs, with the postures
//!   variable pointing at `examples/`, and exits 0: the subcommands and
//!   flags exist, the examples are formatted, clean and built into `out/`.
//! - The GitHub recipe pins each action at its current major version, and
//!   grants what a SARIF upload needs.

use std::path::Path;
use std::process::Command;

use jsonschema::Validator;
use serde_json::Value;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn read(rel: &str) -> String {
    std::fs::read_to_string(Path::new(ROOT).join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn yaml(rel: &str) -> Value {
    yaml_serde::from_str(&read(rel)).unwrap_or_else(|e| panic!("{rel} is not YAML: {e}"))
}

/// A vendored schema, compiled with no network: every `$ref` is local.
fn validator(rel: &str) -> Validator {
    let text = read(rel);
    let schema: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let mut refs = Vec::new();
    collect_refs(&schema, &mut refs);
    assert!(
        !refs.is_empty(),
        "{rel} has no `$ref`: is it the whole schema?"
    );
    assert!(
        refs.iter().all(|r| r.starts_with('#')),
        "{rel} has remote `$ref`s: {:?}",
        refs.iter()
            .filter(|r| !r.starts_with('#'))
            .collect::<Vec<_>>()
    );
    jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{rel} does not compile: {e}"))
}

fn collect_refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r),
                    _ => collect_refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

fn violations(validator: &Validator, doc: &Value) -> Vec<String> {
    validator
        .iter_errors(doc)
        .map(|e| format!("at `{}`: {e}", e.instance_path()))
        .collect()
}

const GITHUB: &str = "docs/ci/github-actions.yml";
const GITHUB_SCHEMA: &str = "tests/data/schemas/github-workflow.json";
const AZURE: &str = "docs/ci/azure-pipelines.yml";
const AZURE_SCHEMA: &str = "tests/data/schemas/azure-pipelines.json";

#[test]
fn github_recipe_validates_against_the_workflow_schema() {
    let v = validator(GITHUB_SCHEMA);
    let doc = yaml(GITHUB);
    assert_eq!(violations(&v, &doc), Vec::<String>::new());
    // The check can fail: a job with no runner, a permission the service
    // does not know.
    let mut bad = doc.clone();
    bad["jobs"]["amlgen"]
        .as_object_mut()
        .unwrap()
        .remove("runs-on");
    assert!(!violations(&v, &bad).is_empty());
    let mut bad = doc;
    bad["jobs"]["amlgen"]["permissions"]["security-events"] = Value::from("admin");
    assert!(!violations(&v, &bad).is_empty());
}

/// A YAML document as Azure Pipelines reads it: every scalar a string (its
/// schema types booleans as strings matching `true`, `yes`, `on`, ...,
/// and numbers as strings too).
fn scalars_as_strings(v: Value) -> Value {
    match v {
        Value::Bool(b) => Value::from(b.to_string()),
        Value::Number(n) => Value::from(n.to_string()),
        Value::Array(items) => Value::Array(items.into_iter().map(scalars_as_strings).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, scalars_as_strings(v)))
                .collect(),
        ),
        other => other,
    }
}

#[test]
fn azure_recipe_validates_against_the_pipeline_schema() {
    let v = validator(AZURE_SCHEMA);
    let doc = scalars_as_strings(yaml(AZURE));
    assert_eq!(violations(&v, &doc), Vec::<String>::new());
    // The check can fail: a task input that AzureCLI@2 does not have, a
    // task that does not exist.
    let mut bad = doc.clone();
    let task = bad
        .pointer_mut("/stages/1/jobs/0/strategy/runOnce/deploy/steps/2")
        .unwrap();
    assert_eq!(task["task"], "AzureCLI@2");
    task["inputs"]["scriptKind"] = Value::from("bash");
    assert!(!violations(&v, &bad).is_empty());
    let mut bad = doc;
    bad["stages"][1]["jobs"][0]["strategy"]["runOnce"]["deploy"]["steps"][2]["task"] =
        Value::from("AzureCLI@99");
    assert!(!violations(&v, &bad).is_empty());
}

/// Every string under `key`, anywhere in the document.
fn strings_under<'a>(v: &'a Value, key: &str, out: &mut Vec<&'a str>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                match v {
                    Value::String(s) if k == key => out.push(s),
                    _ => strings_under(v, key, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| strings_under(v, key, out)),
        _ => {}
    }
}

/// What a runner sets in a recipe's environment (GitHub's default
/// variables and the recipe's own), as a sample run would have them.
const RUNNER_VARIABLES: [(&str, &str); 4] = [
    ("$GITHUB_SERVER_URL", "https://github.com"),
    ("$GITHUB_REPOSITORY", "contoso/ml-postures"),
    ("$GITHUB_SHA", "4f1c2d3e4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d"),
    ("$AMLGEN_SRC", "tools/amlgen"),
];

/// The `amlgen` command lines of a recipe's scripts, as argument lists
/// (quotes dropped, the postures variable read as `examples`, up to a
/// redirection).
fn amlgen_lines(doc: &Value, script_keys: &[&str], postures: &str) -> Vec<Vec<String>> {
    let mut scripts = Vec::new();
    for key in script_keys {
        strings_under(doc, key, &mut scripts);
    }
    scripts
        .iter()
        .flat_map(|s| s.lines())
        .filter_map(|line| line.trim().strip_prefix("amlgen "))
        .map(|rest| {
            rest.split_whitespace()
                .take_while(|w| !w.starts_with('>') && *w != "|" && *w != "&&")
                .map(|w| {
                    let mut w = w.trim_matches('"').replace(postures, "examples");
                    for (var, value) in RUNNER_VARIABLES {
                        w = w.replace(var, value);
                    }
                    w
                })
                .collect()
        })
        .collect()
}

/// Runs each command line from the repository root (where `examples/` and
/// their `out/` are), and expects exit 0; returns the subcommands with
/// their flags, for the caller to check what the recipe covers.
fn run_all(lines: &[Vec<String>]) -> Vec<String> {
    let mut seen = Vec::new();
    for args in lines {
        let o = Command::new(env!("CARGO_BIN_EXE_amlgen"))
            .current_dir(ROOT)
            .args(args)
            .output()
            .unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "`amlgen {}` failed:\n{}",
            args.join(" "),
            String::from_utf8_lossy(&o.stderr)
        );
        let flags: Vec<&str> = args
            .iter()
            .map(String::as_str)
            .filter(|a| a.starts_with("--"))
            .collect();
        seen.push(format!("{} {}", args[0], flags.join(" ")));
    }
    seen
}

/// Runs a recipe's `amlgen` lines and checks they are, in order, the
/// SARIF check, the human check (`human_check`: the subcommand and its flags), the
/// layout check and the build check.
fn recipe_runs_amlgen_as_it_is(lines: &[Vec<String>], sarif_check: &str, human_check: &str) {
    let seen = run_all(lines);
    let expected = [
        sarif_check,
        human_check,
        "fmt --check",
        "build --out --check",
    ];
    assert_eq!(seen, expected, "{lines:?}");
    assert!(
        lines[0].windows(2).any(|w| w == ["--format", "sarif"]),
        "{lines:?}"
    );
}

#[test]
fn github_recipe_runs_amlgen_as_it_is() {
    let doc = yaml(GITHUB);
    assert_eq!(doc["env"]["POSTURES"], "postures");
    let lines = amlgen_lines(&doc, &["run"], "$POSTURES");
    recipe_runs_amlgen_as_it_is(&lines, "check --format --help-uri-base", "check --color");
}

#[test]
fn azure_recipe_runs_amlgen_as_it_is() {
    let doc = yaml(AZURE);
    assert_eq!(doc["variables"]["POSTURES"], "postures");
    let lines = amlgen_lines(&doc, &["script", "inlineScript"], "$(POSTURES)");
    recipe_runs_amlgen_as_it_is(&lines, "check --format", "check ");
}

/// The current major version of each action, from its repository's
/// newest release tag (actions/checkout v7.0.1, github/codeql-action
/// v4.36.2, actions/upload-artifact v7.0.0).
const ACTIONS: [&str; 3] = [
    "actions/checkout@v7",
    "github/codeql-action/upload-sarif@v4",
    "actions/upload-artifact@v7",
];

#[test]
fn github_recipe_pins_actions_and_may_upload_sarif() {
    let doc = yaml(GITHUB);
    let mut uses = Vec::new();
    strings_under(&doc, "uses", &mut uses);
    assert_eq!(uses, ACTIONS);
    let job = &doc["jobs"]["amlgen"];
    assert_eq!(job["permissions"]["security-events"], "write");
    let steps = job["steps"].as_array().unwrap();
    let at = |needle: &str| {
        steps
            .iter()
            .position(|s| {
                s["run"].as_str().is_some_and(|r| r.contains(needle))
                    || s["uses"].as_str().is_some_and(|u| u.contains(needle))
            })
            .unwrap_or_else(|| panic!("no step with `{needle}`"))
    };
    // `check --format sarif` exits 1 on posture errors: it may fail so the
    // upload after it still runs, and a plain `check` after the upload
    // fails the job.
    let sarif = at("--format sarif");
    assert_eq!(steps[sarif]["continue-on-error"], true);
    let upload = at("upload-sarif");
    assert!(sarif < upload && upload < at("--color always"));
    assert_eq!(steps[upload]["with"]["sarif_file"], "amlgen.sarif");
}

/// The awk program the deployment stage extracts `out/DEPLOY.md`'s
/// commands with.
fn deploy_awk_program() -> String {
    let doc = yaml(AZURE);
    let task = &doc["stages"][1]["jobs"][0]["strategy"]["runOnce"]["deploy"]["steps"][2];
    assert_eq!(task["task"], "AzureCLI@2");
    assert_eq!(doc["stages"][1]["dependsOn"], "check");
    let script = task["inputs"]["inlineScript"].as_str().unwrap();
    let extract = script
        .lines()
        .map(str::trim_start)
        .find(|l| l.starts_with("awk "))
        .expect("the script extracts with awk");
    extract
        .strip_prefix("awk '")
        .and_then(|r| r.split_once("' out/DEPLOY.md"))
        .map(|(p, _)| p.to_string())
        .expect("awk '<program>' out/DEPLOY.md")
}

/// What the deployment stage's extraction makes of `markdown`.
fn deploy_script(markdown: &str) -> String {
    let Ok(mut awk) = Command::new("awk")
        .arg(deploy_awk_program())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
    else {
        panic!("awk is needed to test the recipe's extraction");
    };
    std::io::Write::write_all(&mut awk.stdin.take().unwrap(), markdown.as_bytes()).unwrap();
    let out = awk.wait_with_output().unwrap();
    assert!(out.status.success(), "awk failed: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// The deployment stage runs the `sh` blocks of `out/DEPLOY.md` in order,
/// and nothing else: the extraction the recipe runs, tried on a sample.
#[test]
fn azure_deploy_stage_runs_the_sh_blocks_of_deploy_md() {
    let sample = "# Deploy\n\nFirst:\n\n```sh\naz provider register --namespace Microsoft.MachineLearningServices\n```\n\nNot this:\n\n```json\n{ \"a\": 1 }\n```\n\n```sh\naz deployment group create -g rg -f main.bicep\naz group list\n```\n";
    assert_eq!(
        deploy_script(sample),
        "az provider register --namespace Microsoft.MachineLearningServices\naz deployment group create -g rg -f main.bicep\naz group list\n"
    );
}

/// On the build's own `out/DEPLOY.md`, the script the deployment stage
/// runs is valid shell, deploys each thing once (Bicep, not the ARM JSON
/// and Terraform alternatives after it), never sets the first-deployment
/// flag (the stage runs on every change), stops on a value the postures
/// cannot know unless the pipeline sets it, and includes the
/// post-deployment commands.
#[test]
fn azure_deploy_stage_script_from_the_real_deploy_md_runs_once_per_step() {
    let markdown = read("out/DEPLOY.md");
    let script = deploy_script(&markdown);
    let check = Command::new("bash")
        .arg("-n")
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut b| {
            std::io::Write::write_all(&mut b.stdin.take().unwrap(), script.as_bytes())?;
            b.wait_with_output()
        })
        .expect("bash is needed to test the recipe's script");
    assert!(
        check.status.success(),
        "the deployment script is not valid shell: {}\n{script}",
        String::from_utf8_lossy(&check.stderr)
    );
    for never in [
        "terraform",
        "azuredeploy.json",
        "AMLGEN_FIRST_DEPLOYMENT=true",
        "firstDeployment=true",
        "=<",
    ] {
        assert!(
            !script.contains(never),
            "the deployment script runs `{never}`:\n{script}"
        );
    }
    assert!(script.contains(": \"${DEPLOYER:?set the pipeline variable DEPLOYER}\""));
    assert!(script.contains("az ml workspace provision-network"));
    // One Bicep deployment per workspace, as many as DEPLOY.md lists.
    let workspaces = markdown
        .lines()
        .filter(|l| l.starts_with("### ") && l.contains(". `"))
        .count();
    assert!(workspaces > 1);
    assert_eq!(
        script
            .lines()
            .filter(|l| l.starts_with("az deployment group create")
                && l.contains("--template-file workspaces/"))
            .count(),
        workspaces
    );
}
