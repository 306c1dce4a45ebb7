//! The lowering context and what every block uses: the `Cx` that carries
//! the diagnostics and the file's lets, the reporting of a diagnostic, and
//! the reading of a block's entries into settings and blocks (unknown,
//! duplicate and misplaced entries), as `docs/language.md` describes under
//! "3. Entries: settings, statements and blocks".

use std::collections::{BTreeMap, HashMap};

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::span::Span;
use crate::syntax::ast::{Entry, Expr, Ident, Stmt};
use crate::syntax::limits;

pub(super) struct Cx<'d> {
    pub(super) diags: &'d mut Diagnostics,
    pub(super) lets: HashMap<String, Expr>,
    /// Where each `let` of the file is defined (its first definition),
    /// including those not yet read: a use before its `let` says so.
    pub(super) let_spans: HashMap<String, Span>,
    /// The lets whose value is written as one plain string (no `${}`): a
    /// character of their value can be pointed at in the source.
    pub(super) literal_lets: std::collections::HashSet<String>,
    /// What each accepted `let` expands to.
    pub(super) let_extents: BTreeMap<String, limits::Extent>,
    /// What the uses of lets have expanded to in this build so far.
    pub(super) expanded: &'d mut usize,
    /// Spans of tokens the lexer reported; see [`Cx::push`].
    pub(super) broken: &'d [Span],
}

/// A body's entries, checked against the settings and blocks allowed there.
pub(super) struct Block<'a> {
    pub(super) attrs: BTreeMap<&'a str, (&'a Ident, &'a Expr)>,
    pub(super) stmts: Vec<&'a Stmt>,
}

