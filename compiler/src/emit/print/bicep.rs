//! Bicep: the deployment rendered through the handlebars templates in
//! `templates/` (embedded in the binary; `--templates DIR` overrides any of
//! them). Templates give the layout; every value is printed by the
//! `bicep` helper from the same ARM JSON the ARM emitter writes, so both
//! outputs say the same thing.

use std::collections::BTreeMap;
use std::path::Path;

use handlebars::{
    Context, Handlebars, Helper, HelperResult, Output, RenderContext, RenderError,
    RenderErrorReason,
};
use serde_json::{Map, Value, json};

use crate::emit::azure::expr::parse_arm;
use crate::emit::azure::{
    Deployment, Expr, FIRST_DEPLOYMENT_HELP, Module, Resource, param_description, types,
};
use crate::escape::{Text, bicep_string, is_arm_expression, is_bicep_identifier, unarm_literal};

/// The templates and their embedded defaults.
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "hub-firewall.bicep",
        include_str!("../../../../templates/hub-firewall.bicep.hbs"),
    ),
    (
        "main.bicep",
        include_str!("../../../../templates/main.bicep.hbs"),
    ),
    (
        "module.bicep",
        include_str!("../../../../templates/module.bicep.hbs"),
    ),
    (
        "main.bicepparam",
        include_str!("../../../../templates/main.bicepparam.hbs"),
    ),
    (
        "policy.bicep",
        include_str!("../../../../templates/policy.bicep.hbs"),
    ),
];

const INDENT: &str = "  ";

/// Indentation for a depth, without allocating for the usual depths.
fn pad(depth: usize) -> std::borrow::Cow<'static, str> {
    const SPACES: &str = "                                                                ";
    match SPACES.get(..depth * INDENT.len()) {
        Some(p) => std::borrow::Cow::Borrowed(p),
        None => std::borrow::Cow::Owned(INDENT.repeat(depth)),
    }
}

/// Prints an ARM JSON value as a Bicep value at an indentation depth.
pub fn value(v: &Value, depth: usize) -> Result<String, String> {
    let mut out = String::new();
    write_value(&mut out, v, depth)?;
    Ok(out)
}

/// [`value`] into a buffer (one allocation for a whole tree).
fn write_value(out: &mut String, v: &Value, depth: usize) -> Result<(), String> {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) if is_arm_expression(s) => {
            out.push_str(&parse_arm(&s[1..s.len() - 1])?.bicep());
        }
        Value::String(s) => out.push_str(&bicep_string(unarm_literal(s))),
        Value::Array(items) if items.is_empty() => out.push_str("[]"),
        Value::Array(items) => {
            let inner = pad(depth + 1);
            out.push_str("[\n");
            for item in items {
                out.push_str(&inner);
                write_value(out, item, depth + 1)?;
                out.push('\n');
            }
            out.push_str(&pad(depth));
            out.push(']');
        }
        Value::Object(map) if map.is_empty() => out.push_str("{}"),
        Value::Object(map) => {
            out.push_str("{\n");
            write_members(out, map, depth + 1)?;
            out.push_str(&pad(depth));
            out.push('}');
        }
    }
    Ok(())
}

/// Writes an object key: bare where Bicep allows it, quoted otherwise.
fn write_key(out: &mut String, k: &str) {
    if is_bicep_identifier(k) && !matches!(k, "true" | "false" | "null") {
        out.push_str(k);
    } else {
        out.push_str(&bicep_string(k));
    }
}

/// The members of an object, one `key: value` line each, at a depth.
pub fn members(v: &Value, depth: usize) -> Result<String, String> {
    let Value::Object(map) = v else {
        return Err("expected an object".to_string());
    };
    let mut out = String::new();
    write_members(&mut out, map, depth)?;
    Ok(out)
}

fn write_members(out: &mut String, map: &Map<String, Value>, depth: usize) -> Result<(), String> {
    let pad = pad(depth);
    for (k, item) in map {
        out.push_str(&pad);
        write_key(out, k);
        out.push_str(": ");
        write_value(out, item, depth)?;
        out.push('\n');
    }
    Ok(())
}

fn depth_of(h: &Helper) -> usize {
    h.hash_get("depth")
        .and_then(|d| d.value().as_u64())
        .map_or(0, |d| usize::try_from(d).unwrap_or(0))
}

fn first_param<'a>(h: &'a Helper, name: &'static str) -> Result<&'a Value, RenderError> {
    h.param(0)
        .map(handlebars::PathAndJson::value)
        .ok_or_else(|| RenderErrorReason::ParamNotFoundForIndex(name, 0).into())
}

