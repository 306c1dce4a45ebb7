//! The report's "Diagram" section: a Mermaid flowchart of the workspace,
//! who reaches it, its network (the managed network with its firewall, or
//! in custom VNet mode the spoke, the hub with its firewall, the peering
//! and the private DNS zones), its computes, associated resources and
//! outbound rules. Bounded whatever the posture's size: a preset's rules
//! are one node with their count, computes of a kind collapse into one
//! node beyond a few, and user rules beyond `USER_RULE_NODES` into one
//! "more rules" node (the report's tables list them all).

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::emit::azure::{Deployment, types};
use crate::escape::mermaid_label as label;
use crate::ir::{
    ComputeKind, Destination, Dns, IsolationMode, PeSubnet, PeTarget, Preset, RuleKind, RuleOrigin,
    Spoke, SpokeVnet, SubnetRole, Workspace,
};

/// User rules drawn one node each; the rest become one node.
pub const USER_RULE_NODES: usize = 12;
/// Computes of one kind drawn one node each; more become one node.
pub const COMPUTE_NODES_PER_KIND: usize = 3;

/// The "Diagram" section.
pub(super) fn section(r: &mut String, ws: &Workspace, d: &Deployment) {
    let _ = writeln!(r, "\n## Diagram\n\n```mermaid\n{}```", diagram(ws, d));
}

/// The Mermaid flowchart (posture strings as escaped labels, node ids
/// made here).
fn diagram(ws: &Workspace, d: &Deployment) -> String {
    let mut m = String::from("flowchart LR\n");
    inbound(&mut m, ws);
    match ws.outbound.custom_vnet() {
        Some(spoke) => custom_vnet(&mut m, ws, d, spoke),
        None => managed(&mut m, ws),
    }
    for (i, what) in ["storage", "key vault", "container registry", "app insights"]
        .iter()
        .enumerate()
    {
        let _ = writeln!(m, "  ws --- assoc{i}[(\"{what}\")]");
    }
    // In custom VNet mode the hub firewall's rules are `hub-firewall/`'s.
    if ws.outbound.custom_vnet().is_none() {
        rules(&mut m, ws);
    }
    m
}

/// Who reaches the workspace: a client network through private endpoints
/// (drawn here unless they are in the spoke), the internet when public
/// access is on.
fn inbound(m: &mut String, ws: &Workspace) {
    if let Some(pe) = &ws.inbound.private_endpoint
        && let PeSubnet::Id(id) = &pe.subnet
    {
        let vnet = id
            .parent()
            .map_or_else(|| id.name().to_string(), |v| v.name().to_string());
        let _ = writeln!(
            m,
            "  client[\"client network {}\"] -->|private endpoint| ws",
            label(&vnet)
        );
    }
    if !ws.inbound.public_network_access.value.is_disabled() {
        let _ = writeln!(m, "  internet((internet)) -->|public access| ws");
    }
}

/// A managed network (or none, `Disabled` without a spoke): the workspace,
/// the managed Azure Firewall that FQDN rules bring, the computes.
fn managed(m: &mut String, ws: &Workspace) {
    let mode = ws.outbound.mode.value;
    if mode.is_managed() {
        let _ = writeln!(m, "  subgraph managed[\"managed network: {}\"]", mode.arm());
        let _ = writeln!(m, "    ws[\"workspace {}\"]", label(ws.name.as_str()));
        // FQDN rules make the managed network deploy an Azure Firewall of
        // the posture's SKU ("Workspace Managed Virtual Network
        // Isolation", seed 002).
        if ws.outbound.has_fqdn_rules() {
            let _ = writeln!(
                m,
                "    fw[\"managed Azure Firewall ({})\"]",
                ws.outbound.firewall_sku.value.arm()
            );
        }
        computes(m, ws, |_| Some("ws"));
        let _ = writeln!(m, "  end");
        if ws.outbound.has_fqdn_rules() {
            let _ = writeln!(m, "  ws -->|FQDN rules| fw");
        }
    } else {
        let _ = writeln!(m, "  ws[\"workspace {}\"]", label(ws.name.as_str()));
        computes(m, ws, |_| Some("ws"));
    }
    if mode == IsolationMode::AllowInternetOutbound {
        let _ = writeln!(m, "  ws -->|all outbound| internet_out((internet))");
    }
}

