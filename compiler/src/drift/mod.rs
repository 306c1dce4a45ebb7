//! `amlgen diff --deployed`: what the posture builds, read back as
//! deployed resources, against what is deployed, model to model; each
//! difference a coded diagnostic that says what the next deployment would
//! do about it.
//!
//! ```text
//! ir::Checked ──emit::build──▶ workspaces/<name>/azuredeploy.json ──deployed::read──▶ resources
//!   ──deployed::observe──▶ wanted ObservedWorkspace ┐
//!                                                  ├─ compare::compare ─▶ Vec<Finding> ─▶ AML42xx
//!         deployed files ─▶ … ─▶ deployed ObservedWorkspace ┘
//! ```
//!
//! `finding.rs` holds the vocabulary (a [`Finding`] and its [`Class`],
//! one code per class); `compare.rs` the workspace's own settings,
//! `network.rs` the managed network and client endpoints, `resources.rs`
//! the associated resources, computes, online endpoints and grants,
//! `spoke.rs` custom VNet mode's spoke;
//! `values.rs` what they share (comparing as Azure does, quoting).

pub mod compare;
pub mod finding;
mod network;
mod resources;
mod spoke;
mod values;

pub use compare::compare;
pub use finding::{Class, Finding, Subject};

use crate::deployed::model::{Observed, ObservedWorkspace};
use crate::deployed::read::Scope;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::emit::{Artifacts, BuildOptions};
use crate::ir::{Checked, Workspace};
use crate::source::SourceMap;
use crate::span::Span;

/// Reports every difference between the checked posture's workspaces and
/// the deployed ones. `sources` is the run's map (the posture's files),
/// which the build names in its headers.
pub fn diff(checked: &Checked, sources: &SourceMap, deployed: &Observed, diags: &mut Diagnostics) {
    let posture = checked.posture();
    // Built once, and only when some workspace is deployed.
    let mut built: Option<Option<Artifacts>> = None;
    let mut matched = vec![false; deployed.workspaces.len()];
    for ws in &posture.workspaces {
        // Every deployed workspace that is this one is accounted for (the
        // same workspace twice in the input is not "not in the posture");
        // the first is compared.
        for (m, d) in matched.iter_mut().zip(&deployed.workspaces) {
            *m |= is_deployed_as(ws, d);
        }
        let Some(d) = deployed.workspaces.iter().find(|d| is_deployed_as(ws, d)) else {
            diags.push(not_deployed(ws));
            continue;
        };
        // The build is read back with the reader and observer that read
        // the deployed files, so both sides speak the same model. When
        // that fails the workspace is not compared: the round-trip tests
        // (`tests/drift.rs`) guard it.
        let artifacts = built.get_or_insert_with(|| {
            crate::emit::build(checked, &[], sources, &BuildOptions::default()).ok()
        });
        let Some(wanted) = artifacts.as_ref().and_then(|b| wanted(ws, d, b)) else {
            continue;
        };
        report(ws, &wanted, d, diags);
    }
    for (d, m) in deployed.workspaces.iter().zip(&matched) {
        if !m {
            diags.push(not_in_posture(d));
        }
    }
}

/// Reports the differences between `wanted` (what `ws` builds, read
/// back) and `deployed`, placed in the posture and the deployed file.
pub fn report(
    ws: &Workspace,
    wanted: &ObservedWorkspace,
    deployed: &ObservedWorkspace,
    diags: &mut Diagnostics,
) {
    for f in compare(wanted, deployed) {
        diags.push(diagnostic(ws, &f));
    }
}

/// Whether `d` is the deployed form of `ws`: same name and resource group,
/// and same subscription when both state one; ignoring case, as Azure
/// identifies a workspace.
#[must_use]
pub fn is_deployed_as(ws: &Workspace, d: &ObservedWorkspace) -> bool {
    let same_sub = match (&ws.subscription_id, &d.subscription_id) {
        (Some(a), Some(b)) => a.as_str().eq_ignore_ascii_case(b),
        _ => true,
    };
    let same_group = d
        .resource_group
        .as_deref()
        .is_none_or(|g| g.eq_ignore_ascii_case(ws.resource_group.value.as_str()));
    same_sub && same_group && d.name.eq_ignore_ascii_case(ws.name.as_str())
}

