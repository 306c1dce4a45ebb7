//! Every legal posture of the test suite builds into output that is valid:
//! each `tests/ui` case marked `# neighbour-of` (the nearest legal posture
//! of a diagnostic, so together they exercise every setting near every
//! rule) and every example. Its ARM JSON validates against Microsoft's
//! schemas and its Bicep passes the grammar and symbol checks.

#[path = "common/arm.rs"]
mod arm;
#[path = "common/bicep.rs"]
mod bicep;

use std::path::{Path, PathBuf};

fn legal_postures() -> Vec<(PathBuf, Option<PathBuf>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    let mut stack = vec![root.join("tests/ui"), root.join("examples")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "aml") {
                // Some cases are not UTF-8 on purpose (AML0006).
                let text = String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned();
                let example = p.starts_with(root.join("examples"));
                if !example && !text.lines().any(|l| l.starts_with("# neighbour-of:")) {
                    continue;
                }
                let previous = text
                    .lines()
                    .find_map(|l| l.strip_prefix("# previous:"))
                    .map(|n| p.parent().unwrap().join(n.trim()));
                out.push((p, previous));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_legal_posture_builds_valid_bicep_and_arm() {
    let cases = legal_postures();
    assert!(cases.len() > 100, "only {} legal postures", cases.len());
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("legal-postures");
    let _ = std::fs::remove_dir_all(&scratch);
    let mut problems = Vec::new();
    for (i, (path, previous)) in cases.iter().enumerate() {
        let name = path.display().to_string();
        let options = amlgen::Options {
            previous: previous
                .as_ref()
                .map(|p| (p.display().to_string(), std::fs::read_to_string(p).unwrap())),
            ..amlgen::Options::default()
        };
        let outcome = amlgen::compile(
            vec![amlgen::Input {
                name: name.clone(),
                text: String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned(),
            }],
            &options,
        );
        let build = amlgen::emit::BuildOptions {
            version: "0.0.0-test".into(),
            templates: None,
            ..amlgen::emit::BuildOptions::default()
        };
        let files = match amlgen::driver::emit(&outcome, &build) {
            Ok(f) => f,
            Err(e) => {
                problems.push(format!("{name}: does not build: {e}"));
                continue;
            }
        };
        let out = scratch.join(i.to_string());
        amlgen::driver::write_atomic(&out, &files).unwrap();
        for (file, text) in &files {
            if file.ends_with("azuredeploy.json") {
                let template: serde_json::Value = serde_json::from_str(text).unwrap();
                for e in arm::validate_template(&template) {
                    problems.push(format!("{name}: {file}: {e}"));
                }
            }
        }
        for f in bicep::bicep_files(&out) {
            for e in bicep::file_errors(&f) {
                problems.push(format!("{name}: {e}"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
