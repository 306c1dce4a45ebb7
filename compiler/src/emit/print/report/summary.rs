//! The report's opening: the workspace's title and settings table, and
//! its isolation mode in words (with the preview API it may need).

use std::fmt::Write;

use crate::emit::azure::{Deployment, api};
use crate::escape::markdown_code as code;
use crate::ir::{IsolationMode, Workspace};
use crate::source::SourceMap;

use super::posture::public_network_access;

/// What an isolation mode means, in words.
fn mode_meaning(mode: IsolationMode) -> &'static str {
    match mode {
        IsolationMode::Disabled => {
            "no managed virtual network: managed computes use the network you give them, and outbound control is yours (your own firewall and routes)."
        }
        IsolationMode::AllowInternetOutbound => {
            "a managed virtual network that allows all outbound internet traffic; private endpoint rules reach private resources. Isolation modes only go up: this workspace can move to approved outbound later, never back to disabled."
        }
        IsolationMode::AllowOnlyApprovedOutbound => {
            "a managed virtual network that allows only the outbound destinations below (plus the required rules the platform creates). This is the highest mode: it cannot be lowered later."
        }
    }
}

/// The title, where the posture is, and the table of its main settings.
pub(super) fn heading(
    r: &mut String,
    ws: &Workspace,
    d: &Deployment,
    sources: &SourceMap,
    header: &str,
) {
    let mode = ws.outbound.mode.value;
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
    let pna = public_network_access(ws);
    let _ = writeln!(r, "| public network access | {pna} |");
    let _ = writeln!(r, "| workspace API version | {} |", code(d.ml_api));
}

/// The "Isolation mode" section.
pub(super) fn isolation_mode(r: &mut String, ws: &Workspace, d: &Deployment) {
    let out = &ws.outbound;
    let mode = out.mode.value;
    if out.custom_vnet().is_some() {
        let _ = writeln!(
            r,
            "\n## Isolation mode\n\n{} (custom VNet mode): no managed virtual network. Compute instances, clusters and serverless compute run in your spoke network, and outbound control is the hub firewall's. Isolation modes only go up: this workspace can move to a managed network later (recreating its computes), but a managed network cannot come back to this mode.",
            code(mode.arm())
        );
    } else {
        let _ = writeln!(
            r,
            "\n## Isolation mode\n\n{}: {}",
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
}
