//! Policy as code: a `policy` block becomes its definitions (amlgen's
//! custom ones; built-ins are referenced by id), an initiative grouping
//! them with the posture's effects as parameters, an assignment at the
//! block's scope, and the Bicep (and ARM JSON) that deploys all three,
//! with a managed identity and role assignments where an effect deploys
//! or modifies. `--policy-layout epac` adds the Enterprise Policy as Code
//! folder layout.
//!
//! The definition, initiative and assignment files are policy-native: one
//! `[` starts a policy expression. Inside the deployment template the same
//! values are ARM literals (`[[`), so ARM passes them through unevaluated.

use serde_json::{Map, Value, json};

use super::Artifacts;
use super::escape::{Text, arm_literal};
use super::model::{IdScope, Resource};
use crate::catalog::controls::{self, Chosen, Origin};
use crate::ir::{Policy, PolicyScope};

/// API versions, from the vendored Microsoft.Authorization schemas.
pub mod api {
    pub const POLICY: &str = "2026-06-01";
    pub const ROLE_ASSIGNMENTS: &str = "2022-04-01";
}

const DEFINITIONS: &str = "Microsoft.Authorization/policyDefinitions";
const SET_DEFINITIONS: &str = "Microsoft.Authorization/policySetDefinitions";
const ASSIGNMENTS: &str = "Microsoft.Authorization/policyAssignments";
const ROLE_ASSIGNMENTS: &str = "Microsoft.Authorization/roleAssignments";

const EPAC_SCHEMAS: &str =
    "https://raw.githubusercontent.com/Azure/enterprise-azure-policy-as-code/main/Schemas";

/// How the policy outputs are laid out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Layout {
    /// Definitions, initiative, assignment, Bicep and ARM JSON.
    #[default]
    Plain,
    /// The same, plus `epac/Definitions/...` for Enterprise Policy as Code.
    Epac,
}

/// Everything one policy block makes, before it is written.
pub struct PolicyBuild {
    pub scope_id: String,
    pub scope: IdScope,
    pub chosen: Vec<Chosen>,
    pub set_name: String,
    pub assignment_name: String,
    pub definitions: Vec<Value>,
    pub initiative: Value,
    pub assignment: Value,
    /// The role definition ids (GUIDs) the assignment's identity needs.
    pub roles: Vec<String>,
}

fn scope_of(p: &Policy) -> (String, IdScope) {
    match &p.scope {
        PolicyScope::ManagementGroup(id) => (
            format!("/providers/Microsoft.Management/managementGroups/{id}"),
            IdScope::ManagementGroup,
        ),
        PolicyScope::Subscription(g) => (
            format!("/subscriptions/{}", g.as_str()),
            IdScope::Subscription,
        ),
    }
}

