//! The `inbound` block: public network access, the allowed IPs and the
//! client private endpoints, as `docs/language.md` describes under
//! "9. `inbound`".

use super::cx::Cx;
use super::defaults::{WsCtx, default_endpoints};
use super::words;
use crate::diag::{Code, Diagnostic};
use crate::ir::newtypes::Ipv4Net;
use crate::ir::{
    ClientEndpoint, ClientPrivateEndpoint, Cloud, ContainerRegistry, Dns, Inbound, KeyVault,
    PeSubnet, Profile, PublicNetworkAccess, Setting, Source, Storage,
};
use crate::syntax::ast::{Expr, ExprKind, Stmt};

impl Cx<'_> {
    pub(super) fn inbound(
        &mut self,
        s: Option<&Stmt>,
        ctx: &WsCtx,
        storage: &Storage,
        kv: &KeyVault,
        acr: &ContainerRegistry,
        (custom_vnet, spoke_created): (bool, bool),
    ) -> Inbound {
        let entries = self.entries_of(s);
        let b = self.block(
            entries,
            "`inbound`",
            words::INBOUND.settings,
            words::INBOUND.blocks,
        );
        let default_pna = if ctx.profile == Some(Profile::PublicData) {
            PublicNetworkAccess::Enabled
        } else {
            PublicNetworkAccess::Disabled
        };
        let default_source = ctx.profile.map_or(Source::SecureDefault, Source::Profile);
        let mode = b.attrs.get("public_network_access").and_then(|(_, e)| {
            self.choice(
                e,
                &[("enabled", 0u8), ("disabled", 1), ("selected_ips", 2)],
                "public network access",
            )
            .map(|m| (m, e.span))
        });
        let ips = b
            .attrs
            .get("allowed_ips")
            .map(|(k, e)| (k.span, self.ips(e)));
        let public_network_access = match (mode, ips) {
            (Some((2, sp)), Some((_, list))) => {
                Setting::new(PublicNetworkAccess::SelectedIps(list), Source::Explicit(sp))
            }
            // An absent list is an empty one: the checker refuses both
            // (`check::inbound::selected_ips`).
            (Some((2, sp)), None) => Setting::new(
                PublicNetworkAccess::SelectedIps(Vec::new()),
                Source::Explicit(sp),
            ),
            (m, Some((ksp, _))) => {
                self.push(
                    Diagnostic::new(
                        Code::PublicAccessSettings,
                        ksp,
                        "`allowed_ips` only applies with `public_network_access = selected_ips`",
                    )
                    .label("ignored by the other modes")
                    .help("set `public_network_access = selected_ips`, or remove `allowed_ips`"),
                );
                match m {
                    Some((0, sp)) => {
                        Setting::new(PublicNetworkAccess::Enabled, Source::Explicit(sp))
                    }
                    Some((_, sp)) => {
                        Setting::new(PublicNetworkAccess::Disabled, Source::Explicit(sp))
                    }
                    None => Setting::new(default_pna, default_source),
                }
            }
            (Some((0, sp)), None) => {
                Setting::new(PublicNetworkAccess::Enabled, Source::Explicit(sp))
            }
            (Some((_, sp)), None) => {
                Setting::new(PublicNetworkAccess::Disabled, Source::Explicit(sp))
            }
            (None, None) => Setting::new(default_pna, default_source),
        };
        let private_endpoint = self
            .single(&b, "private_endpoint", "`inbound`")
            .and_then(|pe| {
                self.client_endpoint(
                    pe,
                    storage,
                    kv,
                    acr,
                    (custom_vnet, spoke_created, ctx.cloud),
                )
            });
        Inbound {
            public_network_access,
            private_endpoint,
        }
    }

    pub(super) fn ips(&mut self, e: &Expr) -> Vec<Ipv4Net> {
        let mut out = Vec::new();
        for item in self.list(e).unwrap_or_default() {
            if let Some((text, span)) = self.string(&item) {
                match Ipv4Net::parse(&text) {
                    Ok(ip) => out.push(ip),
                    Err(msg) if msg.contains("IPv6") => self.push(
                        Diagnostic::new(
                            Code::PublicAccessSettings,
                            span,
                            "IPv6 is not supported in the workspace IP allowlist",
                        )
                        .label(msg)
                        .help("only IPv4 addresses and ranges are supported"),
                    ),
                    Err(msg) => self.push(
                        Diagnostic::new(
                            Code::InvalidIpRange,
                            span,
                            "malformed IPv4 address or range",
                        )
                        .label(msg)
                        .help("write an IPv4 address like `203.0.113.7` or a range like `203.0.113.0/24`"),
                    ),
                }
            }
        }
        out
    }

    pub(super) fn client_endpoint(
        &mut self,
        s: &Stmt,
        storage: &Storage,
        kv: &KeyVault,
        acr: &ContainerRegistry,
        (custom_vnet, spoke_created, cloud): (bool, bool, Cloud),
    ) -> Option<ClientPrivateEndpoint> {
        let entries = self.plain_body(s);
        let b = self.block(
            entries,
            "`private_endpoint`",
            words::PRIVATE_ENDPOINT.settings,
            words::PRIVATE_ENDPOINT.blocks,
        );
        let subnet = match b.attrs.get("subnet") {
            Some((_, e)) => self
                .resource_id(e, Some("Microsoft.Network/virtualNetworks/subnets"))
                .map(|(id, _)| PeSubnet::Id(id)),
            None if custom_vnet => Some(PeSubnet::Spoke),
            None => {
                self.push(
                    Diagnostic::new(Code::MissingSetting, s.head.span, "the private endpoint has no `subnet`")
                        .label("which client subnet?")
                        .help("add `subnet = \"/subscriptions/.../virtualNetworks/vnet/subnets/snet-pe\"`"),
                );
                None
            }
        };
        let dns = match b.attrs.get("dns") {
            Some((_, e)) => match &self.deref(e).kind {
                ExprKind::Ident(w) if w == "create" => Dns::Create,
                ExprKind::List(_) => {
                    let mut zones = Vec::new();
                    for item in self.list(e).unwrap_or_default() {
                        if let Some((id, _)) =
                            self.resource_id(&item, Some("Microsoft.Network/privateDnsZones"))
                        {
                            zones.push(id);
                        }
                    }
                    Dns::Existing(zones)
                }
                _ => {
                    self.push(
                        Diagnostic::new(Code::InvalidEnumValue, e.span, "invalid `dns`")
                            .label("expected `create` or a list of existing private DNS zone ids")
                            .help("write `dns = create`, or `dns = [\"/subscriptions/.../privateDnsZones/privatelink.api.azureml.ms\", ...]`"),
                    );
                    Dns::Create
                }
            },
            None => Dns::Create,
        };
        let custom_dns = match b.attrs.get("custom_dns") {
            Some((_, e)) => self.bool(e).is_some_and(|(v, _)| v),
            None => false,
        };
        let targets = match b.attrs.get("resources") {
            Some((_, e)) => {
                let mut out = Vec::new();
                for item in self.list(e).unwrap_or_default() {
                    if let Some(t) =
                        self.choice(&item, ClientEndpoint::ALL, "private endpoint resource")
                        && !out.contains(&t)
                    {
                        out.push(t);
                    }
                }
                out.sort();
                Setting::new(out, Source::Explicit(e.span))
            }
            None => Setting::new(
                default_endpoints(storage, kv, acr, custom_vnet),
                Source::SecureDefault,
            ),
        };
        let placement = self.client_placement(&b, subnet.as_ref(), &dns, cloud, spoke_created);
        Some(ClientPrivateEndpoint {
            subnet: subnet?,
            dns,
            custom_dns,
            targets,
            resource_group: placement.resource_group,
            region: placement.region,
            link_zones: placement.link_zones,
            span: s.head.span,
        })
    }
}
