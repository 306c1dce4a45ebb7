//! `DEPLOY.md`: the whole build in the order it deploys, with the commands
//! filled in from the postures: resource providers, the deploying
//! identity's role, policy blocks at their scopes, the hub team's firewall
//! rules, resource groups and the role's assignments on them, each
//! workspace (Bicep, ARM JSON or Terraform, as built), what is left after
//! deployment, and the estimated monthly cost. A build streams its
//! workspaces, so this reads a small [`WorkspaceSummary`] of each, made
//! while streaming, never the deployments themselves. Every posture value
//! in a command goes through `escape::shell_word`; `summary.rs` holds
//! those summaries, `order.rs` orders a fleet, `text.rs` writes the
//! sections.

mod order;
mod summary;
mod text;

pub use order::{Ordered, ResourceKey, order};
pub use summary::{PolicySummary, Summary, WorkspaceSummary, files};

/// The file's path in the build.
pub const FILE: &str = "DEPLOY.md";

/// `DEPLOY.md`.
#[must_use]
pub fn render(s: &Summary) -> String {
    text::render(s)
}
