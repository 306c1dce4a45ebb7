//! Syntax tree to IR: resolves names, checks every value's type and form,
//! applies profiles and defaults, and expands presets.
//!
//! Values that cannot be lowered are reported and left out, so one run
//! reports every problem; the cross-setting rules are in [`crate::check`].
//!
//! One file per part of `docs/language.md`: `cx` (the context and the
//! reading of entries), `names` (lets and `${}`), `values` (the value
//! readers), `defaults` (profiles and defaults), then one per block
//! family: `workspace` (and its associated resources), `inbound`,
//! `outbound` (rules and presets), `network` (custom VNet mode), `compute`
//! (and `assigned_user`), `access`, `policy`; `words` lists the settings
//! and nested blocks each block takes (the language server offers the same
//! lists). This file reads a build's files, as "5. Files, builds and
//! fleets" describes.
//!
//! Calls go one way: every block uses `cx`, `names`, `values` and
//! `defaults`; `workspace` calls the other workspace blocks; `inbound` and
//! `outbound` call `network`; `compute` calls `assigned_user`. No child
//! imports this module.

use std::collections::{BTreeMap, HashMap};

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::ir::{AcceptLevel, Posture};
use crate::span::Span;
use crate::syntax::ast::{Entry, File};

mod accept;
mod access;
mod assigned_user;
mod compute;
mod cx;
mod defaults;
mod inbound;
mod names;
mod network;
mod outbound;
mod policy;
mod values;
pub mod words;
mod workspace;

use cx::Cx;
use defaults::Defaults;

/// Lowers the files of one build into one posture.
pub fn lower(files: &[File], diags: &mut Diagnostics) -> Posture {
    // Tokens the lexer reported carry a guessed value (`0` for a malformed
    // number, a string without its bad escape or interpolation).
    let broken: Vec<Span> = diags
        .iter()
        .filter(|d| {
            matches!(
                d.code,
                Code::UnexpectedCharacter
                    | Code::UnterminatedString
                    | Code::InvalidEscape
                    | Code::InvalidNumber
                    | Code::InvalidInterpolation
                    | Code::InvalidUtf8
            )
        })
        .filter_map(|d| d.primary)
        .collect();
    // Files with a syntax error may have lost entries to recovery.
    let mut unparsed: Vec<_> = diags
        .iter()
        .filter(|d| d.code.id().starts_with("AML0") || d.code.id().starts_with("AML1"))
        .filter_map(|d| d.primary.map(|s| s.file))
        .collect();
    unparsed.sort_unstable();
    unparsed.dedup();
    let mut posture = Posture::default();
    let mut expanded = 0;
    for file in files {
        let mut cx = Cx {
            diags,
            lets: HashMap::new(),
            let_spans: HashMap::new(),
            let_extents: BTreeMap::new(),
            literal_lets: std::collections::HashSet::new(),
            expanded: &mut expanded,
            broken: &broken,
        };
        cx.file(file, &mut posture);
    }
    let mut seen: HashMap<String, Span> = HashMap::new();
    for ws in &posture.workspaces {
        let key = ws.name.as_str().to_ascii_lowercase();
        if let Some(first) = seen.get(&key) {
            diags.push(
                Diagnostic::new(
                    Code::DuplicateName,
                    ws.span,
                    format!("workspace `{}` is declared twice", ws.name),
                )
                .label("second declaration")
                .with_label(*first, "first declared here")
                .help("workspace names are unique in a build (Azure compares them ignoring case)"),
            );
        } else {
            seen.insert(key, ws.span);
        }
    }
    // The platform rules would judge what recovery left of such a file
    // (a setting dropped for a value on the next line falls back to its
    // secure default), not what was written: they wait for a clean parse.
    posture
        .workspaces
        .retain(|w| !unparsed.contains(&w.span.file));
    posture
        .policies
        .retain(|p| !unparsed.contains(&p.span.file));
    posture
}

impl Cx<'_> {
    fn file(&mut self, file: &File, posture: &mut Posture) {
        let mut defaults: Option<(Defaults, Span)> = None;
        let mut policy_names: HashMap<String, Span> = HashMap::new();
        if !self.read_lets(file) {
            return;
        }
        for e in &file.entries {
            match e {
                Entry::Let { .. } => {}
                Entry::Attr { key, .. } => {
                    self.push(
                        Diagnostic::new(Code::UnknownSetting, key.span, format!("`{}` cannot be set at the top of a file", key.name))
                            .label("top-level setting")
                            .help("top-level entries are `let`, `defaults { }`, `workspace \"name\" { }` and `policy \"name\" { }`; put settings shared by all workspaces in `defaults { }`"),
                    );
                }
                Entry::Stmt(s) => match s.head.name.as_str() {
                    "defaults" => {
                        if let Some((_, first)) = &defaults {
                            self.push(
                                Diagnostic::new(
                                    Code::DuplicateSetting,
                                    s.head.span,
                                    "a second `defaults` block",
                                )
                                .label("second block")
                                .with_label(*first, "first block here")
                                .help("merge them into one `defaults` block"),
                            );
                        } else {
                            let d = self.defaults(s);
                            defaults = Some((d, s.head.span));
                        }
                    }
                    "workspace" => {}
                    "accept" => {
                        if let Some(a) = self.accept(s, AcceptLevel::File) {
                            posture.accepts.push(a);
                        }
                    }
                    "policy" => {
                        if let Some(p) = self.policy(s) {
                            let key = p.name.as_str().to_ascii_lowercase();
                            if let Some(first) = policy_names.get(&key) {
                                self.push(
                                    Diagnostic::new(
                                        Code::DuplicateName,
                                        p.span,
                                        format!("policy `{}` is declared twice", p.name),
                                    )
                                    .label("second declaration")
                                    .with_label(*first, "first declared here"),
                                );
                            } else {
                                policy_names.insert(key, p.span);
                                posture.policies.push(p);
                            }
                        }
                    }
                    _ => self.unknown(&s.head, "a posture file", words::TOP.blocks),
                },
            }
        }
        let mut defaults = defaults.map(|(d, _)| d).unwrap_or_default();
        posture.accepts.append(&mut defaults.accepts);
        // Room for the file's workspaces at once: a `Workspace` is large,
        // and a vector grown by doubling is copied at each step (with the
        // old and new blocks both held), which on a file of many
        // workspaces sets the peak memory.
        let blocks: Vec<_> = file
            .entries
            .iter()
            .filter_map(|e| match e {
                Entry::Stmt(s) if s.head.name == "workspace" => Some(s),
                _ => None,
            })
            .collect();
        posture.workspaces.reserve(blocks.len());
        for s in blocks {
            if let Some(ws) = self.workspace(s, &defaults) {
                posture.workspaces.push(ws);
            }
        }
    }
}
