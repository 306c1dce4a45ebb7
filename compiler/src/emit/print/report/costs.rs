//! The report's "Costs" section and the estimate behind it: what a
//! posture makes billable (the managed Azure Firewall, the private
//! endpoints), priced from the dated table `catalog::prices` with its
//! stated assumptions. `DEPLOY.md` prints the same estimate per workspace
//! and for the build.

use std::fmt::Write;

use crate::catalog::prices::{self, Meter};
use crate::emit::azure::Deployment;
use crate::ir::{Access, FirewallSku, IsolationMode, PublicNetworkAccess, Workspace};

use super::posture::private_endpoint_rules;

/// What one workspace makes billable, counted from its posture and model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Estimate {
    /// The managed Azure Firewall's SKU, when FQDN rules bring one.
    pub firewall: Option<FirewallSku>,
    /// Client private endpoints the deployment creates.
    pub client_endpoints: usize,
    /// Private endpoint outbound rules of the managed network.
    pub rule_endpoints: usize,
    /// Private endpoints the managed network creates as required rules.
    pub required_endpoints: usize,
    /// Custom VNet mode: the hub's firewall is not this workspace's.
    pub custom_vnet: bool,
}

/// One priced line of an estimate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub meter: Meter,
    /// How many units: e.g. 730 (hours), or endpoints × hours.
    pub units: u64,
    /// The quantity in words: `6 × 730 hours`.
    pub quantity: String,
    /// `units` × the meter's price, in millionths of a dollar.
    pub micro_usd: u64,
}

impl Estimate {
    /// The estimate of one workspace.
    #[must_use]
    pub fn of(ws: &Workspace, d: &Deployment) -> Self {
        let out = &ws.outbound;
        let mode = out.mode.value;
        let client_endpoints = d
            .modules
            .iter()
            .flat_map(|m| &m.resources)
            .filter(|x| x.arm_type == crate::emit::azure::types::PRIVATE_ENDPOINT && !x.existing)
            .count();
        let firewall = (mode == IsolationMode::AllowOnlyApprovedOutbound && out.has_fqdn_rules())
            .then_some(out.firewall_sku.value);
        Estimate {
            firewall,
            client_endpoints,
            rule_endpoints: if mode.is_managed() {
                private_endpoint_rules(out)
            } else {
                0
            },
            required_endpoints: required_endpoints(ws),
            custom_vnet: out.custom_vnet().is_some(),
        }
    }

    /// Every private endpoint counted.
    #[must_use]
    pub fn endpoints(&self) -> usize {
        self.client_endpoints + self.rule_endpoints + self.required_endpoints
    }

    /// The priced lines, firewall first.
    #[must_use]
    pub fn lines(&self) -> Vec<Line> {
        let mut lines = Vec::new();
        let hours = prices::HOURS_PER_MONTH;
        if let Some(sku) = self.firewall {
            let (hour, gb) = match sku {
                FirewallSku::Standard => (Meter::FirewallStandardHour, Meter::FirewallStandardGb),
                FirewallSku::Basic => (Meter::FirewallBasicHour, Meter::FirewallBasicGb),
            };
            lines.push(line(hour, hours, format!("{hours} hours")));
            let gbs = prices::FIREWALL_GB_PER_MONTH;
            lines.push(line(gb, gbs, format!("{gbs} GB")));
        }
        let n = self.endpoints() as u64;
        if n > 0 {
            lines.push(line(
                Meter::PrivateEndpointHour,
                n * hours,
                format!("{n} × {hours} hours"),
            ));
            let gbs = prices::ENDPOINT_GB_PER_MONTH_EACH_WAY;
            for meter in [
                Meter::PrivateEndpointIngressGb,
                Meter::PrivateEndpointEgressGb,
            ] {
                lines.push(line(meter, n * gbs, format!("{n} × {gbs} GB")));
            }
        }
        lines
    }

    /// The monthly figure, in millionths of a dollar.
    #[must_use]
    pub fn total(&self) -> u64 {
        self.lines().iter().map(|l| l.micro_usd).sum()
    }
}

fn line(meter: Meter, units: u64, quantity: String) -> Line {
    Line {
        meter,
        units,
        quantity,
        micro_usd: units * prices::price(meter).micro_usd,
    }
}

