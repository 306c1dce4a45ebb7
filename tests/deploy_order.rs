//! Azure's runtime rules of order, naming and redeploys, applied to every
//! workspace deployment (`azuredeploy.json`) of every legal posture of the
//! suite. The deployment is read as Azure Resource Manager runs it: nested
//! deployments ordered by `dependsOn`, each run or skipped by its
//! `condition` under the entry file's parameters (a first deployment with
//! `firstDeployment=true`; a redeploy with the defaults, as the
//! `.bicepparam` file sets them). Everything is read from the emitted JSON
//! with code of this file, not amlgen's.
//!
//! The rules and their sources:
//! - ORDER-PE: a compute comes after every client private endpoint, DNS
//!   zone, zone link and zone group of its deployment ("Secure training
//!   environments with virtual networks": compute without a public IP
//!   reaches the workspace through its private endpoint; Microsoft's secure
//!   workspace quickstart makes computes depend on the private endpoints).
//! - ORDER-APPROVE: since 30 April 2025 the workspace identity must hold the
//!   approver role on a managed network private endpoint target before the
//!   network is provisioned ("Configure a managed virtual network"): every
//!   approver assignment comes before every compute (the first compute
//!   provisions the network), before a workspace PUT that provisions it
//!   now, and, on a redeploy (the network is provisioned), before every
//!   workspace PUT (a new rule takes effect at once).
//! - NAME-ASSIGNMENT: "role assignment names must be unique; reusing a name
//!   for another assignment fails" (Azure RBAC troubleshooting). Every
//!   assignment is named `guid(its scope's id, its principal, its role)`
//!   (Bicep's best practice), so two assignments evaluate to one name only
//!   when they are the same assignment, and a new identity gets new names.
//! - NAME-ROLE: custom role names are unique in a directory and a role's
//!   GUID names it: a role is named `guid(its roleName)`, so name and GUID
//!   change together, and no two roles of a build share a role name.
//! - REDEPLOY: a redeploy of the same build, or of the build after a small
//!   posture change, never makes a resource less reachable in between: no
//!   PUT during the redeploy allows less inbound access (public network
//!   access, IP allowlist) or fewer outbound rules than both the state
//!   before and the state after it allow.

#[path = "common/posture.rs"]
mod one_posture;
#[path = "common/postures.rs"]
mod postures;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

const APPROVER: &str = "b556d68e-0be0-4f35-a333-ad7ee1ce17ea";
const DEPLOYMENTS: &str = "Microsoft.Resources/deployments";
const WORKSPACE: &str = "Microsoft.MachineLearningServices/workspaces";
const COMPUTE: &str = "Microsoft.MachineLearningServices/workspaces/computes";
const ROLE_ASSIGNMENT: &str = "Microsoft.Authorization/roleAssignments";
const ROLE_DEFINITION: &str = "Microsoft.Authorization/roleDefinitions";
const PRIVATE_NETWORK: &[&str] = &[
    "Microsoft.Network/privateEndpoints",
    "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
    "Microsoft.Network/privateDnsZones",
    "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
];

/// A rule's tag, its row in the runtime-rule table and that row's source,
/// for a failure message.
fn why(tag: &str) -> String {
    let id = match tag {
        "ORDER-PE" => "order.compute.after-private-endpoints",
        "ORDER-APPROVE" => "order.approver.before-provisioning",
        "NAME-ASSIGNMENT" => "rbac.assignment.name.recipe",
        "NAME-ROLE" => "rbac.role.name-guid-pairing",
        "NAME-ROLE-UNIQUE" => "rbac.role.roleName.unique",
        _ => "redeploy.never-narrows",
    };
    let row = amlgen::catalog::limits::rule(id);
    format!("[{tag}: {id}; source: {}]", row.source)
}

/// One nested deployment of an entry template.
struct Step {
    name: String,
    deps: Vec<String>,
    /// `None`: always runs; `Some(p)`: runs when boolean parameter `p` is true.
    condition: Option<String>,
    /// Module parameter → the entry template's expression for it.
    params: BTreeMap<String, String>,
    resources: Vec<Value>,
}

/// A workspace deployment as Azure runs it.
struct Deployment {
    workspace: String,
    steps: Vec<Step>,
    /// The entry template's boolean parameters and their defaults.
    bools: BTreeMap<String, bool>,
    /// The id of the deployment's scope, as a template expression.
    scope: String,
}

