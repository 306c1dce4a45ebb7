//! Terraform: the same deployment as a root module of the `Azure/azapi`
//! provider, per workspace (`terraform/`), for its deployer role
//! (`deployer/terraform/`) and per policy block (`terraform/`). It reads
//! the Azure model only, like the ARM and Bicep printers: every `body` is
//! the ARM resource the ARM printer writes, minus what azapi takes as
//! arguments (`type`, `name`, `location`, `tags`, `identity`), so a
//! property can differ between the targets in syntax only.
//!
//! [`values`] prints values and expressions, [`resources`] the blocks of
//! `main.tf`; this file writes the root module's other files.

mod resources;
mod values;

use std::fmt::Write as _;

use resources::{Main, main_tf, module_scope};
use values::{Scope, aligned_items, one_line};

use crate::emit::azure::{Deployment, IdScope, Module, PolicyBuild, PolicyDeployment, types};
use crate::escape::hcl_string;

/// One file of a root module: its name in the module's directory and text.
pub type File = (String, String);

/// `versions.tf`: Terraform and the azapi provider.
///
/// `~> 2.0` (any 2.x): azapi 2.0 made `body` an HCL object (no
/// `jsonencode`), made `output` an HCL object read as
/// `azapi_resource.x.output.a.b`, and removed `ignore_body_changes` in
/// favour of `lifecycle.ignore_changes` (release notes of v2.0.1, "Major
/// Version" and "Breaking changes",
/// <https://github.com/Azure/terraform-provider-azapi/releases/tag/v2.0.1>);
/// a 3.0 may change them again. Terraform 1.9 is the oldest release that
/// validates a variable against other values and the one the provider's
/// 2.x upgrade notes recommend at least.
const VERSIONS: &str = r#"terraform {
  # Terraform 1.9 or later: input variable validation as this module writes it.
  required_version = ">= 1.9.0"
  required_providers {
    azapi = {
      # 2.x: `body` and `output` are HCL objects and `lifecycle.ignore_changes`
      # replaces `ignore_body_changes` (azapi v2.0 release notes); 3.0 may
      # change them again.
      source  = "Azure/azapi"
      version = "~> 2.0"
    }
  }
}

provider "azapi" {}
"#;

fn comment_header(header: &str, what: &str) -> Vec<String> {
    vec![header.to_string(), what.to_string()]
}

fn with_header(header: &str, body: &str) -> String {
    format!("# {}\n\n{body}", one_line(header))
}

/// The root module of a workspace's deployment.
pub fn workspace(d: &Deployment, header: &str) -> Result<Vec<File>, String> {
    let entry = Scope::top(IdScope::ResourceGroup, None);
    let scopes: Vec<Scope> = d
        .modules
        .iter()
        .map(|m| module_scope(m, IdScope::ResourceGroup, None, &entry))
        .collect();
    let ws = workspace_address(d);
    let exports: Vec<(String, String)> = ws
        .iter()
        .map(|a| (a.clone(), "identity.principalId".to_string()))
        .collect();
    let Main { text, .. } = main_tf(
        &comment_header(
            header,
            &format!(
                "Workspace `{}` into resource group `{}` (the Bicep modules flattened, in their order)",
                d.workspace, d.resource_group
            ),
        ),
        &d.modules,
        &scopes,
        &exports,
        &[(
            "resource_group_id".to_string(),
            format!(
                "\"/subscriptions/${{{}}}/resourceGroups/{}\"",
                values::SUBSCRIPTION_ID,
                crate::escape::hcl_string_content(&d.resource_group)
            ),
        )],
    )?;
    let mut outputs = String::new();
    if let Some(a) = &ws {
        let _ = write!(
            outputs,
            "output \"workspace_id\" {{\n  description = \"Resource id of the workspace\"\n  value       = {a}.id\n}}\n\noutput \"workspace_principal_id\" {{\n  description = \"Object id of the workspace's managed identity\"\n  value       = {a}.output.identity.principalId\n}}\n"
        );
    }
    let tags = |depth: usize| {
        let items: Vec<(String, String)> = d
            .tags
            .iter()
            .map(|(k, v)| (hcl_string(k), hcl_string(v)))
            .collect();
        if items.is_empty() {
            "{}".to_string()
        } else {
            format!(
                "{{\n{}{}}}",
                aligned_items(&items, depth + 1),
                values::pad(depth)
            )
        }
    };
    let location = hcl_string(&d.location);
    let variables = format!(
        "variable \"location\" {{\n  description = \"Azure region of the workspace and its resources\"\n  type        = string\n  default     = {location}\n  validation {{\n    condition     = var.location == {location}\n    error_message = \"The posture places this workspace in {}; change the posture and rebuild to move it.\"\n  }}\n}}\n\nvariable \"tags\" {{\n  description = \"Tags for every resource\"\n  type        = map(string)\n  default     = {}\n}}\n",
        crate::escape::hcl_string_content(&d.location),
        tags(1)
    );
    let tfvars = aligned_items(
        &[
            ("location".to_string(), location.clone()),
            ("tags".to_string(), tags(0)),
        ],
        0,
    );
    Ok(vec![
        ("versions.tf".into(), with_header(header, VERSIONS)),
        ("variables.tf".into(), with_header(header, &variables)),
        (
            "terraform.tfvars.example".into(),
            with_header(header, &tfvars),
        ),
        ("main.tf".into(), text),
        ("outputs.tf".into(), with_header(header, &outputs)),
    ])
}

