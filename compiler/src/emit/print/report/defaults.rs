//! The report's "Defaults taken" section: each setting the posture did not
//! write, its value and where it came from (`defaults`, a profile, or the
//! secure default).

use std::fmt::Write;

use crate::escape::markdown_code as code;
use crate::ir::{Access, IsolationMode, Setting, Source, Workspace};
use crate::source::SourceMap;

use super::posture::public_network_access;

/// Where a setting's value came from, or `None` when the posture wrote it.
fn source_text<T>(s: &Setting<T>, sources: &SourceMap) -> Option<String> {
    match s.source {
        Source::Explicit(_) => None,
        Source::Defaults(sp) => Some(format!("from `defaults` ({})", sources.place(sp))),
        Source::Profile(p) => Some(format!("set by profile `{}`", p.keyword())),
        Source::SecureDefault => Some("secure default".to_string()),
    }
}

fn on(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

fn access(a: Access) -> &'static str {
    match a {
        Access::Enabled => "enabled",
        Access::Disabled => "disabled",
    }
}

/// The defaults taken, one line each.
struct Notes<'a> {
    lines: Vec<String>,
    sources: &'a SourceMap,
}

impl Notes<'_> {
    /// `what = value (where it came from)`; nothing when the posture wrote
    /// the setting.
    fn note<T>(&mut self, what: &str, s: &Setting<T>, value: &str) {
        if let Some(src) = source_text(s, self.sources) {
            self.lines
                .push(format!("- {what} = {} ({src})", code(value)));
        }
    }

    fn flag(&mut self, what: &str, s: &Setting<bool>) {
        self.note(what, s, on(s.value));
    }

    fn access(&mut self, what: &str, s: &Setting<Access>) {
        self.note(what, s, access(s.value));
    }
}

/// The "Defaults taken" section.
pub(super) fn section(r: &mut String, ws: &Workspace, sources: &SourceMap) {
    let out = &ws.outbound;
    let mode = out.mode.value;
    let _ = writeln!(r, "\n## Defaults taken\n");
    let mut n = Notes {
        lines: Vec::new(),
        sources,
    };
    n.note("region", &ws.region, ws.region.value.as_str());
    n.note("isolation mode", &out.mode, mode.keyword());
    n.note(
        "public network access",
        &ws.inbound.public_network_access,
        &public_network_access(ws),
    );
    n.flag("provision now", &out.provision_now);
    if mode == IsolationMode::AllowOnlyApprovedOutbound && out.has_fqdn_rules() {
        n.note(
            "firewall SKU",
            &out.firewall_sku,
            out.firewall_sku.value.arm(),
        );
    }
    n.access(
        "storage public network access",
        &ws.storage.public_network_access,
    );
    n.flag("storage trusted services", &ws.storage.trusted_services);
    n.flag(
        "storage resource instance rule",
        &ws.storage.resource_instance_rule,
    );
    n.access(
        "key vault public network access",
        &ws.key_vault.public_network_access,
    );
    n.flag("key vault trusted services", &ws.key_vault.trusted_services);
    n.flag("key vault purge protection", &ws.key_vault.purge_protection);
    n.access(
        "container registry public network access",
        &ws.container_registry.public_network_access,
    );
    if !ws.computes.is_empty() {
        n.flag("compute public IP", &ws.compute.public_ip);
        n.flag("compute public SSH", &ws.compute.ssh);
        n.flag("compute local auth", &ws.compute.local_auth);
    }
    if n.lines.is_empty() {
        let _ = writeln!(r, "None: every setting was written.");
    }
    for line in n.lines {
        let _ = writeln!(r, "{line}");
    }
}
