//! Build script: the hash of amlgen's own source, `AMLGEN_SOURCE_HASH`.
//!
//! A workspace's input hash (`emit::build::inputs`) folds it in, so that a
//! build reuses a workspace's previous files only when the same amlgen
//! source (the compiler, its embedded templates and policy catalogue, and
//! the locked dependencies) would print them: amlgen's version alone does
//! not change while amlgen itself is being changed. Line endings are
//! normalised, so a checkout with CRLF endings hashes the same.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// What the printers are made of, relative to the package root.
const INPUTS: &[&str] = &["compiler/src", "templates", "policies", "Cargo.lock"];

fn main() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let mut files = Vec::new();
    for input in INPUTS {
        println!("cargo:rerun-if-changed={input}");
        walk(&root, &root.join(input), &mut files);
    }
    files.sort();
    let mut hasher = Sha256::new();
    for rel in &files {
        let text = std::fs::read(root.join(rel)).expect("a source file is readable");
        let text: Vec<u8> = text.into_iter().filter(|b| *b != b'\r').collect();
        hasher.update(rel.as_bytes());
        hasher.update([0]);
        hasher.update((text.len() as u64).to_le_bytes());
        hasher.update(&text);
    }
    let mut hex = String::new();
    for b in hasher.finalize() {
        let _ = write!(hex, "{b:02x}");
    }
    println!("cargo:rustc-env=AMLGEN_SOURCE_HASH=sha256:{hex}");
}

/// Every file below `path` (or `path` itself), as `/`-separated paths
/// relative to `root`.
fn walk(root: &Path, path: &Path, out: &mut Vec<String>) {
    if path.is_dir() {
        let entries = std::fs::read_dir(path).expect("a source directory is readable");
        for entry in entries {
            walk(root, &entry.expect("a directory entry").path(), out);
        }
    } else if path.is_file() {
        let rel = path.strip_prefix(root).expect("below the root");
        let parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        out.push(parts.join("/"));
    }
}
