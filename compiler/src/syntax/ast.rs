//! The syntax tree. It mirrors the grammar in `docs/language.md`, carries a
//! span on every node, and may still describe an invalid posture.

use super::token::StrPart;
use crate::span::Span;

/// A name as written, with its span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A whole file: its top-level entries.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct File {
    pub entries: Vec<Entry>,
}

/// `{ entries }`, with the span of the braces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Body {
    pub entries: Vec<Entry>,
    pub span: Span,
}

/// One line of a body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    /// `let name = value`
    Let { name: Ident, value: Expr },
    /// `key = value`
    Attr { key: Ident, value: Expr },
    /// `head arg arg ... [{ body }]`: a block or a statement.
    Stmt(Stmt),
}

/// `head arg* [body]`, e.g. `workspace "w" { ... }`, `allow huggingface`,
/// `rule "r" fqdn "pypi.org"`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stmt {
    pub head: Ident,
    pub args: Vec<Expr>,
    pub body: Option<Body>,
    pub span: Span,
}

/// A map key: a name or a string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Key {
    pub text: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExprKind {
    Str(Vec<StrPart>),
    Number(u64),
    Bool(bool),
    /// A bare name: an enum value or a `let` reference.
    Ident(String),
    List(Vec<Expr>),
    Map(Vec<(Key, Expr)>),
    /// `name "text"`, e.g. `management_group "mg-ml"`.
    Tagged(Ident, Box<Expr>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

impl Expr {
    /// What kind of value this is, for "expected ..., found ..." messages.
    #[must_use]
    pub fn describe(&self) -> &'static str {
        match self.kind {
            ExprKind::Str(_) => "a string",
            ExprKind::Number(_) => "a number",
            ExprKind::Bool(_) => "a boolean",
            ExprKind::Ident(_) => "a name",
            ExprKind::List(_) => "a list",
            ExprKind::Map(_) => "a map",
            ExprKind::Tagged(..) => "a tagged value",
        }
    }
}
