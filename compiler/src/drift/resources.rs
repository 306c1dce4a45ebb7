//! Drift of what surrounds the workspace: the associated resources'
//! settings (when the deployed files hold the resources), the computes by
//! name, the online endpoints by name, and the role assignments by scope,
//! principal and role.
//!
//! Sources: `KeyVaultProperties.enablePurgeProtection` (Microsoft's Key
//! Vault REST API and ARM schema): "Enabling this functionality is
//! irreversible - that is, the property does not accept false as its
//! value". `ClusterUpdateParameters` (Azure Machine Learning REST API,
//! @azure/arm-machinelearning): the only update of an `AmlCompute` is its
//! scale settings (`ScaleSettingsInformation`); a compute instance has
//! none, so any other change is a new compute.

use super::finding::{Class, Finding, Subject, finding};
use super::values::{flag, identity_text, in_place, same, setting};
use crate::deployed::model::{
    Associated, ObservedCompute, ObservedGrant, ObservedWorkspace, Principal, same_id,
};

pub(crate) fn compare(w: &ObservedWorkspace, d: &ObservedWorkspace, out: &mut Vec<Finding>) {
    storage(w, d, out);
    key_vault(w, d, out);
    registry(w, d, out);
    insights(w, d, out);
    computes(w, d, out);
    online_endpoints(w, d, out);
    grants(w, d, out);
}

/// Both sides' settings of an associated resource, when both are known.
fn both<'a, T>(
    w: Option<&'a Associated<T>>,
    d: Option<&'a Associated<T>>,
) -> Option<(&'a T, &'a T, crate::span::Span)> {
    let (w, d) = (w?, d?);
    Some((w.settings.as_ref()?, d.settings.as_ref()?, d.origin))
}

/// One compared setting: what, the posture's keyword, wanted, deployed.
type Row = (
    &'static str,
    Option<&'static str>,
    Option<String>,
    Option<String>,
);

/// A sorted, lower-cased list, for comparing sets of ids and addresses.
fn set(v: &[String]) -> String {
    let mut v: Vec<String> = v
        .iter()
        .map(|s| s.trim_end_matches('/').to_ascii_lowercase())
        .collect();
    v.sort();
    format!("[{}]", v.join(", "))
}

fn storage(w: &ObservedWorkspace, d: &ObservedWorkspace, out: &mut Vec<Finding>) {
    let Some((ws, ds, at)) = both(w.storage.as_ref(), d.storage.as_ref()) else {
        return;
    };
    let plain: [Row; 10] = [
        (
            "storage: properties.publicNetworkAccess",
            Some("storage.public_network_access"),
            ws.public_network_access.clone(),
            ds.public_network_access.clone(),
        ),
        (
            "storage: properties.networkAcls.defaultAction",
            Some("storage.public_network_access"),
            ws.default_action.clone(),
            ds.default_action.clone(),
        ),
        (
            "storage: properties.networkAcls.bypass",
            Some("storage.trusted_services"),
            ws.bypass.clone(),
            ds.bypass.clone(),
        ),
        (
            "storage: properties.networkAcls.resourceAccessRules",
            Some("storage.resource_instance_rule"),
            Some(set(&ws.resource_access_rules)),
            Some(set(&ds.resource_access_rules)),
        ),
        (
            "storage: properties.networkAcls.virtualNetworkRules",
            Some("storage.service_endpoint"),
            Some(set(&ws.virtual_network_rules)),
            Some(set(&ds.virtual_network_rules)),
        ),
        (
            "storage: properties.networkAcls.ipRules",
            None,
            Some(set(&ws.ip_rules)),
            Some(set(&ds.ip_rules)),
        ),
        ("storage: sku.name", None, ws.sku.clone(), ds.sku.clone()),
        (
            "storage: properties.allowBlobPublicAccess",
            None,
            flag(ws.allow_blob_public_access),
            flag(ds.allow_blob_public_access),
        ),
        (
            "storage: properties.allowSharedKeyAccess",
            None,
            flag(ws.allow_shared_key_access),
            flag(ds.allow_shared_key_access),
        ),
        (
            "storage: properties.minimumTlsVersion",
            None,
            ws.minimum_tls_version.clone(),
            ds.minimum_tls_version.clone(),
        ),
    ];
    for (what, keyword, wv, dv) in plain {
        setting(
            out,
            (what, keyword, Subject::Storage),
            (wv.as_deref(), dv.as_deref()),
            at,
            in_place,
        );
    }
    // "Azure Data Lake Storage hierarchical namespace": the namespace is
    // chosen at creation, or added by the separate, irreversible upgrade;
    // a PUT does not change it. The account kind likewise.
    for (what, wv, dv) in [
        (
            "storage: properties.isHnsEnabled",
            flag(ws.is_hns_enabled),
            flag(ds.is_hns_enabled),
        ),
        ("storage: kind", ws.kind.clone(), ds.kind.clone()),
    ] {
        setting(
            out,
            (what, None, Subject::Storage),
            (wv.as_deref(), dv.as_deref()),
            at,
            |wv, dv| {
                // "Upgrade to a general-purpose v2 storage account": a
                // v1 or Blob storage account becomes StorageV2, and the
                // upgrade cannot be undone.
                if what.ends_with("kind")
                    && same(wv, "StorageV2")
                    && (same(dv, "Storage") || same(dv, "BlobStorage"))
                {
                    return (
                        Class::OneWay,
                        format!(
                            "the next deployment upgrades the account from `{dv}` to `StorageV2`, which cannot be undone"
                        ),
                    );
                }
                (
                    Class::Refused,
                    format!(
                        "a deployment does not change this on an existing storage account: keep `{dv}` (name the account with `storage {{ existing = ... }}`), or create a new account and move the data"
                    ),
                )
            },
        );
    }
}

