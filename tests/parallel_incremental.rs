//! A build on several threads and an incremental write: the bytes and the
//! order the sink receives do not depend on the thread count; an
//! incremental build writes what a full build writes; unchanged files are
//! carried as hard links and no file of the old output ever changes; a
//! failure leaves the old output as it was.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

use amlgen::emit::BuildOptions;

/// A fleet of `n` workspaces (outbound rules, a private endpoint) in one
/// file; `bump` changes a rule of that workspace. The examples are built
/// beside it (custom VNet mode, policy blocks, the hub firewall).
fn fleet(n: usize, bump: Option<usize>) -> String {
    let mut text = String::from(
        "let hub = \"/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg-hub/providers/Microsoft.Network\"\n\
         defaults {\n  region = \"westeurope\"\n  profile = exfiltration_protected\n}\n",
    );
    for w in 0..n {
        let port = if bump == Some(w) { 9443 } else { 8443 };
        let _ = write!(
            text,
            "workspace \"mlw-t-{w:03}\" {{\n  resource_group = \"rg-t-{w:03}\"\n  inbound {{ private_endpoint {{ subnet = \"${{hub}}/virtualNetworks/vnet-hub/subnets/snet-pe\"  dns = create }} }}\n  container_registry {{ image_build_compute = \"build\" }}\n  outbound {{\n    firewall_sku = basic\n    rule \"pkg\" fqdn \"pkg{w}.contoso.com\"\n    rule \"tag\" service_tag \"DataFactory\" {{ protocol = tcp  ports = \"{port}\" }}\n  }}\n}}\n"
        );
    }
    text
}

fn inputs(fleet_text: String) -> Vec<amlgen::Input> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut inputs = vec![amlgen::Input {
        name: "fleet.aml".into(),
        text: fleet_text,
    }];
    for p in amlgen::driver::collect_paths(&[root.join("examples")]).unwrap() {
        inputs.push(amlgen::Input {
            name: amlgen::driver::display_name(p.strip_prefix(root).unwrap()),
            text: std::fs::read_to_string(&p).unwrap(),
        });
    }
    inputs
}

fn compile(inputs: Vec<amlgen::Input>) -> amlgen::Outcome {
    let outcome = amlgen::compile(inputs, &amlgen::Options::default());
    assert!(
        !outcome.has_errors(),
        "{}",
        amlgen::diag::render::human(&outcome.diagnostics, &outcome.sources, false)
    );
    outcome
}

fn options(jobs: usize) -> BuildOptions {
    BuildOptions {
        version: "0.0.0-test".into(),
        targets: vec![
            amlgen::manifest::Target::Bicep,
            amlgen::manifest::Target::Terraform,
        ],
        jobs,
        ..BuildOptions::default()
    }
}

/// The files in the order the sink receives them.
fn sequence(outcome: &amlgen::Outcome, jobs: usize) -> Vec<(String, String)> {
    let mut seen = Vec::new();
    amlgen::driver::emit_into(outcome, &options(jobs), &mut |p, t| {
        seen.push((p.to_string(), t));
        Ok(())
    })
    .unwrap();
    seen
}

#[test]
fn parallel_builds_give_the_sequential_bytes_in_the_same_order() {
    // More workspaces than one window of two threads (32), so windows
    // overlap with the sink.
    let outcome = compile(inputs(fleet(75, None)));
    let one = sequence(&outcome, 1);
    assert!(one.len() > 75 * 10, "{}", one.len());
    assert_eq!(one.last().unwrap().0, amlgen::manifest::FILE_NAME);
    for jobs in [2, 3, 8] {
        let many = sequence(&outcome, jobs);
        assert_eq!(one.len(), many.len(), "jobs = {jobs}");
        for (a, b) in one.iter().zip(&many) {
            assert!(a == b, "jobs = {jobs}: {} differs from {}", a.0, b.0);
        }
    }
}

