//! The report's "After deployment" section: what is left to do once the
//! deployment has run (network provisioning, DNS forwarders, image build
//! compute, referenced resources, approvals, compute instance users).

use std::fmt::Write;

use crate::emit::azure::{APPROVER, Deployment, RoleRef};
use crate::escape::markdown_code as code;
use crate::ir::{Provision, Workspace};

use super::instances;
use super::posture::private_endpoint_rules;

/// A step left once the deployment has run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Provision the managed network now (`--include-spark` when `spark`):
    /// required with Spark, optional otherwise.
    ProvisionNetwork { spark: bool },
    /// Anything else, as a Markdown sentence.
    Text(String),
}

impl Step {
    /// The sentence before the command of a network provisioning step.
    #[must_use]
    pub fn provision_text(spark: bool) -> &'static str {
        if spark {
            "Serverless Spark is enabled on a private endpoint rule: provision the managed network with Spark included"
        } else {
            "The managed network is provisioned when the first compute is created; to provision it now"
        }
    }
}

/// The "After deployment" section.
pub(super) fn section(r: &mut String, ws: &Workspace, d: &Deployment) {
    let _ = writeln!(r, "\n## After deployment\n");
    let rg = ws.resource_group.value.as_str();
    let name = ws.name.as_str();
    let steps: Vec<String> = steps(ws, d)
        .into_iter()
        .map(|s| match s {
            Step::ProvisionNetwork { spark } => format!(
                "{}, `az ml workspace provision-network -g {rg} -n {name}{}`.",
                Step::provision_text(spark),
                if spark { " --include-spark" } else { "" }
            ),
            Step::Text(t) => t,
        })
        .collect();
    if steps.is_empty() {
        let _ = writeln!(r, "Nothing: the deployment is complete as it is.");
    }
    for s in steps {
        let _ = writeln!(r, "- {s}");
    }
}

/// What is left to do once the deployment has run, in order.
#[must_use]
pub fn steps(ws: &Workspace, d: &Deployment) -> Vec<Step> {
    let out = &ws.outbound;
    let mode = out.mode.value;
    let pe_rules = private_endpoint_rules(out);
    let mut steps = Vec::new();
    if mode.is_managed() && (out.spark() || !out.provision_now.value) {
        steps.push(Step::ProvisionNetwork { spark: out.spark() });
    }
    let mut texts = Vec::new();
    if ws
        .inbound
        .private_endpoint
        .as_ref()
        .is_some_and(|pe| pe.custom_dns)
    {
        texts.push("The client network uses custom DNS servers: create conditional forwarders for the private link zones above to Azure DNS (168.63.129.16).".to_string());
    }
    if let Some((name, _)) = &ws.container_registry.image_build_compute
        && !ws
            .computes
            .iter()
            .any(|c| c.name.as_str().eq_ignore_ascii_case(name))
    {
        texts.push(format!(
            "Image builds run on compute {}, which this posture does not declare: create a compute cluster of that name before the first environment build (the registry is private, so the registry's own tasks cannot build).",
            code(name)
        ));
    }
    if ws.key_vault.provision == crate::ir::Provision::Create && ws.key_vault.purge_protection.value
    {
        texts.push("The key vault has purge protection and a 90-day soft-delete retention: if this deployment is torn down, its name cannot be reused for 90 days (recover the vault instead).".to_string());
    }
    for (what, p) in [
        ("storage account", &ws.storage.provision),
        ("key vault", &ws.key_vault.provision),
        ("container registry", &ws.container_registry.provision),
        ("Application Insights component", &ws.app_insights.provision),
    ] {
        if let Provision::Existing(id) = p {
            texts.push(format!(
                "The {what} {} is referenced, not deployed: its network settings are its owner's to match this posture.",
                code(id.as_str())
            ));
        }
    }
    // The approver grants are the RBAC lowering's (one per target that is
    // not the workspace's own: the workspace itself, its default storage
    // and associated resources get none).
    let approver_grants = d.grants.iter().any(|g| match &g.role {
        RoleRef::BuiltIn { name, .. } => *name == APPROVER,
        RoleRef::CustomApprover(_) => true,
    });
    if pe_rules > 0 && approver_grants {
        texts.push("Private endpoint outbound rules connect only once approved on their targets: since 30 April 2025 the workspace identity must be allowed to approve them. The deployment grants it that on each target (see Identities and roles); the identity running it needs `Microsoft.Authorization/roleAssignments/write` on those resource groups too.".to_string());
    } else if pe_rules > 0 {
        texts.push("Private endpoint outbound rules connect only once approved on their targets (since 30 April 2025 the workspace identity must be allowed to approve them): this posture's rules target only the workspace itself or its own resources, so the deployment makes no approver role assignment.".to_string());
    }
    texts.extend(instances::after_deployment(ws));
    steps.extend(texts.into_iter().map(Step::Text));
    steps
}
