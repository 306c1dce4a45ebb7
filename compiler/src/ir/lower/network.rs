//! Custom VNet mode's spoke and where network resources go: the `vnet`
//! block (a created or existing VNet, its subnets, the hub firewall's IP,
//! `nsg_extra` rules, `dns_servers`, and what an existing spoke's subnets
//! `keep`), as `docs/language.md` describes under "10a. Custom VNet mode:
//! `vnet { ... }`"; and the client private endpoints' `resource_group`,
//! `region` and `link_zones`, under "9. `inbound`".

use std::collections::BTreeMap;

use super::cx::{Block, Cx, names};
use super::values::non_ascii_name;
use super::words;
use crate::diag::{Code, Diagnostic};
use crate::ir::newtypes::{ArmName, Ipv4Net, ResourceGroupName, ServiceTag};
use crate::ir::{
    Cloud, Dns, NsgAccess, NsgAddress, NsgDirection, NsgRule, PeSubnet, Protocol, Region, Setting,
    Source, Spoke, SpokeSubnet, SpokeVnet, SubnetKeep, SubnetRole,
};
use crate::span::Span;
use crate::syntax::ast::{Entry, Expr, ExprKind, Stmt};
use crate::syntax::token::StrPart;

/// The client private endpoint's placement settings, as lowered.
pub(super) struct Placement {
    pub resource_group: Option<(ResourceGroupName, Span)>,
    pub region: Option<Setting<Region>>,
    pub link_zones: Option<(bool, Span)>,
}

/// `privateEndpointNetworkPolicies` values (Microsoft.Network schema,
/// `SubnetPropertiesFormat`), as the posture writes them.
const PE_POLICIES: &[(&str, &str)] = &[
    ("enabled", "Enabled"),
    ("disabled", "Disabled"),
    (
        "network_security_group_enabled",
        "NetworkSecurityGroupEnabled",
    ),
    ("route_table_enabled", "RouteTableEnabled"),
];

