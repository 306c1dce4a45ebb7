//! ARM JSON: the deployment as a resource-group template whose modules are
//! nested deployments with inner-scoped inline templates, as Bicep itself
//! compiles modules. Sorted keys, two-space indentation, LF, a final
//! newline.
//!
//! A template is described once, as a [`Json`] tree that borrows the
//! model (each resource's body is never copied), and that one tree is
//! either written out as text ([`main_text`], [`scoped_text`]) or, where a
//! caller adds to it (a policy block's template), made a `Value`.

use std::borrow::Cow;

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;

use crate::emit::azure::{
    Deployment, Expr, FIRST_DEPLOYMENT, FIRST_DEPLOYMENT_HELP, IdScope, Module, Resource, api,
    param_description, types,
};
use crate::escape::arm_literal_cow;

const SCHEMA: &str =
    "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";

/// A JSON value of a template, printed from the model as it is: what
/// `serde_json::Value` would hold, without copying what it borrows.
/// Serializes exactly as the equal `Value` does.
enum Json<'a> {
    /// A value of the model (a resource's body member).
    Value(&'a Value),
    /// A JSON string written as it is (a type, an API version).
    Str(&'a str),
    /// Free text: an ARM literal (see [`crate::escape::Text`]).
    Text(Cow<'a, str>),
    /// A template expression (`"[...]"`).
    Expr(Cow<'a, Expr>),
    Bool(bool),
    Array(Vec<Json<'a>>),
    /// Members in key order, each key once (see [`object`]).
    Object(Vec<(&'a str, Json<'a>)>),
}

/// An object of `members`, sorted by key as a `serde_json::Map` sorts
/// them; of two members with one key, the later one, as `Map::insert`
/// keeps it.
fn object<'a>(mut members: Vec<(&'a str, Json<'a>)>) -> Json<'a> {
    // A stable sort keeps members of one key in the order given.
    members.sort_by(|a, b| a.0.cmp(b.0));
    let mut out: Vec<(&'a str, Json<'a>)> = Vec::with_capacity(members.len());
    for m in members {
        if out.last().is_some_and(|l| l.0 == m.0) {
            out.pop();
        }
        out.push(m);
    }
    Json::Object(out)
}

impl Serialize for Json<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Value(v) => v.serialize(s),
            Json::Str(t) => s.serialize_str(t),
            Json::Text(t) => s.serialize_str(&arm_literal_cow(t)),
            Json::Expr(e) => e.serialize(s),
            Json::Bool(b) => s.serialize_bool(*b),
            Json::Array(items) => s.collect_seq(items),
            Json::Object(members) => {
                let mut map = s.serialize_map(Some(members.len()))?;
                for (k, v) in members {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

impl Json<'_> {
    /// Pretty text with a final newline, as [`to_text`] writes a `Value`.
    fn text(&self, capacity: usize) -> String {
        let mut out = Vec::with_capacity(capacity);
        // Writing into memory cannot fail, and the output is UTF-8.
        let _ = serde_json::to_writer_pretty(&mut out, self);
        out.push(b'\n');
        String::from_utf8(out).unwrap_or_default()
    }

    fn value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// A resource's name as ARM JSON: an expression, or the literal full name.
fn name(r: &Resource) -> Json<'_> {
    match (&r.name_expr, r.names.as_slice()) {
        (Some(e), _) => Json::Expr(Cow::Borrowed(e)),
        (None, [one]) => Json::Text(Cow::Borrowed(one)),
        (None, _) => Json::Text(Cow::Owned(r.full_name())),
    }
}

/// One resource as ARM JSON; `dependsOn` names the resources of its
/// template (`siblings`) by id.
fn resource<'a>(r: &'a Resource, siblings: &'a [Resource]) -> Json<'a> {
    let mut members: Vec<(&'a str, Json<'a>)> = Vec::with_capacity(r.body.len() + 5);
    members.extend(r.body.iter().map(|(k, v)| (k.as_str(), Json::Value(v))));
    if let Some(target) = r
        .scope_ref
        .as_ref()
        .and_then(|s| siblings.iter().find(|o| &o.symbol == s))
    {
        members.push(("scope", Json::Text(Cow::Owned(target.relative_id()))));
    }
    members.push(("type", Json::Str(r.arm_type)));
    members.push(("apiVersion", Json::Str(r.api_version)));
    members.push(("name", name(r)));
    if !r.depends_on.is_empty() {
        let deps = r
            .depends_on
            .iter()
            .filter_map(|s| siblings.iter().find(|o| &o.symbol == s))
            .filter(|o| !o.existing)
            .map(|o| Json::Expr(Cow::Owned(o.id())))
            .collect();
        members.push(("dependsOn", Json::Array(deps)));
    }
    object(members)
}

/// The resources a template deploys (not those it only refers to).
fn resources(resources: &[Resource]) -> Json<'_> {
    Json::Array(
        resources
            .iter()
            .filter(|r| !r.existing)
            .map(|r| resource(r, resources))
            .collect(),
    )
}

fn param<'a>(kind: &'a str, default: Option<Json<'a>>, description: Cow<'a, str>) -> Json<'a> {
    let mut members = vec![
        ("type", Json::Str(kind)),
        (
            "metadata",
            object(vec![("description", Json::Text(description))]),
        ),
    ];
    if let Some(d) = default {
        members.push(("defaultValue", d));
    }
    object(members)
}

/// The inline template of one module.
fn module_template(m: &Module) -> Json<'_> {
    let mut params = vec![
        (
            "location",
            param("string", None, "Azure region of the resources".into()),
        ),
        (
            "tags",
            param("object", None, "tags for every resource".into()),
        ),
    ];
    for (name, _) in &m.params {
        params.push((
            name.as_str(),
            param("string", None, param_description(name).into()),
        ));
    }
    envelope(SCHEMA, Some(object(params)), resources(&m.resources))
}

/// A template's envelope around its resources.
fn envelope<'a>(schema: &'a str, parameters: Option<Json<'a>>, resources: Json<'a>) -> Json<'a> {
    let mut members = vec![
        ("$schema", Json::Str(schema)),
        ("contentVersion", Json::Str("1.0.0.0")),
        ("resources", resources),
    ];
    if let Some(p) = parameters {
        members.push(("parameters", p));
    }
    object(members)
}