fn strip_expr(s: &str) -> Option<&str> {
    (s.starts_with('[') && !s.starts_with("[[") && s.ends_with(']')).then(|| &s[1..s.len() - 1])
}

fn read(workspace: &str, text: &str) -> Deployment {
    let t: Value = serde_json::from_str(text).unwrap();
    let mut bools = BTreeMap::new();
    for (k, p) in t["parameters"].as_object().into_iter().flatten() {
        if p["type"] == "bool" {
            bools.insert(k.clone(), p["defaultValue"].as_bool().unwrap_or(false));
        }
    }
    let mut steps = Vec::new();
    for r in t["resources"].as_array().unwrap() {
        assert_eq!(
            r["type"], DEPLOYMENTS,
            "{workspace}: only modules at the top"
        );
        let deps = r["dependsOn"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|d| {
                let d = d.as_str().unwrap();
                d.strip_prefix(&format!("[resourceId('{DEPLOYMENTS}', '"))
                    .and_then(|x| x.strip_suffix("')]"))
                    .unwrap_or_else(|| panic!("{workspace}: dependsOn {d}"))
                    .to_string()
            })
            .collect();
        let condition = r["condition"].as_str().map(|c| {
            strip_expr(c)
                .and_then(|c| c.strip_prefix("parameters('"))
                .and_then(|c| c.strip_suffix("')"))
                .unwrap_or_else(|| panic!("{workspace}: condition {c} is not a parameter"))
                .to_string()
        });
        let params = r["properties"]["parameters"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| {
                let v = v["value"].as_str().unwrap_or_default();
                (k.clone(), strip_expr(v).unwrap_or(v).to_string())
            })
            .collect();
        steps.push(Step {
            name: r["name"].as_str().unwrap().to_string(),
            deps,
            condition,
            params,
            resources: r["properties"]["template"]["resources"]
                .as_array()
                .unwrap()
                .clone(),
        });
    }
    Deployment {
        workspace: workspace.to_string(),
        steps,
        bools,
        scope: "resourceGroup().id".to_string(),
    }
}

impl Deployment {
    fn runs(&self, step: &Step, first: bool) -> bool {
        match &step.condition {
            None => true,
            Some(p) if p == "firstDeployment" => first,
            Some(p) => self.bools[p],
        }
    }

    /// The steps that run, each with every step it waits for (transitively).
    fn order(&self, first: bool) -> Vec<(&Step, BTreeSet<&str>)> {
        let mut before: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        // Steps are listed after what they depend on (ARM would accept any
        // order; amlgen writes them in order, and the test relies on it).
        for s in &self.steps {
            let mut set = BTreeSet::new();
            for d in &s.deps {
                let inner = before.get(d.as_str()).unwrap_or_else(|| {
                    panic!("{}: {} waits for a later {d}", self.workspace, s.name)
                });
                set.insert(d.as_str());
                set.extend(inner.iter().copied());
            }
            before.insert(&s.name, set);
        }
        self.steps
            .iter()
            .filter(|s| self.runs(s, first))
            .map(|s| (s, before[s.name.as_str()].clone()))
            .collect()
    }
}

fn types_of(step: &Step) -> impl Iterator<Item = &str> {
    step.resources
        .iter()
        .map(|r| r["type"].as_str().unwrap_or_default())
}

/// The custom role names (their `guid(...)` expressions) whose actions
/// approve private endpoint connections.
fn approver_roles(d: &Deployment) -> BTreeSet<String> {
    d.steps
        .iter()
        .flat_map(|s| &s.resources)
        .filter(|r| r["type"] == ROLE_DEFINITION)
        .filter(|r| {
            r["properties"]["permissions"][0]["actions"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|a| {
                    a.as_str().is_some_and(|a| {
                        a.to_ascii_lowercase()
                            .contains("privateendpointconnectionsapproval")
                    })
                })
        })
        .map(|r| {
            let n = r["name"].as_str().unwrap_or_default();
            strip_expr(n).unwrap_or(n).to_string()
        })
        .collect()
}

fn is_approver_grant(r: &Value, custom: &BTreeSet<String>) -> bool {
    if r["type"] != ROLE_ASSIGNMENT {
        return false;
    }
    let role = r["properties"]["roleDefinitionId"]
        .as_str()
        .unwrap_or_default();
    role.contains(APPROVER) || custom.iter().any(|c| role.contains(c.as_str()))
}