#[test]
fn a_failing_workspace_fails_the_parallel_build_as_the_sequential_one() {
    // A template override that cannot render: the first workspace's
    // error, whatever the thread count.
    let dir = scratch("bad-templates");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("module.bicep.hbs"), "{{nope}}").unwrap();
    let outcome = compile(inputs(fleet(40, None)));
    let err = |jobs| {
        let o = BuildOptions {
            templates: Some(dir.clone()),
            ..options(jobs)
        };
        amlgen::driver::emit_into(&outcome, &o, &mut |_, _| Ok(())).unwrap_err()
    };
    assert_eq!(err(1), err(4));
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/test-parallel-incremental")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.parent().unwrap()).unwrap();
    dir
}

fn write(out: &Path, outcome: &amlgen::Outcome) {
    amlgen::driver::write_atomic_with(out, |sink| {
        amlgen::driver::emit_into(outcome, &options(2), sink)
    })
    .unwrap();
}

type Tree = BTreeMap<String, Vec<u8>>;

#[test]
fn an_incremental_build_writes_what_a_full_build_writes() {
    let out = scratch("incremental");
    let fresh = scratch("full");
    write(&out, &compile(inputs(fleet(30, None))));
    // One workspace changed, one dropped, one added.
    let next = compile(inputs(
        fleet(31, Some(4)).replace("workspace \"mlw-t-007\"", "workspace \"mlw-t-x07\""),
    ));
    write(&out, &next);
    write(&fresh, &next);
    let (a, b) = (
        amlgen::driver::read_tree(&out).unwrap(),
        amlgen::driver::read_tree(&fresh).unwrap(),
    );
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, bytes) in &a {
        assert!(bytes == &b[path], "{path} differs");
    }
    assert!(!a.keys().any(|p| p.starts_with("workspaces/mlw-t-007/")));
}

/// Hard links to every file of `dir`, made in `keep`, with their bytes:
/// the old output's files, which must outlive its replacement unchanged.
fn keep_links(dir: &Path, keep: &Path) -> Tree {
    let tree = amlgen::driver::read_tree(dir).unwrap();
    for path in tree.keys() {
        let to = keep.join(path.replace('/', "__"));
        std::fs::create_dir_all(keep).unwrap();
        std::fs::hard_link(dir.join(path), to).unwrap();
    }
    tree
}

/// The paths whose kept file no longer holds what it held.
fn changed_since(keep: &Path, before: &Tree) -> Vec<String> {
    before
        .iter()
        .filter(|(path, bytes)| {
            std::fs::read(keep.join(path.replace('/', "__")))
                .ok()
                .as_ref()
                != Some(*bytes)
        })
        .map(|(p, _)| p.clone())
        .collect()
}

#[test]
fn no_file_of_the_old_output_is_written_through() {
    let out = scratch("written-through");
    let keep = scratch("written-through-keep");
    write(&out, &compile(inputs(fleet(20, None))));
    let before = keep_links(&out, &keep);
    let next = compile(inputs(fleet(20, Some(3))));
    write(&out, &next);
    let after = amlgen::driver::read_tree(&out).unwrap();
    // The build changed some files and carried the others.
    let changed: Vec<&String> = after
        .iter()
        .filter(|(p, b)| before.get(*p) != Some(*b))
        .map(|(p, _)| p)
        .collect();
    assert!(
        !changed.is_empty() && changed.len() < after.len() / 2,
        "{changed:?}"
    );
    assert!(
        changed
            .iter()
            .any(|p| p.starts_with("workspaces/mlw-t-003/")),
        "{changed:?}"
    );
    assert_eq!(changed_since(&keep, &before), Vec::<String>::new());
    // The check sees a write through a link (what a writer that opened
    // an existing file would do): an unchanged file, carried as a link.
    let victim = "workspaces/mlw-t-004/REPORT.md";
    std::fs::write(out.join(victim), "through").unwrap();
    assert_eq!(changed_since(&keep, &before), [victim.to_string()]);
}

