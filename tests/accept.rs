//! Accepted risks (`accept`) and the command-line severity flags: the
//! artifacts depend only on the postures (and the build's date), never on
//! `--allow`, `--deny` or `--deny-warnings`; accepted findings are listed
//! in REPORT.md with their reason, owner and expiry, escaped for Markdown;
//! expiry follows the build's date.

use std::path::Path;

use amlgen::diag::{Code, Severity};
use amlgen::emit::{Artifacts, BuildOptions};
use amlgen::ir::Date;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A fixed build date: tests never read the clock.
fn today() -> Date {
    Date::parse("2026-12-07").unwrap()
}

/// Every `*.aml` below `dir` (relative to the project root), as inputs.
fn inputs(dir: &str) -> Vec<amlgen::Input> {
    amlgen::driver::collect_paths(&[root().join(dir)])
        .unwrap()
        .iter()
        .map(|p| amlgen::Input {
            name: amlgen::driver::display_name(p.strip_prefix(root()).unwrap()),
            text: std::fs::read_to_string(p).unwrap(),
        })
        .collect()
}

fn one(name: &str, text: &str) -> Vec<amlgen::Input> {
    vec![amlgen::Input {
        name: name.to_string(),
        text: text.to_string(),
    }]
}

fn options() -> amlgen::Options {
    amlgen::Options {
        today: today(),
        ..amlgen::Options::default()
    }
}

fn build(outcome: &amlgen::Outcome) -> Result<Artifacts, String> {
    let options = BuildOptions {
        version: "0.0.0-test".to_string(),
        ..BuildOptions::default()
    };
    amlgen::driver::emit(outcome, &options)
}

/// A posture with warnings of several codes (two workspaces), one of them
/// accepted.
const WARNED: &str = r#"
workspace "mlw-one" {
  region         = "westeurope"
  resource_group = "rg-one"
  inbound { public_network_access = enabled }
  container_registry { public_network_access = enabled }
  outbound {
    mode = allow_only_approved_outbound
    rule "conda" fqdn "repo.contoso.com"
    rule "adf" service_tag "DataFactory" { protocol = tcp  ports = "443" }
  }
  compute "ci-alice" { kind = instance  vm_size = "Standard_DS3_v2" }
}

workspace "mlw-two" {
  region = "westeurope", resource_group = "rg-two", profile = public_data
  outbound { mode = allow_only_approved_outbound, rule "pypi" fqdn "pypi.org" }
  accept AML3004 {
    reason  = "Firewall budgeted, CHG-1"
    by      = "ml-platform@contoso.com"
    expires = "2027-06-30"
  }
}
"#;

/// Builds `inputs` with no flag, then with every flag variant the
/// findings allow, and compares every artifact byte for byte. A variant
/// that fails (an escalated warning) must build nothing. Returns how many
/// variants changed what is printed, so a caller can check the flags were
/// really exercised.
fn flags_do_not_change_artifacts(what: &str, inputs: &[amlgen::Input]) -> usize {
    let base_outcome = amlgen::compile(inputs.to_vec(), &options());
    assert!(!base_outcome.has_errors(), "{what} builds without flags");
    let base = build(&base_outcome).unwrap();
    let mut codes: Vec<Code> = base_outcome
        .findings
        .iter()
        .filter(|d| d.severity != Severity::Error)
        .map(|d| d.code)
        .collect();
    codes.sort();
    codes.dedup();
    assert!(!codes.is_empty(), "{what} has warnings or notes to flag");
    let mut variants: Vec<amlgen::Options> = Vec::new();
    for code in &codes {
        variants.push(amlgen::Options {
            allow: vec![*code],
            ..options()
        });
        variants.push(amlgen::Options {
            deny: vec![*code],
            ..options()
        });
    }
    variants.push(amlgen::Options {
        allow: codes.clone(),
        ..options()
    });
    variants.push(amlgen::Options {
        deny_warnings: true,
        ..options()
    });
    let mut printed_differently = 0;
    for v in &variants {
        let outcome = amlgen::compile(inputs.to_vec(), v);
        if outcome.diagnostics != base_outcome.diagnostics {
            printed_differently += 1;
        }
        assert_eq!(
            outcome.findings, base_outcome.findings,
            "{what}: the posture's own findings do not depend on flags"
        );
        if outcome.has_errors() {
            assert!(
                build(&outcome).is_err(),
                "{what}: a build that fails under {v:?} writes nothing"
            );
            continue;
        }
        let files = build(&outcome).unwrap();
        assert_eq!(
            files.keys().collect::<Vec<_>>(),
            base.keys().collect::<Vec<_>>(),
            "{what}: {v:?} builds other files"
        );
        for (path, text) in &files {
            assert!(
                base[path].as_bytes() == text.as_bytes(),
                "{what}: {path} differs under allow {:?} deny {:?} deny-warnings {}",
                v.allow,
                v.deny,
                v.deny_warnings
            );
        }
    }
    printed_differently
}

#[test]
fn flags_never_change_any_artifact_of_the_examples() {
    let n = flags_do_not_change_artifacts("examples", &inputs("examples"));
    assert!(n > 0, "some flag changes what is printed");
}

#[test]
fn flags_never_change_any_artifact_of_a_posture_with_warnings() {
    let n = flags_do_not_change_artifacts("warned.aml", &one("warned.aml", WARNED));
    assert!(n > 0, "some flag changes what is printed");
}

