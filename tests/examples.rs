//! Every example checks without errors, and its diagnostics (warnings and
//! notes it is expected to carry) are snapshotted.

use std::path::Path;

fn check(path: &Path) -> amlgen::Outcome {
    let text = std::fs::read_to_string(path).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let name = path
        .strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/");
    amlgen::compile(
        vec![amlgen::Input { name, text }],
        // A fixed build date: the examples' accepted risks expire.
        &amlgen::Options {
            today: amlgen::ir::Date::parse("2026-12-07").unwrap(),
            ..amlgen::Options::default()
        },
    )
}

#[test]
fn examples_check_clean() {
    let mut count = 0;
    insta::glob!("../examples", "*/posture.aml", |path| {
        count += 1;
        let outcome = check(path);
        let rendered = amlgen::diag::render::human(&outcome.diagnostics, &outcome.sources, false);
        assert!(
            !outcome.has_errors(),
            "{} has errors:\n{rendered}",
            path.display()
        );
        assert!(outcome.checked.is_some());
        insta::assert_snapshot!(if rendered.is_empty() {
            "(no diagnostics)\n".to_string()
        } else {
            rendered
        });
    });
    assert!(count >= 7, "expected at least 7 examples, found {count}");
}

/// The examples cover what the language promises: several workspaces in
/// one file, each rule kind, the presets, selected IPs, Spark, hub DNS and
/// a policy block.
#[test]
fn examples_cover_the_sketch() {
    use amlgen::ir::{Destination, Dns, Preset, PublicNetworkAccess, RuleKind};
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut workspaces = Vec::new();
    let mut policies = 0;
    let mut max_per_file = 0;
    for entry in std::fs::read_dir(&root).unwrap() {
        let p = entry.unwrap().path().join("posture.aml");
        let outcome = check(&p);
        let posture = outcome
            .checked
            .expect("examples check clean")
            .posture()
            .clone();
        max_per_file = max_per_file.max(posture.workspaces.len());
        policies += posture.policies.len();
        workspaces.extend(posture.workspaces);
    }
    let rules: Vec<_> = workspaces.iter().flat_map(|w| &w.outbound.rules).collect();
    for kind in [
        RuleKind::PrivateEndpoint,
        RuleKind::ServiceTag,
        RuleKind::Fqdn,
    ] {
        assert!(
            rules.iter().any(|r| r.destination.kind() == kind),
            "no {kind:?} rule"
        );
    }
    let presets: Vec<Preset> = workspaces
        .iter()
        .flat_map(|w| w.outbound.presets.iter().map(|p| p.0))
        .collect();
    for p in [
        Preset::PythonPackages,
        Preset::HuggingFace,
        Preset::SelectedIps,
    ] {
        assert!(presets.contains(&p), "no example uses {p:?}");
    }
    assert!(rules.iter().any(|r| matches!(
        r.destination,
        Destination::PrivateEndpoint { spark: true, .. }
    )));
    assert!(workspaces.iter().any(|w| matches!(
        w.inbound.public_network_access.value,
        PublicNetworkAccess::SelectedIps(_)
    )));
    assert!(workspaces.iter().any(|w| {
        w.inbound
            .private_endpoint
            .as_ref()
            .is_some_and(|pe| matches!(pe.dns, Dns::Existing(_)))
    }));
    assert!(
        max_per_file >= 3,
        "no fleet of three workspaces in one file"
    );
    assert!(policies >= 1, "no policy block");
}
