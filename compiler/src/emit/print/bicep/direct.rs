//! The direct Bicep printer: each embedded template of `templates/`
//! written out as plain Rust, reading the model (`Deployment`, `Module`,
//! `Resource`) with no template data and no Handlebars. Each function
//! follows its template line by line (the template's text is quoted
//! beside it); `tests/bicep_printer.rs` holds the two byte-equal over
//! every example and hostile posture.

use std::fmt::Write as _;

use super::value::{write_members, write_strings};
use crate::emit::azure::{
    Deployment, Expr, FIRST_DEPLOYMENT_HELP, Module, Resource, param_description, types,
};
use crate::escape::{push_bicep_string, push_one_line};

/// A buffer for a file of about `hint` bytes (estimates from the
/// examples: about 700 bytes per module resource, 400 per module
/// declaration, 600 for a parameter file, 15 KB for the hub firewall).
fn buffer(hint: usize) -> String {
    String::with_capacity(hint)
}

/// `// {{comment text}}` and a line end.
fn comment_line(out: &mut String, text: &str) {
    out.push_str("// ");
    push_one_line(out, text);
    out.push('\n');
}

/// Handlebars' truth of an optional string: present and not empty.
fn truthy(s: Option<&String>) -> Option<&str> {
    s.map(String::as_str).filter(|s| !s.is_empty())
}

/// `resource {{symbol}} '{{type}}@{{api_version}}'`.
fn resource_head(out: &mut String, r: &Resource) {
    out.push_str("resource ");
    out.push_str(&r.symbol);
    out.push_str(" '");
    out.push_str(r.arm_type);
    out.push('@');
    out.push_str(r.api_version);
    out.push('\'');
}

/// `  name: {{bicep name depth=1}}`: the expression Azure computes it
/// with, or the literal last segment.
fn resource_name(out: &mut String, r: &Resource) {
    out.push_str("  name: ");
    match &r.name_expr {
        Some(e) => e.write_bicep(out),
        None => push_bicep_string(out, r.short_name()),
    }
    out.push('\n');
}

/// `{{bicep_members body depth=1}}` on its own line: the members, or an
/// empty line when there are none.
fn body(out: &mut String, r: &Resource) -> Result<(), String> {
    if r.body.is_empty() {
        out.push('\n');
        Ok(())
    } else {
        write_members(out, &r.body, 1)
    }
}

/// `dependsOn: [...]` at a depth, when there is something to wait for.
fn depends_on<'a>(out: &mut String, symbols: impl Iterator<Item = &'a String>) {
    let mut symbols = symbols.peekable();
    if symbols.peek().is_none() {
        return;
    }
    out.push_str("  dependsOn: [\n");
    for s in symbols {
        out.push_str("    ");
        out.push_str(s);
        out.push('\n');
    }
    out.push_str("  ]\n");
}

/// A resource's own `dependsOn`: its parent orders it already.
fn resource_depends_on(out: &mut String, r: &Resource) {
    depends_on(
        out,
        r.depends_on
            .iter()
            .filter(|s| Some(*s) != r.parent.as_ref()),
    );
}

/// A deployed (not `existing`) resource, after its blank line: the block of
/// `module.bicep.hbs` (with `scope`) and of `policy.bicep.hbs` (without).
fn resource(out: &mut String, r: &Resource, with_scope: bool) -> Result<(), String> {
    comment_line(out, &r.comment);
    resource_head(out, r);
    out.push_str(" = {\n");
    if let Some(scope) = truthy(r.scope_ref.as_ref()).filter(|_| with_scope) {
        out.push_str("  scope: ");
        out.push_str(scope);
        out.push('\n');
    }
    if let Some(parent) = truthy(r.parent.as_ref()) {
        out.push_str("  parent: ");
        out.push_str(parent);
        out.push('\n');
    }
    resource_name(out, r);
    body(out, r)?;
    resource_depends_on(out, r);
    out.push_str("}\n");
    Ok(())
}

