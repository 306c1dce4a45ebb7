//! Profiles and defaults: the `defaults` block, and the settings whose
//! value, when the posture does not write it, comes from the profile or a
//! secure default (each records its `Source`), as `docs/language.md`
//! describes under "6. `defaults`" and "8. Profiles".

use std::collections::BTreeMap;

use super::cx::{Block, Cx};
use super::words;
use crate::ir::newtypes::{Guid, ResourceGroupName};
use crate::ir::{
    AcceptLevel, Accepted, Access, ClientEndpoint, Cloud, ContainerRegistry, KeyVault, Profile,
    Region, Setting, Source, Storage, TagSpan,
};
use crate::span::Span;
use crate::syntax::ast::Stmt;

/// Where a `defaults` value is, and the values themselves.
#[derive(Default)]
pub(super) struct Defaults {
    pub(super) region: Option<(Region, Span)>,
    pub(super) resource_group: Option<(ResourceGroupName, Span)>,
    pub(super) subscription_id: Option<(Guid, Span)>,
    pub(super) tags: BTreeMap<String, (String, TagSpan)>,
    pub(super) profile: Option<(Profile, Span)>,
    pub(super) cloud: Option<(Cloud, Span)>,
    /// The `accept` statements of `defaults`, for every workspace of the file.
    pub(super) accepts: Vec<Accepted>,
}

/// What a workspace's resources need to know about it while lowering.
pub(super) struct WsCtx {
    pub(super) profile: Option<Profile>,
    pub(super) cloud: Cloud,
}

impl WsCtx {
    /// Associated resources are private unless the profile is public data.
    pub(super) fn resources_private(&self) -> (Access, Source) {
        match self.profile {
            Some(Profile::PublicData) => (Access::Enabled, Source::Profile(Profile::PublicData)),
            Some(p) => (Access::Disabled, Source::Profile(p)),
            None => (Access::Disabled, Source::SecureDefault),
        }
    }
}

/// The client private endpoints unless the posture lists them: the
/// workspace, and every associated resource that is private. In custom
/// VNet mode the default storage always: the service endpoint policy lets
/// the training subnet reach only Microsoft's storage over the service
/// endpoint, so the workspace's storage must be reached privately.
pub(super) fn default_endpoints(
    storage: &Storage,
    kv: &KeyVault,
    acr: &ContainerRegistry,
    custom_vnet: bool,
) -> Vec<ClientEndpoint> {
    let mut out = vec![ClientEndpoint::Workspace];
    if custom_vnet || storage.public_network_access.value == Access::Disabled {
        out.push(ClientEndpoint::Storage);
    }
    if kv.public_network_access.value == Access::Disabled {
        out.push(ClientEndpoint::KeyVault);
    }
    if acr.public_network_access.value == Access::Disabled {
        out.push(ClientEndpoint::ContainerRegistry);
    }
    out
}

impl Cx<'_> {
    pub(super) fn defaults(&mut self, s: &Stmt) -> Defaults {
        let entries = self.plain_body(s);
        let b = self.block(
            entries,
            "`defaults`",
            words::DEFAULTS.settings,
            words::DEFAULTS.blocks,
        );
        let mut d = Defaults::default();
        if let Some((_, e)) = b.attrs.get("cloud") {
            d.cloud = self.choice(e, Cloud::ALL, "cloud").map(|c| (c, e.span));
        }
        let cloud = d.cloud.map_or(Cloud::Public, |(c, _)| c);
        if let Some((_, e)) = b.attrs.get("region") {
            d.region = self.region(e, cloud);
        }
        if let Some((_, e)) = b.attrs.get("profile") {
            d.profile = self.choice(e, Profile::ALL, "profile").map(|p| (p, e.span));
        }
        if let Some((_, e)) = b.attrs.get("resource_group") {
            d.resource_group = self.resource_group(e);
        }
        if let Some((_, e)) = b.attrs.get("subscription_id") {
            d.subscription_id = self.guid(e);
        }
        if let Some((_, e)) = b.attrs.get("tags") {
            d.tags = self.tags(e);
        }
        for a in b.stmts.iter().filter(|s| s.head.name == "accept") {
            d.accepts.extend(self.accept(a, AcceptLevel::Defaults));
        }
        d
    }

    pub(super) fn access_setting(
        &mut self,
        b: &Block,
        key: &str,
        default: Access,
        source: Source,
    ) -> Setting<Access> {
        match b.attrs.get(key) {
            Some((_, e)) => match self.choice(
                e,
                &[("enabled", Access::Enabled), ("disabled", Access::Disabled)],
                "public network access",
            ) {
                Some(v) => Setting::new(v, Source::Explicit(e.span)),
                None => Setting::new(default, source),
            },
            None => Setting::new(default, source),
        }
    }

    /// A switch of a block: as written, else `default`, the safer legal
    /// value (`Source::SecureDefault`).
    pub(super) fn bool_setting(&mut self, b: &Block, key: &str, default: bool) -> Setting<bool> {
        match b.attrs.get(key) {
            Some((_, e)) => match self.bool(e) {
                Some((v, sp)) => Setting::new(v, Source::Explicit(sp)),
                None => Setting::new(default, Source::SecureDefault),
            },
            None => Setting::new(default, Source::SecureDefault),
        }
    }
}
