//! Completion at the cursor: block and setting names of the enclosing
//! block, values after `=`, presets after `allow`, rule kinds after
//! `rule "x"`, private endpoint target types and sub-resources, the codes
//! a posture may accept after `accept` (with their titles).

use lsp_types::{CompletionItem, CompletionItemKind, CompletionResponse, InsertTextFormat};

use super::context::{self, Place};
use super::schema;
use crate::syntax::token::{StrPart, TokenKind};

/// The items offered at byte `offset` of `text`.
#[must_use]
pub fn complete(text: &str, offset: usize) -> CompletionResponse {
    let start =
        super::documents::word_at(text, offset).map_or(offset, |(_, r)| r.start.min(offset));
    let place = context::place(text, start);
    CompletionResponse::Array(items(&place))
}

fn item(label: &str, kind: CompletionItemKind, detail: Option<String>) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail,
        ..CompletionItem::default()
    }
}

fn words(list: &[&str], kind: CompletionItemKind) -> Vec<CompletionItem> {
    list.iter().map(|w| item(w, kind, None)).collect()
}

fn items(place: &Place) -> Vec<CompletionItem> {
    let block = place.block();
    if block == "=" {
        return Vec::new();
    }
    if let Some(key) = context::value_of(&place.line) {
        if block == "rule" && key == "subresource" {
            let head = place.heads.last().map_or(&[][..], Vec::as_slice);
            return words(&rule_subresources(head), CompletionItemKind::ENUM_MEMBER);
        }
        return words(&schema::values(block, key), CompletionItemKind::ENUM_MEMBER);
    }
    match place.line.as_slice() {
        [] => {
            let (settings, blocks) = schema::block(block);
            let mut out = words(&blocks, CompletionItemKind::KEYWORD);
            out.extend(settings.iter().map(|s| {
                CompletionItem {
                    insert_text: Some(format!("{s} = ")),
                    ..item(s, CompletionItemKind::PROPERTY, None)
                }
            }));
            out
        }
        [TokenKind::Ident(h)] if h == "allow" => words(&schema::presets(), CompletionItemKind::ENUM_MEMBER),
        [TokenKind::Ident(h)] if h == "accept" => crate::diag::Code::ALL
            .iter()
            .filter(|c| crate::ir::accept::acceptable(**c))
            .map(|c| item(c.id(), CompletionItemKind::ENUM_MEMBER, Some(c.title().to_string())))
            .collect(),
        [TokenKind::Ident(h)] if block == "policy" && schema::effects().contains(&h.as_str()) => {
            words(&schema::controls(), CompletionItemKind::ENUM_MEMBER)
        }
        [TokenKind::Ident(h), TokenKind::Str(_)] if h == "rule" => {
            words(&schema::rule_kinds(), CompletionItemKind::ENUM_MEMBER)
        }
        [TokenKind::Ident(h), TokenKind::Str(_), TokenKind::Ident(k)]
            if h == "rule" && k == "private_endpoint" =>
        {
            schema::target_types()
                .into_iter()
                .map(|t| {
                    let snippet = format!(
                        "\"/subscriptions/${{1:<subscription>}}/resourceGroups/${{2:<group>}}/providers/{t}/${{3:<name>}}\""
                    );
                    CompletionItem {
                        insert_text: Some(snippet),
                        insert_text_format: Some(InsertTextFormat::SNIPPET),
                        ..item(t, CompletionItemKind::CLASS, Some("private endpoint target".into()))
                    }
                })
                .collect()
        }
        _ => Vec::new(),
    }
}

/// Sub-resources valid for the rule whose body the cursor is in, when its
/// destination is a literal id naming a known type.
fn rule_subresources(rule_line: &[TokenKind]) -> Vec<&'static str> {
    let id = rule_line.iter().find_map(|k| match k {
        TokenKind::Str(parts) => parts.iter().rev().find_map(|p| match p {
            StrPart::Text(t) if t.contains("/providers/") => Some(t.clone()),
            _ => None,
        }),
        _ => None,
    });
    let arm_type = id.as_deref().and_then(|id| {
        let rest = id.rsplit_once("/providers/")?.1;
        let mut parts = rest.split('/');
        Some(format!("{}/{}", parts.next()?, parts.next()?))
    });
    schema::subresources(arm_type.as_deref())
}
