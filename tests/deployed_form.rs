//! The deployed form of a build (`common/deployed.rs`), tested on
//! hand-made resources: what it adds, per resource type, is what the
//! vendored REST examples and the cited sources show a GET returns.

#[path = "common/deployed.rs"]
mod deployed;

use std::collections::BTreeMap;

use amlgen::deployed::DeployedResource;
use amlgen::span::{FileId, Span};
use serde_json::{Map, Value, json};

const SUB: &str = "00000000-0000-0000-0000-000000000001";
const RG: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-ml";

fn resource(arm_type: &str, name: &str, id: &str, body: &Value) -> DeployedResource {
    let mut body: Map<String, Value> = body.as_object().cloned().unwrap_or_default();
    body.insert("type".into(), json!(arm_type));
    body.insert("name".into(), json!(name));
    DeployedResource {
        id: id.to_string(),
        arm_type: arm_type.to_string(),
        name: name.to_string(),
        location: Some("westeurope".into()),
        tags: BTreeMap::from([("env".to_string(), "prod".to_string())]),
        body,
        origin: Span::new(FileId(0), 0, 0),
    }
}

fn ws_id(name: &str) -> String {
    format!("{RG}/providers/Microsoft.MachineLearningServices/workspaces/{name}")
}

fn storage_id() -> String {
    format!("{RG}/providers/Microsoft.Storage/storageAccounts/stml")
}

fn kv_id() -> String {
    format!("{RG}/providers/Microsoft.KeyVault/vaults/kvml")
}

fn acr_id() -> String {
    format!("{RG}/providers/Microsoft.ContainerRegistry/registries/crml")
}

fn workspace(mode: &str) -> DeployedResource {
    resource(
        "Microsoft.MachineLearningServices/workspaces",
        "mlw-a",
        &ws_id("mlw-a"),
        &json!({
            "identity": { "type": "SystemAssigned" },
            "properties": {
                "storageAccount": storage_id(),
                "keyVault": kv_id(),
                "containerRegistry": acr_id(),
                "publicNetworkAccess": "Disabled",
                "managedNetwork": {
                    "isolationMode": mode,
                    "outboundRules": {
                        "pypi": { "type": "FQDN", "destination": "pypi.org", "category": "UserDefined" }
                    }
                }
            }
        }),
    )
}

fn associated(public: &str) -> Vec<DeployedResource> {
    vec![
        resource(
            "Microsoft.Storage/storageAccounts",
            "stml",
            &storage_id(),
            &json!({ "properties": { "publicNetworkAccess": public } }),
        ),
        resource(
            "Microsoft.KeyVault/vaults",
            "kvml",
            &kv_id(),
            &json!({ "properties": { "publicNetworkAccess": public } }),
        ),
        resource(
            "Microsoft.ContainerRegistry/registries",
            "crml",
            &acr_id(),
            &json!({ "properties": { "publicNetworkAccess": public } }),
        ),
    ]
}

fn form(resources: &[DeployedResource]) -> Vec<Value> {
    match deployed::deployed_form(resources) {
        Value::Array(v) => v,
        other => panic!("not an array: {other}"),
    }
}

fn rules(ws: &Value) -> &Map<String, Value> {
    ws.pointer("/properties/managedNetwork/outboundRules")
        .and_then(Value::as_object)
        .expect("outbound rules")
}

#[test]
fn every_resource_gets_id_name_type_state_and_system_data() {
    let compute = resource(
        "Microsoft.MachineLearningServices/workspaces/computes",
        "mlw-a/cpu",
        &format!("{}/computes/cpu", ws_id("mlw-a")),
        &json!({ "properties": { "computeType": "AmlCompute", "properties": { "vmSize": "STANDARD_DS3_V2" } } }),
    );
    let out = form(&[compute]);
    let c = &out[0];
    assert_eq!(c["name"], "cpu", "a child's GET name is its last segment");
    assert_eq!(
        c["type"],
        "Microsoft.MachineLearningServices/workspaces/computes"
    );
    assert_eq!(c["id"], format!("{}/computes/cpu", ws_id("mlw-a")));
    assert_eq!(c["location"], "westeurope");
    assert_eq!(c["tags"]["env"], "prod");
    assert_eq!(c["properties"]["provisioningState"], "Succeeded");
    assert_eq!(c["properties"]["createdOn"], c["properties"]["modifiedOn"]);
    assert_eq!(c["properties"]["isAttachedCompute"], false);
    assert_eq!(c["properties"]["properties"]["vmSize"], "STANDARD_DS3_V2");
    for k in [
        "createdBy",
        "createdByType",
        "createdAt",
        "lastModifiedBy",
        "lastModifiedByType",
        "lastModifiedAt",
    ] {
        assert!(c["systemData"].get(k).is_some(), "systemData.{k}");
    }
}

#[test]
fn the_template_body_is_kept() {
    let ws = workspace("AllowInternetOutbound");
    let out = form(std::slice::from_ref(&ws));
    assert_eq!(out[0]["properties"]["publicNetworkAccess"], "Disabled");
    assert_eq!(out[0]["properties"]["storageAccount"], storage_id());
    assert_eq!(rules(&out[0])["pypi"]["destination"], "pypi.org");
}

