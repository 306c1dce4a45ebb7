//! The deployed form of a build: what Azure returns on a GET for each
//! resource a build's own template declares, so the round-trip tests
//! (build → deployed → import → build, and `diff` of a build against its
//! own deployed form) see what a user's `az ... show` would print.
//!
//! Input: the resources of the build's `azuredeploy.json` as the reader
//! evaluated them (ids, names, types, `properties` with expressions
//! resolved). Output: a JSON array of ARM objects (the shape `az resource
//! show --ids A B` prints), each the resource's body plus the read-only
//! fields Azure adds. Include it from a test file with
//! `#[path = "common/deployed.rs"] mod deployed;`.
//!
//! Sources of each added field are cited where it is added. The REST
//! examples named are vendored in `tests/data/deployed/rest/` (see its
//! `SOURCE.md`). Values Azure makes up (GUIDs, timestamps, the 8-hex
//! suffix of the platform's rule names) are deterministic functions of
//! the resource id here, so snapshots stay stable.

// Every test crate that includes this module uses a different part of it.
#![allow(dead_code)]

use amlgen::deployed::DeployedResource;
use serde_json::{Map, Value, json};

/// The time every `systemData` and `createdOn` says.
const CREATED_AT: &str = "2026-01-01T00:00:00.0000000Z";
/// The deploying identity every `systemData` names.
const DEPLOYER: &str = "00000000-0000-0000-0000-00000000d3b1";
/// The tenant every identity's `tenantId` says.
pub const TENANT: &str = "00000000-0000-0000-0000-0000000000aa";

/// Every resource in its deployed form (see the module header).
///
/// A resource the template declares more than once (amlgen's two-phase
/// workspace: `<name>-workspace`, then `<name>-workspace-final`) is one
/// resource in Azure, in the state of its last declaration: ARM deploys
/// the declarations in order and a GET returns the last. It appears once,
/// where it was first declared, with the last declaration's body.
#[must_use]
pub fn deployed_form(resources: &[DeployedResource]) -> Value {
    let last: Vec<&DeployedResource> = resources
        .iter()
        .enumerate()
        .filter(|(i, r)| {
            !resources
                .iter()
                .take(*i)
                .any(|earlier| amlgen::deployed::model::same_id(&earlier.id, &r.id))
        })
        .map(|(_, first)| {
            resources
                .iter()
                .rev()
                .find(|r| amlgen::deployed::model::same_id(&r.id, &first.id))
                .unwrap_or(first)
        })
        .collect();
    Value::Array(
        last.iter()
            .map(|r| Value::Object(deployed_resource(r, resources)))
            .collect(),
    )
}

/// One resource as a GET returns it.
#[must_use]
pub fn deployed_resource(r: &DeployedResource, all: &[DeployedResource]) -> Map<String, Value> {
    let mut body = r.body.clone();
    // A GET's `id` is the full id, `name` only the last segment of a child
    // resource's name, `type` the full type: the REST examples'
    // `compute-instance-get.json` (`"name": "compute123"` for
    // `.../workspaces/workspaces123/computes/compute123`) and
    // `private-dns-zone-group-get.json`.
    body.insert("id".into(), json!(r.id));
    body.insert("name".into(), json!(last_segment(&r.name)));
    body.insert("type".into(), json!(r.arm_type));
    if let Some(loc) = &r.location {
        body.insert("location".into(), json!(loc));
    }
    if !r.tags.is_empty() {
        body.insert("tags".into(), json!(r.tags));
    }
    let is_role_assignment = r.is("Microsoft.Authorization/roleAssignments");
    if is_role_assignment {
        role_assignment(r, &mut body);
    } else {
        // `systemData`: ARM's common type (`common-types/resource-management/
        // v5/types.json#/definitions/systemData`: createdBy, createdByType,
        // createdAt, lastModifiedBy, lastModifiedByType, lastModifiedAt).
        body.insert("systemData".into(), system_data());
        // `provisioningState`: every example GET of the vendored set says
        // `"Succeeded"` (compute, private endpoint, DNS zone group,
        // private endpoint connection); role assignments have none
        // (`role-assignment-get.json`).
        properties_mut(&mut body).insert("provisioningState".into(), json!("Succeeded"));
    }
    add_identity_ids(&r.id, &mut body);
    if r.is("Microsoft.MachineLearningServices/workspaces") {
        workspace(r, all, &mut body);
    } else if r.is("Microsoft.MachineLearningServices/workspaces/computes") {
        compute(&mut body);
    } else if r.is("Microsoft.Network/privateEndpoints") {
        private_endpoint(r, &mut body);
    }
    body
}

