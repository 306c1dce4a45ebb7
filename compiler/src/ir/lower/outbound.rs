//! The `outbound` block, its rules and presets, as `docs/language.md`
//! describes under "10. `outbound`", "`rule "name" <kind> <destination>
//! [{ ... }]`" and "11. Presets: `allow <scenario>`".

use super::cx::{Cx, list_words, names};
use super::defaults::WsCtx;
use super::values::fqdn_help;
use super::words;
use crate::catalog::{presets, private_link};
use crate::diag::{Code, Diagnostic};
use crate::ir::newtypes::{ArmName, FqdnPattern, PortRanges, ServiceTag};
use crate::ir::{
    Destination, FirewallSku, IsolationMode, Outbound, OutboundRule, PeTarget, Preset, Profile,
    Protocol, Region, RuleKind, RuleOrigin, Setting, Source,
};
use crate::span::Span;
use crate::syntax::ast::{Body, Entry, Expr, ExprKind, Stmt};

impl Cx<'_> {
    pub(super) fn outbound(
        &mut self,
        s: Option<&Stmt>,
        ctx: &WsCtx,
        ws_name: Option<&ArmName>,
        region: Option<&Setting<Region>>,
    ) -> Outbound {
        let entries = self.entries_of(s);
        let b = self.block(
            entries,
            "`outbound`",
            words::OUTBOUND.settings,
            words::OUTBOUND.blocks,
        );
        let default_mode = match ctx.profile {
            Some(Profile::HubSpoke) => IsolationMode::Disabled,
            Some(Profile::SensitiveData | Profile::PublicData) => {
                IsolationMode::AllowInternetOutbound
            }
            Some(Profile::ExfiltrationProtected) | None => IsolationMode::AllowOnlyApprovedOutbound,
        };
        let profile_source = ctx.profile.map_or(Source::SecureDefault, Source::Profile);
        // `custom_vnet` is a disabled managed network with a spoke `vnet`.
        let modes: Vec<(&'static str, IsolationMode)> = IsolationMode::ALL
            .iter()
            .copied()
            .chain([("custom_vnet", IsolationMode::Disabled)])
            .collect();
        let custom_written = b.attrs.get("mode").and_then(|(_, e)| match &e.kind {
            ExprKind::Ident(w) if w == "custom_vnet" => Some(e.span),
            _ => None,
        });
        let mode = match b.attrs.get("mode") {
            Some((_, e)) => self
                .choice(e, &modes, "isolation mode")
                .map(|m| Setting::new(m, Source::Explicit(e.span))),
            None => None,
        }
        .unwrap_or(Setting::new(default_mode, profile_source));
        let vnet_stmt = self.single(&b, "vnet", "`outbound`");
        let spoke = vnet_stmt.and_then(|v| self.spoke(v, ws_name, region, ctx.cloud));
        if let (Some(at), None) = (custom_written, vnet_stmt) {
            self.push(
                Diagnostic::new(Code::MissingSetting, at, "custom VNet mode needs a `vnet` block")
                    .label("which spoke network?")
                    .help("add `vnet { address_space = \"10.40.0.0/22\"  training = \"10.40.0.0/24\"  pe = \"10.40.2.0/26\"  firewall_ip = \"10.0.1.4\" }` to `outbound`"),
            );
        }
        let firewall_sku = match b.attrs.get("firewall_sku") {
            Some((_, e)) => self.firewall_sku(e),
            None => None,
        }
        .unwrap_or(Setting::new(FirewallSku::Standard, Source::SecureDefault));
        let provision_now = match b.attrs.get("provision_now") {
            Some((_, e)) => self
                .bool(e)
                .map(|(v, sp)| Setting::new(v, Source::Explicit(sp))),
            None => None,
        }
        .unwrap_or(Setting::new(mode.value.is_managed(), Source::SecureDefault));
        let mut rules = Vec::new();
        let mut presets_named = Vec::new();
        for st in &b.stmts {
            match st.head.name.as_str() {
                "vnet" => {}
                "allow" => {
                    if let Some(p) = self.preset(st, &mut rules) {
                        presets_named.push((p, st.span));
                    }
                }
                _ => {
                    if let Some(r) = self.rule(st) {
                        rules.push(r);
                    }
                }
            }
        }
        let custom_requested =
            custom_written.is_some() || (vnet_stmt.is_some() && !mode.value.is_managed());
        Outbound {
            mode,
            firewall_sku,
            provision_now,
            rules,
            presets: presets_named,
            custom_requested,
            spoke,
            span: s.map(|s| s.head.span),
        }
    }

    pub(super) fn firewall_sku(&mut self, e: &Expr) -> Option<Setting<FirewallSku>> {
        if let ExprKind::Ident(_) | ExprKind::Str(_) = &e.kind {
            let word = match &e.kind {
                ExprKind::Ident(w) => w.clone(),
                _ => self.string(e).map(|(s, _)| s).unwrap_or_default(),
            };
            if word.eq_ignore_ascii_case("premium") {
                self.push(
                    Diagnostic::new(Code::UnsupportedFirewall, e.span, "the managed network does not support a Premium firewall")
                        .label("Premium is not available here")
                        .note("URL-based filtering needs Premium, so a managed network cannot filter on URL paths")
                        .help("use `firewall_sku = standard` (the default) or `basic`"),
                );
                return None;
            }
        }
        self.choice(
            e,
            &[
                ("standard", FirewallSku::Standard),
                ("basic", FirewallSku::Basic),
            ],
            "firewall SKU",
        )
        .map(|v| Setting::new(v, Source::Explicit(e.span)))
    }

    pub(super) fn preset(&mut self, st: &Stmt, rules: &mut Vec<OutboundRule>) -> Option<Preset> {
        let Some(first) = st.args.first() else {
            self.push(
                Diagnostic::new(
                    Code::MissingSetting,
                    st.head.span,
                    "`allow` needs a scenario",
                )
                .label("allow what?")
                .help(format!(
                    "write `allow python_packages`; scenarios: {}",
                    list_words(&names(Preset::NAMED))
                )),
            );
            return None;
        };
        if let Some(extra) = st.args.get(1) {
            self.push(
                Diagnostic::new(
                    Code::UnexpectedToken,
                    extra.span,
                    "`allow` takes one scenario",
                )
                .label("unexpected")
                .help("write one `allow` per scenario"),
            );
        }
        let preset = self.choice(first, Preset::NAMED, "scenario")?;
        let entries: &[Entry] = st.body.as_ref().map_or(&[], |b: &Body| &b.entries);
        let span = st.span;
        let fqdn_rules = |hosts: &[&str], rules: &mut Vec<OutboundRule>| {
            for (i, host) in hosts.iter().enumerate() {
                rules.push(OutboundRule {
                    name: ArmName::parse(&format!("{}-{}", preset.rule_prefix(), i + 1), "rule")
                        .expect("valid preset rule name"),
                    destination: Destination::Fqdn {
                        fqdn: FqdnPattern::parse(host).expect("valid preset host"),
                        written: None,
                    },
                    origin: RuleOrigin::Preset(preset, span),
                    span,
                    fqdn_ports: None,
                });
            }
        };
        match preset {
            Preset::PythonPackages => {
                let b = self.block(
                    entries,
                    "`allow python_packages`",
                    &["index_overridden"],
                    &[],
                );
                let overridden = b
                    .attrs
                    .get("index_overridden")
                    .and_then(|(_, e)| self.bool(e))
                    .is_some_and(|(v, _)| v);
                let mut hosts = presets::PYTHON_PACKAGES.to_vec();
                if overridden {
                    hosts.extend_from_slice(presets::PYTHON_INDEX_OVERRIDDEN);
                }
                fqdn_rules(&hosts, rules);
            }
            Preset::VsCode => {
                self.no_body(st, "`allow vscode`");
                fqdn_rules(presets::VSCODE, rules);
            }
            Preset::HuggingFace => {
                self.no_body(st, "`allow huggingface`");
                fqdn_rules(presets::HUGGINGFACE, rules);
            }
            Preset::BatchEndpoints => {
                let b = self.block(
                    entries,
                    "`allow batch_endpoints`",
                    &["ai_search", "ai_services"],
                    &[],
                );
                for sub in presets::BATCH_STORAGE_SUBRESOURCES {
                    rules.push(OutboundRule {
                        name: ArmName::parse(&format!("batch-endpoints-{sub}"), "rule")
                            .expect("valid preset rule name"),
                        destination: Destination::PrivateEndpoint {
                            target: PeTarget::DefaultStorage,
                            subresource: (*sub).to_string(),
                            spark: false,
                        },
                        origin: RuleOrigin::Preset(preset, span),
                        span,
                        fqdn_ports: None,
                    });
                }
                for (key, arm_type, rule) in [
                    (
                        "ai_services",
                        "Microsoft.CognitiveServices/accounts",
                        "batch-endpoints-ai-services",
                    ),
                    (
                        "ai_search",
                        "Microsoft.Search/searchServices",
                        "batch-endpoints-ai-search",
                    ),
                ] {
                    if let Some((_, e)) = b.attrs.get(key)
                        && let Some((id, _)) = self.resource_id(e, Some(arm_type))
                    {
                        let sub = private_link::lookup(arm_type).map_or("", |t| t.subresources[0]);
                        rules.push(OutboundRule {
                            name: ArmName::parse(rule, "rule").expect("valid preset rule name"),
                            destination: Destination::PrivateEndpoint {
                                target: PeTarget::Resource(id),
                                subresource: sub.to_string(),
                                spark: false,
                            },
                            origin: RuleOrigin::Preset(preset, span),
                            span,
                            fqdn_ports: None,
                        });
                    }
                }
            }
            Preset::SelectedIps => {}
        }
        Some(preset)
    }

    pub(super) fn rule(&mut self, st: &Stmt) -> Option<OutboundRule> {
        let usage = "write `rule \"name\" private_endpoint <resource id> { subresource = blob }`, `rule \"name\" service_tag \"Tag\" { protocol = tcp  ports = \"443\" }` or `rule \"name\" fqdn \"host.example.com\"`";
        let (name_e, kind_e, dest_e) = match st.args.as_slice() {
            [n, k, d] => (n, k, d),
            [n, k, d, extra, ..] => {
                self.push(
                    Diagnostic::new(
                        Code::UnexpectedToken,
                        extra.span,
                        "too many words in `rule`",
                    )
                    .label("unexpected")
                    .help(usage),
                );
                (n, k, d)
            }
            _ => {
                self.push(
                    Diagnostic::new(Code::MissingSetting, st.span, "incomplete `rule`")
                        .label("a rule needs a name, a kind and a destination")
                        .help(usage),
                );
                return None;
            }
        };
        let name = self.arm_name(name_e, "rule");
        let kind = self.choice(kind_e, RuleKind::ALL, "rule kind")?;
        let entries: &[Entry] = st.body.as_ref().map_or(&[], |b| &b.entries);
        let (destination, fqdn_ports) = match kind {
            RuleKind::PrivateEndpoint => (self.private_endpoint_rule(st, entries, dest_e)?, None),
            RuleKind::ServiceTag => (self.service_tag_rule(st, entries, dest_e)?, None),
            RuleKind::Fqdn => self.fqdn_rule(entries, dest_e)?,
        };
        Some(OutboundRule {
            name: name?.0,
            destination,
            origin: RuleOrigin::User,
            span: st.span,
            fqdn_ports,
        })
    }

    /// The destination of `rule "name" private_endpoint <resource id>`:
    /// a target type the managed network can reach and its `subresource`.
    fn private_endpoint_rule(
        &mut self,
        st: &Stmt,
        entries: &[Entry],
        dest_e: &Expr,
    ) -> Option<Destination> {
        let b = self.block(
            entries,
            "a private endpoint rule",
            &["spark", "subresource"],
            &[],
        );
        let target = self.resource_id(dest_e, None);
        let spark = b
            .attrs
            .get("spark")
            .and_then(|(_, e)| self.bool(e))
            .is_some_and(|(v, _)| v);
        let (target, target_span) = target?;
        let Some(ty) = private_link::lookup(&target.arm_type()) else {
            let types: Vec<&str> = private_link::PRIVATE_LINK_TYPES
                .iter()
                .map(|t| t.arm_type)
                .collect();
            self.push(
                Diagnostic::new(
                    Code::UnsupportedPrivateEndpointTarget,
                    target_span,
                    format!(
                        "the managed network cannot create a private endpoint to a `{}`",
                        target.arm_type()
                    ),
                )
                .label("unsupported target type")
                .suggest(&target.arm_type(), types.iter().copied())
                .note(format!("supported: {}", types.join(", "))),
            );
            return None;
        };
        let sub = match b.attrs.get("subresource") {
            Some((_, e)) => {
                let word = match &e.kind {
                    ExprKind::Ident(w) => Some(w.clone()),
                    _ => self.string(e).map(|(s, _)| s),
                }?;
                match ty
                    .subresources
                    .iter()
                    .find(|s| s.eq_ignore_ascii_case(&word))
                {
                    Some(s) => (*s).to_string(),
                    None => {
                        self.push(
                            Diagnostic::new(
                                Code::UnknownSubresource,
                                e.span,
                                format!(
                                    "`{word}` is not a sub-resource of {} ({})",
                                    ty.service, ty.arm_type
                                ),
                            )
                            .label(format!("expected {}", list_words(ty.subresources)))
                            .suggest(&word, ty.subresources.iter().copied()),
                        );
                        return None;
                    }
                }
            }
            None if ty.subresources.len() == 1 => ty.subresources[0].to_string(),
            None => {
                self.push(
                    Diagnostic::new(
                        Code::MissingSetting,
                        st.span,
                        format!("which sub-resource of the {}?", ty.service),
                    )
                    .label("no `subresource`")
                    .help(format!(
                        "add `{{ subresource = {} }}`; {} has {}",
                        ty.subresources[0],
                        ty.service,
                        list_words(ty.subresources)
                    )),
                );
                return None;
            }
        };
        Some(Destination::PrivateEndpoint {
            target: PeTarget::Resource(target),
            subresource: sub,
            spark,
        })
    }

    /// The destination of `rule "name" service_tag "Tag"`, with its
    /// `protocol` and `ports`.
    fn service_tag_rule(
        &mut self,
        st: &Stmt,
        entries: &[Entry],
        dest_e: &Expr,
    ) -> Option<Destination> {
        let b = self.block(entries, "a service tag rule", &["ports", "protocol"], &[]);
        let (text, tspan) = self.string(dest_e)?;
        let tag = match ServiceTag::parse(&text) {
            Ok(t) => Some(t),
            Err(msg) => {
                self.push(
                    Diagnostic::new(Code::InvalidEnumValue, tspan, "invalid service tag")
                        .label(msg),
                );
                None
            }
        };
        let protocol = match b.attrs.get("protocol") {
            Some((_, e)) => self.protocol(e),
            None => Some(Protocol::Tcp),
        };
        let ports = match b.attrs.get("ports") {
            Some((_, e)) => self.ports(e),
            None => {
                self.push(
                    Diagnostic::new(Code::MissingSetting, st.span, "a service tag rule needs `ports`")
                        .label("no ports given")
                        .help("add `{ protocol = tcp  ports = \"443\" }` (ranges like `8080-8089`, comma-separated)"),
                );
                None
            }
        };
        Some(Destination::ServiceTag {
            tag: tag?,
            protocol: protocol?,
            ports: ports?,
        })
    }

    /// The destination of `rule "name" fqdn "host"` (a host, not a URL
    /// path), with its `ports`.
    fn fqdn_rule(
        &mut self,
        entries: &[Entry],
        dest_e: &Expr,
    ) -> Option<(Destination, Option<(PortRanges, Span)>)> {
        let b = self.block(entries, "an FQDN rule", &["ports"], &[]);
        let (text, fspan) = self.string(dest_e)?;
        let host = text.split_once("://").map_or(text.as_str(), |(_, h)| h);
        if let Some((h, path)) = host.split_once('/') {
            self.push(
                Diagnostic::new(Code::UnsupportedFirewall, fspan, "FQDN rules cannot filter on URL paths")
                    .label(format!("`/{path}` is a URL path"))
                    .note("URL filtering needs a Premium Azure Firewall, which the managed network does not support")
                    .help(format!("allow the host alone: `\"{h}\"`")),
            );
            return None;
        }
        let (fqdn, written) = match FqdnPattern::normalise(&text) {
            Ok((f, dot)) => {
                let written = (dot || !text.eq_ignore_ascii_case(f.as_str())).then(|| text.clone());
                (f, written)
            }
            Err(msg) => {
                self.push(
                    Diagnostic::new(Code::InvalidFqdn, fspan, "invalid FQDN")
                        .label(msg)
                        .help(fqdn_help(&text)),
                );
                return None;
            }
        };
        let ports = b
            .attrs
            .get("ports")
            .and_then(|(_, e)| self.ports(e).map(|p| (p, e.span)));
        Some((Destination::Fqdn { fqdn, written }, ports))
    }
}
