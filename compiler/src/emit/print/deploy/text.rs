//! The sections of `DEPLOY.md`, in the order a build deploys. Commands
//! are POSIX shell, run from the build's output directory; every value a
//! posture supplies is one `escape::shell_word`, and what the posture
//! cannot know is a shell variable the reader sets first. The flags are
//! the Azure CLI's (`az provider register`, `az deployment sub|mg|group
//! create`, `az group create`, `az role assignment create`, `az ml
//! workspace provision-network`, as Microsoft's CLI reference documents
//! them).

use std::collections::BTreeMap;
use std::fmt::Write;

use super::order;
use super::summary::{Summary, WorkspaceSummary};
use crate::catalog::prices;
use crate::emit::azure::IdScope;
use crate::emit::print::report::{self, Step};
use crate::escape::{markdown_code as code, shell_word as sh};

/// A command line being written.
struct Cmd(String);

impl Cmd {
    fn new(words: &str) -> Self {
        Cmd(words.to_string())
    }
    /// A flag and a posture value.
    fn arg(mut self, flag: &str, value: &str) -> Self {
        let _ = write!(self.0, " {flag} {}", sh(value));
        self
    }
    /// A flag that takes no value.
    fn flag(mut self, flag: &str) -> Self {
        let _ = write!(self.0, " {flag}");
        self
    }
    /// A flag and a value written as it is (a shell variable, a literal).
    fn raw(mut self, flag: &str, value: &str) -> Self {
        let _ = write!(self.0, " {flag} {value}");
        self
    }
    fn sub(self, subscription: Option<&str>) -> Self {
        match subscription {
            Some(s) => self.arg("--subscription", s),
            None => self,
        }
    }
}

/// `DEPLOY.md`.
pub(super) fn render(s: &Summary) -> String {
    let mut r = String::new();
    let _ = writeln!(r, "# Deploying this build\n\n{}.\n", s.header);
    let _ = writeln!(
        r,
        "Run every command from the directory that holds this file, with the Azure CLI signed in (`az login`), in the order below. Values the postures cannot know are shell variables; set them first:\n"
    );
    let _ = writeln!(
        r,
        "```sh\nDEPLOYER=<object id of the identity that runs the deployments>"
    );
    if s.workspaces.iter().any(|w| w.subscription.is_none()) {
        let _ = writeln!(
            r,
            "SUBSCRIPTION=$(az account show --query id --output tsv)   # for the workspaces whose posture names no subscription"
        );
    }
    if s.hub_firewall {
        let _ = writeln!(
            r,
            "HUB_FIREWALL_GROUP=<resource group of the hub's firewall policy>\nHUB_FIREWALL_POLICY=<name of the hub's firewall policy>"
        );
    }
    if s.policies.iter().any(|p| p.location.is_none()) && s.workspaces.is_empty() {
        let _ = writeln!(r, "LOCATION=<region for the policy deployments>");
    }
    let _ = writeln!(r, "```");
    providers(&mut r, s);
    deployer_roles(&mut r, s);
    // The resource groups come before the policy blocks: an exemption a
    // policy block carries for an accepted finding is placed on its
    // workspace's resource group, which must exist when it is created.
    groups(&mut r, s);
    policies(&mut r, s);
    if s.hub_firewall {
        hub_firewall(&mut r);
    }
    let ordered = workspaces(&mut r, s);
    after(&mut r, s, &ordered);
    costs(&mut r, s, &ordered);
    r
}

/// 1. `az provider register`, per subscription.
///
/// With `--wait`: a registration otherwise runs on in the background, and
/// a deployment that follows it on a fresh subscription fails with "The
/// subscription is not registered to use namespace ..." (the Azure CLI's
/// own message advises `az provider register --wait --namespace <ns>`).
fn providers(r: &mut String, s: &Summary) {
    let _ = writeln!(r, "\n## Register the resource providers\n");
    let _ = writeln!(
        r,
        "On each subscription a workspace deploys to (the types its deployment creates, and `Microsoft.Network`, through which the managed network and the client private endpoints are made), each waiting until it is registered:\n"
    );
    let mut by_sub: BTreeMap<Option<&str>, Vec<&str>> = BTreeMap::new();
    for w in &s.workspaces {
        by_sub
            .entry(w.subscription.as_deref())
            .or_default()
            .extend(&w.providers);
        if let Some(c) = &w.client_subscription {
            by_sub.entry(Some(c)).or_default().push("Microsoft.Network");
        }
    }
    let _ = writeln!(r, "```sh");
    for (sub, mut namespaces) in by_sub {
        namespaces.sort_unstable();
        namespaces.dedup();
        for n in namespaces {
            let _ = writeln!(
                r,
                "{}",
                Cmd::new("az provider register")
                    .arg("--namespace", n)
                    .sub(sub)
                    .flag("--wait")
                    .0
            );
        }
    }
    let _ = writeln!(r, "```");
}

