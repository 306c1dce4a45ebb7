//! Template expressions: the few ARM functions amlgen uses, built as a tree
//! and printed for ARM (`[resourceId('T', 'n')]`) or for Bicep
//! (`resourceId('T', 'n')`). The ARM text is what the resource models
//! serialize to; the Bicep printer reads it back with [`parse_arm`], so the
//! two outputs cannot disagree.

use serde::{Serialize, Serializer};

use crate::escape::{push_arm_expr_string, push_bicep_string};

/// An expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr {
    /// A template parameter: `parameters('x')` in ARM, `x` in Bicep.
    Param(String),
    /// A string literal.
    Str(String),
    /// A function call.
    Call(String, Vec<Expr>),
    /// A property of a value: `subscription().tenantId`.
    Prop(Box<Expr>, String),
}

impl Expr {
    #[must_use]
    pub fn param(name: &str) -> Expr {
        Expr::Param(name.to_string())
    }

    #[must_use]
    pub fn call(f: &str, args: Vec<Expr>) -> Expr {
        Expr::Call(f.to_string(), args)
    }

    #[must_use]
    pub fn str(s: &str) -> Expr {
        Expr::Str(s.to_string())
    }

    #[must_use]
    pub fn prop(self, name: &str) -> Expr {
        Expr::Prop(Box::new(self), name.to_string())
    }

    /// `resourceId('type', 'name', ...)` in the deployment's resource group.
    #[must_use]
    pub fn resource_id(arm_type: &str, names: &[&str]) -> Expr {
        let mut args = vec![Expr::str(arm_type)];
        args.extend(names.iter().map(|n| Expr::str(n)));
        Expr::call("resourceId", args)
    }

    /// The tenant of the deployment's subscription.
    #[must_use]
    pub fn tenant_id() -> Expr {
        Expr::call("subscription", Vec::new()).prop("tenantId")
    }

    /// The ARM text, without the surrounding brackets.
    #[must_use]
    pub fn arm(&self) -> String {
        let mut out = String::new();
        self.write_arm(&mut out);
        out
    }

    /// [`Expr::arm`] appended to a buffer: one allocation for the whole tree.
    pub fn write_arm(&self, out: &mut String) {
        match self {
            Expr::Param(p) => {
                out.push_str("parameters(");
                push_arm_expr_string(out, p);
                out.push(')');
            }
            Expr::Str(s) => push_arm_expr_string(out, s),
            Expr::Call(f, args) => {
                out.push_str(f);
                out.push('(');
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    a.write_arm(out);
                }
                out.push(')');
            }
            Expr::Prop(e, p) => {
                e.write_arm(out);
                out.push('.');
                out.push_str(p);
            }
        }
    }

    /// The Bicep text.
    #[must_use]
    pub fn bicep(&self) -> String {
        let mut out = String::new();
        self.write_bicep(&mut out);
        out
    }

    /// [`Expr::bicep`] appended to a buffer.
    pub fn write_bicep(&self, out: &mut String) {
        match self {
            Expr::Param(p) => out.push_str(p),
            Expr::Str(s) => push_bicep_string(out, s),
            Expr::Call(f, args) => {
                out.push_str(f);
                out.push('(');
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    a.write_bicep(out);
                }
                out.push(')');
            }
            Expr::Prop(e, p) => {
                e.write_bicep(out);
                out.push('.');
                out.push_str(p);
            }
        }
    }
}

impl Serialize for Expr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut text = String::with_capacity(64);
        text.push('[');
        self.write_arm(&mut text);
        text.push(']');
        s.serialize_str(&text)
    }
}

/// Parses the ARM expression text amlgen writes (inside the brackets).
pub fn parse_arm(text: &str) -> Result<Expr, String> {
    let mut p = ArmParser {
        text,
        s: text.as_bytes(),
        i: 0,
    };
    let e = p.expr()?;
    p.ws();
    if p.i != p.s.len() {
        return Err(format!("unexpected text at {} in `{text}`", p.i));
    }
    Ok(e)
}

struct ArmParser<'a> {
    text: &'a str,
    s: &'a [u8],
    i: usize,
}

impl ArmParser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i] == b' ' {
            self.i += 1;
        }
    }

    fn eat(&mut self, b: u8) -> bool {
        self.ws();
        if self.s.get(self.i) == Some(&b) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn ident(&mut self) -> Result<String, String> {
        self.ws();
        let start = self.i;
        while self
            .s
            .get(self.i)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
        {
            self.i += 1;
        }
        if start == self.i {
            return Err(format!("expected a name at {start}"));
        }
        Ok(self.text[start..self.i].to_string())
    }

    fn string(&mut self) -> Result<String, String> {
        // At the opening quote; a quote inside is doubled. The quotes are
        // ASCII, so every cut below is at a character boundary.
        self.i += 1;
        let mut out = String::new();
        loop {
            let rest = &self.text[self.i..];
            let Some(q) = rest.find('\'') else {
                return Err("unterminated string".to_string());
            };
            out.push_str(&rest[..q]);
            self.i += q + 1;
            if self.s.get(self.i) == Some(&b'\'') {
                out.push('\'');
                self.i += 1;
            } else {
                return Ok(out);
            }
        }
    }

    fn expr(&mut self) -> Result<Expr, String> {
        self.ws();
        let mut e = if self.s.get(self.i) == Some(&b'\'') {
            Expr::Str(self.string()?)
        } else {
            let name = self.ident()?;
            if !self.eat(b'(') {
                return Err(format!("`{name}` is not a call"));
            }
            let mut args = Vec::new();
            if !self.eat(b')') {
                loop {
                    args.push(self.expr()?);
                    if self.eat(b')') {
                        break;
                    }
                    if !self.eat(b',') {
                        return Err(format!("expected `,` or `)` at {}", self.i));
                    }
                }
            }
            match (name.as_str(), args.as_slice()) {
                ("parameters" | "variables", [Expr::Str(p)]) => Expr::Param(p.clone()),
                _ => Expr::Call(name, args),
            }
        };
        while self.eat(b'.') {
            e = e.prop(&self.ident()?);
        }
        Ok(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arm_text_parses_back() {
        let e = Expr::call(
            "guid",
            vec![
                Expr::resource_id("Microsoft.Storage/storageAccounts", &["st'x"]),
                Expr::param("location"),
                Expr::tenant_id(),
            ],
        );
        assert_eq!(parse_arm(&e.arm()).unwrap(), e);
        assert_eq!(
            e.bicep(),
            "guid(resourceId('Microsoft.Storage/storageAccounts', 'st\\'x'), location, subscription().tenantId)"
        );
    }
}