/// Writes what `print` makes of a helper's value and `depth=`.
fn print_helper(
    h: &Helper,
    out: &mut dyn Output,
    name: &'static str,
    print: fn(&Value, usize) -> Result<String, String>,
) -> HelperResult {
    let v = first_param(h, name)?;
    let text = print(v, depth_of(h)).map_err(RenderErrorReason::Other)?;
    // A multi-line helper's last line is ended by the template itself.
    out.write(text.trim_end_matches('\n'))?;
    Ok(())
}

/// `{{bicep v depth=N}}`: a value as Bicep.
fn bicep_helper(
    h: &Helper,
    _: &Handlebars,
    _: &Context,
    _: &mut RenderContext,
    out: &mut dyn Output,
) -> HelperResult {
    print_helper(h, out, "bicep", value)
}

/// `{{bicep_members v depth=N}}`: an object's members as lines.
fn members_helper(
    h: &Helper,
    _: &Handlebars,
    _: &Context,
    _: &mut RenderContext,
    out: &mut dyn Output,
) -> HelperResult {
    print_helper(h, out, "bicep_members", members)
}

/// `{{comment text}}`: text that stays inside a `//` comment (one line).
fn comment_helper(
    h: &Helper,
    _: &Handlebars,
    _: &Context,
    _: &mut RenderContext,
    out: &mut dyn Output,
) -> HelperResult {
    let v = first_param(h, "comment")?;
    let text = v.as_str().unwrap_or_default();
    out.write(&one_line(text))?;
    Ok(())
}

/// Control characters (newlines included) become spaces.
#[must_use]
pub fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// The template registry: embedded templates, each overridden by
/// `<dir>/<name>.hbs` when a directory is given and has that file.
pub fn registry(dir: Option<&Path>) -> Result<Handlebars<'static>, String> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.register_escape_fn(handlebars::no_escape);
    hb.register_helper("bicep", Box::new(bicep_helper));
    hb.register_helper("bicep_members", Box::new(members_helper));
    hb.register_helper("comment", Box::new(comment_helper));
    for (name, default) in TEMPLATES {
        let text = match dir {
            Some(d) => {
                let p = d.join(format!("{name}.hbs"));
                match std::fs::read_to_string(&p) {
                    Ok(t) => t,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => (*default).to_string(),
                    Err(e) => return Err(format!("cannot read template `{}`: {e}", p.display())),
                }
            }
            None => (*default).to_string(),
        };
        hb.register_template_string(name, text)
            .map_err(|e| format!("template `{name}.hbs`: {e}"))?;
    }
    Ok(hb)
}

