//! Computes (the unnamed `compute` block with what every compute shares,
//! one named block per compute), online endpoints, and the `access`
//! block: role assignments to people and groups. Assignments to the
//! workspace's and its computes' own identities are the ones amlgen makes
//! from the posture (`reads`, and the grants `docs/language.md` derives),
//! so they are written as `reads` or left to the build.

use super::cx::Cx;
use super::text::{Entry, list, q};
use crate::catalog::roles::BUILT_IN_ROLES;
use crate::deployed::model::{ObservedCompute, ObservedIdentity, Principal, same_id};

/// `Storage Blob Data Reader`: what `reads` grants a compute's identity.
const BLOB_READER: &str = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";

pub(super) fn entries(cx: &mut Cx<'_>, e: &mut Vec<Entry>) {
    let ws = cx.ws;
    let computes: Vec<&ObservedCompute> = ws.computes.iter().collect();
    if !computes.is_empty() {
        e.push(Entry::Block("compute".into(), shared(cx, &computes)));
    }
    for c in computes {
        if let Some(b) = named(cx, c) {
            e.push(Entry::Block(format!("compute {}", q(&c.name)), b));
        }
    }
    for ep in &ws.online_endpoints {
        let mut b = Vec::new();
        if let Some(p) = ep.public_network_access.as_deref() {
            b.push(Entry::Setting(
                "public_network_access".into(),
                p.to_ascii_lowercase(),
            ));
        }
        e.push(Entry::Block(format!("online_endpoint {}", q(&ep.name)), b));
    }
    let grants = access(cx);
    if !grants.is_empty() {
        e.push(Entry::Block("access".into(), grants));
    }
}

/// One value all computes of a kind share, else the first one's and a loss.
fn agreed<T: PartialEq + Clone>(
    cx: &mut Cx<'_>,
    computes: &[&ObservedCompute],
    what: &str,
    get: impl Fn(&ObservedCompute) -> Option<T>,
) -> Option<T> {
    let values: Vec<(&ObservedCompute, T)> = computes
        .iter()
        .filter_map(|c| get(c).map(|v| (*c, v)))
        .collect();
    let (_, first) = values.first()?.clone();
    for (c, v) in &values {
        if *v != first {
            cx.lose(c.origin, format!("compute `{}`: its {what}", c.name), "a posture sets it once for every compute (the unnamed `compute` block); the first compute's is written");
        }
    }
    Some(first)
}

/// The unnamed block: SSH, local authentication and the setup script.
fn shared(cx: &mut Cx<'_>, computes: &[&ObservedCompute]) -> Vec<Entry> {
    let managed: Vec<&ObservedCompute> =
        computes.iter().copied().filter(|c| is_managed(c)).collect();
    let mut b = Vec::new();
    let ssh = agreed(cx, &managed, "SSH access", |c| {
        c.ssh_public_access
            .as_deref()
            .map(|s| s.eq_ignore_ascii_case("Enabled"))
    });
    b.push(Entry::Setting(
        "ssh".into(),
        ssh.unwrap_or(false).to_string(),
    ));
    let local = agreed(cx, &managed, "local authentication", |c| {
        c.disable_local_auth.map(|d| !d)
    });
    b.push(Entry::Setting(
        "local_auth".into(),
        local.unwrap_or(false).to_string(),
    ));
    let instances: Vec<&ObservedCompute> = managed
        .iter()
        .copied()
        .filter(|c| c.compute_type == "ComputeInstance")
        .collect();
    if let Some(script) = agreed(cx, &instances, "setup script", |c| c.setup_script.clone()) {
        b.push(Entry::Setting("setup_script".into(), q(&script)));
    }
    b
}

fn is_managed(c: &ObservedCompute) -> bool {
    matches!(c.compute_type.as_str(), "ComputeInstance" | "AmlCompute")
}