/// The address of the workspace's own resource, when it is declared.
fn workspace_address(d: &Deployment) -> Option<String> {
    d.modules.iter().find_map(|m| {
        m.resources
            .iter()
            .find(|r| !r.existing && r.arm_type == types::WORKSPACE && r.full_name() == d.workspace)
            .map(|r| format!("azapi_resource.{}", values::label(&m.symbol, &r.symbol)))
    })
}

/// A root module without input variables.
fn fixed_module(header: &str, main: String, outputs: &str) -> Vec<File> {
    let none = "# This root module takes no input variables.\n";
    vec![
        ("versions.tf".into(), with_header(header, VERSIONS)),
        ("variables.tf".into(), with_header(header, none)),
        ("terraform.tfvars.example".into(), with_header(header, none)),
        ("main.tf".into(), main),
        ("outputs.tf".into(), with_header(header, outputs)),
    ]
}

fn single_module(resources: Vec<crate::emit::azure::Resource>) -> Module {
    Module {
        symbol: String::new(),
        file: String::new(),
        deployment_name: String::new(),
        description: String::new(),
        resources,
        depends_on: Vec::new(),
        target: None,
        params: Vec::new(),
        condition: None,
    }
}

/// The root module of the deployer's custom role, at the subscription.
pub fn deployer(d: &Deployment, header: &str) -> Result<Vec<File>, String> {
    let scope = Scope::top(IdScope::Subscription, None);
    let modules = [single_module(vec![d.deployer_role.clone()])];
    let main = main_tf(
        &comment_header(
            header,
            &format!(
                "The custom role for the identity that deploys workspace `{}` (assign it on the resource group before applying the workspace's configuration)",
                d.workspace
            ),
        ),
        &modules,
        std::slice::from_ref(&scope),
        &[],
        &[],
    )?;
    let outputs = id_output(
        &main,
        d.deployer_role.arm_type,
        "role_definition_id",
        "Resource id of the deployer's custom role",
    );
    Ok(fixed_module(header, main.text, &outputs))
}

/// An output of the id of the first block of a type, if there is one.
fn id_output(main: &Main, arm_type: &str, name: &str, description: &str) -> String {
    main.blocks
        .iter()
        .find(|(t, a)| *t == arm_type && a.starts_with("azapi_resource."))
        .map(|(_, a)| {
            format!(
                "output \"{name}\" {{\n  description = {}\n  value       = {a}.id\n}}\n",
                hcl_string(description)
            )
        })
        .unwrap_or_default()
}

/// The root module of a policy block, at its subscription or management
/// group.
pub fn policy(
    b: &PolicyBuild,
    d: &PolicyDeployment,
    header: &str,
    what: &str,
) -> Result<Vec<File>, String> {
    let top = Scope::top(b.scope, Some(&b.scope_id));
    let mut modules = vec![single_module(d.resources.clone())];
    modules.extend(d.modules.iter().cloned());
    let mut scopes = vec![Scope::top(b.scope, Some(&b.scope_id))];
    for m in &d.modules {
        scopes.push(module_scope(m, b.scope, None, &top));
    }
    let main = main_tf(&comment_header(header, what), &modules, &scopes, &[], &[])?;
    let outputs = id_output(
        &main,
        types::POLICY_ASSIGNMENT,
        "assignment_id",
        "Resource id of the policy assignment",
    );
    Ok(fixed_module(header, main.text, &outputs))
}
