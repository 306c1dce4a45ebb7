//! Outbound rules: R01-R15, R18.

use std::collections::HashMap;

use super::context::{Previous, report};
use crate::catalog::{private_link, storage_hosts};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::ir::{Destination, IsolationMode, PeTarget, Provision, RuleKind, RuleOrigin, Workspace};

/// R01: the isolation mode only moves up; R02: leaving `disabled` means
/// recreating every managed compute.
pub fn isolation_history(ws: &Workspace, previous: &Previous, d: &mut Diagnostics) {
    let id = crate::manifest::WorkspaceId::of(ws);
    let Some(before) = previous.manifest.previous_mode(&id) else {
        return;
    };
    let now = ws.outbound.mode.value;
    let span = ws.outbound.mode.span().unwrap_or(ws.span);
    if now < before {
        report(
            d,
            Diagnostic::new(
                Code::IsolationDowngrade,
                span,
                format!(
                    "workspace `{}` cannot go from `{}` down to `{}`",
                    ws.name,
                    before.keyword(),
                    now.keyword()
                ),
            )
            .label(format!("the last build deployed `{}`", before.keyword()))
            .note(format!("the previous mode comes from {}", previous.path))
            .note("isolation modes only move up: disabled < allow_internet_outbound < allow_only_approved_outbound; Azure rejects a downgrade")
            .help(format!(
                "keep `mode = {}` (or higher); to lower it, the workspace must be deleted and recreated",
                before.keyword()
            )),
        );
    } else if before == IsolationMode::Disabled && now.is_managed() {
        report(
            d,
            Diagnostic::new(
                Code::ComputeRecreate,
                span,
                format!("enabling the managed network on `{}` means recreating its computes", ws.name),
            )
            .label(format!("was `disabled`, now `{}`", now.keyword()))
            .note("there is no migration path: every compute cluster, compute instance and managed online endpoint must be deleted and recreated after the change")
            .help("plan the recreation before deploying this change"),
        );
    }
}

/// AML9002: a build drops no workspace the previous manifest knows unless
/// told to (`--prune`): with its entry would go its files and the
/// downgrade guard (R01) that protects it.
pub fn forgotten_workspaces(
    posture: &crate::ir::Posture,
    previous: &Previous,
    d: &mut Diagnostics,
) {
    let built: Vec<_> = posture
        .workspaces
        .iter()
        .map(crate::manifest::WorkspaceId::of)
        .collect();
    let gone = previous.manifest.not_among(&built);
    if gone.is_empty() {
        return;
    }
    let names: Vec<String> = gone
        .iter()
        .map(|(n, w)| format!("`{n}` ({})", w.place()))
        .collect();
    report(
        d,
        Diagnostic::unplaced(
            Code::ForgottenWorkspace,
            format!(
                "this build would forget {} workspace(s) the last build made: {}",
                gone.len(),
                names.join(", ")
            ),
        )
        .note(format!("the manifest {} knows them; none of the postures built declares them (a workspace is its subscription, resource group and name)", previous.path))
        .note("their files and manifest entries would be dropped, and with them the guard against lowering their isolation mode (AML3001)")
        .help("build every posture the output holds (e.g. `amlgen build examples`), or pass `--prune` to drop them on purpose"),
    );
}

