//! The ARM template expression language, the subset a policy rule uses: a
//! string `"[...]"` is an expression, `"[[...]"` a literal that starts with
//! `[`. Inside: string literals (`'it''s'`), integers, `true`/`false`/`null`,
//! function calls, `.property` and `[index]` accessors. A small
//! recursive-descent parser; nesting is capped, so hostile input is an
//! error, never a stack overflow.

/// A parsed expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Str(String),
    Int(i64),
    Bool(bool),
    Null,
    /// A function call; the name is kept as written (functions are matched
    /// case-insensitively).
    Call(String, Vec<Expr>),
    /// `.name`
    Member(Box<Expr>, String),
    /// `[index]`
    Index(Box<Expr>, Box<Expr>),
}

/// How a JSON string in a policy rule reads.
#[derive(Debug, Clone, PartialEq)]
pub enum StrForm {
    /// A literal (a leading `[[` already reduced to `[`).
    Literal(String),
    /// An expression: the text between the outer brackets.
    Expression(String),
}

/// ARM's rule: a string that starts with `[` and ends with `]` is an
/// expression, unless it starts with `[[`, which is a literal starting
/// with `[`.
#[must_use]
pub fn classify(s: &str) -> StrForm {
    if s.starts_with("[[") && s.ends_with(']') {
        StrForm::Literal(s[1..].to_string())
    } else if s.len() >= 2 && s.starts_with('[') && s.ends_with(']') {
        StrForm::Expression(s[1..s.len() - 1].to_string())
    } else {
        StrForm::Literal(s.to_string())
    }
}

/// Whether a string would be evaluated by ARM (`[...]`, not `[[...]`).
#[must_use]
pub fn is_expression(s: &str) -> bool {
    matches!(classify(s), StrForm::Expression(_))
}

/// Deepest nesting of calls and accessors accepted (Azure's own limit for
/// nested policy functions is 64).
const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Int(i64),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Dot,
}

fn lex(src: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = src.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' | '\r' | '\n' => i += 1,
            '(' => {
                out.push(Tok::LParen);
                i += 1;
            }
            ')' => {
                out.push(Tok::RParen);
                i += 1;
            }
            '[' => {
                out.push(Tok::LBracket);
                i += 1;
            }
            ']' => {
                out.push(Tok::RBracket);
                i += 1;
            }
            ',' => {
                out.push(Tok::Comma);
                i += 1;
            }
            '.' => {
                out.push(Tok::Dot);
                i += 1;
            }
            '\'' => {
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err("unterminated string literal".into()),
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                            s.push('\'');
                            i += 2;
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(&ch) => {
                            s.push(ch);
                            i += 1;
                        }
                    }
                }
                out.push(Tok::Str(s));
            }
            '-' | '0'..='9' => {
                let start = i;
                i += 1;
                while i < chars.len() && chars[i].is_ascii_digit() {
                    i += 1;
                }
                let text: String = chars[start..i].iter().collect();
                // "Data types in ARM templates": integers only; a number
                // with a fraction is written `json('2.5')`.
                if chars.get(i) == Some(&'.') && chars.get(i + 1).is_some_and(char::is_ascii_digit)
                {
                    let frac: String = chars[i + 1..]
                        .iter()
                        .take_while(|c| c.is_ascii_digit())
                        .collect();
                    return Err(format!(
                        "`{text}.{frac}`: ARM template expressions have integer literals only (write `json('{text}.{frac}')` for a number with a fraction)"
                    ));
                }
                let n = text
                    .parse::<i64>()
                    .map_err(|_| format!("`{text}` is not an integer"))?;
                out.push(Tok::Int(n));
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                out.push(Tok::Ident(chars[start..i].iter().collect()));
            }
            other => return Err(format!("unexpected character `{other}`")),
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn expect(&mut self, want: &Tok, what: &str) -> Result<(), String> {
        match self.next() {
            Some(t) if &t == want => Ok(()),
            Some(t) => Err(format!("expected {what}, found {}", describe(&t))),
            None => Err(format!("expected {what}, found the end of the expression")),
        }
    }

    fn expr(&mut self, depth: usize) -> Result<Expr, String> {
        if depth > MAX_DEPTH {
            return Err(format!("expression nested deeper than {MAX_DEPTH}"));
        }
        let mut e = match self.next() {
            Some(Tok::Str(s)) => Expr::Str(s),
            Some(Tok::Int(n)) => Expr::Int(n),
            Some(Tok::Ident(name)) => {
                if self.peek() == Some(&Tok::LParen) {
                    self.pos += 1;
                    let mut args = Vec::new();
                    if self.peek() == Some(&Tok::RParen) {
                        self.pos += 1;
                    } else {
                        loop {
                            args.push(self.expr(depth + 1)?);
                            match self.next() {
                                Some(Tok::Comma) => {}
                                Some(Tok::RParen) => break,
                                Some(t) => {
                                    return Err(format!(
                                        "expected `,` or `)` in the arguments of `{name}`, found {}",
                                        describe(&t)
                                    ));
                                }
                                None => {
                                    return Err(format!("`{name}(` is not closed"));
                                }
                            }
                        }
                    }
                    match (name.to_ascii_lowercase().as_str(), args.is_empty()) {
                        ("true", true) => Expr::Bool(true),
                        ("false", true) => Expr::Bool(false),
                        ("null", true) => Expr::Null,
                        _ => Expr::Call(name, args),
                    }
                } else {
                    match name.to_ascii_lowercase().as_str() {
                        "true" => Expr::Bool(true),
                        "false" => Expr::Bool(false),
                        "null" => Expr::Null,
                        _ => {
                            return Err(format!(
                                "`{name}` is neither a function call nor a literal"
                            ));
                        }
                    }
                }
            }
            Some(t) => return Err(format!("expected a value, found {}", describe(&t))),
            None => return Err("empty expression".into()),
        };
        let mut chain = 0;
        loop {
            match self.peek() {
                Some(Tok::Dot) => {
                    self.pos += 1;
                    match self.next() {
                        Some(Tok::Ident(p)) => e = Expr::Member(Box::new(e), p),
                        Some(t) => {
                            return Err(format!(
                                "expected a property name after `.`, found {}",
                                describe(&t)
                            ));
                        }
                        None => return Err("expected a property name after `.`".into()),
                    }
                }
                Some(Tok::LBracket) => {
                    self.pos += 1;
                    let index = self.expr(depth + 1)?;
                    self.expect(&Tok::RBracket, "`]`")?;
                    e = Expr::Index(Box::new(e), Box::new(index));
                }
                _ => break,
            }
            chain += 1;
            if depth + chain > MAX_DEPTH {
                return Err(format!("expression nested deeper than {MAX_DEPTH}"));
            }
        }
        Ok(e)
    }
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Ident(s) => format!("`{s}`"),
        Tok::Str(s) => format!("the string '{s}'"),
        Tok::Int(n) => format!("`{n}`"),
        Tok::LParen => "`(`".into(),
        Tok::RParen => "`)`".into(),
        Tok::LBracket => "`[`".into(),
        Tok::RBracket => "`]`".into(),
        Tok::Comma => "`,`".into(),
        Tok::Dot => "`.`".into(),
    }
}

