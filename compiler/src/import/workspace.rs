//! The workspace's own settings, its inbound access (public network
//! access, the selected-IP allowlist, the client private endpoints and
//! their DNS) and its associated resources, each created by the posture
//! when its name is the one amlgen gives it (`emit::plan::created_names`),
//! else named by id (`existing`).

use super::cx::Cx;
use super::text::{Entry, list, q, words};
use crate::deployed::model::{
    Associated, KeyVaultSettings, ObservedIdentity, Principal, RegistrySettings, StorageSettings,
    same_id,
};

/// `Storage Blob Data Contributor`: what `data_profiling` grants the workspace (R23).
const BLOB_CONTRIBUTOR: &str = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
use crate::deployed::ids;

/// Every entry of the workspace block.
pub(super) fn entries(cx: &mut Cx<'_>) -> Vec<Entry> {
    let ws = cx.ws;
    let mut e = Vec::new();
    let cloud = crate::catalog::regions::cloud_of(&crate::catalog::regions::key(&ws.location));
    if let Some(c) = cloud.filter(|c| *c != "public") {
        e.push(Entry::Setting("cloud".into(), c.into()));
    }
    if cloud.is_none() {
        cx.lose(
            ws.origin,
            format!("region `{}`", ws.location),
            "not an Azure region the posture language accepts (a canary or retired region; `AML2012`): written as it is, `amlgen check` refuses it",
        );
    }
    e.push(Entry::Setting("region".into(), q(&ws.location)));
    match &ws.resource_group {
        Some(rg) => {
            if rg == crate::deployed::read::NO_RESOURCE_GROUP {
                cx.lose(
                    ws.origin,
                    "the resource group",
                    "the template does not name it (an `az group export`): import it again with `--resource-group`; the placeholder is written",
                );
            }
            e.push(Entry::Setting("resource_group".into(), q(rg)));
        }
        None => cx.lose(
            ws.origin,
            "the resource group",
            "the input gives none: set `resource_group` by hand",
        ),
    }
    if let Some(s) = ws
        .subscription_id
        .as_ref()
        .filter(|_| cx.subscription_stated)
    {
        e.push(Entry::Setting("subscription_id".into(), q(s)));
    }
    if let Some(identity) = identity(cx) {
        e.push(Entry::Setting("identity".into(), identity));
    }
    if !ws.tags.is_empty() {
        let items: Vec<String> = ws
            .tags
            .iter()
            .map(|(k, v)| format!("{} = {}", q(k), q(v)))
            .collect();
        e.push(Entry::Setting(
            "tags".into(),
            format!("{{ {} }}", items.join(", ")),
        ));
    }
    if let Some(kind) = ws
        .kind
        .as_deref()
        .filter(|k| !k.eq_ignore_ascii_case("Default"))
    {
        cx.lose(
            ws.origin,
            format!("workspace kind `{kind}`"),
            "amlgen deploys `Default` workspaces only (not hubs, projects or feature stores)",
        );
    }
    if ws.v1_legacy_mode == Some(true) {
        cx.lose(ws.origin, "`v1LegacyMode: true`", "a posture deploys V2 workspaces; turning legacy mode off is one-way (`amlgen diff` says so)");
    }
    e.push(Entry::Block("inbound".into(), inbound(cx)));
    e.push(Entry::Block(
        "outbound".into(),
        super::outbound::entries(cx),
    ));
    associated(cx, &mut e);
    super::compute::entries(cx, &mut e);
    e
}

