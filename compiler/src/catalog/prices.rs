//! The price table behind the cost estimate of `REPORT.md` and
//! `DEPLOY.md`: the meters a posture makes billable (the managed network
//! itself is free), in USD at list price, with the date they were read.
//!
//! Which resources are billed comes from Microsoft's managed virtual
//! network article ("Workspace managed network isolation", section
//! "Pricing"): Azure Private Link for the private endpoints, and Azure
//! Firewall only once an FQDN outbound rule exists, Standard by default,
//! Basic selectable.
//!
//! Sources, as of [`TABLE_DATE`] (Microsoft's pricing pages fill their
//! figures in by script, so they were read through copies of the Azure
//! Retail Prices API, <https://prices.azure.com/api/retail/prices>, the
//! pages' own feed):
//! - Azure Private Link pricing, <https://azure.microsoft.com/en-us/pricing/details/private-link/>,
//!   product "Virtual Network Private Link", meters "Standard Private
//!   Endpoint" ($0.01 per hour) and "Standard Data Processed -
//!   Ingress/Egress" ($0.01 per GB each way for the first 1 PB a month;
//!   the cheaper tiers above it are not modelled).
//! - Azure Firewall pricing, <https://azure.microsoft.com/en-us/pricing/details/azure-firewall/>:
//!   Standard $1.25 per deployment hour (seen in a copy of the page);
//!   Standard $0.016 per GB processed, Basic $0.395 per deployment hour
//!   and $0.065 per GB processed are the page's figures as published, not
//!   re-read on the table's date: check them against the page (or the
//!   feed, product "Azure Firewall") when the table is next dated.
//!
//! Prices are global list prices: some regions, sovereign clouds,
//! agreements and reservations differ. Amounts are held in millionths of a
//! dollar, so the arithmetic is exact.

/// The day the prices below were read (ISO 8601).
pub const TABLE_DATE: &str = "2026-12-07";

/// Hours in a month, as Azure's pricing pages and calculator count them.
pub const HOURS_PER_MONTH: u64 = 730;

/// The traffic assumption: GB a month through a workspace's managed
/// firewall.
pub const FIREWALL_GB_PER_MONTH: u64 = 100;

/// The traffic assumption: GB a month through each private endpoint, in
/// each direction (inbound and outbound are separate meters).
pub const ENDPOINT_GB_PER_MONTH_EACH_WAY: u64 = 5;

/// What a meter counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Hour,
    Gb,
}

impl Unit {
    /// The unit in words.
    #[must_use]
    pub fn text(self) -> &'static str {
        match self {
            Unit::Hour => "hour",
            Unit::Gb => "GB",
        }
    }
}

/// A billed meter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Meter {
    FirewallStandardHour,
    FirewallStandardGb,
    FirewallBasicHour,
    FirewallBasicGb,
    PrivateEndpointHour,
    PrivateEndpointIngressGb,
    PrivateEndpointEgressGb,
}

/// One row of the table.
#[derive(Clone, Copy, Debug)]
pub struct Price {
    pub meter: Meter,
    /// The meter as the pricing page names it.
    pub name: &'static str,
    pub unit: Unit,
    /// USD list price per unit, in millionths of a dollar.
    pub micro_usd: u64,
}

/// The table.
pub const PRICES: &[Price] = &[
    Price {
        meter: Meter::FirewallStandardHour,
        name: "Azure Firewall Standard, deployment",
        unit: Unit::Hour,
        micro_usd: 1_250_000,
    },
    Price {
        meter: Meter::FirewallStandardGb,
        name: "Azure Firewall Standard, data processed",
        unit: Unit::Gb,
        micro_usd: 16_000,
    },
    Price {
        meter: Meter::FirewallBasicHour,
        name: "Azure Firewall Basic, deployment",
        unit: Unit::Hour,
        micro_usd: 395_000,
    },
    Price {
        meter: Meter::FirewallBasicGb,
        name: "Azure Firewall Basic, data processed",
        unit: Unit::Gb,
        micro_usd: 65_000,
    },
    Price {
        meter: Meter::PrivateEndpointHour,
        name: "Private endpoint",
        unit: Unit::Hour,
        micro_usd: 10_000,
    },
    Price {
        meter: Meter::PrivateEndpointIngressGb,
        name: "Private endpoint, inbound data processed",
        unit: Unit::Gb,
        micro_usd: 10_000,
    },
    Price {
        meter: Meter::PrivateEndpointEgressGb,
        name: "Private endpoint, outbound data processed",
        unit: Unit::Gb,
        micro_usd: 10_000,
    },
];

/// The row of a meter.
#[must_use]
pub fn price(meter: Meter) -> &'static Price {
    PRICES
        .iter()
        .find(|p| p.meter == meter)
        .expect("every meter has a row (tested)")
}

/// Millionths of a dollar as dollars and cents, rounded half up:
/// `912_500_000` is `912.50`.
#[must_use]
pub fn usd(micro: u64) -> String {
    let cents = (micro + 5_000) / 10_000;
    format!("{}.{:02}", cents / 100, cents % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_meter_has_one_row() {
        for m in [
            Meter::FirewallStandardHour,
            Meter::FirewallStandardGb,
            Meter::FirewallBasicHour,
            Meter::FirewallBasicGb,
            Meter::PrivateEndpointHour,
            Meter::PrivateEndpointIngressGb,
            Meter::PrivateEndpointEgressGb,
        ] {
            assert_eq!(PRICES.iter().filter(|p| p.meter == m).count(), 1, "{m:?}");
        }
    }

    #[test]
    fn dollars_round_half_up() {
        assert_eq!(usd(0), "0.00");
        assert_eq!(usd(912_500_000), "912.50");
        assert_eq!(usd(4_999), "0.00");
        assert_eq!(usd(5_000), "0.01");
        assert_eq!(usd(1_234_567), "1.23");
        assert_eq!(usd(1_235_000), "1.24");
    }
}