/// R03: service tag and FQDN rules only in approved-outbound mode, and no
/// outbound rules at all without a managed network.
pub fn rule_kinds(ws: &Workspace, d: &mut Diagnostics) {
    let mode = ws.outbound.mode.value;
    let mode_label = ws.outbound.mode.span();
    let mut presets_reported = Vec::new();
    let custom = ws.outbound.custom_vnet().is_some();
    for rule in &ws.outbound.rules {
        let kind = rule.destination.kind();
        let allowed = match mode {
            // Custom VNet mode: service tag and FQDN rules are the hub
            // firewall's (the build lists them for the hub team).
            IsolationMode::Disabled => custom && kind != RuleKind::PrivateEndpoint,
            IsolationMode::AllowInternetOutbound => kind == RuleKind::PrivateEndpoint,
            IsolationMode::AllowOnlyApprovedOutbound => true,
        };
        if allowed {
            continue;
        }
        let why = if custom {
            "in custom VNet mode private endpoints to your data belong to your spoke network, not to a managed network".to_string()
        } else if mode == IsolationMode::Disabled {
            "with `mode = disabled` there is no managed network, so no outbound rules".to_string()
        } else {
            format!(
                "`{}` rules are only valid with `mode = allow_only_approved_outbound`",
                kind.keyword()
            )
        };
        let help = if custom {
            "create the private endpoint in the spoke's `pe` subnet with your network's templates, or use a managed network mode; service tag and FQDN rules are listed for the hub firewall"
        } else if mode == IsolationMode::Disabled {
            "set `mode = allow_internet_outbound` or `allow_only_approved_outbound`, or route this traffic through your own network's firewall"
        } else {
            "set `mode = allow_only_approved_outbound` (internet outbound already allows this traffic), or remove the rule"
        };
        match rule.origin {
            RuleOrigin::User => {
                let mut diag = Diagnostic::new(
                    Code::RuleKindNotAllowed,
                    rule.span,
                    format!(
                        "rule `{}` is a {} rule, which `{}` does not accept",
                        rule.name,
                        kind.keyword(),
                        ws.outbound.mode_keyword()
                    ),
                )
                .label(why)
                .help(help);
                if let Some(m) = mode_label {
                    diag = diag.with_label(m, "isolation mode set here");
                }
                report(d, diag);
            }
            RuleOrigin::Preset(p, span) => {
                if presets_reported.contains(&p) {
                    continue;
                }
                presets_reported.push(p);
                let mut diag = Diagnostic::new(
                    Code::PresetNotAllowed,
                    span,
                    format!(
                        "the `{}` scenario needs {} rules, which `{}` does not accept",
                        p.keyword(),
                        kind.keyword(),
                        ws.outbound.mode_keyword()
                    ),
                )
                .label(why)
                .help(help);
                if let Some(m) = mode_label {
                    diag = diag.with_label(m, "isolation mode set here");
                }
                report(d, diag);
            }
        }
    }
}

/// R04: FQDN rules deploy a billed managed Azure Firewall.
pub fn firewall_cost(ws: &Workspace, d: &mut Diagnostics) {
    if ws.outbound.mode.value != IsolationMode::AllowOnlyApprovedOutbound {
        return;
    }
    let Some(first) = ws
        .outbound
        .rules
        .iter()
        .find(|r| r.destination.kind() == RuleKind::Fqdn)
    else {
        return;
    };
    let count = ws
        .outbound
        .rules
        .iter()
        .filter(|r| r.destination.kind() == RuleKind::Fqdn)
        .count();
    let sku = ws.outbound.firewall_sku.value.arm();
    let mut diag = Diagnostic::new(
        Code::FqdnFirewallCost,
        first.span,
        format!("{count} FQDN rule(s) make Azure deploy a managed Azure Firewall ({sku}), which is billed"),
    )
    .label("the first FQDN rule")
    .note("the firewall is created with the first FQDN rule and adds about 10 minutes to the first provisioning; traffic through it is billed too")
    .help("accept the cost in the posture (`accept AML3004 { reason = \"...\"  by = \"...\"  expires = \"YYYY-MM-DD\" }`), choose `firewall_sku = basic` if it fits, or replace FQDN rules with private endpoints or private package feeds");
    if let Some(s) = ws.outbound.firewall_sku.span() {
        diag = diag.with_label(s, "firewall SKU set here");
    }
    report(d, diag);
}

/// R06: FQDN rules only support ports 80 and 443; R07: no FQDN rule to
/// Azure Storage in approved-outbound mode.
pub fn fqdn_rules(ws: &Workspace, d: &mut Diagnostics) {
    for rule in &ws.outbound.rules {
        let Destination::Fqdn { fqdn, written } = &rule.destination else {
            continue;
        };
        if let Some((ports, span)) = &rule.fqdn_ports
            && !ports.within(&[80, 443])
        {
            report(
                d,
                Diagnostic::new(Code::FqdnPort, *span, format!("FQDN rule `{}` asks for ports {ports}", rule.name))
                    .label("FQDN rules only support ports 80 and 443")
                    .help("remove `ports` (FQDN rules allow 80 and 443), or use a service tag or private endpoint rule for other ports"),
            );
        }
        let approved = ws.outbound.mode.value == IsolationMode::AllowOnlyApprovedOutbound;
        let reached = if rule.origin == RuleOrigin::User && approved {
            storage_hosts::reached_by(fqdn.as_str())
        } else {
            Vec::new()
        };
        if !reached.is_empty() {
            report(d, fqdn_to_storage(rule, fqdn, written.as_deref(), &reached));
        } else if fqdn.is_tld_wide() {
            report(
                d,
                Diagnostic::new(Code::InvalidFqdn, rule.span, format!("FQDN rule `{}` allows every host under `{fqdn}`", rule.name))
                    .label("a wildcard must leave at least a ___domain and its top-level ___domain, e.g. `*.contoso.com`")
                    .note("a leading `*` matches any number of labels (Azure Firewall application rules), so this opens a whole top-level ___domain, or all of the internet")
                    .help("name the ___domain the workspace needs, e.g. `*.pythonhosted.org`"),
            );
        } else if let Some(w) = written
            && crate::ir::FqdnPattern::normalise(w).is_ok_and(|(_, dot)| dot)
        {
            report(
                d,
                Diagnostic::new(Code::InvalidFqdn, rule.span, format!("FQDN rule `{}` ends with a dot: `{w}`", rule.name))
                    .label("the trailing dot (the DNS root) is this pattern's only problem")
                    .note("Microsoft's managed network docs show FQDN rules without it, and do not say that one is accepted")
                    .help(format!("write `{fqdn}`")),
            );
        }
    }
}