fn key_vault(w: &ObservedWorkspace, d: &ObservedWorkspace, out: &mut Vec<Finding>) {
    let Some((wk, dk, at)) = both(w.key_vault.as_ref(), d.key_vault.as_ref()) else {
        return;
    };
    for (what, keyword, wv, dv) in [
        (
            "key vault: properties.publicNetworkAccess",
            Some("key_vault.public_network_access"),
            wk.public_network_access.clone(),
            dk.public_network_access.clone(),
        ),
        (
            "key vault: properties.networkAcls.defaultAction",
            Some("key_vault.public_network_access"),
            wk.default_action.clone(),
            dk.default_action.clone(),
        ),
        (
            "key vault: properties.networkAcls.bypass",
            Some("key_vault.trusted_services"),
            wk.bypass.clone(),
            dk.bypass.clone(),
        ),
        (
            "key vault: properties.enableRbacAuthorization",
            None,
            flag(wk.enable_rbac_authorization),
            flag(dk.enable_rbac_authorization),
        ),
        (
            "key vault: properties.sku.name",
            None,
            wk.sku.clone(),
            dk.sku.clone(),
        ),
    ] {
        setting(
            out,
            (what, keyword, Subject::KeyVault),
            (wv.as_deref(), dv.as_deref()),
            at,
            in_place,
        );
    }
    setting(
        out,
        (
            "key vault: properties.enablePurgeProtection",
            Some("key_vault.purge_protection"),
            Subject::KeyVault,
        ),
        (
            flag(wk.enable_purge_protection).as_deref(),
            flag(dk.enable_purge_protection).as_deref(),
        ),
        at,
        |wv, _| {
            if wv == "true" {
                (
                    Class::OneWay,
                    "the next deployment turns purge protection on, and it can never be turned off: deleted secrets and the vault itself stay recoverable, and unpurgeable, for the retention period".to_string(),
                )
            } else {
                (
                    Class::Refused,
                    "Key Vault does not accept `false` once purge protection is on: keep `purge_protection = true`, or use a new key vault".to_string(),
                )
            }
        },
    );
}

fn registry(w: &ObservedWorkspace, d: &ObservedWorkspace, out: &mut Vec<Finding>) {
    let Some((wr, dr, at)) = both(w.container_registry.as_ref(), d.container_registry.as_ref())
    else {
        return;
    };
    for (what, keyword, wv, dv) in [
        (
            "container registry: properties.publicNetworkAccess",
            Some("container_registry.public_network_access"),
            wr.public_network_access.clone(),
            dr.public_network_access.clone(),
        ),
        (
            "container registry: sku.name",
            Some("container_registry.sku"),
            wr.sku.clone(),
            dr.sku.clone(),
        ),
        (
            "container registry: properties.networkRuleBypassOptions",
            Some("container_registry.trusted_services"),
            wr.bypass.clone(),
            dr.bypass.clone(),
        ),
        (
            "container registry: properties.networkRuleSet.defaultAction",
            None,
            wr.default_action.clone(),
            dr.default_action.clone(),
        ),
        (
            "container registry: properties.adminUserEnabled",
            None,
            flag(wr.admin_user_enabled),
            flag(dr.admin_user_enabled),
        ),
    ] {
        setting(
            out,
            (what, keyword, Subject::ContainerRegistry),
            (wv.as_deref(), dv.as_deref()),
            at,
            in_place,
        );
    }
}

