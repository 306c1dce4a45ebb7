//! Name resolution: `let` (read top to bottom, each using only the lets
//! before it), `${}` interpolation, and the bounds on what lets expand to,
//! as `docs/language.md` describes under "4. Names: `let`" and "Limits".

use std::collections::HashMap;

use super::cx::Cx;
use crate::diag::{Code, Diagnostic};
use crate::span::Span;
use crate::syntax::ast::{Entry, Expr, ExprKind, File, Ident};
use crate::syntax::limits;
use crate::syntax::token::StrPart;

/// AML2017 at a `let` whose value would expand past the limits.
fn too_large(name: &Ident, value: &Expr, x: limits::Extent) -> Diagnostic {
    let (what, help) = if x.depth > limits::MAX_DEPTH {
        (
            format!(
                "nests {} levels deep, past the limit of {}",
                x.depth,
                limits::MAX_DEPTH
            ),
            "postures need only a few levels of lists and maps; do not wrap a let in a list again and again",
        )
    } else {
        (
            format!(
                "would expand to {} bytes, past the limit of {} MiB",
                x.size,
                limits::MAX_LET_SIZE >> 20
            ),
            "a let that uses another twice doubles it: build the value from fewer uses, or write it out",
        )
    };
    Diagnostic::new(
        Code::ExpansionLimit,
        name.span,
        format!("`let {}` expands past amlgen's limits", name.name),
    )
    .label("this let is not defined")
    .with_label(value.span, what)
    .help(help)
}