/// R07: the diagnostic for an FQDN rule that can reach a storage account,
/// naming the host forms it reaches.
fn fqdn_to_storage(
    rule: &crate::ir::OutboundRule,
    fqdn: &crate::ir::FqdnPattern,
    written: Option<&str>,
    reached: &[storage_hosts::HostForm],
) -> Diagnostic {
    const SHOWN: usize = 4;
    let mut forms: Vec<String> = reached
        .iter()
        .take(SHOWN)
        .map(|f| format!("`{}` ({})", f.display(), f.cloud))
        .collect();
    if reached.len() > SHOWN {
        forms.push(format!("{} more storage host forms", reached.len() - SHOWN));
    }
    let exact = !fqdn.as_str().starts_with('*');
    let account = if exact {
        let first = fqdn.as_str().split('.').next().unwrap_or("<account>");
        first.strip_suffix("-secondary").unwrap_or(first)
    } else {
        "<account>"
    };
    let mut diag = Diagnostic::new(
        Code::FqdnToStorage,
        rule.span,
        format!(
            "FQDN rule `{}` can reach Azure Storage (`{fqdn}`)",
            rule.name
        ),
    )
    .label("FQDN rules cannot reach a storage account in approved-outbound mode");
    if let Some(w) = written {
        diag = diag.note(format!(
            "`{w}` is `{fqdn}` once normalised (ASCII case, IDNA, no trailing dot)"
        ));
    }
    if !exact {
        diag = diag.note("a leading `*` matches any number of labels (Azure Firewall application rules), so the pattern covers every account of these hosts, in every tenant");
    }
    diag.note(format!("it matches {}", list_and(&forms)))
        .help(format!(
            "use a private endpoint rule to the one account instead: `rule \"{}\" private_endpoint \"/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Storage/storageAccounts/{account}\" {{ subresource = {} }}`",
            rule.name,
            reached[0].service()
        ))
}

fn list_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// R10: serverless Spark is provisioned after deployment, and the workspace
/// must have public network access disabled before that provisioning, or
/// its private endpoints may not be created in the managed network.
pub fn spark_provisioning(ws: &Workspace, d: &mut Diagnostics) {
    if !ws.outbound.mode.value.is_managed() || ws.inbound.public_network_access.value.is_disabled()
    {
        return;
    }
    let Some(rule) = ws.outbound.rules.iter().find(|r| {
        matches!(
            r.destination,
            Destination::PrivateEndpoint { spark: true, .. }
        )
    }) else {
        return;
    };
    let mut diag = Diagnostic::new(
        Code::SparkPublicAccess,
        rule.span,
        format!("rule `{}` enables Spark, but the workspace allows public network access", rule.name),
    )
    .label("Spark needs the managed network provisioned with public access disabled")
    .note("if public network access is enabled when the network is provisioned, the workspace's private endpoints may not be created in the managed network")
    .help("set `inbound { public_network_access = disabled }`, or disable it before running `az ml workspace provision-network --include-spark`");
    if let Some(s) = ws.inbound.public_network_access.span() {
        diag = diag.with_label(s, "public network access set here");
    }
    report(d, diag);
}