fn identity(cx: &mut Cx<'_>) -> Option<String> {
    let ws = cx.ws;
    match &ws.identity {
        ObservedIdentity::SystemAssigned => None,
        ObservedIdentity::UserAssigned { ids, primary } => {
            let chosen = primary.clone().or_else(|| ids.first().cloned());
            if ids.len() > 1 {
                cx.lose(
                    ws.origin,
                    "more than one user-assigned identity",
                    "a posture gives the workspace one identity; the primary one is written",
                );
            }
            chosen.map(|id| format!("user_assigned {}", q(&id)))
        }
        ObservedIdentity::Both { ids } => {
            cx.lose(
                ws.origin,
                format!("the user-assigned identities {}", ids.join(", ")),
                "a posture gives the workspace one identity: the system-assigned one is written",
            );
            None
        }
        ObservedIdentity::None => {
            cx.lose(
                ws.origin,
                "a workspace without a managed identity",
                "amlgen always gives the workspace one (system-assigned is written)",
            );
            None
        }
    }
}

fn inbound(cx: &mut Cx<'_>) -> Vec<Entry> {
    let ws = cx.ws;
    let mut e = Vec::new();
    let pna = ws.public_network_access.as_deref().unwrap_or("Enabled");
    let allowlist = ws
        .network_acls
        .as_ref()
        .filter(|(action, ips)| action.eq_ignore_ascii_case("Deny") && !ips.is_empty());
    let value = match (pna.to_ascii_lowercase().as_str(), allowlist) {
        ("disabled", _) => "disabled",
        ("enabled", Some(_)) => "selected_ips",
        _ => "enabled",
    };
    e.push(Entry::Setting("public_network_access".into(), value.into()));
    if let (Some((_, ips)), "selected_ips") = (allowlist, value) {
        e.push(Entry::Setting("allowed_ips".into(), list(ips)));
    }
    if let Some(pe) = private_endpoint(cx) {
        e.push(Entry::Block("private_endpoint".into(), pe));
    }
    e
}

/// The client private endpoints: one block for the subnet they are in.
fn private_endpoint(cx: &mut Cx<'_>) -> Option<Vec<Entry>> {
    let ws = cx.ws;
    let first = ws.private_endpoints.first()?;
    let subnet = first.subnet.clone();
    let mut e = Vec::new();
    let spoke_pe = ws.spoke.as_ref().is_some_and(|s| {
        ids::parent_before(&subnet, "subnets").is_some_and(|v| same_id(&v, &s.vnet_id))
    });
    if !spoke_pe {
        e.push(Entry::Setting("subnet".into(), q(&subnet)));
    }
    let mut resources: Vec<&str> = Vec::new();
    let mut zones: Vec<String> = Vec::new();
    let mut zones_known = true;
    for pe in &ws.private_endpoints {
        if !same_id(&pe.subnet, &subnet) {
            cx.lose(
                pe.origin,
                format!("private endpoint `{}` in subnet {}", pe.name, pe.subnet),
                "a posture puts the client private endpoints in one subnet",
            );
            continue;
        }
        let word = if same_id(&pe.target, &ws.id) {
            "workspace"
        } else if ws
            .storage
            .as_ref()
            .is_some_and(|a| same_id(&a.id, &pe.target))
        {
            "storage"
        } else if ws
            .key_vault
            .as_ref()
            .is_some_and(|a| same_id(&a.id, &pe.target))
        {
            "key_vault"
        } else {
            "container_registry"
        };
        if !resources.contains(&word) {
            resources.push(word);
        }
        match &pe.zones {
            Some(z) => {
                for zone in z {
                    if !zones.iter().any(|x| same_id(x, zone)) {
                        zones.push(zone.clone());
                    }
                }
            }
            None => zones_known = false,
        }
        if pe.manual {
            cx.lose(
                pe.origin,
                format!("private endpoint `{}`: a manual connection", pe.name),
                "amlgen makes automatic connections (the identity that deploys approves them)",
            );
        }
    }
    // Zones the deployment made (`dns = create`) are in the endpoints'
    // group, and in the input; zones only named by the zone groups are
    // someone else's (the hub's), written by id.
    let created_zones = ws.private_endpoints.iter().all(|p| p.zones_in_input)
        && zones.iter().all(|z| {
            ids::resource_group(z).is_some_and(|g| {
                ids::resource_group(&first.id).is_some_and(|p| p.eq_ignore_ascii_case(&g))
            })
        });
    if !zones_known {
        cx.lose(first.origin, "the private endpoints' DNS zone groups", "the input has no zone group for some endpoints: `dns = create` is written; give `az network private-endpoint dns-zone-group list` output to import the zones");
        e.push(Entry::Setting("dns".into(), "create".into()));
    } else if created_zones {
        e.push(Entry::Setting("dns".into(), "create".into()));
    } else {
        zones.sort_by_key(|z| z.to_ascii_lowercase());
        e.push(Entry::Setting("dns".into(), list(&zones)));
        // Existing zones and a spoke the posture creates: linked by the
        // deployment when the links are there, else by the hub team
        // (unless the spoke resolves through its own DNS servers).
        if let Some(spoke) = ws
            .spoke
            .as_ref()
            .filter(|s| s.vnet_known && s.dns_servers.is_empty())
        {
            let linked = !spoke.zone_links.is_empty();
            e.push(Entry::Setting("link_zones".into(), linked.to_string()));
        }
    }
    resources.sort_by_key(|w| {
        ["workspace", "storage", "key_vault", "container_registry"]
            .iter()
            .position(|x| x == w)
    });
    e.push(Entry::Setting("resources".into(), words(&resources)));
    if !spoke_pe {
        let pe_group = ids::resource_group(&first.id);
        if pe_group.is_some() && pe_group != ids::resource_group(&subnet) {
            e.push(Entry::Setting(
                "resource_group".into(),
                q(&pe_group.unwrap_or_default()),
            ));
        }
        if let Some(loc) = first
            .location
            .as_deref()
            .filter(|l| !super::cx::same_region(l, &ws.location))
        {
            e.push(Entry::Setting("region".into(), q(loc)));
        }
    }
    Some(e)
}

