//! Go to definition and find references for `let` names, per file (a
//! `let` is visible in its own file only).

use crate::diag::Diagnostics;
use crate::source::FileId;
use crate::syntax::ast::Entry;
use crate::syntax::token::{StrPart, TokenKind};
use crate::syntax::{lexer, parser};

/// The `let` under byte `offset`: its definition's byte range and every
/// use (bare names and `${name}` in strings), in order.
#[must_use]
pub fn let_at(
    text: &str,
    offset: usize,
) -> Option<(std::ops::Range<usize>, Vec<std::ops::Range<usize>>)> {
    let (word, _) = super::documents::word_at(text, offset)?;
    let mut diags = Diagnostics::default();
    let tokens = lexer::lex(FileId(0), text, &mut diags);
    let file = parser::parse(&tokens, &mut diags);
    let def = file.entries.iter().find_map(|e| match e {
        Entry::Let { name, .. } if name.name == word => Some(name.span.range()),
        _ => None,
    })?;
    let mut uses = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        match &t.kind {
            TokenKind::Ident(n)
                if n == word
                    && t.span.range() != def
                    && tokens.get(i + 1).map(|t| &t.kind) != Some(&TokenKind::Equals) =>
            {
                uses.push(t.span.range());
            }
            TokenKind::Str(parts) => uses.extend(parts.iter().filter_map(|p| match p {
                StrPart::Interp(n, s) if n == word => Some(s.range()),
                _ => None,
            })),
            _ => {}
        }
    }
    // The use under the cursor must be of this let, not of a same-named key.
    let on_it = def.contains(&offset)
        || def.end == offset
        || uses.iter().any(|r| r.contains(&offset) || r.end == offset);
    on_it.then_some((def, uses))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_definition_and_uses() {
        let t = "let a = \"x\"\nworkspace \"w\" { resource_group = a  region = \"${a}\" }\n";
        let use_at = t.find("= a").unwrap() + 2;
        let (def, uses) = let_at(t, use_at).unwrap();
        assert_eq!(&t[def], "a");
        assert_eq!(uses.len(), 2);
    }
}