/// 2. Each workspace's deployer role, a subscription deployment.
///
/// Each is named for its workspace: workspaces of one subscription deploy theirs in
/// their own regions, and a subscription refuses a deployment name it
/// already holds in another location (`InvalidDeploymentLocation`; a
/// deployment is otherwise named after its template file, `main`, as
/// Microsoft's "Subscription deployments with Bicep files" says under
/// "Deployment location and name").
fn deployer_roles(r: &mut String, s: &Summary) {
    let _ = writeln!(r, "\n## The deploying identity's custom roles\n");
    let _ = writeln!(
        r,
        "Once, by an administrator: each workspace's `deployer/` defines the custom role the deploying identity needs there (it is assigned below, once the resource groups exist).\n"
    );
    let _ = writeln!(r, "```sh");
    for w in &s.workspaces {
        let dir = format!("workspaces/{}/deployer", w.name);
        if s.bicep {
            let _ = writeln!(
                r,
                "{}",
                Cmd::new("az deployment sub create")
                    .arg("--name", &format!("amlgen-deployer-{}", w.name))
                    .arg("--location", &w.location)
                    .arg("--template-file", &format!("{dir}/main.bicep"))
                    .sub(w.subscription.as_deref())
                    .0
            );
        }
        terraform_of(r, s, w, &dir);
    }
    let _ = writeln!(r, "```");
}

/// A workspace's Terraform root module under `dir`, when built.
fn terraform_of(r: &mut String, s: &Summary, w: &WorkspaceSummary, dir: &str) {
    if s.terraform {
        let sub = w.subscription.as_deref();
        terraform(r, &format!("{dir}/terraform"), sub, s.bicep);
    }
}

/// `terraform init && apply` in a directory, as a subshell (after
/// "or, with Terraform" when it is the alternative to Bicep).
fn terraform(r: &mut String, dir: &str, subscription: Option<&str>, alternative: bool) {
    let env = match subscription {
        Some(sub) => format!("export ARM_SUBSCRIPTION_ID={} && ", sh(sub)),
        None => String::new(),
    };
    if alternative {
        let _ = writeln!(r, "# or, with Terraform:");
    }
    let _ = writeln!(
        r,
        "(cd {} && {env}terraform init && terraform apply)",
        sh(dir)
    );
}

/// 3. Policy blocks, at their scopes.
fn policies(r: &mut String, s: &Summary) {
    if s.policies.is_empty() {
        return;
    }
    let _ = writeln!(r, "\n## Policy blocks\n");
    let _ = writeln!(
        r,
        "Before the workspaces, so their rules judge every deployment that follows (the build already checked that none of its workspaces is denied, unless its posture accepts the finding: then the policy block carries an exemption for it, placed on the workspace's resource group, created above).\n"
    );
    let fallback = s
        .workspaces
        .first()
        .map_or("\"$LOCATION\"".to_string(), |w| sh(&w.location));
    let _ = writeln!(r, "```sh");
    for p in &s.policies {
        let dir = format!("policies/{}", p.name);
        let file = if s.bicep {
            "main.bicep"
        } else {
            "azuredeploy.json"
        };
        let location = p.location.as_deref().map_or(fallback.clone(), sh);
        let segments: Vec<&str> = p.scope_id.split('/').collect();
        let after = |word: &str| {
            segments
                .iter()
                .position(|x| x.eq_ignore_ascii_case(word))
                .and_then(|i| segments.get(i + 1))
                .copied()
                .unwrap_or_default()
        };
        // A named deployment: by default a deployment is named after its
        // template file (`main`), and a subscription or management group
        // refuses a second deployment of a name in another location
        // (`InvalidDeploymentLocation`; Microsoft's "Subscription
        // deployments with Bicep files", "Deployment location and name").
        let name = format!("amlgen-policy-{}", p.name);
        let cmd = match p.scope {
            IdScope::ManagementGroup => Cmd::new("az deployment mg create")
                .arg("--name", &name)
                .arg("--management-group-id", after("managementGroups"))
                .raw("--location", &location),
            IdScope::Subscription => Cmd::new("az deployment sub create")
                .arg("--name", &name)
                .arg("--subscription", after("subscriptions"))
                .raw("--location", &location),
            IdScope::ResourceGroup => Cmd::new("az deployment group create")
                .arg("--subscription", after("subscriptions"))
                .arg("--resource-group", after("resourceGroups")),
        };
        if s.bicep || !s.terraform {
            let _ = writeln!(
                r,
                "{}",
                cmd.arg("--template-file", &format!("{dir}/{file}")).0
            );
        }
        if s.terraform {
            let sub = (p.scope != IdScope::ManagementGroup).then(|| after("subscriptions"));
            terraform(r, &format!("{dir}/terraform"), sub, s.bicep);
        }
    }
    let _ = writeln!(r, "```");
}

