//! The workspace block and its associated resources (storage, key vault,
//! container registry, application insights), as `docs/language.md`
//! describes under "7. `workspace "name"`" and "12. Associated resources".

use std::collections::BTreeMap;

use super::cx::{Block, Cx};
use super::defaults::{Defaults, WsCtx, default_endpoints};
use super::words;
use crate::diag::{Code, Diagnostic};
use crate::ir::newtypes::{ArmName, Guid, ResourceGroupName};
use crate::ir::{
    AcceptLevel, Access, AppInsights, ClientPrivateEndpoint, Cloud, ContainerRegistry, Destination,
    Dns, Identity, Inbound, IsolationMode, KeyVault, Lock, Outbound, OutboundRule, PeSubnet,
    PeTarget, Preset, Profile, Provision, PublicNetworkAccess, Region, RegistrySku, RuleOrigin,
    Setting, Source, Spoke, SpokeVnet, Storage, TagSpan, Workspace,
};
use crate::span::Span;
use crate::syntax::ast::{Entry, Stmt};

impl Cx<'_> {
    pub(super) fn workspace(&mut self, s: &Stmt, defaults: &Defaults) -> Option<Workspace> {
        let name_expr = self.label(s, "workspace")?;
        let name = self.arm_name(name_expr, "workspace");
        let entries: &[Entry] = match &s.body {
            Some(b) => &b.entries,
            None => {
                self.push(
                    Diagnostic::new(Code::UnexpectedToken, s.span, "`workspace` needs a body")
                        .label("expected `{` after this")
                        .help("write `workspace \"name\" { ... }`"),
                );
                &[]
            }
        };
        let b = self.block(
            entries,
            "`workspace`",
            words::WORKSPACE.settings,
            words::WORKSPACE.blocks,
        );
        let span = s.head.span.to(name_expr.span);

        let settings = self.workspace_settings(&b, defaults, span);
        let cloud_value = settings.cloud.as_ref().map_or(Cloud::Public, |c| c.value);
        let pv = settings.profile.as_ref().map(|p| p.value);

        let ctx = WsCtx {
            profile: pv,
            cloud: cloud_value,
        };
        let storage_stmt = self.single(&b, "storage", "a workspace");
        let storage = self.storage(storage_stmt, &ctx);
        let kv_stmt = self.single(&b, "key_vault", "a workspace");
        let key_vault = self.key_vault(kv_stmt, &ctx);
        let acr_stmt = self.single(&b, "container_registry", "a workspace");
        let container_registry = self.container_registry(acr_stmt, &ctx);
        let ai_stmt = self.single(&b, "app_insights", "a workspace");
        let app_insights = self.app_insights(ai_stmt);
        let outbound_stmt = self.single(&b, "outbound", "a workspace");
        let mut outbound = self.outbound(
            outbound_stmt,
            &ctx,
            name.as_ref().map(|(n, _)| n),
            settings.region.as_ref(),
        );
        let custom_vnet = outbound.custom_requested;
        let spoke_created = matches!(
            outbound.spoke,
            Some(Spoke {
                vnet: SpokeVnet::Create { .. },
                ..
            })
        );
        let inbound_stmt = self.single(&b, "inbound", "a workspace");
        let mut inbound = self.inbound(
            inbound_stmt,
            &ctx,
            &storage,
            &key_vault,
            &container_registry,
            (custom_vnet, spoke_created),
        );
        implied_endpoints(
            &mut inbound,
            &mut outbound,
            (&storage, &key_vault, &container_registry),
            span,
        );
        let (compute, computes) = self.computes(&b, &ctx, cloud_value);
        let online_endpoints = self.online_endpoints(&b);
        let access = match self.single(&b, "access", "a workspace") {
            Some(a) => self.access(a),
            None => Vec::new(),
        };
        let accepts = b
            .stmts
            .iter()
            .filter(|a| a.head.name == "accept")
            .filter_map(|a| self.accept(a, AcceptLevel::Workspace))
            .collect();
        Some(Workspace {
            name: name?.0,
            span,
            resource_group: settings.resource_group?,
            subscription_id: settings.subscription_id,
            region: settings.region?,
            cloud: settings.cloud?,
            tags: settings.tags,
            tag_spans: settings.tag_spans,
            profile: settings.profile,
            sensitive: settings.sensitive,
            identity: settings.identity,
            resource_group_lock: settings.resource_group_lock,
            inbound,
            outbound,
            storage,
            key_vault,
            container_registry,
            app_insights,
            compute,
            computes,
            online_endpoints,
            access,
            accepts,
            block: s.span,
        })
    }

    /// The workspace's own settings, each from the workspace, `defaults`,
    /// the profile or a secure default (in that order), with its `Source`.
    fn workspace_settings(&mut self, b: &Block, defaults: &Defaults, span: Span) -> Settings {
        // Cloud, then region.
        let cloud = match b.attrs.get("cloud") {
            Some((_, e)) => self
                .choice(e, Cloud::ALL, "cloud")
                .map(|c| Setting::new(c, Source::Explicit(e.span))),
            None => Some(match defaults.cloud {
                Some((c, sp)) => Setting::new(c, Source::Defaults(sp)),
                None => Setting::new(Cloud::Public, Source::SecureDefault),
            }),
        };
        let cloud_value = cloud.as_ref().map_or(Cloud::Public, |c| c.value);
        let region = match b.attrs.get("region") {
            Some((_, e)) => self
                .region(e, cloud_value)
                .map(|(r, sp)| Setting::new(r, Source::Explicit(sp))),
            None => match &defaults.region {
                Some((r, sp)) => Some(Setting::new(r.clone(), Source::Defaults(*sp))),
                None => {
                    self.push(
                        Diagnostic::new(Code::MissingSetting, span, "workspace has no `region`")
                            .label("set `region` here or in `defaults`")
                            .help("add `region = \"westeurope\"` (or the region you deploy to) to the workspace or to `defaults { }`"),
                    );
                    None
                }
            },
        };
        let resource_group = match b.attrs.get("resource_group") {
            Some((_, e)) => self
                .resource_group(e)
                .map(|(r, sp)| Setting::new(r, Source::Explicit(sp))),
            None => match &defaults.resource_group {
                Some((r, sp)) => Some(Setting::new(r.clone(), Source::Defaults(*sp))),
                None => {
                    self.push(
                        Diagnostic::new(Code::MissingSetting, span, "workspace has no `resource_group`")
                            .label("set `resource_group` here or in `defaults`")
                            .help("add `resource_group = \"rg-ml\"` to the workspace or to `defaults { }`"),
                    );
                    None
                }
            },
        };
        let subscription_id = match b.attrs.get("subscription_id") {
            Some((_, e)) => self.guid(e).map(|(g, _)| g),
            None => defaults.subscription_id.as_ref().map(|(g, _)| g.clone()),
        };
        let mut tagged = defaults.tags.clone();
        if let Some((_, e)) = b.attrs.get("tags") {
            tagged.extend(self.tags(e));
        }
        let tags = tagged
            .iter()
            .map(|(k, (v, _))| (k.clone(), v.clone()))
            .collect();
        let tag_spans = tagged.into_iter().map(|(k, (_, at))| (k, at)).collect();
        let profile = match b.attrs.get("profile") {
            Some((_, e)) => self
                .choice(e, Profile::ALL, "profile")
                .map(|p| Setting::new(p, Source::Explicit(e.span))),
            None => defaults
                .profile
                .map(|(p, sp)| Setting::new(p, Source::Defaults(sp))),
        };
        let pv = profile.as_ref().map(|p| p.value);
        let from_profile = |secure: Source| pv.map_or(secure, Source::Profile);

        let sensitive = match b.attrs.get("sensitive") {
            Some((_, e)) => self
                .bool(e)
                .map(|(v, sp)| Setting::new(v, Source::Explicit(sp))),
            None => None,
        }
        .unwrap_or_else(|| {
            Setting::new(
                pv != Some(Profile::PublicData),
                from_profile(Source::SecureDefault),
            )
        });

        let identity = match b.attrs.get("identity") {
            Some((_, e)) => self.identity(e),
            None => Identity::SystemAssigned,
        };
        let resource_group_lock = match b.attrs.get("resource_group_lock") {
            Some((_, e)) => self
                .choice(
                    e,
                    &[
                        ("none", Lock::None),
                        ("can_not_delete", Lock::CanNotDelete),
                        ("read_only", Lock::ReadOnly),
                    ],
                    "lock",
                )
                .map(|l| Setting::new(l, Source::Explicit(e.span))),
            None => None,
        }
        .unwrap_or(Setting::new(Lock::None, Source::SecureDefault));
        Settings {
            cloud,
            region,
            resource_group,
            subscription_id,
            tags,
            tag_spans,
            profile,
            sensitive,
            identity,
            resource_group_lock,
        }
    }

    pub(super) fn provision(&mut self, b: &Block, arm_type: &str) -> Provision {
        match b.attrs.get("existing") {
            Some((_, e)) => match self.resource_id(e, Some(arm_type)) {
                Some((id, _)) => Provision::Existing(id),
                None => Provision::Create,
            },
            None => Provision::Create,
        }
    }

    pub(super) fn storage(&mut self, s: Option<&Stmt>, ctx: &WsCtx) -> Storage {
        let entries = self.entries_of(s);
        let b = self.block(
            entries,
            "`storage`",
            words::STORAGE.settings,
            words::STORAGE.blocks,
        );
        let (private, source) = ctx.resources_private();
        Storage {
            provision: self.provision(&b, "Microsoft.Storage/storageAccounts"),
            public_network_access: self.access_setting(
                &b,
                "public_network_access",
                private,
                source,
            ),
            trusted_services: self.bool_setting(&b, "trusted_services", true),
            resource_instance_rule: self.bool_setting(&b, "resource_instance_rule", true),
            service_endpoint: self.bool_setting(&b, "service_endpoint", false),
            data_profiling: self.bool_setting(&b, "data_profiling", false),
            span: s.map(|s| s.head.span),
        }
    }

    pub(super) fn key_vault(&mut self, s: Option<&Stmt>, ctx: &WsCtx) -> KeyVault {
        let entries = self.entries_of(s);
        let b = self.block(
            entries,
            "`key_vault`",
            words::KEY_VAULT.settings,
            words::KEY_VAULT.blocks,
        );
        let (private, source) = ctx.resources_private();
        KeyVault {
            provision: self.provision(&b, "Microsoft.KeyVault/vaults"),
            public_network_access: self.access_setting(
                &b,
                "public_network_access",
                private,
                source,
            ),
            trusted_services: self.bool_setting(&b, "trusted_services", true),
            purge_protection: self.bool_setting(&b, "purge_protection", true),
            span: s.map(|s| s.head.span),
        }
    }

    pub(super) fn container_registry(
        &mut self,
        s: Option<&Stmt>,
        ctx: &WsCtx,
    ) -> ContainerRegistry {
        let entries = self.entries_of(s);
        let b = self.block(
            entries,
            "`container_registry`",
            words::CONTAINER_REGISTRY.settings,
            words::CONTAINER_REGISTRY.blocks,
        );
        let (private, source) = ctx.resources_private();
        let public_network_access =
            self.access_setting(&b, "public_network_access", private, source);
        let sku = match b.attrs.get("sku") {
            Some((_, e)) => self
                .choice(e, RegistrySku::ALL, "container registry SKU")
                .map(|v| Setting::new(v, Source::Explicit(e.span))),
            None => None,
        }
        .unwrap_or_else(|| {
            // Private endpoints to a registry need the Premium tier.
            let sku = if public_network_access.value == Access::Disabled {
                RegistrySku::Premium
            } else {
                RegistrySku::Standard
            };
            Setting::new(sku, Source::SecureDefault)
        });
        let image_build_compute = match b.attrs.get("image_build_compute") {
            Some((_, e)) => self.string(e),
            None => None,
        };
        ContainerRegistry {
            provision: self.provision(&b, "Microsoft.ContainerRegistry/registries"),
            sku,
            public_network_access,
            trusted_services: self.bool_setting(&b, "trusted_services", true),
            image_build_compute,
            span: s.map(|s| s.head.span),
        }
    }

    pub(super) fn app_insights(&mut self, s: Option<&Stmt>) -> AppInsights {
        let entries = self.entries_of(s);
        let b = self.block(
            entries,
            "`app_insights`",
            words::APP_INSIGHTS.settings,
            words::APP_INSIGHTS.blocks,
        );
        let log_analytics = match b.attrs.get("log_analytics") {
            Some((_, e)) => self
                .resource_id(e, Some("Microsoft.OperationalInsights/workspaces"))
                .map(|(id, _)| id),
            None => None,
        };
        AppInsights {
            provision: self.provision(&b, "Microsoft.Insights/components"),
            log_analytics,
            span: s.map(|s| s.head.span),
        }
    }
}