fn properties_mut(body: &mut Map<String, Value>) -> &mut Map<String, Value> {
    let entry = body
        .entry("properties")
        .or_insert_with(|| Value::Object(Map::new()));
    if !entry.is_object() {
        *entry = Value::Object(Map::new());
    }
    match entry {
        Value::Object(m) => m,
        _ => unreachable!("made an object above"),
    }
}

fn system_data() -> Value {
    json!({
        "createdBy": DEPLOYER,
        "createdByType": "Application",
        "createdAt": CREATED_AT,
        "lastModifiedBy": DEPLOYER,
        "lastModifiedByType": "Application",
        "lastModifiedAt": CREATED_AT,
    })
}

/// Managed identities: `principalId` and `tenantId` for a system-assigned
/// one, `principalId` and `clientId` for each user-assigned one: the REST
/// example `workspace-get.json` (`"type": "SystemAssigned,UserAssigned"`,
/// each `userAssignedIdentities` value with `principalId` and `clientId`).
fn add_identity_ids(id: &str, body: &mut Map<String, Value>) {
    let Some(Value::Object(identity)) = body.get_mut("identity") else {
        return;
    };
    let ty = identity
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_ascii_lowercase();
    if ty.contains("systemassigned") {
        identity.insert(
            "principalId".into(),
            json!(guid(&format!("{id}#principal"))),
        );
        identity.insert("tenantId".into(), json!(TENANT));
    }
    if let Some(Value::Object(uais)) = identity.get_mut("userAssignedIdentities") {
        for (uai, v) in uais.iter_mut() {
            *v = json!({
                "principalId": guid(&format!("{uai}#principal")),
                "clientId": guid(&format!("{uai}#client")),
            });
        }
    }
}

/// A workspace's read-only properties and its managed network's status and
/// platform rules.
fn workspace(r: &DeployedResource, all: &[DeployedResource], body: &mut Map<String, Value>) {
    let region = r
        .location
        .clone()
        .unwrap_or_default()
        .to_ascii_lowercase()
        .replace(' ', "");
    let props = properties_mut(body);
    // `workspaceId` (a GUID) and the service URLs: `discoveryUrl`
    // "https://westus3.api.azureml.ms/discovery" and `mlFlowTrackingUri`
    // "azureml://westus3.api.azureml.ms/mlflow/v1.0<workspace id>" as a
    // real workspace prints them (ansible-collections/azure,
    // plugins/modules/azure_rm_ml_workspace_info.py, its RETURN sample,
    // read through the SDK: `discovery_url`, `mlflow_tracking_uri`).
    props.insert(
        "workspaceId".into(),
        json!(guid(&format!("{}#workspace", r.id))),
    );
    props.insert(
        "discoveryUrl".into(),
        json!(format!("https://{region}.api.azureml.ms/discovery")),
    );
    props.insert(
        "mlFlowTrackingUri".into(),
        json!(format!(
            "azureml://{region}.api.azureml.ms/mlflow/v1.0{}",
            r.id
        )),
    );
    // `privateLinkCount`: the REST example `workspace-get.json`; here the
    // client private endpoints of the input that target the workspace.
    props
        .entry("privateLinkCount")
        .or_insert_with(|| json!(private_link_count(r, all)));
    let Some(Value::Object(mn)) = props.get_mut("managedNetwork") else {
        return;
    };
    let mode = mn
        .get("isolationMode")
        .and_then(Value::as_str)
        .unwrap_or("Disabled")
        .to_string();
    if mode.eq_ignore_ascii_case("Disabled") {
        return;
    }
    // `networkId` and `status` {status, sparkReady}: the 2025-07-01-preview
    // REST example `workspace-get-managed-network.json`. A managed network
    // is `Active` once provisioned (`provisionNetworkNow`, or the first
    // managed compute); the tests take it as provisioned.
    mn.insert(
        "networkId".into(),
        json!(guid(&format!("{}#network", r.id))),
    );
    mn.insert(
        "status".into(),
        json!({ "status": "Active", "sparkReady": false }),
    );
    let rules = mn
        .entry("outboundRules")
        .or_insert_with(|| Value::Object(Map::new()));
    let Value::Object(rules) = rules else { return };
    // Each rule as a GET returns it: `status` (`Active`) and `category`
    // (REST example `outbound-rule-get.json`: status, category,
    // errorInformation null).
    for rule in rules.values_mut() {
        if let Value::Object(rule) = rule {
            rule.entry("category")
                .or_insert_with(|| json!("UserDefined"));
            rule.insert("status".into(), json!("Active"));
        }
    }
    for (name, rule) in platform_rules(r, all, &mode, &region) {
        rules.insert(name, rule);
    }
}

