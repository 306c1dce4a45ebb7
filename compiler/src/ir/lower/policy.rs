//! The `policy "name"` block: its scope, effect and controls, as
//! `docs/language.md` describes under "16. `policy "name"`".

use super::cx::{Cx, list_words, names};
use super::values::{ACCEPTED_BUT_OTHER, MIXED_SCRIPT, fqdn_help, non_ascii_name};
use crate::catalog::regions;
use crate::diag::{Code, Diagnostic, suggest};
use crate::ir::newtypes::FqdnPattern;
use crate::ir::{
    Cloud, Control, Effect, IsolationMode, Policy, PolicyControl, PolicyScope, RuleKind,
};
use crate::syntax::ast::{Entry, Expr, ExprKind, Stmt};

impl Cx<'_> {
    pub(super) fn policy(&mut self, s: &Stmt) -> Option<Policy> {
        let name_e = self.label(s, "policy")?;
        let name = self.arm_name(name_e, "policy");
        let entries: &[Entry] = s.body.as_ref().map_or(&[], |b| &b.entries);
        let effects = names(Effect::ALL);
        let b = self.block(entries, "`policy`", &["scope", "region"], &effects);
        let span = s.head.span.to(name_e.span);
        let scope = match b.attrs.get("scope") {
            Some((_, e)) => self.policy_scope(e),
            None => {
                self.push(
                    Diagnostic::new(Code::MissingSetting, span, "policy has no `scope`")
                        .label("where is it assigned?")
                        .help("add `scope = management_group \"mg-name\"` or `scope = subscription \"<subscription id>\"`"),
                );
                None
            }
        };
        // A policy block has no cloud of its own: its region is checked
        // against the cloud that has it (public when none does).
        let region = b.attrs.get("region").and_then(|(_, e)| {
            let text = self.string(e)?.0.to_ascii_lowercase().replace(' ', "");
            let cloud = [
                (regions::USGOV_REGIONS, Cloud::UsGov),
                (regions::CHINA_REGIONS, Cloud::China),
            ]
            .iter()
            .find(|(l, _)| l.contains(&text.as_str()))
            .map_or(Cloud::Public, |(_, c)| *c);
            self.region(e, cloud).map(|(r, _)| r)
        });
        let mut controls: Vec<PolicyControl> = Vec::new();
        for st in &b.stmts {
            let Some(effect) = Effect::ALL
                .iter()
                .find(|(n, _)| *n == st.head.name)
                .map(|(_, e)| *e)
            else {
                continue;
            };
            let Some(c) = self.control(st, effect) else {
                continue;
            };
            if let Some(first) = controls
                .iter()
                .find(|p| std::mem::discriminant(&p.control) == std::mem::discriminant(&c.control))
            {
                self.push(
                    Diagnostic::new(
                        Code::DuplicateSetting,
                        st.span,
                        "this control appears twice in the policy",
                    )
                    .label("second time")
                    .with_label(first.span, "first here")
                    .help("keep one effect per control"),
                );
                continue;
            }
            controls.push(c);
        }
        Some(Policy {
            name: name?.0,
            scope: scope?,
            region,
            controls,
            span,
        })
    }

    pub(super) fn policy_scope(&mut self, e: &Expr) -> Option<PolicyScope> {
        let help = "write `scope = management_group \"mg-name\"` or `scope = subscription \"<subscription id>\"`";
        let ExprKind::Tagged(tag, inner) = &e.kind else {
            self.push(
                Diagnostic::new(Code::TypeMismatch, e.span, "invalid policy scope")
                    .label("expected a scope kind and a name")
                    .help(help),
            );
            return None;
        };
        match tag.name.as_str() {
            "management_group" => {
                let (id, span) = self.string(inner)?;
                let valid = |id: &str| {
                    (1..=90).contains(&id.chars().count())
                        && id.chars().all(|c| {
                            c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '(' | ')')
                        })
                };
                // As for resource groups: letters of any script are valid,
                // ASCII mixed with look-alikes names another group.
                let mixed = suggest::mixes_look_alikes(&id);
                if valid(&id) && !mixed {
                    Some(PolicyScope::ManagementGroup(id))
                } else {
                    let msg = if mixed {
                        MIXED_SCRIPT
                    } else {
                        "1 to 90 letters, digits, `-`, `_`, `.`, `(`, `)`"
                    };
                    if let Some(d) = non_ascii_name(
                        self.written(inner),
                        &id,
                        span,
                        "management group",
                        msg,
                        valid,
                    ) {
                        self.push(if mixed { d.note(ACCEPTED_BUT_OTHER) } else { d });
                        return None;
                    }
                    self.push(
                        Diagnostic::new(Code::InvalidName, span, "invalid management group id")
                            .label("1 to 90 letters, digits, `-`, `_`, `.`, `(`, `)`")
                            .help("use the management group's id (its name), not its display name: `az account management-group list --query \"[].name\"`"),
                    );
                    None
                }
            }
            "subscription" => self.guid(inner).map(|(g, _)| PolicyScope::Subscription(g)),
            other => {
                self.push(
                    Diagnostic::new(
                        Code::InvalidEnumValue,
                        tag.span,
                        format!("`{other}` is not a policy scope"),
                    )
                    .label("expected `management_group` or `subscription`")
                    .suggest(other, ["management_group", "subscription"])
                    .help(help),
                );
                None
            }
        }
    }

    pub(super) fn control(&mut self, st: &Stmt, effect: Effect) -> Option<PolicyControl> {
        let controls: Vec<&str> = Control::KEYWORDS.iter().map(|(n, _)| *n).collect();
        let Some(first) = st.args.first() else {
            self.push(
                Diagnostic::new(
                    Code::MissingSetting,
                    st.head.span,
                    format!("`{}` needs a control", st.head.name),
                )
                .label("which control?")
                .help(format!("controls: {}", list_words(&controls))),
            );
            return None;
        };
        let table: Vec<(&'static str, usize)> = Control::KEYWORDS
            .iter()
            .enumerate()
            .map(|(i, (n, _))| (*n, i))
            .collect();
        let idx = self.choice(first, &table, "policy control")?;
        let (keyword, allowed) = Control::KEYWORDS[idx];
        if !allowed.contains(&effect) {
            let list: Vec<&str> = allowed.iter().map(|e| e.keyword()).collect();
            self.push(
                Diagnostic::new(
                    Code::PolicyEffect,
                    st.head.span,
                    format!(
                        "`{keyword}` does not support the effect `{}`",
                        effect.keyword()
                    ),
                )
                .label("unsupported effect")
                .help(format!("`{keyword}` supports {}", list_words(&list))),
            );
            return None;
        }
        let control = self.control_settings(st, keyword)?;
        if let Some(extra) = st.args.get(1) {
            self.push(
                Diagnostic::new(
                    Code::UnexpectedToken,
                    extra.span,
                    "a control takes one name",
                )
                .label("unexpected")
                .help("put its parameters in a block: `deny isolation_mode { allowed = [...] }`"),
            );
        }
        Some(PolicyControl {
            control,
            effect,
            span: st.span,
        })
    }

    /// The control's own settings, by its keyword. `None` when a setting
    /// the control needs is missing (reported).
    fn control_settings(&mut self, st: &Stmt, keyword: &str) -> Option<Control> {
        let entries: &[Entry] = st.body.as_ref().map_or(&[], |b| &b.entries);
        let ctx = format!("`{keyword}`");
        Some(match keyword {
            "private_endpoints" => {
                let b = self.block(entries, &ctx, &["allow_selected_ips"], &[]);
                let allow = b
                    .attrs
                    .get("allow_selected_ips")
                    .and_then(|(_, e)| self.bool(e))
                    .is_some_and(|(v, _)| v);
                Control::PrivateEndpoints {
                    allow_selected_ips: allow,
                }
            }
            "private_link" => {
                self.no_body(st, &ctx);
                Control::PrivateLink
            }
            "private_dns_zones" => {
                let b = self.block(entries, &ctx, &["zones"], &[]);
                let mut zone_ids = Vec::new();
                if let Some((_, e)) = b.attrs.get("zones") {
                    for item in self.list(e).unwrap_or_default() {
                        if let Some((id, _)) =
                            self.resource_id(&item, Some("Microsoft.Network/privateDnsZones"))
                        {
                            zone_ids.push(id);
                        }
                    }
                }
                Control::PrivateDnsZones { zone_ids }
            }
            "public_ip_compute" => {
                self.no_body(st, &ctx);
                Control::PublicIpCompute
            }
            "setup_script" => {
                let b = self.block(entries, &ctx, &["script"], &[]);
                Control::SetupScript {
                    script: b
                        .attrs
                        .get("script")
                        .and_then(|(_, e)| self.string(e))
                        .map(|(s, _)| s),
                }
            }
            "isolation_mode" => {
                let b = self.block(entries, &ctx, &["allowed"], &[]);
                let mut allowed = Vec::new();
                match b.attrs.get("allowed") {
                    Some((_, e)) => {
                        for item in self.list(e).unwrap_or_default() {
                            if let Some(m) =
                                self.choice(&item, IsolationMode::ALL, "isolation mode")
                                && !allowed.contains(&m)
                            {
                                allowed.push(m);
                            }
                        }
                    }
                    None => {
                        self.push(
                            Diagnostic::new(
                                Code::MissingSetting,
                                st.span,
                                "`isolation_mode` needs `allowed`",
                            )
                            .label("which modes are allowed?")
                            .help("add `{ allowed = [allow_only_approved_outbound] }`"),
                        );
                        return None;
                    }
                }
                allowed.sort();
                Control::IsolationMode { allowed }
            }
            "outbound_rules" => {
                let b = self.block(entries, &ctx, &["fqdns", "kinds"], &[]);
                let mut kinds = Vec::new();
                if let Some((_, e)) = b.attrs.get("kinds") {
                    for item in self.list(e).unwrap_or_default() {
                        if let Some(k) = self.choice(&item, RuleKind::ALL, "rule kind")
                            && !kinds.contains(&k)
                        {
                            kinds.push(k);
                        }
                    }
                } else {
                    kinds = RuleKind::ALL.iter().map(|(_, k)| *k).collect();
                }
                kinds.sort();
                let fqdns = b.attrs.get("fqdns").map(|(_, e)| {
                    let mut out = Vec::new();
                    for item in self.list(e).unwrap_or_default() {
                        if let Some((t, sp)) = self.string(&item) {
                            match FqdnPattern::parse(&t) {
                                Ok(f) => out.push(f),
                                Err(msg) => self.push(
                                    Diagnostic::new(Code::InvalidFqdn, sp, "invalid FQDN")
                                        .label(msg)
                                        .help(fqdn_help(&t)),
                                ),
                            }
                        }
                    }
                    out
                });
                Control::OutboundRules { kinds, fqdns }
            }
            "local_auth" => {
                self.no_body(st, &ctx);
                Control::LocalAuth
            }
            "ssh" => {
                self.no_body(st, &ctx);
                Control::Ssh
            }
            _ => {
                self.no_body(st, &ctx);
                Control::ComputeInSubnet
            }
        })
    }
}
