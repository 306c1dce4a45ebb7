//! The report's "Allowed outbound destinations" section: the managed
//! network's rules, each with its destination and where it comes from
//! (custom VNet mode has its own text, in `custom_vnet.rs`).

use std::fmt::Write;

use crate::escape::{markdown_code as code, markdown_row};
use crate::ir::{Destination, IsolationMode, PeTarget, RuleOrigin, Workspace};
use crate::source::SourceMap;

use super::custom_vnet;

/// The "Allowed outbound destinations" section.
pub(super) fn section(r: &mut String, ws: &Workspace, sources: &SourceMap) {
    let out = &ws.outbound;
    let mode = out.mode.value;
    let _ = writeln!(r, "\n## Allowed outbound destinations\n");
    if let Some(spoke) = out.custom_vnet() {
        custom_vnet::section(r, ws, spoke);
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
                        "added by amlgen: with selected-IP inbound, compute in the managed network reaches the workspace through a private endpoint; deployed after the workspace".to_string()
                    }
                    RuleOrigin::Preset(p, sp) => format!(
                        "preset {} at {}",
                        code(p.keyword()),
                        code(&sources.place(sp))
                    ),
                };
                let _ = writeln!(
                    r,
                    "{}",
                    markdown_row(&[
                        &code(rule.name.as_str()),
                        rule.destination.kind().arm(),
                        &dest,
                        &origin
                    ])
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
}
