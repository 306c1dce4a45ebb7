//! The Azure model: typed resources, API versions, resource types, ids and
//! the ARM expressions that reference them. The back end's leaf: it
//! imports nothing else of `emit/` (only the IR's value types, the domain
//! catalogue and `escape`). Lowerings build it; printers read it.

pub mod api;
pub mod expr;
pub mod firewall;
pub mod grants;
pub mod phases;
pub mod policy;
pub mod properties;
pub mod resource;
pub mod types;

pub use expr::Expr;
pub use firewall::{Allow, Bypass, WorkspaceAllow, ZoneLink};
pub use grants::{APPROVER, Principal, RoleGrant, RoleRef, Target};
pub use phases::{Phases, first_phase_reasons};
pub use policy::{Exemption, PolicyBuild, PolicyDeployment, RemoteRole};
pub use resource::{
    Deployment, FIRST_DEPLOYMENT, FIRST_DEPLOYMENT_HELP, IdScope, Module, Ref, Resource, loc,
    param_description, tags,
};
