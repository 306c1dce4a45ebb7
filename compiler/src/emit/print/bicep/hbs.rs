//! The Handlebars path of the Bicep printer: the templates of `templates/`
//! (embedded; the specification of the direct printer) and the ones
//! `--templates DIR` overrides, rendered from the data they document
//! (`templates/README.md`). Only an overridden template is rendered here;
//! the Handlebars registry exists only when there is one.

use std::path::Path;

use handlebars::{
    Context, Handlebars, Helper, HelperDef, HelperResult, Output, RenderContext, RenderError,
    RenderErrorReason,
};
use serde_json::{Map, Value, json};

use super::value::{members, value};
use crate::emit::azure::{
    Deployment, Expr, FIRST_DEPLOYMENT_HELP, Module, Resource, param_description, types,
};
use crate::escape::Text;
use crate::escape::one_line;

/// The templates and their embedded defaults.
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "hub-firewall.bicep",
        include_str!("../../../../../templates/hub-firewall.bicep.hbs"),
    ),
    (
        "main.bicep",
        include_str!("../../../../../templates/main.bicep.hbs"),
    ),
    (
        "module.bicep",
        include_str!("../../../../../templates/module.bicep.hbs"),
    ),
    (
        "main.bicepparam",
        include_str!("../../../../../templates/main.bicepparam.hbs"),
    ),
    (
        "policy.bicep",
        include_str!("../../../../../templates/policy.bicep.hbs"),
    ),
];

/// The templates of a build: a Handlebars registry holding only those
/// `--templates DIR` overrides, or none at all (every file printed
/// directly).
#[derive(Default)]
pub struct Templates {
    overrides: Option<Handlebars<'static>>,
}

impl Templates {
    /// Every template printed directly (no overrides).
    #[must_use]
    pub fn embedded() -> Templates {
        Templates::default()
    }

