//! `REPORT.md`: what a workspace's posture allows and why, what it costs,
//! what is left to do after deployment, which defaults were taken, every
//! warning, and a Mermaid diagram. Markdown; every posture string is
//! written inside code spans or escaped for Mermaid labels.

use std::fmt::Write;

use super::escape::{markdown_code as code, markdown_line, mermaid_label as label};
use super::model::{Deployment, api};
use crate::diag::{Diagnostic, Severity};
use crate::ir::{
    Access, ClientEndpoint, Destination, Dns, IsolationMode, PeTarget, Provision,
    PublicNetworkAccess, RuleOrigin, Setting, Source, Workspace,
};
use crate::source::SourceMap;

mod instances;
mod network;

fn source_text<T>(s: &Setting<T>, sources: &SourceMap) -> Option<String> {
    match s.source {
        Source::Explicit(_) => None,
        Source::Defaults(sp) => Some(format!("from `defaults` ({})", sources.place(sp))),
        Source::Profile(p) => Some(format!("set by profile `{}`", p.keyword())),
        Source::SecureDefault => Some("secure default".to_string()),
    }
}

fn mode_meaning(mode: IsolationMode) -> &'static str {
    match mode {
        IsolationMode::Disabled => {
            "No managed virtual network: managed computes use the network you give them, and outbound control is yours (your own firewall and routes)."
        }
        IsolationMode::AllowInternetOutbound => {
            "A managed virtual network that allows all outbound internet traffic; private endpoint rules reach private resources. Isolation modes only go up: this workspace can move to approved outbound later, never back to disabled."
        }
        IsolationMode::AllowOnlyApprovedOutbound => {
            "A managed virtual network that allows only the outbound destinations below (plus the required rules the platform creates). This is the highest mode: it cannot be lowered later."
        }
    }
}

fn on(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

fn access(a: Access) -> &'static str {
    match a {
        Access::Enabled => "enabled",
        Access::Disabled => "disabled",
    }
}

