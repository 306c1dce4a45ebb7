//! Custom VNet mode: R16 (the other way round), R30-R35, and one spoke
//! shared by two workspaces.

use super::context::report;
use crate::catalog::custom_vnet::{self, SMALLEST_SUBNET_PREFIX};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::ir::{
    ClientEndpoint, ComputeKind, NsgAccess, NsgAddress, NsgDirection, PeSubnet, Posture, Protocol,
    Spoke, SpokeVnet, SubnetRole, Workspace,
};

/// R16: a spoke only in custom VNet mode; in custom VNet mode, compute
/// only in the spoke's training subnet (anything else bypasses its NSG
/// and the route to the hub firewall).
pub fn spoke_placement(ws: &Workspace, d: &mut Diagnostics) {
    let Some(spoke) = &ws.outbound.spoke else {
        return;
    };
    if ws.outbound.mode.value.is_managed() {
        let mut diag = Diagnostic::new(
            Code::ComputeUnderManagedNetwork,
            spoke.span,
            "a spoke `vnet` under a managed network",
        )
        .label("a managed network hosts the compute itself: there is no subnet to place it in")
        .note(format!(
            "the workspace uses a managed network (`{}`)",
            ws.outbound.mode.value.keyword()
        ))
        .help(
            "remove the `vnet` block, or set `mode = custom_vnet` to run compute in your own spoke",
        );
        if let Some(m) = ws.outbound.mode.span() {
            diag = diag.with_label(m, "isolation mode set here");
        }
        report(d, diag);
        return;
    }
    let training = spoke.subnet(SubnetRole::Training).map(|s| &s.name);
    for c in &ws.computes {
        let Some((id, span)) = &c.subnet else {
            continue;
        };
        let in_training = match (&spoke.vnet, training) {
            (SpokeVnet::Existing { id: vnet, .. }, Some(t)) => {
                id.parent().as_ref() == Some(vnet) && id.name().eq_ignore_ascii_case(t)
            }
            // The created spoke is in the workspace's group (and
            // subscription, when the posture names it).
            (SpokeVnet::Create { name, .. }, Some(t)) => {
                id.name().eq_ignore_ascii_case(t)
                    && id
                        .parent()
                        .is_some_and(|v| v.name().eq_ignore_ascii_case(name))
                    && id
                        .resource_group()
                        .eq_ignore_ascii_case(ws.resource_group.value.as_str())
                    && ws
                        .subscription_id
                        .as_ref()
                        .is_none_or(|g| id.subscription() == g)
            }
            (_, None) => false,
        };
        if !in_training {
            report(
                d,
                Diagnostic::new(
                    Code::ComputeUnderManagedNetwork,
                    *span,
                    format!(
                        "compute `{}` is placed outside the spoke's training subnet",
                        c.name
                    ),
                )
                .label("this subnet has neither the spoke's NSG nor its route to the hub firewall")
                .note(
                    "in custom VNet mode, compute instances and clusters go to the training subnet",
                )
                .help("remove `subnet`: amlgen places the compute in the training subnet"),
            );
        }
    }
}

/// R30: one region, training and pe subnets inside the spoke, no overlap,
/// a scoring subnet for Kubernetes, the spoke in the workspace's
/// subscription, and the default storage reached privately.
pub fn spoke_layout(ws: &Workspace, d: &mut Diagnostics) {
    let Some(spoke) = ws.outbound.custom_vnet() else {
        return;
    };
    spoke_region(ws, spoke, d);
    compute_layout(ws, spoke, d);
    spoke_subscription(ws, spoke, d);
    subnet_prefixes(spoke, d);
    default_storage_reach(ws, d);
    nsg_rule_subnets(spoke, d);
}

/// R30: the spoke in the workspace's region.
fn spoke_region(ws: &Workspace, spoke: &Spoke, d: &mut Diagnostics) {
    let at = spoke.region.span().unwrap_or(spoke.span);
    if spoke.region.value != ws.region.value {
        report(
            d,
            Diagnostic::new(
                Code::SpokeLayout,
                at,
                format!(
                    "the spoke is in `{}`, the workspace in `{}`",
                    spoke.region.value.as_str(),
                    ws.region.value.as_str()
                ),
            )
            .label("all resources belong in one region")
            .note("a compute instance cannot be created in a virtual network of another region")
            .help(format!(
                "set the spoke's `region` to `{}`, or remove it",
                ws.region.value.as_str()
            )),
        );
    }
}

