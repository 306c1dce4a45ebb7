//! Hygiene: every source module opens with a `//!` header saying what it
//! is, and no debugging leftovers (`dbg!`, `todo!`, `unimplemented!`)
//! reach the compiler.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn modules_have_headers_and_no_leftovers() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("compiler/src");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    assert!(files.len() > 10);
    let mut problems = Vec::new();
    let forbidden = [
        concat!("dbg", "!("),
        concat!("todo", "!("),
        concat!("unimplemented", "!("),
    ];
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        if !text.starts_with("//!") {
            problems.push(format!("{}: no `//!` module header", f.display()));
        }
        for word in forbidden {
            if text.contains(word) {
                problems.push(format!("{}: contains `{word}`", f.display()));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