fn insights(w: &ObservedWorkspace, d: &ObservedWorkspace, out: &mut Vec<Finding>) {
    let Some((wi, di, at)) = both(w.app_insights.as_ref(), d.app_insights.as_ref()) else {
        return;
    };
    let (wl, dl) = (wi.log_analytics.as_deref(), di.log_analytics.as_deref());
    match (wl, dl) {
        (Some(a), Some(b)) if !same_id(a, b) => out.push(
            finding(Class::InPlace, "application insights: properties.WorkspaceResourceId", Subject::AppInsights, at)
                .keyword("app_insights.log_analytics")
                .values(Some(a.to_string()), Some(b.to_string()))
                .then("the next deployment sends new telemetry to the posture's Log Analytics workspace; what was sent stays where it is"),
        ),
        // "Migrate to workspace-based Application Insights resources":
        // the migration of a classic component cannot be undone.
        (Some(a), None) => out.push(
            finding(Class::OneWay, "application insights: properties.WorkspaceResourceId", Subject::AppInsights, at)
                .keyword("app_insights.log_analytics")
                .values(Some(a.to_string()), None)
                .then("the next deployment migrates the classic component to a workspace-based one, which cannot be undone"),
        ),
        _ => {}
    }
}

/// What of a compute a deployment cannot update: each differing one means
/// the compute is deleted and created again.
fn fixed_settings(c: &ObservedCompute) -> [(&'static str, Option<String>); 9] {
    let instance = same(&c.compute_type, "ComputeInstance");
    [
        ("properties.computeType", Some(c.compute_type.clone())),
        (
            "properties.computeLocation",
            c.location.as_deref().map(crate::catalog::regions::key),
        ),
        ("properties.properties.vmSize", c.vm_size.clone()),
        (
            "properties.properties.subnet.id",
            c.subnet
                .as_ref()
                .map(|s| s.trim_end_matches('/').to_string()),
        ),
        (
            "properties.properties.enableNodePublicIp",
            flag(c.public_ip),
        ),
        (
            if instance {
                "properties.properties.sshSettings.sshPublicAccess"
            } else {
                "properties.properties.remoteLoginPortPublicAccess"
            },
            c.ssh_public_access.clone(),
        ),
        ("properties.disableLocalAuth", flag(c.disable_local_auth)),
        ("identity", Some(identity_text(&c.identity))),
        (
            "properties.properties.personalComputeInstanceSettings.assignedUser",
            c.assigned_user
                .as_ref()
                .map(|(o, t)| format!("{o} (tenant {})", t.as_deref().unwrap_or("-"))),
        ),
    ]
}

fn computes(w: &ObservedWorkspace, d: &ObservedWorkspace, out: &mut Vec<Finding>) {
    for wc in &w.computes {
        let subject = Subject::Compute(wc.name.clone());
        let Some(dc) = d.computes.iter().find(|dc| same(&dc.name, &wc.name)) else {
            out.push(
                finding(
                    Class::InPlace,
                    format!("compute `{}`", wc.name),
                    subject,
                    d.origin,
                )
                .keyword("compute")
                .values(Some(wc.compute_type.clone()), None)
                .then("the next deployment creates the compute"),
            );
            continue;
        };
        // A compute's absent subnet, identity or user is a value: none.
        for ((what, wv), (_, dv)) in fixed_settings(wc).into_iter().zip(fixed_settings(dc)) {
            let fold = |v: &Option<String>| v.as_ref().map(|s| s.to_ascii_lowercase());
            if fold(&wv) == fold(&dv) {
                continue;
            }
            out.push(
                finding(
                    Class::Disruptive,
                    format!("compute `{}`: {what}", wc.name),
                    subject.clone(),
                    dc.origin,
                )
                .keyword("compute")
                .values(wv, dv)
                .then(format!(
                    "Azure updates only a cluster's scale settings: compute `{}` must be deleted and created again (its running jobs and, for an instance, its local files are lost)",
                    wc.name
                )),
            );
        }
        let nodes = |c: &ObservedCompute| c.max_nodes.map(|n| n.to_string());
        let cluster = same(&wc.compute_type, "AmlCompute");
        setting(
            out,
            (
                &format!("compute `{}`: scaleSettings.maxNodeCount", wc.name),
                Some("compute.max_nodes"),
                subject.clone(),
            ),
            (nodes(wc).as_deref(), nodes(dc).as_deref()),
            dc.origin,
            |wv, dv| {
                if cluster {
                    in_place(wv, dv)
                } else {
                    (
                        Class::Disruptive,
                        format!("compute `{}` must be deleted and created again", wc.name),
                    )
                }
            },
        );
    }
    for dc in &d.computes {
        if !w.computes.iter().any(|wc| same(&wc.name, &dc.name)) {
            out.push(
                finding(Class::Unmanaged, format!("compute `{}`", dc.name), Subject::Workspace, dc.origin)
                    .keyword("compute")
                    .values(None, Some(dc.compute_type.clone()))
                    .then("the next deployment leaves the compute as it is: add it to the posture, or delete it"),
            );
        }
    }
}

fn online_endpoints(w: &ObservedWorkspace, d: &ObservedWorkspace, out: &mut Vec<Finding>) {
    for we in &w.online_endpoints {
        let subject = Subject::OnlineEndpoint(we.name.clone());
        match d
            .online_endpoints
            .iter()
            .find(|de| same(&de.name, &we.name))
        {
            None => out.push(
                finding(
                    Class::InPlace,
                    format!("online endpoint `{}`", we.name),
                    subject,
                    d.origin,
                )
                .keyword("online_endpoint")
                .values(Some(we.name.clone()), None)
                .then("the next deployment creates the endpoint"),
            ),
            Some(de) => setting(
                out,
                (
                    &format!(
                        "online endpoint `{}`: properties.publicNetworkAccess",
                        we.name
                    ),
                    Some("online_endpoint.public_network_access"),
                    subject,
                ),
                (
                    we.public_network_access.as_deref(),
                    de.public_network_access.as_deref(),
                ),
                de.origin,
                in_place,
            ),
        }
    }
    for de in &d.online_endpoints {
        if !w.online_endpoints.iter().any(|we| same(&we.name, &de.name)) {
            out.push(
                finding(Class::Unmanaged, format!("online endpoint `{}`", de.name), Subject::Workspace, de.origin)
                    .keyword("online_endpoint")
                    .values(None, Some(de.name.clone()))
                    .then("the next deployment leaves the endpoint as it is: add it to the posture, or delete it"),
            );
        }
    }
}

/// Whether two role assignments are to the same principal: the
/// workspace's own identity, or a user-assigned identity of the input, is
/// known by what it is (a template read back has a stand-in for its
/// object id, Azure the id itself); any other by its object id. With
/// `loose`, a wanted principal the build could not evaluate (no GUID, and
/// not recognised) matches any.
fn same_principal(w: &ObservedGrant, d: &ObservedGrant, loose: bool) -> bool {
    match (&w.principal, &d.principal) {
        (Principal::Workspace, Principal::Workspace) => true,
        (Principal::Identity(x), Principal::Identity(y)) => same_id(x, y),
        _ => {
            same(&w.principal_id, &d.principal_id)
                || (loose && crate::ir::Guid::parse(&w.principal_id).is_err())
        }
    }
}

fn same_grant(w: &ObservedGrant, d: &ObservedGrant, loose: bool) -> bool {
    same_id(&w.scope, &d.scope) && same(&w.role, &d.role) && same_principal(w, d, loose)
}

fn grant_text(g: &ObservedGrant) -> String {
    let to = match &g.principal {
        Principal::Workspace => "the workspace's identity".to_string(),
        Principal::Identity(id) => format!("identity {id}"),
        Principal::Object(_) => g.principal_id.clone(),
    };
    format!("role {} to {to} on {}", g.role, g.scope)
}

fn grants(w: &ObservedWorkspace, d: &ObservedWorkspace, out: &mut Vec<Finding>) {
    // Each deployed grant answers one wanted grant at most: the exact
    // matches first, so a principal the build could not evaluate does not
    // take another grant's.
    let mut taken = vec![false; d.grants.len()];
    let mut missing: Vec<&ObservedGrant> = w.grants.iter().collect();
    for loose in [false, true] {
        missing.retain(|wg| {
            let found = d
                .grants
                .iter()
                .zip(&taken)
                .position(|(dg, t)| !t && same_grant(wg, dg, loose));
            match found.and_then(|i| taken.get_mut(i)) {
                Some(t) => {
                    *t = true;
                    false
                }
                None => true,
            }
        });
    }
    for wg in missing {
        out.push(
            finding(
                Class::InPlace,
                "role assignment",
                Subject::Grant(wg.principal_id.clone()),
                d.origin,
            )
            .keyword("access")
            .values(Some(grant_text(wg)), None)
            .then("the next deployment creates the role assignment"),
        );
    }
    for (dg, t) in d.grants.iter().zip(&taken) {
        if !t {
            out.push(
                finding(Class::Unmanaged, "role assignment", Subject::Workspace, dg.origin)
                    .keyword("access")
                    .values(None, Some(grant_text(dg)))
                    .then("the next deployment leaves the role assignment: grant it in the posture's `access` block, or remove it (`az role assignment delete`)"),
            );
        }
    }
}
