//! ARM JSON: the deployment as a resource-group template whose modules are
//! nested deployments with inner-scoped inline templates, as Bicep itself
//! compiles modules. Serializes the resource models; sorted keys, two-space
//! indentation, LF, a final newline.

use serde_json::{Map, Value, json};

use crate::emit::azure::{
    Deployment, Expr, FIRST_DEPLOYMENT, FIRST_DEPLOYMENT_HELP, IdScope, Module, Resource, api,
    param_description, types,
};
use crate::escape::Text;

const SCHEMA: &str =
    "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";

/// One resource as ARM JSON; `dependsOn` names the module's resources by id.
pub(crate) fn resource(r: &Resource, module: &Module) -> Value {
    let mut obj = r.body.clone();
    if let Some(target) = r
        .scope_ref
        .as_ref()
        .and_then(|s| module.resources.iter().find(|o| &o.symbol == s))
    {
        obj.insert("scope".into(), json!(Text(target.relative_id())));
    }
    obj.insert("type".into(), Value::from(r.arm_type));
    obj.insert("apiVersion".into(), Value::from(r.api_version));
    obj.insert("name".into(), r.arm_name());
    if !r.depends_on.is_empty() {
        let deps: Vec<Value> = r
            .depends_on
            .iter()
            .filter_map(|s| module.resources.iter().find(|o| &o.symbol == s))
            .filter(|o| !o.existing)
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
    let mut params = Map::new();
    params.insert(
        "location".into(),
        param("string", None, "Azure region of the resources"),
    );
    params.insert(
        "tags".into(),
        param("object", None, "tags for every resource"),
    );
    for (name, _) in &m.params {
        params.insert(
            name.clone(),
            param("string", None, &param_description(name)),
        );
    }
    let resources: Vec<Value> = m
        .resources
        .iter()
        .filter(|r| !r.existing)
        .map(|r| resource(r, m))
        .collect();
    envelope(SCHEMA, Some(params), resources)
}

/// A template's envelope around its resources. The values are moved in,
/// not serialized again.
fn envelope(schema: &str, parameters: Option<Map<String, Value>>, resources: Vec<Value>) -> Value {
    let mut t = Map::new();
    t.insert("$schema".into(), Value::from(schema));
    t.insert("contentVersion".into(), Value::from("1.0.0.0"));
    if let Some(p) = parameters {
        t.insert("parameters".into(), Value::Object(p));
    }
    t.insert("resources".into(), Value::Array(resources));
    Value::Object(t)
}

/// One module as a nested deployment (inner-scoped, into its target
/// resource group when it has one), given the values of its `location`
/// and `tags` parameters; `modules` are its siblings, for `dependsOn`.
#[must_use]
pub fn module_deployment(m: &Module, modules: &[Module], location: &Value, tags: &Value) -> Value {
    let mut obj = Map::new();
    obj.insert("type".into(), Value::from(types::DEPLOYMENT));
    obj.insert("apiVersion".into(), Value::from(api::DEPLOYMENTS));
    obj.insert("name".into(), json!(Text(m.deployment_name.clone())));
    if let Some(c) = &m.condition {
        obj.insert("condition".into(), json!(c));
    }
    if !m.depends_on.is_empty() {
        let deps: Vec<Value> = m
            .depends_on
            .iter()
            .filter_map(|s| modules.iter().find(|o| o.symbol == *s))
            .map(|o| json!(Expr::resource_id(types::DEPLOYMENT, &[&o.deployment_name])))
            .collect();
        obj.insert("dependsOn".into(), Value::Array(deps));
    }
    if let Some((sub, rg)) = &m.target {
        obj.insert("subscriptionId".into(), json!(Text(sub.clone())));
        obj.insert("resourceGroup".into(), json!(Text(rg.clone())));
    }
    let mut params = Map::new();
    params.insert("location".into(), json!({ "value": location }));
    params.insert("tags".into(), json!({ "value": tags }));
    for (name, value) in &m.params {
        params.insert(name.clone(), json!({ "value": value }));
    }
    let mut props = Map::new();
    props.insert(
        "expressionEvaluationOptions".into(),
        json!({ "scope": "inner" }),
    );
    props.insert("mode".into(), Value::from("Incremental"));
    props.insert("parameters".into(), Value::Object(params));
    props.insert("template".into(), module_template(m));
    obj.insert("properties".into(), Value::Object(props));
    Value::Object(obj)
}

/// The entry template: parameters and one nested deployment per module.
#[must_use]
pub fn main_template(d: &Deployment) -> Value {
    let deployments: Vec<Value> = d
        .modules
        .iter()
        .map(|m| {
            module_deployment(
                m,
                &d.modules,
                &json!(Expr::param("location")),
                &json!(Expr::param("tags")),
            )
        })
        .collect();
    let mut params = Map::new();
    params.insert(
        "location".into(),
        param(
            "string",
            Some(json!(Text(d.location.clone()))),
            "Azure region of the workspace and its resources",
        ),
    );
    params.insert(
        "tags".into(),
        param("object", Some(d.tags_value()), "tags for every resource"),
    );
    if d.phases.two_phase() {
        params.insert(
            FIRST_DEPLOYMENT.into(),
            param("bool", Some(Value::Bool(false)), FIRST_DEPLOYMENT_HELP),
        );
    }
    envelope(SCHEMA, Some(params), deployments)
}

/// A template at a subscription or management group holding `resources`
/// (no parameters).
#[must_use]
pub fn scoped_template(scope: IdScope, resources: &[Resource]) -> Value {
    let schema = match scope {
        IdScope::ManagementGroup => {
            "https://schema.management.azure.com/schemas/2019-08-01/managementGroupDeploymentTemplate.json#"
        }
        IdScope::Subscription => {
            "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#"
        }
        IdScope::ResourceGroup => SCHEMA,
    };
    let module = Module {
        symbol: String::new(),
        file: String::new(),
        deployment_name: String::new(),
        description: String::new(),
        resources: resources.to_vec(),
        depends_on: Vec::new(),
        target: None,
        params: Vec::new(),
        condition: None,
    };
    let out: Vec<Value> = resources
        .iter()
        .filter(|r| !r.existing)
        .map(|r| resource(r, &module))
        .collect();
    envelope(schema, None, out)
}

/// Pretty JSON with a final newline.
#[must_use]
pub fn to_text(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}