/// One module as a nested deployment (see [`module_deployment`]).
fn nested<'a>(
    m: &'a Module,
    modules: &'a [Module],
    location: &Json<'a>,
    tags: &Json<'a>,
) -> Json<'a> {
    let mut obj = vec![
        ("type", Json::Str(types::DEPLOYMENT)),
        ("apiVersion", Json::Str(api::DEPLOYMENTS)),
        ("name", Json::Text(Cow::Borrowed(&m.deployment_name))),
    ];
    if let Some(c) = &m.condition {
        obj.push(("condition", Json::Expr(Cow::Borrowed(c))));
    }
    if !m.depends_on.is_empty() {
        let deps = m
            .depends_on
            .iter()
            .filter_map(|s| modules.iter().find(|o| o.symbol == *s))
            .map(|o| {
                Json::Expr(Cow::Owned(Expr::resource_id(
                    types::DEPLOYMENT,
                    &[&o.deployment_name],
                )))
            })
            .collect();
        obj.push(("dependsOn", Json::Array(deps)));
    }
    if let Some((sub, rg)) = &m.target {
        obj.push(("subscriptionId", Json::Text(Cow::Borrowed(sub))));
        obj.push(("resourceGroup", Json::Text(Cow::Borrowed(rg))));
    }
    let mut params = vec![
        ("location", object(vec![("value", location.share())])),
        ("tags", object(vec![("value", tags.share())])),
    ];
    for (name, value) in &m.params {
        params.push((
            name.as_str(),
            object(vec![("value", Json::Expr(Cow::Borrowed(value)))]),
        ));
    }
    let props = vec![
        (
            "expressionEvaluationOptions",
            object(vec![("scope", Json::Str("inner"))]),
        ),
        ("mode", Json::Str("Incremental")),
        ("parameters", object(params)),
        ("template", module_template(m)),
    ];
    obj.push(("properties", object(props)));
    object(obj)
}

