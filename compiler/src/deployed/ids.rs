//! ARM resource ids: made from a type and a name (the template functions
//! `resourceId`, `subscriptionResourceId`, `extensionResourceId`,
//! `tenantResourceId` build them the same way), and read back.
//!
//! The form is ARM's: `/subscriptions/{sub}/resourceGroups/{rg}/providers/
//! {namespace}/{type}/{name}[/{childType}/{childName}...]` ("Resource
//! identifier format", in the `resourceId` section of "Resource functions
//! for ARM templates").

/// The `/providers/...` tail of an id: a type `Ns/t1/t2` and a name
/// `n1/n2` interleaved. `None` when the name has not one segment per type
/// segment.
#[must_use]
pub fn provider_tail(ty: &str, name: &str) -> Option<String> {
    let mut parts = ty.split('/');
    let ns = parts.next().filter(|n| !n.is_empty())?;
    let types: Vec<&str> = parts.collect();
    let names: Vec<&str> = name.split('/').collect();
    if types.is_empty() || types.len() != names.len() {
        return None;
    }
    let mut out = format!("/providers/{ns}");
    for (t, n) in types.iter().zip(&names) {
        out.push('/');
        out.push_str(t);
        out.push('/');
        out.push_str(n);
    }
    Some(out)
}

/// The id of a resource in a resource group (or at subscription level
/// when `group` is `None`).
#[must_use]
pub fn resource_id(subscription: &str, group: Option<&str>, ty: &str, name: &str) -> String {
    let tail = provider_tail(ty, name).unwrap_or_else(|| format!("/providers/{ty}/{name}"));
    match group {
        Some(g) => format!("/subscriptions/{subscription}/resourceGroups/{g}{tail}"),
        None => format!("/subscriptions/{subscription}{tail}"),
    }
}

/// The subscription and resource group an id names.
#[must_use]
pub fn scope_of(id: &str) -> (Option<String>, Option<String>) {
    let segs: Vec<&str> = id.split('/').collect();
    let after = |key: &str| {
        segs.iter()
            .position(|s| s.eq_ignore_ascii_case(key))
            .and_then(|i| segs.get(i + 1))
            .filter(|s| !s.is_empty())
            .map(|s| (*s).to_string())
    };
    (after("subscriptions"), after("resourceGroups"))
}

/// The type and name of a resource id (`Ns/t1/t2`, `n1/n2`), from its
/// last `/providers/` segment on.
#[must_use]
pub fn type_and_name(id: &str) -> Option<(String, String)> {
    let lower = id.to_ascii_lowercase();
    let at = lower.rfind("/providers/")?;
    let rest = id.get(at + "/providers/".len()..)?;
    let mut segs = rest.split('/');
    let ns = segs.next()?;
    let segs: Vec<&str> = segs.collect();
    if segs.is_empty() || !segs.len().is_multiple_of(2) {
        return None;
    }
    let types: Vec<&str> = segs.iter().step_by(2).copied().collect();
    let names: Vec<&str> = segs.iter().skip(1).step_by(2).copied().collect();
    Some((format!("{ns}/{}", types.join("/")), names.join("/")))
}

/// The subscription GUID of an id (`/subscriptions/<guid>/...`).
#[must_use]
pub fn subscription(id: &str) -> Option<String> {
    segment_after(id, "subscriptions")
}

/// The resource group name of an id (`.../resourceGroups/<name>/...`).
#[must_use]
pub fn resource_group(id: &str) -> Option<String> {
    segment_after(id, "resourceGroups")
}

/// The resource group's own id, `/subscriptions/<s>/resourceGroups/<g>`.
#[must_use]
pub fn group_id(id: &str) -> Option<String> {
    Some(format!(
        "/subscriptions/{}/resourceGroups/{}",
        subscription(id)?,
        resource_group(id)?
    ))
}

/// The last segment: a resource's own name.
#[must_use]
pub fn last(id: &str) -> &str {
    id.trim_end_matches('/').rsplit('/').next().unwrap_or("")
}

/// The id up to `/<child>/<name>`, e.g. the VNet of a subnet id
/// (`parent_before(id, "subnets")`).
#[must_use]
pub fn parent_before(id: &str, child: &str) -> Option<String> {
    let lower = id.to_ascii_lowercase();
    let marker = format!("/{}/", child.to_ascii_lowercase());
    lower.rfind(&marker).map(|i| id[..i].to_string())
}

/// The scope of an extension resource id:
/// `<scope>/providers/Microsoft.Authorization/roleAssignments/<name>` → `<scope>`.
#[must_use]
pub fn extension_scope(id: &str, provider_type: &str) -> Option<String> {
    let lower = id.to_ascii_lowercase();
    let marker = format!("/providers/{}/", provider_type.to_ascii_lowercase());
    lower.rfind(&marker).map(|i| id[..i].to_string())
}

/// Whether `child` is a resource below `parent` (`parent/...`), ignoring case.
#[must_use]
pub fn is_below(child: &str, parent: &str) -> bool {
    let (c, p) = (child.to_ascii_lowercase(), parent.to_ascii_lowercase());
    c.len() > p.len() + 1 && c.starts_with(&p) && c.as_bytes()[p.len()] == b'/'
}

fn segment_after(id: &str, key: &str) -> Option<String> {
    let mut parts = id.split('/');
    while let Some(p) = parts.next() {
        if p.eq_ignore_ascii_case(key) {
            return parts.next().filter(|s| !s.is_empty()).map(str::to_string);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        let id = resource_id(
            "s",
            Some("rg"),
            "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
            "z/l",
        );
        assert_eq!(
            id,
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/z/virtualNetworkLinks/l"
        );
        assert_eq!(
            type_and_name(&id),
            Some((
                "Microsoft.Network/privateDnsZones/virtualNetworkLinks".into(),
                "z/l".into()
            ))
        );
        assert_eq!(scope_of(&id), (Some("s".into()), Some("rg".into())));
    }
}

#[cfg(test)]
mod read_apart {
    use super::*;

    #[test]
    fn ids_read_apart() {
        let id = "/subscriptions/s1/resourceGroups/rg-a/providers/Microsoft.Network/virtualNetworks/v/subnets/snet";
        assert_eq!(subscription(id).as_deref(), Some("s1"));
        assert_eq!(resource_group(id).as_deref(), Some("rg-a"));
        assert_eq!(last(id), "snet");
        assert_eq!(
            parent_before(id, "subnets").as_deref(),
            Some(
                "/subscriptions/s1/resourceGroups/rg-a/providers/Microsoft.Network/virtualNetworks/v"
            )
        );
        let ra = "/subscriptions/s1/resourceGroups/rg-a/providers/Microsoft.Authorization/roleAssignments/g";
        assert_eq!(
            extension_scope(ra, "Microsoft.Authorization/roleAssignments").as_deref(),
            Some("/subscriptions/s1/resourceGroups/rg-a")
        );
        assert!(is_below(id, "/SUBSCRIPTIONS/s1/resourceGroups/rg-a"));
        assert!(!is_below("/a/bc", "/a/b"));
        assert_eq!(
            group_id(id).as_deref(),
            Some("/subscriptions/s1/resourceGroups/rg-a")
        );
    }
}
