//! The report's compute instances: who each one is for, whether the
//! posture gives that user a role that can use it, and what is left to do.
//!
//! Sources: "Create an Azure Machine Learning compute instance" ("Create on
//! behalf of": the actions the assigned user needs, and single sign-on
//! being off on an instance created on someone's behalf with a setup
//! script); "Azure built-in roles for AI + machine learning" (the roles
//! below hold those actions: `AzureML Data Scientist` through
//! `workspaces/*/action`, which its `notActions` do not take back for
//! them; `AzureML Compute Operator` through `workspaces/computes/*`).

use std::fmt::Write;

use crate::escape::markdown_code as code;
use crate::ir::{AssignedUser, ComputeKind, GrantScope, PrincipalKind, Workspace};

/// What the assigned user of an instance needs on the workspace.
const USER_ACTIONS: &[&str] = &[
    "Microsoft.MachineLearningServices/workspaces/computes/start/action",
    "Microsoft.MachineLearningServices/workspaces/computes/stop/action",
    "Microsoft.MachineLearningServices/workspaces/computes/restart/action",
    "Microsoft.MachineLearningServices/workspaces/computes/applicationaccess/action",
    "Microsoft.MachineLearningServices/workspaces/computes/updateSchedules/action",
];

/// Built-in roles that hold every action of [`USER_ACTIONS`].
const USER_ROLES: &[&str] = &[
    "AzureML Data Scientist",
    "AzureML Compute Operator",
    "Contributor",
    "Owner",
];

/// The posture's grant that lets `user` use an instance, if any: one of
/// [`USER_ROLES`] to that user on the workspace or its resource group.
/// (A grant to a group the user is in also would; amlgen cannot see
/// group membership.)
fn user_role(ws: &Workspace, user: &AssignedUser) -> Option<&'static str> {
    ws.access
        .iter()
        .find(|g| {
            g.principal_kind == PrincipalKind::User
                && g.principal_id == user.object_id
                && matches!(g.scope, GrantScope::Workspace | GrantScope::ResourceGroup)
                && USER_ROLES.contains(&g.role.name)
        })
        .map(|g| g.role.name)
}

fn tenant(user: &AssignedUser) -> String {
    match &user.tenant_id {
        Some(t) => code(&t.to_string()),
        None => "the workspace's (`subscription().tenantId`)".to_string(),
    }
}

/// The "Compute instances" section, empty when there is no instance.
pub(super) fn section(ws: &Workspace) -> String {
    let mut r = String::new();
    let instances: Vec<_> = ws
        .computes
        .iter()
        .filter(|c| c.kind.value == ComputeKind::Instance)
        .collect();
    if instances.is_empty() {
        return r;
    }
    let _ = writeln!(
        r,
        "\n## Compute instances\n\nA compute instance is used only by the user it is assigned to; the deployment creates each on that user's behalf.\n"
    );
    let _ = writeln!(
        r,
        "| instance | assigned user | tenant | role that lets them use it |\n| --- | --- | --- | --- |"
    );
    for c in instances {
        let row = match &c.assigned_user {
            Some(u) => format!(
                "{} | {} | {}",
                code(&u.object_id.to_string()),
                tenant(u),
                user_role(ws, u).map_or_else(
                    || "none in this posture: see After deployment".to_string(),
                    |role| format!("{role}, granted in `access`"),
                )
            ),
            None => "none: the identity that runs the deployment (`AML3160`) | | ".to_string(),
        };
        let _ = writeln!(r, "| {} | {row} |", code(c.name.as_str()));
    }
    r
}

/// The steps after deployment for the instances' users.
pub(super) fn after_deployment(ws: &Workspace) -> Vec<String> {
    let mut steps = Vec::new();
    let assigned: Vec<_> = ws
        .computes
        .iter()
        .filter(|c| c.kind.value == ComputeKind::Instance)
        .filter_map(|c| c.assigned_user.as_ref().map(|u| (c, u)))
        .collect();
    for (c, u) in &assigned {
        if user_role(ws, u).is_none() {
            steps.push(format!(
                "Compute instance {} is assigned to user {}, whom this posture grants no role on the workspace: unless a group they are in holds one, grant them `AzureML Data Scientist` (or `AzureML Compute Operator`) on the workspace. To start, stop and open the instance they need {}.",
                code(c.name.as_str()),
                code(&u.object_id.to_string()),
                USER_ACTIONS
                    .iter()
                    .map(|a| code(a))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    if ws.compute.setup_script.is_some() && !assigned.is_empty() {
        steps.push(format!(
            "The computes have a setup script, so single sign-on is off on the compute instances created on their users' behalf ({}): each user turns it on in studio (Compute, the instance, Single sign-on); the deployment's identity cannot.",
            assigned
                .iter()
                .map(|(c, _)| code(c.name.as_str()))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    steps
}
