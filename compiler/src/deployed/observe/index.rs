//! The resources of one input, looked up by id (ignoring case) and type,
//! with which of them some workspace took; and the ARM types the observer
//! reads.

use std::collections::{BTreeMap, BTreeSet};

use crate::deployed::DeployedResource;

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
    pub(super) by_id: BTreeMap<String, usize>,
    all: &'a [DeployedResource],
    /// Which resources some workspace took.
    pub(super) claimed: std::cell::RefCell<BTreeSet<usize>>,
}

impl<'a> Index<'a> {
    pub(super) fn new(all: &'a [DeployedResource]) -> Index<'a> {
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
