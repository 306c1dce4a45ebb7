//! The input hash of a workspace: everything its files are made from, so
//! that `build` (and `build --check --skip-unchanged`) may skip rendering a workspace whose
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

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::sync::OnceLock;

use crate::check::AcceptedFinding;

use crate::diag::Diagnostic;
use crate::ir::Workspace;
use crate::manifest::sha256_hex;
use crate::source::{FileId, SourceMap};

/// Bumped when what goes into the hash changes.
const SCHEME: &str = "amlgen workspace inputs 2";

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
    /// build records none. The description is streamed into the hash as
    /// `Debug` writes it (no copy of it is made), the file ids it names
    /// gathered on the way; the named files' hashes follow it.
    pub(super) fn hash(
        &self,
        ws: &Workspace,
        diagnostics: &[Diagnostic],
        accepted: &[&AcceptedFinding],
    ) -> Option<String> {
        use sha2::Digest;
        let options = self.options.as_ref()?;
        let mut w = Described::default();
        w.hasher.update(format!("{SCHEME}\n{options}\n"));
        let _ = write!(w, "{ws:?}\n{diagnostics:?}\n{accepted:?}\n");
        for id in w.ids.iter().copied() {
            let file = self.files.get(id as usize)?.get_or_init(|| {
                let f = self.sources.get(FileId(id));
                sha256_hex(format!("{}\n{}", f.name, f.text).as_bytes())
            });
            w.hasher.update(file.as_bytes());
            w.hasher.update(b"\n");
        }
        let digest = w.hasher.finalize();
        let mut hex = String::with_capacity(71);
        hex.push_str("sha256:");
        for b in digest {
            let _ = write!(hex, "{b:02x}");
        }
        Some(hex)
    }
}

/// A `Debug` text streamed into a hash, and the file ids it names
/// (`FileId(3)`), recognised byte by byte across the pieces `Debug`
/// writes.
#[derive(Default)]
struct Described {
    hasher: sha2::Sha256,
    ids: BTreeSet<u32>,
    /// How much of `FileId(` the last bytes matched.
    matched: usize,
    /// Past `FileId(`, the number the digits read so far make (`None`
    /// before the first digit, and once there are too many to be an id).
    id: Option<u32>,
    /// Past `FileId(`, whether the digits overflowed an id.
    overflow: bool,
}

const FILE_ID: &[u8] = b"FileId(";

impl Described {
    fn scan(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            if self.matched == 0 {
                // Nothing begun: skip to the next `F`.
                let Some(at) = bytes.iter().position(|b| *b == b'F') else {
                    return;
                };
                bytes = &bytes[at..];
            }
            let b = bytes[0];
            bytes = &bytes[1..];
            if self.matched == FILE_ID.len() {
                if b.is_ascii_digit() {
                    let id = self
                        .id
                        .unwrap_or(0)
                        .checked_mul(10)
                        .and_then(|id| id.checked_add(u32::from(b - b'0')));
                    self.overflow |= id.is_none();
                    self.id = id;
                    continue;
                }
                if b == b')'
                    && !self.overflow
                    && let Some(id) = self.id
                {
                    self.ids.insert(id);
                }
                self.matched = usize::from(b == b'F');
            } else if b == FILE_ID[self.matched] {
                self.matched += 1;
                if self.matched == FILE_ID.len() {
                    (self.id, self.overflow) = (None, false);
                }
            } else {
                self.matched = usize::from(b == b'F');
            }
        }
    }
}

impl std::fmt::Write for Described {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        use sha2::Digest;
        self.hasher.update(s.as_bytes());
        self.scan(s.as_bytes());
        Ok(())
    }
}

/// The file ids a `Debug` text names (`FileId(3)`), sorted, once each:
/// the same whether the text comes whole or one byte at a time.
#[cfg(test)]
fn file_ids(described: &str) -> Vec<u32> {
    let (mut whole, mut bytes) = (Described::default(), Described::default());
    whole.scan(described.as_bytes());
    for b in described.as_bytes().chunks(1) {
        bytes.scan(b);
    }
    assert_eq!(whole.ids, bytes.ids);
    whole.ids.into_iter().collect()
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
        // Near misses name no id; a restart inside one is read.
        assert!(file_ids("FileId() FileId(x) FileId(12 FileId(99999999999)").is_empty());
        assert_eq!(file_ids("FFileId(7) FiFileId(8)"), [7, 8]);
    }
}