fn named(cx: &mut Cx<'_>, c: &ObservedCompute) -> Option<Vec<Entry>> {
    let ws = cx.ws;
    let kind = match c.compute_type.as_str() {
        "ComputeInstance" => "instance",
        "AmlCompute" => "cluster",
        "Kubernetes" | "AKS" => "kubernetes",
        "VirtualMachine" => "attached_vm",
        other => {
            cx.lose(
                c.origin,
                format!("compute `{}` of type `{other}`", c.name),
                "a posture declares instances, clusters, Kubernetes and attached virtual machines",
            );
            return None;
        }
    };
    let mut b = vec![Entry::Setting("kind".into(), kind.into())];
    if let Some(size) = &c.vm_size {
        b.push(Entry::Setting("vm_size".into(), q(size)));
    }
    if let Some(n) = c.max_nodes.filter(|_| kind == "cluster") {
        b.push(Entry::Setting("max_nodes".into(), n.to_string()));
    }
    if let Some(loc) = c
        .location
        .as_deref()
        .filter(|l| !super::cx::same_region(l, &ws.location))
    {
        b.push(Entry::Setting("region".into(), q(loc)));
    }
    let spoke_training = ws
        .spoke
        .as_ref()
        .map(|s| format!("{}/subnets/{}", s.vnet_id, s.training_subnet));
    if let Some(subnet) = c
        .subnet
        .as_deref()
        .filter(|s| !spoke_training.as_deref().is_some_and(|t| same_id(s, t)))
    {
        b.push(Entry::Setting("subnet".into(), q(subnet)));
    }
    if c.public_ip == Some(true) {
        b.push(Entry::Setting("public_ip".into(), "true".into()));
    }
    let identity_id = match &c.identity {
        ObservedIdentity::SystemAssigned => {
            b.push(Entry::Setting("identity".into(), "system_assigned".into()));
            Some(format!("{}/computes/{}", ws.id, c.name))
        }
        ObservedIdentity::UserAssigned { ids, .. } => {
            if ids.len() > 1 {
                cx.lose(
                    c.origin,
                    format!("compute `{}`: more than one user-assigned identity", c.name),
                    "a posture gives a compute one identity; the first is written",
                );
            }
            let id = ids.first().cloned()?;
            b.push(Entry::Setting(
                "identity".into(),
                format!("user_assigned {}", q(&id)),
            ));
            Some(id)
        }
        ObservedIdentity::Both { .. } => {
            cx.lose(
                c.origin,
                format!("compute `{}`: system- and user-assigned identities", c.name),
                "a posture gives a compute one identity: system-assigned is written",
            );
            b.push(Entry::Setting("identity".into(), "system_assigned".into()));
            Some(format!("{}/computes/{}", ws.id, c.name))
        }
        ObservedIdentity::None => None,
    };
    if let Some(id) = identity_id {
        let reads: Vec<String> = ws
            .grants
            .iter()
            .filter(|g| g.principal == Principal::Identity(id.clone()) && g.role == BLOB_READER)
            .map(|g| g.scope.clone())
            .collect();
        if !reads.is_empty() {
            b.push(Entry::Setting("reads".into(), list(&reads)));
        }
    }
    if let Some((object, tenant)) = &c.assigned_user {
        let mut v = format!("{{ object_id = {}", q(object));
        if let Some(t) = tenant
            .as_deref()
            .filter(|t| crate::ir::Guid::parse(t).is_ok())
        {
            v = format!("{v}, tenant_id = {}", q(t));
        }
        v.push_str(" }");
        b.push(Entry::Setting("assigned_user".into(), v));
    }
    Some(b)
}

/// `grant` statements for assignments to people, groups and applications.
fn access(cx: &mut Cx<'_>) -> Vec<Entry> {
    let ws = cx.ws;
    let mut out = Vec::new();
    for g in &ws.grants {
        let Principal::Object(object) = &g.principal else {
            continue;
        };
        let Some(role) = BUILT_IN_ROLES
            .iter()
            .find(|r| r.id.eq_ignore_ascii_case(&g.role))
        else {
            cx.lose(
                g.origin,
                format!("role assignment of role {} to {object}", g.role),
                "not a built-in role amlgen knows (`docs/language.md` section 15)",
            );
            continue;
        };
        let kind = match g
            .principal_type
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("user") => "user",
            Some("group") => "group",
            Some("serviceprincipal") => "service_principal",
            other => {
                cx.lose(
                    g.origin,
                    format!("role assignment of `{}` to {object}", role.name),
                    format!(
                        "its principal type ({}) is not one a grant names",
                        other.unwrap_or("not in the input")
                    ),
                );
                continue;
            }
        };
        let scope = scope_word(cx, &g.scope);
        let on = match scope.as_deref() {
            Some("workspace") => String::new(),
            Some(w) => format!(" on {w}"),
            None => format!(" on {}", q(&g.scope)),
        };
        out.push(Entry::Line(format!(
            "grant {} to {kind} {}{on}",
            q(role.name),
            q(object)
        )));
    }
    out
}

fn scope_word(cx: &Cx<'_>, scope: &str) -> Option<String> {
    let ws = cx.ws;
    if same_id(scope, &ws.id) {
        return Some("workspace".into());
    }
    if crate::deployed::ids::group_id(&ws.id).is_some_and(|g| same_id(&g, scope)) {
        return Some("resource_group".into());
    }
    for (word, id) in [
        ("storage", ws.storage.as_ref().map(|a| &a.id)),
        ("key_vault", ws.key_vault.as_ref().map(|a| &a.id)),
        (
            "container_registry",
            ws.container_registry.as_ref().map(|a| &a.id),
        ),
    ] {
        if id.is_some_and(|i| same_id(i, scope)) {
            return Some(word.into());
        }
    }
    None
}
