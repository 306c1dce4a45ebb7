//! Names amlgen gives the resources it creates: derived from the workspace
//! name, within each type's rules, and stable (a short hash of the
//! subscription, resource group and workspace makes the globally unique
//! ones unique without any randomness). The ones derived from a workspace
//! are private to the plan, which calls each once per workspace
//! ([`super::Plan::of`]); `fit` serves the policy lowering and
//! `zone_config` the private endpoint lowering too.

use crate::ir::Workspace;

/// FNV-1a, 64 bits: a fixed, dependency-free hash for name suffixes.
#[must_use]
pub fn fnv1a(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Six hex digits of a text's hash.
fn hash6(text: &str) -> String {
    format!("{:06x}", fnv1a(text) & 0x00ff_ffff)
}

/// `stem` cut so that `-` and the hash of `original` fit in `max`
/// characters, with no `-`, `_` or `.` left at the cut: two texts that cut
/// or clean alike still get distinct names.
fn cut_with_hash(stem: &str, original: &str, max: usize) -> String {
    let h = hash6(original);
    let cut: String = stem.chars().take(max.saturating_sub(h.len() + 1)).collect();
    let cut = cut.trim_end_matches(['-', '_', '.']);
    if cut.is_empty() {
        h
    } else {
        format!("{cut}-{h}")
    }
}

/// A name of at most `max` characters: the text itself when it fits, else
/// a cut with a stable hash so two long names stay apart (policy and
/// deployment names, whose characters amlgen already keeps legal).
#[must_use]
pub fn fit(name: &str, max: usize) -> String {
    if name.chars().count() <= max {
        name.to_string()
    } else {
        cut_with_hash(name, name, max)
    }
}

fn network_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
}

/// A Microsoft.Network name of at most `max` characters: letters, digits,
/// `_`, `.` and `-`, starting with a letter or digit and ending with one
/// or `_` (Naming rules and restrictions for Azure resources). A text that
/// already is one is kept as it is; any other (a name taken from an
/// existing resource's id may hold any character the id syntax lets
/// through, or be too long) has its other characters made `-`, is cut,
/// and gets a stable hash of the whole text, so that two texts that clean
/// or cut to the same prefix still name two resources.
#[must_use]
pub fn network_name(raw: &str, max: usize) -> String {
    let n = raw.chars().count();
    let legal = (2..=max).contains(&n)
        && raw.chars().all(network_char)
        && raw.starts_with(|c: char| c.is_ascii_alphanumeric())
        && raw.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_');
    if legal {
        return raw.to_string();
    }
    let mut cleaned = String::new();
    for c in raw.chars() {
        let c = if network_char(c) { c } else { '-' };
        if !(c == '-' && cleaned.ends_with('-')) {
            cleaned.push(c);
        }
    }
    let cleaned = cleaned.trim_start_matches(|c: char| !c.is_ascii_alphanumeric());
    cut_with_hash(cleaned, raw, max)
}

/// Six hex digits that tell this workspace's resources from another's.
#[must_use]
pub(super) fn suffix(ws: &Workspace) -> String {
    suffix_of(
        ws.subscription_id
            .as_ref()
            .map(crate::ir::newtypes::Guid::as_str),
        ws.resource_group.value.as_str(),
        ws.name.as_str(),
    )
}

/// The suffix of a workspace known by its identifiers: the subscription
/// only when the posture states it.
#[must_use]
pub(super) fn suffix_of(subscription: Option<&str>, resource_group: &str, name: &str) -> String {
    let key =
        format!("{}/{resource_group}/{name}", subscription.unwrap_or("")).to_ascii_lowercase();
    hash6(&key)
}

