//! From deployed resources to the model of each workspace
//! ([`super::model::Observed`]): which resources belong to which
//! workspace, and what each says in the model's terms. Nothing is
//! dropped: a resource that belongs to no workspace is listed in
//! `Observed::ignored`, a value the model cannot hold in the workspace's
//! `losses`.
//!
//! `workspace.rs` reads the workspace and its managed network,
//! `attached.rs` the associated resources, client private endpoints and
//! role assignments, `compute.rs` the computes and online endpoints,
//! `spoke.rs` a custom VNet mode spoke.

use super::DeployedResource;
use super::model::{Loss, Observed, ObservedWorkspace};

mod attached;
mod compute;
mod index;
pub mod json;
mod spoke;
mod workspace;

use index::{Index, types};

/// Groups the resources by workspace and reads each.
#[must_use]
pub fn observe(resources: &[DeployedResource]) -> Observed {
    let idx = Index::new(resources);
    let mut out = Observed::default();
    let workspaces: Vec<&DeployedResource> = idx.of_type(types::WORKSPACE).collect();
    for ws in &workspaces {
        idx.claim(ws);
        out.workspaces.push(read_workspace(ws, &idx));
    }
    let claimed = idx.claimed.borrow();
    for (i, r) in resources.iter().enumerate() {
        let latest = idx.by_id.get(&r.id.to_ascii_lowercase()) == Some(&i);
        if latest && !claimed.contains(&i) && !is_plumbing(r) {
            out.ignored.push(Loss {
                origin: r.origin,
                what: format!("{} `{}`", r.arm_type, r.name),
                why: if workspaces.is_empty() {
                    "the input has no Azure Machine Learning workspace it could belong to".into()
                } else {
                    "it belongs to none of the input's workspaces (not associated with one, no private endpoint or role assignment on one)".into()
                },
            });
        }
    }
    out
}

/// Resources that only serve others already read through them (a DNS
/// zone, its links, an identity): not worth listing when left over.
fn is_plumbing(r: &DeployedResource) -> bool {
    [
        "Microsoft.Network/privateDnsZones",
        "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
        "Microsoft.Network/privateDnsZones/A",
        "Microsoft.OperationalInsights/workspaces",
        types::IDENTITY,
    ]
    .iter()
    .any(|t| r.is(t))
}

fn read_workspace(ws: &DeployedResource, idx: &Index<'_>) -> ObservedWorkspace {
    let mut w = workspace::read(ws, idx);
    attached::read(&mut w, ws, idx);
    compute::read(&mut w, idx);
    spoke::read(&mut w, ws, idx);
    attached::grants(&mut w, ws, idx);
    w
}
