//! The `az ml` workspace shape (a workspace YAML, or the JSON `az ml
//! workspace show -o json` prints: the azure-ai-ml SDK's own snake_case
//! form, not ARM's) turned into an ARM
//! `Microsoft.MachineLearningServices/workspaces` resource.
//!
//! The field names are the SDK's `WorkspaceSchema`, `ManagedNetworkSchema`,
//! the outbound rule schemas, `NetworkAclsSchema` and `IdentitySchema`
//! (azure-ai-ml 1.35.2, `azure/ai/ml/_schema/workspace/`); the ARM names
//! and values are what the SDK's `Workspace._to_rest_object()` sends
//! (`properties.managedNetwork.outboundRules` keyed by rule name, rule
//! `type` `FQDN` / `PrivateEndpoint` / `ServiceTag`, `isolationMode`
//! `Disabled` / `AllowInternetOutbound` / `AllowOnlyApprovedOutbound`,
//! `firewallSku` `Standard` / `Basic`). A key amlgen does not map is kept
//! out of the ARM body and reported (`AML4008`): nothing is dropped
//! silently.

use serde_json::{Map, Value, json};

use super::ids;
use super::locate::Loc;
use super::reader::{NO_RESOURCE_GROUP, NO_SUBSCRIPTION, Reader};
use crate::diag::{Code, Diagnostic};

const WORKSPACE_TYPE: &str = "Microsoft.MachineLearningServices/workspaces";

/// Top-level keys of the SDK shape and the ARM property each becomes
/// (`""`: read elsewhere, or printed by the SDK only, with no ARM
/// property to set).
const TOP: &[(&str, &str)] = &[
    ("$schema", ""),
    ("name", ""),
    ("id", ""),
    ("location", ""),
    ("tags", ""),
    ("identity", ""),
    ("resource_group", ""),
    ("managed_network", ""),
    ("network_acls", ""),
    ("serverless_compute", ""),
    ("mlflow_tracking_uri", ""),
    ("discovery_url", "discoveryUrl"),
    ("description", "description"),
    ("display_name", "friendlyName"),
    ("hbi_workspace", "hbiWorkspace"),
    ("storage_account", "storageAccount"),
    ("key_vault", "keyVault"),
    ("container_registry", "containerRegistry"),
    ("application_insights", "applicationInsights"),
    ("image_build_compute", "imageBuildCompute"),
    ("public_network_access", "publicNetworkAccess"),
    (
        "primary_user_assigned_identity",
        "primaryUserAssignedIdentity",
    ),
    ("system_datastores_auth_mode", "systemDatastoresAuthMode"),
    ("provision_network_now", "provisionNetworkNow"),
    ("enable_data_isolation", "enableDataIsolation"),
    ("allow_roleassignment_on_rg", "allowRoleAssignmentOnRG"),
    ("workspace_hub", "hubResourceId"),
];

/// Whether an object is the `az ml` workspace shape: no ARM `type` or
/// `properties`, and the SDK's `$schema` or one of its snake_case keys.
#[must_use]
pub fn is_azml(o: &Map<String, Value>) -> bool {
    let schema = o.get("$schema").and_then(Value::as_str).unwrap_or_default();
    !o.contains_key("properties")
        && !o
            .get("type")
            .and_then(Value::as_str)
            .is_some_and(|t| t.contains('/'))
        && (schema.contains("azureml")
            || TOP
                .iter()
                .any(|(k, _)| k.contains('_') && o.contains_key(*k)))
}

