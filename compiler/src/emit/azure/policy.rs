//! A policy block as the model carries it: its definitions, initiative and
//! assignment (policy-native JSON), the scope they are deployed at, and
//! the roles the assignment's identity needs.

use serde_json::Value;

use super::resource::{IdScope, Module, Resource};
use crate::catalog::controls::Chosen;

/// Everything one policy block makes, before it is written.
pub struct PolicyBuild {
    pub scope_id: String,
    pub scope: IdScope,
    pub chosen: Vec<Chosen>,
    pub set_name: String,
    pub assignment_name: String,
    pub definitions: Vec<Value>,
    pub initiative: Value,
    pub assignment: Value,
    /// The role definition ids (GUIDs) the assignment's identity needs.
    pub roles: Vec<String>,
    /// Roles the identity needs outside the assignment's scope: on the
    /// private DNS zones a deploy effect links, which often live in a hub
    /// subscription.
    pub remote_roles: Vec<RemoteRole>,
}

/// A role for the assignment's identity on one resource outside its scope.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct RemoteRole {
    /// The resource id the role is granted on.
    pub scope: String,
    /// The role definition id (a GUID).
    pub role: String,
}

/// What deploys a policy block: the template's resources at the block's
/// scope, and the modules into other resource groups (the identity's
/// roles on the private DNS zones a deploy effect links).
pub struct PolicyDeployment {
    pub resources: Vec<Resource>,
    pub modules: Vec<Module>,
}
