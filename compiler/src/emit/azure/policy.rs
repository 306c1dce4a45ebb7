//! A policy block as the model carries it: its definitions, initiative and
//! assignment (policy-native JSON), the scope they are deployed at, the
//! roles the assignment's identity needs, and the exemptions the build's
//! accepted risks make from it.

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
    /// The assignment's id, as the posture's scope makes it.
    pub assignment_id: String,
    /// One per accepted finding of a workspace of the build (sorted by
    /// subscription, resource group and name).
    pub exemptions: Vec<Exemption>,
}

/// A `Microsoft.Authorization/policyExemptions` made from an `accept`
/// statement: the workspace it lets through, where it is placed (the
/// workspace's resource group) and what it says.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Exemption {
    pub subscription: String,
    pub resource_group: String,
    /// The resource name (at most 64 characters, none of `<>*%&:\?.+/`).
    pub name: String,
    pub workspace: String,
    /// The initiative's reference ids of the control's definitions.
    pub reference_ids: Vec<String>,
    /// `Waiver` or `Mitigated`.
    pub category: &'static str,
    /// The end of the acceptance's last day, UTC: `2027-06-30T23:59:59Z`.
    pub expires_on: String,
    pub display_name: String,
    pub description: String,
    /// The finding accepted (`AML3029`, `AML3190`) and who accepted it.
    pub code: &'static str,
    pub by: String,
}

impl Exemption {
    /// The exemption's scope: the workspace's resource group.
    #[must_use]
    pub fn scope_id(&self) -> String {
        format!(
            "/subscriptions/{}/resourceGroups/{}",
            self.subscription, self.resource_group
        )
    }

    /// The exemption as policy-native JSON, its assignment's id written
    /// out and its scope beside it (the block's `exemptions.json`, EPAC).
    #[must_use]
    pub fn native(&self, assignment_id: &str) -> Value {
        serde_json::json!({
            "name": self.name,
            "scope": self.scope_id(),
            "properties": {
                "policyAssignmentId": assignment_id,
                "policyDefinitionReferenceIds": self.reference_ids,
                "exemptionCategory": self.category,
                "expiresOn": self.expires_on,
                "displayName": self.display_name,
                "description": self.description,
                "metadata": {
                    "acceptedBy": self.by,
                    "finding": self.code,
                    "source": "amlgen",
                    "workspace": self.workspace,
                },
            }
        })
    }
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