impl<'a> Json<'a> {
    /// The same value again, borrowing what this one borrows or owns where
    /// that is cheap (the parameter values every module passes on).
    fn share(&self) -> Json<'a> {
        match self {
            Json::Value(v) => Json::Value(v),
            Json::Str(t) => Json::Str(t),
            Json::Text(t) => Json::Text(t.clone()),
            Json::Expr(e) => Json::Expr(e.clone()),
            Json::Bool(b) => Json::Bool(*b),
            Json::Array(items) => Json::Array(items.iter().map(Json::share).collect()),
            Json::Object(members) => {
                Json::Object(members.iter().map(|(k, v)| (*k, v.share())).collect())
            }
        }
    }
}

/// One module as a nested deployment (inner-scoped, into its target
/// resource group when it has one), given the values of its `location`
/// and `tags` parameters; `modules` are its siblings, for `dependsOn`.
#[must_use]
pub fn module_deployment(m: &Module, modules: &[Module], location: &Value, tags: &Value) -> Value {
    nested(m, modules, &Json::Value(location), &Json::Value(tags)).value()
}

/// The entry template: parameters and one nested deployment per module.
fn main_json(d: &Deployment) -> Json<'_> {
    let location = Json::Expr(Cow::Owned(Expr::param("location")));
    let tags = Json::Expr(Cow::Owned(Expr::param("tags")));
    let deployments = d
        .modules
        .iter()
        .map(|m| nested(m, &d.modules, &location, &tags))
        .collect();
    let tag_values = d
        .tags
        .iter()
        .map(|(k, v)| (k.as_str(), Json::Text(Cow::Borrowed(v))))
        .collect();
    let mut params = vec![
        (
            "location",
            param(
                "string",
                Some(Json::Text(Cow::Borrowed(&d.location))),
                "Azure region of the workspace and its resources".into(),
            ),
        ),
        (
            "tags",
            param(
                "object",
                Some(Json::Object(tag_values)),
                "tags for every resource".into(),
            ),
        ),
    ];
    if d.phases.two_phase() {
        params.push((
            FIRST_DEPLOYMENT,
            param(
                "bool",
                Some(Json::Bool(false)),
                FIRST_DEPLOYMENT_HELP.into(),
            ),
        ));
    }
    envelope(SCHEMA, Some(object(params)), Json::Array(deployments))
}

/// The entry template's text (`azuredeploy.json`), written straight from
/// the model.
#[must_use]
pub fn main_text(d: &Deployment) -> String {
    main_json(d).text(64 * 1024)
}

/// The schema of a template at `scope`.
fn schema(scope: IdScope) -> &'static str {
    match scope {
        IdScope::ManagementGroup => {
            "https://schema.management.azure.com/schemas/2019-08-01/managementGroupDeploymentTemplate.json#"
        }
        IdScope::Subscription => {
            "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#"
        }
        IdScope::ResourceGroup => SCHEMA,
    }
}

/// A template at a subscription or management group holding `resources`
/// (no parameters).
#[must_use]
pub fn scoped_template(scope: IdScope, resources: &[Resource]) -> Value {
    envelope(schema(scope), None, self::resources(resources)).value()
}

/// The text of [`scoped_template`], written straight from the model.
#[must_use]
pub fn scoped_text(scope: IdScope, resources: &[Resource]) -> String {
    envelope(schema(scope), None, self::resources(resources)).text(8 * 1024)
}

/// Pretty JSON with a final newline.
#[must_use]
pub fn to_text(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The direct text is the text of the value, member for member.
    #[test]
    fn objects_sort_and_keep_the_later_member() {
        let body = serde_json::json!({ "b": [1, "[[x]"], "a": {} });
        let Value::Object(members) = &body else {
            unreachable!()
        };
        let mut given: Vec<(&str, Json)> = members
            .iter()
            .map(|(k, v)| (k.as_str(), Json::Value(v)))
            .collect();
        given.push(("b", Json::Text("[y]".into())));
        given.push(("$c", Json::Expr(Cow::Owned(Expr::param("p")))));
        let j = object(given);
        let want = serde_json::json!({ "a": {}, "b": "[[y]", "$c": "[parameters('p')]" });
        assert_eq!(j.value(), want);
        assert_eq!(j.text(0), to_text(&want));
    }
}
