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

use std::collections::{BTreeMap, BTreeSet};

use super::DeployedResource;
use super::model::{Loss, Observed, ObservedWorkspace};

mod attached;
mod compute;
pub mod ids;
pub mod json;
mod spoke;
mod workspace;

/// ARM types, as Azure writes them (compared ignoring case).
pub(crate) mod types {
    pub const WORKSPACE: &str = "Microsoft.MachineLearningServices/workspaces";
    pub const OUTBOUND_RULE: &str = "Microsoft.MachineLearningServices/workspaces/outboundRules";
    pub const COMPUTE: &str = "Microsoft.MachineLearningServices/workspaces/computes";
    pub const ONLINE_ENDPOINT: &str =
        "Microsoft.MachineLearningServices/workspaces/onlineEndpoints";
    pub const PRIVATE_ENDPOINT: &str = "Microsoft.Network/privateEndpoints";
    pub const ZONE_GROUP: &str = "Microsoft.Network/privateEndpoints/privateDnsZoneGroups";
    pub const ROLE_ASSIGNMENT: &str = "Microsoft.Authorization/roleAssignments";
    pub const ROLE_DEFINITION: &str = "Microsoft.Authorization/roleDefinitions";
    pub const SUBNET: &str = "Microsoft.Network/virtualNetworks/subnets";
    pub const ZONE_LINK: &str = "Microsoft.Network/privateDnsZones/virtualNetworkLinks";
    pub const PEERING: &str = "Microsoft.Network/virtualNetworks/virtualNetworkPeerings";
    pub const IDENTITY: &str = "Microsoft.ManagedIdentity/userAssignedIdentities";
}

/// The resources of one input, looked up by id (ignoring case) and type.
pub(crate) struct Index<'a> {
    by_id: BTreeMap<String, usize>,
    all: &'a [DeployedResource],
    /// Which resources some workspace took.
    claimed: std::cell::RefCell<BTreeSet<usize>>,
}

impl<'a> Index<'a> {
    fn new(all: &'a [DeployedResource]) -> Index<'a> {
        let mut by_id = BTreeMap::new();
        for (i, r) in all.iter().enumerate() {
            // A later file's copy of the same resource wins.
            by_id.insert(r.id.to_ascii_lowercase(), i);
        }
        Index {
            by_id,
            all,
            claimed: std::cell::RefCell::new(BTreeSet::new()),
        }
    }

    /// The resource with this id, marked as belonging to a workspace.
    pub(crate) fn take(&self, id: &str) -> Option<&'a DeployedResource> {
        let i = *self
            .by_id
            .get(&id.trim_end_matches('/').to_ascii_lowercase())?;
        self.claimed.borrow_mut().insert(i);
        self.all.get(i)
    }

    /// Every resource of a type (the last copy of each id), not marked.
    pub(crate) fn of_type(&self, ty: &'a str) -> impl Iterator<Item = &'a DeployedResource> + '_ {
        self.by_id
            .values()
            .filter_map(|&i| self.all.get(i))
            .filter(move |r| r.is(ty))
    }

    /// Marks a resource as belonging to a workspace.
    pub(crate) fn claim(&self, r: &DeployedResource) {
        if let Some(&i) = self.by_id.get(&r.id.to_ascii_lowercase()) {
            self.claimed.borrow_mut().insert(i);
        }
    }
}

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
