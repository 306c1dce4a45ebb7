//! The report's "Identities and roles" section: the identity the
//! workspace acts as, and every role assignment the deployment makes,
//! with its reason.

use std::fmt::Write;

use crate::emit::azure::Deployment;
use crate::escape::{markdown_code as code, markdown_row};
use crate::ir::Workspace;

/// The "Identities and roles" section.
pub(super) fn section(r: &mut String, ws: &Workspace, d: &Deployment) {
    let rg = ws.resource_group.value.as_str();
    let _ = writeln!(r, "\n## Identities and roles\n");
    let identity = match &ws.identity {
        crate::ir::Identity::SystemAssigned => "its system-assigned identity".to_string(),
        crate::ir::Identity::UserAssigned(id) => {
            format!("the user-assigned identity {}", code(id.as_str()))
        }
    };
    let _ = writeln!(
        r,
        "The workspace acts as {identity}. The platform grants it what it needs on the workspace's own storage, key vault, registry and Application Insights at creation; amlgen adds only what the posture implies or declares:\n"
    );
    if d.grants.is_empty() {
        let _ = writeln!(r, "No role assignments.");
    } else {
        let _ = writeln!(r, "| role | to | on | why |\n| --- | --- | --- | --- |");
        for g in &d.grants {
            use crate::emit::azure::{Principal, RoleRef, Target};
            let role = match &g.role {
                RoleRef::BuiltIn { name, id } => format!("{name} ({})", code(id)),
                RoleRef::CustomApprover(types) => format!(
                    "custom: amlgen private endpoint approver ({})",
                    crate::catalog::approval::actions(types)
                        .iter()
                        .map(|a| code(a))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            let who = match &g.principal {
                Principal::Workspace => "the workspace identity".to_string(),
                Principal::Compute(name) => format!("the identity of compute {}", code(name)),
                Principal::Declared(kind, id) => {
                    format!("{} {}", kind.arm().to_lowercase(), code(id))
                }
            };
            let on = match &g.target {
                Target::ResourceGroup => format!("resource group {}", code(rg)),
                Target::Created(_, name) => code(name),
                Target::Elsewhere(id) if g.widened => format!(
                    "resource group of {} (amlgen has no verified API version for this type, so the grant is made on its resource group)",
                    code(id)
                ),
                Target::Elsewhere(id) => code(id),
            };
            let _ = writeln!(r, "{}", markdown_row(&[&role, &who, &on, &g.why]));
        }
    }
}
