//! The report's "Warnings" section: every diagnostic of the workspace's
//! block that is not an error, with its code and place.

use std::fmt::Write;

use crate::diag::{Diagnostic, Severity};
use crate::escape::{markdown_code as code, markdown_line};
use crate::source::SourceMap;

/// The "Warnings" section; `diagnostics` are the ones in the workspace's
/// block, `accepted` how many findings of the workspace the posture
/// accepts (listed in "Accepted risks", not here).
pub(super) fn section(
    r: &mut String,
    diagnostics: &[Diagnostic],
    accepted: usize,
    sources: &SourceMap,
) {
    let _ = writeln!(r, "\n## Warnings\n");
    if accepted > 0 {
        let _ = writeln!(
            r,
            "{accepted} accepted {} not listed here (see \"Accepted risks\").\n",
            if accepted == 1 {
                "risk is"
            } else {
                "risks are"
            }
        );
    }
    let mine: Vec<&Diagnostic> = diagnostics
        .iter()
        .filter(|x| x.severity != Severity::Error)
        .collect();
    if mine.is_empty() {
        let _ = writeln!(r, "None.");
    }
    for x in mine {
        let at = x.primary.map(|p| sources.place(p)).unwrap_or_default();
        let _ = writeln!(
            r,
            "- {}[{}] {}: {}",
            x.severity.as_str(),
            x.code.id(),
            code(&at),
            markdown_line(&x.message)
        );
    }
}