/// The private endpoints the managed network creates as required rules:
/// to the workspace, its storage, key vault and container registry, in
/// approved-outbound mode always, in internet-outbound mode for those with
/// public network access disabled (managed network article, "List of
/// required rules").
fn required_endpoints(ws: &Workspace) -> usize {
    match ws.outbound.mode.value {
        IsolationMode::Disabled => 0,
        IsolationMode::AllowOnlyApprovedOutbound => 4,
        IsolationMode::AllowInternetOutbound => [
            ws.inbound.public_network_access.value == PublicNetworkAccess::Disabled,
            ws.storage.public_network_access.value == Access::Disabled,
            ws.key_vault.public_network_access.value == Access::Disabled,
            ws.container_registry.public_network_access.value == Access::Disabled,
        ]
        .into_iter()
        .filter(|b| *b)
        .count(),
    }
}

/// A unit price in dollars, with as many decimals as it has (at least
/// two): `$1.25`, `$0.016`.
#[must_use]
pub fn unit_price(micro: u64) -> String {
    let mut decimals = format!("{:06}", micro % 1_000_000);
    while decimals.len() > 2 && decimals.ends_with('0') {
        decimals.pop();
    }
    format!("${}.{decimals}", micro / 1_000_000)
}

/// The table of an estimate's lines and its total, in Markdown.
#[must_use]
pub fn table(e: &Estimate) -> String {
    if e.lines().is_empty() {
        return "Nothing this posture deploys is billed by the hour or by the GB processed: USD 0.00 a month.\n".to_string();
    }
    let mut r = String::from("| item | quantity | USD a month |\n| --- | --- | ---: |\n");
    for l in e.lines() {
        let p = prices::price(l.meter);
        let _ = writeln!(
            r,
            "| {} | {} × {} per {} | {} |",
            p.name,
            l.quantity,
            unit_price(p.micro_usd),
            p.unit.text(),
            prices::usd(l.micro_usd)
        );
    }
    let _ = writeln!(r, "| **total** | | **{}** |", prices::usd(e.total()));
    r
}

/// The assumptions and what is not counted, one paragraph.
#[must_use]
pub fn assumptions() -> String {
    format!(
        "An estimate at list price on {} (USD, global list prices of Azure Firewall and Azure Private Link), not a quote: {} hours a month; {} GB a month through a managed firewall; {} GB in and {} GB out a month through each private endpoint. Not counted: compute, storage, the key vault, container registry and monitoring, data transfer between regions or to the internet, regional and agreement prices, free grants, and a hub team's own firewall.",
        prices::TABLE_DATE,
        prices::HOURS_PER_MONTH,
        prices::FIREWALL_GB_PER_MONTH,
        prices::ENDPOINT_GB_PER_MONTH_EACH_WAY,
        prices::ENDPOINT_GB_PER_MONTH_EACH_WAY,
    )
}

/// The "Costs" section.
pub(super) fn section(r: &mut String, ws: &Workspace, d: &Deployment) {
    let out = &ws.outbound;
    let mode = out.mode.value;
    let e = Estimate::of(ws, d);
    let _ = writeln!(r, "\n## Costs\n");
    if let Some(sku) = e.firewall {
        let _ = writeln!(
            r,
            "- **Azure Firewall ({}):** the FQDN rules make the managed network deploy a managed Azure Firewall, billed per hour and per GB processed, for as long as any FQDN rule exists.",
            sku.arm()
        );
    } else if e.custom_vnet {
        let _ = writeln!(
            r,
            "- No managed Azure Firewall: traffic goes through the hub's firewall, whose hours and processed GB its owner pays; the spoke's NSGs, route table and service endpoint policy are free."
        );
    } else {
        let _ = writeln!(r, "- No managed Azure Firewall: there are no FQDN rules.");
    }
    if e.custom_vnet {
        let _ = writeln!(
            r,
            "- **Private endpoints:** {}, each billed per hour and per GB (Azure Private Link pricing); no managed network adds any.",
            e.client_endpoints
        );
    } else {
        let _ = writeln!(
            r,
            "- **Private endpoints:** {} in the client network, {} private endpoint outbound rule(s) in the managed network, and {} the managed network creates as required rules (to the workspace, its storage, key vault and container registry{}); each is billed per hour and per GB (Azure Private Link pricing).{}",
            e.client_endpoints,
            e.rule_endpoints,
            e.required_endpoints,
            match mode {
                IsolationMode::AllowOnlyApprovedOutbound => ", always in approved-outbound mode",
                IsolationMode::AllowInternetOutbound =>
                    ", those with public network access disabled",
                IsolationMode::Disabled => ": none without a managed network",
            },
            if mode.is_managed() && out.provision_now.value {
                " The managed network is provisioned at creation, so charges start then."
            } else {
                ""
            }
        );
    }
    let _ = writeln!(r, "\n{}", table(&e));
    let _ = writeln!(r, "{}", assumptions());
}