/// Reads the SDK shape into one workspace resource.
pub fn read(r: &mut Reader<'_>, o: &Map<String, Value>, loc: Option<&Loc>) {
    let span = r.span(loc);
    let mut unknown: Vec<Unknown> = Vec::new();
    let Some(name) = o.get("name").and_then(Value::as_str) else {
        r.diags.push(
            Diagnostic::new(
                Code::NotAResource,
                span,
                "this `az ml` workspace has no `name`",
            )
            .label("no `name`")
            .help("an `az ml` workspace file needs `name:` (the SDK requires it)"),
        );
        return;
    };
    let mut props = Map::new();
    for (k, v) in o {
        match TOP.iter().find(|(key, _)| key == k) {
            Some((_, arm)) if !arm.is_empty() => {
                let v = if k == "public_network_access" {
                    Value::String(pascal(v.as_str().unwrap_or_default()))
                } else {
                    v.clone()
                };
                props.insert((*arm).to_string(), v);
            }
            Some(_) => {}
            None => unknown.push(Unknown::new(format!("`{k}`"), k)),
        }
    }
    if let Some(mn) = o.get("managed_network") {
        props.insert("managedNetwork".into(), managed_network(mn, &mut unknown));
    }
    if let Some(acls) = o.get("network_acls").and_then(Value::as_object) {
        let rules: Vec<Value> = acls
            .get("ip_rules")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|r| r.get("value").cloned())
                    .map(|v| json!({ "value": v }))
                    .collect()
            })
            .unwrap_or_default();
        props.insert(
            "networkAcls".into(),
            json!({ "defaultAction": acls.get("default_action").cloned().unwrap_or(Value::Null), "ipRules": rules }),
        );
    }
    if let Some(sc) = o.get("serverless_compute") {
        props.insert(
            "serverlessComputeSettings".into(),
            camel_members(
                sc,
                &[
                    ("custom_subnet", "serverlessComputeCustomSubnet"),
                    ("no_public_ip", "serverlessComputeNoPublicIP"),
                ],
                "`serverless_compute`",
                &mut unknown,
            ),
        );
    }
    let mut body = Map::new();
    let (sub_of_id, rg_of_id) =
        ids::scope_of(o.get("id").and_then(Value::as_str).unwrap_or_default());
    let sub = sub_of_id
        .or_else(|| r.scope.subscription_id.clone())
        .unwrap_or_else(|| NO_SUBSCRIPTION.to_string());
    let rg = o
        .get("resource_group")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or(rg_of_id)
        .or_else(|| r.scope.resource_group.clone())
        .unwrap_or_else(|| NO_RESOURCE_GROUP.to_string());
    let id = ids::resource_id(&sub, Some(&rg), WORKSPACE_TYPE, name);
    body.insert("id".into(), Value::String(id.clone()));
    body.insert("name".into(), Value::String(name.to_string()));
    body.insert("type".into(), Value::String(WORKSPACE_TYPE.into()));
    for k in ["location", "tags"] {
        if let Some(v) = o.get(k) {
            body.insert(k.into(), v.clone());
        }
    }
    if let Some(identity) = o.get("identity") {
        body.insert("identity".into(), self::identity(identity));
    }
    body.insert("properties".into(), Value::Object(props));
    let from = loc.map_or(0, |l| l.start);
    for u in unknown {
        let at = r.key_span(&u.key, from).unwrap_or(span);
        r.diags.push(
            Diagnostic::new(
                Code::AzmlUnknownKey,
                at,
                format!("workspace `{name}`: {} is not read", u.what),
            )
            .label("not a key amlgen reads")
            .note("the azure-ai-ml SDK's workspace schema has no such key, or amlgen does not map it to ARM; it is left out of the workspace read")
            .help("check the spelling against the `az ml` workspace YAML schema"),
        );
    }
    r.push(id, name.to_string(), body, loc);
}

/// A key of the SDK shape that is not read: what it is, and the key to
/// point at.
struct Unknown {
    what: String,
    key: String,
}

impl Unknown {
    fn new(what: String, key: &str) -> Self {
        Self {
            what,
            key: key.to_string(),
        }
    }
}