/// ORDER-PE and ORDER-APPROVE, for a first deployment and a redeploy.
fn order_problems(d: &Deployment, problems: &mut Vec<String>) {
    let custom = approver_roles(d);
    for first in [true, false] {
        let run = d.order(first);
        let scenario = if first {
            "first deployment"
        } else {
            "redeploy"
        };
        let with = |pred: &dyn Fn(&Step) -> bool| -> Vec<&str> {
            run.iter()
                .filter(|(s, _)| pred(s))
                .map(|(s, _)| s.name.as_str())
                .collect()
        };
        let private = with(&|s| types_of(s).any(|t| PRIVATE_NETWORK.contains(&t)));
        let approvals = with(&|s| s.resources.iter().any(|r| is_approver_grant(r, &custom)));
        for (s, before) in &run {
            let computes = types_of(s).any(|t| t == COMPUTE);
            let mut must_follow: Vec<(&str, &str)> = Vec::new();
            if computes {
                must_follow.extend(private.iter().map(|p| (*p, "ORDER-PE")));
                must_follow.extend(approvals.iter().map(|p| (*p, "ORDER-APPROVE")));
            }
            for r in s.resources.iter().filter(|r| r["type"] == WORKSPACE) {
                let provisions = r["properties"]["provisionNetworkNow"] == true;
                if provisions || !first {
                    must_follow.extend(approvals.iter().map(|p| (*p, "ORDER-APPROVE")));
                }
            }
            for (p, rule) in must_follow {
                if p != s.name && !before.contains(p) {
                    problems.push(format!(
                        "{} ({scenario}): {} runs without waiting for {p} {}",
                        d.workspace,
                        s.name,
                        why(rule)
                    ));
                }
            }
        }
    }
}

/// `Type/name[/type/name]` (an extension resource's `scope`) as the
/// `resourceId()` of it.
fn resource_id_of(relative: &str) -> String {
    let parts: Vec<&str> = relative.split('/').collect();
    let mut ty = format!("{}/{}", parts[0], parts[1]);
    let mut names = vec![parts[2]];
    let mut i = 3;
    while i + 1 < parts.len() {
        ty.push('/');
        ty.push_str(parts[i]);
        names.push(parts[i + 1]);
        i += 2;
    }
    let mut out = format!("resourceId('{ty}'");
    for n in names {
        let _ = write!(out, ", '{}'", n.replace('\'', "''"));
    }
    out.push(')');
    out
}

/// An ARM value as an expression argument: `[x]` → `x`, a literal → `'x'`.
fn as_arg(v: &Value) -> String {
    let s = v.as_str().unwrap_or_default();
    match strip_expr(s) {
        Some(e) => e.to_string(),
        None => format!(
            "'{}'",
            s.strip_prefix('[')
                .map_or(s.to_string(), |_| s[1..].to_string())
                .replace('\'', "''")
        ),
    }
}

/// The principal as an assignment name's `guid()` takes it: its object id;
/// or, where the object id is read at run time (`reference(X, ...)` of a
/// resource's identity, which a name cannot wait for), the id `X` of the
/// resource whose identity it is.
fn principal_arg(v: &Value) -> String {
    let arg = as_arg(v);
    match arg
        .strip_prefix("reference(")
        .filter(|_| arg.ends_with(".identity.principalId"))
    {
        Some(rest) => {
            // The first argument: up to the comma at depth 0.
            let mut depth = 0;
            let mut end = rest.len();
            let mut quoted = false;
            for (i, c) in rest.char_indices() {
                match c {
                    '\'' => quoted = !quoted,
                    '(' if !quoted => depth += 1,
                    ')' if !quoted => depth -= 1,
                    ',' if !quoted && depth == 0 => {
                        end = i;
                        break;
                    }
                    _ => {}
                }
            }
            rest[..end].to_string()
        }
        None => arg,
    }
}

/// Replaces `parameters('p')` by the entry template's expression for `p`.
fn resolve(expr: &str, params: &BTreeMap<String, String>) -> String {
    let mut out = expr.to_string();
    for (k, v) in params {
        out = out.replace(&format!("parameters('{k}')"), v);
    }
    out
}

