//! Posture text to tokens. Never fails: bad input becomes a diagnostic and
//! lexing goes on.

use super::limits;
use super::token::{StrPart, Token, TokenKind};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::source::FileId;
use crate::span::Span;

/// Lexes one file. The result always ends with [`TokenKind::Eof`].
pub fn lex(file: FileId, text: &str, diags: &mut Diagnostics) -> Vec<Token> {
    lex_limited(file, text, limits::MAX_TOKENS, diags)
}

/// Lexes one file into at most `max_tokens` tokens (and `Eof`): past them,
/// reports `AML0007` where the limit is reached and stops, so that no file
/// (nor a build, which passes what is left of its budget) holds more
/// tokens, and syntax trees, than fit in memory.
pub fn lex_limited(
    file: FileId,
    text: &str,
    max_tokens: usize,
    diags: &mut Diagnostics,
) -> Vec<Token> {
    let mut lexer = Lexer {
        file,
        text,
        pos: 0,
        tokens: Vec::new(),
        max_tokens,
        diags,
    };
    lexer.invalid_utf8();
    lexer.run();
    lexer.tokens
}

/// What the driver puts where a file's bytes are not UTF-8
/// (`String::from_utf8_lossy`), one per bad sequence.
const REPLACEMENT: char = '\u{fffd}';