/// `snake_case` → `PascalCase`, the SDK's `snake_to_pascal`/`camel_to_snake`
/// casing transforms undone (`allow_only_approved_outbound` →
/// `AllowOnlyApprovedOutbound`, `disabled` → `Disabled`).
fn pascal(s: &str) -> String {
    s.split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// A rule status as ARM writes it: azure-ai-ml 1.35.2 under Python 3.11
/// prints its string enums by name (`RuleStatus.INACTIVE`), older ones by
/// value (`Inactive`); both read as `Inactive`.
fn enum_value(s: &str) -> String {
    match s.rsplit_once('.') {
        Some((_, name)) => pascal(&name.to_ascii_lowercase()),
        None => s.to_string(),
    }
}

/// The identity: `type` `system_assigned` → `SystemAssigned` (and
/// `system_assigned,user_assigned` → `SystemAssigned,UserAssigned`),
/// `user_assigned_identities` keyed by id.
fn identity(v: &Value) -> Value {
    let mut out = Map::new();
    if let Some(t) = v.get("type").and_then(Value::as_str) {
        let t = if t.eq_ignore_ascii_case("none") {
            "None".to_string()
        } else {
            t.split(',')
                .map(|p| pascal(p.trim()))
                .collect::<Vec<_>>()
                .join(",")
        };
        out.insert("type".into(), Value::String(t));
    }
    if let Some(uai) = v.get("user_assigned_identities") {
        // The YAML writes a list of `{resource_id: ...}`; the SDK's JSON a
        // map keyed by id. ARM: a map keyed by id.
        let mut m = Map::new();
        match uai {
            Value::Array(a) => {
                for i in a {
                    if let Some(id) = i.get("resource_id").and_then(Value::as_str) {
                        m.insert(id.to_string(), json!({}));
                    }
                }
            }
            Value::Object(o) => {
                for id in o.keys() {
                    m.insert(id.clone(), json!({}));
                }
            }
            _ => {}
        }
        out.insert("userAssignedIdentities".into(), Value::Object(m));
    }
    for (k, arm) in [("principal_id", "principalId"), ("tenant_id", "tenantId")] {
        if let Some(x) = v.get(k) {
            out.insert(arm.into(), x.clone());
        }
    }
    Value::Object(out)
}

/// `managed_network` → ARM `managedNetwork`.
fn managed_network(v: &Value, unknown: &mut Vec<Unknown>) -> Value {
    let mut out = Map::new();
    let Some(o) = v.as_object() else {
        unknown.push(Unknown::new(
            "`managed_network` (not a mapping)".into(),
            "managed_network",
        ));
        return Value::Object(out);
    };
    for (k, x) in o {
        match k.as_str() {
            "isolation_mode" => {
                out.insert(
                    "isolationMode".into(),
                    Value::String(pascal(x.as_str().unwrap_or_default())),
                );
            }
            "firewall_sku" => {
                out.insert(
                    "firewallSku".into(),
                    Value::String(pascal(x.as_str().unwrap_or_default())),
                );
            }
            "network_id" => {
                out.insert("networkId".into(), x.clone());
            }
            "status" => {
                out.insert(
                    "status".into(),
                    json!({
                        "sparkReady": x.get("spark_ready").cloned().unwrap_or(Value::Null),
                        "status": x.get("status").cloned().unwrap_or(Value::Null),
                    }),
                );
            }
            "outbound_rules" => {
                let mut rules = Map::new();
                for rule in x.as_array().into_iter().flatten() {
                    if let Some((name, arm)) = outbound_rule(rule, unknown) {
                        rules.insert(name, arm);
                    }
                }
                out.insert("outboundRules".into(), Value::Object(rules));
            }
            other => unknown.push(Unknown::new(format!("`managed_network.{other}`"), other)),
        }
    }
    // The SDK's `ManagedNetworkSchema.make` sends `Standard` when the file
    // names no SKU.
    out.entry("firewallSku")
        .or_insert_with(|| Value::String("Standard".into()));
    Value::Object(out)
}

/// One outbound rule: its name and ARM object. The kind is read from the
/// rule's `type`, or from its destination's shape as the SDK does.
fn outbound_rule(v: &Value, unknown: &mut Vec<Unknown>) -> Option<(String, Value)> {
    let Some(name) = v.get("name").and_then(Value::as_str) else {
        unknown.push(Unknown::new(
            "an outbound rule with no `name`".into(),
            "outbound_rules",
        ));
        return None;
    };
    let dest = v.get("destination").cloned().unwrap_or(Value::Null);
    let ty = v
        .get("type")
        .and_then(Value::as_str)
        .map(str::to_ascii_lowercase);
    let ty = ty.unwrap_or_else(|| match &dest {
        Value::String(_) => "fqdn".into(),
        d if d.get("service_tag").is_some() => "service_tag".into(),
        _ => "private_endpoint".into(),
    });
    let mut out = Map::new();
    let (arm_ty, arm_dest) = match ty.as_str() {
        "fqdn" => ("FQDN", dest),
        "service_tag" => (
            "ServiceTag",
            camel_members(
                &dest,
                &[
                    ("service_tag", "serviceTag"),
                    ("protocol", "protocol"),
                    ("port_ranges", "portRanges"),
                    ("address_prefixes", "addressPrefixes"),
                ],
                &format!("outbound rule `{name}`'s destination"),
                unknown,
            ),
        ),
        "private_endpoint" => (
            "PrivateEndpoint",
            camel_members(
                &dest,
                &[
                    ("service_resource_id", "serviceResourceId"),
                    ("subresource_target", "subresourceTarget"),
                    ("spark_enabled", "sparkEnabled"),
                ],
                &format!("outbound rule `{name}`'s destination"),
                unknown,
            ),
        ),
        other => {
            unknown.push(Unknown::new(
                format!("outbound rule `{name}`: type `{other}`"),
                other,
            ));
            return None;
        }
    };
    out.insert("type".into(), Value::String(arm_ty.into()));
    out.insert(
        "category".into(),
        Value::String(pascal(
            v.get("category")
                .and_then(Value::as_str)
                .unwrap_or("user_defined"),
        )),
    );
    out.insert("destination".into(), arm_dest);
    for (k, x) in v.as_object().into_iter().flatten() {
        match k.as_str() {
            "name" | "type" | "destination" | "category" => {}
            "fqdns" => {
                out.insert("fqdns".into(), x.clone());
            }
            "status" => {
                let v = x
                    .as_str()
                    .map_or_else(|| x.clone(), |t| Value::String(enum_value(t)));
                out.insert("status".into(), v);
            }
            "parent_rule_names" => {
                out.insert("parentRuleNames".into(), x.clone());
            }
            other => unknown.push(Unknown::new(
                format!("outbound rule `{name}`: `{other}`"),
                other,
            )),
        }
    }
    Some((name.to_string(), Value::Object(out)))
}

/// The members of an SDK object under their ARM names; any other is
/// reported, as a member of `within`.
fn camel_members(
    v: &Value,
    map: &[(&str, &str)],
    within: &str,
    unknown: &mut Vec<Unknown>,
) -> Value {
    let mut out = Map::new();
    for (k, x) in v.as_object().into_iter().flatten() {
        match map.iter().find(|(s, _)| s == k) {
            Some((_, arm)) => {
                out.insert((*arm).to_string(), x.clone());
            }
            None => unknown.push(Unknown::new(format!("{within}: `{k}`"), k)),
        }
    }
    Value::Object(out)
}
