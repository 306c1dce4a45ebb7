//! A policy block's files (`policies/<name>/`): its definitions,
//! initiative and assignment (policy-native JSON), the ARM JSON and Bicep
//! that deploy them at the block's scope, and `POLICY.md`.

use serde_json::{Value, json};

use super::files::Artifacts;
use super::{arm, bicep};
use crate::catalog::controls::Origin;
use crate::emit::azure::{Expr, IdScope, PolicyBuild, PolicyDeployment, types};
use crate::escape::{markdown_code, markdown_row, markdown_text, shell_word};
use crate::ir::{Policy, PolicyScope};

/// How the policy outputs are laid out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Layout {
    /// Definitions, initiative, assignment, Bicep and ARM JSON.
    #[default]
    Plain,
    /// The same, plus `epac/Definitions/...` for Enterprise Policy as Code.
    Epac,
}

fn pretty(v: &Value) -> String {
    arm::to_text(v)
}

/// The ARM JSON template of the deployment: its resources, then the
/// modules into other resource groups (after the assignment, whose
/// identity they grant roles to).
#[must_use]
pub fn template(b: &PolicyBuild, d: &PolicyDeployment) -> Value {
    let (resources, modules) = (&d.resources, &d.modules);
    let mut t = arm::scoped_template(b.scope, resources);
    let assignment = Expr::call(
        b.scope.id_function(),
        vec![
            Expr::str(types::POLICY_ASSIGNMENT),
            Expr::str(&b.assignment_name),
        ],
    );
    if let Some(Value::Array(out)) = t.get_mut("resources") {
        for m in modules {
            let mut d = arm::module_deployment(
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
        // A parameter's value carries posture strings (a setup script's
        // path, FQDNs): each is a code span, and the row escapes `|`.
        let params: Vec<String> = c
            .parameters
            .iter()
            .map(|(k, v)| format!("{} = {}", markdown_code(k), markdown_code(&v.to_string())))
            .collect();
        let _ = writeln!(
            r,
            "{}",
            markdown_row(&[
                &markdown_code(c.reference_id),
                &c.effect,
                &def,
                kind,
                &params.join(", "),
            ])
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
    exemptions_section(&mut r, b);
    let notes: Vec<(&str, String)> = b
        .chosen
        .iter()
        .filter_map(|c| note(c.reference_id, &b.assignment_id).map(|n| (c.reference_id, n)))
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

/// The exemptions the posture's accepted risks make, and what deploying
/// them takes.
fn exemptions_section(r: &mut String, b: &PolicyBuild) {
    use std::fmt::Write;
    if b.exemptions.is_empty() {
        return;
    }
    let _ = writeln!(
        r,
        "\n## Exemptions\n\nThe posture accepts these risks, so the deployment exempts the workspace from the one control (`exemptions.json`; `modules/exemptions-<n>.bicep`, nested deployments in `azuredeploy.json`):\n"
    );
    for e in &b.exemptions {
        let _ = writeln!(
            r,
            "- {} on {}: {}, {} until {} (UTC): {}",
            markdown_code(&e.workspace),
            markdown_code(&e.scope_id()),
            e.reference_ids
                .iter()
                .map(|x| markdown_code(x))
                .collect::<Vec<_>>()
                .join(", "),
            e.category,
            e.expires_on,
            markdown_text(&e.description),
        );
    }
    let _ = writeln!(
        r,
        "\nAn exemption is placed on the workspace's resource group, not on the workspace: a `deny` refuses the workspace's creation, and an exemption on a resource needs the resource to exist. It names only the control's reference in the initiative, but exempts every resource of that group the control's definition judges, so keep other workspaces out of that group. The resource group must exist before this policy block is deployed, and the workspace is deployed after it. Whoever deploys it needs `Microsoft.Authorization/policyExemptions/write` on the resource group and `Microsoft.Authorization/policyAssignments/exempt/action` on the assignment (Resource Policy Contributor has both). Past its expiry an exemption is no longer honoured but stays in place: the posture's acceptance expires the same day, and the build then fails until it is renewed or removed."
    );
}

/// What a reader must know about a control before assigning it, beyond
/// its definition's description.
fn note(reference_id: &str, assignment_id: &str) -> Option<String> {
    match reference_id {
        // The REST API (Microsoft.MachineLearningServices, OutboundRule)
        // makes `category` and `status` writable; only `parentRuleNames`
        // and `errorInformation` are read-only, and Azure Policy judges
        // the request as sent, so no field of a request proves a rule is
        // the platform's. Microsoft's docs do not say whether the platform
        // creates its rules through a request policy sees; an exemption
        // per rule is the shape that lets no hostile rule through.
        "outbound-rules" => Some(format!(
            "no outbound rule is exempt by its `category` (Required, Recommended, Dependency): the caller sets that field, so a rule to any host could claim it. \
If the platform's own rules (the managed network's required rules and private endpoints, `__SYS_` names) are flagged, exempt each of them, not the workspace: \
`az policy exemption create --name <rule> --exemption-category Waiver --policy-assignment {} --policy-definition-reference-ids outbound-rules --scope <the rule's resource id>` \
(`az ml workspace outbound-rule list` lists them). An exemption on the workspace would let every rule of it through.",
            shell_word(assignment_id)
        )),
        _ => None,
    }
}

/// All files of one policy block, under `dir`.
pub fn artifacts(
    p: &Policy,
    (b, d): (&PolicyBuild, &PolicyDeployment),
    hb: &bicep::Templates,
    header: &str,
    location: Option<&str>,
    dir: &str,
) -> Result<Artifacts, String> {
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
    files.insert(format!("{dir}/azuredeploy.json"), pretty(&template(b, d)));
    if !b.exemptions.is_empty() {
        let list: Vec<Value> = b
            .exemptions
            .iter()
            .map(|e| e.native(&b.assignment_id))
            .collect();
        files.insert(
            format!("{dir}/exemptions.json"),
            pretty(&Value::Array(list)),
        );
    }
    let bicep = bicep::render_scoped_with_modules(
        hb,
        target_scope(b),
        match &p.scope {
            PolicyScope::ManagementGroup(id) => Some(id.as_str()),
            PolicyScope::Subscription(_) => None,
        },
        &d.resources,
        &d.modules,
        header,
        &format!(
            "Policy `{}`: its custom definitions, the initiative, the assignment and the identity's roles",
            p.name
        ),
    )?;
    for (path, text) in bicep {
        files.insert(format!("{dir}/{path}"), text);
    }
    files.insert(format!("{dir}/POLICY.md"), report(b, p, header));
    Ok(files)
}
