//! Escaping for the targets, in one place: Bicep string literals, ARM
//! expression string literals, ARM literal strings that look like
//! expressions, and the report's Markdown code spans, Markdown lines and
//! Mermaid labels. Every string a posture supplies reaches an output
//! through one of these functions, so no posture can inject template code.

use std::fmt::Write as _;

use serde::{Serialize, Serializer};

/// A Bicep single-quoted string literal. `\` `'` and `${` are escaped, and
/// so is every control character, and the `/` of a `//` or `/*` where the
/// Bicep grammar starts a token; everything else (unicode included) is kept
/// as it is, so the value round-trips.
#[must_use]
pub fn bicep_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_bicep_string(&mut out, s);
    out
}

/// [`bicep_string`] appended to a buffer (no allocation of its own).
pub fn push_bicep_string(out: &mut String, s: &str) {
    out.push('\'');
    // Most strings (names, ids, regions) need no escape: printable ASCII
    // without `\` or `'`, with no `${`, `//` or `/*`.
    if s.bytes()
        .all(|b| (b' '..=b'~').contains(&b) && b != b'\\' && b != b'\'')
        && !s.contains("${")
        && !s.contains("//")
        && !s.contains("/*")
    {
        out.push_str(s);
    } else {
        push_escaped(out, s);
    }
    out.push('\'');
}

/// The inside of a Bicep string literal, every escape written.
fn push_escaped(out: &mut String, s: &str) {
    // Where the tree-sitter Bicep grammar (editors, linters, our tests)
    // starts a new token inside a string: after the quote and after an
    // escape, white space aside. There it reads `//` and `/*` as a comment,
    // so a `/` starting one is written `\u{2F}`; elsewhere it stays `/`.
    let mut boundary = true;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let escaped = match c {
            '\\' => "\\\\",
            '\'' => "\\'",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            '$' if chars.peek() == Some(&'{') => "\\$",
            '/' if boundary && matches!(chars.peek(), Some('/' | '*')) => "\\u{2F}",
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:X}}}", c as u32);
                ""
            }
            _ => {
                out.push(c);
                if c != ' ' {
                    boundary = false;
                }
                continue;
            }
        };
        out.push_str(escaped);
        boundary = true;
    }
}

