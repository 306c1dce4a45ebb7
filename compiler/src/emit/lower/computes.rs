//! The computes module: compute instances and clusters, after everything
//! they reach (`language.md`: "Computes").

use serde_json::{Map, Value};

use crate::emit::azure::properties::{IdRef, Identity, MlCompute};
use crate::emit::azure::{Expr, Module, Ref, Resource, api, loc, tags, types};
use crate::emit::plan::Plan;
use crate::escape::Text;
use crate::ir::{Compute, ComputeKind, SubnetRole};

/// The computes, in their own module after everything they reach: the
/// workspace's private endpoints and DNS (compute without a public IP
/// reaches the workspace through them: "Secure training environments with
/// virtual networks"), and the approver grants (the first compute
/// provisions a managed network that is not yet provisioned).
#[must_use]
pub fn module(plan: &Plan) -> Option<Module> {
    let ws = plan.ws;
    let ws_name = plan.name;
    let mut resources = vec![Resource::existing(
        "workspace",
        types::WORKSPACE,
        plan.ml_api,
        ws_name,
    )];
    for (i, c) in ws.computes.iter().enumerate() {
        if let Some(body) = compute_body(plan, c) {
            resources.push(
                Resource::new(
                    &format!("compute{}", i + 1),
                    types::COMPUTE,
                    api::ML,
                    &[ws_name, c.name.as_str()],
                    format!("{} `{}`", c.kind.value.keyword().replace('_', " "), c.name),
                    MlCompute {
                        location: loc(),
                        tags: tags(),
                        identity: c.identity.as_ref().map(Identity::from),
                        properties: body,
                    },
                )
                .child_of("workspace"),
            );
        }
    }
    if resources.len() == 1 {
        return None;
    }
    Some(Module {
        symbol: "computes".into(),
        file: "computes".into(),
        deployment_name: plan.deployment("computes"),
        description:
            "the workspace's computes, after its private endpoints, DNS and role assignments".into(),
        resources,
        depends_on: Vec::new(),
        target: None,
        params: Vec::new(),
        condition: None,
    })
}

/// The ARM `properties` of a managed compute; `None` for kinds that are
/// attached, not created (Kubernetes, virtual machines).
fn compute_body(plan: &Plan, c: &Compute) -> Option<Value> {
    let ws = plan.ws;
    let d = &ws.compute;
    let subnet = match (&c.subnet, ws.outbound.custom_vnet()) {
        (Some((id, _)), _) => Some(Ref::Id(Text(id.as_str().to_string()))),
        // Custom VNet mode: instances and clusters in the training subnet.
        (None, Some(_)) => plan.subnet(SubnetRole::Training),
        (None, None) => None,
    }
    .and_then(|id| serde_json::to_value(IdRef { id }).ok());
    let mut inner = Map::new();
    if let Some(size) = &c.vm_size {
        inner.insert("vmSize".into(), serde_json::json!(Text(size.clone())));
    }
    inner.insert("enableNodePublicIp".into(), Value::Bool(c.public_ip.value));
    if let Some(s) = subnet {
        inner.insert("subnet".into(), s);
    }
    let public_ssh = if d.ssh.value { "Enabled" } else { "Disabled" };
    let compute_type = match c.kind.value {
        ComputeKind::Cluster => {
            inner.insert(
                "scaleSettings".into(),
                serde_json::json!({ "maxNodeCount": c.max_nodes.unwrap_or(1), "minNodeCount": 0 }),
            );
            inner.insert(
                "remoteLoginPortPublicAccess".into(),
                Value::from(public_ssh),
            );
            "AmlCompute"
        }
        ComputeKind::Instance => {
            inner.insert(
                "sshSettings".into(),
                serde_json::json!({ "sshPublicAccess": public_ssh }),
            );
            if let Some((script, _)) = &d.setup_script {
                inner.insert(
                    "setupScripts".into(),
                    serde_json::json!({ "scripts": { "creationScript": {
                        "scriptSource": "workspaceStorage",
                        "scriptData": Text(script.clone()),
                    } } }),
                );
            }
            if let Some(user) = &c.assigned_user {
                // Without a tenant, the workspace's: `subscription()` of the
                // deployment into the workspace's resource group is the
                // workspace's subscription, and its `tenantId` the tenant
                // whose users the workspace serves (`tenant()` would be the
                // deploying identity's tenant, which differs when a
                // pipeline deploys across tenants). Microsoft's quickstart
                // template `machine-learning-compute-create-computeinstance`
                // defaults `tenantId` to `[subscription().tenantId]` too. The
                // docs are silent on a user of another tenant; an explicit
                // `tenant_id` is written as given.
                let tenant = match &user.tenant_id {
                    Some(t) => serde_json::json!(Text(t.to_string())),
                    None => serde_json::json!(Expr::tenant_id()),
                };
                inner.insert(
                    "personalComputeInstanceSettings".into(),
                    serde_json::json!({ "assignedUser": {
                        "objectId": Text(user.object_id.to_string()),
                        "tenantId": tenant,
                    } }),
                );
            }
            "ComputeInstance"
        }
        ComputeKind::Kubernetes | ComputeKind::AttachedVm => return None,
    };
    Some(serde_json::json!({
        "computeType": compute_type,
        "disableLocalAuth": !d.local_auth.value,
        "properties": inner,
    }))
}
