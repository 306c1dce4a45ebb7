//! `amlgen fmt`: the one layout of a posture file.
//!
//! The formatter reprints the tokens of a file that lexes and parses
//! without error, each from its source text, on the lines they were
//! written on: only the space between tokens, the indentation, blank lines
//! and trailing commas change, so the meaning cannot. Comments (`#` and
//! `//`) are read from the source between tokens and kept where they were.
//!
//! The layout: two spaces of indentation per open `{` or `[` (several
//! opened on one line count once); single spaces between tokens, two
//! between settings written on one line; the `=` of consecutive settings at
//! one indentation aligned, and the comments ending consecutive lines; at
//! most one blank line, none after an opening or before a closing bracket,
//! one after a block closed on its own line and before a top-level block; a
//! list closed on its own line has a comma after every item, a bracket
//! closed on the line it opens none before it; no trailing spaces; one
//! final new line.

use super::ast::{Entry, File};
use super::token::{Token, TokenKind};
use super::{lexer, parser};
use crate::diag::{Diagnostic, Diagnostics};
use crate::span::FileId;

/// Formats one posture file. The diagnostics of a file that does not lex
/// or parse without error are returned instead (their spans are in
/// `FileId(0)`, byte offsets into `text` without a leading byte order
/// mark): broken input is never formatted.
pub fn format(text: &str) -> Result<String, Vec<Diagnostic>> {
    let text = text.strip_prefix(crate::source::BOM).unwrap_or(text);
    let mut diags = Diagnostics::default();
    let tokens = lexer::lex(FileId(0), text, &mut diags);
    let file = parser::parse(&tokens, &mut diags);
    if diags.has_errors() {
        return Err(diags.into_sorted());
    }
    let starts = entry_starts(&file, &tokens);
    let (toks, comments) = split(text, &tokens, &starts);
    let toks = fix_commas(toks);
    let lines = layout(&toks, &comments);
    Ok(render(&lines))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Open(char),
    Close(char),
    Comma,
    Equals,
    Word,
}

/// A token as printed: its kind, its source text, the source line it is
/// on, and whether it starts an entry of a file or block.
#[derive(Clone, Copy, Debug)]
struct Tok<'a> {
    kind: Kind,
    text: &'a str,
    line: usize,
    entry: bool,
}

