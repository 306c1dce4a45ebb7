//! Accepted risks applied to the platform rules' findings (`accept`
//! statements, `docs/language.md` "Accepted risks"). A finding is covered
//! by an acceptance of the same code whose scope it concerns: for one
//! written in a workspace, any of the finding's places (primary or label)
//! lies in that workspace's block; in `defaults`, in the block of any
//! workspace of that file; at the top of a file, anywhere in that file. A
//! covered finding leaves the diagnostics and becomes an
//! [`AcceptedFinding`] (the report lists it), unless every acceptance that
//! covers it is past its `expires` on the build's date: then it comes
//! back as an `AML3170` error at the acceptance. An acceptance that covers
//! nothing is an `AML3171` warning.
//!
//! Run inside `check::check`, before it decides whether the posture is
//! checked: an accepted `AML3029` (a policy that denies a workspace) must
//! not stop the build, and only the checker decides that.

use std::collections::BTreeMap;

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::ir::accept::acceptable;
use crate::ir::{AcceptLevel, Accepted, Date, Posture, WorkspaceBlocks};
use crate::source::FileId;

/// A finding a posture accepts, with the acceptance that covers it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AcceptedFinding {
    /// The finding, as the rule reported it.
    pub diagnostic: Diagnostic,
    /// The acceptance that covers it (the most specific one in force:
    /// a workspace's own, then its file's `defaults`, then the file's).
    pub accept: Accepted,
    /// The workspaces the finding concerns (indices into
    /// `Posture::workspaces`): those whose block holds one of its places.
    pub workspaces: Vec<usize>,
}

/// Where the acceptances are, by scope, as indices into one list.
struct Scopes<'a> {
    all: Vec<&'a Accepted>,
    /// Which workspace's block a place lies in.
    blocks: WorkspaceBlocks,
    /// Per workspace: its own acceptances.
    workspace: Vec<Vec<usize>>,
    /// Per file: the acceptances in its `defaults`.
    defaults: BTreeMap<FileId, Vec<usize>>,
    /// Per file: the acceptances at its top level.
    file: BTreeMap<FileId, Vec<usize>>,
}

impl<'a> Scopes<'a> {
    fn of(posture: &'a Posture) -> Self {
        let mut s = Scopes {
            all: Vec::new(),
            blocks: WorkspaceBlocks::of(posture),
            workspace: Vec::new(),
            defaults: BTreeMap::new(),
            file: BTreeMap::new(),
        };
        for ws in &posture.workspaces {
            let mut mine = Vec::new();
            for a in &ws.accepts {
                mine.push(s.all.len());
                s.all.push(a);
            }
            s.workspace.push(mine);
        }
        for a in &posture.accepts {
            let by_file = match a.level {
                AcceptLevel::Defaults => &mut s.defaults,
                AcceptLevel::File | AcceptLevel::Workspace => &mut s.file,
            };
            by_file.entry(a.span.file).or_default().push(s.all.len());
            s.all.push(a);
        }
        s
    }

    /// The acceptances whose scope `d` concerns (most specific first), and
    /// the workspaces it concerns.
    fn candidates(&self, d: &Diagnostic) -> (Vec<usize>, Vec<usize>) {
        // A policy block's finding about a workspace is placed at the
        // control, in the policy's file: it concerns the workspace its
        // labels name, so the policy file's acceptances do not cover it
        // (the exemption is the workspace's, `Posture::accepts_for`).
        let primary = d.primary.filter(|_| {
            !matches!(
                d.code,
                Code::PolicyContradiction | Code::PolicyFlagsWorkspace
            )
        });
        let spans = primary.into_iter().chain(d.labels.iter().map(|l| l.span));
        let (mut own, mut defaults, mut file): (Vec<usize>, Vec<usize>, Vec<usize>) =
            (Vec::new(), Vec::new(), Vec::new());
        let mut workspaces = Vec::new();
        let none: Vec<usize> = Vec::new();
        for span in spans {
            if let Some(i) = self.blocks.at(span) {
                workspaces.push(i);
                own.extend(&self.workspace[i]);
                defaults.extend(self.defaults.get(&span.file).unwrap_or(&none));
            }
            file.extend(self.file.get(&span.file).unwrap_or(&none));
        }
        let mut out = own;
        out.extend(defaults);
        out.extend(file);
        let mut seen = std::collections::BTreeSet::new();
        out.retain(|k| seen.insert(*k));
        workspaces.sort_unstable();
        workspaces.dedup();
        (out, workspaces)
    }
}

