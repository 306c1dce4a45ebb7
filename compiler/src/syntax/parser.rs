//! Recursive-descent parser: tokens to [`ast::File`]. Never fails: on an
//! unexpected token it reports what it expected, skips to the end of the
//! line or the enclosing `}`, and goes on, so one run reports every syntax
//! error.
//!
//! Helpers named `expect_*` report a user error when the token is not there;
//! the parser never assumes a token it has not checked.

use super::ast::{Body, Entry, Expr, ExprKind, File, Ident, Key, Stmt};
use super::token::{Token, TokenKind};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::span::Span;

/// Nesting deeper than this is reported rather than recursed into, so no
/// input can overflow the stack.
use super::limits::MAX_DEPTH;

/// Parses the tokens of one file.
pub fn parse(tokens: &[Token], diags: &mut Diagnostics) -> File {
    let mut p = Parser {
        tokens,
        pos: 0,
        diags,
        depth: 0,
    };
    let entries = p.entries(None);
    File { entries }
}

struct Parser<'t, 'd> {
    tokens: &'t [Token],
    pos: usize,
    diags: &'d mut Diagnostics,
    depth: usize,
}

impl Parser<'_, '_> {
    fn peek(&self) -> &Token {
        &self.tokens[self.pos.min(self.tokens.len() - 1)]
    }

    fn peek_kind(&self) -> &TokenKind {
        &self.peek().kind
    }

    fn bump(&mut self) -> Token {
        let t = self.peek().clone();
        if t.kind != TokenKind::Eof {
            self.pos += 1;
        }
        t
    }

    fn skip_newlines(&mut self) {
        while *self.peek_kind() == TokenKind::Newline {
            self.pos += 1;
        }
    }

    fn error_expected(&mut self, expected: &str, found: &Token, help: &str) {
        // A new line is reported where the line ends, not as a span over the
        // line break (which would render as covering two lines).
        let span = if found.kind == TokenKind::Newline {
            Span {
                end: found.span.start,
                ..found.span
            }
        } else {
            found.span
        };
        let d = Diagnostic::new(
            Code::UnexpectedToken,
            span,
            format!("expected {expected}, found {}", found.kind.describe()),
        )
        .label(format!("expected {expected}"))
        .help(help);
        self.diags.push(d);
    }