impl Cx<'_> {
    /// Follows a bare name to the `let` it names, if any.
    pub(super) fn deref<'e>(&'e self, e: &'e Expr) -> &'e Expr {
        if let ExprKind::Ident(n) = &e.kind
            && let Some(v) = self.lets.get(n)
        {
            return v;
        }
        e
    }

    /// Where a string value is written: the `let` it names when that is a
    /// plain string, else the expression itself.
    pub(super) fn written<'e>(&'e self, e: &'e Expr) -> &'e Expr {
        match &e.kind {
            ExprKind::Ident(n) if self.literal_lets.contains(n) => self.lets.get(n).unwrap_or(e),
            _ => e,
        }
    }

    /// A bare name of a `let` whose value was refused (and reported): its
    /// uses say nothing more.
    pub(super) fn refused(&self, e: &Expr) -> bool {
        matches!(&e.kind, ExprKind::Ident(n) if self.let_spans.contains_key(n) && !self.lets.contains_key(n))
    }

    pub(super) fn undefined(&mut self, name: &str, span: Span) {
        if let Some(&def) = self.let_spans.get(name) {
            if def.start < span.start {
                // Defined above, but its own value was refused (and
                // reported): saying it is not defined would be wrong.
                return;
            }
            // Lets are read top to bottom, so that what a name means never
            // depends on what follows it.
            self.push(
                Diagnostic::new(
                    Code::UndefinedName,
                    span,
                    format!("`{name}` is not defined yet"),
                )
                .label("used here, before its `let`")
                .with_label(def, format!("`{name}` is defined here, later in the file"))
                .help(format!(
                    "move `let {name}` above this use: a `let` may only use the lets before it"
                )),
            );
            return;
        }
        let lets: Vec<String> = self.lets.keys().cloned().collect();
        let mut lets_sorted = lets.clone();
        lets_sorted.sort();
        let d = Diagnostic::new(
            Code::UndefinedName,
            span,
            format!("`{name}` is not defined"),
        )
        .label("no `let` defines this name")
        .suggest(name, lets_sorted.iter().map(String::as_str));
        let d = if d.help.is_empty() {
            d.help(format!("define it with `let {name} = \"...\"` at the top of the file, or write the text in double quotes"))
        } else {
            d
        };
        self.push(d);
    }

    /// Interpolates a string's parts.
    pub(super) fn interpolate(&mut self, parts: &[StrPart]) -> Option<String> {
        let mut out = String::new();
        let mut ok = true;
        for p in parts {
            match p {
                StrPart::Text(t) => out.push_str(t),
                StrPart::Interp(name, span) => match self.lets.get(name).map(|e| e.kind.clone()) {
                    Some(ExprKind::Str(inner)) => {
                        for q in inner {
                            if let StrPart::Text(t) = q {
                                out.push_str(&t);
                            }
                        }
                    }
                    Some(_) => {
                        self.push(
                            Diagnostic::new(
                                Code::TypeMismatch,
                                *span,
                                format!("`{name}` is not a string"),
                            )
                            .label("only string values can be interpolated"),
                        );
                        ok = false;
                    }
                    None => {
                        self.undefined(name, *span);
                        ok = false;
                    }
                },
            }
        }
        ok.then_some(out)
    }

    /// Resolves a let's value: interpolations and references to earlier lets.
    pub(super) fn resolve_let(&mut self, e: &Expr) -> Option<Expr> {
        let kind = match &e.kind {
            ExprKind::Str(parts) => ExprKind::Str(vec![StrPart::Text(self.interpolate(parts)?)]),
            ExprKind::Ident(n) => match self.lets.get(n) {
                Some(v) => v.kind.clone(),
                // A let's name, but not (yet) a value: defined below, or
                // refused. Kept as a name, it would be reported at every
                // use of this let instead of here.
                None if self.let_spans.contains_key(n) => {
                    self.undefined(n, e.span);
                    return None;
                }
                None => ExprKind::Ident(n.clone()),
            },
            ExprKind::List(items) => {
                let mut out = Vec::new();
                for i in items {
                    out.push(self.resolve_let(i)?);
                }
                ExprKind::List(out)
            }
            other => other.clone(),
        };
        Some(Expr { kind, span: e.span })
    }

    /// Reads the file's lets, in order: a let may use only the lets before
    /// it. `false` when their uses in this build expand to too much, and
    /// the rest of the file is not read (reported).
    pub(super) fn read_lets(&mut self, file: &File) -> bool {
        for e in &file.entries {
            if let Entry::Let { name, .. } = e {
                self.let_spans.entry(name.name.clone()).or_insert(name.span);
            }
        }
        // Lets first, in order: a let may use only the lets before it.
        let mut let_names: HashMap<&str, Span> = HashMap::new();
        for e in &file.entries {
            if let Entry::Let { name, value } = e {
                if let Some(first) = let_names.get(name.name.as_str()) {
                    self.push(
                        Diagnostic::new(
                            Code::DuplicateName,
                            name.span,
                            format!("`{}` is defined twice", name.name),
                        )
                        .label("defined again here")
                        .with_label(*first, "first defined here")
                        .help("give each `let` its own name"),
                    );
                    continue;
                }
                let_names.insert(&name.name, name.span);
                // Measured before it is expanded: a let past the limits is
                // never built (each doubling `let` would double memory).
                let x = limits::extent(value, &self.let_extents);
                if x.size > limits::MAX_LET_SIZE || x.depth > limits::MAX_DEPTH {
                    self.push(too_large(name, value, x));
                    continue;
                }
                if let Some(v) = self.resolve_let(value) {
                    if matches!(&value.kind, ExprKind::Str(p) if p.iter().all(|x| matches!(x, StrPart::Text(_))))
                    {
                        self.literal_lets.insert(name.name.clone());
                    }
                    self.lets.insert(name.name.clone(), v);
                    self.let_extents.insert(name.name.clone(), x);
                }
            }
        }
        if let Some((name, span)) = limits::overuse(&file.entries, &self.let_extents, self.expanded)
        {
            self.push(
                Diagnostic::new(
                    Code::ExpansionLimit,
                    span,
                    "the lets used in this build expand to too much text",
                )
                .label(format!(
                    "this use of `{name}` takes them past {} MiB",
                    limits::MAX_EXPANSION >> 20
                ))
                .note("the rest of this file is not read")
                .help("use large lets fewer times, or split the fleet into several builds"),
            );
            return false;
        }
        true
    }
}
