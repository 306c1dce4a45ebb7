//! Formatting requests.
//!
//! STUB: `amlgen::syntax::fmt::format` is being written in parallel; until
//! it lands, [`format`] stands in with its signature (it refuses text that
//! does not lex and parse, and otherwise returns it unchanged). Replace the
//! body with a call to `crate::syntax::fmt::format` then.

use lsp_types::TextEdit;

use crate::diag::{Diagnostic, Diagnostics, Severity};
use crate::source::FileId;
use crate::syntax::{lexer, parser};

/// Stand-in for `crate::syntax::fmt::format` (same signature).
pub fn format(text: &str) -> Result<String, Vec<Diagnostic>> {
    let mut diags = Diagnostics::default();
    let tokens = lexer::lex(FileId(0), text, &mut diags);
    parser::parse(&tokens, &mut diags);
    let errors: Vec<Diagnostic> = diags
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    if errors.is_empty() {
        Ok(text.to_string())
    } else {
        Err(errors)
    }
}

/// The edits that format a document: one replacing the whole text, none
/// when it is already formatted or does not parse.
#[must_use]
pub fn edits(text: &str) -> Vec<TextEdit> {
    match format(text) {
        Ok(new) if new != text => vec![TextEdit::new(
            super::documents::range(text, 0..text.len()),
            new,
        )],
        _ => Vec::new(),
    }
}