impl Cx<'_> {
    /// `resource_group`, `region` and `link_zones` of `private_endpoint`.
    /// The spoke's pe subnet is placed by the `vnet` block, so the first
    /// two are refused there; `link_zones` only links existing zones to a
    /// spoke the deployment creates.
    pub(super) fn client_placement(
        &mut self,
        b: &Block,
        subnet: Option<&PeSubnet>,
        dns: &Dns,
        cloud: Cloud,
        spoke_created: bool,
    ) -> Placement {
        let spoke = matches!(subnet, Some(PeSubnet::Spoke));
        let refuse = |cx: &mut Self, key: &str, why: &str, help: &str| {
            if let Some((k, _)) = b.attrs.get(key) {
                cx.push(
                    Diagnostic::new(
                        Code::UnknownSetting,
                        k.span,
                        format!("`{key}` does not apply to these private endpoints"),
                    )
                    .label(why.to_string())
                    .help(help.to_string()),
                );
                true
            } else {
                false
            }
        };
        let resource_group = if spoke {
            refuse(
                self,
                "resource_group",
                "in custom VNet mode the endpoints go in the spoke's resource group",
                "remove `resource_group`",
            );
            None
        } else {
            b.attrs
                .get("resource_group")
                .and_then(|(_, e)| self.resource_group(e))
        };
        let region = if spoke {
            refuse(
                self,
                "region",
                "in custom VNet mode the endpoints are in the spoke's region",
                "remove `region`; the `vnet` block's `region` is the spoke's",
            );
            None
        } else {
            b.attrs.get("region").and_then(|(_, e)| {
                self.region(e, cloud)
                    .map(|(r, sp)| Setting::new(r, Source::Explicit(sp)))
            })
        };
        let link_zones = b.attrs.get("link_zones").and_then(|(_, e)| self.bool(e));
        if link_zones.is_some() {
            let problem = match (dns, spoke && spoke_created) {
                (Dns::Create, _) => Some((
                    "the zones amlgen creates are always linked to the client network",
                    "remove `link_zones`",
                )),
                (Dns::Existing(_), false) => Some((
                    "`link_zones` only links existing zones to a spoke this deployment creates",
                    "remove `link_zones`: an existing network's DNS is its owners'",
                )),
                (Dns::Existing(_), true) => None,
            };
            if let Some((why, help)) = problem
                && refuse(self, "link_zones", why, help)
            {
                return Placement {
                    resource_group,
                    region,
                    link_zones: None,
                };
            }
        }
        Placement {
            resource_group,
            region,
            link_zones,
        }
    }

    /// `dns_servers` of a created spoke: IPv4 addresses, not ranges.
    pub(super) fn dns_servers(&mut self, b: &Block, existing: bool) -> Vec<(Ipv4Net, Span)> {
        let Some((k, e)) = b.attrs.get("dns_servers") else {
            return Vec::new();
        };
        if existing {
            self.push(
                Diagnostic::new(
                    Code::UnknownSetting,
                    k.span,
                    "an existing spoke's DNS servers are its owners'",
                )
                .label("`dns_servers` only sets the DNS of a spoke amlgen creates")
                .help("remove `dns_servers`; the existing spoke must already resolve the private DNS zones"),
            );
            return Vec::new();
        }
        let items = match &self.deref(e).kind {
            ExprKind::List(_) => self.list(e).unwrap_or_default(),
            _ => vec![(*e).clone()],
        };
        let mut out = Vec::new();
        for item in &items {
            match self.cidr(item, "a DNS server's IPv4 address") {
                Some((ip, span)) if ip.prefix == 32 => out.push((ip, span)),
                Some((ip, span)) => self.push(
                    Diagnostic::new(Code::InvalidIpRange, span, "a DNS server is a range")
                        .label(format!("`{ip}` is a /{} range", ip.prefix))
                        .help("write the DNS server's IP address, e.g. the hub DNS resolver's inbound endpoint `10.0.2.4`"),
                ),
                None => {}
            }
        }
        out
    }

    /// The `keep <role> { ... }` blocks of the `vnet` block.
    pub(super) fn subnet_keeps(&mut self, stmts: &[&Stmt], existing: bool) -> Vec<SubnetKeep> {
        let mut out: Vec<SubnetKeep> = Vec::new();
        for st in stmts.iter().filter(|st| st.head.name == "keep") {
            if !existing {
                self.push(
                    Diagnostic::new(
                        Code::UnknownSetting,
                        st.head.span,
                        "a created spoke's subnets have nothing to keep",
                    )
                    .label("`keep` describes a subnet of an existing spoke")
                    .help("remove `keep`, or use `existing = \"<vnet id>\"`"),
                );
                continue;
            }
            let Some(role) = (match st.args.as_slice() {
                [a] => match &a.kind {
                    ExprKind::Ident(w) => {
                        let r = SubnetRole::ALL
                            .iter()
                            .find(|(n, _)| n == w)
                            .map(|(_, r)| *r);
                        if r.is_none() {
                            self.push(
                                Diagnostic::new(
                                    Code::InvalidEnumValue,
                                    a.span,
                                    format!("`{w}` is not a spoke subnet"),
                                )
                                .label("expected `training`, `scoring` or `pe`")
                                .suggest(w, names(SubnetRole::ALL)),
                            );
                        }
                        r
                    }
                    _ => {
                        self.type_error(a, "a subnet: `training`, `scoring` or `pe`");
                        None
                    }
                },
                _ => {
                    self.push(
                        Diagnostic::new(
                            Code::MissingSetting,
                            st.head.span,
                            "`keep` names one subnet",
                        )
                        .label("which subnet?")
                        .help("write `keep training { ... }`, `keep scoring { ... }` or `keep pe { ... }`"),
                    );
                    None
                }
            }) else {
                continue;
            };
            if let Some(first) = out.iter().find(|k| k.role == role) {
                self.push(
                    Diagnostic::new(
                        Code::DuplicateSetting,
                        st.head.span,
                        format!("`keep {}` appears twice", role.keyword()),
                    )
                    .label("second block")
                    .with_label(first.span, "first block here")
                    .help("merge them into one block"),
                );
                continue;
            }
            let k = self.subnet_keep(st, role);
            out.push(k);
        }
        out
    }

    fn subnet_keep(&mut self, st: &Stmt, role: SubnetRole) -> SubnetKeep {
        let entries = st.body.as_ref().map_or(&[][..], |b| &b.entries[..]);
        let b = self.block(entries, "`keep`", words::KEEP.settings, words::KEEP.blocks);
        let mut delegations = Vec::new();
        if let Some((_, e)) = b.attrs.get("delegations") {
            let value = self.deref(e).clone();
            if let ExprKind::Map(items) = &value.kind {
                for (k, v) in items {
                    if let Some((service, span)) = self.string(v) {
                        if provider_name(&service, true) {
                            delegations.push((k.text.clone(), service));
                        } else {
                            self.push(
                                Diagnostic::new(
                                    Code::InvalidEnumValue,
                                    span,
                                    format!("`{service}` is not a delegation's service name"),
                                )
                                .label("expected `Namespace.Provider/type`")
                                .help("write the delegation as the subnet has it, e.g. `{ aci = \"Microsoft.ContainerInstance/containerGroups\" }`"),
                            );
                        }
                    }
                }
            } else {
                self.type_error(
                    e,
                    "a map of delegation name to service, `{ aci = \"Microsoft.ContainerInstance/containerGroups\" }`",
                );
            }
        }
        let nat_gateway = b.attrs.get("nat_gateway").and_then(|(_, e)| {
            self.resource_id(e, Some("Microsoft.Network/natGateways"))
                .map(|(id, _)| id)
        });
        let mut service_endpoints = Vec::new();
        if let Some((_, e)) = b.attrs.get("service_endpoints") {
            for item in self.list(e).unwrap_or_default() {
                if let Some((s, span)) = self.string(&item) {
                    if provider_name(&s, false) {
                        service_endpoints.push(s);
                    } else {
                        self.push(
                            Diagnostic::new(
                                Code::InvalidEnumValue,
                                span,
                                format!("`{s}` is not a service endpoint's service"),
                            )
                            .label("expected a provider namespace, e.g. `Microsoft.Sql`")
                            .help("write the service as the subnet lists it, e.g. `Microsoft.KeyVault`"),
                        );
                    }
                }
            }
        }
        service_endpoints.sort();
        service_endpoints.dedup();
        let private_endpoint_network_policies = b
            .attrs
            .get("private_endpoint_network_policies")
            .and_then(|(_, e)| self.choice(e, PE_POLICIES, "private endpoint network policy"));
        let default_outbound_access = b
            .attrs
            .get("default_outbound_access")
            .and_then(|(_, e)| self.bool(e))
            .map(|(v, _)| v);
        SubnetKeep {
            role,
            delegations,
            nat_gateway,
            service_endpoints,
            private_endpoint_network_policies,
            default_outbound_access,
            span: st.head.span,
        }
    }
}

