//! `compare`: the workspace a posture builds against the one deployed,
//! model to model ([`ObservedWorkspace`]), pure. This file holds the
//! entry point and the workspace's own settings (region, kind, inbound,
//! identity, tags, its associated resources' ids); `network.rs` the
//! managed network and client endpoints, `resources.rs` the associated
//! resources' settings, computes, online endpoints and grants, `spoke.rs`
//! custom VNet mode's spoke.
//!
//! Only what both sides state is compared: a setting the build does not
//! write (`v1LegacyMode` when the posture has no word for it) or that the
//! deployed files do not hold is not drift. Strings compare ignoring ASCII
//! case (Azure's enum values and names do), ids with [`same_id`].

use super::finding::{Class, Finding, Subject, finding};
use super::values::{flag, identity_text, in_place, setting};
use super::{network, resources, spoke};
use crate::deployed::model::{Associated, ObservedIdentity, ObservedWorkspace, same_id};

/// Every difference between `wanted` (what the posture builds, read back)
/// and `deployed`, classified.
#[must_use]
pub fn compare(wanted: &ObservedWorkspace, deployed: &ObservedWorkspace) -> Vec<Finding> {
    let mut out = Vec::new();
    workspace_settings(wanted, deployed, &mut out);
    identity(wanted, deployed, &mut out);
    tags(wanted, deployed, &mut out);
    associated_ids(wanted, deployed, &mut out);
    network::compare(wanted, deployed, &mut out);
    resources::compare(wanted, deployed, &mut out);
    spoke::compare(wanted, deployed, &mut out);
    out
}

