//! Formatting requests: the same layout as `amlgen fmt`
//! ([`crate::syntax::fmt::format`]).

use lsp_types::TextEdit;

/// The edits that format a document: one replacing the whole text, none
/// when it is already formatted or does not parse.
#[must_use]
pub fn edits(text: &str) -> Vec<TextEdit> {
    match crate::syntax::fmt::format(text) {
        Ok(new) if new != text => vec![TextEdit::new(
            super::documents::range(text, 0..text.len()),
            new,
        )],
        _ => Vec::new(),
    }
}