/// A GUID made from text, stable across builds (a role assignment's
/// name): the first 128 bits of its SHA-256, as a version-4-shaped GUID.
#[must_use]
pub fn stable_guid(text: &str) -> String {
    let h = super::sha256_hex(text.as_bytes());
    format!(
        "{}-{}-4{}-8{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

fn definition_id(scope_id: &str, chosen: &Chosen) -> String {
    match &chosen.origin {
        Origin::BuiltIn { id, .. } => format!("/providers/{DEFINITIONS}/{id}"),
        Origin::Custom { name, .. } => format!("{scope_id}/providers/{DEFINITIONS}/{name}"),
    }
}

fn definition_version(chosen: &Chosen) -> Option<String> {
    match chosen.origin {
        Origin::BuiltIn { .. } => chosen.definition["properties"]["version"]
            .as_str()
            .and_then(|v| v.split('.').next())
            .map(|major| format!("{major}.*.*")),
        Origin::Custom { .. } => None,
    }
}

/// Plans a policy block: which definitions, and the three policy objects.
#[must_use]
pub fn plan(p: &Policy) -> PolicyBuild {
    let (scope_id, scope) = scope_of(p);
    let mut chosen: Vec<Chosen> = p
        .controls
        .iter()
        .flat_map(|c| controls::choose(&c.control, c.effect))
        .collect();
    chosen.sort_by(|a, b| a.reference_id.cmp(b.reference_id));
    let set_name = super::names::fit(&format!("amlgen-{}", p.name), 64);
    let assignment_name = super::names::fit(p.name.as_str(), 24);
    let mut definitions: Vec<Value> = chosen
        .iter()
        .filter(|c| matches!(c.origin, Origin::Custom { .. }))
        .map(|c| c.definition.clone())
        .collect();
    definitions.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    definitions.dedup();

    let mut set_params = Map::new();
    let mut references = Vec::new();
    let mut assigned = Map::new();
    for c in &chosen {
        let def_params = &c.definition["properties"]["parameters"];
        let effect_param = format!("{}-effect", c.reference_id);
        let mut eff = def_params["effect"].clone();
        if let Value::Object(m) = &mut eff {
            m.insert("defaultValue".into(), json!(c.effect));
            m.insert(
                "metadata".into(),
                json!({ "displayName": format!("Effect: {}", c.reference_id), "description": "Enable or disable the execution of the policy" }),
            );
        }
        set_params.insert(effect_param.clone(), eff);
        assigned.insert(effect_param.clone(), json!({ "value": c.effect }));
        let mut ref_params = Map::new();
        ref_params.insert(
            "effect".into(),
            json!({ "value": format!("[parameters('{effect_param}')]") }),
        );
        for (name, value) in &c.parameters {
            let set_param = format!("{}-{name}", c.reference_id);
            let mut decl = def_params[name].clone();
            if let Value::Object(m) = &mut decl {
                m.insert("defaultValue".into(), value.clone());
            }
            set_params.insert(set_param.clone(), decl);
            assigned.insert(set_param.clone(), json!({ "value": value }));
            ref_params.insert(
                name.clone(),
                json!({ "value": format!("[parameters('{set_param}')]") }),
            );
        }
        let mut r = Map::new();
        r.insert("policyDefinitionReferenceId".into(), json!(c.reference_id));
        r.insert(
            "policyDefinitionId".into(),
            json!(definition_id(&scope_id, c)),
        );
        if let Some(v) = definition_version(c) {
            r.insert("definitionVersion".into(), json!(v));
        }
        r.insert("parameters".into(), Value::Object(ref_params));
        references.push(Value::Object(r));
    }
    let mut roles: Vec<String> = chosen.iter().flat_map(|c| c.roles.clone()).collect();
    roles.sort();
    roles.dedup();

    let initiative = json!({
        "name": set_name,
        "properties": {
            "displayName": format!("amlgen: {}", p.name),
            "description": format!("The guardrails of the amlgen policy block `{}`: {} definition(s), built-in where one does exactly the job.", p.name, references.len()),
            "policyType": "Custom",
            "metadata": { "version": "1.0.0", "category": "Machine Learning", "source": "amlgen" },
            "version": "1.0.0",
            "parameters": set_params,
            "policyDefinitions": references,
        }
    });
    let mut assignment = json!({
        "name": assignment_name,
        "properties": {
            "displayName": format!("amlgen: {}", p.name),
            "description": format!("Assigns the amlgen initiative `{set_name}` with the effects the posture chose."),
            "policyDefinitionId": format!("{scope_id}/providers/{SET_DEFINITIONS}/{set_name}"),
            "parameters": assigned,
            "enforcementMode": "Default",
        }
    });
    if !roles.is_empty() {
        assignment["identity"] = json!({ "type": "SystemAssigned" });
    }
    PolicyBuild {
        scope_id,
        scope,
        chosen,
        set_name,
        assignment_name,
        definitions,
        initiative,
        assignment,
        roles,
    }
}

/// Every string of a policy-native value as an ARM literal.
fn literal(v: &Value) -> Value {
    match v {
        Value::String(s) => Value::String(arm_literal(s)),
        Value::Array(a) => Value::Array(a.iter().map(literal).collect()),
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), literal(v))).collect()),
        other => other.clone(),
    }
}

fn properties(v: &Value) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("properties".into(), literal(&v["properties"]));
    m
}