fn render(hb: &Handlebars, name: &str, data: &Context) -> Result<String, String> {
    let mut text = hb
        .render_with_context(name, data)
        .map_err(|e| format!("rendering `{name}.hbs`: {e}"))?;
    // One final newline, no trailing blank lines.
    while text.ends_with("\n\n") {
        text.pop();
    }
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

fn resources_data(resources: &[Resource]) -> Vec<Value> {
    resources
        .iter()
        .map(|r| {
            // Built by hand: `json!` would serialize the body anew.
            let mut m = Map::new();
            m.insert("symbol".into(), Value::from(r.symbol.as_str()));
            m.insert("type".into(), Value::from(r.arm_type));
            m.insert("api_version".into(), Value::from(r.api_version));
            m.insert("name".into(), r.arm_short_name());
            m.insert(
                "parent".into(),
                r.parent.as_deref().map_or(Value::Null, Value::from),
            );
            // `parent` already orders a child after its parent.
            m.insert(
                "depends_on".into(),
                Value::Array(
                    r.depends_on
                        .iter()
                        .filter(|s| Some(*s) != r.parent.as_ref())
                        .map(|s| Value::from(s.as_str()))
                        .collect(),
                ),
            );
            m.insert("body".into(), Value::Object(r.body.clone()));
            m.insert("existing".into(), Value::Bool(r.existing));
            m.insert(
                "scope".into(),
                r.scope_ref.as_deref().map_or(Value::Null, Value::from),
            );
            m.insert("comment".into(), Value::from(r.comment.as_str()));
            Value::Object(m)
        })
        .collect()
}

fn module_data(m: &Module, header: &str) -> Value {
    let params: Vec<Value> = m
        .params
        .iter()
        .map(|(name, _)| json!({ "name": name, "description": Text(param_description(name)) }))
        .collect();
    let mut data = Map::new();
    data.insert("header".into(), Value::from(header));
    data.insert("description".into(), Value::from(m.description.as_str()));
    data.insert("params".into(), Value::Array(params));
    data.insert(
        "resources".into(),
        Value::Array(resources_data(&m.resources)),
    );
    Value::Object(data)
}

/// A module declaration of an entry file: its symbol, file, deployment
/// name, scope (another resource group) and parameter values.
fn module_entry(m: &Module) -> Value {
    let params: Vec<Value> = m
        .params
        .iter()
        .map(|(name, value)| json!({ "name": name, "value": value }))
        .collect();
    let scope = m.target.as_ref().map(|(sub, rg)| {
        json!(Expr::call(
            "resourceGroup",
            vec![Expr::str(sub), Expr::str(rg)]
        ))
    });
    json!({
        "symbol": m.symbol,
        "path": format!("modules/{}.bicep", m.file),
        "deployment_name": Text(m.deployment_name.clone()),
        "depends_on": m.depends_on,
        "description": m.description,
        "params": params,
        "scope": scope,
        "condition": m.condition.as_ref().map(|c| json!(c)),
    })
}

/// A Bicep file of one template at a subscription or management group
/// (a policy block, the deploying identity's role), from `policy.bicep.hbs`.
pub fn render_scoped(
    hb: &Handlebars,
    target_scope: &str,
    management_group: Option<&str>,
    resources: &[Resource],
    header: &str,
    title: &str,
) -> Result<String, String> {
    render_scoped_with_modules(
        hb,
        target_scope,
        management_group,
        resources,
        &[],
        header,
        title,
    )
    .map(|mut files| files.remove("main.bicep").unwrap_or_default())
}

/// The same, with modules deployed into other resource groups (after the
/// template's resources): `main.bicep` and `modules/<file>.bicep`.
pub fn render_scoped_with_modules(
    hb: &Handlebars,
    target_scope: &str,
    management_group: Option<&str>,
    resources: &[Resource],
    modules: &[Module],
    header: &str,
    title: &str,
) -> Result<BTreeMap<String, String>, String> {
    let data = Context::from(json!({
        "header": header,
        "title": title,
        "management_group": management_group,
        "target_scope": target_scope,
        "resources": resources_data(resources),
        "modules": modules.iter().map(module_entry).collect::<Vec<_>>(),
    }));
    let mut files = BTreeMap::new();
    files.insert("main.bicep".to_string(), render(hb, "policy.bicep", &data)?);
    for m in modules {
        files.insert(
            format!("modules/{}.bicep", m.file),
            render(hb, "module.bicep", &Context::from(module_data(m, header)))?,
        );
    }
    Ok(files)
}

/// The hub firewall's rule collection group (`hub-firewall.bicep.hbs`).
pub fn render_hub_firewall(
    hb: &Handlebars,
    header: &str,
    title: &str,
    group: &Resource,
    priority: u32,
) -> Result<String, String> {
    let data = Context::from(json!({
        "header": header,
        "title": title,
        "priority": priority,
        "policy_type": types::FIREWALL_POLICY,
        "api_version": group.api_version,
        "type": group.arm_type,
        "name": Text(group.short_name().to_string()),
        "comment": group.comment,
        "body": Value::Object(group.body.clone()),
    }));
    render(hb, "hub-firewall.bicep", &data)
}

/// The Bicep files of one deployment: `main.bicep`, `main.bicepparam`
/// and `modules/<file>.bicep`, keyed by path relative to its folder.
pub fn render_deployment(
    hb: &Handlebars,
    d: &Deployment,
    header: &str,
) -> Result<BTreeMap<String, String>, String> {
    let mut files = BTreeMap::new();
    let tags = d.tags_value();
    let location = json!(Text(d.location.clone()));
    let modules: Vec<Value> = d.modules.iter().map(module_entry).collect();
    // A context made from a value takes it as it is (no copy).
    let mut data = Map::new();
    data.insert("header".into(), Value::from(header));
    data.insert("workspace".into(), Value::from(d.workspace.as_str()));
    data.insert("location".into(), location);
    data.insert("tags".into(), tags);
    data.insert("two_phase".into(), Value::Bool(d.phases.two_phase()));
    data.insert(
        "first_deployment_help".into(),
        json!(Text(FIRST_DEPLOYMENT_HELP.to_string())),
    );
    data.insert("modules".into(), Value::Array(modules));
    let main = Context::from(Value::Object(data));
    files.insert("main.bicep".to_string(), render(hb, "main.bicep", &main)?);
    files.insert(
        "main.bicepparam".to_string(),
        render(hb, "main.bicepparam", &main)?,
    );
    for m in &d.modules {
        files.insert(
            format!("modules/{}.bicep", m.file),
            render(hb, "module.bicep", &Context::from(module_data(m, header)))?,
        );
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_print_as_bicep() {
        let v = json!({
            "a-b": [1, true, null],
            "id": "[resourceId('T', 'n')]",
            "lit": "[[not an expression]",
            "s": "it's ${x}",
            "empty": {},
        });
        assert_eq!(
            value(&v, 0).unwrap(),
            "{\n  'a-b': [\n    1\n    true\n    null\n  ]\n  empty: {}\n  id: resourceId('T', 'n')\n  lit: '[not an expression]'\n  s: 'it\\'s \\${x}'\n}"
        );
    }
}
