//! `amlgen build`: golden snapshots of every artifact of every example,
//! the committed `out/` is what the examples build to, determinism, the
//! drift check and atomic output (adversarial strings: `tests/adversarial.rs`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use amlgen::emit::{Artifacts, BuildOptions};
use amlgen::manifest::Target;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The examples as `amlgen build examples` reads them from the project root.
fn example_inputs() -> Vec<amlgen::Input> {
    let paths = amlgen::driver::collect_paths(&[root().join("examples")]).unwrap();
    paths
        .iter()
        .map(|p| amlgen::Input {
            name: amlgen::driver::display_name(p.strip_prefix(root()).unwrap()),
            text: std::fs::read_to_string(p).unwrap(),
        })
        .collect()
}

/// The build of `inputs` stamped with `version`; a test version pins the
/// source hash too, so the manifest's input hashes stay put while amlgen
/// changes (the release version builds as the binary does).
fn build_inputs(inputs: Vec<amlgen::Input>, version: &str) -> Artifacts {
    // A fixed build date: the examples' accepted risks expire.
    let options = amlgen::Options {
        today: amlgen::ir::Date::parse("2026-12-07").unwrap(),
        ..amlgen::Options::default()
    };
    let outcome = amlgen::compile(inputs, &options);
    let rendered = amlgen::diag::render::human(&outcome.diagnostics, &outcome.sources, false);
    assert!(!outcome.has_errors(), "{rendered}");
    // Every target, as `out/` is built (`--target all`).
    let options = BuildOptions {
        version: version.to_string(),
        source: if version == env!("CARGO_PKG_VERSION") {
            BuildOptions::default().source
        } else {
            "test".to_string()
        },
        templates: None,
        targets: vec![Target::Bicep, Target::Terraform],
        ..BuildOptions::default()
    };
    amlgen::driver::emit(&outcome, &options).unwrap()
}

