//! `amlgen diff --deployed`: what the posture builds, read back as
//! deployed resources, against what is deployed, model to model; each
//! difference a coded diagnostic that says what the next deployment would
//! do about it.

use crate::deployed::model::Observed;
use crate::diag::Diagnostics;
use crate::ir::Checked;

/// Reports every difference between the checked posture's workspaces and
/// the deployed ones.
pub fn diff(checked: &Checked, deployed: &Observed, diags: &mut Diagnostics) {
    let _ = (checked, deployed, diags);
}
