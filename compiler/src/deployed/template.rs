//! ARM templates read as what they deploy: `az group export` (names as
//! `[parameters('x')]` with `defaultValue`s, `resourceId(...)`
//! references, child resources nested in `resources` arrays) and amlgen's
//! own `azuredeploy.json` (nested `Microsoft.Resources/deployments` with
//! an inline `template`, `resourceGroup`/`subscriptionId` targets, module
//! parameters, `condition`, extension resources with `scope`).
//!
//! Each resource's expressions are evaluated (`template_eval.rs`) with the
//! template's parameters (their `defaultValue`, or the values a nested
//! deployment passes), its variables and the target scope; a resource
//! whose `condition` is false is skipped, as ARM skips it. The
//! deployments themselves are not resources of the result, their inner
//! resources are. The semantics followed are "Template structure" (the
//! `resources`, `condition`, `copy`, `scope` and `existing` members),
//! "Nested templates: expression evaluation scope" (`inner` takes the
//! values the deployment passes, `outer` the parent's parameters and
//! variables) and "Child resources: within parent resource" (a nested
//! child's type and name are relative to its parent), all from the Azure
//! Resource Manager template documentation.

use serde_json::{Map, Value};

use super::ids;
use super::locate::{self, Loc};
use super::reader::{NO_RESOURCE_GROUP, NO_SUBSCRIPTION, Reader};
use super::template_eval::{Ctx, is_unknown};
use crate::diag::{Code, Diagnostic};

/// Deepest chain of nested deployments followed (amlgen's own are one
/// level; ARM allows more, exports have none).
const MAX_NESTING: usize = 16;
/// Most copies a `copy` loop makes (ARM's own limit is 800).
const MAX_COPIES: i64 = 800;

/// Members of a template resource that are the template's, not the
/// deployed resource's.
const TEMPLATE_ONLY: &[&str] = &[
    "apiVersion",
    "dependsOn",
    "condition",
    "copy",
    "comments",
    "resources",
    "scope",
    "existing",
    "metadata",
];

/// Reads a template's resources.
pub fn read(r: &mut Reader<'_>, o: &Map<String, Value>, loc: Option<&Loc>) {
    let schema = o
        .get("$schema")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_ascii_lowercase();
    let sub = r
        .scope
        .subscription_id
        .clone()
        .unwrap_or_else(|| NO_SUBSCRIPTION.to_string());
    // A subscription-level template deploys no resource group's resources.
    let rg = if schema.contains("subscriptiondeploymenttemplate") {
        None
    } else {
        Some(
            r.scope
                .resource_group
                .clone()
                .unwrap_or_else(|| NO_RESOURCE_GROUP.to_string()),
        )
    };
    let ctx = Ctx::new(o, Map::new(), sub, rg, "deployment".into());
    resources(
        r,
        &ctx,
        o.get("resources"),
        locate::key(loc, "resources"),
        None,
        0,
    );
}

/// The resources of a `resources` member (an array, or languageVersion
/// 2.0's object keyed by symbolic name).
fn resources(
    r: &mut Reader<'_>,
    ctx: &Ctx,
    list: Option<&Value>,
    loc: Option<&Loc>,
    parent: Option<(&str, &str)>,
    depth: usize,
) {
    let items: Vec<(&Value, Option<&Loc>)> = match list {
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .map(|(i, v)| (v, locate::at(loc, i)))
            .collect(),
        Some(Value::Object(o)) => o.iter().map(|(k, v)| (v, locate::key(loc, k))).collect(),
        _ => return,
    };
    for (v, l) in items {
        let Some(res) = v.as_object() else { continue };
        match res.get("copy") {
            Some(copy) if copy.is_object() => {
                let mut errs = Vec::new();
                let count = ctx.eval(copy.get("count").unwrap_or(&Value::Null), &mut errs);
                let loop_name = copy.get("name").and_then(Value::as_str).unwrap_or_default();
                match count.as_i64().filter(|n| (0..=MAX_COPIES).contains(n)) {
                    Some(n) => {
                        for i in 0..n {
                            let c = ctx.with_copy(loop_name, i);
                            one(r, &c, res, l, parent, depth);
                        }
                    }
                    None => {
                        errs.push(format!(
                            "the copy count is {count}, not a number from 0 to {MAX_COPIES}"
                        ));
                        report(r, res, l, &errs, true);
                    }
                }
            }
            _ => one(r, ctx, res, l, parent, depth),
        }
    }
}