/// A posture-language string literal (`docs/language.md`, "Lexical
/// elements"), as `amlgen import` writes one: `"` and `\\` escaped, `${`
/// written `\${` so it is never read as an interpolation, new lines, tabs
/// and every other control character as escapes. The lexer reads it back
/// to the same text.
#[must_use]
pub fn posture_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' if chars.peek() == Some(&'{') => out.push_str("\\$"),
            c if c.is_control() || c == '\u{feff}' => {
                let _ = std::fmt::Write::write_fmt(&mut out, format_args!("\\u{{{:x}}}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Reads a Bicep string literal back (the inverse of [`bicep_string`], for
/// tests and for checking templates); `None` if it is not one.
#[must_use]
pub fn unbicep_string(lit: &str) -> Option<String> {
    let inner = lit.strip_prefix('\'')?.strip_suffix('\'')?;
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            '\\' => out.push('\\'),
            '\'' => out.push('\''),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            '$' => out.push('$'),
            'u' => {
                if chars.next()? != '{' {
                    return None;
                }
                let hex: String = chars.by_ref().take_while(|&c| c != '}').collect();
                out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
            }
            _ => return None,
        }
    }
    Some(out)
}

/// The inside of a Terraform (HCL) quoted template, without the quotes:
/// `"` and `\\` escaped, new lines, tabs and every other control character
/// as escapes, and the template sequences `${` and `%{` doubled (`$${`,
/// `%%{`) so no posture string is ever read as an interpolation or a
/// directive. Heredoc markers (`<<`) stay text: inside a quoted string they
/// are not syntax, and amlgen never writes a heredoc.
#[must_use]
pub fn hcl_string_content(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// A Terraform (HCL) quoted string literal: [`hcl_string_content`] between
/// double quotes.
#[must_use]
pub fn hcl_string(s: &str) -> String {
    format!("\"{}\"", hcl_string_content(s))
}

/// Reads back a literal [`hcl_string`] wrote (for the tests: a round trip
/// proves nothing was lost or injected). `None` when it is not one.
#[must_use]
pub fn unhcl_string(lit: &str) -> Option<String> {
    let inner: Vec<char> = lit.strip_prefix('"')?.strip_suffix('"')?.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while let Some(&c) = inner.get(i) {
        i += 1;
        match c {
            '\\' => {
                let e = *inner.get(i)?;
                i += 1;
                match e {
                    'n' => out.push('\n'),
                    'r' => out.push('\r'),
                    't' => out.push('\t'),
                    '"' => out.push('"'),
                    '\\' => out.push('\\'),
                    'u' => {
                        let hex: String = inner.get(i..i + 4)?.iter().collect();
                        i += 4;
                        out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                    }
                    _ => return None,
                }
            }
            '$' | '%' if inner.get(i) == Some(&c) && inner.get(i + 1) == Some(&'{') => {
                out.push(c);
                i += 1;
            }
            '$' | '%' if inner.get(i) == Some(&'{') => return None,
            '"' => return None,
            c => out.push(c),
        }
    }
    Some(out)
}

/// A string literal inside an ARM template expression: single quotes,
/// a quote doubled.
#[must_use]
pub fn arm_expr_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_arm_expr_string(&mut out, s);
    out
}

/// [`arm_expr_string`] appended to a buffer (an expression printed whole
/// without a string per literal).
pub fn push_arm_expr_string(out: &mut String, s: &str) {
    out.push('\'');
    for (i, part) in s.split('\'').enumerate() {
        if i > 0 {
            out.push_str("''");
        }
        out.push_str(part);
    }
    out.push('\'');
}

/// Whether ARM reads a JSON string as a template expression
/// (`^\[([^\[].*)?\]$`, the pattern of Microsoft's deployment schemas).
#[must_use]
pub fn is_arm_expression(s: &str) -> bool {
    s.starts_with('[') && s.ends_with(']') && !s.starts_with("[[") && s.len() >= 2
}

/// A literal JSON string for ARM: a value that would read as an expression
/// gets ARM's escape, a second leading `[`.
#[must_use]
pub fn arm_literal(s: &str) -> String {
    arm_literal_cow(s).into_owned()
}

/// [`arm_literal`], borrowing the string when it needs no escape.
#[must_use]
pub fn arm_literal_cow(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with('[') && s.ends_with(']') {
        std::borrow::Cow::Owned(format!("[{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// Undoes [`arm_literal`] for a string that is not an expression.
#[must_use]
pub fn unarm_literal(s: &str) -> &str {
    if s.starts_with("[[") && s.ends_with(']') {
        &s[1..]
    } else {
        s
    }
}

/// Free text (a name, a tag, a path) from the posture or derived from it.
/// It serializes as an ARM literal, never as an expression. Every string
/// field of the resource models is a `Text` or an [`crate::emit::azure::Expr`].
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Text(pub String);

impl Text {
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Self {
        Text(s.to_string())
    }
}

impl From<String> for Text {
    fn from(s: String) -> Self {
        Text(s)
    }
}

impl Serialize for Text {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&arm_literal_cow(&self.0))
    }
}

/// Whether a Bicep object key can be written bare.
#[must_use]
pub fn is_bicep_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Text on one line (a comment of Bicep or HCL): control characters, new
/// lines included, become spaces.
#[must_use]
pub fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_one_line(&mut out, text);
    out
}

/// [`one_line`] appended to a buffer.
pub fn push_one_line(out: &mut String, text: &str) {
    out.extend(text.chars().map(|c| if c.is_control() { ' ' } else { c }));
}

/// A value inside a Markdown code span: backticks cannot end it early.
#[must_use]
pub fn markdown_code(s: &str) -> String {
    if !s.chars().any(|c| c.is_control() || c == '`') {
        let mut out = String::with_capacity(s.len() + 2);
        out.push('`');
        out.push_str(s);
        out.push('`');
        return out;
    }
    let s = one_line(s);
    if s.contains('`') {
        format!("`` {} ``", s.replace("``", "` `"))
    } else {
        format!("`{s}`")
    }
}

/// One row of a Markdown table from its cells, each already formatted
/// (code spans and words): a `|` would end its cell even inside a code
/// span, so each is `\|`, the table escape of GitHub Flavored Markdown
/// (it applies inside code spans too, which then show `|`); a line break
/// would end the row, so each is a space.
#[must_use]
pub fn markdown_row(cells: &[&str]) -> String {
    let mut out = String::with_capacity(1 + cells.iter().map(|c| c.len() + 3).sum::<usize>());
    out.push('|');
    for cell in cells {
        out.push(' ');
        for c in cell.chars() {
            match c {
                '|' => out.push_str("\\|"),
                c if c.is_control() => out.push(' '),
                c => out.push(c),
            }
        }
        out.push_str(" |");
    }
    out
}

/// Text on one Markdown line (a list item): a line break would end it, so
/// each becomes a space.
#[must_use]
pub fn markdown_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

/// Text written as plain Markdown prose on one line (a list item, or a
/// table cell): every character that could start markup (emphasis, links,
/// code spans, raw HTML, entities, table cells, strikethrough) is
/// backslash-escaped, as CommonMark allows for any ASCII punctuation, and
/// line breaks and other control characters become spaces.
#[must_use]
pub fn markdown_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '|' | '~' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A Mermaid node label, written inside `["..."]`: quotes, angle
/// brackets, `#` and backticks (a quoted label opening with one is a
/// Markdown string) as entities, line breaks and other control
/// characters as spaces. Brackets and pipes are kept: the label is
/// quoted (edge labels are amlgen's own words, never posture strings).
#[must_use]
pub fn mermaid_label(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '`' => out.push_str("#96;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '#' => out.push_str("#35;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// One word for a POSIX shell (`DEPLOY.md`'s commands): kept as it is
/// when every character is one no shell treats specially (letters,
/// digits, `_ @ % + = : , . / -`), else single-quoted, each `'` written
/// `'\''`. Inside single quotes nothing is special (POSIX, Shell Command
/// Language, 2.2.2), so no `$(...)`, backquote, `;` or space in a posture
/// value can run a command or split the word.
#[must_use]
pub fn shell_word(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(c, '_' | '@' | '%' | '+' | '=' | ':' | ',' | '.' | '/' | '-')
        });
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NASTY: &[&str] = &[
        "plain",
        "it's",
        "back\\slash",
        "${injected}",
        "$notinterp {x}",
        "line\nbreak\r\ttab",
        "ünïcødé ✓ 🚀",
        "\u{1}\u{7f}",
        "'}\n}\nresource evil 'x@1' = {",
        "[parameters('x')]",
        "[[already]",
        "[]",
        "// leading comment",
        " /* block */ ",
        "a\n// after an escape",
        "mid/*string and deployments/*",
    ];

    #[test]
    fn strings_without_escapes_are_copied_as_escaping_them_would_write_them() {
        for s in [
            "",
            "plain-name_1.x",
            "/subscriptions/x/resourceGroups/rg",
            "a/b * c",
            "$x {y}",
            "~ !",
            "a//b",
            "a/*b",
            "x${y}",
            "it's",
            "back\\slash",
            "del\u{7f}",
            "ünï",
            "tab\t",
            "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st",
            "a/b",
            "x //y",
            "Microsoft.Network/privateDnsZones/A/write",
        ]
        .iter()
        .chain(NASTY)
        {
            let mut escaped = String::new();
            push_escaped(&mut escaped, s);
            assert_eq!(bicep_string(s), format!("'{escaped}'"), "{s:?}");
        }
    }

    #[test]
    fn bicep_strings_round_trip() {
        for s in NASTY {
            let lit = bicep_string(s);
            assert_eq!(unbicep_string(&lit).as_deref(), Some(*s), "{lit}");
            assert!(!lit.contains('\n'), "a literal stays on one line: {lit}");
            let inner = &lit[1..lit.len() - 1];
            let unescaped = inner
                .match_indices("${")
                .any(|(i, _)| !inner[..i].ends_with('\\'));
            assert!(!unescaped, "no interpolation: {lit}");
            assert!(
                !inner.starts_with("//") && !inner.starts_with("/*"),
                "{lit}"
            );
        }
    }

    #[test]
    fn arm_literals_are_never_expressions() {
        for s in NASTY {
            let lit = arm_literal(s);
            assert!(!is_arm_expression(&lit), "{s} -> {lit}");
            assert_eq!(unarm_literal(&lit), *s);
        }
        assert_eq!(arm_expr_string("it's"), "'it''s'");
    }

    #[test]
    fn markdown_code_spans_hold_backticks_and_stay_on_one_line() {
        assert_eq!(markdown_code("plain"), "`plain`");
        // A backtick would end a single-backtick span: the span gets two
        // backticks and padding, and a run of two inside is broken up.
        assert_eq!(markdown_code("a`b"), "`` a`b ``");
        assert_eq!(markdown_code("a``b"), "`` a` `b ``");
        // A line break would end the line (a table row, a list item):
        // control characters become spaces.
        assert_eq!(markdown_code("a\nb\r\tc"), "`a b  c`");
        // A pipe is kept as it is: this escape does not guard a table cell
        // against one (a cell holding a pipe must not come from it alone).
        assert_eq!(markdown_code("a|b"), "`a|b`");
    }

    #[test]
    fn markdown_text_escapes_markup() {
        assert_eq!(
            markdown_text("a *b* [c](d) <e> `f` g|h &amp;\nnext"),
            "a \\*b\\* \\[c\\](d) \\<e\\> \\`f\\` g\\|h \\&amp; next"
        );
        assert_eq!(markdown_text("CHG-1234, FinOps."), "CHG-1234, FinOps.");
        assert_eq!(markdown_text("back\\slash"), "back\\\\slash");
    }

    #[test]
    fn markdown_lines_have_no_line_breaks() {
        assert_eq!(markdown_line("one\ntwo\r\nthree"), "one two  three");
        assert_eq!(markdown_line("`kept` | as is"), "`kept` | as is");
    }

    #[test]
    fn markdown_rows_keep_their_cells() {
        assert_eq!(markdown_row(&["a", "`b`"]), "| a | `b` |");
        // A pipe, in a code span or not, stays in its cell; a line break
        // stays in its row.
        assert_eq!(
            markdown_row(&["`st|x`", "a|b", "c\nd"]),
            "| `st\\|x` | a\\|b | c d |"
        );
        assert_eq!(markdown_row(&[]), "|");
    }

    #[test]
    fn mermaid_labels_cannot_close_their_quotes_or_nodes() {
        // A quote would end the `["..."]` label; `<`, `>` would read as
        // HTML; `#` starts an entity, so it is one too.
        assert_eq!(
            mermaid_label("say \"hi\" <b> #1"),
            "say #quot;hi#quot; #lt;b#gt; #35;1"
        );
        // Brackets and pipes are kept: the label is quoted.
        assert_eq!(mermaid_label("a[b](c)|d"), "a[b](c)|d");
        assert_eq!(mermaid_label("a\nb\tc"), "a b c");
        // A backtick after the opening quote would make a Markdown string.
        assert_eq!(mermaid_label("`md`"), "#96;md#96;");
    }

    #[test]
    fn hcl_strings_round_trip_and_never_interpolate() {
        for s in
            NASTY
                .iter()
                .copied()
                .chain(["%{ if x }y%{ endif }", "<<EOT\nx\nEOT", "a\"b", "$${x}"])
        {
            let lit = hcl_string(s);
            assert_eq!(unhcl_string(&lit).as_deref(), Some(s), "{lit}");
            let inner = &lit[1..lit.len() - 1];
            // No unescaped template sequence and no raw new line.
            let stripped = inner.replace("$${", "").replace("%%{", "");
            assert!(
                !stripped.contains("${") && !stripped.contains("%{"),
                "{lit}"
            );
            assert!(!inner.contains('\n'), "{lit}");
        }
        assert_eq!(hcl_string("a${b}%{c}\"\\"), "\"a$${b}%%{c}\\\"\\\\\"");
    }

    #[test]
    fn shell_words_cannot_inject() {
        assert_eq!(shell_word("rg-ml_1.a"), "rg-ml_1.a");
        assert_eq!(shell_word(""), "''");
        assert_eq!(shell_word("a b"), "'a b'");
        assert_eq!(shell_word("it's"), "'it'\\''s'");
        assert_eq!(shell_word("$(rm -rf /)"), "'$(rm -rf /)'");
        assert_eq!(shell_word("`id`;x"), "'`id`;x'");
        // Read back as a shell would: the quoted word is the value again.
        for s in NASTY
            .iter()
            .chain(&["a'b'c", "'", "''", "x$(y)`z`;|&<>*?~#!"])
        {
            assert_eq!(unshell(&shell_word(s)).as_deref(), Some(*s), "{s:?}");
        }
    }

    /// A POSIX shell's reading of one word made only of plain characters
    /// and single-quoted runs (what `shell_word` writes); `None` for
    /// anything else, such as an unquoted special character.
    fn unshell(w: &str) -> Option<String> {
        let mut out = String::new();
        let mut chars = w.chars();
        while let Some(c) = chars.next() {
            match c {
                '\'' => loop {
                    match chars.next()? {
                        '\'' => break,
                        c => out.push(c),
                    }
                },
                '\\' => out.push(chars.next()?),
                c if c.is_ascii_alphanumeric() || "_@%+=:,./-".contains(c) => out.push(c),
                _ => return None,
            }
        }
        Some(out)
    }
}
