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