/// Approved private endpoint connections whose target is this workspace.
fn private_link_count(r: &DeployedResource, all: &[DeployedResource]) -> usize {
    all.iter()
        .filter(|pe| pe.is("Microsoft.Network/privateEndpoints"))
        .filter(|pe| {
            connections(pe).iter().any(|c| {
                c.pointer("/properties/privateLinkServiceId")
                    .and_then(Value::as_str)
                    .is_some_and(|t| amlgen::deployed::model::same_id(t, &r.id))
            })
        })
        .count()
}

/// The rules the platform adds to a managed network, category `Required`,
/// names beginning `__SYS_`.
///
/// Which: Azure Machine Learning documentation, "Workspace Managed Virtual
/// Network Isolation" (how-to-managed-network.md), "List of required
/// rules": private endpoint rules to the workspace and its key vault,
/// storage and container registry, in `AllowOnlyApprovedOutbound` mode
/// "regardless of public network access mode for those resources", in
/// `AllowInternetOutbound` mode only to those "with public network access
/// disabled"; outbound service tag rules (approved mode only)
/// `AzureActiveDirectory`, `AzureMachineLearning`, `BatchNodeManagement`,
/// `AzureResourceManager`, `AzureFrontDoor`, `MicrosoftContainerRegistry`,
/// `AzureMonitor`.
///
/// Names and shapes: those a real workspace in approved mode lists
/// (ansible-collections/azure,
/// plugins/modules/azure_rm_ml_workspace_info.py, RETURN sample): service
/// tag rules `__SYS_ST_<tag>_<protocol>` with their ports (TCP 443;
/// `AzureActiveDirectory` TCP "80, 443"; `AzureMachineLearning` also UDP
/// 5831), `__SYS_ST_VirtualNetwork` and `__SYS_ST_AzureFrontDoor.FirstParty`
/// without a protocol suffix (protocol and ports `*`),
/// `MicrosoftContainerRegistry.<region>`, `BatchNodeManagement` without a
/// region; private endpoint rules
/// `__SYS_PE_<resource name>_<sub-resource>_<8 characters>`, storage as
/// `blob` and `file`, `sparkEnabled: true`. The sample's workspace had no
/// registry; its rule's sub-resource here is `registry`, the registry's
/// private link group. `action: Allow` on service tag rules: the REST
/// shape (Microsoft.MachineLearningServices/workspaces/managedNetworks
/// template reference, `ServiceTagDestination`).
#[must_use]
pub fn platform_rules(
    ws: &DeployedResource,
    all: &[DeployedResource],
    mode: &str,
    region: &str,
) -> Vec<(String, Value)> {
    let approved = mode.eq_ignore_ascii_case("AllowOnlyApprovedOutbound");
    let mut out = Vec::new();
    if approved {
        let mcr = format!("MicrosoftContainerRegistry.{region}");
        let tags: [(&str, &str, &str); 9] = [
            ("AzureActiveDirectory", "TCP", "80, 443"),
            ("AzureMachineLearning", "TCP", "443"),
            ("AzureMachineLearning", "UDP", "5831"),
            ("AzureResourceManager", "TCP", "443"),
            ("AzureMonitor", "TCP", "443"),
            ("BatchNodeManagement", "TCP", "443"),
            (&mcr, "TCP", "443"),
            ("VirtualNetwork", "*", "*"),
            ("AzureFrontDoor.FirstParty", "*", "*"),
        ];
        for (tag, protocol, ports) in tags {
            let name = if protocol == "*" {
                format!("__SYS_ST_{tag}")
            } else {
                format!("__SYS_ST_{tag}_{protocol}")
            };
            out.push((
                name,
                json!({
                    "type": "ServiceTag",
                    "category": "Required",
                    "status": "Active",
                    "destination": {
                        "serviceTag": tag,
                        "protocol": protocol,
                        "portRanges": ports,
                        "addressPrefixes": [],
                        "action": "Allow",
                    },
                }),
            ));
        }
    }
    let props = ws.properties();
    let ws_private = props
        .get("publicNetworkAccess")
        .and_then(Value::as_str)
        .is_some_and(|v| v.eq_ignore_ascii_case("Disabled"));
    let mut targets: Vec<(String, &str)> = Vec::new();
    if approved || ws_private {
        targets.push((ws.id.clone(), "amlworkspace"));
    }
    let associated = [
        ("storageAccount", &["blob", "file"][..]),
        ("keyVault", &["vault"][..]),
        ("containerRegistry", &["registry"][..]),
    ];
    for (key, subs) in associated {
        let Some(id) = props.get(key).and_then(Value::as_str) else {
            continue;
        };
        if approved || public_access_disabled(id, all) {
            for sub in subs {
                targets.push((id.to_string(), sub));
            }
        }
    }
    for (target, sub) in targets {
        let suffix = &guid(&format!("{}#{target}#{sub}", ws.id))[..8];
        out.push((
            format!("__SYS_PE_{}_{sub}_{suffix}", last_segment(&target)),
            json!({
                "type": "PrivateEndpoint",
                "category": "Required",
                "status": "Active",
                "destination": {
                    "serviceResourceId": target,
                    "subresourceTarget": sub,
                    "sparkEnabled": true,
                },
            }),
        ));
    }
    out
}

