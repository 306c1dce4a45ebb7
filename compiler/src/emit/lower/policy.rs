//! Policy as code, lowered: a `policy` block becomes its definitions
//! (amlgen's custom ones; built-ins are referenced by id), an initiative
//! grouping them with the posture's effects as parameters, an assignment
//! at the block's scope, and the resources that deploy all three, with a
//! managed identity and role assignments where an effect deploys or
//! modifies (`language.md`: "Policy").
//!
//! The definition, initiative and assignment are policy-native: one `[`
//! starts a policy expression. Inside the deployment template the same
//! values are ARM literals (`[[`), so ARM passes them through unevaluated.

use serde_json::{Map, Value, json};

use crate::catalog::controls::{self, Chosen, Origin};
use crate::emit::azure::{
    Expr, IdScope, PolicyBuild, PolicyDeployment, RemoteRole, Resource, api, types,
};
use crate::emit::plan::names;
use crate::escape::{Text, arm_literal};
use crate::ir::{Policy, PolicyScope, Posture};

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

fn definition_id(scope_id: &str, chosen: &Chosen) -> String {
    match &chosen.origin {
        Origin::BuiltIn { id, .. } => format!("/providers/{}/{id}", types::POLICY_DEFINITION),
        Origin::Custom { name, .. } => {
            format!("{scope_id}/providers/{}/{name}", types::POLICY_DEFINITION)
        }
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

/// Plans a policy block: which definitions, the three policy objects, and
/// the exemptions the build's accepted risks make from it.
#[must_use]
pub fn plan(posture: &Posture, p: &Policy) -> PolicyBuild {
    let (scope_id, scope) = scope_of(p);
    let mut chosen: Vec<Chosen> = p
        .controls
        .iter()
        .flat_map(|c| controls::choose(&c.control, c.effect))
        .collect();
    chosen.sort_by(|a, b| a.reference_id.cmp(b.reference_id));
    let set_name = names::fit(&format!("amlgen-{}", p.name), 64);
    let assignment_name = names::fit(p.name.as_str(), 24);
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
            "policyDefinitionId": format!("{scope_id}/providers/{}/{set_name}", types::POLICY_SET_DEFINITION),
            "parameters": assigned,
            "enforcementMode": "Default",
        }
    });
    if !roles.is_empty() {
        assignment["identity"] = json!({ "type": "SystemAssigned" });
    }
    let remote_roles = remote_roles(&chosen);
    let assignment_id = format!(
        "{scope_id}/providers/{}/{assignment_name}",
        types::POLICY_ASSIGNMENT
    );
    PolicyBuild {
        exemptions: super::policy_exemptions::exemptions(posture, p),
        assignment_id,
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

/// What deploys a planned policy block: its resources at the block's
/// scope, the identity's roles on the DNS zones a deploy effect links
/// (modules into the zones' groups), and the exemptions (modules into the
/// workspaces' groups).
#[must_use]
pub fn deployment(b: &PolicyBuild) -> PolicyDeployment {
    let mut modules = super::policy_zones::modules(b, &principal(b));
    let assignment_id = Expr::call(
        b.scope.id_function(),
        vec![
            Expr::str(types::POLICY_ASSIGNMENT),
            Expr::str(&b.assignment_name),
        ],
    );
    modules.extend(super::policy_exemptions::modules(b, &assignment_id));
    PolicyDeployment {
        resources: resources(b),
        modules,
    }
}

/// The deployment's resources: definitions, the initiative, the
/// assignment, and the identity's role assignments.
fn resources(b: &PolicyBuild) -> Vec<Resource> {
    let mut out = Vec::new();
    let mut def_symbols = Vec::new();
    let mut def_ids = std::collections::BTreeMap::new();
    for (i, d) in b.definitions.iter().enumerate() {
        let name = d["name"].as_str().unwrap_or_default();
        let symbol = format!("definition{}", i + 1);
        let def = Resource::new(
            &symbol,
            types::POLICY_DEFINITION,
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
        types::POLICY_SET_DEFINITION,
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
            json!(Expr::call("deployment", Vec::new()).prop("location")),
        );
    }
    let assignment = Resource::new(
        "assignment",
        types::POLICY_ASSIGNMENT,
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
            Resource::from_json(
                &format!("roleAssignment{}", i + 1),
                types::ROLE_ASSIGNMENT,
                api::ROLES,
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

/// The assignment's principal id, once it is deployed.
fn principal(b: &PolicyBuild) -> Expr {
    Expr::call(
        "reference",
        vec![
            Expr::call(
                b.scope.id_function(),
                vec![
                    Expr::str(types::POLICY_ASSIGNMENT),
                    Expr::str(&b.assignment_name),
                ],
            ),
            Expr::str(api::POLICY),
            Expr::str("full"),
        ],
    )
    .prop("identity")
    .prop("principalId")
}
