//! What every rule file of the checker shares: the previous build the
//! history rules read, and the helper that pushes a finding.

use crate::diag::{Diagnostic, Diagnostics};
use crate::manifest::Manifest;

/// The previous build's manifest and where it was read from.
pub struct Previous<'a> {
    pub manifest: &'a Manifest,
    pub path: &'a str,
    /// A build that must keep every workspace the manifest knows
    /// (AML9002); false for `check` and `build --prune`.
    pub keep_known: bool,
}

/// Pushes a diagnostic (a helper so rule files read as rules).
pub(super) fn report(d: &mut Diagnostics, diag: Diagnostic) {
    d.push(diag);
}