fn alnum_lower(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn prefixed_alnum(prefix: &str, ws: &Workspace, max: usize) -> String {
    prefixed_alnum_of(prefix, ws.name.as_str(), &suffix(ws), max)
}

pub(super) fn prefixed_alnum_of(prefix: &str, name: &str, sfx: &str, max: usize) -> String {
    let mut stem = alnum_lower(name);
    stem.truncate(max - prefix.len() - sfx.len());
    format!("{prefix}{stem}{sfx}")
}

/// Storage account: 3 to 24 lowercase letters and digits, globally unique.
#[must_use]
pub(super) fn storage(ws: &Workspace) -> String {
    prefixed_alnum("st", ws, 24)
}

/// Key vault: 3 to 24 letters, digits and hyphens, starting with a letter, globally unique.
#[must_use]
pub(super) fn key_vault(ws: &Workspace) -> String {
    prefixed_alnum("kv", ws, 24)
}

/// Container registry: 5 to 50 letters and digits, globally unique.
#[must_use]
pub(super) fn container_registry(ws: &Workspace) -> String {
    prefixed_alnum("cr", ws, 50)
}

/// Hyphenated: letters, digits and single hyphens, ending in a letter or digit.
fn hyphenated(prefix: &str, ws: &Workspace) -> String {
    hyphenated_of(prefix, ws.name.as_str())
}

pub(super) fn hyphenated_of(prefix: &str, name: &str) -> String {
    let mut out = String::from(prefix);
    for c in name.chars() {
        let c = if c == '_' {
            '-'
        } else {
            c.to_ascii_lowercase()
        };
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
    }
    out.trim_end_matches('-').to_string()
}

/// Application Insights component.
#[must_use]
pub(super) fn app_insights(ws: &Workspace) -> String {
    hyphenated("appi-", ws)
}

/// Log Analytics workspace: 4 to 63 letters, digits and hyphens.
#[must_use]
pub(super) fn log_analytics(ws: &Workspace) -> String {
    hyphenated("log-", ws)
}

/// A client-VNet private endpoint to `resource` for `group`.
#[must_use]
pub(super) fn private_endpoint(resource: &str, group: &str) -> String {
    network_name(&format!("pe-{resource}-{group}"), 64)
}

/// A private DNS zone config name inside a zone group: the zone with dots as hyphens.
#[must_use]
pub fn zone_config(zone: &str) -> String {
    zone.replace('.', "-")
}

/// A private DNS zone's link to a virtual network.
#[must_use]
pub(super) fn vnet_link(vnet: &str) -> String {
    network_name(&format!("link-{vnet}"), 80)
}

/// A nested deployment (a Bicep module) of a workspace: at most 64 characters.
#[must_use]
pub(super) fn deployment(workspace: &str, module: &str) -> String {
    fit(&format!("{workspace}-{module}"), 64)
}

/// The NSG of a spoke subnet: `nsg-<workspace>-<role>`, at most 80 characters.
#[must_use]
pub(super) fn nsg(ws: &Workspace, role: crate::ir::SubnetRole) -> String {
    network_name(&format!("nsg-{}-{}", ws.name.as_str(), role.keyword()), 80)
}

/// The route table of the spoke's compute subnets.
#[must_use]
pub(super) fn route_table(ws: &Workspace) -> String {
    network_name(&format!("rt-{}-to-hub", ws.name.as_str()), 80)
}

/// The service endpoint policy of the training subnet.
#[must_use]
pub(super) fn service_endpoint_policy(ws: &Workspace) -> String {
    network_name(&format!("sep-{}-training", ws.name.as_str()), 80)
}

/// The spoke's peering with the hub VNet.
#[must_use]
pub(super) fn peering(hub: &str) -> String {
    network_name(&format!("peer-to-{hub}"), 80)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::limits::rules_for;

    fn legal(ty: &str, name: &str) -> bool {
        rules_for(ty)
            .filter(|r| r.property == "name")
            .all(|r| r.check(name).is_ok())
    }

    #[test]
    fn cut_names_stay_legal_and_distinct() {
        // Two existing registries whose names share their first 60
        // characters: cut to 64 they were one name.
        let a = format!("{}-one", "a".repeat(61));
        let b = format!("{}-two", "a".repeat(61));
        let (pa, pb) = (
            private_endpoint(&a, "registry"),
            private_endpoint(&b, "registry"),
        );
        assert_ne!(pa, pb);
        for n in [&pa, &pb] {
            assert!(legal("Microsoft.Network/privateEndpoints", n), "{n}");
        }
        // A cut that lands on a hyphen does not end in it.
        let n = private_endpoint(&format!("{}-x", "b".repeat(60)), "registry");
        assert!(legal("Microsoft.Network/privateEndpoints", &n), "{n}");
    }

    #[test]
    fn names_from_ids_are_cleaned_and_kept_apart() {
        let a = vnet_link("vnet-it's-${x}-ünï");
        let b = vnet_link("vnet-it-s--x--n-");
        assert!(
            legal("Microsoft.Network/privateDnsZones/virtualNetworkLinks", &a),
            "{a}"
        );
        assert!(
            legal("Microsoft.Network/privateDnsZones/virtualNetworkLinks", &b),
            "{b}"
        );
        assert_ne!(a, b);
        // A legal name is kept as it is.
        assert_eq!(vnet_link("vnet-clients"), "link-vnet-clients");
        assert_eq!(private_endpoint("stx", "blob"), "pe-stx-blob");
    }

    #[test]
    fn fit_keeps_short_names_and_cuts_long_ones_apart() {
        assert_eq!(fit("ml-guardrails", 24), "ml-guardrails");
        let a = fit(&format!("{}-aaaa", "x".repeat(30)), 24);
        let b = fit(&format!("{}-bbbb", "x".repeat(30)), 24);
        assert_ne!(a, b);
        assert!(a.chars().count() <= 24 && !a.ends_with('-'));
    }
}