fn amlgen(args: &[&str]) -> Output {
    // `build` at a fixed date: the examples' accepted risks expire.
    let today: &[&str] = if args.first() == Some(&"build") {
        &["--today", "2026-12-07"]
    } else {
        &[]
    };
    Command::new(env!("CARGO_BIN_EXE_amlgen"))
        .current_dir(root())
        .args(args)
        .args(today)
        .output()
        .expect("amlgen runs")
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("build")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn every_artifact_of_every_example_is_pinned() {
    let files = build_inputs(example_inputs(), "0.0.0-test");
    assert!(files.len() > 40, "only {} files", files.len());
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path("snapshots/build");
    settings.bind(|| {
        for (path, text) in &files {
            insta::assert_snapshot!(path.replace('/', "__"), text);
        }
    });
}

#[test]
fn committed_out_is_the_build_of_the_examples() {
    let files = build_inputs(example_inputs(), env!("CARGO_PKG_VERSION"));
    let drifts = amlgen::driver::drift(&root().join("out"), &files).unwrap();
    assert!(
        drifts.is_empty(),
        "out/ is stale; run `cargo run --release -- build examples` and commit:\n{drifts:#?}"
    );
}

#[test]
fn rebuilding_gives_identical_bytes() {
    let a = build_inputs(example_inputs(), "0.0.0-test");
    let b = build_inputs(example_inputs(), "0.0.0-test");
    assert_eq!(a, b);
    for (path, text) in &a {
        assert!(!text.contains('\r'), "{path} has a CR");
        assert!(text.ends_with('\n'), "{path} does not end in a newline");
    }
}

#[test]
fn every_workspace_gets_its_artifacts_and_the_manifest_hashes_them() {
    let files = build_inputs(example_inputs(), "0.0.0-test");
    let manifest = amlgen::manifest::Manifest::parse(&files[amlgen::manifest::FILE_NAME]).unwrap();
    assert!(manifest.workspaces.len() >= 9);
    for (name, ws) in &manifest.workspaces {
        for file in [
            "main.bicep",
            "main.bicepparam",
            "azuredeploy.json",
            "REPORT.md",
            "modules/workspace.bicep",
        ] {
            let path = format!("workspaces/{name}/{file}");
            let text = files.get(&path).unwrap_or_else(|| panic!("{path} missing"));
            assert_eq!(
                ws.artifacts[&path],
                format!("sha256:{}", amlgen::emit::sha256_hex(text.as_bytes()))
            );
        }
    }
}

#[test]
fn drift_check_sees_a_one_byte_change_and_a_missing_file() {
    let dir = scratch("drift");
    let out = dir.join("out");
    let out_s = out.to_string_lossy().into_owned();
    let o = amlgen(&["build", "examples", "--out", &out_s]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = amlgen(&["build", "examples", "--out", &out_s, "--check"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );

    // One byte.
    let f = out.join("workspaces/mlw-claims/modules/storage.bicep");
    let text = std::fs::read_to_string(&f).unwrap();
    std::fs::write(&f, text.replacen("Standard_ZRS", "Standard_ZRT", 1)).unwrap();
    let o = amlgen(&["build", "examples", "--out", &out_s, "--check"]);
    assert_eq!(o.status.code(), Some(1));
    let diff = String::from_utf8_lossy(&o.stdout);
    assert!(diff.contains("-    name: 'Standard_ZRT'"), "{diff}");
    assert!(diff.contains("+    name: 'Standard_ZRS'"), "{diff}");
    std::fs::write(&f, text).unwrap();

    // A missing file, and a file the build does not make.
    std::fs::remove_file(out.join("workspaces/mlw-claims/REPORT.md")).unwrap();
    std::fs::write(out.join("stray.txt"), "x").unwrap();
    let o = amlgen(&["build", "examples", "--out", &out_s, "--check"]);
    assert_eq!(o.status.code(), Some(1));
    let report = String::from_utf8_lossy(&o.stdout);
    assert!(
        report.contains("missing: workspaces/mlw-claims/REPORT.md"),
        "{report}"
    );
    assert!(report.contains("extra: stray.txt"), "{report}");
}

#[test]
fn a_rebuild_carries_unchanged_workspaces_and_render_all_makes_the_same_tree() {
    let dir = scratch("rebuild");
    let out = dir.join("out");
    let out_s = out.to_string_lossy().into_owned();
    let stderr = |args: &[&str]| {
        let o = amlgen(args);
        let text = String::from_utf8_lossy(&o.stderr).into_owned();
        assert_eq!(o.status.code(), Some(0), "{text}");
        text
    };
    let first = stderr(&["build", "examples", "--out", &out_s]);
    assert!(!first.contains("carried over"), "{first}");
    let carried = snapshot_tree(&out);
    let again = stderr(&["build", "examples", "--out", &out_s]);
    assert!(
        again.contains("of unchanged workspaces carried over"),
        "{again}"
    );
    assert_eq!(snapshot_tree(&out), carried);
    let all = stderr(&["build", "examples", "--out", &out_s, "--render-all"]);
    assert!(!all.contains("carried over"), "{all}");
    assert_eq!(snapshot_tree(&out), carried);
    for flag in ["--render-all", "--skip-unchanged"] {
        let check = stderr(&["build", "examples", "--out", &out_s, "--check", flag]);
        assert!(check.contains("is up to date"), "{check}");
    }
}

#[test]
fn the_check_does_not_trust_the_manifest_in_the_output_directory() {
    let dir = scratch("tampered");
    let out = dir.join("out");
    let out_s = out.to_string_lossy().into_owned();
    assert_eq!(
        amlgen(&["build", "examples", "--out", &out_s])
            .status
            .code(),
        Some(0)
    );
    // A file changed by hand, and the manifest's hash of it changed to
    // match, as a pull request could.
    let path = "workspaces/mlw-claims/modules/storage.bicep";
    let old = std::fs::read(out.join(path)).unwrap();
    let mut new = old.clone();
    new.extend_from_slice(b"// tampered\n");
    std::fs::write(out.join(path), &new).unwrap();
    let lock = out.join(amlgen::manifest::FILE_NAME);
    let text = std::fs::read_to_string(&lock).unwrap().replace(
        &amlgen::manifest::sha256_hex(&old),
        &amlgen::manifest::sha256_hex(&new),
    );
    std::fs::write(&lock, text).unwrap();
    // The check renders every workspace and sees it.
    let o = amlgen(&["build", "examples", "--out", &out_s, "--check"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("-// tampered"));
    // `--skip-unchanged` trusts the manifest, as its help says.
    let o = amlgen(&[
        "build",
        "examples",
        "--out",
        &out_s,
        "--check",
        "--skip-unchanged",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn snapshot_tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    amlgen::driver::read_tree(dir)
        .unwrap()
        .into_iter()
        .collect()
}

#[test]
fn a_failed_build_leaves_the_previous_output_intact() {
    let dir = scratch("atomic");
    let out = dir.join("out");
    let out_s = out.to_string_lossy().into_owned();
    assert_eq!(
        amlgen(&["build", "examples", "--out", &out_s])
            .status
            .code(),
        Some(0)
    );
    let before = snapshot_tree(&out);

    // A posture error: nothing is written.
    let bad = dir.join("bad.aml");
    std::fs::write(
        &bad,
        "workspace \"mlw-demo\" {\n  resource_group = \"rg\"\n  region = \"westeurope\"\n  outbound { mode = sideways }\n}\n",
    )
    .unwrap();
    let o = amlgen(&["build", &bad.to_string_lossy(), "--out", &out_s]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("nothing was built"));
    assert_eq!(snapshot_tree(&out), before);

    // Templates that do not render: the build fails before writing.
    let tpl = dir.join("templates");
    std::fs::create_dir_all(&tpl).unwrap();
    std::fs::write(tpl.join("module.bicep.hbs"), "{{no_such_helper x}}").unwrap();
    let o = amlgen(&[
        "build",
        "examples",
        "--out",
        &out_s,
        "--templates",
        &tpl.to_string_lossy(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(snapshot_tree(&out), before);

    // A directory that is not an amlgen output is never replaced.
    let other = dir.join("not-out");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("precious.txt"), "keep me").unwrap();
    let o = amlgen(&["build", "examples", "--out", &other.to_string_lossy()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("refusing to replace it"));
    assert_eq!(
        std::fs::read_to_string(other.join("precious.txt")).unwrap(),
        "keep me"
    );

    // An output directory that cannot be created.
    let o = amlgen(&[
        "build",
        "examples",
        "--out",
        "/proc/amlgen-cannot-write/out",
    ]);
    assert_eq!(o.status.code(), Some(2));

    // No temporary directories are left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains(".amlgen-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn templates_can_be_overridden() {
    let dir = scratch("templates");
    std::fs::write(
        dir.join("main.bicepparam.hbs"),
        "// custom\nusing './main.bicep'\n\nparam location = {{bicep location}}\n\nparam tags = {{bicep tags}}\n",
    )
    .unwrap();
    let outcome = amlgen::compile(example_inputs(), &amlgen::Options::default());
    let options = BuildOptions {
        version: "0.0.0-test".into(),
        templates: Some(dir),
        ..BuildOptions::default()
    };
    let files = amlgen::driver::emit(&outcome, &options).unwrap();
    assert!(files["workspaces/mlw-claims/main.bicepparam"].starts_with("// custom\n"));
    // The others stay the embedded ones.
    assert!(files["workspaces/mlw-claims/main.bicep"].starts_with("// Generated by amlgen"));
}

#[test]
fn targets_are_chosen_by_flag_else_by_the_previous_manifest() {
    let dir = scratch("targets");
    let out = dir.join("out");
    let out_s = out.to_string_lossy().into_owned();
    let tf = out.join("workspaces/mlw-claims/terraform/main.tf");
    let bicep = out.join("workspaces/mlw-claims/main.bicep");
    let manifest = || {
        amlgen::manifest::Manifest::parse(
            &std::fs::read_to_string(out.join(amlgen::manifest::FILE_NAME)).unwrap(),
        )
        .unwrap()
        .targets
    };
    let ok = |args: &[&str]| {
        let o = amlgen(args);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    };

    // No flag, no previous manifest: Bicep, as every build before.
    ok(&["build", "examples", "--out", &out_s]);
    assert!(bicep.exists() && !tf.exists());
    assert_eq!(manifest(), [Target::Bicep]);

    // Terraform only: no Bicep, no ARM JSON; the reports stay.
    ok(&[
        "build",
        "examples",
        "--out",
        &out_s,
        "--target",
        "terraform",
    ]);
    assert!(tf.exists() && !bicep.exists());
    assert!(!out.join("workspaces/mlw-claims/azuredeploy.json").exists());
    assert!(out.join("workspaces/mlw-claims/REPORT.md").exists());
    assert!(
        out.join("policies/ml-guardrails/terraform/main.tf")
            .exists()
    );
    assert!(!out.join("policies/ml-guardrails/main.bicep").exists());
    assert_eq!(manifest(), [Target::Terraform]);

    // `all`, then a plain build and a plain check keep what it recorded.
    ok(&["build", "examples", "--out", &out_s, "--target", "all"]);
    assert_eq!(manifest(), [Target::Bicep, Target::Terraform]);
    ok(&["build", "examples", "--out", &out_s]);
    assert!(tf.exists() && bicep.exists());
    assert_eq!(manifest(), [Target::Bicep, Target::Terraform]);
    ok(&["build", "examples", "--out", &out_s, "--check"]);

    // A check for fewer targets than the directory holds sees the extra files.
    let o = amlgen(&[
        "build", "examples", "--out", &out_s, "--check", "--target", "bicep",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stdout)
            .contains("extra: workspaces/mlw-claims/terraform/main.tf")
    );
}
