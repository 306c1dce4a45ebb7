//! A definition's effect: the effects Azure Policy documents, and the
//! check of a resolved effect name against them.

use serde_json::Value;

use super::ops::describe;

/// The effects Azure Policy documents (case-insensitive).
pub(crate) const EFFECTS: &[&str] = &[
    "append",
    "audit",
    "auditIfNotExists",
    "deny",
    "denyAction",
    "deployIfNotExists",
    "disabled",
    "manual",
    "modify",
];

/// Checks a resolved effect name against the documented effects.
pub(crate) fn check_effect(v: &Value) -> Result<&'static str, String> {
    match v {
        Value::String(s) => EFFECTS
            .iter()
            .find(|e| e.eq_ignore_ascii_case(s))
            .copied()
            .ok_or_else(|| {
                format!(
                    "unknown effect `{s}` (Azure Policy's effects: {})",
                    EFFECTS.join(", ")
                )
            }),
        other => Err(format!(
            "the effect must be a string, got {}",
            describe(other)
        )),
    }
}
