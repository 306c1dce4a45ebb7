//! The report's "Diagram" section: a Mermaid flowchart of the workspace,
//! who reaches it, its network, associated resources and outbound rules.

use std::fmt::Write;

use crate::escape::mermaid_label as label;
use crate::ir::{Destination, IsolationMode, PeTarget, Workspace};

/// The "Diagram" section.
pub(super) fn section(r: &mut String, ws: &Workspace) {
    let _ = writeln!(
        r,
        "\n## Diagram\n\n```mermaid\n{}```",
        diagram(ws, ws.outbound.mode.value)
    );
}

/// The Mermaid flowchart (posture strings as labels).
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
