//! The report's "Accepted risks" section: every finding of the workspace
//! that the posture accepts (`accept`), with the code and its title, the
//! finding, the reason, who accepted it, until when, and where. The
//! finding is amlgen's own words, written as the "Warnings" section writes
//! them (its code spans kept); the acceptance's strings are the posture's,
//! escaped as Markdown text.

use std::fmt::Write;

use crate::check::AcceptedFinding;
use crate::escape::{markdown_code as code, markdown_line, markdown_text as text};
use crate::source::SourceMap;

/// The "Accepted risks" section; `accepted` are the accepted findings
/// that concern the workspace, in order of place.
pub(super) fn section(r: &mut String, accepted: &[&AcceptedFinding], sources: &SourceMap) {
    let _ = writeln!(r, "\n## Accepted risks\n");
    if accepted.is_empty() {
        let _ = writeln!(r, "None.");
        return;
    }
    for f in accepted {
        let d = &f.diagnostic;
        let a = &f.accept;
        let _ = writeln!(
            r,
            "- {} ({}): {}",
            d.code.id(),
            markdown_line(d.code.title()),
            markdown_line(&d.message)
        );
        let _ = writeln!(r, "  - reason: {}", text(&a.reason));
        let _ = writeln!(
            r,
            "  - accepted by {} until {} ({}), at {}",
            text(&a.by),
            a.expires,
            a.category.arm().to_lowercase(),
            code(&sources.place(a.span))
        );
        if let Some(at) = d.primary {
            let _ = writeln!(r, "  - found at {}", code(&sources.place(at)));
        }
    }
}