/// The deployment's resources: definitions, the initiative, the
/// assignment, and the identity's role assignments.
#[must_use]
pub fn resources(b: &PolicyBuild) -> Vec<Resource> {
    let mut out = Vec::new();
    let mut def_symbols = Vec::new();
    for (i, d) in b.definitions.iter().enumerate() {
        let name = d["name"].as_str().unwrap_or_default();
        let symbol = format!("definition{}", i + 1);
        out.push(
            Resource::new(
                &symbol,
                DEFINITIONS,
                api::POLICY,
                &[name],
                format!("custom definition {name}"),
                properties(d),
            )
            .at(b.scope),
        );
        def_symbols.push(symbol);
    }
    let mut set = Resource::new(
        "initiative",
        SET_DEFINITIONS,
        api::POLICY,
        &[&b.set_name],
        "the initiative".into(),
        properties(&b.initiative),
    )
    .at(b.scope);
    for s in &def_symbols {
        set = set.after(s);
    }
    out.push(set);
    let mut body = properties(&b.assignment);
    if let Some(identity) = b.assignment.get("identity") {
        body.insert("identity".into(), identity.clone());
        // The identity lives where the deployment is made (`--location`).
        body.insert(
            "location".into(),
            json!(super::expr::Expr::call("deployment", Vec::new()).prop("location")),
        );
    }
    let assignment = Resource::new(
        "assignment",
        ASSIGNMENTS,
        api::POLICY,
        &[&b.assignment_name],
        "the assignment".into(),
        body,
    )
    .at(b.scope)
    .after("initiative");
    let principal = super::expr::Expr::call(
        "reference",
        vec![
            assignment.id(),
            super::expr::Expr::str(api::POLICY),
            super::expr::Expr::str("full"),
        ],
    )
    .prop("identity")
    .prop("principalId");
    out.push(assignment);
    for (i, role) in b.roles.iter().enumerate() {
        let name = stable_guid(&format!("{}/{}/{role}", b.scope_id, b.assignment_name));
        out.push(
            Resource::new(
                &format!("roleAssignment{}", i + 1),
                ROLE_ASSIGNMENTS,
                api::ROLE_ASSIGNMENTS,
                &[&name],
                format!("role {role} for the assignment's identity, which the remediation needs"),
                json!({ "properties": {
                    "roleDefinitionId": Text(format!("/providers/Microsoft.Authorization/roleDefinitions/{role}")),
                    "principalId": principal.clone(),
                    "principalType": "ServicePrincipal",
                } }),
            )
            .at(b.scope)
            .after("assignment"),
        );
    }
    out
}

fn pretty(v: &Value) -> String {
    super::arm::to_text(v)
}

/// The EPAC layout: definition, set and assignment files under
/// `epac/Definitions/`.
fn epac(b: &PolicyBuild, p: &Policy, files: &mut Artifacts, dir: &str) {
    for d in &b.definitions {
        let mut v = json!({ "$schema": format!("{EPAC_SCHEMAS}/policy-definition-schema.json") });
        v["name"] = d["name"].clone();
        v["properties"] = d["properties"].clone();
        files.insert(
            format!(
                "{dir}/epac/Definitions/policyDefinitions/{}.json",
                d["name"].as_str().unwrap_or_default()
            ),
            pretty(&v),
        );
    }
    // Custom definitions by name (EPAC builds their ids), built-ins by id.
    let mut set = b.initiative.clone();
    if let Some(refs) = set["properties"]["policyDefinitions"].as_array_mut() {
        for (r, c) in refs.iter_mut().zip(&b.chosen) {
            if let (Origin::Custom { name, .. }, Value::Object(m)) = (&c.origin, r) {
                m.remove("policyDefinitionId");
                m.insert("policyDefinitionName".into(), json!(name));
            }
        }
    }
    set["$schema"] = json!(format!("{EPAC_SCHEMAS}/policy-set-definition-schema.json"));
    files.insert(
        format!(
            "{dir}/epac/Definitions/policySetDefinitions/{}.json",
            b.set_name
        ),
        pretty(&set),
    );
    let parameters: Map<String, Value> = b.assignment["properties"]["parameters"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v["value"].clone()))
        .collect();
    let assignment = json!({
        "$schema": format!("{EPAC_SCHEMAS}/policy-assignment-schema.json"),
        "nodeName": format!("/amlgen/{}", p.name),
        "definitionEntry": { "policySetName": b.set_name },
        "assignment": {
            "name": b.assignment_name,
            "displayName": b.assignment["properties"]["displayName"],
            "description": b.assignment["properties"]["description"],
        },
        "enforcementMode": "Default",
        "parameters": parameters,
        "scope": { "tenant": [b.scope_id] },
    });
    files.insert(
        format!("{dir}/epac/Definitions/policyAssignments/{}.jsonc", p.name),
        pretty(&assignment),
    );
}