/// Whether the resource `id`, when it is in the input, has
/// `publicNetworkAccess: Disabled`.
fn public_access_disabled(id: &str, all: &[DeployedResource]) -> bool {
    all.iter()
        .find(|r| amlgen::deployed::model::same_id(&r.id, id))
        .and_then(|r| r.properties().get("publicNetworkAccess"))
        .and_then(Value::as_str)
        .is_some_and(|v| v.eq_ignore_ascii_case("Disabled"))
}

/// A compute: `createdOn`, `modifiedOn`, `isAttachedCompute` beside the
/// type-specific `properties` (REST examples `compute-instance-get.json`,
/// `compute-amlcompute-get.json`, `compute-kubernetes-get.json`).
fn compute(body: &mut Map<String, Value>) {
    let props = properties_mut(body);
    props.insert("createdOn".into(), json!(CREATED_AT));
    props.insert("modifiedOn".into(), json!(CREATED_AT));
    props
        .entry("isAttachedCompute")
        .or_insert_with(|| json!(false));
}

fn connections(pe: &DeployedResource) -> Vec<&Value> {
    [
        "privateLinkServiceConnections",
        "manualPrivateLinkServiceConnections",
    ]
    .iter()
    .filter_map(|k| pe.properties().get(*k).and_then(Value::as_array))
    .flatten()
    .collect()
}