/// The byte offsets where the entries of the file and of its blocks start.
fn entry_starts(file: &File, tokens: &[Token]) -> Vec<u32> {
    fn walk(entries: &[Entry], tokens: &[Token], out: &mut Vec<u32>) {
        for e in entries {
            match e {
                Entry::Let { name, .. } => {
                    // The `let` keyword is the token before the name.
                    let i = tokens.partition_point(|t| t.span.start < name.span.start);
                    if let Some(t) = i.checked_sub(1).and_then(|i| tokens.get(i)) {
                        out.push(t.span.start);
                    }
                }
                Entry::Attr { key, .. } => out.push(key.span.start),
                Entry::Stmt(s) => {
                    out.push(s.head.span.start);
                    if let Some(body) = &s.body {
                        walk(&body.entries, tokens, out);
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(&file.entries, tokens, &mut out);
    out.sort_unstable();
    out
}

/// The tokens with their source lines, and the comment ending each line.
fn split<'a>(
    text: &'a str,
    tokens: &[Token],
    starts: &[u32],
) -> (Vec<Tok<'a>>, Vec<Option<&'a str>>) {
    let mut toks = Vec::new();
    let mut comments = vec![None];
    let mut prev = 0usize;
    for t in tokens {
        let start = (t.span.start as usize).min(text.len()).max(prev);
        if let Some(gap) = text.get(prev..start)
            && let Some(c) = comment(gap)
        {
            *comments.last_mut().unwrap_or(&mut None) = Some(c);
        }
        prev = (t.span.end as usize).min(text.len()).max(start);
        let kind = match t.kind {
            TokenKind::Newline => {
                comments.push(None);
                continue;
            }
            TokenKind::Eof => break,
            TokenKind::LBrace => Kind::Open('{'),
            TokenKind::LBracket => Kind::Open('['),
            TokenKind::RBrace => Kind::Close('}'),
            TokenKind::RBracket => Kind::Close(']'),
            TokenKind::Comma => Kind::Comma,
            TokenKind::Equals => Kind::Equals,
            _ => Kind::Word,
        };
        toks.push(Tok {
            kind,
            text: text.get(start..prev).unwrap_or_default(),
            line: comments.len() - 1,
            entry: starts.binary_search(&t.span.start).is_ok(),
        });
    }
    (toks, comments)
}

/// The comment in the text between two tokens, without trailing space.
fn comment(gap: &str) -> Option<&str> {
    let at = gap
        .char_indices()
        .find(|&(i, c)| c == '#' || (c == '/' && gap[i..].starts_with("//")))?
        .0;
    Some(gap[at..].trim_end())
}

/// Trailing commas: none before a bracket closed on the line it opens, one
/// after the last item of a list whose `]` is on a line of its own.
fn fix_commas(toks: Vec<Tok<'_>>) -> Vec<Tok<'_>> {
    let mut out: Vec<Tok<'_>> = Vec::with_capacity(toks.len() + 1);
    let mut open: Vec<usize> = Vec::new();
    for t in toks {
        match t.kind {
            Kind::Open(_) => open.push(t.line),
            Kind::Close(c) => {
                let opened = open.pop();
                let last = out.last().copied();
                if opened == Some(t.line) {
                    if last.is_some_and(|l| l.kind == Kind::Comma && l.line == t.line) {
                        out.pop();
                    }
                } else if c == ']'
                    && let Some(last) = last
                    && last.line != t.line
                    && !matches!(last.kind, Kind::Comma | Kind::Open(_))
                {
                    out.push(Tok {
                        kind: Kind::Comma,
                        text: ",",
                        line: last.line,
                        entry: false,
                    });
                }
            }
            _ => {}
        }
        out.push(t);
    }
    out
}

/// One printed line: its indentation, tokens and comment, and whether a
/// blank line goes before it.
#[derive(Debug, Default)]
struct Line<'a> {
    indent: usize,
    toks: Vec<Tok<'a>>,
    comment: Option<&'a str>,
    blank_before: bool,
}

impl Line<'_> {
    /// The width of the setting name before the `=` to align, if the line
    /// starts with `name =` or `let name =`.
    fn key_width(&self) -> Option<usize> {
        match self.toks.as_slice() {
            [k, e, ..] if k.kind == Kind::Word && e.kind == Kind::Equals && k.text != "let" => {
                Some(k.text.chars().count())
            }
            [l, k, e, ..] if l.text == "let" && k.kind == Kind::Word && e.kind == Kind::Equals => {
                Some(k.text.chars().count() + 4)
            }
            _ => None,
        }
    }

    fn opens(&self) -> bool {
        let mut depth = 0i32;
        for t in &self.toks {
            match t.kind {
                Kind::Open(_) => depth += 1,
                Kind::Close(_) => depth -= 1,
                _ => {}
            }
        }
        depth > 0
    }

    fn starts_closed(&self) -> bool {
        self.toks
            .first()
            .is_some_and(|t| matches!(t.kind, Kind::Close(_)))
    }
}

/// Indentation and blank lines of every line.
fn layout<'a>(toks: &[Tok<'a>], comments: &[Option<&'a str>]) -> Vec<Line<'a>> {
    let mut by_line: Vec<Vec<Tok<'a>>> = vec![Vec::new(); comments.len()];
    for t in toks {
        if let Some(l) = by_line.get_mut(t.line) {
            l.push(*t);
        }
    }
    let mut lines: Vec<Line<'a>> = Vec::new();
    // The indentation inside each open bracket.
    let mut stack: Vec<usize> = Vec::new();
    let mut blank = false;
    for (line_toks, comment) in by_line.into_iter().zip(comments) {
        if line_toks.is_empty() && comment.is_none() {
            blank = true;
            continue;
        }
        let mut indent = stack.last().copied().unwrap_or(0);
        for (i, t) in line_toks.iter().enumerate() {
            match t.kind {
                Kind::Open(_) => stack.push(indent + 1),
                Kind::Close(_) => {
                    let inner = stack.pop().unwrap_or(1);
                    if i == 0
                        || line_toks[..i]
                            .iter()
                            .all(|t| matches!(t.kind, Kind::Close(_)))
                    {
                        indent = inner.saturating_sub(1);
                    }
                }
                _ => {}
            }
        }
        let line = Line {
            indent,
            toks: line_toks,
            comment: *comment,
            blank_before: false,
        };
        let prev = lines.last();
        let after_open = prev.is_none_or(Line::opens);
        let around_block = prev.is_some_and(|p| {
            let after_block = p.indent == line.indent
                && p.toks.first().is_some_and(|t| t.kind == Kind::Close('}'))
                && !line.starts_closed();
            let top_block_after_line = p.indent == 0
                && line.indent == 0
                && line.opens()
                && line.key_width().is_none()
                && !p.toks.is_empty()
                && !p.opens();
            after_block || top_block_after_line
        });
        let line = Line {
            blank_before: !after_open && !line.starts_closed() && (blank || around_block),
            ..line
        };
        lines.push(line);
        blank = false;
    }
    lines
}

/// The text of the lines: runs of settings at one indentation have their
/// `=` aligned.
fn render(lines: &[Line<'_>]) -> String {
    let mut widths = vec![None; lines.len()];
    let mut i = 0;
    while i < lines.len() {
        let Some(w) = lines[i].key_width() else {
            i += 1;
            continue;
        };
        let mut j = i + 1;
        let mut max = w;
        while let Some(l) = lines.get(j)
            && !l.blank_before
            && l.indent == lines[i].indent
            && let Some(w) = l.key_width()
        {
            max = max.max(w);
            j += 1;
        }
        for w in &mut widths[i..j] {
            *w = Some(max);
        }
        i = j;
    }
    let code: Vec<String> = lines
        .iter()
        .zip(widths)
        .map(|(line, width)| {
            let mut text = "  ".repeat(line.indent);
            print_tokens(&mut text, &line.toks, width);
            text
        })
        .collect();
    let columns = comment_columns(lines, &code);
    let mut out = String::new();
    for ((line, text), column) in lines.iter().zip(code).zip(columns) {
        if line.blank_before {
            out.push('\n');
        }
        let mut text = text;
        if let Some(c) = line.comment {
            if !line.toks.is_empty() {
                let pad = column.saturating_sub(text.chars().count()).max(1);
                text.push_str(&" ".repeat(pad));
            }
            text.push_str(c);
        }
        out.push_str(text.trim_end());
        out.push('\n');
    }
    out
}

/// Where the comment of each line ending in one starts: aligned across a
/// run of consecutive such lines.
fn comment_columns(lines: &[Line<'_>], code: &[String]) -> Vec<usize> {
    let trailing = |i: usize| lines[i].comment.is_some() && !lines[i].toks.is_empty();
    let mut columns = vec![0; lines.len()];
    let mut i = 0;
    while i < lines.len() {
        if !trailing(i) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < lines.len() && !lines[j].blank_before && trailing(j) {
            j += 1;
        }
        let max = code[i..j]
            .iter()
            .map(|c| c.chars().count())
            .max()
            .unwrap_or(0);
        for c in &mut columns[i..j] {
            *c = max + 1;
        }
        i = j;
    }
    columns
}

/// The tokens of one line, with the name before its first `=` padded to
/// `width` when it is aligned.
fn print_tokens(out: &mut String, toks: &[Tok<'_>], width: Option<usize>) {
    let mut col = 0usize;
    for (i, t) in toks.iter().enumerate() {
        if let Some(prev) = i.checked_sub(1).and_then(|p| toks.get(p)) {
            let space = match (prev.kind, t.kind) {
                (_, Kind::Comma | Kind::Close(']'))
                | (Kind::Open('['), _)
                | (Kind::Open('{'), Kind::Close('}')) => "",
                (Kind::Open(_) | Kind::Comma, _) => " ",
                _ if t.entry => "  ",
                _ => " ",
            };
            out.push_str(space);
            col += space.len();
            if t.kind == Kind::Equals
                && let Some(w) = width
                && (i == 1 || (i == 2 && toks[0].text == "let"))
            {
                let pad = (w + 1).saturating_sub(col);
                out.push_str(&" ".repeat(pad));
            }
        }
        out.push_str(t.text);
        col += t.text.chars().count();
    }
}