/// NAME-ASSIGNMENT and NAME-ROLE over one build. Role names are collected
/// across the build, resolved to the entry templates' expressions.
fn name_problems(
    d: &Deployment,
    roles: &mut BTreeMap<String, (String, String)>,
    problems: &mut Vec<String>,
) {
    for s in &d.steps {
        for r in &s.resources {
            if r["type"] == ROLE_ASSIGNMENT {
                let scope = r["scope"]
                    .as_str()
                    .map_or_else(|| d.scope.clone(), resource_id_of);
                let want = format!(
                    "[guid({scope}, {}, {})]",
                    principal_arg(&r["properties"]["principalId"]),
                    as_arg(&r["properties"]["roleDefinitionId"])
                );
                if r["name"] != want.as_str() {
                    problems.push(format!(
                        "{}/{}: role assignment named {} instead of {want} {}",
                        d.workspace,
                        s.name,
                        r["name"],
                        why("NAME-ASSIGNMENT")
                    ));
                }
            }
            if r["type"] == ROLE_DEFINITION {
                let role_name = &r["properties"]["roleName"];
                let want = format!("[guid({})]", as_arg(role_name));
                if r["name"] != want.as_str() {
                    problems.push(format!(
                        "{}/{}: custom role named {} instead of {want} {}",
                        d.workspace,
                        s.name,
                        r["name"],
                        why("NAME-ROLE")
                    ));
                }
                let resolved = resolve(&as_arg(role_name), &s.params);
                let body = r["properties"].to_string();
                let at = format!("{}/{}", d.workspace, s.name);
                if let Some((other, other_body)) = roles.get(&resolved)
                    && *other_body != body
                {
                    problems.push(format!(
                        "{at} and {other} define two roles named {resolved} {}",
                        why("NAME-ROLE-UNIQUE")
                    ));
                }
                roles.insert(resolved, (at, body));
            }
        }
    }
}

/// What a resource lets in or out, as a set of grants: `public` (public
/// network access from anywhere), `ip:<range>` (from an allowlisted
/// range), `rule:<name>=<value>` (an outbound rule).
fn reach(r: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let p = &r["properties"];
    if p["publicNetworkAccess"] == "Enabled" {
        let acl = &p["networkAcls"];
        if acl["defaultAction"] == "Deny" {
            for ip in acl["ipRules"].as_array().into_iter().flatten() {
                out.insert(format!("ip:{}", ip["value"].as_str().unwrap_or_default()));
            }
        } else {
            out.insert("public".to_string());
        }
    }
    for (name, rule) in p["managedNetwork"]["outboundRules"]
        .as_object()
        .into_iter()
        .flatten()
    {
        out.insert(format!("rule:{name}={rule}"));
    }
    out
}

fn allows(have: &BTreeSet<String>, grant: &str) -> bool {
    have.contains(grant) || (grant.starts_with("ip:") && have.contains("public"))
}

/// The resources a scenario PUTs, in an order Azure may run them, each
/// with the step that PUTs it.
fn puts(d: &Deployment, first: bool) -> Vec<(&str, String, &Value)> {
    let mut out = Vec::new();
    for (s, _) in d.order(first) {
        for r in &s.resources {
            out.push((
                s.name.as_str(),
                format!("{} {}", r["type"].as_str().unwrap_or_default(), r["name"]),
                r,
            ));
        }
    }
    out
}

/// The state a first deployment leaves: each resource's last PUT.
fn final_state(d: &Deployment) -> BTreeMap<String, BTreeSet<String>> {
    puts(d, true)
        .into_iter()
        .map(|(_, key, r)| (key, reach(r)))
        .collect()
}

/// REDEPLOY: the redeploy of `new` over the state `old` left.
fn redeploy_problems(
    label: &str,
    old: &BTreeMap<String, BTreeSet<String>>,
    new: &Deployment,
    problems: &mut Vec<String>,
) {
    let after = final_state(new);
    for (step, key, r) in puts(new, false) {
        let (Some(before), Some(last)) = (old.get(&key), after.get(&key)) else {
            continue;
        };
        let have = reach(r);
        for grant in before.union(last) {
            if allows(before, grant) && allows(last, grant) && !allows(&have, grant) {
                problems.push(format!(
                    "{label}: {step} narrows {key} during a redeploy: {grant} is allowed before and after, not in between {}",
                    why("REDEPLOY")
                ));
            }
        }
    }
}

fn deployments(files: &BTreeMap<String, String>) -> Vec<Deployment> {
    files
        .iter()
        .filter_map(|(path, text)| entry_workspace(path).map(|ws| read(ws, text)))
        .collect()
}

/// The workspace whose entry template this path is
/// (`workspaces/<ws>/azuredeploy.json`).
fn entry_workspace(path: &str) -> Option<&str> {
    let ws = path
        .strip_prefix("workspaces/")?
        .strip_suffix("/azuredeploy.json")?;
    (!ws.contains('/')).then_some(ws)
}

