//! The words of the language the editor offers: which blocks and settings
//! each block takes, the values a setting takes, and the documentation of a
//! word (from `docs/language.md`'s tables and headings).
//!
//! The block lists are those the lowering accepts (`ir::lower::words`); enum
//! values come from the IR's own keyword tables.

use std::fmt::Write as _;

use crate::ir::lower::words;
use crate::ir::{
    ClientEndpoint, Cloud, ComputeKind, Control, Effect, IsolationMode, NsgAccess, NsgDirection,
    Preset, Profile, Protocol, RegistrySku, RuleKind, SubnetRole,
};

/// The language reference, read for hover.
const LANGUAGE: &str = include_str!("../../../docs/language.md");

/// Settings and nested blocks of a block, by the block's name (`""` is the
/// top level of a file): the lowering's lists, and for the statements whose
/// bodies depend on their kind (`rule`, `allow`), the union of them.
#[must_use]
pub fn block(name: &str) -> (Vec<&'static str>, Vec<&'static str>) {
    let (settings, blocks): (Vec<&'static str>, &[&str]) = match name {
        "compute" => {
            let mut s: Vec<_> = words::COMPUTE_DEFAULTS
                .settings
                .iter()
                .chain(words::COMPUTE.settings)
                .copied()
                .collect();
            s.sort_unstable();
            s.dedup();
            (s, &[])
        }
        "policy" => (vec!["scope", "region"], EFFECTS),
        "rule" => (vec!["ports", "protocol", "spark", "subresource"], &[]),
        "allow" => (vec!["ai_search", "ai_services", "index_overridden"], &[]),
        _ => match words::BY_NAME.iter().find(|(n, _)| *n == name) {
            Some((_, w)) => (w.settings.to_vec(), w.blocks),
            None => (Vec::new(), &[]),
        },
    };
    (settings, blocks.to_vec())
}

const EFFECTS: &[&str] = &[
    "audit",
    "deny",
    "disabled",
    "audit_if_not_exists",
    "deploy_if_not_exists",
    "modify",
];

fn names<T>(all: &'static [(&'static str, T)]) -> Vec<&'static str> {
    all.iter().map(|(n, _)| *n).collect()
}

/// The bare words a setting takes (in the block `block`), if it is a
/// closed set.
#[must_use]
pub fn values(block: &str, setting: &str) -> Vec<&'static str> {
    const BOOL: &[&str] = &["true", "false"];
    match (block, setting) {
        (_, "cloud") => names(Cloud::ALL),
        (_, "profile") => names(Profile::ALL),
        ("outbound", "mode") => names(IsolationMode::ALL),
        ("compute", "kind") => names(ComputeKind::ALL),
        ("container_registry", "sku") => names(RegistrySku::ALL),
        ("nsg_extra", "subnet") => names(SubnetRole::ALL),
        ("nsg_extra", "direction") => names(NsgDirection::ALL),
        ("nsg_extra", "access") => names(NsgAccess::ALL),
        (_, "protocol") => names(Protocol::ALL),
        ("inbound", "public_network_access") => vec!["enabled", "disabled", "selected_ips"],
        (_, "public_network_access" | "egress_public_network_access") => {
            vec!["enabled", "disabled"]
        }
        (_, "firewall_sku") => vec!["standard", "basic"],
        (_, "resource_group_lock") => vec!["none", "can_not_delete", "read_only"],
        (_, "identity") => vec!["system_assigned", "user_assigned"],
        ("private_endpoint", "dns") => vec!["create"],
        ("private_endpoint", "resources") => names(ClientEndpoint::ALL),
        (_, "private_endpoint_network_policies") => vec![
            "enabled",
            "disabled",
            "network_security_group_enabled",
            "route_table_enabled",
        ],
        ("policy", "scope") => vec!["management_group", "subscription"],
        ("rule", "subresource") => subresources(None),
        (
            _,
            "sensitive"
            | "provision_now"
            | "trusted_services"
            | "resource_instance_rule"
            | "service_endpoint"
            | "data_profiling"
            | "purge_protection"
            | "public_ip"
            | "ssh"
            | "local_auth"
            | "custom_dns"
            | "link_zones"
            | "service_endpoint_policy"
            | "default_outbound_access"
            | "index_overridden"
            | "spark"
            | "allow_selected_ips",
        ) => BOOL.to_vec(),
        _ => Vec::new(),
    }
}