/// The ARM JSON template of the deployment.
#[must_use]
pub fn template(b: &PolicyBuild, resources: &[Resource]) -> Value {
    super::arm::scoped_template(b.scope, resources)
}

/// The target scope keyword of the Bicep file.
#[must_use]
pub fn target_scope(b: &PolicyBuild) -> &'static str {
    match b.scope {
        IdScope::ManagementGroup => "managementGroup",
        IdScope::Subscription | IdScope::ResourceGroup => "subscription",
    }
}

/// `POLICY.md`: each control, its effect, and the definition doing it.
#[must_use]
pub fn report(b: &PolicyBuild, p: &Policy, header: &str) -> String {
    use std::fmt::Write;
    let mut r = String::new();
    let _ = writeln!(r, "# Policy `{}`\n\n{header}.\n", p.name);
    let _ = writeln!(
        r,
        "Assigned at `{}` as `{}`, initiative `{}`.\n",
        b.scope_id, b.assignment_name, b.set_name
    );
    let _ = writeln!(
        r,
        "| reference | effect | definition | kind | parameters |\n| --- | --- | --- | --- | --- |"
    );
    for c in &b.chosen {
        let (def, kind) = match &c.origin {
            Origin::BuiltIn { id, .. } => (
                format!(
                    "`{id}` {}",
                    c.definition["properties"]["displayName"]
                        .as_str()
                        .unwrap_or_default()
                ),
                "built-in",
            ),
            Origin::Custom { name, file } => {
                (format!("`{name}` (`policies/{file}.json`)"), "custom")
            }
        };
        let params: Vec<String> = c
            .parameters
            .iter()
            .map(|(k, v)| format!("`{k}` = `{v}`"))
            .collect();
        let _ = writeln!(
            r,
            "| `{}` | {} | {def} | {kind} | {} |",
            c.reference_id,
            c.effect,
            params.join(", ")
        );
    }
    if !b.roles.is_empty() {
        let _ = writeln!(
            r,
            "\nThe assignment has a system-assigned identity, granted at the assignment's scope the roles its remediation needs: {}.",
            b.roles
                .iter()
                .map(|x| format!("`{x}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let _ = writeln!(r, "\n## What the definitions can and cannot see\n");
    for c in &b.chosen {
        let _ = writeln!(
            r,
            "- `{}`: {}",
            c.reference_id,
            c.definition["properties"]["description"]
                .as_str()
                .unwrap_or_default()
                .replace('\n', " ")
        );
    }
    r
}

/// All files of one policy block, under `dir`.
pub fn artifacts(
    p: &Policy,
    hb: &handlebars::Handlebars,
    header: &str,
    layout: Layout,
    location: Option<&str>,
    dir: &str,
) -> Result<Artifacts, String> {
    let b = plan(p);
    let mut files = Artifacts::new();
    for d in &b.definitions {
        files.insert(
            format!(
                "{dir}/definitions/{}.json",
                d["name"].as_str().unwrap_or_default()
            ),
            pretty(d),
        );
    }
    files.insert(format!("{dir}/initiative.json"), pretty(&b.initiative));
    let mut assignment = b.assignment.clone();
    if let (Some(_), Some(loc)) = (assignment.get("identity"), location) {
        assignment["location"] = json!(loc);
    }
    files.insert(format!("{dir}/assignment.json"), pretty(&assignment));
    let res = resources(&b);
    files.insert(
        format!("{dir}/azuredeploy.json"),
        pretty(&template(&b, &res)),
    );
    files.insert(
        format!("{dir}/main.bicep"),
        super::bicep::render_scoped(
            hb,
            target_scope(&b),
            match &p.scope {
                PolicyScope::ManagementGroup(id) => Some(id.as_str()),
                PolicyScope::Subscription(_) => None,
            },
            &res,
            header,
            &format!(
                "Policy `{}`: its custom definitions, the initiative, the assignment and the identity's roles",
                p.name
            ),
        )?,
    );
    files.insert(format!("{dir}/POLICY.md"), report(&b, p, header));
    if layout == Layout::Epac {
        epac(&b, p, &mut files, dir);
    }
    Ok(files)
}