#[cfg(unix)]
#[test]
fn unchanged_files_are_hard_links_and_changed_ones_new_files() {
    use std::os::unix::fs::MetadataExt;
    let out = scratch("inodes");
    write(&out, &compile(inputs(fleet(10, None))));
    let inode = |p: &str| std::fs::metadata(out.join(p)).unwrap().ino();
    let kept = "workspaces/mlw-t-001/main.bicep";
    let changed = "workspaces/mlw-t-002/REPORT.md";
    let (kept_before, changed_before) = (inode(kept), inode(changed));
    write(&out, &compile(inputs(fleet(10, Some(2)))));
    assert_eq!(inode(kept), kept_before);
    assert_ne!(inode(changed), changed_before);
}

#[test]
fn a_failed_incremental_build_leaves_the_old_output_intact() {
    let out = scratch("failed");
    write(&out, &compile(inputs(fleet(20, None))));
    let before = amlgen::driver::read_tree(&out).unwrap();
    let next = compile(inputs(fleet(20, Some(5))));
    // The sink fails after half of the files, some carried, some new.
    let mut n = 0usize;
    let half = before.len() / 2;
    let err = amlgen::driver::write_atomic_with(&out, |sink| {
        amlgen::driver::emit_into(&next, &options(2), &mut |p, t| {
            n += 1;
            if n > half {
                return Err("injected failure".to_string());
            }
            sink(p, t)
        })
    })
    .unwrap_err();
    assert_eq!(err, "injected failure");
    assert_eq!(amlgen::driver::read_tree(&out).unwrap(), before);
    let parent = out.parent().unwrap();
    let leftovers: Vec<_> = std::fs::read_dir(parent)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(".failed.amlgen")
        })
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_hand_edited_output_file_is_not_carried() {
    let out = scratch("hand-edited");
    let outcome = compile(inputs(fleet(5, None)));
    write(&out, &outcome);
    let path = out.join("workspaces/mlw-t-001/main.bicep");
    let good = std::fs::read(&path).unwrap();
    // Same size, so only the bytes tell.
    let mut edited = good.clone();
    let last = edited.len() - 2;
    edited[last] = if edited[last] == b'x' { b'y' } else { b'x' };
    std::fs::write(&path, &edited).unwrap();
    write(&out, &outcome);
    assert_eq!(std::fs::read(&path).unwrap(), good);
}

/// The examples, with one file changed by `change`.
fn examples_with(file: usize, change: impl Fn(&str) -> String) -> Vec<amlgen::Input> {
    let mut all = inputs(fleet(3, None));
    all[file].text = change(&all[file].text);
    all
}

