//! Diagnostics: what every phase reports instead of failing.
//!
//! Phases push [`Diagnostic`]s into a [`Diagnostics`] sink and go on; the
//! driver decides afterwards whether anything may be emitted.

pub mod codes;
pub mod explain;
pub mod group;
pub mod render;
pub mod suggest;

pub use codes::Code;

use crate::span::Span;

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A secondary location with a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// One finding, with where it is and what to do about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    /// The culprit; `None` only for findings about no particular place
    /// (an unreadable manifest).
    pub primary: Option<Span>,
    /// Text under the primary caret.
    pub primary_label: Option<String>,
    pub labels: Vec<Label>,
    pub notes: Vec<String>,
    pub help: Vec<String>,
    /// The workspace whose block holds the primary span, when there is one:
    /// the driver fills it in, and the human output folds a finding repeated
    /// in several workspaces into one (`group`).
    pub workspace: Option<String>,
}

impl Diagnostic {
    #[must_use]
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Self {
        Self {
            code,
            severity: code.default_severity(),
            message: message.into(),
            primary: Some(span),
            primary_label: None,
            labels: Vec::new(),
            notes: Vec::new(),
            help: Vec::new(),
            workspace: None,
        }
    }

    /// A finding with no source position.
    #[must_use]
    pub fn unplaced(code: Code, message: impl Into<String>) -> Self {
        Self {
            primary: None,
            ..Self::new(code, Span::new(crate::source::FileId(0), 0, 0), message)
        }
    }

    #[must_use]
    pub fn label(mut self, text: impl Into<String>) -> Self {
        self.primary_label = Some(text.into());
        self
    }

    #[must_use]
    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    #[must_use]
    pub fn note(mut self, text: impl Into<String>) -> Self {
        self.notes.push(text.into());
        self
    }

    #[must_use]
    pub fn help(mut self, text: impl Into<String>) -> Self {
        self.help.push(text.into());
        self
    }

    /// Adds `did you mean ...?` when a candidate is close to `found`.
    #[must_use]
    pub fn suggest<'a>(self, found: &str, candidates: impl IntoIterator<Item = &'a str>) -> Self {
        match suggest::closest(found, candidates) {
            Some(best) => self.help(format!("did you mean `{best}`?")),
            None => self,
        }
    }
}

/// How many errors one run keeps (clang's default limit is 20). Past it,
/// each further error is only counted, and [`Diagnostics::into_sorted`]
/// ends with one `AML9005` that says how many were left out: a file of a
/// million mistakes must not hold a million messages in memory (or print
/// them). The first errors are the ones that matter; the rest are usually
/// their echoes.
pub const MAX_ERRORS: usize = 100;

/// How many diagnostics of any severity one run keeps: a fleet's warnings
/// are all shown, but their number is bounded too.
pub const MAX_DIAGNOSTICS: usize = 10_000;

/// The sink every phase writes to.
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
    errors: usize,
    /// Diagnostics past the limits, and how many of them errors.
    dropped: usize,
    dropped_errors: usize,
}

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        let error = d.severity == Severity::Error;
        if (error && self.errors >= MAX_ERRORS) || self.items.len() >= MAX_DIAGNOSTICS {
            self.dropped += 1;
            self.dropped_errors += usize::from(error);
            return;
        }
        self.errors += usize::from(error);
        self.items.push(d);
    }

    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.dropped_errors > 0 || self.items.iter().any(|d| d.severity == Severity::Error)
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.items.iter()
    }

    /// Appends another sink's diagnostics, and its count of those left out.
    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        for d in other {
            self.push(d);
        }
    }

    /// Keeps only the diagnostics `keep` says to (it may change them).
    pub fn retain_mut(&mut self, keep: impl FnMut(&mut Diagnostic) -> bool) {
        self.items.retain_mut(keep);
        self.errors = self
            .items
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
    }

    /// Moves another sink into this one, with its count of those left out.
    pub fn append(&mut self, other: Diagnostics) {
        self.dropped += other.dropped;
        self.dropped_errors += other.dropped_errors;
        self.extend(other.items);
    }

    /// Sorted by position (file, offset), then code: the order users read.
    #[must_use]
    pub fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.items.sort_by(|a, b| {
            let ka = a.primary.map(|s| (s.file, s.start, s.end));
            let kb = b.primary.map(|s| (s.file, s.start, s.end));
            ka.cmp(&kb).then(a.code.cmp(&b.code))
        });
        self.items.dedup();
        if self.dropped > 0 {
            let mut d = Diagnostic::unplaced(
                Code::TooManyDiagnostics,
                format!(
                    "{} more diagnostics ({} of them errors) are not shown",
                    self.dropped, self.dropped_errors
                ),
            )
            .note(format!(
                "amlgen keeps the first {MAX_ERRORS} errors and {MAX_DIAGNOSTICS} diagnostics of a run"
            ))
            .help("fix the ones shown and run again");
            if self.dropped_errors == 0 {
                d.severity = Severity::Warning;
            }
            self.items.push(d);
        }
        self.items
    }
}

impl<'a> IntoIterator for &'a Diagnostics {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}