/// The report of one workspace; `diagnostics` are the ones in its block.
#[must_use]
pub fn render(
    ws: &Workspace,
    d: &Deployment,
    diagnostics: &[Diagnostic],
    sources: &SourceMap,
    header: &str,
) -> String {
    let mut r = String::new();
    let out = &ws.outbound;
    let mode = out.mode.value;
    let _ = writeln!(r, "# Workspace {}\n", code(ws.name.as_str()));
    let _ = writeln!(r, "{header}. Posture: {}.\n", code(&sources.place(ws.span)));
    let _ = writeln!(r, "| setting | value |\n| --- | --- |");
    let _ = writeln!(
        r,
        "| resource group | {} |",
        code(ws.resource_group.value.as_str())
    );
    if let Some(s) = &ws.subscription_id {
        let _ = writeln!(r, "| subscription | {} |", code(s.as_str()));
    }
    let _ = writeln!(r, "| region | {} |", code(ws.region.value.as_str()));
    if let Some(p) = &ws.profile {
        let _ = writeln!(r, "| profile | {} |", code(p.value.keyword()));
    }
    let _ = writeln!(r, "| isolation mode | {} |", code(mode.arm()));
    let pna = match &ws.inbound.public_network_access.value {
        PublicNetworkAccess::Disabled => "disabled".to_string(),
        PublicNetworkAccess::Enabled => "enabled".to_string(),
        PublicNetworkAccess::SelectedIps(ips) => format!(
            "selected IPs: {}",
            ips.iter()
                .map(|i| code(&i.to_string()))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let _ = writeln!(r, "| public network access | {pna} |");
    let _ = writeln!(r, "| workspace API version | {} |", code(d.ml_api));

    if out.custom_vnet().is_some() {
        let _ = writeln!(
            r,
            "\n## Isolation mode\n\n{} (custom VNet mode): no managed virtual network. Compute instances, clusters and serverless compute run in your spoke network, and outbound control is the hub firewall's. Isolation modes only go up: this workspace can move to a managed network later (recreating its computes), but a managed network cannot come back to this mode.",
            code(mode.arm())
        );
    } else {
        let _ = writeln!(
            r,
            "\n## Isolation mode\n\n{} {}",
            code(mode.arm()),
            mode_meaning(mode)
        );
    }
    if d.ml_api == api::ML_PREVIEW {
        let _ = writeln!(
            r,
            "\nThe selected-IP allowlist (`networkAcls` with `ipRules`) exists only in preview APIs, so the workspace is deployed with {} instead of the stable {}.",
            code(api::ML_PREVIEW),
            code(api::ML)
        );
    }

    // Inbound.
    let _ = writeln!(r, "\n## Inbound\n");
    match &ws.inbound.private_endpoint {
        Some(pe) => {
            let targets: Vec<String> = pe
                .targets
                .value
                .iter()
                .map(|t| {
                    code(match t {
                        ClientEndpoint::Workspace => "workspace",
                        ClientEndpoint::Storage => "storage",
                        ClientEndpoint::KeyVault => "key_vault",
                        ClientEndpoint::ContainerRegistry => "container_registry",
                    })
                })
                .collect();
            let _ = writeln!(
                r,
                "- Client private endpoints in {} for {}.",
                pe_subnet_text(ws, pe),
                targets.join(", ")
            );
            let _ = writeln!(r, "- {}", network::pe_placement_text(ws, pe));
            match &pe.dns {
                Dns::Create => {
                    let _ = writeln!(
                        r,
                        "- Private DNS zones are created beside the endpoints and linked to the client virtual network."
                    );
                }
                Dns::Existing(ids) => {
                    let _ = writeln!(r, "- The endpoints register in existing private DNS zones:");
                    for id in ids {
                        let _ = writeln!(r, "  - {}", code(id.as_str()));
                    }
                    if let Some(t) = network::spoke_dns_text(ws, pe) {
                        let _ = writeln!(r, "- {t}");
                    }
                }
            }
        }
        None => {
            let _ = writeln!(
                r,
                "- No client private endpoint: the workspace is reached over its public endpoint ({pna})."
            );
        }
    }

    // Outbound.
    let _ = writeln!(r, "\n## Allowed outbound destinations\n");
    if let Some(spoke) = out.custom_vnet() {
        custom_vnet_section(&mut r, ws, spoke);
    } else if mode == IsolationMode::Disabled {
        let _ = writeln!(
            r,
            "No managed network: outbound traffic is governed by the network the computes are placed in."
        );
    } else {
        if mode == IsolationMode::AllowInternetOutbound {
            let _ = writeln!(
                r,
                "All internet outbound traffic is allowed. In addition:\n"
            );
        }
        if out.rules.is_empty() {
            let _ = writeln!(r, "No user-defined outbound rules.");
        } else {
            let _ = writeln!(
                r,
                "| rule | kind | destination | origin |\n| --- | --- | --- | --- |"
            );
            for rule in &out.rules {
                let dest = match &rule.destination {
                    Destination::Fqdn { fqdn, .. } => code(fqdn.as_str()),
                    Destination::ServiceTag {
                        tag,
                        protocol,
                        ports,
                    } => format!(
                        "{} {} ports {}",
                        code(tag.as_str()),
                        protocol.arm(),
                        code(&ports.to_string())
                    ),
                    Destination::PrivateEndpoint {
                        target,
                        subresource,
                        spark,
                    } => format!(
                        "{} sub-resource {}{}",
                        match target {
                            PeTarget::Resource(id) => code(id.as_str()),
                            PeTarget::DefaultStorage => "the default storage".to_string(),
                            PeTarget::ThisWorkspace => "the workspace itself".to_string(),
                        },
                        code(subresource),
                        if *spark { ", Spark enabled" } else { "" }
                    ),
                };
                let origin = match rule.origin {
                    RuleOrigin::User => format!("rule at {}", code(&sources.place(rule.span))),
                    RuleOrigin::Preset(crate::ir::Preset::SelectedIps, _) => {
                        "added by amlgen: selected-IP inbound needs the managed network to reach the workspace through a private endpoint (R14); deployed after the workspace".to_string()
                    }
                    RuleOrigin::Preset(p, sp) => format!(
                        "preset {} at {}",
                        code(p.keyword()),
                        code(&sources.place(sp))
                    ),
                };
                let _ = writeln!(
                    r,
                    "| {} | {} | {dest} | {origin} |",
                    code(rule.name.as_str()),
                    rule.destination.kind().arm()
                );
            }
        }
        let _ = writeln!(
            r,
            "\nThe platform also creates required rules of its own: private endpoints to the workspace's storage, key vault and container registry{}, and the service tag rules the managed network needs.",
            if mode == IsolationMode::AllowOnlyApprovedOutbound {
                " (always, in approved-outbound mode)"
            } else {
                " (when they have public network access disabled)"
            }
        );
    }

    // Costs.
    let _ = writeln!(r, "\n## Costs\n");
    let pe_rules = out
        .rules
        .iter()
        .filter(|x| x.destination.kind() == crate::ir::RuleKind::PrivateEndpoint)
        .count();
    let client_pes: usize = d
        .modules
        .iter()
        .flat_map(|m| &m.resources)
        .filter(|x| x.arm_type == super::model::types::PRIVATE_ENDPOINT && !x.existing)
        .count();
    if mode == IsolationMode::AllowOnlyApprovedOutbound && out.has_fqdn_rules() {
        let _ = writeln!(
            r,
            "- **Azure Firewall ({}):** the FQDN rules make the managed network deploy a managed Azure Firewall, billed per hour and per GB processed, for as long as any FQDN rule exists.",
            out.firewall_sku.value.arm()
        );
    } else if out.custom_vnet().is_some() {
        let _ = writeln!(
            r,
            "- No managed Azure Firewall: traffic goes through the hub's firewall, whose hours and processed GB its owner pays; the spoke's NSGs, route table and service endpoint policy are free."
        );
    } else {
        let _ = writeln!(r, "- No managed Azure Firewall: there are no FQDN rules.");
    }
    if out.custom_vnet().is_some() {
        let _ = writeln!(
            r,
            "- **Private endpoints:** {client_pes}, each billed per hour and per GB (Azure Private Link pricing); no managed network adds any."
        );
    } else {
        let _ = writeln!(
            r,
            "- **Private endpoints:** {client_pes} in the client network and {pe_rules} private endpoint outbound rule(s) in the managed network, plus the platform's required ones; each is billed per hour and per GB (Azure Private Link pricing).{}",
            if mode.is_managed() && out.provision_now.value {
                " The managed network is provisioned at creation, so charges start then."
            } else {
                ""
            }
        );
    }

    // Before deploying.
    let _ = writeln!(r, "\n## Before deploying\n");
    let mut namespaces: Vec<&str> = d
        .modules
        .iter()
        .flat_map(|m| &m.resources)
        .filter(|x| !x.existing)
        .filter_map(|x| x.arm_type.split('/').next())
        .filter(|n| *n != "Microsoft.Authorization" && *n != "Microsoft.Resources")
        .collect();
    namespaces.push("Microsoft.Network");
    namespaces.sort_unstable();
    namespaces.dedup();
    let _ = writeln!(
        r,
        "- Register the resource providers on the subscription: {}. The managed network creates its private endpoints through `Microsoft.Network`.",
        namespaces
            .iter()
            .map(|n| code(n))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if d.phases.two_phase() {
        let _ = writeln!(
            r,
            "- **The deployment that creates the workspace sets `firstDeployment` to true; every later one keeps the default, false**: with `main.bicepparam`, run the first deployment with `AMLGEN_FIRST_DEPLOYMENT=true` in its environment; with `azuredeploy.json`, pass `--parameters firstDeployment=true`. The workspace is set in two steps: {}. On the first deployment `modules/workspace.bicep` creates it without those, and `modules/workspace-final.bicep` sets them after the role assignments. On a redeploy the first step is skipped, so the workspace gets one update with its final settings and access is never narrowed, even for a moment. A first deployment run without the flag cannot narrow anything either: it fails where a step needs the workspace that does not exist yet, or creates it directly with its final settings; if it fails, run it again with the flag.",
            super::model::first_phase_reasons(d.phases)
        );
    }
    if let Some((sub, _)) = super::endpoints::client_group(ws)
        && ws
            .subscription_id
            .as_ref()
            .is_none_or(|s| s.as_str() != sub)
    {
        let _ = writeln!(
            r,
            "- Register `Microsoft.Network` on subscription {} too: the client private endpoints are deployed there (the subscription that holds a private endpoint must be registered with the network resource provider).",
            code(&sub)
        );
    }
    let _ = writeln!(
        r,
        "- The identity that runs the deployment needs what `deployer/main.bicep` defines (a custom role, among its actions `Microsoft.MachineLearningServices/workspaces/privateEndpointConnections/read` and `/write`): deploy it once (`az deployment sub create`; it is assignable in every subscription below) and assign it on {}{}.",
        code(ws.resource_group.value.as_str()),
        {
            let groups = super::rbac::deployer_groups(ws, d);
            if groups.is_empty() {
                String::new()
            } else {
                format!(
                    " and on {}",
                    groups
                        .iter()
                        .map(|(s, g)| code(&format!("/subscriptions/{s}/resourceGroups/{g}")))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        }
    );
    if let Some(spoke) = out.custom_vnet() {
        match &spoke.vnet {
            crate::ir::SpokeVnet::Create { hub: Some(hub), .. } => {
                let _ = writeln!(
                    r,
                    "- The hub team peers the hub {} back to the spoke {} (the deployment creates the spoke's side); the spoke's side does not use remote gateways: set `useRemoteGateways` if on-premises traffic should come through the hub's gateway.",
                    code(hub.as_str()),
                    code(spoke.vnet_name())
                );
            }
            crate::ir::SpokeVnet::Create { hub: None, .. } => {
                let _ = writeln!(
                    r,
                    "- Peer the spoke {} with the hub (no `hub_vnet` given, so the deployment creates no peering): the default route points at the hub firewall {}, which the spoke reaches only through a peering.",
                    code(spoke.vnet_name()),
                    code(&spoke.firewall_ip.0.to_string())
                );
            }
            crate::ir::SpokeVnet::Existing { id, .. } => {
                let _ = writeln!(
                    r,
                    "- The deployment rewrites the subnets {} of the existing spoke {} with their prefix, NSG, route table and service endpoints, and what the posture's `keep` blocks list: a subnet write replaces its properties, so check with the network team that nothing else is set on them (anything unlisted is removed). The spoke must already be peered with the hub.",
                    spoke
                        .subnets
                        .iter()
                        .map(|s| format!(
                            "{} ({})",
                            code(&s.name),
                            network::keep_text(spoke, s.role)
                        ))
                        .collect::<Vec<_>>()
                        .join(", "),
                    code(id.as_str())
                );
            }
        }
        for link in super::firewall::hub_team_zone_links(ws) {
            let _ = writeln!(
                r,
                "- The hub team links their private DNS zone {} to the spoke {} (link {}, registration off) as soon as the deployment has created the spoke: until then compute in the spoke cannot resolve the workspace's private endpoints, and a compute instance created before the links may fail to provision. `hub-firewall/allowlist.json` lists these links too.",
                code(&link.zone),
                code(&link.virtual_network),
                code(&link.link_name)
            );
        }
        let _ = writeln!(
            r,
            "- The hub team deploys `hub-firewall/main.bicep` into the hub firewall's policy before the first compute is created: without those rules compute cannot reach Azure Machine Learning, Entra ID or Batch and provisioning fails."
        );
    }

    // Post-deployment steps.
    let _ = writeln!(r, "\n## After deployment\n");
    let mut steps = Vec::new();
    let rg = ws.resource_group.value.as_str();
    let name = ws.name.as_str();
    if mode.is_managed() && out.spark() {
        steps.push(format!(
            "Serverless Spark is enabled on a private endpoint rule: provision the managed network with Spark included, `az ml workspace provision-network -g {rg} -n {name} --include-spark`."
        ));
    } else if mode.is_managed() && !out.provision_now.value {
        steps.push(format!(
            "The managed network is provisioned when the first compute is created; to provision it now, `az ml workspace provision-network -g {rg} -n {name}`."
        ));
    }
    if ws
        .inbound
        .private_endpoint
        .as_ref()
        .is_some_and(|pe| pe.custom_dns)
    {
        steps.push("The client network uses custom DNS servers: create conditional forwarders for the private link zones above to Azure DNS (168.63.129.16).".to_string());
    }
    if let Some((name, _)) = &ws.container_registry.image_build_compute
        && !ws
            .computes
            .iter()
            .any(|c| c.name.as_str().eq_ignore_ascii_case(name))
    {
        steps.push(format!(
            "Image builds run on compute {}, which this posture does not declare: create a compute cluster of that name before the first environment build (the registry is private, so the registry's own tasks cannot build).",
            code(name)
        ));
    }
    if ws.key_vault.provision == crate::ir::Provision::Create && ws.key_vault.purge_protection.value
    {
        steps.push("The key vault has purge protection and a 90-day soft-delete retention: if this deployment is torn down, its name cannot be reused for 90 days (recover the vault instead).".to_string());
    }
    for (what, p) in [
        ("storage account", &ws.storage.provision),
        ("key vault", &ws.key_vault.provision),
        ("container registry", &ws.container_registry.provision),
        ("Application Insights component", &ws.app_insights.provision),
    ] {
        if let Provision::Existing(id) = p {
            steps.push(format!(
                "The {what} {} is referenced, not deployed: its network settings are its owner's to match this posture.",
                code(id.as_str())
            ));
        }
    }
    if pe_rules > 0 {
        steps.push("Private endpoint outbound rules connect only once approved on their targets: since 30 April 2025 the workspace identity must be allowed to approve them. The deployment grants it that on each target (see Identities and roles); the identity running it needs `Microsoft.Authorization/roleAssignments/write` on those resource groups too.".to_string());
    }
    steps.extend(instances::after_deployment(ws));
    if steps.is_empty() {
        let _ = writeln!(r, "Nothing: the deployment is complete as it is.");
    }
    for s in steps {
        let _ = writeln!(r, "- {s}");
    }

    // Identities and roles.
    let _ = writeln!(r, "\n## Identities and roles\n");
    let identity = match &ws.identity {
        crate::ir::Identity::SystemAssigned => "its system-assigned identity".to_string(),
        crate::ir::Identity::UserAssigned(id) => {
            format!("the user-assigned identity {}", code(id.as_str()))
        }
    };
    let _ = writeln!(
        r,
        "The workspace acts as {identity}. The platform grants it what it needs on the workspace's own storage, key vault, registry and Application Insights at creation; amlgen adds only what the posture implies or declares:\n"
    );
    if d.grants.is_empty() {
        let _ = writeln!(r, "No role assignments.");
    } else {
        let _ = writeln!(r, "| role | to | on | why |\n| --- | --- | --- | --- |");
        for g in &d.grants {
            use super::rbac::{Principal, RoleRef, Target};
            let role = match &g.role {
                RoleRef::BuiltIn { name, id } => format!("{name} ({})", code(id)),
                RoleRef::CustomApprover(types) => format!(
                    "custom: amlgen private endpoint approver ({})",
                    super::rbac::approval_actions(types)
                        .iter()
                        .map(|a| code(a))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            let who = match &g.principal {
                Principal::Workspace => "the workspace identity".to_string(),
                Principal::Compute(name) => format!("the identity of compute {}", code(name)),
                Principal::Declared(kind, id) => {
                    format!("{} {}", kind.arm().to_lowercase(), code(id))
                }
            };
            let on = match &g.target {
                Target::ResourceGroup => format!("resource group {}", code(rg)),
                Target::Created(_, name) => code(name),
                Target::Elsewhere(id) if g.widened => format!(
                    "resource group of {} (amlgen has no verified API version for this type, so the grant is made on its resource group)",
                    code(id)
                ),
                Target::Elsewhere(id) => code(id),
            };
            let _ = writeln!(r, "| {role} | {who} | {on} | {} |", g.why);
        }
    }

    r.push_str(&instances::section(ws));

    // Defaults.
    let _ = writeln!(r, "\n## Defaults taken\n");
    let mut defaults = Vec::new();
    let mut note = |what: &str, value: String, src: Option<String>| {
        if let Some(src) = src {
            defaults.push(format!("- {what} = {} ({src})", code(&value)));
        }
    };
    note(
        "region",
        ws.region.value.as_str().to_string(),
        source_text(&ws.region, sources),
    );
    note(
        "isolation mode",
        mode.keyword().to_string(),
        source_text(&out.mode, sources),
    );
    note(
        "public network access",
        pna.clone(),
        source_text(&ws.inbound.public_network_access, sources),
    );
    note(
        "provision now",
        on(out.provision_now.value).into(),
        source_text(&out.provision_now, sources),
    );
    if mode == IsolationMode::AllowOnlyApprovedOutbound && out.has_fqdn_rules() {
        note(
            "firewall SKU",
            out.firewall_sku.value.arm().into(),
            source_text(&out.firewall_sku, sources),
        );
    }
    note(
        "storage public network access",
        access(ws.storage.public_network_access.value).into(),
        source_text(&ws.storage.public_network_access, sources),
    );
    note(
        "storage trusted services",
        on(ws.storage.trusted_services.value).into(),
        source_text(&ws.storage.trusted_services, sources),
    );
    note(
        "storage resource instance rule",
        on(ws.storage.resource_instance_rule.value).into(),
        source_text(&ws.storage.resource_instance_rule, sources),
    );
    note(
        "key vault public network access",
        access(ws.key_vault.public_network_access.value).into(),
        source_text(&ws.key_vault.public_network_access, sources),
    );
    note(
        "key vault trusted services",
        on(ws.key_vault.trusted_services.value).into(),
        source_text(&ws.key_vault.trusted_services, sources),
    );
    note(
        "key vault purge protection",
        on(ws.key_vault.purge_protection.value).into(),
        source_text(&ws.key_vault.purge_protection, sources),
    );
    note(
        "container registry public network access",
        access(ws.container_registry.public_network_access.value).into(),
        source_text(&ws.container_registry.public_network_access, sources),
    );
    if !ws.computes.is_empty() {
        note(
            "compute public IP",
            on(ws.compute.public_ip.value).into(),
            source_text(&ws.compute.public_ip, sources),
        );
    }
    if !ws.computes.is_empty() {
        note(
            "compute public SSH",
            on(ws.compute.ssh.value).into(),
            source_text(&ws.compute.ssh, sources),
        );
    }
    if !ws.computes.is_empty() {
        note(
            "compute local auth",
            on(ws.compute.local_auth.value).into(),
            source_text(&ws.compute.local_auth, sources),
        );
    }
    if defaults.is_empty() {
        let _ = writeln!(r, "None: every setting was written.");
    }
    for line in defaults {
        let _ = writeln!(r, "{line}");
    }

    // Warnings.
    let _ = writeln!(r, "\n## Warnings\n");
    let mine: Vec<&Diagnostic> = diagnostics
        .iter()
        .filter(|x| x.severity != Severity::Error)
        .collect();
    if mine.is_empty() {
        let _ = writeln!(r, "None.");
    }
    for x in mine {
        let at = x.primary.map(|p| sources.place(p)).unwrap_or_default();
        let _ = writeln!(
            r,
            "- {}[{}] {}: {}",
            x.severity.as_str(),
            x.code.id(),
            code(&at),
            markdown_line(&x.message)
        );
    }

    let _ = writeln!(r, "\n## Diagram\n\n```mermaid\n{}```", diagram(ws, mode));
    r
}

/// Where the client private endpoints are, in words.
fn pe_subnet_text(ws: &Workspace, pe: &crate::ir::ClientPrivateEndpoint) -> String {
    match (&pe.subnet, ws.outbound.custom_vnet()) {
        (crate::ir::PeSubnet::Id(id), _) => code(id.as_str()),
        (crate::ir::PeSubnet::Spoke, Some(spoke)) => format!(
            "the spoke's `pe` subnet {} of {}",
            code(
                spoke
                    .subnet(crate::ir::SubnetRole::Pe)
                    .map_or("", |s| s.name.as_str())
            ),
            code(spoke.vnet_name())
        ),
        (crate::ir::PeSubnet::Spoke, None) => String::new(),
    }
}

/// Custom VNet mode: the spoke, its NSGs and routes, the exfiltration
/// guard, the IP plan, and what the hub firewall must allow.
fn custom_vnet_section(r: &mut String, ws: &Workspace, spoke: &crate::ir::Spoke) {
    use crate::catalog::custom_vnet;
    let _ = writeln!(
        r,
        "Custom VNet mode: no managed network. Compute runs in the spoke {} ({}), region {}; every packet to the internet goes through the hub firewall at {}.\n",
        code(spoke.vnet_name()),
        match &spoke.vnet {
            crate::ir::SpokeVnet::Create { address_space, .. } => format!(
                "created, address space {}",
                address_space
                    .iter()
                    .map(|n| code(&n.to_string()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            crate::ir::SpokeVnet::Existing { .. } =>
                "existing; amlgen sets its subnets' NSGs and routes".to_string(),
        },
        code(spoke.region.value.as_str()),
        code(&spoke.firewall_ip.0.to_string())
    );
    let _ = writeln!(
        r,
        "| subnet | name | prefix | holds | addresses used / available |\n| --- | --- | --- | --- | --- |"
    );
    for s in &spoke.subnets {
        let plan = crate::check::ip_plan(ws, s.role);
        let size = 1u64 << (32 - u32::from(s.prefix.prefix));
        let _ = writeln!(
            r,
            "| {} | {} | {} | {} | {} of {size} ({}) |",
            s.role.keyword(),
            code(&s.name),
            code(&s.prefix.to_string()),
            plan.holds,
            plan.needed,
            if plan.counted {
                "with Azure's 5 reserved"
            } else {
                "not counted: Kubernetes needs many addresses, see AKS IP planning"
            }
        );
    }
    for s in &spoke.subnets {
        let rules = custom_vnet::security_rules(ws, spoke, s.role);
        let _ = writeln!(r, "\nNSG of the {} subnet:\n", s.role.keyword());
        if rules.is_empty() {
            let _ = writeln!(
                r,
                "- no rules beyond Azure's defaults: private endpoints need none."
            );
            continue;
        }
        let _ = writeln!(
            r,
            "| priority | direction | access | protocol | from | to | ports | why |\n| --- | --- | --- | --- | --- | --- | --- | --- |"
        );
        for x in rules {
            let _ = writeln!(
                r,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                x.priority,
                x.direction.arm(),
                x.access.arm(),
                x.protocol.nsg(),
                code(&x.source),
                code(&x.destination),
                code(&x.ports.join(",")),
                x.description
            );
        }
    }
    let _ = writeln!(
        r,
        "\nRoutes of the training{} subnet:\n",
        if spoke.subnet(crate::ir::SubnetRole::Scoring).is_some() {
            " and scoring"
        } else {
            ""
        }
    );
    for route in custom_vnet::routes(ws, spoke) {
        let _ = writeln!(
            r,
            "- {} to {}{}: {}.",
            code(&route.address_prefix),
            route.next_hop,
            route
                .next_hop_ip
                .map(|ip| format!(" {}", code(&ip)))
                .unwrap_or_default(),
            route.why
        );
    }
    if spoke.service_endpoint_policy.value {
        let _ = writeln!(
            r,
            "\nData exfiltration guard: the training subnet has a `Microsoft.Storage` service endpoint with a service endpoint policy that allows only {} (the storage Azure Machine Learning manages for compute setup) and the workspace's default storage. Storage traffic from compute reaches no other account.",
            code(custom_vnet::AML_SERVICE_ALIAS)
        );
    } else {
        let _ = writeln!(
            r,
            "\nNo service endpoint policy: storage egress from the training subnet can reach any storage account the firewall allows (see the warnings)."
        );
    }
    let _ = writeln!(
        r,
        "\nThe hub team's part: `hub-firewall/` at the top of the build lists every service tag and FQDN the hub firewall must allow for this workspace, as JSON and as an Azure Firewall policy rule collection group."
    );
}

fn diagram(ws: &Workspace, mode: IsolationMode) -> String {
    let mut m = String::from("flowchart LR\n");
    if let Some(pe) = &ws.inbound.private_endpoint {
        let vnet = match (&pe.subnet, ws.outbound.custom_vnet()) {
            (crate::ir::PeSubnet::Id(id), _) => id
                .parent()
                .map_or_else(|| id.name().to_string(), |v| v.name().to_string()),
            (crate::ir::PeSubnet::Spoke, Some(spoke)) => spoke.vnet_name().to_string(),
            (crate::ir::PeSubnet::Spoke, None) => String::new(),
        };
        let _ = writeln!(
            m,
            "  client[\"client network {}\"] -->|private endpoint| ws",
            label(&vnet)
        );
    }
    if !ws.inbound.public_network_access.value.is_disabled() {
        let _ = writeln!(m, "  internet((internet)) -->|public access| ws");
    }
    if let Some(spoke) = ws.outbound.custom_vnet() {
        let _ = writeln!(m, "  ws[\"workspace {}\"]", label(ws.name.as_str()));
        let _ = writeln!(
            m,
            "  subgraph spoke[\"spoke {}\"]",
            label(spoke.vnet_name())
        );
        for s in &spoke.subnets {
            let _ = writeln!(
                m,
                "    {}[\"{} {}\"]",
                s.role.keyword(),
                label(&s.name),
                label(&s.prefix.to_string())
            );
        }
        let _ = writeln!(m, "  end");
        let _ = writeln!(m, "  pe -->|private endpoint| ws");
        let _ = writeln!(
            m,
            "  training -->|0.0.0.0/0| fw[\"hub firewall {}\"]",
            label(&spoke.firewall_ip.0.to_string())
        );
        let _ = writeln!(
            m,
            "  fw -->|allowed tags and FQDNs| internet_out((internet))"
        );
    } else {
        let _ = writeln!(m, "  subgraph managed[\"managed network: {}\"]", mode.arm());
        let _ = writeln!(m, "    ws[\"workspace {}\"]", label(ws.name.as_str()));
        let _ = writeln!(m, "  end");
    }
    for (i, what) in ["storage", "key vault", "container registry", "app insights"]
        .iter()
        .enumerate()
    {
        let _ = writeln!(m, "  ws --- assoc{i}[(\"{what}\")]");
    }
    // In custom VNet mode the rules are the hub firewall's (drawn above).
    if ws.outbound.custom_vnet().is_some() {
        return m;
    }
    if mode == IsolationMode::AllowInternetOutbound {
        let _ = writeln!(m, "  ws -->|all outbound| internet_out((internet))");
    }
    for (i, rule) in ws.outbound.rules.iter().enumerate() {
        let dest = match &rule.destination {
            Destination::Fqdn { fqdn, .. } => fqdn.as_str().to_string(),
            Destination::ServiceTag { tag, .. } => format!("service tag {}", tag.as_str()),
            Destination::PrivateEndpoint {
                target,
                subresource,
                ..
            } => match target {
                PeTarget::Resource(id) => format!("{} ({subresource})", id.name()),
                PeTarget::DefaultStorage => format!("default storage ({subresource})"),
                PeTarget::ThisWorkspace => "the workspace".to_string(),
            },
        };
        let _ = writeln!(
            m,
            "  ws -->|{}| r{i}[\"{}: {}\"]",
            rule.destination.kind().arm(),
            label(rule.name.as_str()),
            label(&dest)
        );
    }
    m
}