    /// The overrides of `dir`: `<dir>/<name>.hbs` for each template that
    /// has that file. No directory, or none of those files, makes no
    /// registry.
    pub fn load(dir: Option<&Path>) -> Result<Templates, String> {
        let Some(dir) = dir else {
            return Ok(Templates::embedded());
        };
        let mut found = Vec::new();
        for (name, _) in TEMPLATES {
            let p = dir.join(format!("{name}.hbs"));
            match std::fs::read_to_string(&p) {
                Ok(t) => found.push((*name, t)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(format!("cannot read template `{}`: {e}", p.display())),
            }
        }
        if found.is_empty() {
            return Ok(Templates::embedded());
        }
        let mut hb = Handlebars::new();
        hb.set_strict_mode(true);
        hb.register_escape_fn(handlebars::no_escape);
        hb.register_helper(
            "bicep",
            Box::new(Print {
                name: "bicep",
                print: value,
            }),
        );
        hb.register_helper(
            "bicep_members",
            Box::new(Print {
                name: "bicep_members",
                print: members,
            }),
        );
        hb.register_helper("comment", Box::new(comment_helper));
        for (name, text) in found {
            hb.register_template_string(name, text)
                .map_err(|e| format!("template `{name}.hbs`: {e}"))?;
        }
        Ok(Templates {
            overrides: Some(hb),
        })
    }

    /// The registry, when it holds an override of template `name`.
    #[must_use]
    pub fn overridden(&self, name: &str) -> Option<&Handlebars<'static>> {
        self.overrides.as_ref().filter(|hb| hb.has_template(name))
    }
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

/// `{{bicep v depth=N}}` (a value as Bicep) and `{{bicep_members v
/// depth=N}}` (an object's members as lines): what `print` makes of the
/// helper's value at its depth.
struct Print {
    name: &'static str,
    print: fn(&Value, usize) -> Result<String, String>,
}

impl HelperDef for Print {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        let v = first_param(h, self.name)?;
        let text = (self.print)(v, depth_of(h)).map_err(RenderErrorReason::Other)?;
        // A multi-line helper's last line is ended by the template itself.
        out.write(text.trim_end_matches('\n'))?;
        Ok(())
    }
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

/// One final newline, no trailing blank lines: how every Bicep file ends,
/// rendered or printed.
pub fn finish(text: &mut String) {
    while text.ends_with("\n\n") {
        text.pop();
    }
    if !text.ends_with('\n') {
        text.push('\n');
    }
}

fn render(hb: &Handlebars, name: &str, data: &Context) -> Result<String, String> {
    let mut text = hb
        .render_with_context(name, data)
        .map_err(|e| format!("rendering `{name}.hbs`: {e}"))?;
    finish(&mut text);
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

/// `module.bicep.hbs`, rendered.
pub fn module(hb: &Handlebars, m: &Module, header: &str) -> Result<String, String> {
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
    render(hb, "module.bicep", &Context::from(Value::Object(data)))
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

/// What a scoped file (`policy.bicep.hbs`) says besides its resources
/// and modules.
pub struct Scoped<'a> {
    pub target_scope: &'a str,
    pub management_group: Option<&'a str>,
    pub header: &'a str,
    pub title: &'a str,
}

/// `policy.bicep.hbs`, rendered.
pub fn scoped(
    hb: &Handlebars,
    s: &Scoped,
    resources: &[Resource],
    modules: &[Module],
) -> Result<String, String> {
    let data = Context::from(json!({
        "header": s.header,
        "title": s.title,
        "management_group": s.management_group,
        "target_scope": s.target_scope,
        "resources": resources_data(resources),
        "modules": modules.iter().map(module_entry).collect::<Vec<_>>(),
    }));
    render(hb, "policy.bicep", &data)
}

/// `hub-firewall.bicep.hbs`, rendered.
pub fn hub_firewall(
    hb: &Handlebars,
    (header, title): (&str, &str),
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

/// The data of `main.bicep.hbs` and `main.bicepparam.hbs`.
pub fn main_data(d: &Deployment, header: &str) -> Context {
    let mut data = Map::new();
    data.insert("header".into(), Value::from(header));
    data.insert("workspace".into(), Value::from(d.workspace.as_str()));
    data.insert("location".into(), json!(Text(d.location.clone())));
    data.insert("tags".into(), d.tags_value());
    data.insert("two_phase".into(), Value::Bool(d.phases.two_phase()));
    data.insert(
        "first_deployment_help".into(),
        json!(Text(FIRST_DEPLOYMENT_HELP.to_string())),
    );
    data.insert(
        "modules".into(),
        Value::Array(d.modules.iter().map(module_entry).collect()),
    );
    // A context made from a value takes it as it is (no copy).
    Context::from(Value::Object(data))
}

/// `main.bicep.hbs` or `main.bicepparam.hbs`, rendered from
/// [`main_data`].
pub fn main(hb: &Handlebars, name: &str, data: &Context) -> Result<String, String> {
    render(hb, name, data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_registry_is_made_only_for_overrides() {
        assert!(Templates::load(None).unwrap().overrides.is_none());
        let dir = std::env::temp_dir().join(format!("amlgen-hbs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("README.md"), "not a template").unwrap();
        assert!(Templates::load(Some(&dir)).unwrap().overrides.is_none());
        std::fs::write(dir.join("main.bicepparam.hbs"), "// {{comment header}}\n").unwrap();
        let t = Templates::load(Some(&dir)).unwrap();
        assert!(t.overridden("main.bicepparam").is_some());
        for (name, _) in TEMPLATES.iter().filter(|(n, _)| *n != "main.bicepparam") {
            assert!(t.overridden(name).is_none(), "{name}");
        }
        std::fs::write(dir.join("module.bicep.hbs"), "{{#if}}").unwrap();
        let err = Templates::load(Some(&dir)).err().unwrap();
        assert!(err.starts_with("template `module.bicep.hbs`"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
