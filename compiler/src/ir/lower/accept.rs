//! `accept CODE { reason = "..." expires = "YYYY-MM-DD" by = "..." }`: an
//! accepted risk, at the top of a file, in `defaults` or in a workspace,
//! as `docs/language.md` describes under "Accepted risks". Whether the
//! finding occurs, and whether the acceptance has expired, is the
//! checker's to say (it knows the build's date).

use super::cx::{Cx, list_words};
use super::words;
use crate::diag::{Code, Diagnostic};
use crate::ir::accept::acceptable;
use crate::ir::{AcceptCategory, AcceptLevel, Accepted, Date};
use crate::syntax::ast::{ExprKind, Stmt};

impl Cx<'_> {
    /// Reads one `accept` statement; `None` (with the errors reported)
    /// when any part of it is missing or malformed.
    pub(super) fn accept(&mut self, s: &Stmt, level: AcceptLevel) -> Option<Accepted> {
        let code_expr = self.label(s, "AML3004")?;
        let code = self.accepted_code(code_expr);
        let entries: &[crate::syntax::ast::Entry] = match &s.body {
            Some(body) => &body.entries,
            None => {
                self.push(
                    Diagnostic::new(Code::UnexpectedToken, s.span, "`accept` needs a body")
                        .label("expected `{` after this")
                        .help("write `accept AML3004 { reason = \"...\"  by = \"...\"  expires = \"2027-06-30\" }`"),
                );
                &[]
            }
        };
        let b = self.block(
            entries,
            "`accept`",
            words::ACCEPT.settings,
            words::ACCEPT.blocks,
        );
        let mut text = |key: &str, what: &str| -> Option<String> {
            match b.attrs.get(key) {
                Some((_, e)) => {
                    let (value, span) = self.string(e)?;
                    if value.trim().is_empty() {
                        self.push(
                            Diagnostic::new(
                                Code::MissingSetting,
                                span,
                                format!("`{key}` is empty"),
                            )
                            .label(format!("{what} needed"))
                            .help(format!("write {what}, or remove the `accept`")),
                        );
                        return None;
                    }
                    Some(value)
                }
                None => {
                    self.push(
                        Diagnostic::new(Code::MissingSetting, s.head.span, format!("`accept` has no `{key}`"))
                            .label(format!("add `{key} = \"...\"`"))
                            .help("an accepted risk says why (`reason`), who accepted it (`by`) and until when (`expires`): all three are required"),
                    );
                    None
                }
            }
        };
        let reason = text("reason", "why the risk is accepted");
        let by = text("by", "who accepted it (a person, a team or a ticket)");
        let expires = match b.attrs.get("expires") {
            Some((_, e)) => self.date(e),
            None => {
                self.push(
                    Diagnostic::new(Code::MissingSetting, s.head.span, "`accept` has no `expires`")
                        .label("add `expires = \"YYYY-MM-DD\"`")
                        .help("an accepted risk is reviewed: give the last day it holds, e.g. `expires = \"2027-06-30\"`"),
                );
                None
            }
        };
        let category = match b.attrs.get("category") {
            Some((_, e)) => self.choice(e, AcceptCategory::ALL, "category")?,
            None => AcceptCategory::Waiver,
        };
        let end = s.body.as_ref().map_or(s.span, |body| body.span);
        Some(Accepted {
            code: code?,
            code_span: code_expr.span,
            reason: reason?,
            by: by?,
            expires: expires?.0,
            expires_span: expires?.1,
            category,
            level,
            span: s.head.span.to(end),
        })
    }

    /// The code an `accept` names: `AML3004` or its name
    /// (`fqdn-firewall-cost`, written as a string), one a posture may accept.
    fn accepted_code(&mut self, e: &crate::syntax::ast::Expr) -> Option<Code> {
        let word = match &e.kind {
            ExprKind::Ident(w) => w.clone(),
            ExprKind::Str(_) => self.string(e)?.0,
            _ => {
                self.type_error(e, "a diagnostic code such as `AML3004`");
                return None;
            }
        };
        let acceptable_ids = || {
            Code::ALL
                .iter()
                .filter(|c| acceptable(**c))
                .map(|c| c.id())
                .collect::<Vec<_>>()
        };
        match Code::parse(&word) {
            Some(code) if acceptable(code) => Some(code),
            Some(code) => {
                self.push(
                    Diagnostic::new(
                        Code::InvalidEnumValue,
                        e.span,
                        format!("`{}` cannot be accepted", code.id()),
                    )
                    .label(format!("{} is not a risk a posture may accept", code.id()))
                    .note(if code.id().starts_with("AML3") {
                        "Azure refuses this, or it opens a path the platform rules forbid: accepting it would not make the deployment succeed".to_string()
                    } else {
                        "only findings of the platform rules (warnings `AML3xxx`, and `AML3029`, a policy that denies a workspace) can be accepted".to_string()
                    })
                    .help("fix the posture instead; `amlgen explain` with the code says how"),
                );
                None
            }
            None => {
                let ids = acceptable_ids();
                self.push(
                    Diagnostic::new(
                        Code::InvalidEnumValue,
                        e.span,
                        format!("`{word}` is not a diagnostic code"),
                    )
                    .label("unknown code")
                    .suggest(&word, ids.iter().copied())
                    .note(format!(
                        "the codes a posture may accept are {}",
                        list_words(&ids)
                    )),
                );
                None
            }
        }
    }

    /// A date written as `"YYYY-MM-DD"`.
    fn date(&mut self, e: &crate::syntax::ast::Expr) -> Option<(Date, crate::span::Span)> {
        let (text, span) = self.string(e)?;
        if let Some(d) = Date::parse(&text) {
            return Some((d, span));
        }
        self.push(
            Diagnostic::new(
                Code::InvalidEnumValue,
                span,
                format!("`{text}` is not a date"),
            )
            .label("expected `YYYY-MM-DD`")
            .help("write a calendar date such as `\"2027-06-30\"` (the last day the acceptance holds)"),
        );
        None
    }
}
