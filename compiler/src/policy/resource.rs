//! The fields of an ARM resource, as a policy condition reads them.
//!
//! Built-in fields: `type`, `name` (the last segment: `ws/compute` reads
//! `compute`), `fullName` (parent names included, from `name` or `id`),
//! `kind`, `location` (spaces removed: `East US 2` is `eastus2`), `id`,
//! `identity.type`, `identity.userAssignedIdentities`, `tags`, `tags['x']`
//! (tag names ignore case). An alias
//! reads its ARM path from the table; property names ignore case. An alias
//! of another resource type reads nothing, as in Azure.
//!
//! A path with `[*]` selects a collection: every member of the array (a
//! missing or `null` array is an empty collection, as Microsoft's table of
//! selected values says). Inside a `count`, the `[*]` of the counted array
//! is bound to the member being counted, so the `where` sees that member
//! alone ("as if it were the only member of the array").
//!
//! A string that is still an ARM template expression (`"[parameters('x')]"`,
//! from a template-declared resource) cannot be evaluated offline: reading
//! one is an error, never a comparison with the expression text.

use serde_json::Value;

use super::aliases::{Alias, Segment};
use super::expr;
use super::field::Field;
use super::functions::get_ci;
use super::ops::describe;

/// The member a `count` is iterating.
#[derive(Debug, Clone)]
pub(crate) enum Binding {
    /// A field count over an array alias: the index of each of its `[*]`.
    Field {
        /// The counted alias's path for the request's API version.
        path: Vec<Segment>,
        indices: Vec<usize>,
        current: Value,
    },
    /// A value count: the member under its index name.
    Value { name: String, current: Value },
}

/// What a field selects: one value (or none), or a collection.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Selection {
    One(Option<Value>),
    Many(Vec<Option<Value>>),
}

/// Where an array member sits: the index of each `[*]` passed, and the
/// value found (`None`: absent).
pub(crate) type Entry<'r> = (Vec<usize>, Option<&'r Value>);

/// The resource's `type`; a resource without one cannot be evaluated.
pub(crate) fn resource_type(resource: &Value) -> Result<&str, String> {
    match resource {
        Value::Object(o) => match get_ci(o, "type") {
            Some(Value::String(t)) if !t.is_empty() => Ok(t),
            Some(other) => Err(format!(
                "the resource's `type` must be a string, got {}",
                describe(other)
            )),
            None => Err("the resource has no `type` (expected ARM resource JSON: {type, name, location, properties, ...})".into()),
        },
        other => Err(format!(
            "a resource is a JSON object, got {}",
            describe(other)
        )),
    }
}

/// The alias's row for the resource's type (`Alias::of_type`), or none
/// when the alias does not belong to it. A resource without a type is
/// read only by raw-path aliases (which belong to every type).
pub(crate) fn alias_of<'a>(resource: &Value, alias: &'a Alias) -> Option<&'a Alias> {
    match resource_type(resource) {
        Ok(t) => alias.of_type(t),
        Err(_) => alias.of_type(super::aliases::ANY_TYPE),
    }
}

/// A member of the resource's `identity` object (names ignore case), or
/// nothing when either is missing or `null`.
fn identity_member(resource: &Value, key: &str) -> Option<Value> {
    let identity = resource.as_object().and_then(|o| get_ci(o, "identity"))?;
    identity
        .as_object()
        .and_then(|i| get_ci(i, key))
        .filter(|v| !v.is_null())
        .cloned()
}

