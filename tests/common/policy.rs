//! Fixtures of the policy evaluator's tests: the definitions and resources
//! in `tests/data/policies/` (origin in its README), assignment values, and
//! `amlgen policy eval` run from that folder. Include it from a test file
//! with `#[path = "common/policy.rs"] mod policy_data;`.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Map, Value};

/// A path under `tests/data/policies/`.
pub fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/policies")
        .join(rel)
}

/// A JSON file under `tests/data/policies/`.
pub fn load(rel: &str) -> Value {
    let text = std::fs::read_to_string(data(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Assignment values from a JSON object.
pub fn params(v: &Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

/// Runs `amlgen` in `tests/data/policies/`.
pub fn amlgen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_amlgen"))
        .current_dir(data(""))
        .args(args)
        .output()
        .expect("amlgen runs")
}

/// The standard output of a run that must exit 0 (its stderr otherwise).
pub fn stdout_of_success(o: &Output) -> String {
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}
