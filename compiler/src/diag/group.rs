//! Folding a finding repeated across workspaces into one, for people.
//!
//! A fleet of fifty workspaces with the same FQDN rules gets the same
//! warning fifty times; the human output shows it once, at its first
//! place, with a note naming the other workspaces. Machine formats (JSON,
//! SARIF) stay ungrouped.

use super::Diagnostic;

/// How many other workspaces the note names before it only counts them.
pub const NAMED: usize = 5;

/// One diagnostic as shown, and the other workspaces it was also reported
/// in (in their order of first appearance).
#[derive(Debug)]
pub struct Group<'a> {
    pub first: &'a Diagnostic,
    pub also_in: Vec<&'a str>,
}

/// Whether two diagnostics say the same thing, wherever they are: same
/// code, severity, message and notes, and both about a workspace.
fn same(a: &Diagnostic, b: &Diagnostic) -> bool {
    a.code == b.code
        && a.severity == b.severity
        && a.message == b.message
        && a.primary_label == b.primary_label
        && a.notes == b.notes
        && a.help == b.help
}

/// Groups `diags` (kept in order): a diagnostic with a workspace that says
/// the same as an earlier one of another workspace joins the earlier one's
/// group. Diagnostics with no workspace are never grouped.
#[must_use]
pub fn group(diags: &[Diagnostic]) -> Vec<Group<'_>> {
    let mut out: Vec<Group<'_>> = Vec::new();
    for d in diags {
        if let Some(ws) = d.workspace.as_deref() {
            let earlier = out.iter_mut().find(|g| {
                g.first.workspace.as_deref().is_some_and(|w| w != ws) && same(g.first, d)
            });
            if let Some(g) = earlier {
                if !g.also_in.contains(&ws) {
                    g.also_in.push(ws);
                }
                continue;
            }
        }
        out.push(Group {
            first: d,
            also_in: Vec::new(),
        });
    }
    out
}

/// The note a group's first diagnostic gets: `also in 2 workspaces: a, b`,
/// with at most [`NAMED`] names and `(and N more; --verbose lists all)`.
#[must_use]
pub fn note(also_in: &[&str]) -> String {
    let n = also_in.len();
    let plural = if n == 1 { "workspace" } else { "workspaces" };
    let named = also_in
        .iter()
        .take(NAMED)
        .map(|w| format!("`{w}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if n > NAMED {
        format!(
            "also in {n} other {plural}: {named} (and {} more; `--verbose` shows each)",
            n - NAMED
        )
    } else {
        format!("also in {n} other {plural}: {named} (`--verbose` shows each)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Code;
    use crate::source::FileId;
    use crate::span::Span;

    fn at(ws: Option<&str>, start: usize, message: &str) -> Diagnostic {
        let mut d = Diagnostic::new(
            Code::FqdnFirewallCost,
            Span::new(FileId(0), start, start + 1),
            message,
        );
        d.workspace = ws.map(str::to_string);
        d
    }

    #[test]
    fn same_finding_in_other_workspaces_is_folded_into_the_first() {
        let diags = [
            at(Some("a"), 1, "billed"),
            at(Some("b"), 2, "billed"),
            at(Some("b"), 3, "other"),
            at(Some("c"), 4, "billed"),
            at(Some("a"), 5, "billed"),
            at(None, 6, "billed"),
        ];
        let groups = group(&diags);
        let shown: Vec<(usize, Vec<&str>)> = groups
            .iter()
            .map(|g| (g.first.primary.unwrap().start as usize, g.also_in.clone()))
            .collect();
        // The second `a` is the same workspace again: shown on its own.
        assert_eq!(
            shown,
            [(1, vec!["b", "c"]), (3, vec![]), (5, vec![]), (6, vec![])]
        );
    }

    #[test]
    fn a_different_severity_or_code_is_not_the_same_finding() {
        let mut raised = at(Some("b"), 2, "billed");
        raised.severity = crate::diag::Severity::Error;
        let mut other = at(Some("c"), 3, "billed");
        other.code = Code::ComputeRecreate;
        let diags = [at(Some("a"), 1, "billed"), raised, other];
        assert!(group(&diags).iter().all(|g| g.also_in.is_empty()));
    }

    #[test]
    fn the_note_names_a_few_and_counts_the_rest() {
        assert_eq!(
            note(&["b"]),
            "also in 1 other workspace: `b` (`--verbose` shows each)"
        );
        let many = ["b", "c", "d", "e", "f", "g", "h"];
        assert_eq!(
            note(&many),
            "also in 7 other workspaces: `b`, `c`, `d`, `e`, `f` (and 2 more; `--verbose` shows each)"
        );
    }
}
