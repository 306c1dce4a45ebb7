//! The hand-made deployed fixtures of `tests/data/deployed/` (read its
//! README): each `drift/<case>` gives exactly the drift its
//! `expected.txt` lists (the class of each, and the setting or rule it is
//! about), and each `import-loss/<case>` lists every loss of its
//! `expected-losses.txt` as not representable (or, without a workspace, as
//! not imported), never silently.

use std::path::{Path, PathBuf};

use amlgen::deployed::read::Scope;
use amlgen::diag::{Diagnostic, Diagnostics};
use amlgen::source::SourceMap;

fn cases(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/deployed")
        .join(kind);
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    out.sort();
    out
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    out.sort();
    out
}

/// The lines of an expectation file that are not comments, split on `|`.
fn expected(path: &Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split('|').map(|c| c.trim().to_string()).collect())
        .collect()
}

/// The words of a description that name something: ids, names, settings.
fn names(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || "():,\"`".contains(c))
        .filter(|w| {
            w.len() >= 5
                && !["workspace", "outbound", "compute", "computes", "properties"].contains(w)
        })
        .map(|w| w.trim_end_matches('.').to_string())
        .collect()
}

fn mentions(d: &Diagnostic, words: &[String]) -> bool {
    let text = format!("{} {}", d.message, d.notes.join(" "));
    words.iter().any(|w| text.contains(w.as_str()))
}

#[test]
fn every_drift_fixture_gives_its_expected_drift() {
    let code_of = |class: &str| match class {
        "in place" => "AML4201",
        "one-way" => "AML4202",
        "refused" => "AML4203",
        "disruptive" => "AML4204",
        "unmanaged" => "AML4205",
        other => panic!("unknown class `{other}`"),
    };
    let mut problems = Vec::new();
    let all = cases("drift");
    assert!(all.len() >= 10, "only {} drift cases", all.len());
    for case in all {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let posture = std::fs::read_to_string(case.join("posture.aml")).unwrap();
        let mut outcome = amlgen::compile(
            vec![amlgen::Input {
                name: "posture.aml".into(),
                text: posture,
            }],
            &amlgen::Options::default(),
        );
        let checked = outcome
            .checked
            .take()
            .unwrap_or_else(|| panic!("{name}: the posture does not check"));
        let mut diags = Diagnostics::default();
        let resources = amlgen::driver::read_deployed(
            &json_files(&case),
            &Scope::default(),
            &mut outcome.sources,
            &mut diags,
        )
        .unwrap();
        let observed = amlgen::deployed::observe::observe(&resources);
        amlgen::drift::diff(&checked, &outcome.sources, &observed, &mut diags);
        let found: Vec<Diagnostic> = diags
            .into_sorted()
            .into_iter()
            .filter(|d| {
                d.code.id().starts_with("AML42") && !["AML4206", "AML4207"].contains(&d.code.id())
            })
            .collect();
        let want = expected(&case.join("expected.txt"));
        let mut found_codes: Vec<&str> = found.iter().map(|d| d.code.id()).collect();
        let mut want_codes: Vec<&str> = want.iter().map(|l| code_of(&l[0])).collect();
        found_codes.sort_unstable();
        want_codes.sort_unstable();
        if found_codes != want_codes {
            problems.push(format!(
                "{name}: found {found_codes:?}, expected {want_codes:?}:\n  {}",
                found
                    .iter()
                    .map(|d| d.message.clone())
                    .collect::<Vec<_>>()
                    .join("\n  ")
            ));
            continue;
        }
        for line in &want {
            let words = names(&line[1]);
            if !found
                .iter()
                .any(|d| d.code.id() == code_of(&line[0]) && mentions(d, &words))
            {
                problems.push(format!(
                    "{name}: no {} finding names any of {words:?}",
                    line[0]
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_import_loss_is_listed() {
    let mut problems = Vec::new();
    for case in cases("import-loss") {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let mut sources = SourceMap::default();
        let mut diags = Diagnostics::default();
        let resources = amlgen::driver::read_deployed(
            &json_files(&case),
            &Scope::default(),
            &mut sources,
            &mut diags,
        )
        .unwrap();
        let observed = amlgen::deployed::observe::observe(&resources);
        let posture = amlgen::import::posture(&observed, &mut diags);
        let listed: Vec<Diagnostic> = diags
            .into_sorted()
            .into_iter()
            .filter(|d| ["AML4101", "AML4103"].contains(&d.code.id()))
            .collect();
        for line in expected(&case.join("expected-losses.txt")) {
            let words = names(&line[0]);
            if !listed.iter().any(|d| mentions(d, &words)) {
                problems.push(format!(
                    "{name}: `{}` is not listed (looked for {words:?})",
                    line[0]
                ));
            }
        }
        // What is listed is in the posture's comments too.
        for d in listed.iter().filter(|d| d.code.id() == "AML4101") {
            let what = d
                .message
                .trim_end_matches(" cannot be written in a posture");
            assert!(
                posture.contains(what),
                "{name}: `{what}` is not in the posture's comments:\n{posture}"
            );
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
