//! The whole: one workspace with everything around it, the posture of
//! a build (workspaces and policies), and `Checked`, the posture that
//! passed every platform rule.

use std::collections::BTreeMap;

use super::accept::Accepted;
use super::access::Grant;
use super::compute::{Compute, ComputeDefaults, OnlineEndpoint};
use super::inbound::Inbound;
use super::newtypes::{ArmName, Guid, ResourceGroupName};
use super::outbound::Outbound;
use super::policy::Policy;
use super::settings::{Cloud, Profile, Region, Setting};
use super::workspace::{
    AppInsights, ContainerRegistry, Identity, KeyVault, Lock, Storage, TagSpan,
};
use crate::span::Span;

/// One workspace and everything around it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Workspace {
    pub name: ArmName,
    pub span: Span,
    pub resource_group: Setting<ResourceGroupName>,
    pub subscription_id: Option<Guid>,
    pub region: Setting<Region>,
    pub cloud: Setting<Cloud>,
    pub tags: BTreeMap<String, String>,
    /// Where each tag's name and value are written (the workspace or `defaults`).
    pub tag_spans: BTreeMap<String, TagSpan>,
    pub profile: Option<Setting<Profile>>,
    /// Holds sensitive data (grants to individual users are warned about).
    pub sensitive: Setting<bool>,
    pub identity: Identity,
    pub resource_group_lock: Setting<Lock>,
    pub inbound: Inbound,
    pub outbound: Outbound,
    pub storage: Storage,
    pub key_vault: KeyVault,
    pub container_registry: ContainerRegistry,
    pub app_insights: AppInsights,
    pub compute: ComputeDefaults,
    pub computes: Vec<Compute>,
    pub online_endpoints: Vec<OnlineEndpoint>,
    pub access: Vec<Grant>,
    /// The workspace's own `accept` statements (those of its file's
    /// `defaults` and top level are in [`Posture::accepts`]; see
    /// [`Posture::accepts_for`]).
    pub accepts: Vec<Accepted>,
    /// The whole `workspace` block, head to closing brace (`span` is the
    /// head and name): a finding placed inside it concerns this workspace.
    pub block: Span,
}

/// Everything one build describes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Posture {
    pub workspaces: Vec<Workspace>,
    pub policies: Vec<Policy>,
    /// The `accept` statements at the top of a file or in its `defaults`.
    pub accepts: Vec<Accepted>,
}

impl Posture {
    /// Every acceptance that covers `ws`: its own, then its file's
    /// `defaults` and top level.
    pub fn accepts_for<'a>(&'a self, ws: &'a Workspace) -> impl Iterator<Item = &'a Accepted> {
        ws.accepts.iter().chain(
            self.accepts
                .iter()
                .filter(move |a| a.span.file == ws.span.file),
        )
    }
}

/// Where each workspace's block lies, per file: which workspace a place
/// of the build is in (a finding, for its report and its acceptances).
#[derive(Debug, Default)]
pub struct WorkspaceBlocks {
    /// Per file: (start, end, index into `Posture::workspaces`), sorted.
    by_file: BTreeMap<crate::span::FileId, Vec<(u32, u32, usize)>>,
}

impl WorkspaceBlocks {
    #[must_use]
    pub fn of(posture: &Posture) -> Self {
        let mut by_file: BTreeMap<_, Vec<(u32, u32, usize)>> = BTreeMap::new();
        for (i, ws) in posture.workspaces.iter().enumerate() {
            by_file
                .entry(ws.block.file)
                .or_default()
                .push((ws.block.start, ws.block.end, i));
        }
        for v in by_file.values_mut() {
            v.sort_unstable();
        }
        WorkspaceBlocks { by_file }
    }

    /// The index of the workspace whose block holds `span`.
    #[must_use]
    pub fn at(&self, span: Span) -> Option<usize> {
        let v = self.by_file.get(&span.file)?;
        let at = v.partition_point(|(start, _, _)| *start <= span.start);
        let (_, end, i) = *v.get(at.checked_sub(1)?)?;
        (span.end <= end).then_some(i)
    }
}

/// A posture that passed every platform rule with no error. Only
/// [`crate::check::check`] makes one.
#[derive(Debug)]
pub struct Checked(pub(crate) Posture);

impl Checked {
    #[must_use]
    pub fn posture(&self) -> &Posture {
        &self.0
    }
}