/// R30: each compute in the spoke's region; Kubernetes compute needs the
/// scoring subnet.
fn compute_layout(ws: &Workspace, spoke: &Spoke, d: &mut Diagnostics) {
    for c in &ws.computes {
        if let Some((region, span)) = &c.region
            && region != &spoke.region.value
        {
            report(
                d,
                Diagnostic::new(
                    Code::SpokeLayout,
                    *span,
                    format!(
                        "compute `{}` is in `{}`, the spoke in `{}`",
                        c.name,
                        region.as_str(),
                        spoke.region.value.as_str()
                    ),
                )
                .label("compute runs in the spoke, so in the spoke's region")
                .help("remove `region` from the compute"),
            );
        }
        if c.kind.value == ComputeKind::Kubernetes && spoke.subnet(SubnetRole::Scoring).is_none() {
            report(
                d,
                Diagnostic::new(
                    Code::SpokeLayout,
                    c.kind.span().unwrap_or(c.span),
                    format!("Kubernetes compute `{}` has no scoring subnet", c.name),
                )
                .label("AKS runs in the spoke's scoring subnet")
                .help("add `scoring = \"<CIDR>\"` to the `vnet` block, a free range of the address space (AKS needs many addresses)"),
            );
        }
    }
}

/// R30: an existing spoke in the workspace's subscription.
fn spoke_subscription(ws: &Workspace, spoke: &Spoke, d: &mut Diagnostics) {
    if let SpokeVnet::Existing { id, span } = &spoke.vnet
        && let Some(sub) = &ws.subscription_id
        && id.subscription() != sub
    {
        report(
            d,
            Diagnostic::new(
                Code::SpokeLayout,
                *span,
                "the spoke is in another subscription than the workspace",
            )
            .label(format!("subscription {}", id.subscription()))
            .note(format!("the workspace is in subscription {sub}; the VNet of its compute must be in the same subscription"))
            .help("use a spoke in the workspace's subscription"),
        );
    }
}

