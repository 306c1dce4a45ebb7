//! Tokens: kinds with a user-facing name, and their spans.

use crate::span::Span;

/// A piece of a string literal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StrPart {
    /// Text with escapes already resolved.
    Text(String),
    /// `${name}`: the name and its span (inside the braces).
    Interp(String, Span),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenKind {
    Ident(String),
    Str(Vec<StrPart>),
    Number(u64),
    True,
    False,
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    Equals,
    Comma,
    Newline,
    Eof,
}

impl TokenKind {
    /// How the token is named in "expected ..., found ..." messages.
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            TokenKind::Ident(s) => format!("`{s}`"),
            TokenKind::Str(_) => "a string".into(),
            TokenKind::Number(n) => format!("`{n}`"),
            TokenKind::True => "`true`".into(),
            TokenKind::False => "`false`".into(),
            TokenKind::LBrace => "`{`".into(),
            TokenKind::RBrace => "`}`".into(),
            TokenKind::LBracket => "`[`".into(),
            TokenKind::RBracket => "`]`".into(),
            TokenKind::Equals => "`=`".into(),
            TokenKind::Comma => "`,`".into(),
            TokenKind::Newline => "end of line".into(),
            TokenKind::Eof => "end of file".into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Span,
}