/// Applies the posture's acceptances to the rules' findings in `found` on
/// the build's date `today`; returns the accepted findings, sorted by
/// place. `lowering_failed`: some of the posture did not lower, so the
/// rules did not see all of it, and an acceptance that covers nothing is
/// not reported.
pub(super) fn apply(
    posture: &Posture,
    today: Date,
    found: &mut Diagnostics,
    lowering_failed: bool,
) -> Vec<AcceptedFinding> {
    let scopes = Scopes::of(posture);
    let mut used = vec![false; scopes.all.len()];
    let mut accepted = Vec::new();
    let mut expired = Vec::new();
    found.retain_mut(|d| {
        if !acceptable(d.code) {
            return true;
        }
        let (candidates, workspaces) = scopes.candidates(d);
        let covering: Vec<&Accepted> = candidates
            .into_iter()
            .filter(|&k| scopes.all[k].code == d.code)
            .inspect(|&k| used[k] = true)
            .map(|k| scopes.all[k])
            .collect();
        let Some(first) = covering.first() else {
            return true;
        };
        match covering.iter().find(|a| today <= a.expires) {
            Some(a) => accepted.push(AcceptedFinding {
                diagnostic: d.clone(),
                accept: (*a).clone(),
                workspaces,
            }),
            None => expired.push(expired_error(first, d, today)),
        }
        false
    });
    found.extend(expired);
    if !lowering_failed {
        for (a, _) in scopes.all.iter().zip(&used).filter(|(_, u)| !**u) {
            found.push(unused_warning(a));
        }
    }
    accepted.sort_by(|a, b| {
        let key = |f: &AcceptedFinding| f.diagnostic.primary.map(|s| (s.file, s.start, s.end));
        key(a)
            .cmp(&key(b))
            .then(a.diagnostic.code.cmp(&b.diagnostic.code))
    });
    accepted.dedup();
    accepted
}

/// `AML3170`: the finding an expired acceptance covered, as an error at
/// the acceptance (what must change), with the finding's place.
fn expired_error(a: &Accepted, d: &Diagnostic, today: Date) -> Diagnostic {
    let mut e = Diagnostic::new(
        Code::ExpiredAcceptance,
        a.expires_span,
        format!(
            "the accepted risk {} expired on {}: {}",
            a.code.id(),
            a.expires,
            d.message
        ),
    )
    .label(format!("the last day it held; the build's date is {today}"));
    if let Some(at) = d.primary {
        e = e.with_label(at, format!("{} found here", d.code.id()));
    }
    e.note(format!("accepted by {} because: {}", a.by, a.reason))
        .help(format!(
            "fix what {} says (`amlgen explain {}`), or review the risk and renew the acceptance with a later `expires`",
            a.code.id(),
            a.code.id()
        ))
}

