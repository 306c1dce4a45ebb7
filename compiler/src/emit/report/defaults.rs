//! The report's "Defaults taken" section: each setting the posture did not
//! write, its value and where it came from (`defaults`, a profile, or the
//! secure default).

use std::fmt::Write;

use crate::emit::escape::markdown_code as code;
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

/// The "Defaults taken" section.
pub(super) fn section(r: &mut String, ws: &Workspace, sources: &SourceMap) {
    let out = &ws.outbound;
    let mode = out.mode.value;
    let pna = public_network_access(ws);
    let _ = writeln!(r, "\n## Defaults taken\n");
    let mut defaults = Vec::new();
    let mut note = |what: &str, value: String, src: Option<String>| {
        if let Some(src) = src {
            defaults.push(format!("- {what} = {} ({src})", code(&value)));
        }
    };
    note(
        "region",
        ws.region.value.as_str().to_string(),
        source_text(&ws.region, sources),
    );
    note(
        "isolation mode",
        mode.keyword().to_string(),
        source_text(&out.mode, sources),
    );
    note(
        "public network access",
        pna.clone(),
        source_text(&ws.inbound.public_network_access, sources),
    );
    note(
        "provision now",
        on(out.provision_now.value).into(),
        source_text(&out.provision_now, sources),
    );
    if mode == IsolationMode::AllowOnlyApprovedOutbound && out.has_fqdn_rules() {
        note(
            "firewall SKU",
            out.firewall_sku.value.arm().into(),
            source_text(&out.firewall_sku, sources),
        );
    }
    note(
        "storage public network access",
        access(ws.storage.public_network_access.value).into(),
        source_text(&ws.storage.public_network_access, sources),
    );
    note(
        "storage trusted services",
        on(ws.storage.trusted_services.value).into(),
        source_text(&ws.storage.trusted_services, sources),
    );
    note(
        "storage resource instance rule",
        on(ws.storage.resource_instance_rule.value).into(),
        source_text(&ws.storage.resource_instance_rule, sources),
    );
    note(
        "key vault public network access",
        access(ws.key_vault.public_network_access.value).into(),
        source_text(&ws.key_vault.public_network_access, sources),
    );
    note(
        "key vault trusted services",
        on(ws.key_vault.trusted_services.value).into(),
        source_text(&ws.key_vault.trusted_services, sources),
    );
    note(
        "key vault purge protection",
        on(ws.key_vault.purge_protection.value).into(),
        source_text(&ws.key_vault.purge_protection, sources),
    );
    note(
        "container registry public network access",
        access(ws.container_registry.public_network_access.value).into(),
        source_text(&ws.container_registry.public_network_access, sources),
    );
    if !ws.computes.is_empty() {
        note(
            "compute public IP",
            on(ws.compute.public_ip.value).into(),
            source_text(&ws.compute.public_ip, sources),
        );
    }
    if !ws.computes.is_empty() {
        note(
            "compute public SSH",
            on(ws.compute.ssh.value).into(),
            source_text(&ws.compute.ssh, sources),
        );
    }
    if !ws.computes.is_empty() {
        note(
            "compute local auth",
            on(ws.compute.local_auth.value).into(),
            source_text(&ws.compute.local_auth, sources),
        );
    }
    if defaults.is_empty() {
        let _ = writeln!(r, "None: every setting was written.");
    }
    for line in defaults {
        let _ = writeln!(r, "{line}");
    }
}