/// An existing resource, with its public access when the input says it:
/// a build does not change it, but the checker's rules read it (a private
/// storage needs its client endpoint, `AML3022`).
fn existing(b: &mut Vec<Entry>, id: &str, access: Option<&str>) {
    let access = access_word(access);
    if access.is_none() {
        b.push(Entry::Comment(
            "Not in the input, so taken as private: give its `az resource show` to import its access.".into(),
        ));
    }
    b.push(Entry::Setting("existing".into(), q(id)));
    if let Some(w) = access {
        b.push(Entry::Setting("public_network_access".into(), w.into()));
    }
}

/// A created resource's public access and trusted services (`bypass`
/// holding `AzureServices`).
fn access_and_trust(b: &mut Vec<Entry>, access: Option<&str>, bypass: Option<&str>) {
    if let Some(w) = access_word(access) {
        b.push(Entry::Setting("public_network_access".into(), w.into()));
    }
    let trusted = bypass.is_some_and(|b| b.contains("AzureServices"));
    b.push(Entry::Setting(
        "trusted_services".into(),
        trusted.to_string(),
    ));
}

fn access_word(pna: Option<&str>) -> Option<&'static str> {
    match pna?.to_ascii_lowercase().as_str() {
        "disabled" => Some("disabled"),
        "enabled" => Some("enabled"),
        _ => None,
    }
}

/// What the block of a storage account, key vault or registry reads of
/// its resource's settings.
trait Access {
    fn access(&self) -> Option<&str>;
    fn bypass(&self) -> Option<&str>;
}

macro_rules! access {
    ($($t:ty),*) => {$(
        impl Access for $t {
            fn access(&self) -> Option<&str> {
                self.public_network_access.as_deref()
            }
            fn bypass(&self) -> Option<&str> {
                self.bypass.as_deref()
            }
        }
    )*};
}
access!(StorageSettings, KeyVaultSettings, RegistrySettings);

