//! `REPORT.md`: what a workspace's posture allows and why, what it costs,
//! what is left to do after deployment, which defaults were taken, every
//! accepted risk and warning, and a Mermaid diagram. Markdown; every posture string is
//! written inside code spans or escaped for Mermaid labels (the escapes
//! are `emit::escape`'s). One module per section, in the order `render`
//! writes them; `posture.rs` holds what several sections say alike,
//! `network.rs` the words for where network resources go.

use crate::check::AcceptedFinding;
use crate::diag::Diagnostic;
use crate::emit::azure::Deployment;
use crate::ir::Workspace;
use crate::source::SourceMap;

mod accepted;
mod after_deployment;
mod before_deploying;
mod costs;
mod custom_vnet;
mod defaults;
mod diagram;
mod inbound;
mod instances;
mod network;
mod outbound;
mod posture;
mod roles;
mod summary;
mod warnings;

pub use after_deployment::{Step, steps as after_deployment_steps};
pub use before_deploying::providers;
pub use costs::{Estimate, assumptions as cost_assumptions, table as cost_table};
pub use network::client_subscription;

/// The report of one workspace; `diagnostics` are the ones in its block,
/// `accepted` the accepted findings that concern it.
#[must_use]
pub fn render(
    ws: &Workspace,
    d: &Deployment,
    diagnostics: &[Diagnostic],
    accepted: &[&AcceptedFinding],
    sources: &SourceMap,
    header: &str,
) -> String {
    // A report is some 10 KiB: room for it at once, not by doubling.
    let mut r = String::with_capacity(16 * 1024);
    summary::heading(&mut r, ws, d, sources, header);
    summary::isolation_mode(&mut r, ws, d);
    inbound::section(&mut r, ws, d);
    outbound::section(&mut r, ws, sources);
    costs::section(&mut r, ws, d);
    before_deploying::section(&mut r, ws, d);
    after_deployment::section(&mut r, ws, d);
    roles::section(&mut r, ws, d);
    r.push_str(&instances::section(ws));
    defaults::section(&mut r, ws, sources);
    accepted::section(&mut r, accepted, sources);
    warnings::section(&mut r, diagnostics, accepted.len(), sources);
    diagram::section(&mut r, ws, d);
    r
}
