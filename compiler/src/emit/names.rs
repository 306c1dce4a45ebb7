//! Names amlgen gives the resources it creates: derived from the workspace
//! name, within each type's rules, and stable (a short hash of the
//! subscription, resource group and workspace makes the globally unique
//! ones unique without any randomness).

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

/// Six hex digits that tell this workspace's resources from another's.
#[must_use]
pub fn suffix(ws: &Workspace) -> String {
    let key = format!(
        "{}/{}/{}",
        ws.subscription_id.as_ref().map_or("", |g| g.as_str()),
        ws.resource_group.value.as_str(),
        ws.name.as_str()
    )
    .to_ascii_lowercase();
    format!("{:06x}", fnv1a(&key) & 0x00ff_ffff)
}

fn alnum_lower(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn prefixed_alnum(prefix: &str, ws: &Workspace, max: usize) -> String {
    let sfx = suffix(ws);
    let mut stem = alnum_lower(ws.name.as_str());
    stem.truncate(max - prefix.len() - sfx.len());
    format!("{prefix}{stem}{sfx}")
}

/// Storage account: 3 to 24 lowercase letters and digits, globally unique.
#[must_use]
pub fn storage(ws: &Workspace) -> String {
    prefixed_alnum("st", ws, 24)
}

/// Key vault: 3 to 24 letters, digits and hyphens, starting with a letter, globally unique.
#[must_use]
pub fn key_vault(ws: &Workspace) -> String {
    prefixed_alnum("kv", ws, 24)
}

/// Container registry: 5 to 50 letters and digits, globally unique.
#[must_use]
pub fn container_registry(ws: &Workspace) -> String {
    prefixed_alnum("cr", ws, 50)
}

/// Hyphenated: letters, digits and single hyphens, ending in a letter or digit.
fn hyphenated(prefix: &str, ws: &Workspace) -> String {
    let mut out = String::from(prefix);
    for c in ws.name.as_str().chars() {
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
pub fn app_insights(ws: &Workspace) -> String {
    hyphenated("appi-", ws)
}

/// Log Analytics workspace: 4 to 63 letters, digits and hyphens.
#[must_use]
pub fn log_analytics(ws: &Workspace) -> String {
    hyphenated("log-", ws)
}

/// A client-VNet private endpoint to `resource` for `group`.
#[must_use]
pub fn private_endpoint(resource: &str, group: &str) -> String {
    let mut n = format!("pe-{resource}-{group}");
    n.truncate(64);
    n
}

/// A private DNS zone config name inside a zone group: the zone with dots as hyphens.
#[must_use]
pub fn zone_config(zone: &str) -> String {
    zone.replace('.', "-")
}

/// A private DNS zone's link to a virtual network.
#[must_use]
pub fn vnet_link(vnet: &str) -> String {
    let mut n = format!("link-{vnet}");
    n.truncate(80);
    n
}

/// A nested deployment (a Bicep module) of a workspace: at most 64 characters.
#[must_use]
pub fn deployment(ws: &Workspace, module: &str) -> String {
    let mut n = format!("{}-{module}", ws.name.as_str());
    n.truncate(64);
    n
}

/// The NSG of a spoke subnet: `nsg-<workspace>-<role>`, at most 80 characters.
#[must_use]
pub fn nsg(ws: &Workspace, role: crate::ir::SubnetRole) -> String {
    let mut n = format!("nsg-{}-{}", ws.name.as_str(), role.keyword());
    n.truncate(80);
    n
}

/// The route table of the spoke's compute subnets.
#[must_use]
pub fn route_table(ws: &Workspace) -> String {
    let mut n = format!("rt-{}-to-hub", ws.name.as_str());
    n.truncate(80);
    n
}

/// The service endpoint policy of the training subnet.
#[must_use]
pub fn service_endpoint_policy(ws: &Workspace) -> String {
    let mut n = format!("sep-{}-training", ws.name.as_str());
    n.truncate(80);
    n
}

/// The spoke's peering with the hub VNet.
#[must_use]
pub fn peering(hub: &str) -> String {
    let mut n = format!("peer-to-{hub}");
    n.truncate(80);
    n
}