/// 4. The hub team's firewall rules.
fn hub_firewall(r: &mut String) {
    let _ = writeln!(r, "\n## The hub team's firewall rules\n");
    let _ = writeln!(
        r,
        "The hub team deploys what their firewall must allow for the custom VNet workspaces, into their firewall policy, before the first compute is created (without those rules compute cannot reach Azure Machine Learning, Entra ID or Batch). The posture does not know their policy, hence the variables:\n"
    );
    let _ = writeln!(
        r,
        "```sh\naz deployment group create --resource-group \"$HUB_FIREWALL_GROUP\" --template-file hub-firewall/main.bicep --parameters firewallPolicyName=\"$HUB_FIREWALL_POLICY\"\n```\n\n`hub-firewall/allowlist.json` lists the same rules, and the DNS zone links the hub team makes (listed with each workspace below)."
    );
}

/// The deployer role's name, as `lower::deployer` writes it:
/// `amlgen deployer: <workspace> (<subscription>/<group>)`, the
/// subscription read from `$SUBSCRIPTION` when the posture names none.
fn role_name(w: &WorkspaceSummary) -> String {
    let name = format!("amlgen deployer: {} (", w.name);
    match &w.subscription {
        Some(sub) => sh(&format!("{name}{sub}/{})", w.resource_group)),
        // The variable stays outside the single quotes, in double ones.
        None => format!(
            "{}\"$SUBSCRIPTION\"{}",
            sh(&name),
            sh(&format!("/{})", w.resource_group))
        ),
    }
}

/// `/subscriptions/<s>/resourceGroups/<g>` as one word.
fn group_scope(subscription: Option<&str>, group: &str) -> String {
    match subscription {
        Some(s) => sh(&format!("/subscriptions/{s}/resourceGroups/{group}")),
        None => format!(
            "/subscriptions/\"$SUBSCRIPTION\"/resourceGroups/{}",
            sh(group)
        ),
    }
}

/// 5. Resource groups, and the deployer role's assignments on them.
fn groups(r: &mut String, s: &Summary) {
    let _ = writeln!(
        r,
        "\n## Resource groups and the deploying identity's roles\n"
    );
    let _ = writeln!(
        r,
        "Each workspace's resource group, then its deployer role assigned to the deploying identity on it and on the other groups its deployment writes to (a role assignment needs its scope to exist):\n"
    );
    let _ = writeln!(r, "```sh");
    let mut made: Vec<(Option<String>, String)> = Vec::new();
    for w in &s.workspaces {
        let id = (
            w.subscription.as_ref().map(|x| x.to_ascii_lowercase()),
            w.resource_group.to_ascii_lowercase(),
        );
        if !made.contains(&id) {
            made.push(id);
            let _ = writeln!(
                r,
                "{}",
                Cmd::new("az group create")
                    .arg("--name", &w.resource_group)
                    .arg("--location", &w.location)
                    .sub(w.subscription.as_deref())
                    .0
            );
        }
    }
    for w in &s.workspaces {
        let role = role_name(w);
        let scopes = std::iter::once(group_scope(w.subscription.as_deref(), &w.resource_group))
            .chain(
                w.deployer_groups
                    .iter()
                    .map(|(sub, g)| group_scope(Some(sub), g)),
            );
        for scope in scopes {
            let _ = writeln!(
                r,
                "{}",
                Cmd::new("az role assignment create")
                    .raw("--assignee", "\"$DEPLOYER\"")
                    .raw("--role", &role)
                    .raw("--scope", &scope)
                    .0
            );
        }
    }
    let _ = writeln!(r, "```");
}

