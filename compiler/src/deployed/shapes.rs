//! The JSON shapes `az` and the REST API print, turned into ARM resources:
//! one resource object (`az resource show`), an array of them (`az ...
//! list`), a `{ "value": [...] }` page (the REST API's list responses,
//! `az rest`), and the CLI's flattened forms (`az network private-endpoint
//! show`, `az network private-dns ...`, `az role assignment list`: the
//! SDK models' `x-ms-client-flatten` properties printed at top level, no
//! `properties` wrapper), which get their wrapper back. A template goes to
//! `template.rs`, the `az ml` workspace shape to `azml.rs`.

use serde_json::{Map, Value};

use super::ids;
use super::locate::{self, Loc};
use super::reader::{NO_RESOURCE_GROUP, NO_SUBSCRIPTION, Reader};
use crate::diag::{Code, Diagnostic};

/// The members of an ARM resource that are not its properties: what the
/// CLI's flattened forms keep at top level (ARM's resource envelope, plus
/// `resourceGroup`, which the CLI adds).
const ENVELOPE: &[&str] = &[
    "id",
    "name",
    "type",
    "location",
    "tags",
    "etag",
    "identity",
    "sku",
    "kind",
    "zones",
    "extendedLocation",
    "systemData",
    "managedBy",
    "plan",
    "resourceGroup",
    "apiVersion",
];

/// Sub-resource arrays the CLI prints flattened too (their elements get a
/// `properties` wrapper back): private endpoint connections, DNS zone
/// configs, subnets, peerings, security rules, routes.
const FLAT_ARRAYS: &[&str] = &[
    "privateLinkServiceConnections",
    "manualPrivateLinkServiceConnections",
    "privateDnsZoneConfigs",
    "subnets",
    "virtualNetworkPeerings",
    "securityRules",
    "routes",
    "serviceEndpointPolicyDefinitions",
    "ipConfigurations",
];

/// Reads one JSON value of a deployed file.
pub fn read_value(r: &mut Reader<'_>, v: &Value, loc: Option<&Loc>) {
    match v {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                read_value(r, item, locate::at(loc, i));
            }
        }
        Value::Object(o) if is_template(o) => super::template::read(r, o, loc),
        Value::Object(o)
            if !o.contains_key("type") && o.get("value").is_some_and(Value::is_array) =>
        {
            if let Some(items) = o.get("value") {
                read_value(r, items, locate::key(loc, "value"));
            }
        }
        Value::Object(o) if super::azml::is_azml(o) => super::azml::read(r, o, loc),
        Value::Object(o) => read_resource(r, o, loc),
        other => {
            let span = r.span(loc);
            r.diags.push(
                Diagnostic::new(
                    Code::NotAResource,
                    span,
                    format!(
                        "expected a resource, a list of resources or a template, found {}",
                        kind_of(other)
                    ),
                )
                .label("not a resource")
                .help("deployed files are what `az resource show`, `az ... list`, `az group export` or `az ml workspace show` print"),
            );
        }
    }
}

/// How a JSON value is named in a message ("an array", "a string").
#[must_use]
pub(crate) fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// An ARM template: a `$schema` of a deployment template, or `resources`
/// beside `contentVersion`.
fn is_template(o: &Map<String, Value>) -> bool {
    let schema = o
        .get("$schema")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_ascii_lowercase();
    o.contains_key("resources")
        && (schema.contains("deploymenttemplate") || o.contains_key("contentVersion"))
}

/// One resource object, in ARM shape or the CLI's flattened one.
fn read_resource(r: &mut Reader<'_>, o: &Map<String, Value>, loc: Option<&Loc>) {
    let span = r.type_span(loc);
    let id = o.get("id").and_then(Value::as_str).unwrap_or_default();
    let mut ty = o
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let mut name = o
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    // An id says both (a DNS zone group has no `type`), and the full
    // name of a child, which ARM's `name` gives only the last segment of.
    // A type with no provider namespace (Microsoft's outbound rule example
    // says `workspace/outboundRules`) is read from the id too.
    if let Some((t, n)) = ids::type_and_name(id) {
        let qualified = ty.split('/').next().is_some_and(|ns| ns.contains('.'));
        if ty.is_empty() || !qualified {
            ty = t;
        }
        name = n;
    }
    let missing = match (ty.is_empty(), name.is_empty() && id.is_empty()) {
        (true, true) => Some("`type` and `name` (or `id`)"),
        (true, false) => Some("`type`"),
        (false, true) => Some("`name` (or `id`)"),
        (false, false) => None,
    };
    if let Some(missing) = missing {
        let keys: Vec<&str> = o.keys().map(String::as_str).take(8).collect();
        r.diags.push(
            Diagnostic::new(
                Code::NotAResource,
                span,
                format!("this object is no ARM resource: it has no {missing}"),
            )
            .label(format!("no {missing}"))
            .note(format!(
                "its members: {}",
                if keys.is_empty() { "none".to_string() } else { keys.join(", ") }
            ))
            .help("deployed files are what `az resource show`, `az ... list`, `az group export` or `az ml workspace show` print"),
        );
        return;
    }
    let mut body = o.clone();
    body.insert("type".into(), Value::String(ty.clone()));
    if !body.contains_key("name") {
        body.insert("name".into(), Value::String(name.clone()));
    }
    if !body.contains_key("properties") {
        unflatten(&mut body);
    }
    let id = if id.is_empty() {
        let sub = r
            .scope
            .subscription_id
            .as_deref()
            .unwrap_or(NO_SUBSCRIPTION);
        let rg = o
            .get("resourceGroup")
            .and_then(Value::as_str)
            .or(r.scope.resource_group.as_deref())
            .unwrap_or(NO_RESOURCE_GROUP);
        ids::resource_id(sub, Some(rg), &ty, &name)
    } else {
        id.to_string()
    };
    r.push(id, name, body, loc);
}

/// Puts the members of a flattened resource that are not its envelope
/// under `properties`, as ARM has them; sub-resource arrays likewise.
fn unflatten(body: &mut Map<String, Value>) {
    wrap(body, ENVELOPE);
    if let Some(Value::Object(props)) = body.get_mut("properties") {
        for key in FLAT_ARRAYS {
            if let Some(Value::Array(items)) = props.get_mut(*key) {
                for item in items {
                    if let Value::Object(o) = item
                        && !o.contains_key("properties")
                    {
                        wrap(o, &["id", "name", "type", "etag", "resourceGroup"]);
                    }
                }
            }
        }
    }
}

/// Moves every member not in `keep` under a new `properties`.
fn wrap(o: &mut Map<String, Value>, keep: &[&str]) {
    let keys: Vec<String> = o
        .keys()
        .filter(|k| !keep.contains(&k.as_str()))
        .cloned()
        .collect();
    let mut props = Map::new();
    for k in keys {
        if let Some(v) = o.remove(&k) {
            props.insert(k, v);
        }
    }
    o.insert("properties".into(), Value::Object(props));
}