struct Lexer<'a, 'd> {
    file: FileId,
    text: &'a str,
    pos: usize,
    tokens: Vec<Token>,
    max_tokens: usize,
    diags: &'d mut Diagnostics,
}

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_ident_continue(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

impl Lexer<'_, '_> {
    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start, end)
    }

    fn peek(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    fn peek2(&self) -> Option<char> {
        let mut it = self.text[self.pos..].chars();
        it.next();
        it.next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn push(&mut self, kind: TokenKind, start: usize) {
        let span = self.span(start, self.pos);
        self.tokens.push(Token { kind, span });
    }

    /// A file that is not UTF-8 reaches the lexer with each bad byte
    /// sequence replaced by U+FFFD (the replacement character, which
    /// nobody writes on purpose in a posture): reported once, at the first
    /// one, whose offset and column are those of the first bad byte.
    fn invalid_utf8(&mut self) {
        let Some(first) = self.text.find(REPLACEMENT) else {
            return;
        };
        let count = self.text.matches(REPLACEMENT).count();
        let mut d = Diagnostic::new(
            Code::InvalidUtf8,
            self.span(first, first + REPLACEMENT.len_utf8()),
            "the file is not valid UTF-8",
        )
        .label("the first byte that is not UTF-8 is here");
        if count > 1 {
            d = d.note(format!(
                "{count} places in this file are not UTF-8 (or hold U+FFFD, the replacement character); this is the first"
            ));
        }
        self.diags.push(d.help(
            "save the file as UTF-8 (it may be in a legacy code page such as Windows-1252 or Latin-1); write any other character in a string as `\\u{XXXX}`",
        ));
    }

    fn run(&mut self) {
        let mut end = self.text.len();
        if let Some(line) = self.long_line() {
            // Lex only the lines before it, and end the file where the line
            // before it ends: no other diagnostic may point into (and so
            // render) a line of megabytes.
            self.text = &self.text[..line.saturating_sub(1)];
            end = self.text.len();
        }
        while let Some(c) = self.peek() {
            let start = self.pos;
            if self.tokens.len() >= self.max_tokens {
                self.too_many_tokens();
                end = self.pos;
                break;
            }
            match c {
                '\n' => {
                    self.bump();
                    self.push(TokenKind::Newline, start);
                }
                // A replacement character is reported once, by
                // `invalid_utf8`; a byte order mark past the start (a
                // concatenated file) is not text either.
                c if c.is_whitespace() || c == crate::source::BOM || c == REPLACEMENT => {
                    self.bump();
                }
                '#' => self.skip_line(),
                '/' if self.peek2() == Some('/') => self.skip_line(),
                '{' => self.single(TokenKind::LBrace),
                '}' => self.single(TokenKind::RBrace),
                '[' => self.single(TokenKind::LBracket),
                ']' => self.single(TokenKind::RBracket),
                '=' => self.single(TokenKind::Equals),
                ',' => self.single(TokenKind::Comma),
                '"' => self.string(),
                c if c.is_ascii_digit() => self.number(),
                c if is_ident_start(c) => self.ident(),
                other => {
                    self.bump();
                    let mut d = Diagnostic::new(
                        Code::UnexpectedCharacter,
                        self.span(start, self.pos),
                        format!("unexpected character `{}`", other.escape_debug()),
                    )
                    .label("no token starts with this character");
                    d = match other {
                        '\'' => d.help("strings use double quotes: \"...\""),
                        ':' => d.help("settings are written `name = value`"),
                        ';' => d.help("settings are separated by spaces or new lines, not `;`"),
                        '-' => d.help("names of values use `_`, not `-` (e.g. `allow_only_approved_outbound`); put other text in a string"),
                        _ => d.help("comments start with `#` or `//`; text goes in double quotes"),
                    };
                    self.diags.push(d);
                }
            }
        }
        self.tokens.push(Token {
            kind: TokenKind::Eof,
            span: self.span(end, end),
        });
    }

    /// The start of the first line longer than [`limits::MAX_LINE_BYTES`],
    /// reported (`AML0008`) at its first character.
    fn long_line(&mut self) -> Option<usize> {
        let mut start = 0;
        for line in self.text.split_inclusive('\n') {
            if line.len() > limits::MAX_LINE_BYTES {
                let first = line.chars().next().map_or(0, char::len_utf8);
                self.diags.push(
                    Diagnostic::new(
                        Code::LineTooLong,
                        self.span(start, start + first),
                        format!(
                            "a line of {} bytes, longer than the limit of {} KiB",
                            line.len(),
                            limits::MAX_LINE_BYTES / 1024
                        ),
                    )
                    .label("this line is too long; amlgen reads no further in this file")
                    .help("break long lists and maps over several lines: a new line may follow any `[`, `{` or `,`"),
                );
                return Some(start);
            }
            start += line.len();
        }
        None
    }

    fn too_many_tokens(&mut self) {
        let start = self.pos;
        let end = start + self.peek().map_or(0, char::len_utf8);
        self.diags.push(
            Diagnostic::new(
                Code::TooManyTokens,
                self.span(start, end),
                format!("more than {} tokens in this build", limits::MAX_TOKENS),
            )
            .label("amlgen reads no further")
            .note(format!(
                "a token is a word, string, number, sign or line break; a 1,000-workspace fleet is about 200,000, and a build may hold {}",
                limits::MAX_TOKENS
            ))
            .help("split the fleet into several builds, or check that this is a posture file"),
        );
    }

    fn single(&mut self, kind: TokenKind) {
        let start = self.pos;
        self.bump();
        self.push(kind, start);
    }

    fn skip_line(&mut self) {
        while let Some(c) = self.peek() {
            if c == '\n' {
                break;
            }
            self.bump();
        }
    }

    fn ident(&mut self) {
        let start = self.pos;
        let mut dashed = false;
        loop {
            while self.peek().is_some_and(is_ident_continue) {
                self.bump();
            }
            // `allow-internet-outbound`: a dash inside a word is reported
            // once, for the whole word, which is read as written with `_`,
            // rather than as two words and a stray `-`.
            if self.peek() == Some('-') && self.peek2().is_some_and(is_ident_continue) {
                dashed = true;
                self.bump();
            } else {
                break;
            }
        }
        let word = &self.text[start..self.pos];
        if dashed {
            let fixed = word.replace('-', "_");
            self.diags.push(
                Diagnostic::new(
                    Code::UnexpectedCharacter,
                    self.span(start, self.pos),
                    format!("unexpected character `-` in `{word}`"),
                )
                .label("names use `_`, not `-`")
                .help(format!(
                    "write `{fixed}` if it is a keyword or a `let` name, or `\"{word}\"` if it is text"
                )),
            );
            self.push(TokenKind::Ident(fixed), start);
            return;
        }
        let kind = match word {
            "true" => TokenKind::True,
            "false" => TokenKind::False,
            _ => TokenKind::Ident(word.to_string()),
        };
        self.push(kind, start);
    }

    fn number(&mut self) {
        let start = self.pos;
        // `10.0.0.0/24` and `8080-8089` are read whole, so the error names
        // the text the user wrote and says to quote it.
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
            || (matches!(self.peek(), Some('-' | '/'))
                && self.peek2().is_some_and(|c| c.is_ascii_digit()))
        {
            self.bump();
        }
        let raw = &self.text[start..self.pos];
        let digits = raw.replace('_', "");
        if let Ok(n) = digits.parse::<u64>() {
            self.push(TokenKind::Number(n), start);
        } else {
            let too_large = digits.bytes().all(|b| b.is_ascii_digit());
            let mut d = Diagnostic::new(
                Code::InvalidNumber,
                self.span(start, self.pos),
                format!("invalid number `{raw}`"),
            )
            .label(if too_large {
                "too large"
            } else {
                "not a whole number"
            });
            if raw.contains('.') || raw.contains('/') || raw.contains('-') {
                d = d.help(
                    "addresses, CIDRs and port ranges are strings: write them in double quotes",
                );
            } else {
                d = d.help(format!("numbers are whole and at most {}", u64::MAX));
            }
            self.diags.push(d);
            self.push(TokenKind::Number(0), start);
        }
    }

    fn string(&mut self) {
        let start = self.pos;
        self.bump(); // opening quote
        let mut parts = Vec::new();
        let mut buf = String::new();
        loop {
            let here = self.pos;
            match self.peek() {
                None | Some('\n') => {
                    self.diags.push(
                        Diagnostic::new(
                            Code::UnterminatedString,
                            self.span(start, here),
                            "unterminated string",
                        )
                        .label("this string has no closing `\"` on its line")
                        .help("close the string with `\"`; write a line break inside a string as `\\n`"),
                    );
                    break;
                }
                Some('"') => {
                    self.bump();
                    break;
                }
                Some('\\') => {
                    self.bump();
                    self.escape(here, &mut buf);
                }
                Some('$') if self.peek2() == Some('{') => {
                    self.bump();
                    self.bump();
                    if !buf.is_empty() {
                        parts.push(StrPart::Text(std::mem::take(&mut buf)));
                    }
                    self.interpolation(here, &mut parts);
                }
                Some(c) => {
                    self.bump();
                    buf.push(c);
                }
            }
        }
        if !buf.is_empty() || parts.is_empty() {
            parts.push(StrPart::Text(buf));
        }
        self.push(TokenKind::Str(parts), start);
    }

    fn escape(&mut self, start: usize, buf: &mut String) {
        let resolved = match self.peek() {
            Some('"') => Some('"'),
            Some('\\') => Some('\\'),
            Some('n') => Some('\n'),
            Some('t') => Some('\t'),
            Some('r') => Some('\r'),
            Some('$') => Some('$'),
            Some('u') => {
                self.bump();
                return self.unicode_escape(start, buf);
            }
            _ => None,
        };
        if let Some(c) = resolved {
            self.bump();
            buf.push(c);
            return;
        }
        if self.peek().is_some_and(|c| c != '\n') {
            self.bump();
        }
        let end = self.pos;
        self.diags.push(
            Diagnostic::new(
                Code::InvalidEscape,
                self.span(start, end),
                format!("unknown escape `{}`", &self.text[start..end]),
            )
            .label("not an escape amlgen knows")
            .help("escapes are \\\" \\\\ \\n \\t \\r \\$ and \\u{XXXX}"),
        );
    }

    fn unicode_escape(&mut self, start: usize, buf: &mut String) {
        let bad = |lexer: &mut Self| {
            let end = lexer.pos;
            lexer.diags.push(
                Diagnostic::new(
                    Code::InvalidEscape,
                    lexer.span(start, end),
                    "invalid unicode escape",
                )
                .label("expected `\\u{` then 1 to 6 hex digits of a Unicode scalar value, then `}`")
                .help("for example `\\u{e9}` is `é`"),
            );
        };
        if self.peek() != Some('{') {
            return bad(self);
        }
        self.bump();
        let digits_start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_hexdigit()) {
            self.bump();
        }
        let digits = &self.text[digits_start..self.pos];
        if self.peek() != Some('}') || digits.is_empty() || digits.len() > 6 {
            return bad(self);
        }
        self.bump();
        match u32::from_str_radix(digits, 16)
            .ok()
            .and_then(char::from_u32)
        {
            Some(c) => buf.push(c),
            None => bad(self),
        }
    }

    fn interpolation(&mut self, start: usize, parts: &mut Vec<StrPart>) {
        let name_start = self.pos;
        while self.peek().is_some_and(is_ident_continue) {
            self.bump();
        }
        let name_end = self.pos;
        let name = &self.text[name_start..name_end];
        let well_formed =
            self.peek() == Some('}') && name.chars().next().is_some_and(is_ident_start);
        if well_formed {
            self.bump();
            parts.push(StrPart::Interp(
                name.to_string(),
                self.span(name_start, name_end),
            ));
            return;
        }
        // Skip to the closing brace on this line, if any, to resync.
        while let Some(c) = self.peek() {
            if c == '\n' || c == '"' {
                break;
            }
            self.bump();
            if c == '}' {
                break;
            }
        }
        self.diags.push(
            Diagnostic::new(
                Code::InvalidInterpolation,
                self.span(start, self.pos),
                "invalid interpolation",
            )
            .label("`${` must be followed by a name and `}`")
            .help("interpolate a `let` name as `${name}`; write a literal `${` as `\\${`"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> (Vec<TokenKind>, usize) {
        let mut d = Diagnostics::default();
        let toks = lex(FileId(0), text, &mut d);
        (toks.into_iter().map(|t| t.kind).collect(), d.len())
    }

    #[test]
    fn lexes_settings_and_comments() {
        let (k, n) = kinds("a = \"x\" # c\n// d\nb=[1,true]");
        assert_eq!(n, 0);
        assert_eq!(
            k,
            vec![
                TokenKind::Ident("a".into()),
                TokenKind::Equals,
                TokenKind::Str(vec![StrPart::Text("x".into())]),
                TokenKind::Newline,
                TokenKind::Newline,
                TokenKind::Ident("b".into()),
                TokenKind::Equals,
                TokenKind::LBracket,
                TokenKind::Number(1),
                TokenKind::Comma,
                TokenKind::True,
                TokenKind::RBracket,
                TokenKind::Eof,
            ]
        );
    }

    #[test]
    fn strings_escape_and_interpolate() {
        let (k, n) = kinds(r#""a\"\\\n\u{e9}\${x}${y}z""#);
        assert_eq!(n, 0);
        let TokenKind::Str(parts) = &k[0] else {
            panic!("not a string")
        };
        assert_eq!(parts[0], StrPart::Text("a\"\\\né${x}".into()));
        assert!(matches!(&parts[1], StrPart::Interp(n, _) if n == "y"));
        assert_eq!(parts[2], StrPart::Text("z".into()));
    }

    #[test]
    fn bad_input_is_reported_not_fatal() {
        for (src, code) in [
            ("\"abc", Code::UnterminatedString),
            ("\"\\q\"", Code::InvalidEscape),
            ("\"\\u{d800}\"", Code::InvalidEscape),
            ("\"${1x}\"", Code::InvalidInterpolation),
            ("99999999999999999999999", Code::InvalidNumber),
            ("@", Code::UnexpectedCharacter),
        ] {
            let mut d = Diagnostics::default();
            let toks = lex(FileId(0), src, &mut d);
            assert_eq!(toks.last().unwrap().kind, TokenKind::Eof);
            assert!(d.iter().any(|x| x.code == code), "{src}");
        }
    }
}