/// R30: each subnet inside the address space, and no two overlapping.
fn subnet_prefixes(spoke: &Spoke, d: &mut Diagnostics) {
    let space = spoke.address_space();
    for (i, s) in spoke.subnets.iter().enumerate() {
        if !space.is_empty() && !space.iter().any(|n| n.contains(s.prefix)) {
            report(
                d,
                Diagnostic::new(
                    Code::SpokeLayout,
                    s.span,
                    format!(
                        "the {} subnet `{}` is outside the spoke's address space",
                        s.role.keyword(),
                        s.prefix
                    ),
                )
                .label(format!(
                    "not inside {}",
                    space
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
                .help("choose a prefix inside the address space, or widen `address_space`"),
            );
        }
        if let Some(other) = spoke.subnets[..i]
            .iter()
            .find(|o| o.prefix.overlaps(s.prefix))
        {
            report(
                d,
                Diagnostic::new(
                    Code::SpokeLayout,
                    s.span,
                    format!(
                        "the {} subnet `{}` overlaps the {} subnet `{}`",
                        s.role.keyword(),
                        s.prefix,
                        other.role.keyword(),
                        other.prefix
                    ),
                )
                .label("overlapping prefix")
                .with_label(other.span, "this one")
                .help("give each subnet its own part of the address space"),
            );
        }
    }
}

/// R30: a private default storage reached through a private endpoint.
fn default_storage_reach(ws: &Workspace, d: &mut Diagnostics) {
    if ws.storage.public_network_access.value == crate::ir::Access::Disabled
        && let Some(pe) = &ws.inbound.private_endpoint
        && !pe.targets.value.contains(&ClientEndpoint::Storage)
    {
        report(
            d,
            Diagnostic::new(
                Code::SpokeLayout,
                pe.targets.span().unwrap_or(pe.span),
                "compute in the spoke cannot reach the private default storage",
            )
            .label("no private endpoint to the default storage")
            .note("the default storage has public network access disabled: compute reaches it only through a private endpoint (it mounts its file share and reads blobs there)")
            .help("add `storage` to `resources`"),
        );
    }
}

/// R30: an extra NSG rule only for a subnet the spoke has.
fn nsg_rule_subnets(spoke: &Spoke, d: &mut Diagnostics) {
    for x in &spoke.nsg_extra {
        if spoke.subnet(x.subnet).is_none() {
            report(
                d,
                Diagnostic::new(
                    Code::SpokeLayout,
                    x.span,
                    format!(
                        "NSG rule `{}` is for the {} subnet, which the spoke does not have",
                        x.name,
                        x.subnet.keyword()
                    ),
                )
                .label("no such subnet")
                .help(format!(
                    "add `{} = \"<CIDR>\"` to the `vnet` block, or set the rule's `subnet`",
                    x.subnet.keyword()
                )),
            );
        }
    }
}

fn protocols_overlap(a: Protocol, b: Protocol) -> bool {
    a == Protocol::Any || b == Protocol::Any || a == b
}

fn ports_overlap(extra: Option<&crate::ir::PortRanges>, required: &[String]) -> bool {
    let Some(extra) = extra else { return true };
    required.iter().any(|p| {
        if p == "*" {
            return true;
        }
        let (lo, hi) = p
            .split_once('-')
            .map_or((p.as_str(), p.as_str()), |(a, b)| (a, b));
        let (Ok(lo), Ok(hi)) = (lo.parse::<u16>(), hi.parse::<u16>()) else {
            return true;
        };
        extra.ranges().iter().any(|(a, b)| *a <= hi && lo <= *b)
    })
}

/// Whether an NSG address matches what a required rule's side names: a
/// service tag, or `VirtualNetwork` (the spoke's own ranges).
fn covers(addr: &NsgAddress, tag: &str, spoke: &Spoke) -> bool {
    match addr {
        NsgAddress::Any => true,
        NsgAddress::Tag(t) => {
            let t = t.as_str();
            t.eq_ignore_ascii_case(tag)
                || tag
                    .to_ascii_lowercase()
                    .starts_with(&format!("{}.", t.to_ascii_lowercase()))
                // The internet and Azure tags hold every public service tag.
                || ((t.eq_ignore_ascii_case("Internet")
                    || t.to_ascii_lowercase().starts_with("azurecloud"))
                    && !tag.eq_ignore_ascii_case("VirtualNetwork"))
        }
        NsgAddress::Cidr(n) => {
            n.prefix == 0
                || (tag.eq_ignore_ascii_case("VirtualNetwork")
                    && (spoke.address_space().iter().any(|s| s.overlaps(*n))
                        || spoke.subnets.iter().any(|s| s.prefix.overlaps(*n))))
        }
    }
}

/// R31: a posture's NSG rule must not block a required one (a deny that
/// comes first and matches its traffic), nor take its priority.
pub fn nsg_extra(ws: &Workspace, d: &mut Diagnostics) {
    let Some(spoke) = ws.outbound.custom_vnet() else {
        return;
    };
    // Each subnet's required rules, once.
    let by_subnet: Vec<(SubnetRole, Vec<custom_vnet::SecurityRule>)> = SubnetRole::ALL
        .iter()
        .map(|(_, role)| (*role, custom_vnet::required_rules(ws, spoke, *role)))
        .collect();
    for (i, x) in spoke.nsg_extra.iter().enumerate() {
        let Some((priority, pspan)) = x.priority else {
            continue;
        };
        let Some((_, required)) = by_subnet.iter().find(|(role, _)| *role == x.subnet) else {
            continue;
        };
        if let Some(r) = required
            .iter()
            .find(|r| r.priority == priority && r.direction == x.direction)
        {
            report(
                d,
                Diagnostic::new(
                    Code::NsgBlocksRequired,
                    pspan,
                    format!("NSG rule `{}` takes priority {priority} of a required rule", x.name),
                )
                .label(format!("`{}` has this priority", r.name))
                .note("two rules of one direction cannot share a priority; amlgen gives the required rules 100, 110, ...")
                .help("use a priority from 1000 up, or leave `priority` out"),
            );
            continue;
        }
        if let Some(other) = spoke.nsg_extra[..i].iter().find(|o| {
            o.subnet == x.subnet
                && o.direction == x.direction
                && o.priority.is_some_and(|(p, _)| p == priority)
        }) {
            report(
                d,
                Diagnostic::new(
                    Code::NsgBlocksRequired,
                    pspan,
                    format!(
                        "NSG rules `{}` and `{}` share priority {priority}",
                        other.name, x.name
                    ),
                )
                .label("second rule with this priority")
                .with_label(other.span, "first here")
                .help("give each rule its own priority"),
            );
            continue;
        }
        if x.access != NsgAccess::Deny {
            continue;
        }
        let blocked = required.iter().find(|r| {
            r.direction == x.direction
                && r.priority > priority
                && protocols_overlap(x.protocol, r.protocol)
                && ports_overlap(x.ports.as_ref(), &r.ports)
                && match x.direction {
                    NsgDirection::Outbound => {
                        covers(&x.destination, &r.destination, spoke)
                            && covers(&x.source, "VirtualNetwork", spoke)
                    }
                    NsgDirection::Inbound => {
                        covers(&x.source, &r.source, spoke)
                            && covers(&x.destination, "VirtualNetwork", spoke)
                    }
                }
        });
        if let Some(r) = blocked {
            let tag = match x.direction {
                NsgDirection::Outbound => &r.destination,
                NsgDirection::Inbound => &r.source,
            };
            report(
                d,
                Diagnostic::new(
                    Code::NsgBlocksRequired,
                    x.span,
                    format!("NSG rule `{}` blocks the required `{tag}` traffic", x.name),
                )
                .label(format!(
                    "denies at priority {priority}, before `{}` allows it at {}",
                    r.name, r.priority
                ))
                .with_label(pspan, "priority set here")
                .note(format!(
                    "the {} subnet needs it: {}",
                    x.subnet.keyword(),
                    r.description
                        .trim_start_matches("Required by Azure Machine Learning: ")
                ))
                .help(format!(
                    "give the rule a priority above {} (or leave `priority` out), or narrow its {}",
                    custom_vnet::EXTRA_PRIORITY - 1,
                    if x.direction == NsgDirection::Outbound {
                        "destination"
                    } else {
                        "source"
                    }
                )),
            );
        }
    }
}

/// R32: compute with a public IP needs inbound rules from Azure Machine
/// Learning and Batch and routes around the firewall; no public IP
/// removes both.
pub fn public_ip(ws: &Workspace, d: &mut Diagnostics) {
    if ws.outbound.custom_vnet().is_none() {
        return;
    }
    let at = ws
        .computes
        .iter()
        .find(|c| {
            c.public_ip.value
                && c.public_ip.is_explicit()
                && matches!(c.kind.value, ComputeKind::Instance | ComputeKind::Cluster)
        })
        .and_then(|c| c.public_ip.span())
        .or_else(|| {
            ws.compute
                .public_ip
                .value
                .then(|| ws.compute.public_ip.span())
                .flatten()
        });
    let Some(at) = at else { return };
    report(
        d,
        Diagnostic::new(
            Code::PublicIpComputeInSpoke,
            at,
            "compute with a public IP in the spoke",
        )
        .label("needs inbound from the internet")
        .note("amlgen opens inbound TCP 44224 from `AzureMachineLearning` and 29876-29877 from `BatchNodeManagement`, and routes that traffic around the hub firewall")
        .help("set `public_ip = false` (the default): no-public-IP compute needs no inbound rule and sends everything through the firewall"),
    );
}

/// R33: the hub firewall is in the hub, not in the spoke it routes.
pub fn firewall_ip(ws: &Workspace, d: &mut Diagnostics) {
    let Some(spoke) = ws.outbound.custom_vnet() else {
        return;
    };
    let (ip, span) = spoke.firewall_ip;
    let inside = spoke
        .address_space()
        .iter()
        .copied()
        .chain(spoke.subnets.iter().map(|s| s.prefix))
        .find(|n| n.contains(ip));
    if let Some(n) = inside {
        report(
            d,
            Diagnostic::new(
                Code::FirewallInSpoke,
                span,
                format!("the hub firewall's IP {ip} is inside the spoke"),
            )
            .label(format!("inside {n}"))
            .note("the spoke's default route sends 0.0.0.0/0 to the firewall in the peered hub; with an address of the spoke as next hop, internet traffic goes to the spoke itself and never reaches the firewall")
            .help("write the private IP of the hub's Azure Firewall (its `ipConfigurations[0].privateIPAddress`)"),
        );
    }
}

/// R34: without the service endpoint policy, storage egress from the
/// training subnet reaches any storage account.
pub fn exfiltration_guard(ws: &Workspace, d: &mut Diagnostics) {
    let Some(spoke) = ws.outbound.custom_vnet() else {
        return;
    };
    if spoke.service_endpoint_policy.value {
        return;
    }
    let at = spoke.service_endpoint_policy.span().unwrap_or(spoke.span);
    report(
        d,
        Diagnostic::new(
            Code::NoExfiltrationGuard,
            at,
            "the training subnet has no service endpoint policy",
        )
        .label("storage egress is not limited")
        .note("Azure Storage is read/write outbound: compute can copy data to any storage account that `Storage.<region>` reaches")
        .help("keep `service_endpoint_policy = true` (the default): only Azure Machine Learning's storage (`/services/Azure/MachineLearning`) and the workspace's stay reachable"),
    );
}

/// What one spoke subnet holds and the addresses it needs (R35).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IpPlan {
    /// In words: `2 compute instances, 1 cluster of 8 nodes`.
    pub holds: String,
    /// Addresses needed, with Azure's five reserved.
    pub needed: u64,
    /// False for the scoring subnet: AKS needs are not counted.
    pub counted: bool,
}

/// The addresses one subnet needs: one per compute instance, per cluster
/// node (max nodes) and per private endpoint, plus five (001, 003).
#[must_use]
pub fn ip_plan(ws: &Workspace, role: SubnetRole) -> IpPlan {
    let mut parts = Vec::new();
    let mut used = 0u64;
    let counted = role != SubnetRole::Scoring;
    match role {
        SubnetRole::Training => {
            let placed = ws
                .computes
                .iter()
                .filter(|c| matches!(c.kind.value, ComputeKind::Instance | ComputeKind::Cluster));
            for c in placed {
                let n = match c.kind.value {
                    ComputeKind::Cluster => u64::from(c.max_nodes.unwrap_or(1)),
                    _ => 1,
                };
                used += n;
                parts.push(match c.kind.value {
                    ComputeKind::Cluster => format!("cluster `{}` ({n} nodes)", c.name),
                    _ => format!("instance `{}`", c.name),
                });
            }
        }
        SubnetRole::Pe => {
            if let Some(pe) = &ws.inbound.private_endpoint
                && pe.subnet == PeSubnet::Spoke
            {
                for t in &pe.targets.value {
                    let (n, what) = match t {
                        ClientEndpoint::Workspace => (1, "workspace"),
                        ClientEndpoint::Storage => (2, "storage blob and file"),
                        ClientEndpoint::KeyVault => (1, "key vault"),
                        ClientEndpoint::ContainerRegistry => (1, "container registry"),
                    };
                    used += n;
                    parts.push(format!("{what} ({n})"));
                }
            }
        }
        SubnetRole::Scoring => {
            for c in ws
                .computes
                .iter()
                .filter(|c| c.kind.value == ComputeKind::Kubernetes)
            {
                parts.push(format!("Kubernetes `{}`", c.name));
            }
        }
    }
    let holds = if parts.is_empty() {
        "nothing declared".to_string()
    } else if role == SubnetRole::Pe {
        format!("private endpoints for {}", parts.join(", "))
    } else {
        parts.join(", ")
    };
    IpPlan {
        holds,
        needed: used
            + if counted {
                custom_vnet::RESERVED_PER_SUBNET
            } else {
                0
            },
        counted,
    }
}

/// R35: every subnet holds what the posture puts in it.
pub fn ip_planning(ws: &Workspace, d: &mut Diagnostics) {
    let Some(spoke) = ws.outbound.custom_vnet() else {
        return;
    };
    for s in &spoke.subnets {
        if s.prefix.prefix > SMALLEST_SUBNET_PREFIX {
            report(
                d,
                Diagnostic::new(
                    Code::SubnetTooSmall,
                    s.span,
                    format!(
                        "the {} subnet `{}` is smaller than Azure allows",
                        s.role.keyword(),
                        s.prefix
                    ),
                )
                .label(format!(
                    "a /{} has {} addresses",
                    s.prefix.prefix,
                    s.prefix.size()
                ))
                .note("Azure's smallest subnet is a /29; it reserves 5 addresses in every subnet")
                .help("use a /29 or larger"),
            );
            continue;
        }
        let plan = ip_plan(ws, s.role);
        if plan.counted && plan.needed > s.prefix.size() {
            let mut bigger = s.prefix.prefix;
            while bigger > 0 && (1u64 << (32 - u32::from(bigger))) < plan.needed {
                bigger -= 1;
            }
            report(
                d,
                Diagnostic::new(
                    Code::SubnetTooSmall,
                    s.span,
                    format!(
                        "the {} subnet `{}` needs {} addresses, it has {}",
                        s.role.keyword(),
                        s.prefix,
                        plan.needed,
                        s.prefix.size()
                    ),
                )
                .label(format!("{} short", plan.needed - s.prefix.size()))
                .note(format!(
                    "it holds {}: one address per compute instance, cluster node and private endpoint, plus the 5 Azure reserves",
                    plan.holds
                ))
                .help(if s.role == SubnetRole::Training {
                    format!("use a /{bigger} or larger, or lower `max_nodes`")
                } else {
                    format!("use a /{bigger} or larger")
                }),
            );
        }
    }
}

/// One spoke VNet for two workspaces is legal but mixes their traffic
/// and their IP plans (R30 recommends one VNet per workspace): a warning.
/// Two workspaces that would both create the same VNet, or share an
/// existing one with subnets that disagree, are errors: the deployments
/// would overwrite each other.
pub fn shared_spokes(posture: &Posture, d: &mut Diagnostics) {
    let mut seen: Vec<(String, &Workspace, &Spoke)> = Vec::new();
    for ws in &posture.workspaces {
        let Some(spoke) = ws.outbound.custom_vnet() else {
            continue;
        };
        let key = match &spoke.vnet {
            SpokeVnet::Existing { id, .. } => id.as_str().to_ascii_lowercase(),
            SpokeVnet::Create { name, .. } => format!(
                "{}/{}/{}",
                ws.subscription_id.as_ref().map_or("", |g| g.as_str()),
                ws.resource_group.value.as_str(),
                name
            )
            .to_ascii_lowercase(),
        };
        let Some((_, first, other)) = seen.iter().find(|(k, _, _)| *k == key) else {
            seen.push((key, ws, spoke));
            continue;
        };
        if matches!(spoke.vnet, SpokeVnet::Create { .. }) {
            report(
                d,
                Diagnostic::new(
                    Code::SpokeLayout,
                    spoke.span,
                    format!(
                        "workspaces `{}` and `{}` both create the VNet `{}`",
                        first.name,
                        ws.name,
                        spoke.vnet_name()
                    ),
                )
                .label("second workspace creating it")
                .with_label(other.span, "first here")
                .note("each deployment would overwrite the other's subnets, NSGs and routes")
                .help("give each workspace its own spoke (`name`), or create it once and use `existing` in both"),
            );
            continue;
        }
        for s in &spoke.subnets {
            let clash = other.subnets.iter().find(|o| {
                (o.name.eq_ignore_ascii_case(&s.name) && o.prefix != s.prefix)
                    || (!o.name.eq_ignore_ascii_case(&s.name) && o.prefix.overlaps(s.prefix))
            });
            if let Some(o) = clash {
                report(
                    d,
                    Diagnostic::new(
                        Code::SpokeLayout,
                        s.span,
                        format!(
                            "subnet `{}` ({}) of `{}` disagrees with `{}` ({}) of `{}` in the shared spoke",
                            s.name, s.prefix, ws.name, o.name, o.prefix, first.name
                        ),
                    )
                    .label("same VNet, conflicting subnet")
                    .with_label(o.span, "the other workspace's")
                    .help("use the same name and prefix for a shared subnet, or separate, non-overlapping subnets"),
                );
            }
        }
        report(
            d,
            Diagnostic::new(
                Code::SharedSpoke,
                spoke.span,
                format!(
                    "workspaces `{}` and `{}` share the spoke `{}`",
                    first.name,
                    ws.name,
                    spoke.vnet_name()
                ),
            )
            .label("second workspace in this VNet")
            .with_label(other.span, "first here")
            .note("one VNet per workspace is recommended: shared subnets mix both workspaces' traffic, NSG rules and address plans")
            .help("give each workspace its own spoke"),
        );
    }
}
