//! Rules about the named computes themselves (beyond where they may run).

use super::context::report;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::ir::{ComputeKind, Workspace};

/// A compute instance without `assigned_user` is assigned to whoever
/// creates it: for a deployment, the pipeline's service principal, so no
/// person can open it ("Create an Azure Machine Learning compute
/// instance", "Create on behalf of": a compute instance can't be shared,
/// it is used only by its assigned user, by default the creator).
pub fn unassigned_instances(ws: &Workspace, d: &mut Diagnostics) {
    for c in &ws.computes {
        if c.kind.value == ComputeKind::Instance && c.assigned_user.is_none() {
            report(
                d,
                Diagnostic::new(
                    Code::UnassignedComputeInstance,
                    c.span,
                    format!("compute instance `{}` has no assigned user", c.name),
                )
                .label("assigned to whoever deploys it")
                .note("a compute instance is used only by its assigned user; without one it belongs to the identity that runs the deployment, usually a pipeline's service principal")
                .help("name the person it is for: `assigned_user = { object_id = \"<user's Entra object id>\" }`"),
            );
        }
    }
}