/// One template resource: skipped if its condition is false or it is an
/// `existing` reference; a deployment is followed into.
fn one(
    r: &mut Reader<'_>,
    ctx: &Ctx,
    res: &Map<String, Value>,
    loc: Option<&Loc>,
    parent: Option<(&str, &str)>,
    depth: usize,
) {
    let mut errs = Vec::new();
    if res.get("existing").and_then(Value::as_bool) == Some(true) {
        return;
    }
    if let Some(c) = res.get("condition")
        && ctx.eval(c, &mut errs) == Value::Bool(false)
    {
        return;
    }
    let ty = ctx.eval(res.get("type").unwrap_or(&Value::Null), &mut errs);
    let name = ctx.eval(res.get("name").unwrap_or(&Value::Null), &mut errs);
    let (Some(ty), Some(name)) = (
        ty.as_str().filter(|s| !s.is_empty() && !is_unknown(s)),
        name.as_str().filter(|s| !s.is_empty() && !is_unknown(s)),
    ) else {
        if errs.is_empty() {
            errs.push("the resource has no `type` or `name` string".into());
        }
        report(r, res, loc, &errs, true);
        return;
    };
    // A child declared inside its parent has a relative type and name.
    let (ty, name) = match parent {
        Some((pt, pn)) if !ty.contains('/') => (format!("{pt}/{ty}"), format!("{pn}/{name}")),
        _ => (ty.to_string(), name.to_string()),
    };
    if ty.eq_ignore_ascii_case("Microsoft.Resources/deployments") {
        nested(r, ctx, res, &name, loc, depth);
        return;
    }
    let mut body = Map::new();
    for (k, v) in res {
        if !TEMPLATE_ONLY.contains(&k.as_str()) {
            body.insert(k.clone(), ctx.eval(v, &mut errs));
        }
    }
    let id = match res.get("scope") {
        Some(s) => {
            let scope = ctx.eval(s, &mut errs);
            let scope = scope.as_str().unwrap_or_default();
            let scope_id = if scope.starts_with('/') {
                scope.trim_end_matches('/').to_string()
            } else {
                // A relative id, `Ns/type/name`, of the deployment's group.
                let (t, n) = split_relative(scope);
                ids::resource_id(ctx.sub(), ctx.rg(), &t, &n)
            };
            let tail =
                ids::provider_tail(&ty, &name).unwrap_or_else(|| format!("/providers/{ty}/{name}"));
            format!("{scope_id}{tail}")
        }
        None => ids::resource_id(ctx.sub(), ctx.rg(), &ty, &name),
    };
    body.insert("id".into(), Value::String(id.clone()));
    body.insert("type".into(), Value::String(ty.clone()));
    body.insert("name".into(), Value::String(name.clone()));
    if ty.eq_ignore_ascii_case("Microsoft.Authorization/roleAssignments") {
        add_assignment_scope(&mut body, &id);
    }
    if !errs.is_empty() {
        let what = format!("resource `{name}` (`{ty}`)");
        report_as(r, &what, loc, &errs, false);
    }
    r.push(id, name.clone(), body, loc);
    resources(
        r,
        ctx,
        res.get("resources"),
        locate::key(loc, "resources"),
        Some((&ty, &name)),
        depth,
    );
}

/// Azure returns a role assignment's scope in its properties (a read-only
/// value the template does not write): the id up to the assignment's own
/// `/providers/Microsoft.Authorization/roleAssignments/...`.
fn add_assignment_scope(body: &mut Map<String, Value>, id: &str) {
    let lower = id.to_ascii_lowercase();
    let Some(at) = lower.rfind("/providers/microsoft.authorization/roleassignments/") else {
        return;
    };
    let scope = id.get(..at).unwrap_or_default();
    let scope = if scope.is_empty() { "/" } else { scope };
    if let Some(Value::Object(p)) = body.get_mut("properties") {
        p.entry("scope")
            .or_insert_with(|| Value::String(scope.to_string()));
    }
}

/// `Ns/t1/n1[/t2/n2]` → (`Ns/t1[/t2]`, `n1[/n2]`).
fn split_relative(s: &str) -> (String, String) {
    let segs: Vec<&str> = s.split('/').collect();
    let ns = segs.first().copied().unwrap_or_default();
    let rest = segs.get(1..).unwrap_or_default();
    let types: Vec<&str> = rest.iter().step_by(2).copied().collect();
    let names: Vec<&str> = rest.iter().skip(1).step_by(2).copied().collect();
    (format!("{ns}/{}", types.join("/")), names.join("/"))
}

