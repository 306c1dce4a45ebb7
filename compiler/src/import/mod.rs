//! `amlgen import`: a posture written from what is deployed
//! ([`crate::deployed::model::Observed`]), formatted as the examples are,
//! with a comment wherever something could not be represented and why.

use crate::deployed::model::Observed;
use crate::diag::Diagnostics;

/// The posture text for every workspace observed.
#[must_use]
pub fn posture(observed: &Observed, diags: &mut Diagnostics) -> String {
    let _ = (observed, diags);
    String::new()
}
