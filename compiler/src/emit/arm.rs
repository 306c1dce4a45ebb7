//! ARM JSON: the deployment as a resource-group template whose modules are
//! nested deployments with inner-scoped inline templates, as Bicep itself
//! compiles modules. Serializes the resource models; sorted keys, two-space
//! indentation, LF, a final newline.

use serde_json::{Map, Value, json};

use super::escape::Text;
use super::expr::Expr;
use super::model::{Deployment, Module, Resource, api, types};

const SCHEMA: &str =
    "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";

/// One resource as ARM JSON; `dependsOn` names the module's resources by id.
pub(crate) fn resource(r: &Resource, module: &Module) -> Value {
    let mut obj = r.body.clone();
    obj.insert("type".into(), Value::from(r.arm_type));
    obj.insert("apiVersion".into(), Value::from(r.api_version));
    obj.insert("name".into(), json!(Text(r.full_name())));
    if !r.depends_on.is_empty() {
        let deps: Vec<Value> = r
            .depends_on
            .iter()
            .filter_map(|s| module.resources.iter().find(|o| &o.symbol == s))
            .map(|o| json!(o.id()))
            .collect();
        obj.insert("dependsOn".into(), Value::Array(deps));
    }
    Value::Object(obj)
}

fn param(kind: &str, default: Option<Value>, description: &str) -> Value {
    let mut p = Map::new();
    p.insert("type".into(), Value::from(kind));
    if let Some(d) = default {
        p.insert("defaultValue".into(), d);
    }
    p.insert(
        "metadata".into(),
        json!({ "description": Text(description.to_string()) }),
    );
    Value::Object(p)
}

/// The inline template of one module.
#[must_use]
pub fn module_template(m: &Module) -> Value {
    json!({
        "$schema": SCHEMA,
        "contentVersion": "1.0.0.0",
        "parameters": {
            "location": param("string", None, "Azure region of the resources"),
            "tags": param("object", None, "tags for every resource"),
        },
        "resources": m.resources.iter().map(|r| resource(r, m)).collect::<Vec<_>>(),
    })
}

/// The tags as an ARM object of literal strings.
#[must_use]
pub fn tags_value(d: &Deployment) -> Value {
    Value::Object(
        d.tags
            .iter()
            .map(|(k, v)| (k.clone(), json!(Text(v.clone()))))
            .collect(),
    )
}

/// The entry template: parameters and one nested deployment per module.
#[must_use]
pub fn main_template(d: &Deployment) -> Value {
    let deployments: Vec<Value> = d
        .modules
        .iter()
        .map(|m| {
            let mut obj = Map::new();
            obj.insert("type".into(), Value::from(types::DEPLOYMENT));
            obj.insert("apiVersion".into(), Value::from(api::DEPLOYMENTS));
            obj.insert("name".into(), json!(Text(m.deployment_name.clone())));
            if !m.depends_on.is_empty() {
                let deps: Vec<Value> = m
                    .depends_on
                    .iter()
                    .filter_map(|s| d.modules.iter().find(|o| o.symbol == *s))
                    .map(|o| json!(Expr::resource_id(types::DEPLOYMENT, &[&o.deployment_name])))
                    .collect();
                obj.insert("dependsOn".into(), Value::Array(deps));
            }
            obj.insert(
                "properties".into(),
                json!({
                    "expressionEvaluationOptions": { "scope": "inner" },
                    "mode": "Incremental",
                    "parameters": {
                        "location": { "value": Expr::param("location") },
                        "tags": { "value": Expr::param("tags") },
                    },
                    "template": module_template(m),
                }),
            );
            Value::Object(obj)
        })
        .collect();
    json!({
        "$schema": SCHEMA,
        "contentVersion": "1.0.0.0",
        "parameters": {
            "location": param("string", Some(json!(Text(d.location.clone()))), "Azure region of the workspace and its resources"),
            "tags": param("object", Some(tags_value(d)), "tags for every resource"),
        },
        "resources": deployments,
    })
}

/// Pretty JSON with a final newline.
#[must_use]
pub fn to_text(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}