/// A nested deployment: its inline template's resources, deployed to its
/// target, with its parameters.
fn nested(
    r: &mut Reader<'_>,
    ctx: &Ctx,
    res: &Map<String, Value>,
    name: &str,
    loc: Option<&Loc>,
    depth: usize,
) {
    let mut errs = Vec::new();
    let props = res.get("properties").and_then(Value::as_object);
    let Some(template) = props
        .and_then(|p| p.get("template"))
        .and_then(Value::as_object)
    else {
        errs.push(
            "the deployment has no inline `template` (a `templateLink` is not followed: read the linked template as its own file)"
                .into(),
        );
        report(r, res, loc, &errs, true);
        return;
    };
    if depth >= MAX_NESTING {
        errs.push(format!(
            "deployments nested more than {MAX_NESTING} deep are not followed"
        ));
        report(r, res, loc, &errs, true);
        return;
    }
    let sub = res
        .get("subscriptionId")
        .map(|v| ctx.eval(v, &mut errs))
        .and_then(|v| v.as_str().map(str::to_string));
    let rg = match res.get("resourceGroup") {
        Some(v) => ctx.eval(v, &mut errs).as_str().map(str::to_string),
        // A deployment to another subscription with no group deploys at
        // that subscription's level.
        None if sub.is_some() => None,
        None => ctx.rg().map(str::to_string),
    };
    let sub = sub.unwrap_or_else(|| ctx.sub().to_string());
    let inner = props
        .and_then(|p| p.get("expressionEvaluationOptions"))
        .and_then(|o| o.get("scope"))
        .and_then(Value::as_str)
        .is_some_and(|s| s.eq_ignore_ascii_case("inner"));
    let child = if inner {
        let mut given = Map::new();
        if let Some(ps) = props
            .and_then(|p| p.get("parameters"))
            .and_then(Value::as_object)
        {
            for (k, v) in ps {
                if let Some(val) = v.get("value") {
                    given.insert(k.clone(), ctx.eval(val, &mut errs));
                } else if v.get("reference").is_some() {
                    given.insert(
                        k.clone(),
                        Value::String(super::template_eval::unknown(&format!(
                            "parameters('{k}') from a Key Vault reference"
                        ))),
                    );
                }
            }
        }
        Ctx::new(template, given, sub, rg, name.to_string())
    } else {
        ctx.retarget(sub, rg, name.to_string())
    };
    if !errs.is_empty() {
        report(r, res, loc, &errs, false);
    }
    let tloc = locate::key(locate::key(loc, "properties"), "template");
    resources(
        r,
        &child,
        template.get("resources"),
        locate::key(tloc, "resources"),
        None,
        depth + 1,
    );
}

/// AML4006: expressions of a resource that could not be evaluated.
fn report(
    r: &mut Reader<'_>,
    res: &Map<String, Value>,
    loc: Option<&Loc>,
    errs: &[String],
    dropped: bool,
) {
    let show = |k: &str| {
        res.get(k).map_or_else(
            || "?".into(),
            |v| v.as_str().map_or_else(|| v.to_string(), str::to_string),
        )
    };
    let what = format!("resource `{}` (`{}`)", show("name"), show("type"));
    report_as(r, &what, loc, errs, dropped);
}

/// AML4006 about a resource named `what`.
fn report_as(r: &mut Reader<'_>, what: &str, loc: Option<&Loc>, errs: &[String], dropped: bool) {
    let span = r.type_span(loc);
    let mut d = Diagnostic::new(
        Code::TemplateExpression,
        span,
        if dropped {
            format!(
                "{what} cannot be read, and is left out: {}",
                errs.first().map_or("", String::as_str)
            )
        } else {
            format!(
                "{what}: {} expression(s) cannot be evaluated; the values read as `<unknown: ...>`",
                errs.len()
            )
        },
    )
    .label(if dropped {
        "left out"
    } else {
        "read with unknown values"
    });
    for e in errs.iter().skip(usize::from(dropped)).take(5) {
        d = d.note(e.clone());
    }
    r.diags.push(d.help(
        "amlgen evaluates the template functions exports and its own builds use; give the template's parameters values (`defaultValue`), or read what is deployed with `az resource show` instead",
    ));
}
