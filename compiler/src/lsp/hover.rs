//! Hover: a diagnostic code's title and page, or a keyword's or setting's entry in
//! the language reference.

use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind};

use super::documents::{range, word_at};
use super::schema;
use crate::diag::{Code, explain};

/// The hover at byte `offset` of `text`.
#[must_use]
pub fn hover(text: &str, offset: usize) -> Option<Hover> {
    let (word, r) = word_at(text, offset)?;
    let value = match Code::parse(word)
        .filter(|_| word.len() == 7 && word[..3].eq_ignore_ascii_case("aml"))
    {
        Some(code) => format!(
            "**{}**: {}\n\n{}",
            code.id(),
            code.title(),
            explain::explanation(code)
        ),
        None => schema::doc(word)?,
    };
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range: Some(range(text, r)),
    })
}