#[test]
fn a_workspace_gets_its_service_fields_and_identity_ids() {
    let out = form(&[workspace("Disabled")]);
    let p = &out[0]["properties"];
    let id = p["workspaceId"].as_str().expect("workspaceId");
    assert_eq!(id.len(), 36);
    assert_eq!(
        p["discoveryUrl"],
        "https://westeurope.api.azureml.ms/discovery"
    );
    assert_eq!(
        p["mlFlowTrackingUri"],
        format!(
            "azureml://westeurope.api.azureml.ms/mlflow/v1.0{}",
            ws_id("mlw-a")
        )
    );
    assert_eq!(out[0]["identity"]["tenantId"], deployed::TENANT);
    assert_eq!(
        out[0]["identity"]["principalId"].as_str().map(str::len),
        Some(36)
    );
    // A disabled managed network gets no status and no platform rules.
    assert!(p["managedNetwork"].get("status").is_none());
    assert_eq!(rules(&out[0]).len(), 1);
}

#[test]
fn user_assigned_identities_get_principal_and_client_ids() {
    let uai = format!("{RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-ml");
    let mut ws = workspace("Disabled");
    ws.body.insert(
        "identity".into(),
        json!({ "type": "UserAssigned", "userAssignedIdentities": { uai.clone(): {} } }),
    );
    let out = form(&[ws]);
    let entry = &out[0]["identity"]["userAssignedIdentities"][&uai];
    assert!(entry["principalId"].is_string() && entry["clientId"].is_string());
    assert!(out[0]["identity"].get("tenantId").is_none());
}

#[test]
fn approved_outbound_gets_the_required_rules() {
    let mut all = vec![workspace("AllowOnlyApprovedOutbound")];
    all.extend(associated("Enabled"));
    let out = form(&all);
    let ws = &out[0];
    assert_eq!(
        ws["properties"]["managedNetwork"]["status"]["status"],
        "Active"
    );
    let r = rules(ws);
    assert_eq!(r["pypi"]["status"], "Active");
    assert_eq!(r["pypi"]["category"], "UserDefined");
    for name in [
        "__SYS_ST_AzureActiveDirectory_TCP",
        "__SYS_ST_AzureMachineLearning_TCP",
        "__SYS_ST_AzureMachineLearning_UDP",
        "__SYS_ST_AzureResourceManager_TCP",
        "__SYS_ST_AzureMonitor_TCP",
        "__SYS_ST_BatchNodeManagement_TCP",
        "__SYS_ST_MicrosoftContainerRegistry.westeurope_TCP",
        "__SYS_ST_VirtualNetwork",
        "__SYS_ST_AzureFrontDoor.FirstParty",
    ] {
        let rule = &r[name];
        assert_eq!(rule["category"], "Required", "{name}");
        assert_eq!(rule["type"], "ServiceTag", "{name}");
    }
    assert_eq!(
        r["__SYS_ST_AzureMachineLearning_UDP"]["destination"]["portRanges"],
        "5831"
    );
    let pe: Vec<(&String, &Value)> = r
        .iter()
        .filter(|(k, _)| k.starts_with("__SYS_PE_"))
        .collect();
    let subs: Vec<&str> = pe
        .iter()
        .filter_map(|(_, v)| v["destination"]["subresourceTarget"].as_str())
        .collect();
    // Workspace, storage blob and file, key vault, registry, whatever
    // their public access.
    assert_eq!(pe.len(), 5, "{subs:?}");
    for sub in ["amlworkspace", "blob", "file", "vault", "registry"] {
        assert!(subs.contains(&sub), "{sub} in {subs:?}");
    }
    for (name, v) in pe {
        assert_eq!(v["category"], "Required");
        assert_eq!(v["destination"]["sparkEnabled"], true);
        let target = v["destination"]["serviceResourceId"]
            .as_str()
            .unwrap_or_default();
        let short = target.rsplit('/').next().unwrap_or_default();
        assert!(name.starts_with(&format!("__SYS_PE_{short}_")), "{name}");
    }
}

#[test]
fn internet_outbound_gets_endpoints_only_to_private_associated_resources() {
    let mut all = vec![workspace("AllowInternetOutbound")];
    all.extend(associated("Enabled"));
    let out = form(&all);
    let names: Vec<&String> = rules(&out[0])
        .keys()
        .filter(|k| k.starts_with("__SYS"))
        .collect();
    assert_eq!(
        names.len(),
        1,
        "only the workspace's own endpoint: {names:?}"
    );
    assert!(names[0].starts_with("__SYS_PE_mlw-a_amlworkspace_"));

    let mut all = vec![workspace("AllowInternetOutbound")];
    all.extend(associated("Disabled"));
    let out = form(&all);
    let r = rules(&out[0]);
    assert!(
        !r.keys().any(|k| k.starts_with("__SYS_ST_")),
        "no service tags in internet mode"
    );
    let subs: Vec<&str> = r
        .values()
        .filter_map(|v| v["destination"]["subresourceTarget"].as_str())
        .collect();
    for sub in ["amlworkspace", "blob", "file", "vault", "registry"] {
        assert!(subs.contains(&sub), "{sub} in {subs:?}");
    }
}