pub(super) fn names<T>(table: &[(&'static str, T)]) -> Vec<&'static str> {
    table.iter().map(|(n, _)| *n).collect()
}

pub(super) fn list_words(words: &[&str]) -> String {
    let quoted: Vec<String> = words.iter().map(|w| format!("`{w}`")).collect();
    match quoted.len() {
        0 => String::new(),
        1 => quoted[0].clone(),
        n => format!("{} or {}", quoted[..n - 1].join(", "), quoted[n - 1]),
    }
}

impl Cx<'_> {
    /// Reports `d`, unless it is about a token the lexer already reported:
    /// its value is the lexer's guess (`max_nodes 0 is out of range` for
    /// `max_nodes = 1.5`), so the error would only repeat the lexer's.
    pub(super) fn push(&mut self, d: Diagnostic) {
        if let Some(p) = d.primary
            && self
                .broken
                .iter()
                .any(|b| b.file == p.file && p.start <= b.start && b.end <= p.end)
        {
            return;
        }
        self.diags.push(d);
    }

    /// Splits entries into settings and blocks, reporting unknown ones,
    /// duplicates, `let` out of place, and a block written as a setting
    /// (or the other way round).
    pub(super) fn block<'a>(
        &mut self,
        entries: &'a [Entry],
        context: &str,
        attrs: &[&str],
        blocks: &[&str],
    ) -> Block<'a> {
        let mut out = Block {
            attrs: BTreeMap::new(),
            stmts: Vec::new(),
        };
        let all: Vec<&str> = attrs.iter().chain(blocks).copied().collect();
        for e in entries {
            match e {
                Entry::Let { name, .. } => self.push(
                    Diagnostic::new(
                        Code::UnknownSetting,
                        name.span,
                        "`let` is only allowed at the top of a file",
                    )
                    .label("inside a block")
                    .help("move this `let` before the first block"),
                ),
                Entry::Attr { key, value } => {
                    let k = key.name.as_str();
                    if attrs.contains(&k) {
                        if let Some((first, _)) = out.attrs.get(k) {
                            self.push(
                                Diagnostic::new(
                                    Code::DuplicateSetting,
                                    key.span,
                                    format!("`{k}` is set twice in {context}"),
                                )
                                .label("set again here")
                                .with_label(first.span, "first set here")
                                .help("remove one of them"),
                            );
                        } else {
                            out.attrs.insert(k, (key, value));
                        }
                    } else if blocks.contains(&k) {
                        self.push(
                            Diagnostic::new(
                                Code::UnknownSetting,
                                key.span,
                                format!("`{k}` is a block, not a setting"),
                            )
                            .label("written as `name = value`")
                            .help(format!("write `{k} {{ ... }}`")),
                        );
                    } else {
                        self.unknown(key, context, &all);
                    }
                }
                Entry::Stmt(s) => {
                    let k = s.head.name.as_str();
                    if blocks.contains(&k) {
                        out.stmts.push(s);
                    } else if attrs.contains(&k) {
                        self.push(
                            Diagnostic::new(
                                Code::UnknownSetting,
                                s.head.span,
                                format!("`{k}` is a setting: it needs `=`"),
                            )
                            .label("expected `=` after this")
                            .help(format!("write `{k} = value`")),
                        );
                    } else {
                        self.unknown(&s.head, context, &all);
                    }
                }
            }
        }
        out
    }

    pub(super) fn unknown(&mut self, key: &Ident, context: &str, allowed: &[&str]) {
        // Names from ARM, the CLI or the portal that the language spells
        // otherwise.
        const SYNONYMS: &[(&str, &str)] = &[
            (concat!("loc", "ation"), "region"),
            ("isolation_mode", "mode"),
            ("managed_network", "outbound"),
            ("public_access", "public_network_access"),
            ("provision_network_now", "provision_now"),
        ];
        let trimmed = key.name.trim_start_matches('_');
        if let Some((_, ours)) = SYNONYMS
            .iter()
            .find(|(theirs, ours)| *theirs == trimmed && allowed.contains(ours))
        {
            self.push(
                Diagnostic::new(
                    Code::UnknownSetting,
                    key.span,
                    format!("unknown setting `{}` in {context}", key.name),
                )
                .label("not known here")
                .help(format!("did you mean `{ours}`?")),
            );
            return;
        }
        let mut d = Diagnostic::new(
            Code::UnknownSetting,
            key.span,
            format!("unknown setting `{}` in {context}", key.name),
        )
        .label("not known here")
        .suggest(&key.name, allowed.iter().copied());
        if allowed.is_empty() {
            d = d.help(format!("{context} takes no settings"));
        } else {
            d = d.help(format!("{context} takes {}", list_words(allowed)));
        }
        self.push(d);
    }

    /// Blocks of this kind that must appear at most once.
    pub(super) fn single<'a>(
        &mut self,
        b: &Block<'a>,
        head: &str,
        context: &str,
    ) -> Option<&'a Stmt> {
        let mut found: Option<&'a Stmt> = None;
        for s in b.stmts.iter().filter(|s| s.head.name == head) {
            if let Some(first) = found {
                self.push(
                    Diagnostic::new(
                        Code::DuplicateSetting,
                        s.head.span,
                        format!("`{head}` appears twice in {context}"),
                    )
                    .label("second block")
                    .with_label(first.head.span, "first block here")
                    .help("merge them into one block"),
                );
            } else {
                found = Some(s);
            }
        }
        found
    }

    /// A block that takes no arguments; returns its entries.
    pub(super) fn plain_body<'a>(&mut self, s: &'a Stmt) -> &'a [Entry] {
        if let Some(a) = s.args.first() {
            self.push(
                Diagnostic::new(
                    Code::UnexpectedToken,
                    a.span,
                    format!("`{}` takes no label", s.head.name),
                )
                .label("unexpected")
                .help(format!("write `{} {{ ... }}`", s.head.name)),
            );
        }
        match &s.body {
            Some(b) => &b.entries,
            None => {
                self.push(
                    Diagnostic::new(
                        Code::UnexpectedToken,
                        s.span,
                        format!("`{}` needs a body", s.head.name),
                    )
                    .label("expected `{` after this")
                    .help(format!("write `{} {{ ... }}`", s.head.name)),
                );
                &[]
            }
        }
    }

    pub(super) fn no_body(&mut self, s: &Stmt, what: &str) {
        if let Some(b) = &s.body {
            self.push(
                Diagnostic::new(
                    Code::UnknownSetting,
                    b.span,
                    format!("{what} takes no settings block"),
                )
                .label("unexpected block")
                .help("remove the `{ ... }`"),
            );
        }
    }

    /// The single string label of a labelled block (`workspace "name"`).
    pub(super) fn label<'e>(&mut self, s: &'e Stmt, what: &str) -> Option<&'e Expr> {
        match s.args.as_slice() {
            [one] => Some(one),
            [] => {
                self.push(
                    Diagnostic::new(
                        Code::MissingSetting,
                        s.head.span,
                        format!("`{}` needs a name", s.head.name),
                    )
                    .label("no name given")
                    .help(format!("write `{} \"{what}-name\" {{ ... }}`", s.head.name)),
                );
                None
            }
            [_, extra, ..] => {
                self.push(
                    Diagnostic::new(
                        Code::UnexpectedToken,
                        extra.span,
                        format!("`{}` takes one name", s.head.name),
                    )
                    .label("unexpected")
                    .help(format!("write `{} \"{what}-name\" {{ ... }}`", s.head.name)),
                );
                Some(&s.args[0])
            }
        }
    }

    pub(super) fn entries_of<'a>(&mut self, s: Option<&'a Stmt>) -> &'a [Entry] {
        match s {
            Some(s) => self.plain_body(s),
            None => &[],
        }
    }
}
