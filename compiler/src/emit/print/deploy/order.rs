//! The order `DEPLOY.md` lists a fleet's workspaces in: a workspace that
//! refers to a resource another workspace of the build creates (a private
//! DNS zone, a spoke VNet or subnet, an associated resource: any resource
//! its template declares `existing` or names by a literal id) comes after
//! that workspace; otherwise
//! the build's order is kept. Resources are told apart by subscription,
//! resource group, type and name, ignoring case (Azure's names are
//! case-insensitive); an unstated subscription matches any.

use std::collections::{BTreeMap, BTreeSet};

use crate::emit::azure::Deployment;

/// A resource a deployment creates or refers to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceKey {
    /// `None` when the posture does not name the subscription.
    pub subscription: Option<String>,
    /// Resource group, type and name segments, lower case.
    pub key: String,
    /// The resource's name, for the text saying why.
    pub name: String,
}

/// What one deployment creates, and what it refers to without creating
/// it: the resources its templates declare `existing`, and every literal
/// resource id in a resource's properties (a subnet, a DNS zone, a
/// storage account...), with the parents of a child resource's id (a
/// subnet's VNet). Role assignments are not keyed (Azure names them).
#[must_use]
pub fn resources(
    d: &Deployment,
    subscription: Option<&str>,
) -> (Vec<ResourceKey>, Vec<ResourceKey>) {
    let mut created = Vec::new();
    // The literal ids, each once, in the order first met.
    let mut ids: Vec<&str> = Vec::new();
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let mut referred = Vec::new();
    for m in &d.modules {
        let (sub, group) = match &m.target {
            Some((s, g)) => (Some(s.as_str()), g.as_str()),
            None => (subscription, d.resource_group.as_str()),
        };
        for r in &m.resources {
            for v in r.body.values() {
                literal_ids(v, &mut |id| {
                    if seen.insert(id) {
                        ids.push(id);
                    }
                });
            }
            if r.arm_type.starts_with("Microsoft.Authorization/") || r.name_expr.is_some() {
                continue;
            }
            let key = key(sub, group, r.arm_type, &r.full_name());
            if r.existing {
                referred.push(key);
            } else {
                created.push(key);
            }
        }
    }
    for id in ids {
        if let Some(keys) = parse_id(id) {
            referred.extend(keys);
        }
    }
    referred.retain(|k| !created.iter().any(|c| same(c, k)));
    referred.sort_by(|a, b| (&a.key, &a.subscription).cmp(&(&b.key, &b.subscription)));
    referred.dedup();
    (created, referred)
}

fn key(subscription: Option<&str>, group: &str, arm_type: &str, name: &str) -> ResourceKey {
    let mut key = String::with_capacity(group.len() + arm_type.len() + name.len() + 2);
    for (i, part) in [group, arm_type, name].into_iter().enumerate() {
        if i > 0 {
            key.push('|');
        }
        key.push_str(part);
    }
    key.make_ascii_lowercase();
    ResourceKey {
        subscription: subscription.map(str::to_ascii_lowercase),
        key,
        name: name.to_string(),
    }
}

