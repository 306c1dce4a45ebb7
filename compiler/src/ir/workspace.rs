//! What a workspace owns besides its network: the associated resources
//! (storage, key vault, container registry, application insights, created
//! or existing), its managed identity, its resource group lock, and where
//! its tags are written.

use super::newtypes::ResourceId;
use super::settings::{Access, Setting};
use crate::span::Span;

/// Create a resource, or reference an existing one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Provision {
    Create,
    Existing(ResourceId),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Storage {
    pub provision: Provision,
    pub public_network_access: Setting<Access>,
    /// Allow trusted Azure services (network rule bypass `AzureServices`).
    pub trusted_services: Setting<bool>,
    /// Allow the workspace as a resource instance.
    pub resource_instance_rule: Setting<bool>,
    /// A service endpoint from the client VNet (incompatible with private endpoints).
    pub service_endpoint: Setting<bool>,
    /// Data profiling from studio (AutoML, designer, datasets) is used.
    pub data_profiling: Setting<bool>,
    pub span: Option<Span>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyVault {
    pub provision: Provision,
    pub public_network_access: Setting<Access>,
    pub trusted_services: Setting<bool>,
    pub purge_protection: Setting<bool>,
    pub span: Option<Span>,
}

/// Container registry SKU.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RegistrySku {
    Basic,
    Standard,
    Premium,
}

impl RegistrySku {
    pub const ALL: &'static [(&'static str, RegistrySku)] = &[
        ("basic", RegistrySku::Basic),
        ("standard", RegistrySku::Standard),
        ("premium", RegistrySku::Premium),
    ];
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContainerRegistry {
    pub provision: Provision,
    pub sku: Setting<RegistrySku>,
    pub public_network_access: Setting<Access>,
    pub trusted_services: Setting<bool>,
    /// The compute that builds images when the registry is private.
    pub image_build_compute: Option<(String, Span)>,
    pub span: Option<Span>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppInsights {
    pub provision: Provision,
    /// An existing Log Analytics workspace for a created component.
    pub log_analytics: Option<ResourceId>,
    pub span: Option<Span>,
}

/// The workspace's managed identity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Identity {
    SystemAssigned,
    UserAssigned(ResourceId),
}

/// A resource lock on the workspace's resource group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lock {
    None,
    CanNotDelete,
    ReadOnly,
}

/// Where a tag's name and value are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TagSpan {
    pub name: Span,
    pub value: Span,
}