/// The workspace's own settings, as lowered (`None` where a value is
/// missing or wrong, already reported).
struct Settings {
    cloud: Option<Setting<Cloud>>,
    region: Option<Setting<Region>>,
    resource_group: Option<Setting<ResourceGroupName>>,
    subscription_id: Option<Guid>,
    tags: BTreeMap<String, String>,
    tag_spans: BTreeMap<String, TagSpan>,
    profile: Option<Setting<Profile>>,
    sensitive: Setting<bool>,
    identity: Identity,
    resource_group_lock: Setting<Lock>,
}

/// What the isolation mode implies for the network: the spoke's client
/// private endpoints in custom VNet mode when the posture lists none, and
/// the rule to the workspace itself for selected-IP inbound in internet
/// mode.
fn implied_endpoints(
    inbound: &mut Inbound,
    outbound: &mut Outbound,
    (storage, key_vault, container_registry): (&Storage, &KeyVault, &ContainerRegistry),
    span: Span,
) {
    let custom_vnet = outbound.custom_requested;
    if custom_vnet && inbound.private_endpoint.is_none() {
        // Compute in the spoke reaches the workspace and its private
        // resources through private endpoints in the `pe` subnet.
        let at = outbound.spoke.as_ref().map_or(span, |s| s.span);
        inbound.private_endpoint = Some(ClientPrivateEndpoint {
            subnet: PeSubnet::Spoke,
            dns: Dns::Create,
            custom_dns: false,
            targets: Setting::new(
                default_endpoints(storage, key_vault, container_registry, true),
                Source::SecureDefault,
            ),
            resource_group: None,
            region: None,
            link_zones: None,
            span: at,
        });
    }
    if let PublicNetworkAccess::SelectedIps(_) = inbound.public_network_access.value
        && outbound.mode.value == IsolationMode::AllowInternetOutbound
    {
        // Selected-IP inbound: compute in the managed network reaches the
        // workspace through a private endpoint rule (a second deployment
        // phase). In approved-outbound mode the platform creates that
        // rule itself (R14), so it is added only in internet mode.
        let at = inbound.public_network_access.span().unwrap_or(span);
        outbound.rules.push(OutboundRule {
            name: ArmName::parse("selected-ips-workspace", "rule").expect("valid constant name"),
            destination: Destination::PrivateEndpoint {
                target: PeTarget::ThisWorkspace,
                subresource: "amlworkspace".into(),
                spark: false,
            },
            origin: RuleOrigin::Preset(Preset::SelectedIps, at),
            span: at,
            fqdn_ports: None,
        });
        outbound.presets.push((Preset::SelectedIps, at));
    }
}