/// Small changes to a posture file: some change places only (line
/// numbers with the same byte offsets), some values, some nothing.
/// A named change to a posture file's text.
type Change = (&'static str, Box<dyn Fn(&str) -> String>);

fn changes() -> Vec<Change> {
    vec![
        ("a line before", Box::new(|t: &str| format!("\n{t}"))),
        (
            "a comment after",
            Box::new(|t: &str| format!("{t}\n# after\n")),
        ),
        // Same bytes before every later span, one line fewer.
        (
            "a blank line joined",
            Box::new(|t: &str| t.replacen("\n\n", " \n", 1)),
        ),
        (
            "a resource group",
            Box::new(|t: &str| t.replacen("\"rg-", "\"rg-x", 1)),
        ),
        (
            "a region",
            Box::new(|t: &str| t.replacen("westeurope", "northeurope", 1)),
        ),
        ("a port", Box::new(|t: &str| t.replacen("8443", "8444", 1))),
    ]
}

#[test]
fn check_skipping_unchanged_workspaces_reports_what_a_full_check_reports() {
    let out = scratch("check-skip");
    let base = compile(inputs(fleet(3, None)));
    write(&out, &base);
    let files = inputs(fleet(3, None)).len();
    let mut drifted = 0;
    for file in 0..files {
        for (what, change) in changes() {
            let outcome =
                amlgen::compile(examples_with(file, &change), &amlgen::Options::default());
            if outcome.has_errors() {
                continue;
            }
            let full = amlgen::driver::drift_with(&out, |sink| {
                amlgen::driver::emit_into(&outcome, &options(2), sink)
            })
            .unwrap();
            let (skipping, _) = amlgen::driver::drift_reusing(&out, &outcome, &options(2)).unwrap();
            assert_eq!(full, skipping, "file {file}, {what}");
            drifted += usize::from(!full.is_empty());
        }
    }
    // Most changes change some output: the comparison is not vacuous.
    assert!(drifted > files * 3, "{drifted}");
    // Another version: every workspace rendered again.
    let other = BuildOptions {
        version: "0.0.1-test".into(),
        ..options(2)
    };
    let (d, _) = amlgen::driver::drift_reusing(&out, &base, &other).unwrap();
    assert!(d.len() > 12, "{}", d.len());
    // A file edited on disk is seen, though its workspace's inputs hash
    // as recorded.
    let edited = "workspaces/mlw-t-002/REPORT.md";
    std::fs::write(out.join(edited), "edited").unwrap();
    let (d, _) = amlgen::driver::drift_reusing(&out, &base, &options(2)).unwrap();
    assert!(
        matches!(d.as_slice(), [amlgen::driver::Drift::Changed(p, _)] if p == edited),
        "{d:?}"
    );
}

#[test]
fn a_build_that_reuses_every_workspace_writes_the_same_manifest() {
    let outcome = compile(inputs(fleet(6, None)));
    let full = amlgen::driver::emit(&outcome, &options(2)).unwrap();
    let manifest = amlgen::manifest::Manifest::parse(&full[amlgen::manifest::FILE_NAME]).unwrap();
    assert!(manifest.workspaces.values().all(|w| w.inputs.is_some()));
    let checked = outcome.checked.as_ref().unwrap();
    let reuse = |name: &str, inputs: &str| {
        let w = &manifest.workspaces[name];
        (w.inputs.as_deref() == Some(inputs)).then(|| w.artifacts.clone())
    };
    let mut seen = BTreeMap::new();
    amlgen::emit::build_reusing(
        checked,
        &outcome.findings,
        &outcome.accepted_risks,
        &outcome.sources,
        &options(1),
        &reuse,
        &mut |p, t| {
            seen.insert(p.to_string(), t);
            Ok(())
        },
    )
    .unwrap();
    assert!(
        !seen.keys().any(|p| p.starts_with("workspaces/")),
        "{:?}",
        seen.keys()
    );
    assert_eq!(
        seen[amlgen::manifest::FILE_NAME],
        full[amlgen::manifest::FILE_NAME]
    );
}

/// `amlgen build`'s write: unchanged workspaces carried, not rendered.
fn write_reusing(out: &Path, outcome: &amlgen::Outcome, options: &BuildOptions) -> (usize, usize) {
    amlgen::driver::write_reusing(out, outcome, options).unwrap()
}

#[test]
fn a_write_reusing_unchanged_workspaces_writes_what_a_full_build_writes() {
    let out = scratch("write-reusing");
    let (all, none) = write_reusing(&out, &compile(inputs(fleet(3, None))), &options(2));
    assert_eq!(none, 0, "nothing to reuse yet");
    assert!(all > 100, "{all}");
    let files = inputs(fleet(3, None)).len();
    let (mut cases, mut partly_reused) = (0, 0);
    // Each change is written over the output of the one before, and must
    // leave exactly what a build into memory makes. Every file gets two of
    // the changes, in turn, so every change meets several files.
    let changes = changes();
    for file in 0..files {
        for (what, change) in [file % 6, (file + 3) % 6].map(|i| &changes[i]) {
            let outcome = amlgen::compile(examples_with(file, change), &amlgen::Options::default());
            if outcome.has_errors() {
                continue;
            }
            let (count, reused) = write_reusing(&out, &outcome, &options(2));
            let expected = amlgen::driver::emit(&outcome, &options(2)).unwrap();
            let written = amlgen::driver::read_tree(&out).unwrap();
            assert_eq!(count, expected.len(), "file {file}, {what}");
            assert_eq!(
                written.keys().collect::<Vec<_>>(),
                expected.keys().collect::<Vec<_>>(),
                "file {file}, {what}"
            );
            for (path, text) in &expected {
                assert!(
                    written[path] == text.as_bytes(),
                    "file {file}, {what}: {path} differs"
                );
            }
            cases += 1;
            partly_reused += usize::from(reused > 0 && reused < count);
        }
    }
    // The comparison is not vacuous: most writes carried some workspaces
    // and rendered others.
    assert!(
        cases > files && partly_reused > files,
        "{cases} {partly_reused}"
    );
}

#[cfg(unix)]
#[test]
fn a_reused_workspace_keeps_its_files_and_a_changed_one_is_rendered() {
    use std::os::unix::fs::MetadataExt;
    let out = scratch("write-reusing-inodes");
    write_reusing(&out, &compile(inputs(fleet(10, None))), &options(2));
    let keep = scratch("write-reusing-keep");
    let before = keep_links(&out, &keep);
    let inode = |p: &str| std::fs::metadata(out.join(p)).unwrap().ino();
    let kept = "workspaces/mlw-t-001/main.bicep";
    let changed = "workspaces/mlw-t-002/REPORT.md";
    let (kept_before, changed_before) = (inode(kept), inode(changed));
    let (count, reused) = write_reusing(&out, &compile(inputs(fleet(10, Some(2)))), &options(2));
    assert_eq!(inode(kept), kept_before);
    assert_ne!(inode(changed), changed_before);
    // Every workspace of the fleet file but the changed one is carried.
    let per_workspace = before
        .keys()
        .filter(|p| p.starts_with("workspaces/mlw-t-001/"))
        .count();
    assert!(
        reused >= 9 * per_workspace && reused < count,
        "{reused} of {count}"
    );
    assert_eq!(changed_since(&keep, &before), Vec::<String>::new());
}

#[test]
fn a_hand_edited_file_of_an_unchanged_workspace_is_rendered_again() {
    let out = scratch("write-reusing-edited");
    let outcome = compile(inputs(fleet(5, None)));
    write_reusing(&out, &outcome, &options(2));
    let path = out.join("workspaces/mlw-t-001/main.bicep");
    let good = std::fs::read(&path).unwrap();
    std::fs::write(&path, "// edited\n").unwrap();
    let (count, reused) = write_reusing(&out, &outcome, &options(2));
    assert_eq!(std::fs::read(&path).unwrap(), good);
    // The others are still carried.
    assert!(reused > 0 && reused < count, "{reused} of {count}");
    // A removed file too.
    std::fs::remove_file(&path).unwrap();
    write_reusing(&out, &outcome, &options(2));
    assert_eq!(std::fs::read(&path).unwrap(), good);
}

#[test]
fn another_amlgen_source_or_version_reuses_nothing() {
    let out = scratch("write-reusing-source");
    let outcome = compile(inputs(fleet(5, None)));
    write_reusing(&out, &outcome, &options(2));
    let (_, reused) = write_reusing(&out, &outcome, &options(2));
    assert!(reused > 0);
    for other in [
        BuildOptions {
            source: "another source".into(),
            ..options(2)
        },
        BuildOptions {
            version: "0.0.1-test".into(),
            ..options(2)
        },
    ] {
        let (_, reused) = write_reusing(&out, &outcome, &other);
        assert_eq!(reused, 0);
        // Written by the other amlgen: reused by it.
        let (_, reused) = write_reusing(&out, &outcome, &other);
        assert!(reused > 0);
    }
    // Template overrides record no input hash: nothing is reused.
    let templates = scratch("write-reusing-templates");
    std::fs::create_dir_all(&templates).unwrap();
    let with = BuildOptions {
        templates: Some(templates),
        ..options(2)
    };
    write_reusing(&out, &outcome, &with);
    assert_eq!(write_reusing(&out, &outcome, &with).1, 0);
}
