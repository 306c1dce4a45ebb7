//! The input hash of a workspace: everything its files are made from, so
//! that `build` and `build --check` may skip rendering a workspace whose
//! hash is the one the manifest records (carrying or comparing its
//! recorded files instead).
//!
//! What goes in, and why it is enough (a wrong skip is a wrong output):
//! - the build's options that shape a workspace's files: amlgen's version,
//!   the hash of amlgen's own source (`BuildOptions::source`, from the
//!   build script: the compiler, its templates and policy catalogue, the
//!   locked dependencies, so a changed printer renders everything again
//!   even where the version is the same), the targets and the policy
//!   layout; a build with template overrides records no hash at all;
//! - the checked workspace, whole, as its derived `Debug` prints it (the IR
//!   has no custom `Debug` and no hash maps, so every field is there, in a
//!   stable order), spans included;
//! - the workspace's diagnostics (its report lists them), whole;
//! - the name and full text of every source file a span of those points
//!   into: the report prints `file:line:col` places and the header names
//!   the file, and a place depends on the text before it, not only on the
//!   byte offset the span holds. Hashing whole files is coarse (a change
//!   anywhere in a file renders all its workspaces again), never wrong.
//!
//! Nothing else reaches a workspace's files: the plan, the lowerings and
//! the printers read the workspace, its diagnostics, the sources and the
//! options only (the hub firewall, the policies and the manifest are
//! always built).

use crate::check::AcceptedFinding;
use std::sync::OnceLock;

use crate::diag::Diagnostic;
use crate::ir::Workspace;
use crate::manifest::sha256_hex;
use crate::source::{FileId, SourceMap};

/// Bumped when what goes into the hash changes.
const SCHEME: &str = "amlgen workspace inputs 1";

/// The hashing context of one build, shared by its threads.
pub(super) struct Inputs<'a> {
    sources: &'a SourceMap,
    /// The options' part; `None`: no workspace gets a hash.
    options: Option<String>,
    /// Each source file's name and text, hashed once, on first use.
    files: Vec<OnceLock<String>>,
}

impl<'a> Inputs<'a> {
    pub(super) fn new(sources: &'a SourceMap, options: Option<String>) -> Self {
        Inputs {
            sources,
            options,
            files: sources.iter().map(|_| OnceLock::new()).collect(),
        }
    }

    /// The `sha256:` hash of a workspace's inputs, or `None` when this
    /// build records none.
    pub(super) fn hash(
        &self,
        ws: &Workspace,
        diagnostics: &[Diagnostic],
        accepted: &[&AcceptedFinding],
    ) -> Option<String> {
        let options = self.options.as_ref()?;
        let described = format!("{ws:?}\n{diagnostics:?}\n{accepted:?}");
        let mut all = format!("{SCHEME}\n{options}\n");
        for id in file_ids(&described) {
            let file = self.files.get(id)?.get_or_init(|| {
                let f = self.sources.get(FileId(id as u32));
                sha256_hex(format!("{}\n{}", f.name, f.text).as_bytes())
            });
            all.push_str(file);
            all.push('\n');
        }
        all.push_str(&described);
        Some(format!("sha256:{}", sha256_hex(all.as_bytes())))
    }
}

/// The file ids a `Debug` text names (`FileId(3)`), sorted, once each.
fn file_ids(described: &str) -> Vec<usize> {
    let mut ids: Vec<usize> = described
        .split("FileId(")
        .skip(1)
        .filter_map(|rest| rest.split(')').next()?.parse().ok())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_ids_are_read_from_debug_text() {
        let text = format!(
            "{:?} {:?} {:?}",
            crate::span::Span {
                file: FileId(3),
                start: 1,
                end: 2
            },
            FileId(0),
            FileId(3)
        );
        assert_eq!(file_ids(&text), [0, 3]);
        assert!(file_ids("no ids").is_empty());
    }
}