    /// The help for a missing value: where values go.
    fn value_help(found: &Token) -> &'static str {
        if found.kind == TokenKind::Newline {
            "a value must start on the same line as its `=`; lists and maps may then continue on later lines"
        } else {
            "write a value here, e.g. `\"text\"`, `443`, `true`, a name, `[\"a\", \"b\"]` or `{ key = \"value\" }`"
        }
    }

    /// Skips to the next line or to the `}` that closes the current body,
    /// keeping nested braces balanced.
    fn recover(&mut self) {
        let mut depth = 0usize;
        loop {
            match self.peek_kind() {
                TokenKind::Eof => return,
                TokenKind::Newline | TokenKind::RBrace if depth == 0 => return,
                TokenKind::LBrace | TokenKind::LBracket => depth += 1,
                TokenKind::RBrace | TokenKind::RBracket => depth = depth.saturating_sub(1),
                _ => {}
            }
            self.pos += 1;
        }
    }

    /// Entries until `}` (when `open` is the opening brace) or end of file.
    fn entries(&mut self, open: Option<Span>) -> Vec<Entry> {
        let mut entries = Vec::new();
        loop {
            self.skip_newlines();
            let tok = self.peek().clone();
            match &tok.kind {
                TokenKind::Eof => {
                    if let Some(open) = open {
                        self.diags.push(
                            Diagnostic::new(Code::UnclosedDelimiter, open, "unclosed `{`")
                                .label("this block is never closed")
                                .with_label(tok.span, "the file ends here")
                                .help("add the missing `}`"),
                        );
                    }
                    return entries;
                }
                TokenKind::RBrace => {
                    if open.is_some() {
                        return entries;
                    }
                    self.bump();
                    self.diags.push(
                        Diagnostic::new(Code::UnexpectedToken, tok.span, "unexpected `}`")
                            .label("no block is open here")
                            .help("remove it, or check the `{` before it"),
                    );
                }
                TokenKind::Ident(_) => {
                    if let Some(e) = self.entry() {
                        entries.push(e);
                    }
                    self.end_of_entry();
                }
                _ => {
                    self.error_expected(
                        "a setting (`name = value`) or a block (`name ... { }`)",
                        &tok,
                        "an entry starts with a name, e.g. `region = \"westeurope\"` or `storage { ... }`",
                    );
                    self.bump();
                    self.recover();
                }
            }
        }
    }

    /// After an entry: a new line, `}`, end of file, or (for `key = value`)
    /// another entry on the same line.
    fn end_of_entry(&mut self) {
        if let TokenKind::Comma = self.peek_kind() {
            self.bump();
        }
    }

    fn ident(&mut self) -> Ident {
        let t = self.bump();
        match t.kind {
            TokenKind::Ident(name) => Ident { name, span: t.span },
            _ => Ident {
                name: String::new(),
                span: t.span,
            },
        }
    }

    fn entry(&mut self) -> Option<Entry> {
        let head = self.ident();
        if head.name == "let" {
            return self.let_entry();
        }
        if *self.peek_kind() == TokenKind::Equals {
            self.bump();
            let value = self.expect_value(true)?;
            return Some(Entry::Attr { key: head, value });
        }
        let mut args = Vec::new();
        loop {
            match self.peek_kind() {
                TokenKind::Newline | TokenKind::Eof | TokenKind::RBrace | TokenKind::Comma => {
                    let span = args
                        .last()
                        .map_or(head.span, |a: &Expr| head.span.to(a.span));
                    return Some(Entry::Stmt(Stmt {
                        head,
                        args,
                        body: None,
                        span,
                    }));
                }
                TokenKind::LBrace => {
                    let body = self.body()?;
                    let span = head.span.to(body.span);
                    return Some(Entry::Stmt(Stmt {
                        head,
                        args,
                        body: Some(body),
                        span,
                    }));
                }
                TokenKind::Equals => {
                    let t = self.bump();
                    self.diags.push(
                        Diagnostic::new(Code::UnexpectedToken, t.span, "unexpected `=`")
                            .label("a setting name is a single word")
                            .help(format!(
                                "write `{} = value`, or put the words before `=` on their own line",
                                args.last().map_or(head.name.as_str(), |_| "name")
                            )),
                    );
                    self.recover();
                    return None;
                }
                _ => {
                    let arg = self.expect_value(false)?;
                    args.push(arg);
                }
            }
        }
    }

    fn let_entry(&mut self) -> Option<Entry> {
        let tok = self.peek().clone();
        let TokenKind::Ident(_) = tok.kind else {
            self.error_expected(
                "a name after `let`",
                &tok,
                "write `let name = value`; a name is letters, digits and `_`",
            );
            self.recover();
            return None;
        };
        let name = self.ident();
        let tok = self.peek().clone();
        if tok.kind != TokenKind::Equals {
            self.error_expected("`=`", &tok, "write `let name = value`");
            self.recover();
            return None;
        }
        self.bump();
        let value = self.expect_value(true)?;
        Some(Entry::Let { name, value })
    }

    fn body(&mut self) -> Option<Body> {
        let open = self.bump().span;
        if self.depth >= MAX_DEPTH {
            self.diags.push(
                Diagnostic::new(Code::UnexpectedToken, open, "blocks are nested too deeply")
                    .label(format!("more than {MAX_DEPTH} levels"))
                    .help("postures need only a few levels of blocks"),
            );
            self.recover_to_close();
            return None;
        }
        self.depth += 1;
        let entries = self.entries(Some(open));
        self.depth -= 1;
        let close = self.peek().span;
        if *self.peek_kind() == TokenKind::RBrace {
            self.bump();
        }
        Some(Body {
            entries,
            span: open.to(close),
        })
    }

    /// Skips a too-deep block whole.
    fn recover_to_close(&mut self) {
        let mut depth = 1usize;
        while depth > 0 {
            match self.bump().kind {
                TokenKind::Eof => return,
                TokenKind::LBrace => depth += 1,
                TokenKind::RBrace => depth -= 1,
                _ => {}
            }
        }
    }

    /// A value; reports and recovers when there is none. `tagged` allows
    /// `name "text"` (in setting values, not among statement arguments,
    /// where the words stay separate).
    fn expect_value(&mut self, tagged: bool) -> Option<Expr> {
        let tok = self.peek().clone();
        let value = self.value(tagged);
        if value.is_none() {
            self.error_expected(
                "a value (string, number, `true`/`false`, name, list or map)",
                &tok,
                Self::value_help(&tok),
            );
            if !matches!(tok.kind, TokenKind::RBrace | TokenKind::Eof) {
                self.bump();
            }
            self.recover();
        }
        value
    }

    fn value(&mut self, tagged: bool) -> Option<Expr> {
        let tok = self.peek().clone();
        let kind = match tok.kind {
            TokenKind::Str(parts) => {
                self.bump();
                ExprKind::Str(parts)
            }
            TokenKind::Number(n) => {
                self.bump();
                ExprKind::Number(n)
            }
            TokenKind::True => {
                self.bump();
                ExprKind::Bool(true)
            }
            TokenKind::False => {
                self.bump();
                ExprKind::Bool(false)
            }
            TokenKind::Ident(name) => {
                self.bump();
                if let (true, TokenKind::Str(parts)) = (tagged, self.peek_kind().clone()) {
                    let s = self.bump().span;
                    let inner = Expr {
                        kind: ExprKind::Str(parts),
                        span: s,
                    };
                    return Some(Expr {
                        kind: ExprKind::Tagged(
                            Ident {
                                name,
                                span: tok.span,
                            },
                            Box::new(inner),
                        ),
                        span: tok.span.to(s),
                    });
                }
                ExprKind::Ident(name)
            }
            TokenKind::LBracket => return self.nested(Self::list),
            TokenKind::LBrace => return self.nested(Self::map),
            _ => return None,
        };
        Some(Expr {
            kind,
            span: tok.span,
        })
    }

    fn nested(&mut self, f: fn(&mut Self) -> Option<Expr>) -> Option<Expr> {
        if self.depth >= MAX_DEPTH {
            let open = self.peek().span;
            self.diags.push(
                Diagnostic::new(Code::UnexpectedToken, open, "values are nested too deeply")
                    .label(format!("more than {MAX_DEPTH} levels"))
                    .help("postures need only a few levels of lists and maps"),
            );
            self.recover();
            return None;
        }
        self.depth += 1;
        let v = f(self);
        self.depth -= 1;
        v
    }

    fn list(&mut self) -> Option<Expr> {
        let open = self.bump().span;
        let mut items = Vec::new();
        loop {
            self.skip_newlines();
            let tok = self.peek().clone();
            match tok.kind {
                TokenKind::RBracket => {
                    self.bump();
                    return Some(Expr {
                        kind: ExprKind::List(items),
                        span: open.to(tok.span),
                    });
                }
                TokenKind::Eof | TokenKind::RBrace => {
                    self.diags.push(
                        Diagnostic::new(Code::UnclosedDelimiter, open, "unclosed `[`")
                            .label("this list is never closed")
                            .with_label(tok.span, "expected `]` before this")
                            .help("add the missing `]`"),
                    );
                    return Some(Expr {
                        kind: ExprKind::List(items),
                        span: open.to(tok.span),
                    });
                }
                _ => {}
            }
            let item = self.expect_value(true)?;
            items.push(item);
            self.skip_newlines();
            let tok = self.peek().clone();
            match tok.kind {
                TokenKind::Comma => {
                    self.bump();
                }
                TokenKind::RBracket | TokenKind::Eof | TokenKind::RBrace => {}
                _ => {
                    self.error_expected(
                        "`,` or `]`",
                        &tok,
                        "separate list items with `,`, e.g. `[\"203.0.113.0/24\", \"198.51.100.7\"]`",
                    );
                }
            }
        }
    }

    fn map(&mut self) -> Option<Expr> {
        let open = self.bump().span;
        let mut items = Vec::new();
        loop {
            self.skip_newlines();
            let tok = self.peek().clone();
            let key = match tok.kind {
                TokenKind::RBrace => {
                    self.bump();
                    return Some(Expr {
                        kind: ExprKind::Map(items),
                        span: open.to(tok.span),
                    });
                }
                TokenKind::Eof => {
                    self.diags.push(
                        Diagnostic::new(Code::UnclosedDelimiter, open, "unclosed `{`")
                            .label("this map is never closed")
                            .with_label(tok.span, "the file ends here")
                            .help("add the missing `}`"),
                    );
                    return Some(Expr {
                        kind: ExprKind::Map(items),
                        span: open.to(tok.span),
                    });
                }
                TokenKind::Ident(name) => Key {
                    text: name,
                    span: tok.span,
                },
                TokenKind::Str(ref parts)
                    if parts
                        .iter()
                        .all(|p| matches!(p, super::token::StrPart::Text(_))) =>
                {
                    let text = parts
                        .iter()
                        .map(|p| match p {
                            super::token::StrPart::Text(t) => t.as_str(),
                            super::token::StrPart::Interp(..) => "",
                        })
                        .collect();
                    Key {
                        text,
                        span: tok.span,
                    }
                }
                _ => {
                    self.error_expected(
                        "a map key (a name or a plain string) or `}`",
                        &tok,
                        "map items are written `key = value`; a key is a name or a string without `${}`",
                    );
                    self.bump();
                    self.recover_in_map();
                    continue;
                }
            };
            self.bump();
            let tok = self.peek().clone();
            if tok.kind != TokenKind::Equals {
                self.error_expected(
                    "`=` after the map key",
                    &tok,
                    "map items are written `key = value`",
                );
                self.recover_in_map();
                continue;
            }
            self.bump();
            let Some(value) = self.value(true) else {
                let tok = self.peek().clone();
                self.error_expected("a value", &tok, Self::value_help(&tok));
                self.recover_in_map();
                continue;
            };
            items.push((key, value));
            if *self.peek_kind() == TokenKind::Comma {
                self.bump();
            }
        }
    }

    /// Inside a map: skips to the next line or the closing `}`.
    fn recover_in_map(&mut self) {
        loop {
            match self.peek_kind() {
                TokenKind::Eof | TokenKind::Newline | TokenKind::RBrace => return,
                _ => self.pos += 1,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;
    use crate::syntax::lexer::lex;

    fn parse_str(text: &str) -> (File, Vec<Code>) {
        let mut d = Diagnostics::default();
        let toks = lex(FileId(0), text, &mut d);
        let f = parse(&toks, &mut d);
        (f, d.iter().map(|x| x.code).collect())
    }

    #[test]
    fn parses_blocks_statements_and_values() {
        let (f, errs) = parse_str(
            "let a = \"x\"\nworkspace \"w\" {\n  rule \"r\" fqdn \"pypi.org\"\n  tags = { a = \"b\", \"c-d\" = \"e\" }\n  x = [1, 2,]\n  s = management_group \"mg\"\n}\n",
        );
        assert!(errs.is_empty(), "{errs:?}");
        assert_eq!(f.entries.len(), 2);
        let Entry::Stmt(ws) = &f.entries[1] else {
            panic!()
        };
        let body = ws.body.as_ref().unwrap();
        assert_eq!(body.entries.len(), 4);
        let Entry::Stmt(rule) = &body.entries[0] else {
            panic!()
        };
        assert_eq!(rule.args.len(), 3);
    }

    #[test]
    fn several_settings_on_one_line() {
        let (f, errs) = parse_str("b { protocol = tcp  ports = \"80\" }");
        assert!(errs.is_empty());
        let Entry::Stmt(b) = &f.entries[0] else {
            panic!()
        };
        assert_eq!(b.body.as_ref().unwrap().entries.len(), 2);
    }

    #[test]
    fn recovers_and_reports_every_error() {
        let (_, errs) = parse_str("a = \nb = ]\nc {\n d = [1 2]\n");
        assert!(errs.contains(&Code::UnexpectedToken));
        assert!(errs.contains(&Code::UnclosedDelimiter));
        assert!(errs.len() >= 3, "{errs:?}");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = "a = ".to_string() + &"[".repeat(10_000);
        let (_, errs) = parse_str(&text);
        assert!(!errs.is_empty());
        let text = "a ".to_string() + &"{ b ".repeat(10_000);
        let (_, errs) = parse_str(&text);
        assert!(!errs.is_empty());
    }
}