/// Reads a field; an alias reads its path for the request's API version
/// (`Alias::path_for`).
pub(crate) fn select(
    resource: &Value,
    field: &Field,
    bindings: &[Binding],
    api_version: Option<&str>,
) -> Result<Selection, String> {
    let top = |key: &str| match resource {
        Value::Object(o) => get_ci(o, key).filter(|v| !v.is_null()).cloned(),
        _ => None,
    };
    let sel = match field {
        Field::Type => Selection::One(top("type")),
        Field::Name => Selection::One(top("name").map(|n| match n {
            Value::String(s) => Value::String(s.rsplit('/').next().unwrap_or_default().to_string()),
            other => other,
        })),
        Field::FullName => Selection::One(full_name(resource)),
        Field::Kind => Selection::One(top("kind")),
        Field::Location => Selection::One(top("location").map(|l| match l {
            Value::String(s) => Value::String(s.chars().filter(|c| !c.is_whitespace()).collect()),
            other => other,
        })),
        Field::Id => Selection::One(top("id")),
        Field::IdentityType => Selection::One(identity_member(resource, "type")),
        Field::UserAssignedIdentities => {
            Selection::One(identity_member(resource, "userAssignedIdentities"))
        }
        Field::Tags => Selection::One(top("tags")),
        Field::Tag(name) => Selection::One(
            top("tags")
                .as_ref()
                .and_then(Value::as_object)
                .and_then(|t| {
                    get_ci(t, name).or_else(|| {
                        t.iter()
                            .find(|(k, _)| k.to_lowercase() == name.to_lowercase())
                            .map(|(_, v)| v)
                    })
                })
                .filter(|v| !v.is_null())
                .cloned(),
        ),
        Field::Alias(alias) => {
            let Some(alias) = alias_of(resource, alias) else {
                let many = alias.path().is_some_and(|p| p.contains(&Segment::Wildcard));
                return Ok(if many {
                    Selection::Many(Vec::new())
                } else {
                    Selection::One(None)
                });
            };
            let Some(path) = alias.path_for(api_version) else {
                return Err(format!("`{}` has no ARM path", alias.name));
            };
            let many = path.contains(&Segment::Wildcard);
            let entries = walk(resource, path, bindings)?;
            if many {
                Selection::Many(entries.into_iter().map(|(_, v)| v.cloned()).collect())
            } else {
                Selection::One(entries.into_iter().next().and_then(|(_, v)| v.cloned()))
            }
        }
    };
    match &sel {
        Selection::One(Some(v)) => reject_template_expression(v, &field.describe())?,
        Selection::Many(vs) => {
            for v in vs.iter().flatten() {
                reject_template_expression(v, &field.describe())?;
            }
        }
        Selection::One(None) => {}
    }
    Ok(sel)
}

/// `fullName`: the resource name with its parents' (`server/database`).
fn full_name(resource: &Value) -> Option<Value> {
    let o = resource.as_object()?;
    let name = get_ci(o, "name").and_then(Value::as_str);
    if let Some(n) = name
        && n.contains('/')
    {
        return Some(Value::String(n.to_string()));
    }
    if let Some(id) = get_ci(o, "id").and_then(Value::as_str) {
        let lower = id.to_ascii_lowercase();
        if let Some(p) = lower.rfind("/providers/") {
            let rest = &id[p + "/providers/".len()..];
            let parts: Vec<&str> = rest.split('/').collect();
            // namespace / type / name / type / name ...
            let names: Vec<&str> = parts.iter().skip(2).step_by(2).copied().collect();
            if !names.is_empty() && parts.len() % 2 == 1 {
                return Some(Value::String(names.join("/")));
            }
        }
    }
    name.map(|n| Value::String(n.to_string()))
}

/// Walks an ARM path from the resource root. Each `[*]` fans out over the
/// array's members, unless a count binds it to one member.
pub(crate) fn walk<'r>(
    root: &'r Value,
    path: &[Segment],
    bindings: &[Binding],
) -> Result<Vec<Entry<'r>>, String> {
    let mut out = Vec::new();
    let mut indices = Vec::new();
    step(Some(root), path, 0, 0, &mut indices, bindings, &mut out)?;
    Ok(out)
}

fn step<'r>(
    node: Option<&'r Value>,
    path: &[Segment],
    pos: usize,
    stars: usize,
    indices: &mut Vec<usize>,
    bindings: &[Binding],
    out: &mut Vec<Entry<'r>>,
) -> Result<(), String> {
    let node = node.filter(|v| !v.is_null());
    let Some(seg) = path.get(pos) else {
        out.push((indices.clone(), node));
        return Ok(());
    };
    match seg {
        Segment::Property(name) => {
            let next = node
                .and_then(Value::as_object)
                .and_then(|o| get_ci(o, name));
            if next.is_none() && path[pos..].contains(&Segment::Wildcard) {
                // A missing array selects an empty collection.
                return Ok(());
            }
            step(next, path, pos + 1, stars, indices, bindings, out)
        }
        Segment::Wildcard => {
            let Some(node) = node else { return Ok(()) };
            let Value::Array(items) = node else {
                return Err(format!(
                    "`{}` is {}, but the alias reads it as an array (`[*]`)",
                    show(&path[..pos]),
                    describe(node)
                ));
            };
            if let Some(i) = bound_index(path, pos, stars, bindings) {
                if let Some(item) = items.get(i) {
                    indices.push(i);
                    step(Some(item), path, pos + 1, stars + 1, indices, bindings, out)?;
                    indices.pop();
                }
                return Ok(());
            }
            for (i, item) in items.iter().enumerate() {
                indices.push(i);
                step(Some(item), path, pos + 1, stars + 1, indices, bindings, out)?;
                indices.pop();
            }
            Ok(())
        }
    }
}