/// R10: Spark only on Azure Storage targets; R13: targets in another
/// subscription must be in the same tenant; R14: no duplicates of the
/// rules the platform creates by itself.
pub fn private_endpoint_rules(ws: &Workspace, d: &mut Diagnostics) {
    for rule in &ws.outbound.rules {
        let Destination::PrivateEndpoint {
            target,
            subresource,
            spark,
        } = &rule.destination
        else {
            continue;
        };
        let PeTarget::Resource(id) = target else {
            continue;
        };
        let ty = private_link::lookup(&id.arm_type());
        if *spark && !ty.is_some_and(|t| t.is_storage) {
            report(
                d,
                Diagnostic::new(Code::SparkNotStorage, rule.span, format!("rule `{}` enables Spark on a `{}`", rule.name, id.arm_type()))
                    .label("`spark` only applies to Azure Storage targets")
                    .help("remove `spark = true`, or point the rule at the storage account the Spark jobs read"),
            );
        }
        if let Some(sub) = &ws.subscription_id
            && id.subscription() != sub
        {
            report(
                d,
                Diagnostic::new(
                    Code::CrossSubscriptionTarget,
                    rule.span,
                    format!("rule `{}` targets subscription {}", rule.name, id.subscription()),
                )
                .label("another subscription than the workspace's")
                .note("this works only if that subscription is in the same Microsoft Entra tenant as the workspace"),
            );
        }
        let own = [
            (
                &ws.storage.provision,
                "Microsoft.Storage/storageAccounts",
                &["blob", "file"][..],
                "default storage",
            ),
            (
                &ws.key_vault.provision,
                "Microsoft.KeyVault/vaults",
                &["vault"][..],
                "key vault",
            ),
            (
                &ws.container_registry.provision,
                "Microsoft.ContainerRegistry/registries",
                &["registry"][..],
                "container registry",
            ),
        ];
        for (prov, ty, subs, what) in own {
            let Provision::Existing(own_id) = prov else {
                continue;
            };
            let required = ws.outbound.mode.value == IsolationMode::AllowOnlyApprovedOutbound
                || resource_private(ws, ty);
            if own_id == id && required && subs.iter().any(|s| s.eq_ignore_ascii_case(subresource))
            {
                report(
                    d,
                    Diagnostic::new(
                        Code::DuplicatePlatformRule,
                        rule.span,
                        format!("rule `{}` duplicates a rule the platform creates for the workspace's {what}", rule.name),
                    )
                    .label("the managed network adds this private endpoint by itself")
                    .note("the platform creates private endpoint rules for the workspace's own storage, key vault and container registry (always in approved mode, and in internet mode when they are private)")
                    .help("remove the rule; the report lists the platform's rules"),
                );
            }
        }
    }
}

fn resource_private(ws: &Workspace, arm_type: &str) -> bool {
    use crate::ir::Access::Disabled;
    match arm_type {
        "Microsoft.Storage/storageAccounts" => ws.storage.public_network_access.value == Disabled,
        "Microsoft.KeyVault/vaults" => ws.key_vault.public_network_access.value == Disabled,
        _ => ws.container_registry.public_network_access.value == Disabled,
    }
}

/// R11: rule names are unique in a workspace (ignoring case, as ARM does).
pub fn rule_names(ws: &Workspace, d: &mut Diagnostics) {
    let mut seen: HashMap<String, &crate::ir::OutboundRule> = HashMap::new();
    for rule in &ws.outbound.rules {
        let key = rule.name.as_str().to_ascii_lowercase();
        match seen.get(&key) {
            Some(first) => {
                let origin = |r: &crate::ir::OutboundRule| match r.origin {
                    RuleOrigin::User => "first defined here".to_string(),
                    RuleOrigin::Preset(p, _) => {
                        format!("generated by `allow {}` here", p.keyword())
                    }
                };
                report(
                    d,
                    Diagnostic::new(
                        Code::DuplicateRuleName,
                        rule.span,
                        format!("two outbound rules are named `{}`", rule.name),
                    )
                    .label("second rule with this name")
                    .with_label(first.span, origin(first))
                    .help("rename one of them; names compare ignoring case"),
                );
            }
            None => {
                seen.insert(key, rule);
            }
        }
    }
}

/// R15: without provisioning now, the network is created with the first
/// compute, which can time out with many rules; online deployments need it.
pub fn provisioning(ws: &Workspace, d: &mut Diagnostics) {
    let o = &ws.outbound;
    if !o.mode.value.is_managed() || o.provision_now.value {
        return;
    }
    let Some(span) = o.provision_now.span() else {
        return;
    };
    let mut diag = Diagnostic::new(Code::ProvisionLater, span, "the managed network will be provisioned by the first compute creation")
        .label("`provision_now = false`")
        .note("the first compute then takes about 30 minutes longer and can time out when there are many outbound rules");
    if !ws.online_endpoints.is_empty() {
        diag = diag.note("an online deployment needs the managed network provisioned first");
    }
    report(d, diag.help("set `provision_now = true`"));
}

/// R18: a service tag opens everything behind the tag, other tenants too.
pub fn service_tags(ws: &Workspace, d: &mut Diagnostics) {
    if ws.outbound.mode.value != IsolationMode::AllowOnlyApprovedOutbound {
        return;
    }
    for rule in &ws.outbound.rules {
        if let Destination::ServiceTag { tag, .. } = &rule.destination {
            report(
                d,
                Diagnostic::new(Code::ServiceTagSurface, rule.span, format!("service tag `{}` allows all of Azure behind the tag", tag.as_str()))
                    .label("includes other tenants' resources")
                    .note("outbound rules widen the data exfiltration surface; prefer a private endpoint rule to the specific resource"),
            );
        }
    }
}