#[test]
fn exit_codes_still_follow_the_flags() {
    let warned = one("warned.aml", WARNED);
    assert!(!amlgen::compile(warned.clone(), &options()).has_errors());
    let denied = amlgen::compile(
        warned.clone(),
        &amlgen::Options {
            deny_warnings: true,
            ..options()
        },
    );
    assert!(denied.has_errors());
    assert!(build(&denied).is_err());
    let allowed = amlgen::compile(
        warned,
        &amlgen::Options {
            allow: vec![Code::FqdnFirewallCost],
            ..options()
        },
    );
    assert!(
        !allowed
            .diagnostics
            .iter()
            .any(|d| d.code == Code::FqdnFirewallCost),
        "--allow still silences what is printed"
    );
}

/// `amlgen build --check` with flags against the committed `out/`: no drift.
#[test]
fn build_check_with_flags_sees_no_drift() {
    for flags in [
        &["--allow", "fqdn-firewall-cost", "--allow", "AML3018"][..],
        &["--allow", "AML3004"][..],
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_amlgen"))
            .current_dir(root())
            .args(["build", "examples", "--check", "--today", "2026-12-07"])
            .args(flags)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{flags:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

fn report(files: &Artifacts, workspace: &str) -> String {
    files[&format!("workspaces/{workspace}/REPORT.md")].clone()
}

#[test]
fn the_report_lists_accepted_risks_and_counts_them() {
    let outcome = amlgen::compile(one("warned.aml", WARNED), &options());
    assert_eq!(outcome.accepted, 1);
    // Both workspaces have FQDN rules; only mlw-one's firewall is printed.
    let printed = outcome
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::FqdnFirewallCost)
        .count();
    assert_eq!(printed, 1, "the accepted warning of mlw-two is not printed");
    assert_eq!(outcome.accepted_risks[0].workspaces, [1]);
    let files = build(&outcome).unwrap();
    let two = report(&files, "mlw-two");
    let section = two
        .split("## Accepted risks\n")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .unwrap();
    assert!(section.contains("- AML3004 (FQDN rules deploy a billed managed Azure Firewall): "));
    assert!(section.contains("  - reason: Firewall budgeted, CHG-1\n"));
    assert!(section.contains(
        "  - accepted by ml-platform@contoso.com until 2027-06-30 (waiver), at `warned.aml:"
    ));
    assert!(two.contains("## Warnings\n\n1 accepted risk is not listed here"));
    assert!(!two.contains("warning[AML3004]"));
    // The section sits just before "Warnings".
    assert!(two.find("## Accepted risks") < two.find("## Warnings"));
    let one_report = report(&files, "mlw-one");
    assert!(one_report.contains("## Accepted risks\n\nNone.\n"));
    assert!(one_report.contains("warning[AML3004]"));
}

#[test]
fn posture_strings_in_the_report_are_escaped() {
    let text = WARNED.replace(
        "reason  = \"Firewall budgeted, CHG-1\"\n    by      = \"ml-platform@contoso.com\"",
        "reason  = \"<img src=x> *bold* [link](http://x) | cell\\nnext\"\n    by      = \"`team` & <b>\"",
    );
    let outcome = amlgen::compile(one("warned.aml", &text), &options());
    assert_eq!(outcome.accepted, 1);
    let two = report(&build(&outcome).unwrap(), "mlw-two");
    assert!(
        two.contains("  - reason: \\<img src=x\\> \\*bold\\* \\[link\\](http://x) \\| cell next\n"),
        "{two}"
    );
    assert!(
        two.contains("  - accepted by \\`team\\` \\& \\<b\\> until"),
        "{two}"
    );
}

#[test]
fn expiry_follows_the_build_date() {
    let on = |day: &str| {
        amlgen::compile(
            one("warned.aml", WARNED),
            &amlgen::Options {
                today: Date::parse(day).unwrap(),
                ..amlgen::Options::default()
            },
        )
    };
    let last_day = on("2027-06-30");
    assert!(!last_day.has_errors());
    assert_eq!(last_day.accepted, 1);
    let after = on("2027-07-01");
    assert!(after.has_errors());
    assert_eq!(after.accepted, 0);
    let expired: Vec<_> = after
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::ExpiredAcceptance)
        .collect();
    assert_eq!(expired.len(), 1);
    assert!(expired[0].message.contains("expired on 2027-06-30"));
    // Reproducible: the same postures and date, the same result.
    assert_eq!(on("2027-07-01").diagnostics, after.diagnostics);
}

#[test]
fn no_unused_acceptance_when_the_posture_did_not_lower() {
    // `mlw-one` fails to lower (an unknown setting), so the rules did not
    // see it: the file-level acceptance is not called unused.
    let text = format!(
        "accept AML3160 {{\n  reason = \"r\"\n  by = \"b\"\n  expires = \"2027-01-01\"\n}}\n{}",
        WARNED.replace(
            "region         = \"westeurope\"\n  resource_group = \"rg-one\"",
            "region = \"westeurope\"\n  resource_group = \"rg-one\"\n  no_such = 1"
        )
    );
    let outcome = amlgen::compile(one("broken.aml", &text), &options());
    assert!(outcome.has_errors());
    assert!(
        !outcome
            .diagnostics
            .iter()
            .any(|d| d.code == Code::UnusedAcceptance)
    );
}