/// `Namespace.Provider` (a service endpoint) or `Namespace.Provider/type`
/// (a delegation): dotted words of letters and digits.
fn provider_name(text: &str, with_type: bool) -> bool {
    let (ns, ty) = match text.split_once('/') {
        Some((ns, ty)) => (ns, Some(ty)),
        None => (text, None),
    };
    let word = |w: &str| !w.is_empty() && w.chars().all(|c| c.is_ascii_alphanumeric());
    let dotted = |s: &str| s.contains('.') && s.split('.').all(word);
    dotted(ns)
        && match (with_type, ty) {
            (true, Some(t)) => t.split('/').all(word),
            (false, None) => true,
            _ => false,
        }
}

impl Cx<'_> {
    /// The `vnet` block of custom VNet mode.
    pub(super) fn spoke(
        &mut self,
        s: &Stmt,
        ws_name: Option<&ArmName>,
        region: Option<&Setting<Region>>,
        cloud: Cloud,
    ) -> Option<Spoke> {
        let entries = self.plain_body(s);
        let b = self.block(entries, "`vnet`", words::VNET.settings, words::VNET.blocks);
        let at = s.head.span;
        let vnet = match (b.attrs.get("address_space"), b.attrs.get("existing")) {
            (Some((k, _)), Some((k2, _))) => {
                self.push(
                    Diagnostic::new(
                        Code::DuplicateSetting,
                        k2.span,
                        "`existing` and `address_space` both say where the spoke comes from",
                    )
                    .label("an existing VNet has its own address space")
                    .with_label(k.span, "a created VNet's address space")
                    .help("keep `existing` to use a VNet the network team made, or `address_space` to create one"),
                );
                None
            }
            (Some((_, e)), None) => Some(self.created_vnet(&b, e, ws_name)?),
            (None, Some((_, e))) => self.existing_vnet(&b, e),
            (None, None) => {
                self.push(
                    Diagnostic::new(Code::MissingSetting, at, "the spoke `vnet` has no address space")
                        .label("create which network, or use which one?")
                        .help("add `address_space = \"10.40.0.0/22\"` to create the spoke, or `existing = \"/subscriptions/.../virtualNetworks/vnet-spoke\"`"),
                );
                None
            }
        };
        let region = match b.attrs.get("region") {
            Some((_, e)) => self
                .region(e, cloud)
                .map(|(r, sp)| Setting::new(r, Source::Explicit(sp))),
            None => region.map(|r| Setting::new(r.value.clone(), r.source)),
        };
        let (subnets, complete) = self.spoke_subnets(&b, at);
        let firewall_ip = self.firewall_ip(&b, at);
        let service_endpoint_policy = self.bool_setting(&b, "service_endpoint_policy", true);
        let nsg_extra = self.nsg_extra(&b.stmts);
        let existing = b.attrs.contains_key("existing");
        let dns_servers = self.dns_servers(&b, existing);
        let keep = self.subnet_keeps(&b.stmts, existing);
        if !complete {
            return None;
        }
        Some(Spoke {
            vnet: vnet?,
            region: region?,
            subnets,
            firewall_ip: firewall_ip?,
            service_endpoint_policy,
            nsg_extra,
            dns_servers,
            keep,
            span: at,
        })
    }

    /// A spoke the deployment creates: its `address_space`, `name` and
    /// `hub_vnet`. `None` when one of them is wrong (reported): the rest
    /// of the spoke is not read.
    fn created_vnet(
        &mut self,
        b: &Block,
        e: &Expr,
        ws_name: Option<&ArmName>,
    ) -> Option<SpokeVnet> {
        let items = match &self.deref(e).kind {
            ExprKind::List(_) => self.list(e).unwrap_or_default(),
            _ => vec![(*e).clone()],
        };
        let mut space = Vec::new();
        for item in &items {
            if let Some((n, _)) = self.cidr(item, "an address space") {
                space.push(n);
            }
        }
        let name = match b.attrs.get("name") {
            Some((_, e)) => self.network_name(e, "virtual network", 64),
            None => ws_name.map(|n| format!("vnet-{n}")),
        };
        let hub = b.attrs.get("hub_vnet").map(|(_, h)| {
            self.resource_id(h, Some("Microsoft.Network/virtualNetworks"))
                .map(|(id, _)| id)
        });
        (!space.is_empty() && space.len() == items.len()).then_some(())?;
        Some(SpokeVnet::Create {
            name: name?,
            address_space: space,
            hub: match hub {
                Some(h) => Some(h?),
                None => None,
            },
            span: e.span,
        })
    }

    /// An `existing` spoke, named by its id: `name` and `hub_vnet` are
    /// refused there.
    fn existing_vnet(&mut self, b: &Block, e: &Expr) -> Option<SpokeVnet> {
        if let Some((k, _)) = b.attrs.get("name") {
            self.push(
                Diagnostic::new(
                    Code::UnknownSetting,
                    k.span,
                    "an existing VNet is named by its id",
                )
                .label("`name` only names a VNet amlgen creates")
                .help("remove `name`"),
            );
        }
        if let Some((k, _)) = b.attrs.get("hub_vnet") {
            self.push(
                Diagnostic::new(
                    Code::UnknownSetting,
                    k.span,
                    "an existing spoke is peered by its owners",
                )
                .label("`hub_vnet` only peers a spoke amlgen creates")
                .help("remove `hub_vnet`; the existing spoke must already be peered with the hub"),
            );
        }
        self.resource_id(e, Some("Microsoft.Network/virtualNetworks"))
            .map(|(id, span)| SpokeVnet::Existing { id, span })
    }

    /// The spoke's subnets (`training`, `scoring`, `pe`) with their
    /// `subnet_names`; `false` when one is missing or wrong (reported).
    fn spoke_subnets(&mut self, b: &Block, at: Span) -> (Vec<SpokeSubnet>, bool) {
        let mut given_names: BTreeMap<String, String> = BTreeMap::new();
        if let Some((_, e)) = b.attrs.get("subnet_names") {
            let value = self.deref(e).clone();
            if let ExprKind::Map(items) = &value.kind {
                for (k, v) in items {
                    match SubnetRole::ALL.iter().find(|(n, _)| *n == k.text) {
                        Some(_) => {
                            if let Some(n) = self.network_name(v, "subnet", 80) {
                                given_names.insert(k.text.clone(), n);
                            }
                        }
                        None => self.push(
                            Diagnostic::new(
                                Code::UnknownSetting,
                                k.span,
                                format!("`{}` is not a spoke subnet", k.text),
                            )
                            .label("expected `training`, `scoring` or `pe`")
                            .suggest(&k.text, names(SubnetRole::ALL)),
                        ),
                    }
                }
            } else {
                self.type_error(e, "a map `{ training = \"snet-name\" }`");
            }
        }
        let mut subnets = Vec::new();
        let mut complete = true;
        for (key, role) in SubnetRole::ALL {
            match b.attrs.get(key) {
                Some((_, e)) => match self.cidr(e, "a subnet prefix") {
                    Some((prefix, span)) => subnets.push(SpokeSubnet {
                        role: *role,
                        name: given_names
                            .get(*key)
                            .cloned()
                            .unwrap_or_else(|| role.default_name().to_string()),
                        prefix,
                        span,
                    }),
                    None => complete = false,
                },
                None if *role == SubnetRole::Scoring => {}
                None => {
                    complete = false;
                    let what = if *role == SubnetRole::Training {
                        "compute instances and clusters"
                    } else {
                        "the private endpoints to the workspace and its resources"
                    };
                    self.push(
                        Diagnostic::new(
                            Code::MissingSetting,
                            at,
                            format!("the spoke has no `{key}` subnet"),
                        )
                        .label(format!("the `{key}` subnet holds {what}"))
                        .help(format!(
                            "add `{key} = \"<CIDR>\"`, a free range inside the spoke's address space"
                        )),
                    );
                }
            }
        }
        (subnets, complete)
    }

    /// The hub firewall's private IP, the next hop of the default route.
    fn firewall_ip(&mut self, b: &Block, at: Span) -> Option<(Ipv4Net, Span)> {
        match b.attrs.get("firewall_ip") {
            Some((_, e)) => match self.cidr(e, "an IPv4 address") {
                Some((ip, span)) if ip.prefix == 32 => Some((ip, span)),
                Some((ip, span)) => {
                    self.push(
                        Diagnostic::new(Code::InvalidIpRange, span, "the hub firewall's IP is a range")
                            .label(format!("`{ip}` is a /{} range", ip.prefix))
                            .help("write the firewall's private IP address, e.g. `10.0.1.4`, the next hop of the spoke's default route"),
                    );
                    None
                }
                None => None,
            },
            None => {
                self.push(
                    Diagnostic::new(Code::MissingSetting, at, "the spoke has no `firewall_ip`")
                        .label("where does internet traffic go?")
                        .help("add `firewall_ip = \"10.0.1.4\"`, the hub firewall's private IP: the spoke's default route points at it"),
                );
                None
            }
        }
    }

    /// The `nsg_extra` rules, each name once per subnet.
    fn nsg_extra(&mut self, stmts: &[&Stmt]) -> Vec<NsgRule> {
        let mut nsg_extra: Vec<NsgRule> = Vec::new();
        for st in stmts.iter().filter(|st| st.head.name == "nsg_extra") {
            if let Some(r) = self.nsg_rule(st) {
                if let Some(first) = nsg_extra.iter().find(|x| {
                    x.subnet == r.subnet && x.name.as_str().eq_ignore_ascii_case(r.name.as_str())
                }) {
                    self.push(
                        Diagnostic::new(
                            Code::DuplicateName,
                            r.span,
                            format!("NSG rule `{}` is declared twice", r.name),
                        )
                        .label("second declaration")
                        .with_label(first.span, "first declared here"),
                    );
                    continue;
                }
                nsg_extra.push(r);
            }
        }
        nsg_extra
    }

    /// One `nsg_extra "name" { ... }` rule.
    pub(super) fn nsg_rule(&mut self, st: &Stmt) -> Option<NsgRule> {
        let name_e = self.label(st, "rule")?;
        let name = self.arm_name(name_e, "NSG rule");
        let entries: &[Entry] = st.body.as_ref().map_or(&[], |b| &b.entries);
        let b = self.block(
            entries,
            "`nsg_extra`",
            words::NSG_EXTRA.settings,
            words::NSG_EXTRA.blocks,
        );
        let span = st.head.span.to(name_e.span);
        let subnet = match b.attrs.get("subnet") {
            Some((_, e)) => self.choice(e, SubnetRole::ALL, "spoke subnet")?,
            None => SubnetRole::Training,
        };
        let direction = match b.attrs.get("direction") {
            Some((_, e)) => self.choice(e, NsgDirection::ALL, "direction")?,
            None => NsgDirection::Outbound,
        };
        let access = match b.attrs.get("access") {
            Some((_, e)) => self.choice(e, NsgAccess::ALL, "access")?,
            None => {
                self.push(
                    Diagnostic::new(Code::MissingSetting, span, "the NSG rule has no `access`")
                        .label("allow or deny?")
                        .help("add `access = allow` or `access = deny`"),
                );
                return None;
            }
        };
        let priority = match b.attrs.get("priority") {
            Some((_, e)) => Some((
                u16::try_from(self.number(e, 100, 4096, "priority")?).ok()?,
                e.span,
            )),
            None => None,
        };
        let protocol = match b.attrs.get("protocol") {
            Some((_, e)) => self.protocol(e)?,
            None => Protocol::Any,
        };
        let source = match b.attrs.get("source") {
            Some((_, e)) => self.nsg_address(e)?,
            None => NsgAddress::Any,
        };
        let destination = match b.attrs.get("destination") {
            Some((_, e)) => self.nsg_address(e)?,
            None => NsgAddress::Any,
        };
        let ports = match b.attrs.get("ports") {
            Some((_, e)) => match &self.deref(e).kind {
                ExprKind::Str(p) if matches!(p.as_slice(), [StrPart::Text(t)] if t == "*") => None,
                _ => Some(self.ports(e)?),
            },
            None => None,
        };
        Some(NsgRule {
            name: name?.0,
            subnet,
            direction,
            access,
            priority,
            protocol,
            source,
            destination,
            ports,
            span,
        })
    }

    /// `*`, a CIDR or a service tag.
    pub(super) fn nsg_address(&mut self, e: &Expr) -> Option<NsgAddress> {
        let (text, span) = self.string(e)?;
        if text == "*" {
            return Some(NsgAddress::Any);
        }
        if text.starts_with(|c: char| c.is_ascii_digit()) {
            return self.cidr(e, "an address").map(|(n, _)| NsgAddress::Cidr(n));
        }
        match ServiceTag::parse(&text) {
            Ok(t) => Some(NsgAddress::Tag(t)),
            Err(msg) => {
                self.push(
                    Diagnostic::new(Code::InvalidEnumValue, span, "invalid NSG address")
                        .label(msg)
                        .help(
                            "write `*`, a CIDR like `10.0.0.0/8`, or a service tag like `Internet`",
                        ),
                );
                None
            }
        }
    }

    /// A virtual network or subnet name: Azure's rule, 1 (VNet: 2) to `max`
    /// letters, digits, `_`, `.` and `-`, starting with a letter or digit
    /// and ending with a letter, digit or `_`.
    pub(super) fn network_name(&mut self, e: &Expr, what: &str, max: usize) -> Option<String> {
        let (text, span) = self.string(e)?;
        let min = if what == "subnet" { 1 } else { 2 };
        let problem_of = |text: &str| {
            let len = text.chars().count();
            if !(min..=max).contains(&len) {
                Some(format!(
                    "a {what} name has {min} to {max} characters, not {len}"
                ))
            } else if !text.starts_with(|c: char| c.is_ascii_alphanumeric()) {
                Some(format!("a {what} name starts with a letter or digit"))
            } else if !text.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
                Some(format!("a {what} name ends with a letter, digit or `_`"))
            } else {
                text.chars()
                    .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
                    .map(|c| {
                        format!(
                            "a {what} name has only letters, digits, `_`, `.` and `-`, not `{}`",
                            c.escape_debug()
                        )
                    })
            }
        };
        if let Some(p) = problem_of(&text) {
            if let Some(d) = non_ascii_name(self.written(e), &text, span, what, &p, |f| {
                problem_of(f).is_none()
            }) {
                let d = if d.help.is_empty() {
                    d.help("rename it with ASCII letters, digits, `_`, `.` and `-`")
                } else {
                    d
                };
                self.push(d);
                return None;
            }
            self.push(
                Diagnostic::new(Code::InvalidName, span, format!("invalid {what} name"))
                    .label(p)
                    .help(format!(
                        "rename it, e.g. `{}`",
                        if what == "subnet" {
                            "snet-training"
                        } else {
                            "vnet-ml-spoke"
                        }
                    )),
            );
            return None;
        }
        Some(text)
    }
}
