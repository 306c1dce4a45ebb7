//! Code actions: each diagnostic with a "did you mean" suggestion offers
//! its replacement (carried in the diagnostic's `data`).

use std::collections::HashMap;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, TextEdit, WorkspaceEdit,
};

/// The quick fixes for the diagnostics the client sends back.
#[must_use]
pub fn actions(text: &str, params: &CodeActionParams) -> Vec<CodeActionOrCommand> {
    params
        .context
        .diagnostics
        .iter()
        .filter_map(|d| {
            let word = d.data.as_ref()?.as_str()?;
            let start = super::documents::offset(text, d.range.start);
            let quoted = text[start..].starts_with('"');
            let new_text = if quoted {
                format!("\"{word}\"")
            } else {
                word.to_string()
            };
            let edit = TextEdit::new(d.range, new_text);
            Some(CodeActionOrCommand::CodeAction(CodeAction {
                title: format!("Replace with `{word}`"),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![d.clone()]),
                edit: Some(WorkspaceEdit {
                    changes: Some(HashMap::from([(
                        params.text_document.uri.clone(),
                        vec![edit],
                    )])),
                    ..WorkspaceEdit::default()
                }),
                is_preferred: Some(true),
                ..CodeAction::default()
            }))
        })
        .collect()
}
