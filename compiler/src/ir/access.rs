//! Declared role assignments: the principal, its kind, the role and the
//! scope it applies to.

use super::newtypes::{Guid, ResourceId};
use crate::span::Span;

/// Kind of principal a role is granted to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PrincipalKind {
    Group,
    User,
    ServicePrincipal,
    ManagedIdentity,
}

impl PrincipalKind {
    pub const ALL: &'static [(&'static str, PrincipalKind)] = &[
        ("group", PrincipalKind::Group),
        ("user", PrincipalKind::User),
        ("service_principal", PrincipalKind::ServicePrincipal),
        ("managed_identity", PrincipalKind::ManagedIdentity),
    ];

    /// The ARM role assignment `principalType`.
    #[must_use]
    pub fn arm(self) -> &'static str {
        match self {
            PrincipalKind::Group => "Group",
            PrincipalKind::User => "User",
            PrincipalKind::ServicePrincipal | PrincipalKind::ManagedIdentity => "ServicePrincipal",
        }
    }
}

/// Where a grant applies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GrantScope {
    Workspace,
    ResourceGroup,
    Storage,
    KeyVault,
    ContainerRegistry,
    Resource(ResourceId),
}

/// A declared role assignment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    pub role: &'static crate::catalog::roles::Role,
    pub principal_kind: PrincipalKind,
    pub principal_id: Guid,
    pub scope: GrantScope,
    pub span: Span,
}