/// The block of an associated resource: created by the posture when amlgen's
/// name shows it made it (its public access, trusted services and what
/// `more` adds), else `existing`.
fn block<T: Access>(
    cx: &mut Cx<'_>,
    a: &Associated<T>,
    (ty, name, what): (&str, &str, &str),
    more: impl FnOnce(&T, &mut Vec<Entry>),
) -> Vec<Entry> {
    let mut b = Vec::new();
    match (cx.is_created(&a.id, ty, name), &a.settings) {
        (false, settings) => existing(&mut b, &a.id, settings.as_ref().and_then(Access::access)),
        (true, Some(s)) => {
            access_and_trust(&mut b, s.access(), s.bypass());
            more(s, &mut b);
        }
        (true, None) => cx.lose(
            a.origin,
            format!("the {what}'s settings"),
            format!("the {what} is not in the input: its settings are the posture's defaults"),
        ),
    }
    b
}

fn associated(cx: &mut Cx<'_>, e: &mut Vec<Entry>) {
    let ws = cx.ws;
    if let Some(a) = &ws.storage {
        let name = cx.created.storage.clone();
        let b = block(
            cx,
            a,
            (
                "Microsoft.Storage/storageAccounts",
                &name,
                "default storage",
            ),
            |s, b| {
                let instance = s
                    .resource_access_rules
                    .iter()
                    .any(|r| same_id(r, &ws.id) || r.contains(&ws.name));
                b.push(Entry::Setting(
                    "resource_instance_rule".into(),
                    instance.to_string(),
                ));
                // R23: data profiling is the workspace identity's blob contributor grant on it.
                let profiling = ws.grants.iter().any(|g| {
                    g.principal == Principal::Workspace
                        && g.role == BLOB_CONTRIBUTOR
                        && same_id(&g.scope, &a.id)
                });
                if profiling {
                    b.push(Entry::Setting("data_profiling".into(), "true".into()));
                }
            },
        );
        e.push(Entry::Block("storage".into(), b));
    }
    if let Some(a) = &ws.key_vault {
        let name = cx.created.key_vault.clone();
        let b = block(
            cx,
            a,
            ("Microsoft.KeyVault/vaults", &name, "key vault"),
            |s, b| {
                b.push(Entry::Setting(
                    "purge_protection".into(),
                    (s.enable_purge_protection == Some(true)).to_string(),
                ));
            },
        );
        e.push(Entry::Block("key_vault".into(), b));
    }
    registry(cx, e);
    if let Some(a) = &ws.app_insights {
        // Its name has no suffix, so a component of the same name may well
        // be someone else's: amlgen's only when the input holds it.
        let created = a.settings.is_some()
            && cx.is_created(
                &a.id,
                "Microsoft.Insights/components",
                &cx.created.app_insights.clone(),
            );
        let mut b = Vec::new();
        if created {
            let own_log = cx.created.log_analytics.clone();
            if let Some(la) = a
                .settings
                .as_ref()
                .and_then(|s| s.log_analytics.as_deref())
                .filter(|la| {
                    !cx.is_created(la, "Microsoft.OperationalInsights/workspaces", &own_log)
                })
            {
                b.push(Entry::Setting("log_analytics".into(), q(la)));
            }
        } else {
            b.push(Entry::Setting("existing".into(), q(&a.id)));
        }
        e.push(Entry::Block("app_insights".into(), b));
    }
}

fn registry(cx: &mut Cx<'_>, e: &mut Vec<Entry>) {
    let ws = cx.ws;
    let mut b = Vec::new();
    if let Some(a) = &ws.container_registry {
        let name = cx.created.container_registry.clone();
        b = block(
            cx,
            a,
            (
                "Microsoft.ContainerRegistry/registries",
                &name,
                "container registry",
            ),
            |s, b| {
                if let Some(sku) = s.sku.as_deref() {
                    b.insert(0, Entry::Setting("sku".into(), sku.to_ascii_lowercase()));
                }
            },
        );
    } else {
        cx.lose(ws.origin, "a workspace without a container registry", "amlgen always gives the workspace one (created on its first image build otherwise): a build of this posture creates it");
    }
    if let Some(c) = &ws.image_build_compute {
        b.push(Entry::Setting("image_build_compute".into(), q(c)));
    }
    e.push(Entry::Block("container_registry".into(), b));
}
