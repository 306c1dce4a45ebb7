//! Role assignments as the model carries them: who gets which role on
//! what, and why (the report explains each; the RBAC lowering makes the
//! assignment resources from them).

use super::expr::Expr;
use super::types;
use crate::ir::PrincipalKind;

/// The built-in role the managed network needs on private endpoint targets.
pub const APPROVER: &str = "Azure AI Enterprise Network Connection Approver";

/// Who a grant is for.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Principal {
    /// The workspace's managed identity (system- or user-assigned).
    Workspace,
    /// A named compute's managed identity.
    Compute(String),
    /// A principal the posture names.
    Declared(PrincipalKind, String),
}

/// What a grant applies to.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Target {
    /// The deployment's resource group.
    ResourceGroup,
    /// A resource this deployment creates: (type, name).
    Created(&'static str, String),
    /// A resource elsewhere, by id.
    Elsewhere(String),
}

/// The role a grant gives.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RoleRef {
    BuiltIn {
        name: &'static str,
        id: &'static str,
    },
    /// amlgen's scoped-down approver role for the given target types.
    CustomApprover(Vec<&'static str>),
}

impl RoleRef {
    /// The approver built-in or amlgen's custom approver role.
    #[must_use]
    pub fn is_approver(&self) -> bool {
        match self {
            RoleRef::BuiltIn { name, .. } => *name == APPROVER,
            RoleRef::CustomApprover(_) => true,
        }
    }
}

/// One role assignment and why it exists.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct RoleGrant {
    pub target: Target,
    pub principal: Principal,
    pub role: RoleRef,
    pub why: String,
    /// A grant made at the target's resource group because amlgen cannot
    /// name the target itself there (no verified API version for its type).
    pub widened: bool,
}

/// A role definition's id in the deployment's subscription.
#[must_use]
pub fn role_definition_id(guid: Expr) -> Expr {
    Expr::call(
        "subscriptionResourceId",
        vec![Expr::str(types::ROLE_DEFINITION), guid],
    )
}
