//! `amlgen import`: a posture written from what is deployed
//! ([`crate::deployed::model::Observed`]), laid out as the examples are
//! (`text.rs`), with a comment wherever something could not be
//! represented and why. Every setting is written explicitly (no profile),
//! so building the posture gives back the deployed resources; what a
//! posture cannot say is a comment and an `AML4101` warning, never dropped.
//!
//! `workspace.rs` writes the workspace's own settings, inbound access and
//! associated resources; `outbound.rs` the managed network, its rules and
//! presets, or custom VNet mode's spoke; `compute.rs` the computes, online
//! endpoints and role assignments.

use crate::deployed::model::{Observed, ObservedWorkspace};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::emit::plan::{CreatedNames, created_names};

mod compute;
mod cx;
mod outbound;
pub mod text;
mod workspace;

use cx::Cx;
use text::Out;

/// Which naming the deployed resources follow: with the subscription in
/// the suffix (the posture stated `subscription_id`) or without.
fn naming(ws: &ObservedWorkspace) -> (CreatedNames, bool) {
    let rg = ws.resource_group.clone().unwrap_or_default();
    let sub = ws
        .subscription_id
        .clone()
        .filter(|s| s != crate::deployed::read::NO_SUBSCRIPTION);
    let with = sub
        .as_deref()
        .map(|s| created_names(Some(s), &rg, &ws.name));
    let without = created_names(None, &rg, &ws.name);
    let deployed: Vec<(&str, &str)> = [
        ws.storage.as_ref().map(|a| a.id.as_str()),
        ws.key_vault.as_ref().map(|a| a.id.as_str()),
        ws.container_registry.as_ref().map(|a| a.id.as_str()),
    ]
    .into_iter()
    .flatten()
    .map(|id| (id, crate::deployed::ids::last(id)))
    .collect();
    let matches = |n: &CreatedNames| {
        deployed.iter().any(|(_, name)| {
            [&n.storage, &n.key_vault, &n.container_registry]
                .iter()
                .any(|c| c.eq_ignore_ascii_case(name))
        })
    };
    match with {
        Some(w) if matches(&w) => (w, true),
        _ if matches(&without) => (without, false),
        // Nothing created by amlgen: state the subscription when known.
        Some(w) => (w, true),
        None => (without, false),
    }
}

/// The posture text for every workspace observed; its losses and the
/// input's unclaimed resources as diagnostics.
#[must_use]
pub fn posture(observed: &Observed, diags: &mut Diagnostics) -> String {
    if observed.workspaces.is_empty() {
        let mut d = Diagnostic::unplaced(
            Code::NoWorkspace,
            "the input describes no Azure Machine Learning workspace",
        )
        .help("give `amlgen import` the workspace itself: `az ml workspace show -n <name> -g <group> -o json`, `az resource show --ids <workspace id>` or `az group export -g <group>`");
        if let Some(first) = observed.ignored.first() {
            d.primary = Some(first.origin);
        }
        diags.push(d);
    }
    for l in &observed.ignored {
        diags.push(
            Diagnostic::new(
                Code::UnclaimedResource,
                l.origin,
                format!("{} is not imported", l.what),
            )
            .note(l.why.clone()),
        );
    }
    let mut out = Out::default();
    let mut workspaces: Vec<&ObservedWorkspace> = observed.workspaces.iter().collect();
    workspaces.sort_by_key(|w| w.name.to_ascii_lowercase());
    for ws in workspaces {
        let (created, subscription_stated) = naming(ws);
        let mut cx = Cx {
            ws,
            created,
            subscription_stated,
            losses: ws.losses.clone(),
        };
        let entries = workspace::entries(&mut cx);
        out.blank();
        out.comment(&format!("Imported from {}", ws.id));
        if !cx.losses.is_empty() {
            out.comment("Not representable in a posture (deployed, but not written below):");
            for l in &cx.losses {
                out.comment(&format!("- {}: {}", l.what, l.why));
            }
        }
        out.block(&format!("workspace {}", text::q(&ws.name)), &entries);
        for l in &cx.losses {
            diags.push(
                Diagnostic::new(
                    Code::NotRepresentable,
                    l.origin,
                    format!("{} cannot be written in a posture", l.what),
                )
                .note(l.why.clone())
                .help("the imported posture lists it in a comment above the workspace"),
            );
        }
    }
    out.finish()
}