/// `module {{symbol}} 'modules/{{file}}.bicep' = `.
fn module_head(out: &mut String, m: &Module) {
    comment_line(out, &m.description);
    out.push_str("module ");
    out.push_str(&m.symbol);
    out.push_str(" 'modules/");
    out.push_str(&m.file);
    out.push_str(".bicep' = ");
}

/// `  scope: {{bicep scope depth=1}}`: the other resource group.
fn module_scope(out: &mut String, target: Option<&(String, String)>) {
    out.push_str("  scope: ");
    match target {
        Some((sub, rg)) => {
            Expr::call("resourceGroup", vec![Expr::str(sub), Expr::str(rg)]).write_bicep(out);
        }
        None => out.push_str("null"),
    }
    out.push('\n');
}

/// The module's parameters beyond the two given, its `dependsOn` and end.
fn module_params(out: &mut String, m: &Module, location: &str, tags: &str) {
    out.push_str("  params: {\n    location: ");
    out.push_str(location);
    out.push_str("\n    tags: ");
    out.push_str(tags);
    out.push('\n');
    for (name, value) in &m.params {
        out.push_str("    ");
        out.push_str(name);
        out.push_str(": ");
        value.write_bicep(out);
        out.push('\n');
    }
    out.push_str("  }\n");
    depends_on(out, m.depends_on.iter());
    out.push_str("}\n");
}

/// `  name: {{bicep deployment_name depth=1}}`.
fn module_name(out: &mut String, m: &Module) {
    out.push_str("  name: ");
    push_bicep_string(out, &m.deployment_name);
    out.push('\n');
}

/// The head both entry files share: the header, a line naming the
/// workspace, then the location and tags, each after its own text.
fn entry_head(out: &mut String, d: &Deployment, header: &str, text: [&str; 3]) {
    comment_line(out, header);
    out.push_str(text[0]);
    push_one_line(out, &d.workspace);
    out.push_str(text[1]);
    push_bicep_string(out, &d.location);
    out.push_str(text[2]);
    // `{{bicep tags}}`: an object of literal strings.
    write_strings(out, &d.tags, 0);
    out.push('\n');
}

/// `main.bicep.hbs`: a workspace's entry file.
pub fn main_bicep(d: &Deployment, header: &str) -> String {
    let mut out = buffer(1024 + 512 * d.modules.len());
    entry_head(
        &mut out,
        d,
        header,
        [
            "// Workspace `",
            "`: the entry file. Deploy with\n//   az deployment group create --resource-group <group> --template-file main.bicep --parameters main.bicepparam\ntargetScope = 'resourceGroup'\n\n@description('Azure region of the workspace and its resources')\nparam location string = ",
            "\n\n@description('Tags for every resource')\nparam tags object = ",
        ],
    );
    if d.phases.two_phase() {
        out.push_str("\n@description(");
        push_bicep_string(&mut out, FIRST_DEPLOYMENT_HELP);
        out.push_str(")\nparam firstDeployment bool = false\n");
    }
    for m in &d.modules {
        out.push('\n');
        module_head(&mut out, m);
        if let Some(c) = &m.condition {
            out.push_str("if (");
            c.write_bicep(&mut out);
            out.push_str(") ");
        }
        out.push_str("{\n");
        module_name(&mut out, m);
        if m.target.is_some() {
            module_scope(&mut out, m.target.as_ref());
        }
        module_params(&mut out, m, "location", "tags");
    }
    super::hbs::finish(&mut out);
    out
}

/// `main.bicepparam.hbs`: the entry file's parameters.
pub fn main_bicepparam(d: &Deployment, header: &str) -> String {
    let mut out = buffer(768);
    entry_head(
        &mut out,
        d,
        header,
        [
            "// Parameters a pipeline sets per environment for workspace `",
            "`.\nusing './main.bicep'\n\nparam location = ",
            "\n\nparam tags = ",
        ],
    );
    if d.phases.two_phase() {
        out.push_str("\n// Only the deployment that creates the workspace sets AMLGEN_FIRST_DEPLOYMENT=true\n// in its environment; every later one leaves it unset (false), so a redeploy never\n// narrows access (see the report's \"Before deploying\").\nparam firstDeployment = bool(readEnvironmentVariable('AMLGEN_FIRST_DEPLOYMENT', 'false'))\n");
    }
    super::hbs::finish(&mut out);
    out
}

