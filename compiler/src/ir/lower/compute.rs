//! The `compute` and `online_endpoint` blocks of a workspace, as
//! `docs/language.md` describes under "13. `compute`" and
//! "14. `online_endpoint "name"`" (a compute instance's `assigned_user`
//! is in `assigned_user`).

use super::cx::{Block, Cx, list_words, names};
use super::defaults::WsCtx;
use super::words;
use crate::diag::{Code, Diagnostic};
use crate::ir::newtypes::ArmName;
use crate::ir::{
    Access, Cloud, Compute, ComputeDefaults, ComputeKind, OnlineEndpoint, Setting, Source,
};
use crate::span::Span;
use crate::syntax::ast::{Entry, Expr, Stmt};

impl Cx<'_> {
    pub(super) fn computes(
        &mut self,
        b: &Block,
        ctx: &WsCtx,
        cloud: Cloud,
    ) -> (ComputeDefaults, Vec<Compute>) {
        let mut defaults = ComputeDefaults {
            public_ip: Setting::new(false, Source::SecureDefault),
            ssh: Setting::new(false, Source::SecureDefault),
            local_auth: Setting::new(false, Source::SecureDefault),
            setup_script: None,
        };
        let mut named: Vec<Compute> = Vec::new();
        let mut seen_defaults: Option<Span> = None;
        let _ = ctx;
        for s in b.stmts.iter().filter(|s| s.head.name == "compute") {
            let entries: &[Entry] = s.body.as_ref().map_or(&[], |b| &b.entries);
            if s.args.is_empty() {
                if let Some(first) = seen_defaults {
                    self.push(
                        Diagnostic::new(Code::DuplicateSetting, s.head.span, "a second unnamed `compute` block")
                            .label("second block")
                            .with_label(first, "first block here")
                            .help("merge them, or give a compute a name: `compute \"cpu-cluster\" { ... }`"),
                    );
                    continue;
                }
                seen_defaults = Some(s.head.span);
                self.compute_defaults(entries, &mut defaults);
                continue;
            }
            let Some(name_e) = self.label(s, "compute") else {
                continue;
            };
            let Some((name, name_span)) = self.arm_name(name_e, "compute") else {
                continue;
            };
            if let Some(problem) = compute_name_problem(name.as_str()) {
                let fixed = name
                    .as_str()
                    .replace('_', "-")
                    .trim_end_matches(|c: char| c.is_ascii_digit() || c == '-')
                    .to_string();
                let help = if compute_name_problem(&fixed).is_none() {
                    format!("did you mean `{fixed}`?")
                } else {
                    "rename it: 3 to 24 letters, digits and `-`, starting with a letter, not ending in `-` and digits".to_string()
                };
                self.push(
                    Diagnostic::new(Code::InvalidName, name_span, "invalid compute name")
                        .label(problem)
                        .help(help),
                );
                continue;
            }
            if let Some(first) = named
                .iter()
                .find(|c| c.name.as_str().eq_ignore_ascii_case(name.as_str()))
            {
                self.push(
                    Diagnostic::new(
                        Code::DuplicateName,
                        name_e.span,
                        format!("compute `{name}` is declared twice"),
                    )
                    .label("second declaration")
                    .with_label(first.span, "first declared here"),
                );
                continue;
            }
            if let Some(c) = self.named_compute(s, name_e, name, entries, &defaults, cloud) {
                named.push(c);
            }
        }
        (defaults, named)
    }

    /// The unnamed `compute` block: what every compute of the workspace
    /// gets unless it says otherwise.
    fn compute_defaults(&mut self, entries: &[Entry], defaults: &mut ComputeDefaults) {
        let cb = self.block(
            entries,
            "`compute`",
            words::COMPUTE_DEFAULTS.settings,
            words::COMPUTE_DEFAULTS.blocks,
        );
        defaults.public_ip = self.bool_setting(&cb, "public_ip", false);
        defaults.ssh = self.bool_setting(&cb, "ssh", false);
        defaults.local_auth = self.bool_setting(&cb, "local_auth", false);
        defaults.setup_script = cb
            .attrs
            .get("setup_script")
            .and_then(|(_, e)| self.string(e));
    }

    /// A named `compute "name"` block, its name already checked. `None`
    /// when its kind or `assigned_user` is missing or wrong (reported).
    fn named_compute(
        &mut self,
        s: &Stmt,
        name_e: &Expr,
        name: ArmName,
        entries: &[Entry],
        defaults: &ComputeDefaults,
        cloud: Cloud,
    ) -> Option<Compute> {
        let cb = self.block(
            entries,
            "a named `compute`",
            words::COMPUTE.settings,
            words::COMPUTE.blocks,
        );
        let kind = match cb.attrs.get("kind") {
            Some((_, e)) => self
                .choice(e, ComputeKind::ALL, "compute kind")
                .map(|k| Setting::new(k, Source::Explicit(e.span))),
            None => {
                self.push(
                    Diagnostic::new(
                        Code::MissingSetting,
                        name_e.span,
                        format!("compute `{name}` has no `kind`"),
                    )
                    .label("which kind of compute?")
                    .help(format!(
                        "add `kind = cluster` (one of {})",
                        list_words(&names(ComputeKind::ALL))
                    )),
                );
                None
            }
        };
        let max_nodes = cb
            .attrs
            .get("max_nodes")
            .and_then(|(_, e)| self.number(e, 1, 10_000, "max_nodes"))
            .map(|n| n as u32);
        let region = cb
            .attrs
            .get("region")
            .and_then(|(_, e)| self.region(e, cloud));
        let subnet = cb.attrs.get("subnet").and_then(|(_, e)| {
            self.resource_id(e, Some("Microsoft.Network/virtualNetworks/subnets"))
        });
        let vm_size = cb
            .attrs
            .get("vm_size")
            .and_then(|(_, e)| self.string(e))
            .map(|(s, _)| s);
        let public_ip = match cb.attrs.get("public_ip") {
            Some((_, e)) => self.bool(e).map_or(defaults.public_ip.clone(), |(v, sp)| {
                Setting::new(v, Source::Explicit(sp))
            }),
            None => defaults.public_ip.clone(),
        };
        let identity = cb.attrs.get("identity").map(|(_, e)| self.identity(e));
        let mut reads = Vec::new();
        if let (Some((_, e)), None) = (cb.attrs.get("reads"), &identity) {
            self.push(
                Diagnostic::new(
                    Code::MissingSetting,
                    e.span,
                    format!("compute `{name}` reads data but has no `identity`"),
                )
                .label("read as which identity?")
                .help("add `identity = user_assigned \"/subscriptions/.../userAssignedIdentities/id-train\"` (or `system_assigned`) to the compute"),
            );
        }
        if let Some((_, e)) = cb.attrs.get("reads") {
            for item in self.list(e).unwrap_or_default() {
                if let Some((id, _)) =
                    self.resource_id(&item, Some("Microsoft.Storage/storageAccounts"))
                {
                    reads.push(id);
                }
            }
        }
        // A compute whose `assigned_user` was refused is left out, like
        // one without a kind: its instance would be warned unassigned.
        let assigned_user = match cb.attrs.get("assigned_user") {
            Some((k, e)) => {
                match self.assigned_user(k, e, name.as_str(), kind.as_ref().map(|k| k.value)) {
                    Some(user) => Some(user),
                    None => return None,
                }
            }
            None => None,
        };
        let kind = kind?;
        Some(Compute {
            name,
            kind,
            vm_size,
            max_nodes,
            region,
            subnet,
            public_ip,
            identity,
            reads,
            assigned_user,
            span: s.head.span.to(name_e.span),
        })
    }

    pub(super) fn online_endpoints(&mut self, b: &Block) -> Vec<OnlineEndpoint> {
        let mut out: Vec<OnlineEndpoint> = Vec::new();
        for s in b.stmts.iter().filter(|s| s.head.name == "online_endpoint") {
            let Some(name_e) = self.label(s, "endpoint") else {
                continue;
            };
            let Some((name, _)) = self.arm_name(name_e, "online endpoint") else {
                continue;
            };
            let entries: &[Entry] = s.body.as_ref().map_or(&[], |b| &b.entries);
            let eb = self.block(
                entries,
                "`online_endpoint`",
                words::ONLINE_ENDPOINT.settings,
                words::ONLINE_ENDPOINT.blocks,
            );
            let public_network_access = self.access_setting(
                &eb,
                "public_network_access",
                Access::Disabled,
                Source::SecureDefault,
            );
            let egress = eb
                .attrs
                .get("egress_public_network_access")
                .and_then(|(_, e)| {
                    self.choice(
                        e,
                        &[("enabled", Access::Enabled), ("disabled", Access::Disabled)],
                        "public network access",
                    )
                    .map(|v| (v, e.span))
                });
            if let Some(first) = out.iter().find(|o| o.name == name) {
                self.push(
                    Diagnostic::new(
                        Code::DuplicateName,
                        name_e.span,
                        format!("online endpoint `{name}` is declared twice"),
                    )
                    .label("second declaration")
                    .with_label(first.span, "first declared here"),
                );
                continue;
            }
            out.push(OnlineEndpoint {
                name,
                public_network_access,
                egress_public_network_access: egress,
                span: s.head.span.to(name_e.span),
            });
        }
        out
    }
}

/// Why Azure would refuse a compute name, if it would: the pattern of the
/// `workspaces/computes` name in Microsoft's ARM schema,
/// `^[a-zA-Z](?![a-zA-Z0-9-]*-\d+$)[a-zA-Z0-9\-]{2,23}$`.
fn compute_name_problem(name: &str) -> Option<String> {
    let len = name.chars().count();
    if !(3..=24).contains(&len) {
        return Some(format!("a compute name has 3 to 24 characters, not {len}"));
    }
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Some("a compute name starts with a letter".to_string());
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
    {
        return Some(format!(
            "a compute name has only letters, digits and `-`, not `{c}`"
        ));
    }
    let tail = name.trim_end_matches(|c: char| c.is_ascii_digit());
    if tail.len() < name.len() && tail.ends_with('-') {
        return Some("a compute name cannot end in `-` and digits".to_string());
    }
    None
}
