//! The legal postures of the test suite, and building one in memory: each
//! `tests/ui` case marked `# neighbour-of` (the nearest legal posture of a
//! diagnostic, so together they exercise every setting near every rule)
//! and every example.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every legal posture file, with the previous manifest its header names.
pub fn legal_postures() -> Vec<(PathBuf, Option<PathBuf>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    let mut stack = vec![root.join("tests/ui"), root.join("examples")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "aml") {
                let text = std::fs::read_to_string(&p).unwrap();
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

/// Builds one posture text in memory, as `amlgen build` would.
pub fn build_text(
    name: &str,
    text: String,
    previous: Option<&Path>,
) -> Result<BTreeMap<String, String>, String> {
    let options = amlgen::Options {
        previous: previous.map(|p| (p.display().to_string(), std::fs::read_to_string(p).unwrap())),
        ..amlgen::Options::default()
    };
    let outcome = amlgen::compile(
        vec![amlgen::Input {
            name: name.to_string(),
            text,
        }],
        &options,
    );
    let build = amlgen::emit::BuildOptions {
        version: "0.0.0-test".into(),
        templates: None,
        ..amlgen::emit::BuildOptions::default()
    };
    amlgen::driver::emit(&outcome, &build)
}

/// Builds one posture file in memory.
pub fn build_file(
    path: &Path,
    previous: Option<&Path>,
) -> Result<BTreeMap<String, String>, String> {
    build_text(
        &path.display().to_string(),
        std::fs::read_to_string(path).unwrap(),
        previous,
    )
}
