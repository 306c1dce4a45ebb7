//! The workspace's computes: the settings every compute gets, the named
//! computes (with a compute instance's assigned user), and the managed
//! online endpoints.

use super::newtypes::{ArmName, Guid, ResourceId};
use super::settings::keyword_in;
use super::settings::{Access, Region, Setting};
use super::workspace::Identity;
use crate::span::Span;

/// Settings every compute of the workspace gets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ComputeDefaults {
    pub public_ip: Setting<bool>,
    pub ssh: Setting<bool>,
    pub local_auth: Setting<bool>,
    pub setup_script: Option<(String, Span)>,
}

/// What kind of compute a named compute is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ComputeKind {
    Instance,
    Cluster,
    Kubernetes,
    AttachedVm,
}

impl ComputeKind {
    pub const ALL: &'static [(&'static str, ComputeKind)] = &[
        ("instance", ComputeKind::Instance),
        ("cluster", ComputeKind::Cluster),
        ("kubernetes", ComputeKind::Kubernetes),
        ("attached_vm", ComputeKind::AttachedVm),
    ];

    #[must_use]
    pub fn keyword(self) -> &'static str {
        keyword_in(Self::ALL, self)
    }
}

/// A named compute the posture declares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Compute {
    pub name: ArmName,
    pub kind: Setting<ComputeKind>,
    pub vm_size: Option<String>,
    pub max_nodes: Option<u32>,
    pub region: Option<(Region, Span)>,
    pub subnet: Option<(ResourceId, Span)>,
    pub public_ip: Setting<bool>,
    /// The compute's managed identity, if it has one.
    pub identity: Option<Identity>,
    /// Storage accounts the compute's identity reads (project data).
    pub reads: Vec<ResourceId>,
    /// The person a compute instance is created for (instances only).
    pub assigned_user: Option<AssignedUser>,
    pub span: Span,
}

/// The Entra user a compute instance is created on behalf of
/// (`personalComputeInstanceSettings.assignedUser`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssignedUser {
    pub object_id: Guid,
    /// The user's tenant; `None` is the tenant of the workspace's
    /// subscription, the only tenant whose users can reach the workspace.
    pub tenant_id: Option<Guid>,
    pub span: Span,
}

/// A managed online endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OnlineEndpoint {
    pub name: ArmName,
    pub public_network_access: Setting<Access>,
    /// The legacy `egress_public_network_access` flag, if written.
    pub egress_public_network_access: Option<(Access, Span)>,
    pub span: Span,
}