/// Preset scenarios (`allow <scenario>`).
#[must_use]
pub fn presets() -> Vec<&'static str> {
    names(Preset::NAMED)
}

/// Rule kinds (`rule "name" <kind>`).
#[must_use]
pub fn rule_kinds() -> Vec<&'static str> {
    names(RuleKind::ALL)
}

/// Policy controls (`deny <control>`), and the effects.
#[must_use]
pub fn controls() -> Vec<&'static str> {
    names(Control::KEYWORDS)
}

/// Effects of a policy block.
#[must_use]
pub fn effects() -> Vec<&'static str> {
    names(Effect::ALL)
}

/// Private endpoint target types (ARM types).
#[must_use]
pub fn target_types() -> Vec<&'static str> {
    crate::catalog::private_link::PRIVATE_LINK_TYPES
        .iter()
        .map(|t| t.arm_type)
        .collect()
}

/// Sub-resources of a target type, or of every type when it is unknown.
#[must_use]
pub fn subresources(arm_type: Option<&str>) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = crate::catalog::private_link::PRIVATE_LINK_TYPES
        .iter()
        .filter(|t| arm_type.is_none_or(|a| t.arm_type.eq_ignore_ascii_case(a)))
        .flat_map(|t| t.subresources.iter().copied())
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The documentation of a word: the rows of the reference's tables that
/// name it (a setting: its values and default), else the first paragraph
/// under a heading that names it (a keyword or block).
#[must_use]
pub fn doc(word: &str) -> Option<String> {
    let needle = format!("`{word}`");
    let mut out = String::new();
    let mut heading = "";
    let mut header: Vec<&str> = Vec::new();
    for line in LANGUAGE.lines() {
        if line.starts_with('#') {
            heading = line.trim_start_matches('#').trim();
            header.clear();
            continue;
        }
        let Some(row) = line.strip_prefix('|') else {
            header.clear();
            continue;
        };
        let cells: Vec<&str> = row
            .trim_end_matches('|')
            .split('|')
            .map(str::trim)
            .collect();
        if header.is_empty() {
            header = cells;
            continue;
        }
        let name_col = usize::from(header.first() == Some(&"block"));
        if cells
            .get(name_col)
            .is_some_and(|c| c.split(", ").any(|n| n == needle))
        {
            let _ = write!(out, "**{heading}**\n\n");
            for (h, c) in header.iter().zip(&cells).skip(name_col + 1) {
                let _ = writeln!(out, "- {h}: {c}");
            }
            out.push('\n');
        }
    }
    if out.is_empty() {
        out = heading_paragraph(&needle)?;
    }
    Some(out.trim_end().to_string())
}

/// The heading that names `needle`, and the paragraph under it.
fn heading_paragraph(needle: &str) -> Option<String> {
    let mut lines = LANGUAGE.lines();
    let heading = lines.by_ref().find(|l| {
        let open = &needle[..needle.len() - 1];
        l.starts_with('#') && (l.contains(needle) || l.contains(&format!("{open} ")))
    })?;
    let para: Vec<&str> = lines
        .skip_while(|l| l.trim().is_empty())
        .take_while(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .collect();
    Some(format!(
        "**{}**\n\n{}",
        heading.trim_start_matches('#').trim(),
        para.join("\n")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_have_docs() {
        assert!(doc("firewall_sku").unwrap().contains("standard"));
        assert!(doc("workspace").is_some());
        assert!(doc("no_such_word_here").is_none());
    }
}
