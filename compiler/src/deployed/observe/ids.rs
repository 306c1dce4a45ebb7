//! ARM resource ids, read apart: the subscription, the resource group, the
//! parent of a child resource, the scope of an extension resource.

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
