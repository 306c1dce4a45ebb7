//! The lowerings: one checked workspace (through its [`Plan`]) or policy
//! block into the Azure model, one file per concern. Each reads the plan
//! for names and ids, never derives them; none prints anything.
//!
//! [`Plan`]: crate::emit::plan::Plan

pub mod associated;
pub mod computes;
pub mod deployer;
pub mod deployment;
pub mod endpoints;
pub mod firewall;
pub mod network;
pub mod policy;
pub mod policy_exemptions;
pub mod policy_zones;
pub mod rbac;
pub mod workspace;

pub use deployment::deployment;
