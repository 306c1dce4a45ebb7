//! The IR: a typed posture with every default applied and every preset
//! expanded, each remembering where it came from.
//!
//! Field values are closed enums and checked newtypes, so no ill-formed
//! value can be stored. The cross-setting platform rules are checked by
//! [`crate::check`]; only a posture that passed them becomes a
//! [`Checked`], which is what the emitters take.
//!
//! The types live in one file per concern, re-exported here: `settings`
//! (sources, settings, profiles, clouds and regions, protocols),
//! `workspace` (the associated resources, identity, lock, tags),
//! `inbound`, `outbound` (rules and presets), `custom_vnet` (the spoke),
//! `compute`, `access`, `policy`, `policy_reach` (which workspaces a
//! policy block would deny or flag), `accept` (accepted risks and dates),
//! and `posture` (the workspace, the posture and `Checked`).

pub mod accept;
pub mod lower;
pub mod newtypes;

mod access;
mod compute;
mod custom_vnet;
mod inbound;
mod outbound;
mod policy;
pub mod policy_reach;
mod posture;
mod settings;
mod workspace;

pub use accept::{AcceptCategory, AcceptLevel, Accepted, Date};
pub use access::{Grant, GrantScope, PrincipalKind};
pub use compute::{AssignedUser, Compute, ComputeDefaults, ComputeKind, OnlineEndpoint};
pub use custom_vnet::{
    NsgAccess, NsgAddress, NsgDirection, NsgRule, Spoke, SpokeSubnet, SpokeVnet, SubnetKeep,
    SubnetRole,
};
pub use inbound::{
    ClientEndpoint, ClientPrivateEndpoint, Dns, Inbound, PeSubnet, PublicNetworkAccess,
};
pub use newtypes::{
    ArmName, FqdnPattern, Guid, Ipv4Net, PortRanges, ResourceGroupName, ResourceId, ServiceTag,
};
pub use outbound::{
    Destination, FirewallSku, IsolationMode, Outbound, OutboundRule, PeTarget, Preset, RuleKind,
    RuleOrigin,
};
pub use policy::{Control, Effect, Policy, PolicyControl, PolicyScope};
pub use posture::{Checked, Posture, Workspace, WorkspaceBlocks};
pub use settings::{Access, Cloud, Profile, Protocol, Region, Setting, Source};
pub use workspace::{
    AppInsights, ContainerRegistry, Identity, KeyVault, Lock, Provision, RegistrySku, Storage,
    TagSpan,
};
