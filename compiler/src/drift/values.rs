//! What the comparison files share: how two values compare as Azure
//! compares them (ASCII case ignored), how a boolean and an identity are
//! quoted, and the comparison of one string setting stated on both sides.

use super::finding::{Class, Finding, Subject, finding};
use crate::deployed::model::ObservedIdentity;
use crate::span::Span;

/// Two values Azure takes as the same: equal ignoring ASCII case.
pub(crate) fn same(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// Pushes a finding of class `class` when both sides state a string
/// setting and it differs.
pub(crate) fn setting(
    out: &mut Vec<Finding>,
    (what, keyword, subject): (&str, Option<&'static str>, Subject),
    (wanted, deployed): (Option<&str>, Option<&str>),
    origin: Span,
    class_of: impl Fn(&str, &str) -> (Class, String),
) {
    let (Some(w), Some(d)) = (wanted, deployed) else {
        return;
    };
    if same(w, d) {
        return;
    }
    let (class, consequence) = class_of(w, d);
    let mut f = finding(class, what, subject, origin)
        .values(Some(w.to_string()), Some(d.to_string()))
        .then(consequence);
    f.keyword = keyword;
    out.push(f);
}

/// A setting the next deployment sets in place.
pub(crate) fn in_place(w: &str, _: &str) -> (Class, String) {
    (
        Class::InPlace,
        format!("the next deployment sets it to `{w}`"),
    )
}

/// A boolean as Azure writes it.
pub(crate) fn flag(b: Option<bool>) -> Option<String> {
    b.map(|b| b.to_string())
}

/// The identity as one line: `SystemAssigned`, `UserAssigned (id, ...)`.
pub(crate) fn identity_text(i: &ObservedIdentity) -> String {
    let ids = |ids: &[String]| {
        let mut v: Vec<String> = ids.iter().map(|s| s.to_ascii_lowercase()).collect();
        v.sort();
        v.join(", ")
    };
    match i {
        ObservedIdentity::None => "None".to_string(),
        ObservedIdentity::SystemAssigned => "SystemAssigned".to_string(),
        ObservedIdentity::UserAssigned { ids: i, .. } => format!("UserAssigned ({})", ids(i)),
        ObservedIdentity::Both { ids: i } => format!("SystemAssigned,UserAssigned ({})", ids(i)),
    }
}