/// The member index a count binds to the `stars`-th `[*]` of `path` (at
/// `pos`): the innermost count whose array path has the same prefix.
fn bound_index(path: &[Segment], pos: usize, stars: usize, bindings: &[Binding]) -> Option<usize> {
    for b in bindings.iter().rev() {
        let Binding::Field {
            path: bp, indices, ..
        } = b
        else {
            continue;
        };
        if bp.len() > pos
            && bp[..=pos].iter().zip(&path[..=pos]).all(|(x, y)| x.same(y))
            && let Some(&i) = indices.get(stars)
        {
            return Some(i);
        }
    }
    None
}

fn show(path: &[Segment]) -> String {
    let mut s = String::new();
    for seg in path {
        match seg {
            Segment::Property(p) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(p);
            }
            Segment::Wildcard => s.push_str("[*]"),
        }
    }
    s
}

/// The subscription and resource group in an ARM resource id.
pub(crate) fn id_scope(resource: &Value) -> (Option<String>, Option<String>) {
    let id = resource
        .as_object()
        .and_then(|o| get_ci(o, "id"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let parts: Vec<&str> = id.split('/').collect();
    let after = |key: &str| {
        parts
            .iter()
            .position(|p| p.eq_ignore_ascii_case(key))
            .and_then(|i| parts.get(i + 1))
            .filter(|s| !s.is_empty())
            .map(|s| (*s).to_string())
    };
    (after("subscriptions"), after("resourceGroups"))
}

/// Errors on a value that still holds an ARM template expression.
fn reject_template_expression(v: &Value, what: &str) -> Result<(), String> {
    match v {
        Value::String(s) if expr::is_expression(s) => Err(format!(
            "`{what}` holds the unevaluated ARM template expression `{s}`: evaluate the template first, or pass the resource as ARM returns it"
        )),
        Value::Array(a) => a
            .iter()
            .try_for_each(|x| reject_template_expression(x, what)),
        Value::Object(o) => o
            .values()
            .try_for_each(|x| reject_template_expression(x, what)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::aliases::{parse_path, table};
    use serde_json::json;

    fn alias(name: &str) -> &'static Alias {
        table().unwrap().get(name).unwrap()
    }

    #[test]
    fn built_in_fields() {
        let r = json!({
            "id": "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.MachineLearningServices/workspaces/ws/computes/cpu",
            "name": "cpu",
            "type": "Microsoft.MachineLearningServices/workspaces/computes",
            "location": "West Europe",
            "identity": {"type": "UserAssigned", "userAssignedIdentities": {"/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1": {}}},
            "tags": {"Owner": "ml"}
        });
        let one = |f: Field| select(&r, &f, &[], None).unwrap();
        assert_eq!(one(Field::Name), Selection::One(Some(json!("cpu"))));
        assert_eq!(one(Field::FullName), Selection::One(Some(json!("ws/cpu"))));
        assert_eq!(
            one(Field::Location),
            Selection::One(Some(json!("WestEurope")))
        );
        assert_eq!(
            one(Field::IdentityType),
            Selection::One(Some(json!("UserAssigned")))
        );
        assert_eq!(
            one(Field::UserAssignedIdentities),
            Selection::One(Some(
                json!({"/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1": {}})
            ))
        );
        assert_eq!(
            one(Field::Tag("owner".into())),
            Selection::One(Some(json!("ml")))
        );
        assert_eq!(one(Field::Tag("cost".into())), Selection::One(None));
        assert_eq!(one(Field::Kind), Selection::One(None));
        let t = json!({"type": "Microsoft.MachineLearningServices/workspaces/computes", "name": "ws/cpu"});
        assert_eq!(
            select(&t, &Field::Name, &[], None).unwrap(),
            Selection::One(Some(json!("cpu")))
        );
        assert_eq!(
            select(&t, &Field::FullName, &[], None).unwrap(),
            Selection::One(Some(json!("ws/cpu")))
        );
        assert_eq!(id_scope(&r), (Some("s1".into()), Some("rg1".into())));
    }

    #[test]
    fn aliases_read_their_path_ignoring_case() {
        let r = json!({
            "type": "microsoft.machinelearningservices/workspaces/computes",
            "Properties": {"computeType": "AmlCompute", "properties": {"Subnet": {"ID": "/x"}}}
        });
        let sel = |n: &str| select(&r, &Field::Alias(alias(n)), &[], None).unwrap();
        assert_eq!(
            sel("Microsoft.MachineLearningServices/workspaces/computes/subnet.id"),
            Selection::One(Some(json!("/x")))
        );
        assert_eq!(
            sel("Microsoft.MachineLearningServices/workspaces/computes/computeType"),
            Selection::One(Some(json!("AmlCompute")))
        );
        // An alias of another type reads nothing.
        assert_eq!(
            sel("Microsoft.MachineLearningServices/workspaces/publicNetworkAccess"),
            Selection::One(None)
        );
    }

    #[test]
    fn wildcards_fan_out_and_missing_arrays_are_empty() {
        let pe = json!({
            "type": "Microsoft.Network/privateEndpoints",
            "properties": {"privateLinkServiceConnections": [
                {"properties": {"groupIds": ["amlworkspace"]}},
                {"properties": {}},
                {"properties": {"groupIds": ["blob", "dfs"]}}
            ]}
        });
        let a = alias(
            "Microsoft.Network/privateEndpoints/privateLinkServiceConnections[*].groupIds[*]",
        );
        assert_eq!(
            select(&pe, &Field::Alias(a), &[], None).unwrap(),
            Selection::Many(vec![
                Some(json!("amlworkspace")),
                Some(json!("blob")),
                Some(json!("dfs"))
            ])
        );
        let entries = walk(&pe, a.path().unwrap(), &[]).unwrap();
        assert_eq!(entries[2].0, vec![2, 1]);
        let empty = json!({"type": "Microsoft.Network/privateEndpoints", "properties": {}});
        assert_eq!(
            select(&empty, &Field::Alias(a), &[], None).unwrap(),
            Selection::Many(vec![])
        );
        let bad = json!({"type": "Microsoft.Network/privateEndpoints", "properties": {"privateLinkServiceConnections": {"a": 1}}});
        assert!(
            select(&bad, &Field::Alias(a), &[], None)
                .unwrap_err()
                .contains("as an array")
        );
    }

    #[test]
    fn a_count_binds_its_member() {
        let r = json!({"a": [{"b": [1, 2]}, {"b": [3]}]});
        let path = parse_path("a[*].b[*]").unwrap();
        assert_eq!(walk(&r, &path, &[]).unwrap().len(), 3);
        let counted = alias(
            "Microsoft.Network/privateEndpoints/privateLinkServiceConnections[*].groupIds[*]",
        );
        let b = Binding::Field {
            path: counted.path().unwrap().to_vec(),
            indices: vec![1, 0],
            current: json!("x"),
        };
        let pe = json!({"properties": {"privateLinkServiceConnections": [
            {"properties": {"groupIds": ["a", "b"]}},
            {"properties": {"groupIds": ["c"]}}
        ]}});
        let got = walk(&pe, counted.path().unwrap(), &[b]).unwrap();
        assert_eq!(got, vec![(vec![1, 0], Some(&json!("c")))]);
    }

    #[test]
    fn template_expressions_in_resources_are_errors() {
        let r = json!({"type": "Microsoft.MachineLearningServices/workspaces", "location": "[resourceGroup().location]"});
        assert!(
            select(&r, &Field::Location, &[], None)
                .unwrap_err()
                .contains("unevaluated")
        );
        let ok = json!({"type": "Microsoft.MachineLearningServices/workspaces", "location": "[[literal]"});
        assert!(select(&ok, &Field::Location, &[], None).is_ok());
        assert!(resource_type(&json!({"name": "x"})).is_err());
        assert!(resource_type(&json!([1])).is_err());
    }
}