/// Every other template of a build (the deployer role, policy blocks, the
/// hub firewall) as one step holding all its resources, nested ones too.
fn other_templates(files: &BTreeMap<String, String>) -> Vec<Deployment> {
    files
        .iter()
        .filter(|(p, _)| p.ends_with("azuredeploy.json") && entry_workspace(p).is_none())
        .map(|(path, text)| {
            let t: Value = serde_json::from_str(text).unwrap();
            let schema = t["$schema"].as_str().unwrap_or_default();
            let scope = if schema.contains("managementGroupDeploymentTemplate") {
                "managementGroup().id"
            } else if schema.contains("subscriptionDeploymentTemplate") {
                "subscription().id"
            } else {
                "resourceGroup().id"
            };
            let mut resources = Vec::new();
            one_posture::resources(&t, &mut resources);
            Deployment {
                workspace: path.clone(),
                steps: vec![Step {
                    name: "template".into(),
                    deps: Vec::new(),
                    condition: None,
                    params: BTreeMap::new(),
                    resources,
                }],
                bools: BTreeMap::new(),
                scope: scope.to_string(),
            }
        })
        .collect()
}

/// The `.bicepparam` file keeps the redeploy default.
fn bicepparam_problems(files: &BTreeMap<String, String>, problems: &mut Vec<String>) {
    for (path, text) in files.iter().filter(|(p, _)| p.ends_with("main.bicepparam")) {
        for line in text.lines() {
            if line.starts_with("param firstDeployment")
                && line.trim()
                    != "param firstDeployment = bool(readEnvironmentVariable('AMLGEN_FIRST_DEPLOYMENT', 'false'))"
            {
                problems.push(format!(
                    "{path}: `{line}`: the parameters file must keep the redeploy default"
                ));
            }
        }
    }
}

