//! Where the cursor is, as the language sees it: the enclosing blocks and
//! the tokens of the statement written so far on its line.

use crate::diag::Diagnostics;
use crate::source::FileId;
use crate::syntax::lexer;
use crate::syntax::token::TokenKind;

/// The place completion is asked at.
#[derive(Debug, Default)]
pub struct Place {
    /// Names of the enclosing blocks, outermost first; `=` for a map.
    pub blocks: Vec<String>,
    /// Tokens of the statement before the cursor (and before the word
    /// being typed).
    pub line: Vec<TokenKind>,
    /// The statement that opened each enclosing block (`rule "r" ... {`).
    pub heads: Vec<Vec<TokenKind>>,
}

impl Place {
    /// The name of the innermost block (`""` at the top of a file).
    #[must_use]
    pub fn block(&self) -> &str {
        self.blocks.last().map_or("", String::as_str)
    }
}

/// Reads the text before `offset` (where the word being typed starts).
#[must_use]
pub fn place(text: &str, offset: usize) -> Place {
    let offset = crate::source::floor_char_boundary(text, offset);
    let mut diags = Diagnostics::default();
    let tokens = lexer::lex(FileId(0), &text[..offset], &mut diags);
    let mut p = Place::default();
    for t in tokens {
        match t.kind {
            TokenKind::LBrace => {
                let name = if p.line.contains(&TokenKind::Equals) {
                    "=".to_string()
                } else {
                    match p.line.first() {
                        Some(TokenKind::Ident(s)) => s.clone(),
                        _ => String::new(),
                    }
                };
                p.blocks.push(name);
                p.heads.push(std::mem::take(&mut p.line));
            }
            TokenKind::RBrace => {
                p.blocks.pop();
                p.heads.pop();
                p.line.clear();
            }
            TokenKind::Newline => p.line.clear(),
            TokenKind::Eof => {}
            kind => {
                // `a = 1  b = 2` on one line: a new setting starts after a
                // complete value.
                if matches!(kind, TokenKind::Ident(_)) && ends_value(&p.line) {
                    p.line.clear();
                }
                p.line.push(kind);
            }
        }
    }
    p
}

/// Whether the tokens end with `key = value` (a complete setting).
fn ends_value(line: &[TokenKind]) -> bool {
    let n = line.len();
    n >= 3
        && matches!(line[0], TokenKind::Ident(_))
        && line[1] == TokenKind::Equals
        && !matches!(
            line[n - 1],
            TokenKind::Equals | TokenKind::Comma | TokenKind::LBracket
        )
        && line.iter().filter(|k| **k == TokenKind::LBracket).count()
            == line.iter().filter(|k| **k == TokenKind::RBracket).count()
}

/// The setting whose value is being written, if any: `key = ` or inside
/// its list `key = [a, `.
#[must_use]
pub fn value_of(line: &[TokenKind]) -> Option<&str> {
    match (line.first(), line.get(1), line.last()) {
        (
            Some(TokenKind::Ident(k)),
            Some(TokenKind::Equals),
            Some(TokenKind::Equals | TokenKind::LBracket | TokenKind::Comma),
        ) => Some(k),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_blocks_and_settings() {
        let t = "workspace \"w\" {\n  outbound {\n    mode = ";
        let p = place(t, t.len());
        assert_eq!(p.blocks, ["workspace", "outbound"]);
        assert_eq!(value_of(&p.line), Some("mode"));
        let t = "storage { a = true  b = ";
        assert_eq!(value_of(&place(t, t.len()).line), Some("b"));
        let t = "x { resources = [workspace, ";
        assert_eq!(value_of(&place(t, t.len()).line), Some("resources"));
    }
}