/// The scope the build's template is read in: the posture's subscription,
/// else the deployed workspace's; the posture's group.
#[must_use]
#[allow(clippy::needless_update)] // the reader's `Scope` has more fields on its branch
pub fn scope_of(ws: &Workspace, d: &ObservedWorkspace) -> Scope {
    Scope {
        subscription_id: ws
            .subscription_id
            .as_ref()
            .map(|s| s.as_str().to_string())
            .or_else(|| d.subscription_id.clone()),
        resource_group: Some(ws.resource_group.value.as_str().to_string()),
        ..Scope::default()
    }
}

/// The workspace the posture builds, read back from its own ARM template
/// (`workspaces/<name>/azuredeploy.json` of `built`) into a scratch source
/// map: its spans are never shown, and what the reader says about the
/// build is not the user's concern (the round-trip tests are).
#[must_use]
pub fn wanted(
    ws: &Workspace,
    d: &ObservedWorkspace,
    built: &Artifacts,
) -> Option<ObservedWorkspace> {
    let path = format!("workspaces/{}/azuredeploy.json", ws.name.as_str());
    let text = built.get(&path)?;
    let mut scratch = SourceMap::default();
    let mut quiet = Diagnostics::default();
    let resources =
        crate::deployed::read::read_text(&path, text, &scope_of(ws, d), &mut scratch, &mut quiet);
    let observed = crate::deployed::observe::observe(&resources);
    observed
        .workspaces
        .into_iter()
        .find(|o| o.name.eq_ignore_ascii_case(ws.name.as_str()))
}

/// Where in the posture a finding is about: the setting when the posture
/// wrote it, else the workspace.
fn span_of(ws: &Workspace, subject: &Subject) -> Span {
    let written = match subject {
        Subject::Workspace | Subject::Identity => None,
        Subject::IsolationMode => ws.outbound.mode.span().or(ws.outbound.span),
        Subject::FirewallSku => ws.outbound.firewall_sku.span().or(ws.outbound.span),
        Subject::Inbound => ws.inbound.public_network_access.span(),
        Subject::Tag(name) => ws
            .tag_spans
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, s)| s.value),
        Subject::Rule(name) => ws
            .outbound
            .rules
            .iter()
            .find(|r| r.name.as_str().eq_ignore_ascii_case(name))
            .map(|r| r.span),
        Subject::ClientEndpoint => ws
            .inbound
            .private_endpoint
            .as_ref()
            .and_then(|p| p.targets.span()),
        Subject::Compute(name) => ws
            .computes
            .iter()
            .find(|c| c.name.as_str().eq_ignore_ascii_case(name))
            .map(|c| c.span),
        Subject::OnlineEndpoint(name) => ws
            .online_endpoints
            .iter()
            .find(|e| e.name.as_str().eq_ignore_ascii_case(name))
            .map(|e| e.span),
        Subject::Storage => ws.storage.span,
        Subject::KeyVault => ws.key_vault.span,
        Subject::ContainerRegistry => ws.container_registry.span,
        Subject::AppInsights => ws.app_insights.span,
        Subject::Grant(principal) => ws
            .access
            .iter()
            .find(|g| g.principal_id.as_str().eq_ignore_ascii_case(principal))
            .map(|g| g.span),
    };
    written.unwrap_or(ws.span)
}

fn diagnostic(ws: &Workspace, f: &Finding) -> Diagnostic {
    Diagnostic::new(
        f.class.code(),
        span_of(ws, &f.subject),
        format!("workspace `{}`: {}", ws.name, f.message()),
    )
    .label(f.class.label())
    .with_label(f.origin, "deployed here")
    .help(f.consequence.clone())
}

fn not_deployed(ws: &Workspace) -> Diagnostic {
    let sub = ws
        .subscription_id
        .as_ref()
        .map(|s| format!(" in subscription `{}`", s.as_str()))
        .unwrap_or_default();
    Diagnostic::new(
        Code::WorkspaceNotDeployed,
        ws.span,
        format!(
            "workspace `{}` (resource group `{}`{sub}) is not in the deployed files",
            ws.name,
            ws.resource_group.value.as_str()
        ),
    )
    .label("not deployed")
    .help("the next deployment creates it; if it is deployed, add its `az resource show` output to `--deployed`")
}

fn not_in_posture(d: &ObservedWorkspace) -> Diagnostic {
    Diagnostic::new(
        Code::WorkspaceNotInPosture,
        d.origin,
        format!(
            "deployed workspace `{}` (resource group `{}`) is not described by the posture",
            d.name,
            d.resource_group.as_deref().unwrap_or("unknown")
        ),
    )
    .label("no workspace of the posture")
    .help("the posture's deployment does not touch it; `amlgen import` writes a posture for it, or leave it out of `--deployed`")
}