/// A private endpoint: each connection's `id` and
/// `privateLinkServiceConnectionState`, and the `networkInterfaces` Azure
/// creates (REST example `private-endpoint-get.json`: state `Approved`,
/// "Auto-approved", actions `None`; the NIC named `<endpoint>.nic.<id>`).
/// A manual connection waits for the target's owner: `Pending` (Azure
/// Private Link documentation, "Manage a private endpoint connection":
/// manual approval).
fn private_endpoint(r: &DeployedResource, body: &mut Map<String, Value>) {
    let pe_name = last_segment(&r.name).to_string();
    let rg_prefix =
        r.id.split("/providers/")
            .next()
            .unwrap_or_default()
            .to_string();
    let props = properties_mut(body);
    for (key, status, description) in [
        ("privateLinkServiceConnections", "Approved", "Auto-approved"),
        (
            "manualPrivateLinkServiceConnections",
            "Pending",
            "Awaiting approval",
        ),
    ] {
        let Some(Value::Array(conns)) = props.get_mut(key) else {
            continue;
        };
        for c in conns.iter_mut() {
            let Value::Object(c) = c else { continue };
            let name = c
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or(&pe_name)
                .to_string();
            c.insert(
                "id".into(),
                json!(format!("{}/privateLinkServiceConnections/{name}", r.id)),
            );
            let Some(Value::Object(cp)) = c.get_mut("properties") else {
                continue;
            };
            cp.insert(
                "privateLinkServiceConnectionState".into(),
                json!({
                    "status": status,
                    "description": description,
                    "actionsRequired": "None",
                }),
            );
        }
    }
    let nic = guid(&format!("{}#nic", r.id));
    props.insert(
        "networkInterfaces".into(),
        json!([{
            "id": format!(
                "{rg_prefix}/providers/Microsoft.Network/networkInterfaces/{pe_name}.nic.{nic}"
            )
        }]),
    );
}

/// A role assignment: `scope` (the id before
/// `/providers/Microsoft.Authorization/roleAssignments/`), `principalType`
/// when the template did not say (amlgen assigns roles to managed
/// identities: `ServicePrincipal`), and the audit fields `createdOn`,
/// `updatedOn`, `createdBy`, `updatedBy` (REST example
/// `role-assignment-get.json` for `scope` and `principalType`; the audit
/// fields as `az role assignment create` prints them, Azure RBAC
/// documentation, "Assign Azure roles using Azure CLI").
fn role_assignment(r: &DeployedResource, body: &mut Map<String, Value>) {
    let lower = r.id.to_ascii_lowercase();
    let scope = lower
        .find("/providers/microsoft.authorization/roleassignments/")
        .and_then(|at| r.id.get(..at))
        .unwrap_or_default();
    let scope = if scope.is_empty() { "/" } else { scope }.to_string();
    let props = properties_mut(body);
    props.insert("scope".into(), json!(scope));
    props
        .entry("principalType")
        .or_insert_with(|| json!("ServicePrincipal"));
    props.insert("createdOn".into(), json!(CREATED_AT));
    props.insert("updatedOn".into(), json!(CREATED_AT));
    props.insert("createdBy".into(), json!(DEPLOYER));
    props.insert("updatedBy".into(), json!(DEPLOYER));
}

fn last_segment(name: &str) -> &str {
    name.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(name)
}

/// A GUID-shaped value derived from `seed` (FNV-1a, twice), so the same
/// build always gets the same made-up ids.
#[must_use]
pub fn guid(seed: &str) -> String {
    let fnv = |salt: u64| {
        seed.bytes().fold(0xcbf2_9ce4_8422_2325_u64 ^ salt, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
    };
    let (a, b) = (fnv(0), fnv(0x9e37_79b9_7f4a_7c15));
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xffff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}
