//! Lowering of where network resources go and what they keep: the client
//! private endpoints' resource group and region, a created spoke's DNS
//! servers and its link to existing DNS zones, and what an existing
//! spoke's subnets keep when amlgen rewrites them.

use super::{Block, Cx, names};
use crate::diag::{Code, Diagnostic};
use crate::ir::newtypes::{Ipv4Net, ResourceGroupName};
use crate::ir::{Cloud, Dns, PeSubnet, Region, Setting, Source, SubnetKeep, SubnetRole};
use crate::span::Span;
use crate::syntax::ast::{ExprKind, Stmt};

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
        let b = self.block(
            entries,
            "`keep`",
            &[
                "default_outbound_access",
                "delegations",
                "nat_gateway",
                "private_endpoint_network_policies",
                "service_endpoints",
            ],
            &[],
        );
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