/// Parses the text between an expression's outer brackets.
pub fn parse(src: &str) -> Result<Expr, String> {
    let toks = lex(src)?;
    let mut p = Parser { toks, pos: 0 };
    let e = p.expr(0)?;
    match p.next() {
        None => Ok(e),
        Some(t) => Err(format!(
            "unexpected {} after the end of the expression",
            describe(&t)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(name: &str, args: Vec<Expr>) -> Expr {
        Expr::Call(name.into(), args)
    }

    #[test]
    fn classifies_strings_as_arm_does() {
        assert_eq!(
            classify("[parameters('effect')]"),
            StrForm::Expression("parameters('effect')".into())
        );
        assert_eq!(
            classify("[[parameters('effect')]"),
            StrForm::Literal("[parameters('effect')]".into())
        );
        assert_eq!(classify("Deny"), StrForm::Literal("Deny".into()));
        assert_eq!(
            classify("[not closed"),
            StrForm::Literal("[not closed".into())
        );
        assert_eq!(classify("[]"), StrForm::Expression(String::new()));
    }

    #[test]
    fn parses_calls_literals_and_accessors() {
        assert_eq!(
            parse("split(concat(field('a'), '//'), '/')[2]").unwrap(),
            Expr::Index(
                Box::new(call(
                    "split",
                    vec![
                        call(
                            "concat",
                            vec![
                                call("field", vec![Expr::Str("a".into())]),
                                Expr::Str("//".into())
                            ]
                        ),
                        Expr::Str("/".into())
                    ]
                )),
                Box::new(Expr::Int(2))
            )
        );
        assert_eq!(
            parse("subscription().subscriptionId").unwrap(),
            Expr::Member(
                Box::new(call("subscription", vec![])),
                "subscriptionId".into()
            )
        );
        assert_eq!(parse(" 'it''s' ").unwrap(), Expr::Str("it's".into()));
        assert_eq!(parse("-12").unwrap(), Expr::Int(-12));
        assert_eq!(parse("true").unwrap(), Expr::Bool(true));
        assert_eq!(parse("false()").unwrap(), Expr::Bool(false));
        assert_eq!(parse("null()").unwrap(), Expr::Null);
    }

    #[test]
    fn malformed_expressions_are_errors() {
        for bad in [
            "",
            "concat('a'",
            "concat('a' 'b')",
            "'open",
            "foo",
            "a.",
            "x()[1",
            "f() g()",
            "#",
            "99999999999999999999",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_number_with_a_fraction_is_refused_with_its_json_form() {
        let e = parse("add(-2.5, 3)").unwrap_err();
        assert!(
            e.contains("integer literals only") && e.contains("json('-2.5')"),
            "{e}"
        );
        assert!(parse("1.5").unwrap_err().contains("json('1.5')"));
        // A property read after an index or a call stays one.
        assert!(parse("createArray(1)[0]").is_ok());
    }

    #[test]
    fn deep_nesting_is_an_error_not_an_overflow() {
        let deep = "f(".repeat(10_000) + &")".repeat(10_000);
        assert!(parse(&deep).unwrap_err().contains("nested deeper"));
        let chain = format!("f(){}", "[0]".repeat(200));
        assert!(parse(&chain).unwrap_err().contains("nested deeper"));
    }
}