/// A region as ARM compares it: `West Europe` is `westeurope`.
fn region(r: &str) -> String {
    r.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

fn workspace_settings(w: &ObservedWorkspace, d: &ObservedWorkspace, out: &mut Vec<Finding>) {
    let at = d.origin;
    if region(&w.location) != region(&d.location) && !w.location.is_empty() {
        // "Move Azure Machine Learning workspaces between subscriptions":
        // moving a workspace to another region is not supported; ARM
        // refuses a PUT that changes an existing resource's location.
        out.push(
            finding(Class::Refused, "location", Subject::Workspace, at)
                .keyword("region")
                .values(Some(w.location.clone()), Some(d.location.clone()))
                .then(
                    "Azure does not move a workspace to another region: create a new workspace in the posture's region (another name) and move the assets, or keep the deployed region",
                ),
        );
    }
    setting(
        out,
        ("kind", None, Subject::Workspace),
        (w.kind.as_deref(), d.kind.as_deref()),
        at,
        |_, _| {
            (
                Class::Refused,
                "a workspace's kind (`Default`, `Hub`, `Project`, `FeatureStore`) is set when it is created: create a new workspace of that kind and move the assets".to_string(),
            )
        },
    );
    setting(
        out,
        (
            "properties.publicNetworkAccess",
            Some("inbound.public_network_access"),
            Subject::Inbound,
        ),
        (
            w.public_network_access.as_deref(),
            d.public_network_access.as_deref(),
        ),
        at,
        in_place,
    );
    let acl = |a: &Option<(String, Vec<String>)>| {
        a.as_ref().map(|(action, ips)| {
            let mut ips: Vec<String> = ips.iter().map(|i| i.to_ascii_lowercase()).collect();
            ips.sort();
            format!("{action} [{}]", ips.join(", "))
        })
    };
    setting(
        out,
        (
            "properties.networkAcls",
            Some("inbound.allowed_ips"),
            Subject::Inbound,
        ),
        (
            acl(&w.network_acls).as_deref(),
            acl(&d.network_acls).as_deref(),
        ),
        at,
        in_place,
    );
    // "Network isolation change with our new API platform on Azure
    // Resource Manager": with API version 2022-05-01 or newer the flag is
    // false by default (amlgen's are newer, and write none). Leaving V1
    // legacy mode is one-way in practice: the same page says the v1 API
    // was deprecated on March 31, 2025, CLI v1 support ended on September
    // 30, 2025 and SDK v1 support on June 30, 2026, so nothing supported
    // can use the workspace in legacy mode again.
    setting(
        out,
        ("properties.v1LegacyMode", None, Subject::Workspace),
        (
            Some(flag(w.v1_legacy_mode).as_deref().unwrap_or("false")),
            flag(d.v1_legacy_mode).as_deref(),
        ),
        at,
        |_, _| {
            (
                Class::OneWay,
                "the next deployment makes it a V2 workspace (`v1LegacyMode` false); the v1 API legacy mode serves is retired (deprecated March 31, 2025; CLI v1 support ended September 30, 2025, SDK v1 support June 30, 2026: \"Network isolation change with our new API platform on Azure Resource Manager\"), so there is no going back in practice".to_string(),
            )
        },
    );
    setting(
        out,
        (
            "properties.imageBuildCompute",
            Some("container_registry.image_build_compute"),
            Subject::ContainerRegistry,
        ),
        (
            w.image_build_compute.as_deref(),
            d.image_build_compute.as_deref(),
        ),
        at,
        in_place,
    );
}

fn identity(w: &ObservedWorkspace, d: &ObservedWorkspace, out: &mut Vec<Finding>) {
    let (wt, dt) = (identity_text(&w.identity), identity_text(&d.identity));
    if wt != dt {
        // `identity` is part of WorkspaceUpdateParameters
        // (@azure/arm-machinelearning): an update in place. The new
        // identity needs the role assignments the build derives for it.
        out.push(
            finding(Class::InPlace, "identity", Subject::Identity, d.origin)
                .keyword("identity")
                .values(Some(wt), Some(dt))
                .then("the next deployment sets the workspace's identity; the build's role assignments for it are created in the same deployment"),
        );
    }
    if let (
        ObservedIdentity::UserAssigned {
            primary: Some(wp), ..
        },
        ObservedIdentity::UserAssigned {
            primary: Some(dp), ..
        },
    ) = (&w.identity, &d.identity)
        && !same_id(wp, dp)
    {
        out.push(
            finding(
                Class::InPlace,
                "properties.primaryUserAssignedIdentity",
                Subject::Identity,
                d.origin,
            )
            .keyword("identity")
            .values(Some(wp.clone()), Some(dp.clone()))
            .then(format!("the next deployment sets it to `{wp}`")),
        );
    }
}

fn tags(w: &ObservedWorkspace, d: &ObservedWorkspace, out: &mut Vec<Finding>) {
    // ARM tag names are case-insensitive; a PUT replaces the whole tag
    // set, so a tag only deployed is removed (in place, not left).
    let find = |tags: &std::collections::BTreeMap<String, String>, name: &str| {
        tags.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    for (name, value) in &w.tags {
        let deployed = find(&d.tags, name);
        if deployed.as_deref() != Some(value.as_str()) {
            out.push(
                finding(
                    Class::InPlace,
                    format!("tag `{name}`"),
                    Subject::Tag(name.clone()),
                    d.origin,
                )
                .keyword("tags")
                .values(Some(value.clone()), deployed)
                .then(format!(
                    "the next deployment sets tag `{name}` to `{value}`"
                )),
            );
        }
    }
    for (name, value) in &d.tags {
        if find(&w.tags, name).is_none() {
            out.push(
                finding(
                    Class::InPlace,
                    format!("tag `{name}`"),
                    Subject::Tag(name.clone()),
                    d.origin,
                )
                .keyword("tags")
                .values(None, Some(value.clone()))
                .then(format!(
                    "the next deployment replaces the workspace's tags and removes `{name}`: add it to the posture's `tags` to keep it"
                )),
            );
        }
    }
}

/// An associated resource's id.
fn id_of<T>(a: Option<&Associated<T>>) -> Option<&str> {
    a.map(|a| a.id.as_str())
}

fn associated_ids(w: &ObservedWorkspace, d: &ObservedWorkspace, out: &mut Vec<Finding>) {
    // WorkspaceUpdateParameters (@azure/arm-machinelearning) has
    // `applicationInsights` and `containerRegistry` but neither
    // `storageAccount` nor `keyVault`: the default storage and key vault
    // are fixed when the workspace is created.
    let pairs = [
        (
            "properties.storageAccount",
            "storage",
            Subject::Storage,
            id_of(w.storage.as_ref()),
            id_of(d.storage.as_ref()),
            false,
        ),
        (
            "properties.keyVault",
            "key_vault",
            Subject::KeyVault,
            id_of(w.key_vault.as_ref()),
            id_of(d.key_vault.as_ref()),
            false,
        ),
        (
            "properties.containerRegistry",
            "container_registry",
            Subject::ContainerRegistry,
            id_of(w.container_registry.as_ref()),
            id_of(d.container_registry.as_ref()),
            true,
        ),
        (
            "properties.applicationInsights",
            "app_insights",
            Subject::AppInsights,
            id_of(w.app_insights.as_ref()),
            id_of(d.app_insights.as_ref()),
            true,
        ),
    ];
    for (what, keyword, subject, wanted, deployed, updatable) in pairs {
        let (Some(wi), Some(di)) = (wanted, deployed) else {
            continue;
        };
        if same_id(wi, di) {
            continue;
        }
        let (class, consequence) = if updatable {
            (
                Class::InPlace,
                format!("the next deployment points the workspace at `{wi}`"),
            )
        } else {
            (
                Class::Refused,
                format!(
                    "a workspace's `{keyword}` cannot be changed after it is created: name the deployed one (`{keyword} {{ existing = \"{di}\" }}`), or create a new workspace and move the assets"
                ),
            )
        };
        out.push(
            finding(class, what, subject, d.origin)
                .keyword(keyword)
                .values(Some(wi.to_string()), Some(di.to_string()))
                .then(consequence),
        );
    }
}