/// Custom VNet mode: the spoke once (its subnets, the computes in them,
/// the private endpoints in its `pe` subnet), the hub with its firewall,
/// the peering, and the private DNS zones.
fn custom_vnet(m: &mut String, ws: &Workspace, d: &Deployment, spoke: &Spoke) {
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
    let has = |role| spoke.subnet(role).is_some();
    // Instances and clusters go in the training subnet, Kubernetes in the
    // scoring subnet (seed 003, "custom VNet with training/scoring
    // subnets"); an attached VM is wherever it already is.
    let subnet = |kind| match kind {
        ComputeKind::Kubernetes if has(SubnetRole::Scoring) => Some("scoring"),
        ComputeKind::Instance | ComputeKind::Cluster | ComputeKind::Kubernetes
            if has(SubnetRole::Training) =>
        {
            Some("training")
        }
        _ => None,
    };
    computes(m, ws, subnet);
    let _ = writeln!(m, "  end");
    // The rest (attached VMs) outside the spoke.
    computes(m, ws, |kind| match subnet(kind) {
        Some(_) => None,
        None => Some("ws"),
    });
    let pe_in_spoke = ws
        .inbound
        .private_endpoint
        .as_ref()
        .is_some_and(|pe| pe.subnet == PeSubnet::Spoke);
    if pe_in_spoke && has(SubnetRole::Pe) {
        let _ = writeln!(m, "  pe -->|private endpoint| ws");
    }
    let hub = match &spoke.vnet {
        SpokeVnet::Create { hub: Some(id), .. } => format!("hub {}", id.name()),
        _ => "hub".to_string(),
    };
    let _ = writeln!(m, "  subgraph hub[\"{}\"]", label(&hub));
    let _ = writeln!(
        m,
        "    fw[\"hub firewall {}\"]",
        label(&spoke.firewall_ip.0.to_string())
    );
    let _ = writeln!(m, "  end");
    let peering = match &spoke.vnet {
        SpokeVnet::Create { hub: Some(_), .. } => "peering",
        SpokeVnet::Create { hub: None, .. } => "peering, yours to make",
        SpokeVnet::Existing { .. } => "existing peering",
    };
    let _ = writeln!(m, "  spoke <-->|{peering}| hub");
    if has(SubnetRole::Training) {
        let _ = writeln!(m, "  training -->|0.0.0.0/0| fw");
    }
    let _ = writeln!(
        m,
        "  fw -->|allowed tags and FQDNs| internet_out((internet))"
    );
    if let Some(pe) = &ws.inbound.private_endpoint {
        let (n, whose) = match &pe.dns {
            Dns::Create => (
                d.modules
                    .iter()
                    .flat_map(|x| &x.resources)
                    .filter(|x| x.arm_type == types::PRIVATE_DNS_ZONE && !x.existing)
                    .count(),
                "created",
            ),
            Dns::Existing(zones) => (zones.len(), "existing"),
        };
        let _ = writeln!(
            m,
            "  dns[(\"{n} private DNS zone(s), {whose}\")] -.-|resolves the private endpoints| spoke"
        );
    }
}

/// The computes, one node each up to `COMPUTE_NODES_PER_KIND` of a kind,
/// else one node for the kind; `at` names the node each kind hangs from
/// (none: not drawn by this call).
fn computes(m: &mut String, ws: &Workspace, at: impl Fn(ComputeKind) -> Option<&'static str>) {
    for (k, (word, kind)) in ComputeKind::ALL.iter().enumerate() {
        let of_kind: Vec<_> = ws
            .computes
            .iter()
            .filter(|c| c.kind.value == *kind)
            .collect();
        let Some(from) = at(*kind) else { continue };
        if of_kind.len() > COMPUTE_NODES_PER_KIND {
            let many = match kind {
                ComputeKind::Instance => "compute instances",
                ComputeKind::Cluster => "compute clusters",
                ComputeKind::Kubernetes => "Kubernetes computes",
                ComputeKind::AttachedVm => "attached VMs",
            };
            let _ = writeln!(m, "    {from} --- c{k}[\"{} {many}\"]", of_kind.len());
            continue;
        }
        for (i, c) in of_kind.iter().enumerate() {
            let _ = writeln!(
                m,
                "    {from} --- c{k}_{i}[\"{word} {}\"]",
                label(c.name.as_str())
            );
        }
    }
}

/// The managed network's outbound rules: one node per preset and kind
/// with its rule count, one per user rule up to `USER_RULE_NODES`, then
/// one node for the rest. FQDN rules leave through the managed firewall.
fn rules(m: &mut String, ws: &Workspace) {
    let from = |kind| if kind == RuleKind::Fqdn { "fw" } else { "ws" };
    let mut presets: BTreeMap<(Preset, &'static str), (RuleKind, usize)> = BTreeMap::new();
    let mut user = Vec::new();
    for rule in &ws.outbound.rules {
        let kind = rule.destination.kind();
        match rule.origin {
            RuleOrigin::Preset(p, _) => {
                presets.entry((p, kind.arm())).or_insert((kind, 0)).1 += 1;
            }
            RuleOrigin::User => user.push(rule),
        }
    }
    for (i, ((preset, arm), (kind, n))) in presets.iter().enumerate() {
        let what = match preset {
            Preset::SelectedIps => "the workspace, for selected-IP inbound".to_string(),
            p => format!("preset {}: {n} rule(s)", p.keyword()),
        };
        let _ = writeln!(m, "  {} -->|{arm}| p{i}[\"{}\"]", from(*kind), label(&what));
    }
    for (i, rule) in user.iter().take(USER_RULE_NODES).enumerate() {
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
        let kind = rule.destination.kind();
        let _ = writeln!(
            m,
            "  {} -->|{}| r{i}[\"{}: {}\"]",
            from(kind),
            kind.arm(),
            label(rule.name.as_str()),
            label(&dest)
        );
    }
    if user.len() > USER_RULE_NODES {
        let _ = writeln!(
            m,
            "  ws -->|more| more[\"{} more rules: see Allowed outbound destinations\"]",
            user.len() - USER_RULE_NODES
        );
    }
}