/// Every string of a value that may be a resource id (one starting
/// `/subscriptions/`, in any case), for [`parse_id`].
fn literal_ids<'a>(v: &'a serde_json::Value, out: &mut impl FnMut(&'a str)) {
    const PREFIX: &[u8] = b"/subscriptions/";
    match v {
        serde_json::Value::String(s)
            if s.as_bytes()
                .get(..PREFIX.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(PREFIX)) =>
        {
            out(s);
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| literal_ids(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| literal_ids(x, out)),
        _ => {}
    }
}

/// `/subscriptions/<s>/resourceGroups/<g>/providers/<ns>/<t1>/<n1>[/<t2>/<n2>...]`
/// as the key of the resource and of each of its parents.
fn parse_id(s: &str) -> Option<Vec<ResourceKey>> {
    let parts: Vec<&str> = s.split('/').collect();
    let [empty, subs, sub, rgs, group, providers, ns, rest @ ..] = parts.as_slice() else {
        return None;
    };
    let shape = empty.is_empty()
        && subs.eq_ignore_ascii_case("subscriptions")
        && rgs.eq_ignore_ascii_case("resourceGroups")
        && providers.eq_ignore_ascii_case("providers")
        && !rest.is_empty()
        && rest.len() % 2 == 0
        && rest.iter().all(|x| !x.is_empty());
    if !shape {
        return None;
    }
    let mut keys = Vec::with_capacity(rest.len() / 2);
    let (mut arm_type, mut name) = ((*ns).to_string(), String::new());
    for pair in rest.chunks(2) {
        arm_type.push('/');
        arm_type.push_str(pair[0]);
        if !name.is_empty() {
            name.push('/');
        }
        name.push_str(pair[1]);
        keys.push(key(Some(sub), group, &arm_type, &name));
    }
    Some(keys)
}

fn same(a: &ResourceKey, b: &ResourceKey) -> bool {
    a.key == b.key
        && match (&a.subscription, &b.subscription) {
            (Some(x), Some(y)) => x == y,
            _ => true,
        }
}

/// The workspaces in deployment order (indices into `created`/`referred`,
/// one entry per workspace), and for each the workspaces it waits for,
/// with the name of a resource that makes it wait. A cycle (two
/// workspaces each referring to what the other creates) cannot be
/// ordered: its workspaces keep the build's order, and `cyclic` says so.
#[must_use]
pub fn order<K: AsRef<[ResourceKey]>>(created: &[K], referred: &[K]) -> Ordered {
    let n = created.len();
    // Creators of each key, in build order.
    let mut by_key: BTreeMap<&str, Vec<(usize, &ResourceKey)>> = BTreeMap::new();
    for (i, keys) in created.iter().enumerate() {
        for k in keys.as_ref() {
            by_key.entry(k.key.as_str()).or_default().push((i, k));
        }
    }
    let mut waits: Vec<Vec<(usize, String)>> = vec![Vec::new(); n];
    for (i, keys) in referred.iter().enumerate() {
        for k in keys.as_ref() {
            for (j, c) in by_key.get(k.key.as_str()).into_iter().flatten() {
                if *j != i && same(c, k) && !waits[i].iter().any(|(w, _)| w == j) {
                    waits[i].push((*j, k.name.clone()));
                }
            }
        }
        waits[i].sort();
    }
    let mut placed = vec![false; n];
    let mut list = Vec::with_capacity(n);
    let mut cyclic = Vec::new();
    while list.len() < n {
        let next = (0..n).find(|&i| !placed[i] && waits[i].iter().all(|(j, _)| placed[*j]));
        if let Some(i) = next {
            placed[i] = true;
            list.push(i);
        } else {
            // A cycle: the rest in the build's order.
            for (i, done) in placed.iter_mut().enumerate() {
                if !*done {
                    *done = true;
                    list.push(i);
                    cyclic.push(i);
                }
            }
        }
    }
    Ordered {
        list,
        waits,
        cyclic,
    }
}

/// The order of a build's workspaces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ordered {
    /// Workspace indices, first to deploy first.
    pub list: Vec<usize>,
    /// Per workspace: the workspaces it waits for and a resource why.
    pub waits: Vec<Vec<(usize, String)>>,
    /// Workspaces in a cycle, listed in the build's order.
    pub cyclic: Vec<usize>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(sub: Option<&str>, k: &str) -> ResourceKey {
        ResourceKey {
            subscription: sub.map(str::to_string),
            key: k.to_string(),
            name: k.to_string(),
        }
    }

    #[test]
    fn a_user_comes_after_its_creator_and_the_rest_keep_their_order() {
        let created = vec![vec![], vec![key(Some("s"), "zone")], vec![]];
        let referred = vec![
            vec![key(None, "zone")],
            vec![],
            vec![key(Some("t"), "zone")],
        ];
        let o = order(&created, &referred);
        // 0 needs 1's zone (any subscription); 2 names another subscription.
        assert_eq!(o.list, vec![1, 0, 2]);
        assert_eq!(o.waits[0], vec![(1, "zone".to_string())]);
        assert!(o.waits[2].is_empty() && o.cyclic.is_empty());
    }

    #[test]
    fn literal_ids_name_the_resource_and_its_parents() {
        let keys = parse_id("/subscriptions/S/resourceGroups/RG/providers/Microsoft.Network/virtualNetworks/v/subnets/s").unwrap();
        let got: Vec<_> = keys.iter().map(|k| k.key.as_str()).collect();
        assert_eq!(
            got,
            [
                "rg|microsoft.network/virtualnetworks|v",
                "rg|microsoft.network/virtualnetworks/subnets|v/s"
            ]
        );
        assert_eq!(keys[0].subscription.as_deref(), Some("s"));
        for not_an_id in [
            "",
            "/subscriptions/S",
            "/subscriptions/S/resourceGroups/RG",
            "/subscriptions/S/resourceGroups/RG/providers/Microsoft.Network/virtualNetworks",
            "/subscriptions/S/providers/Microsoft.Authorization/roleDefinitions/x",
            "[resourceId('Microsoft.Network/virtualNetworks', 'v')]",
        ] {
            assert!(parse_id(not_an_id).is_none(), "{not_an_id}");
        }
    }

    #[test]
    fn a_cycle_keeps_the_build_order() {
        let created = vec![vec![key(None, "a")], vec![key(None, "b")]];
        let referred = vec![vec![key(None, "b")], vec![key(None, "a")]];
        let o = order(&created, &referred);
        assert_eq!(o.list, vec![0, 1]);
        assert_eq!(o.cyclic, vec![0, 1]);
    }
}
