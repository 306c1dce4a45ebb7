//! A definition's effect: the effects Azure Policy documents, as names and
//! as a closed type, and the check of a resolved effect name against them.

use serde::Serialize;
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

/// An Azure Policy effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Effect {
    Append,
    Audit,
    AuditIfNotExists,
    Deny,
    DenyAction,
    DeployIfNotExists,
    Disabled,
    Manual,
    Modify,
}

impl Effect {
    pub(super) fn from_name(name: &str) -> Option<Effect> {
        Some(match name.to_ascii_lowercase().as_str() {
            "append" => Effect::Append,
            "audit" => Effect::Audit,
            "auditifnotexists" => Effect::AuditIfNotExists,
            "deny" => Effect::Deny,
            "denyaction" => Effect::DenyAction,
            "deployifnotexists" => Effect::DeployIfNotExists,
            "disabled" => Effect::Disabled,
            "manual" => Effect::Manual,
            "modify" => Effect::Modify,
            _ => return None,
        })
    }

    /// The documented spelling.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Effect::Append => "append",
            Effect::Audit => "audit",
            Effect::AuditIfNotExists => "auditIfNotExists",
            Effect::Deny => "deny",
            Effect::DenyAction => "denyAction",
            Effect::DeployIfNotExists => "deployIfNotExists",
            Effect::Disabled => "disabled",
            Effect::Manual => "manual",
            Effect::Modify => "modify",
        }
    }
}

/// The outcome of the existence check of `auditIfNotExists` /
/// `deployIfNotExists` (`existence`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Existence {
    /// How many of the given related resources are of the details' type
    /// (and name).
    pub candidates: usize,
    /// The index, in the given list, of the first related resource that
    /// satisfies the existence condition: then the resource is compliant
    /// and the effect does not apply. `None`: the effect applies.
    pub satisfied_by: Option<usize>,
}
