//! The workspace's computes (`workspaces/computes`: instances, clusters,
//! attached Kubernetes and virtual machines) and online endpoints
//! (`workspaces/onlineEndpoints`). Property names: Microsoft's ARM schema
//! of `Microsoft.MachineLearningServices/workspaces/computes`.

use super::index::{Index, types};
use super::json::{bool_at, id_at, str_at, u64_at};
use super::workspace::identity;
use crate::deployed::ids;
use crate::deployed::model::{ObservedCompute, ObservedWorkspace, OnlineEndpoint};

pub(super) fn read(w: &mut ObservedWorkspace, idx: &Index<'_>) {
    for c in idx.of_type(types::COMPUTE) {
        if !ids::is_below(&c.id, &w.id) {
            continue;
        }
        idx.claim(c);
        let v = &c.body;
        let inner = |k: &'static str| ["properties", "properties", k];
        let ssh = str_at(
            &v,
            &["properties", "properties", "sshSettings", "sshPublicAccess"],
        )
        .or_else(|| str_at(v, &inner("remoteLoginPortPublicAccess")));
        let user = str_at(
            &v,
            &[
                "properties",
                "properties",
                "personalComputeInstanceSettings",
                "assignedUser",
                "objectId",
            ],
        )
        .map(|o| {
            (
                o,
                str_at(
                    &v,
                    &[
                        "properties",
                        "properties",
                        "personalComputeInstanceSettings",
                        "assignedUser",
                        "tenantId",
                    ],
                ),
            )
        });
        w.computes.push(ObservedCompute {
            origin: c.origin,
            name: ids::last(&c.id).to_string(),
            compute_type: str_at(v, &["properties", "computeType"]).unwrap_or_default(),
            location: c.location.clone(),
            vm_size: str_at(v, &inner("vmSize")),
            max_nodes: u64_at(
                &v,
                &["properties", "properties", "scaleSettings", "maxNodeCount"],
            ),
            subnet: id_at(v, &inner("subnet")),
            public_ip: bool_at(v, &inner("enableNodePublicIp")),
            ssh_public_access: ssh,
            disable_local_auth: bool_at(v, &["properties", "disableLocalAuth"]),
            setup_script: str_at(
                &v,
                &[
                    "properties",
                    "properties",
                    "setupScripts",
                    "scripts",
                    "creationScript",
                    "scriptData",
                ],
            ),
            identity: identity(v, None),
            assigned_user: user,
        });
    }
    w.computes.sort_by(|a, b| {
        a.name
            .to_ascii_lowercase()
            .cmp(&b.name.to_ascii_lowercase())
    });
    for e in idx.of_type(types::ONLINE_ENDPOINT) {
        if ids::is_below(&e.id, &w.id) {
            idx.claim(e);
            w.online_endpoints.push(OnlineEndpoint {
                origin: e.origin,
                name: ids::last(&e.id).to_string(),
                public_network_access: str_at(&e.body, &["properties", "publicNetworkAccess"]),
            });
        }
    }
}
