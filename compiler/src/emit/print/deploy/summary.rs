//! What `DEPLOY.md` is made of: a small summary of each workspace and
//! policy block, made while the build streams them, and the build's
//! targets.

use crate::emit::azure::{Deployment, IdScope, PolicyBuild, ZoneLink};
use crate::emit::print::report::{self, Estimate, Step};
use crate::ir::{Policy, Posture, Workspace};
use crate::source::SourceMap;

use super::order::{self, ResourceKey};

/// What `DEPLOY.md` needs of one workspace.
#[derive(Clone, Debug)]
pub struct WorkspaceSummary {
    pub name: String,
    pub resource_group: String,
    /// As the posture states it; `None`: the signed-in subscription.
    pub subscription: Option<String>,
    pub location: String,
    pub two_phase: bool,
    pub providers: Vec<&'static str>,
    /// Another subscription the client private endpoints go to.
    pub client_subscription: Option<String>,
    /// The other groups the deploying identity works in.
    pub deployer_groups: Vec<(String, String)>,
    pub hub_zone_links: Vec<ZoneLink>,
    pub after: Vec<Step>,
    pub estimate: Estimate,
    pub created: Vec<ResourceKey>,
    pub referred: Vec<ResourceKey>,
}

impl WorkspaceSummary {
    /// The summary of a workspace and its deployment.
    #[must_use]
    pub fn of(ws: &Workspace, d: &Deployment) -> Self {
        let subscription = ws.subscription_id.as_ref().map(|s| s.as_str().to_string());
        let (created, referred) = order::resources(d, subscription.as_deref());
        WorkspaceSummary {
            name: d.workspace.clone(),
            resource_group: d.resource_group.clone(),
            subscription,
            location: d.location.clone(),
            two_phase: d.phases.two_phase(),
            providers: report::providers(d),
            client_subscription: report::client_subscription(ws, d).map(str::to_string),
            deployer_groups: d.deployer_groups.clone(),
            hub_zone_links: d.hub_zone_links.clone(),
            after: report::after_deployment_steps(ws, d),
            estimate: Estimate::of(ws, d),
            created,
            referred,
        }
    }
}

/// What `DEPLOY.md` needs of one policy block.
#[derive(Clone, Debug)]
pub struct PolicySummary {
    pub name: String,
    pub scope: IdScope,
    pub scope_id: String,
    /// The deployment's location (sub and management group deployments
    /// need one): the block's, else its file's first workspace's.
    pub location: Option<String>,
}

impl PolicySummary {
    /// The summary of a policy block.
    #[must_use]
    pub fn of(p: &Policy, build: &PolicyBuild, location: Option<&str>) -> Self {
        PolicySummary {
            name: p.name.as_str().to_string(),
            scope: build.scope,
            scope_id: build.scope_id.clone(),
            location: location.map(str::to_string),
        }
    }
}

/// Everything `DEPLOY.md` is made of.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    /// The first line: which amlgen made it from which files.
    pub header: String,
    pub bicep: bool,
    pub terraform: bool,
    pub hub_firewall: bool,
    pub workspaces: Vec<WorkspaceSummary>,
    pub policies: Vec<PolicySummary>,
}

impl Summary {
    /// An empty summary of a build of these targets.
    #[must_use]
    pub fn new(bicep: bool, terraform: bool) -> Self {
        Summary {
            bicep,
            terraform,
            ..Summary::default()
        }
    }
}

/// The posture files of a build, for `DEPLOY.md`'s header: their names,
/// or how many there are when more than ten.
#[must_use]
pub fn files(posture: &Posture, sources: &SourceMap) -> String {
    let mut files: Vec<&str> = posture
        .workspaces
        .iter()
        .map(|w| w.span.file)
        .chain(posture.policies.iter().map(|p| p.span.file))
        .map(|f| sources.get(f).name.as_str())
        .collect();
    files.sort_unstable();
    files.dedup();
    if files.len() > 10 {
        format!("{} posture files", files.len())
    } else {
        files.join(", ")
    }
}