#[test]
fn every_legal_posture_deploys_in_order_with_unique_names_and_safe_redeploys() {
    let mut problems = Vec::new();
    let mut two_phase = 0;
    let mut computes = 0;
    let cases = postures::legal_postures();
    assert!(cases.len() > 100, "only {} legal postures", cases.len());
    for (path, previous) in &cases {
        let label = path.display().to_string();
        let files = postures::build_file(path, previous.as_deref())
            .unwrap_or_else(|e| panic!("{label}: {e}"));
        bicepparam_problems(&files, &mut problems);
        let mut roles = BTreeMap::new();
        for d in deployments(&files) {
            two_phase += usize::from(d.bools.contains_key("firstDeployment"));
            computes += d
                .steps
                .iter()
                .flat_map(types_of)
                .filter(|t| *t == COMPUTE)
                .count();
            order_problems(&d, &mut problems);
            name_problems(&d, &mut roles, &mut problems);
            redeploy_problems(
                &format!("{label} {}", d.workspace),
                &final_state(&d),
                &d,
                &mut problems,
            );
        }
        for d in other_templates(&files) {
            name_problems(&d, &mut roles, &mut problems);
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(two_phase >= 3, "only {two_phase} two-phase workspaces seen");
    assert!(computes >= 10, "only {computes} computes seen");
}

/// A small change to an example: its text with `from` replaced by `to`.
fn variant(
    example: &str,
    from: &str,
    to: &str,
) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(example);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{example} no longer contains {from:?}");
    let old = postures::build_text(example, text.clone(), None).unwrap();
    let new = postures::build_text(example, text.replacen(from, to, 1), None)
        .unwrap_or_else(|e| panic!("{example} changed: {e}"));
    (old, new)
}

#[test]
fn a_redeploy_after_a_small_change_never_narrows_access_or_reuses_a_name() {
    let changes = [
        // One more allowlisted range.
        (
            "examples/selected-ip-inbound/posture.aml",
            r#"allowed_ips           = ["203.0.113.0/24", "198.51.100.7"]"#,
            r#"allowed_ips           = ["203.0.113.0/24", "198.51.100.7", "192.0.2.10"]"#,
        ),
        // One range fewer.
        (
            "examples/selected-ip-inbound/posture.aml",
            r#"allowed_ips           = ["203.0.113.0/24", "198.51.100.7"]"#,
            r#"allowed_ips           = ["203.0.113.0/24"]"#,
        ),
        // A new private endpoint rule: a Databricks workspace in the group
        // where Data Factory already needs the custom approver role.
        (
            "examples/sensitive-data/posture.aml",
            r#"rule "claims-adf" private_endpoint adf { subresource = dataFactory }"#,
            "rule \"claims-adf\" private_endpoint adf { subresource = dataFactory }\n    rule \"claims-dbw\" private_endpoint \"/subscriptions/${sub}/resourceGroups/rg-etl/providers/Microsoft.Databricks/workspaces/dbw-claims\" { subresource = databricks_ui_api }",
        ),
    ];
    let mut problems = Vec::new();
    for (example, from, to) in changes {
        let (old, new) = variant(example, from, to);
        assert_ne!(old, new, "{example}: the change changed nothing");
        let old_ds = deployments(&old);
        let mut roles_old = BTreeMap::new();
        for d in &old_ds {
            name_problems(d, &mut roles_old, &mut problems);
        }
        let mut roles_new = BTreeMap::new();
        for d in deployments(&new) {
            name_problems(&d, &mut roles_new, &mut problems);
            let before = old_ds
                .iter()
                .find(|o| o.workspace == d.workspace)
                .map(final_state)
                .unwrap_or_default();
            redeploy_problems(
                &format!("{example} changed, {}", d.workspace),
                &before,
                &d,
                &mut problems,
            );
            order_problems(&d, &mut problems);
        }
        // A custom role keeps its name and GUID when its types change: the
        // same role, updated in place (NAME-ROLE).
        for (name, (at, _)) in &roles_old {
            if !roles_new.contains_key(name) {
                problems.push(format!(
                    "{example}: the change renames the custom role of {at} ({name}) {}",
                    why("NAME-ROLE")
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The rules themselves catch what they guard against: each broken
/// deployment below is what amlgen emitted before, or one mistake away.
#[test]
fn the_rules_catch_the_defects_they_guard_against() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/exfiltration-protected/posture.aml");
    let files = postures::build_file(&path, None).unwrap();
    let good = deployments(&files)
        .into_iter()
        .find(|d| d.workspace == "mlw-fraud-prod")
        .unwrap();
    let mut clean = Vec::new();
    order_problems(&good, &mut clean);
    assert!(clean.is_empty(), "{clean:?}");

    // Computes that wait only for the workspace (the old single module).
    let text = &files["workspaces/mlw-fraud-prod/azuredeploy.json"];
    let mut t: Value = serde_json::from_str(text).unwrap();
    for r in t["resources"].as_array_mut().unwrap() {
        if r["name"] == "mlw-fraud-prod-computes" {
            r["dependsOn"] = serde_json::json!([
                "[resourceId('Microsoft.Resources/deployments', 'mlw-fraud-prod-workspace')]"
            ]);
        }
    }
    let broken = read("mlw-fraud-prod", &t.to_string());
    let mut found = Vec::new();
    order_problems(&broken, &mut found);
    assert!(found.iter().any(|p| p.contains("[ORDER-PE:")), "{found:?}");
    assert!(
        found.iter().any(|p| p.contains("[ORDER-APPROVE:")),
        "{found:?}"
    );

    // A name that leaves the principal out (the old stable GUID).
    let mut t: Value = serde_json::from_str(text).unwrap();
    let mut renamed = false;
    for m in t["resources"].as_array_mut().unwrap() {
        for r in m["properties"]["template"]["resources"]
            .as_array_mut()
            .unwrap()
        {
            if r["type"] == ROLE_ASSIGNMENT && !renamed {
                r["name"] = Value::from("5c3f1f2e-0000-4000-8000-000000000000");
                renamed = true;
            }
        }
    }
    let mut found = Vec::new();
    name_problems(
        &read("mlw-fraud-prod", &t.to_string()),
        &mut BTreeMap::new(),
        &mut found,
    );
    assert!(
        found.iter().any(|p| p.contains("[NAME-ASSIGNMENT:")),
        "{found:?}"
    );

    // A redeploy that replays a private first phase (the old selected-IP shape).
    let sel = postures::build_file(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/selected-ip-inbound/posture.aml"),
        None,
    )
    .unwrap();
    let text = &sel["workspaces/mlw-analytics/azuredeploy.json"];
    let mut t: Value = serde_json::from_str(text).unwrap();
    for r in t["resources"].as_array_mut().unwrap() {
        r.as_object_mut().unwrap().remove("condition");
    }
    let d = read("mlw-analytics", &t.to_string());
    let mut found = Vec::new();
    redeploy_problems("replayed first phase", &final_state(&d), &d, &mut found);
    assert!(found.iter().any(|p| p.contains("[REDEPLOY:")), "{found:?}");
}