/// `module.bicep.hbs`: a module's file.
pub fn module(m: &Module, header: &str) -> Result<String, String> {
    let mut out = buffer(512 + 1024 * m.resources.len());
    comment_line(&mut out, header);
    out.push_str("// Module: ");
    push_one_line(&mut out, &m.description);
    out.push_str(".\n\n@description('Azure region of the resources')\nparam location string\n\n@description('Tags for every resource')\nparam tags object\n");
    for (name, _) in &m.params {
        out.push_str("\n@description(");
        push_bicep_string(&mut out, &param_description(name));
        out.push_str(")\nparam ");
        out.push_str(name);
        out.push_str(" string\n");
    }
    for r in &m.resources {
        out.push('\n');
        if r.existing {
            resource_head(&mut out, r);
            out.push_str(" existing = {\n");
            resource_name(&mut out, r);
            out.push_str("}\n");
        } else {
            resource(&mut out, r, true)?;
        }
    }
    super::hbs::finish(&mut out);
    Ok(out)
}

/// `policy.bicep.hbs`: one template at a subscription or management
/// group, with modules into other resource groups.
pub fn scoped(
    s: &super::hbs::Scoped,
    resources: &[Resource],
    modules: &[Module],
) -> Result<String, String> {
    let mut out = buffer(1024 + 2048 * resources.len() + 512 * modules.len());
    comment_line(&mut out, s.header);
    out.push_str("// ");
    push_one_line(&mut out, s.title);
    out.push_str(". Deploy with\n//   az deployment ");
    match s.management_group.filter(|g| !g.is_empty()) {
        Some(group) => {
            out.push_str("mg create --management-group-id ");
            push_one_line(&mut out, group);
        }
        None => out.push_str("sub create"),
    }
    out.push_str(" --location <region> --template-file main.bicep\ntargetScope = '");
    out.push_str(s.target_scope);
    out.push_str("'\n");
    for r in resources {
        out.push('\n');
        resource(&mut out, r, false)?;
    }
    for m in modules {
        out.push('\n');
        module_head(&mut out, m);
        out.push_str("{\n");
        module_name(&mut out, m);
        module_scope(&mut out, m.target.as_ref());
        module_params(&mut out, m, "deployment().location", "{}");
    }
    super::hbs::finish(&mut out);
    Ok(out)
}

/// `hub-firewall.bicep.hbs`: the hub's rule collection group.
pub fn hub_firewall(
    (header, title): (&str, &str),
    group: &Resource,
    priority: u32,
) -> Result<String, String> {
    let mut out = buffer(16 * 1024);
    comment_line(&mut out, header);
    out.push_str("// ");
    push_one_line(&mut out, title);
    out.push_str(". Deploy into the resource group of the hub's firewall policy with\n//   az deployment group create --resource-group <hub-group> --template-file main.bicep --parameters firewallPolicyName=<policy>\ntargetScope = 'resourceGroup'\n\n@description('Name of the hub firewall policy, in this resource group')\nparam firewallPolicyName string\n\n@description('Priority of the rule collection group in the policy (100 to 65000, unique in the policy)')\n@minValue(100)\n@maxValue(65000)\nparam priority int = ");
    let _ = write!(out, "{priority}");
    out.push_str("\n\nresource firewallPolicy '");
    out.push_str(types::FIREWALL_POLICY);
    out.push('@');
    out.push_str(group.api_version);
    out.push_str("' existing = {\n  name: firewallPolicyName\n}\n\n");
    comment_line(&mut out, &group.comment);
    out.push_str("resource ruleCollectionGroup '");
    out.push_str(group.arm_type);
    out.push('@');
    out.push_str(group.api_version);
    out.push_str("' = {\n  parent: firewallPolicy\n  name: ");
    push_bicep_string(&mut out, group.short_name());
    out.push('\n');
    body(&mut out, group)?;
    out.push_str("}\n");
    super::hbs::finish(&mut out);
    Ok(out)
}
