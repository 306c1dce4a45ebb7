//! The back end: a checked posture in, the build's files out, in three
//! layers whose arrows go one way (see ARCHITECTURE.md):
//!
//! - [`azure`], the Azure model: typed resources, API versions, ids and
//!   references; a leaf that imports nothing else of `emit/`;
//! - [`plan`] and [`lower`]: each workspace's names and ids computed once,
//!   and the per-concern lowerings of a checked workspace (or policy
//!   block) into the model;
//! - [`print`]: the model as ARM JSON, Bicep, EPAC files and reports.
//!
//! [`build`] runs them per workspace. Everything here is pure: the driver
//! writes the files.

pub mod azure;
mod build;
pub mod lower;
pub mod plan;
pub mod print;

pub use crate::escape;
pub use crate::manifest::sha256_hex;
pub use build::{BuildOptions, build, build_into, build_reusing};
pub use print::files::{Artifacts, Reuse, Sink};
pub use print::policy;
