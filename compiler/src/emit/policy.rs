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
use super::expr::Expr;
use super::model::{IdScope, Module, Resource};
use crate::catalog::controls::{self, Chosen, Origin};
use crate::ir::{Policy, PolicyScope};

/// API versions, from the vendored Microsoft.Authorization schemas.
pub mod api {
    pub const POLICY: &str = "2026-06-01";
}

const DEFINITIONS: &str = "Microsoft.Authorization/policyDefinitions";
const SET_DEFINITIONS: &str = "Microsoft.Authorization/policySetDefinitions";
const ASSIGNMENTS: &str = "Microsoft.Authorization/policyAssignments";

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
    /// Roles the identity needs outside the assignment's scope: on the
    /// private DNS zones a deploy effect links, which often live in a hub
    /// subscription.
    pub remote_roles: Vec<RemoteRole>,
}

/// A role for the assignment's identity on one resource outside its scope.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct RemoteRole {
    /// The resource id the role is granted on.
    pub scope: String,
    /// The role definition id (a GUID).
    pub role: String,
}

/// The resources a deploy effect acts on, named by its parameters: those
/// whose `strongType` is a private DNS zone (Microsoft's built-in ee40564d
/// declares its zone ids so, without `assignPermissions`, so neither the
/// portal nor a template grants anything on them).
fn remote_roles(chosen: &[Chosen]) -> Vec<RemoteRole> {
    let mut out = Vec::new();
    for c in chosen.iter().filter(|c| !c.roles.is_empty()) {
        let declared = &c.definition["properties"]["parameters"];
        for (name, value) in &c.parameters {
            let zone = declared[name.as_str()]["metadata"]["strongType"]
                .as_str()
                .is_some_and(|t| t.eq_ignore_ascii_case("Microsoft.Network/privateDnsZones"));
            match value.as_str() {
                Some(id) if zone && !id.is_empty() => {
                    for role in &c.roles {
                        out.push(RemoteRole {
                            scope: id.to_string(),
                            role: role.clone(),
                        });
                    }
                }
                _ => {}
            }
        }
    }
    out.sort();
    out.dedup();
    out
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
    let remote_roles = remote_roles(&chosen);
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
        remote_roles,
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
    let mut def_ids = std::collections::BTreeMap::new();
    for (i, d) in b.definitions.iter().enumerate() {
        let name = d["name"].as_str().unwrap_or_default();
        let symbol = format!("definition{}", i + 1);
        let def = Resource::new(
            &symbol,
            DEFINITIONS,
            api::POLICY,
            &[name],
            format!("custom definition {name}"),
            properties(d),
        )
        .at(b.scope);
        def_ids.insert(name.to_string(), def.id());
        out.push(def);
        def_symbols.push(symbol);
    }
    // The custom definitions' ids are made where the template is deployed
    // (`managementGroupResourceId`/`subscriptionResourceId`), not written
    // with the posture's scope: deployed to another management group, the
    // initiative still references the definitions the same template made.
    let mut set_body = properties(&b.initiative);
    if let Some(refs) = set_body
        .get_mut("properties")
        .and_then(|p| p.get_mut("policyDefinitions"))
        .and_then(Value::as_array_mut)
    {
        for (r, c) in refs.iter_mut().zip(&b.chosen) {
            if let (Origin::Custom { name, .. }, Value::Object(m)) = (&c.origin, r)
                && let Some(id) = def_ids.get(name)
            {
                m.insert("policyDefinitionId".into(), json!(id));
            }
        }
    }
    let mut set = Resource::new(
        "initiative",
        SET_DEFINITIONS,
        api::POLICY,
        &[&b.set_name],
        "the initiative".into(),
        set_body,
    )
    .at(b.scope);
    for s in &def_symbols {
        set = set.after(s);
    }
    let set_id = set.id();
    out.push(set);
    let mut body = properties(&b.assignment);
    if let Some(Value::Object(p)) = body.get_mut("properties") {
        p.insert("policyDefinitionId".into(), json!(set_id));
    }
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
    let principal = principal(b);
    let assignment_id = assignment.id();
    out.push(assignment);
    // A name must be known when the deployment starts, and the identity's
    // object id is not (it is read from the assignment): the name is
    // `guid(scope, assignment id, role)`, as Azure Landing Zones name
    // theirs. Re-creating the assignment gives a new identity under the
    // same name, so POLICY.md says to delete its role assignments with it.
    let scope_id = match b.scope {
        IdScope::ManagementGroup => Expr::call("managementGroup", Vec::new()).prop("id"),
        _ => Expr::call("subscription", Vec::new()).prop("id"),
    };
    for (i, role) in b.roles.iter().enumerate() {
        let role_id = format!("/providers/Microsoft.Authorization/roleDefinitions/{role}");
        let name = Expr::call(
            "guid",
            vec![scope_id.clone(), assignment_id.clone(), Expr::str(&role_id)],
        );
        out.push(
            Resource::new(
                &format!("roleAssignment{}", i + 1),
                super::model::types::ROLE_ASSIGNMENT,
                super::model::api::ROLES,
                &[],
                format!("role {role} for the assignment's identity, which the remediation needs"),
                json!({ "properties": {
                    "roleDefinitionId": Text(role_id),
                    "principalId": principal.clone(),
                    "principalType": "ServicePrincipal",
                } }),
            )
            .named(name)
            .at(b.scope)
            .after("assignment"),
        );
    }
    out
}

