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

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::escape::one_line;
use resources::{Main, main_tf, module_scope};
use values::{Scope, aligned_items};

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
    let inputs = Inputs {
        location: Some((&d.location, "the workspace and its resources")),
        tags: Some(&d.tags),
    };
    Ok(root_module(header, &inputs, text, &outputs))
}

/// The input variables of a root module: `location` (default and only
/// allowed value the posture's region) and `tags` (default the posture's).
struct Inputs<'a> {
    /// The region and what it places.
    location: Option<(&'a str, &'a str)>,
    tags: Option<&'a BTreeMap<String, String>>,
}

/// A map of strings as an HCL object at a depth.
fn string_map(map: &BTreeMap<String, String>, depth: usize) -> String {
    let items: Vec<(String, String)> = map
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
}

/// The five files of a root module around its `main.tf`.
fn root_module(header: &str, inputs: &Inputs, main: String, outputs: &str) -> Vec<File> {
    let mut variables = Vec::new();
    let mut tfvars = Vec::new();
    if let Some((region, what)) = inputs.location {
        let location = hcl_string(region);
        variables.push(format!(
            "variable \"location\" {{\n  description = {}\n  type        = string\n  default     = {location}\n  validation {{\n    condition     = var.location == {location}\n    error_message = {}\n  }}\n}}\n",
            hcl_string(&format!("Azure region of {what}")),
            hcl_string(&format!(
                "The posture's region for {what} is {region}; change the posture and rebuild to use another."
            ))
        ));
        tfvars.push(("location".to_string(), location));
    }
    if let Some(tags) = inputs.tags {
        variables.push(format!(
            "variable \"tags\" {{\n  description = \"Tags for every resource\"\n  type        = map(string)\n  default     = {}\n}}\n",
            string_map(tags, 1)
        ));
        tfvars.push(("tags".to_string(), string_map(tags, 0)));
    }
    let none = "# This root module takes no input variables.\n".to_string();
    let variables = if variables.is_empty() {
        none.clone()
    } else {
        variables.join("\n")
    };
    let tfvars = if tfvars.is_empty() {
        none
    } else {
        aligned_items(&tfvars, 0)
    };
    vec![
        ("versions.tf".into(), with_header(header, VERSIONS)),
        ("variables.tf".into(), with_header(header, &variables)),
        (
            "terraform.tfvars.example".into(),
            with_header(header, &tfvars),
        ),
        ("main.tf".into(), main),
        ("outputs.tf".into(), with_header(header, outputs)),
    ]
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
    let none = Inputs {
        location: None,
        tags: None,
    };
    Ok(root_module(header, &none, main.text, &outputs))
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
    location: Option<&str>,
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
    let inputs = Inputs {
        location: location
            .filter(|_| main.vars.contains("location"))
            .map(|l| (l, "the assignment's managed identity")),
        tags: None,
    };
    if main.vars.contains("location") && inputs.location.is_none() {
        return Err(format!(
            "policy `{what}` needs a region for its assignment's identity"
        ));
    }
    Ok(root_module(header, &inputs, main.text, &outputs))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file<'a>(files: &'a [File], name: &str) -> &'a str {
        files
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, t)| t.as_str())
    }

    #[test]
    fn inputs_become_validated_variables_and_an_example_tfvars() {
        let tags: BTreeMap<String, String> = [
            ("env".to_string(), "${x}".to_string()),
            ("owner".into(), "a\"b".into()),
        ]
        .into();
        let inputs = Inputs {
            location: Some(("westeurope", "the workspace")),
            tags: Some(&tags),
        };
        let files = root_module("h\nx", &inputs, "main".into(), "");
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "versions.tf",
                "variables.tf",
                "terraform.tfvars.example",
                "main.tf",
                "outputs.tf"
            ]
        );
        let vars = file(&files, "variables.tf");
        assert!(vars.starts_with("# h x\n\n"), "{vars}");
        assert!(
            vars.contains("condition     = var.location == \"westeurope\""),
            "{vars}"
        );
        assert!(
            vars.contains("    \"env\"   = \"$${x}\"\n    \"owner\" = \"a\\\"b\"\n  }"),
            "{vars}"
        );
        let tfvars = file(&files, "terraform.tfvars.example");
        assert!(tfvars.ends_with("location = \"westeurope\"\ntags     = {\n  \"env\"   = \"$${x}\"\n  \"owner\" = \"a\\\"b\"\n}\n"), "{tfvars}");
        assert!(file(&files, "versions.tf").contains("version = \"~> 2.0\""));

        let none = Inputs {
            location: None,
            tags: None,
        };
        let files = root_module("h", &none, "main".into(), "");
        assert!(file(&files, "variables.tf").contains("takes no input variables"));
        assert!(file(&files, "terraform.tfvars.example").contains("takes no input variables"));
    }
}