/// 6. The workspaces, in an order that respects what they share.
fn workspaces(r: &mut String, s: &Summary) -> order::Ordered {
    let created: Vec<&[_]> = s.workspaces.iter().map(|w| &w.created[..]).collect();
    let referred: Vec<&[_]> = s.workspaces.iter().map(|w| &w.referred[..]).collect();
    let ordered = order::order(&created, &referred);
    let _ = writeln!(r, "\n## The workspaces\n");
    let _ = writeln!(
        r,
        "In this order: a workspace that refers to a resource another workspace of the build creates (a private DNS zone, a spoke network, an associated resource) comes after it; the others keep the build's order. Each deployment's own modules are already in the order Azure needs."
    );
    if !ordered.cyclic.is_empty() {
        let _ = writeln!(
            r,
            "\nThese workspaces refer to resources of each other, so no order satisfies them all; they are listed in the build's order, and a first deployment may need to be run twice: {}.",
            ordered
                .cyclic
                .iter()
                .map(|&i| code(&s.workspaces[i].name))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    for (n, &i) in ordered.list.iter().enumerate() {
        workspace(r, s, n + 1, &s.workspaces[i], &ordered.waits[i]);
    }
    ordered
}

/// One workspace's deployment.
fn workspace(
    r: &mut String,
    s: &Summary,
    n: usize,
    w: &WorkspaceSummary,
    waits: &[(usize, String)],
) {
    let dir = format!("workspaces/{}", w.name);
    let _ = writeln!(r, "\n### {n}. {}\n", code(&w.name));
    if !waits.is_empty() {
        let _ = writeln!(
            r,
            "After {}.\n",
            waits
                .iter()
                .map(|(j, why)| format!(
                    "{} (it creates {})",
                    code(&s.workspaces[*j].name),
                    code(why)
                ))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if w.two_phase {
        // The Terraform root module has no such flag: its workspace
        // resource ignores changes to its body once created
        // (`ignore_changes = [body]`), and the final settings are an
        // `azapi_update_resource` applied every time.
        let terraform = if s.terraform {
            " Terraform takes no flag: its state knows whether the workspace exists."
        } else {
            ""
        };
        let _ = writeln!(
            r,
            "Its first deployment with Bicep or the ARM JSON sets `firstDeployment` (the flag below); every later one runs the same command without it (its `REPORT.md`, \"Before deploying\", says why).{terraform}\n"
        );
    }
    let _ = writeln!(r, "```sh");
    let group = || {
        Cmd::new("az deployment group create")
            .arg("--resource-group", &w.resource_group)
            .sub(w.subscription.as_deref())
    };
    if s.bicep {
        let prefix = if w.two_phase {
            "AMLGEN_FIRST_DEPLOYMENT=true "
        } else {
            ""
        };
        let cmd = group()
            .arg("--template-file", &format!("{dir}/main.bicep"))
            .arg("--parameters", &format!("{dir}/main.bicepparam"));
        let _ = writeln!(r, "{prefix}{}", cmd.0);
        let mut arm = group().arg("--template-file", &format!("{dir}/azuredeploy.json"));
        if w.two_phase {
            arm = arm.raw("--parameters", "firstDeployment=true");
        }
        let _ = writeln!(r, "# or, without Bicep:\n{}", arm.0);
    }
    terraform_of(r, s, w, &dir);
    let _ = writeln!(r, "```");
    for link in &w.hub_zone_links {
        let _ = writeln!(
            r,
            "\n- The hub team links their private DNS zone {} to the spoke {} (link {}, registration off) as soon as this deployment has created the spoke.",
            code(&link.zone),
            code(&link.virtual_network),
            code(&link.link_name)
        );
    }
}

/// 7. What is left once the workspaces are deployed.
fn after(r: &mut String, s: &Summary, ordered: &order::Ordered) {
    let _ = writeln!(r, "\n## After deployment\n");
    let _ = writeln!(
        r,
        "Per workspace, in the order above (the sections named are those of the workspace's `REPORT.md`).\n"
    );
    let mut any = false;
    for &i in &ordered.list {
        let w = &s.workspaces[i];
        if w.after.is_empty() {
            continue;
        }
        any = true;
        let _ = writeln!(r, "### {}\n", code(&w.name));
        for step in &w.after {
            match step {
                Step::ProvisionNetwork { spark } => {
                    let mut cmd = Cmd::new("az ml workspace provision-network")
                        .arg("--resource-group", &w.resource_group)
                        .arg("--name", &w.name)
                        .sub(w.subscription.as_deref());
                    if *spark {
                        cmd.0.push_str(" --include-spark");
                    }
                    let _ = writeln!(
                        r,
                        "- {}:\n\n  ```sh\n  {}\n  ```",
                        Step::provision_text(*spark),
                        cmd.0
                    );
                }
                Step::Text(t) => {
                    let _ = writeln!(r, "- {t}");
                }
            }
        }
        let _ = writeln!(r);
    }
    if !any {
        let _ = writeln!(r, "Nothing: the deployments are complete as they are.\n");
    }
}

/// The estimated monthly cost, per workspace and for the build.
fn costs(r: &mut String, s: &Summary, ordered: &order::Ordered) {
    let _ = writeln!(r, "## Estimated monthly cost\n");
    let _ = writeln!(
        r,
        "| workspace | managed firewall | private endpoints | USD a month |\n| --- | --- | ---: | ---: |"
    );
    let mut total = 0;
    let mut endpoints = 0;
    for &i in &ordered.list {
        let w = &s.workspaces[i];
        let e = &w.estimate;
        total += e.total();
        endpoints += e.endpoints();
        let firewall = match (e.firewall, e.custom_vnet) {
            (Some(sku), _) => sku.arm().to_string(),
            (None, true) => "none (custom VNet: the hub's)".to_string(),
            (None, false) => "none".to_string(),
        };
        let _ = writeln!(
            r,
            "| {} | {firewall} | {} | {} |",
            code(&w.name),
            e.endpoints(),
            prices::usd(e.total())
        );
    }
    let _ = writeln!(
        r,
        "| **the build** | | {endpoints} | **{}** |\n",
        prices::usd(total)
    );
    let _ = writeln!(r, "{}\n", report::cost_assumptions());
    let _ = writeln!(
        r,
        "Workspaces in custom VNet mode have no managed firewall: the hub team's firewall carries their traffic and is theirs to pay. Each workspace's `REPORT.md`, \"Costs\", itemises its figure."
    );
}

#[cfg(test)]
mod tests {
    use super::super::summary::PolicySummary;
    use super::*;

    fn policy(scope: IdScope, scope_id: &str, location: Option<&str>) -> PolicySummary {
        PolicySummary {
            name: "p".into(),
            scope,
            scope_id: scope_id.into(),
            location: location.map(str::to_string),
        }
    }

    #[test]
    fn policy_blocks_deploy_at_their_scope() {
        let s = Summary {
            bicep: true,
            policies: vec![
                policy(
                    IdScope::ManagementGroup,
                    "/providers/Microsoft.Management/managementGroups/mg-x",
                    Some("westeurope"),
                ),
                policy(IdScope::Subscription, "/subscriptions/s-1", None),
                policy(
                    IdScope::ResourceGroup,
                    "/subscriptions/s-2/resourceGroups/rg-(y)",
                    None,
                ),
            ],
            ..Summary::default()
        };
        let mut r = String::new();
        policies(&mut r, &s);
        let lines: Vec<&str> = r.lines().filter(|l| l.starts_with("az ")).collect();
        assert_eq!(
            lines,
            [
                "az deployment mg create --name amlgen-policy-p --management-group-id mg-x --location westeurope --template-file policies/p/main.bicep",
                "az deployment sub create --name amlgen-policy-p --subscription s-1 --location \"$LOCATION\" --template-file policies/p/main.bicep",
                "az deployment group create --subscription s-2 --resource-group 'rg-(y)' --template-file policies/p/main.bicep",
            ]
        );
        // Without workspaces to take a region from, `LOCATION` is asked for.
        assert!(render(&s).contains("LOCATION=<region"));
    }
}
