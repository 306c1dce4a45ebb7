//! Every legal posture of the test suite builds into output that is valid:
//! each `tests/ui` case marked `# neighbour-of` (the nearest legal posture
//! of a diagnostic, so together they exercise every setting near every
//! rule) and every example. Its ARM JSON validates against Microsoft's
//! schemas and its Bicep passes the grammar and symbol checks.

#[path = "common/arm.rs"]
mod arm;
#[path = "common/bicep.rs"]
mod bicep;
#[path = "common/postures.rs"]
mod postures;

use std::path::Path;

#[test]
fn every_legal_posture_builds_valid_bicep_and_arm() {
    let cases = postures::legal_postures();
    assert!(cases.len() > 100, "only {} legal postures", cases.len());
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("legal-postures");
    let _ = std::fs::remove_dir_all(&scratch);
    let mut problems = Vec::new();
    for (i, (path, previous)) in cases.iter().enumerate() {
        let name = path.display().to_string();
        let files = match postures::build_file(path, previous.as_deref()) {
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