fn pretty(v: &Value) -> String {
    super::arm::to_text(v)
}

/// The ARM JSON template of the deployment: its resources, then the
/// modules into other resource groups (after the assignment, whose
/// identity they grant roles to).
#[must_use]
pub fn template(b: &PolicyBuild, resources: &[Resource], modules: &[Module]) -> Value {
    let mut t = super::arm::scoped_template(b.scope, resources);
    let assignment = Expr::call(
        b.scope.id_function(),
        vec![Expr::str(ASSIGNMENTS), Expr::str(&b.assignment_name)],
    );
    if let Some(Value::Array(out)) = t.get_mut("resources") {
        for m in modules {
            let mut d = super::arm::module_deployment(
                m,
                modules,
                &json!(Expr::call("deployment", Vec::new()).prop("location")),
                &json!({}),
            );
            d["dependsOn"] = json!([assignment]);
            out.push(d);
        }
    }
    t
}

/// The assignment's principal id, once it is deployed.
fn principal(b: &PolicyBuild) -> Expr {
    Expr::call(
        "reference",
        vec![
            Expr::call(
                b.scope.id_function(),
                vec![Expr::str(ASSIGNMENTS), Expr::str(&b.assignment_name)],
            ),
            Expr::str(api::POLICY),
            Expr::str("full"),
        ],
    )
    .prop("identity")
    .prop("principalId")
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
            "\nThe assignment has a system-assigned identity, granted at the assignment's scope the roles its remediation needs: {}. Those role assignments are named from the scope, the assignment and the role (a name cannot wait for the identity to exist): if you delete the assignment, delete its role assignments too before deploying again, or the new identity's grants are refused as changes of an existing assignment.",
            b.roles
                .iter()
                .map(|x| format!("`{x}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if !b.remote_roles.is_empty() {
        let _ = writeln!(
            r,
            "\nThe private DNS zones it links may live outside the assignment's scope (a hub subscription), where that role does not reach: linking a private endpoint's zone group to a zone needs rights on the zone. The deployment therefore also grants the identity, on each zone, in the zone's resource group (`modules/zone-roles-<n>.bicep`, nested deployments in `azuredeploy.json`; `additionalRoleAssignments` in the EPAC assignment):\n"
        );
        for rr in &b.remote_roles {
            let _ = writeln!(r, "- `{}` on `{}`", rr.role, rr.scope);
        }
        let _ = writeln!(
            r,
            "\nWhoever deploys it needs the right to assign roles there (for example Owner, User Access Administrator or Role Based Access Control Administrator on the zones). Assigning the initiative another way (portal, CLI) does not make these grants: make them, or remediation fails with an authorization error on the zone."
        );
    }
    let notes: Vec<(&str, &str)> = b
        .chosen
        .iter()
        .filter_map(|c| note(c.reference_id).map(|n| (c.reference_id, n)))
        .collect();
    if !notes.is_empty() {
        let _ = writeln!(r, "\n## Before you assign it\n");
        for (reference, n) in notes {
            let _ = writeln!(r, "- `{reference}`: {n}");
        }
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

/// What a reader must know about a control before assigning it, beyond
/// its definition's description.
fn note(reference_id: &str) -> Option<&'static str> {
    match reference_id {
        // The REST API (Microsoft.MachineLearningServices, OutboundRule)
        // makes `category` and `status` writable; only `parentRuleNames`
        // and `errorInformation` are read-only, and Azure Policy judges
        // the request as sent, so no field of a request proves a rule is
        // the platform's. Microsoft's docs do not say whether the platform
        // creates its rules through a request policy sees; an exemption
        // per rule is the shape that lets no hostile rule through.
        "outbound-rules" => Some(
            "no outbound rule is exempt by its `category` (Required, Recommended, Dependency): the caller sets that field, so a rule to any host could claim it. \
If the platform's own rules (the managed network's required rules and private endpoints, `__SYS_` names) are flagged, exempt each of them, not the workspace: \
`az policy exemption create --name <rule> --exemption-category Waiver --policy-assignment <this assignment's id> --policy-definition-reference-ids outbound-rules --scope <the rule's resource id>` \
(`az ml workspace outbound-rule list` lists them). An exemption on the workspace would let every rule of it through.",
        ),
        _ => None,
    }
}

/// All files of one policy block, under `dir`.
pub fn artifacts(
    p: &Policy,
    hb: &handlebars::Handlebars,
    header: &str,
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
    let modules = super::policy_zones::modules(&b, &principal(&b));
    files.insert(
        format!("{dir}/azuredeploy.json"),
        pretty(&template(&b, &res, &modules)),
    );
    let bicep = super::bicep::render_scoped_with_modules(
        hb,
        target_scope(&b),
        match &p.scope {
            PolicyScope::ManagementGroup(id) => Some(id.as_str()),
            PolicyScope::Subscription(_) => None,
        },
        &res,
        &modules,
        header,
        &format!(
            "Policy `{}`: its custom definitions, the initiative, the assignment and the identity's roles",
            p.name
        ),
    )?;
    for (path, text) in bicep {
        files.insert(format!("{dir}/{path}"), text);
    }
    files.insert(format!("{dir}/POLICY.md"), report(&b, p, header));
    Ok(files)
}