#[test]
fn the_made_up_values_are_stable() {
    let all = vec![workspace("AllowOnlyApprovedOutbound")];
    assert_eq!(deployed::deployed_form(&all), deployed::deployed_form(&all));
    assert_ne!(deployed::guid("a"), deployed::guid("b"));
}

#[test]
fn a_private_endpoint_gets_connection_states_and_a_nic() {
    let pe = resource(
        "Microsoft.Network/privateEndpoints",
        "pe-mlw-a",
        &format!("{RG}/providers/Microsoft.Network/privateEndpoints/pe-mlw-a"),
        &json!({ "properties": {
            "subnet": { "id": format!("{RG}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/snet-pe") },
            "privateLinkServiceConnections": [
                { "name": "ws", "properties": { "privateLinkServiceId": ws_id("mlw-a"), "groupIds": ["amlworkspace"] } }
            ],
            "manualPrivateLinkServiceConnections": [
                { "name": "manual", "properties": { "privateLinkServiceId": storage_id(), "groupIds": ["blob"] } }
            ]
        } }),
    );
    let all = vec![workspace("Disabled"), pe];
    let out = form(&all);
    let p = &out[1]["properties"];
    let auto = &p["privateLinkServiceConnections"][0];
    assert_eq!(
        auto["properties"]["privateLinkServiceConnectionState"]["status"],
        "Approved"
    );
    assert!(
        auto["id"]
            .as_str()
            .is_some_and(|s| s.ends_with("/privateLinkServiceConnections/ws"))
    );
    assert_eq!(
        p["manualPrivateLinkServiceConnections"][0]["properties"]["privateLinkServiceConnectionState"]
            ["status"],
        "Pending"
    );
    let nic = p["networkInterfaces"][0]["id"].as_str().unwrap_or_default();
    assert!(nic.contains("/networkInterfaces/pe-mlw-a.nic."), "{nic}");
    assert_eq!(out[0]["properties"]["privateLinkCount"], 1);
}

#[test]
fn a_role_assignment_gets_scope_principal_type_and_audit_fields() {
    let scope = storage_id();
    let ra = resource(
        "Microsoft.Authorization/roleAssignments",
        "11111111-2222-3333-4444-555555555555",
        &format!(
            "{scope}/providers/Microsoft.Authorization/roleAssignments/11111111-2222-3333-4444-555555555555"
        ),
        &json!({ "properties": {
            "roleDefinitionId": format!("/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe"),
            "principalId": "99999999-0000-0000-0000-000000000000"
        } }),
    );
    let out = form(&[ra]);
    let p = &out[0]["properties"];
    assert_eq!(p["scope"], scope);
    assert_eq!(p["principalType"], "ServicePrincipal");
    assert!(p["createdOn"].is_string() && p["updatedBy"].is_string());
    assert!(
        p.get("provisioningState").is_none(),
        "role assignments have none"
    );
    assert!(out[0].get("systemData").is_none());
}

#[test]
fn a_resource_without_properties_or_with_odd_shapes_does_not_panic() {
    let odd = resource(
        "Microsoft.Network/privateEndpoints",
        "pe-odd",
        "/subscriptions/x/resourceGroups/y/providers/Microsoft.Network/privateEndpoints/pe-odd",
        &json!({ "properties": "not an object", "identity": 3 }),
    );
    let mut ws = workspace("AllowOnlyApprovedOutbound");
    ws.location = None;
    ws.body.insert("properties".into(), json!({ "managedNetwork": { "isolationMode": "AllowOnlyApprovedOutbound", "outboundRules": [] } }));
    let out = form(&[odd, ws]);
    assert_eq!(out[0]["properties"]["provisioningState"], "Succeeded");
    assert!(out[1]["properties"]["managedNetwork"]["outboundRules"].is_array());
}

#[test]
fn a_resource_declared_twice_is_one_resource_in_its_last_state() {
    let first = workspace("AllowOnlyApprovedOutbound");
    let mut last = first.clone();
    last.id = last.id.to_ascii_uppercase();
    if let Some(Value::Object(p)) = last.body.get_mut("properties") {
        p.insert("provisionNetworkNow".into(), json!(true));
    }
    let compute = resource(
        "Microsoft.MachineLearningServices/workspaces/computes",
        "mlw-a/cpu",
        &format!("{}/computes/cpu", ws_id("mlw-a")),
        &json!({ "properties": { "computeType": "AmlCompute" } }),
    );
    let out = form(&[first, compute, last]);
    assert_eq!(out.len(), 2, "the workspace once, then the compute");
    assert_eq!(
        out[0]["type"],
        "Microsoft.MachineLearningServices/workspaces"
    );
    assert_eq!(out[0]["properties"]["provisionNetworkNow"], true);
    assert_eq!(out[1]["name"], "cpu");
}