/// `AML3171`: an acceptance that covers no finding of the build.
fn unused_warning(a: &Accepted) -> Diagnostic {
    let scope = match a.level {
        AcceptLevel::Workspace => "this workspace",
        AcceptLevel::Defaults => "the workspaces of this file",
        AcceptLevel::File => "this file",
    };
    Diagnostic::new(
        Code::UnusedAcceptance,
        a.code_span,
        format!(
            "`accept {}` covers nothing: no {} finding in {scope}",
            a.code.id(),
            a.code.id()
        ),
    )
    .label("the accepted risk no longer occurs")
    .help("remove the `accept` statement")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::driver::{Input, Options, compile};
    use crate::span::Span;

    /// A policy in `a.aml` (file 0); a workspace in `b.aml` (file 1)
    /// accepting `AML3029` in its block, and `a.aml` accepting it at its top
    /// level when `file_level`.
    fn posture(file_level: bool) -> Posture {
        let top = if file_level {
            "accept AML3029 {\n  reason = \"r\"\n  by = \"b\"\n  expires = \"2027-01-01\"\n}\n"
        } else {
            ""
        };
        let a = format!(
            "{top}policy \"pol\" {{\n  scope = subscription \"00000000-0000-0000-0000-000000000001\"\n  audit local_auth\n}}\n"
        );
        let b = "workspace \"mlw-b\" {\n  region = \"westeurope\"\n  resource_group = \"rg\"\n  profile = public_data\n  accept AML3029 {\n    reason = \"legacy client, CHG-1\"\n    by = \"team\"\n    expires = \"2027-01-01\"\n  }\n}\n";
        let inputs = vec![
            Input {
                name: "a.aml".into(),
                text: a,
            },
            Input {
                name: "b.aml".into(),
                text: b.into(),
            },
        ];
        let outcome = compile(inputs, &Options::default());
        outcome
            .checked
            .expect("the posture checks")
            .posture()
            .clone()
    }

    fn denial(posture: &Posture, label_in_workspace: bool) -> Diagnostic {
        let control = Span::new(FileId(0), 0, 6);
        let d = Diagnostic::new(Code::PolicyContradiction, control, "denies the workspace");
        if label_in_workspace {
            let ws = posture.workspaces[0].block;
            d.with_label(
                Span::new(ws.file, ws.start as usize, ws.start as usize + 9),
                "here",
            )
        } else {
            d
        }
    }

    fn run(
        posture: &Posture,
        d: Diagnostic,
        today: &str,
    ) -> (Vec<AcceptedFinding>, Vec<Diagnostic>) {
        let mut found = Diagnostics::default();
        found.push(d);
        let accepted = apply(posture, Date::parse(today).unwrap(), &mut found, false);
        (accepted, found.into_sorted())
    }

    #[test]
    fn a_label_in_the_workspace_of_another_file_decides() {
        let p = posture(false);
        assert_eq!(p.workspaces[0].block.file, FileId(1));
        let (accepted, left) = run(&p, denial(&p, true), "2026-12-07");
        assert_eq!(accepted.len(), 1, "{left:?}");
        assert_eq!(accepted[0].workspaces, [0]);
        assert_eq!(accepted[0].accept.reason, "legacy client, CHG-1");
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn without_a_place_in_the_workspace_nothing_is_covered() {
        let p = posture(false);
        let (accepted, left) = run(&p, denial(&p, false), "2026-12-07");
        assert!(accepted.is_empty());
        let codes: Vec<Code> = left.iter().map(|d| d.code).collect();
        assert_eq!(codes, [Code::PolicyContradiction, Code::UnusedAcceptance]);
    }

    #[test]
    fn a_policy_finding_is_covered_by_the_workspace_not_the_policy_file() {
        let p = posture(true);
        // The workspace's own covers; the policy file's top-level
        // acceptance does not (an exemption is the workspace's), so it is
        // unused.
        let (accepted, left) = run(&p, denial(&p, true), "2026-12-07");
        assert_eq!(accepted[0].accept.level, AcceptLevel::Workspace);
        let codes: Vec<Code> = left.iter().map(|d| d.code).collect();
        assert_eq!(codes, [Code::UnusedAcceptance], "{left:?}");
        assert_eq!(left[0].primary.map(|s| s.file), Some(FileId(0)));
        // Placed only in the policy's file, the finding is covered by
        // nothing.
        let (accepted, left) = run(&p, denial(&p, false), "2026-12-07");
        assert!(accepted.is_empty());
        assert!(left.iter().any(|d| d.code == Code::PolicyContradiction));
    }

    #[test]
    fn expired_acceptances_give_the_finding_back_as_an_error() {
        let p = posture(false);
        let (accepted, left) = run(&p, denial(&p, true), "2027-01-02");
        assert!(accepted.is_empty());
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].code, Code::ExpiredAcceptance);
        assert_eq!(left[0].labels[0].span.file, FileId(0));
    }
}
