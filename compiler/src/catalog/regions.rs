//! Azure region names. Sources:
//!
//! - Public cloud: "Azure regions list", MicrosoftDocs/reliability-docs
//!   `articles/reliability/regions-list.md` (commit ec7400bd, ms.date 09/23/2025),
//!   column "Programmatic name" (56 regions; `denmarkeast` is marked "coming
//!   soon" there). Plus `swedensouth`, which that page names only as Sweden
//!   Central's (access-restricted) paired region; its programmatic name is from
//!   Azure/azure-sdk-for-net `sdk/core/Azure.Core/src/AzureLocation.cs`
//!   (commit 8802eec9, `SwedenSouth = "swedensouth"`).
//! - Azure US Government and Azure China: Azure/azure-sdk-for-net
//!   `sdk/core/Azure.Core/src/AzureLocation.cs` (commit 8802eec9), cross-checked
//!   against Azure/azure-sdk-for-java
//!   `sdk/core/azure-core-management/src/main/java/com/azure/core/management/Region.java`
//!   (which predates `chinanorth3`/`chinaeast3`).
//!
//! Logical names (`global`, geographies, `*euap`, `*stg`, `*stage`) are excluded,
//! as are `germanycentral` and `germanynortheast`, which AzureLocation.cs lists
//! but Region.java files under the separate "Azure German Cloud" and the
//! regions list does not include.

/// A region as the lists hold it: lower case, without spaces
/// (`West Europe` is `westeurope`), as ARM compares region names.
#[must_use]
pub fn key(region: &str) -> String {
    region.to_ascii_lowercase().replace(' ', "")
}

/// The cloud whose list holds a region key: `public`, `usgov`, `china`.
#[must_use]
pub fn cloud_of(key: &str) -> Option<&'static str> {
    [
        ("public", PUBLIC_REGIONS),
        ("usgov", USGOV_REGIONS),
        ("china", CHINA_REGIONS),
    ]
    .iter()
    .find(|(_, l)| l.contains(&key))
    .map(|(c, _)| *c)
}

/// Public (global) Azure cloud regions, sorted.
pub const PUBLIC_REGIONS: &[&str] = &[
    "australiacentral",
    "australiacentral2",
    "australiaeast",
    "australiasoutheast",
    "austriaeast",
    "belgiumcentral",
    "brazilsouth",
    "brazilsoutheast",
    "canadacentral",
    "canadaeast",
    "centralindia",
    "centralus",
    "chilecentral",
    "denmarkeast",
    "eastasia",
    "eastus",
    "eastus2",
    "francecentral",
    "francesouth",
    "germanynorth",
    "germanywestcentral",
    "indonesiacentral",
    "israelcentral",
    "italynorth",
    "japaneast",
    "japanwest",
    "koreacentral",
    "koreasouth",
    "malaysiawest",
    "mexicocentral",
    "newzealandnorth",
    "northcentralus",
    "northeurope",
    "norwayeast",
    "norwaywest",
    "polandcentral",
    "qatarcentral",
    "southafricanorth",
    "southafricawest",
    "southcentralus",
    "southeastasia",
    "southindia",
    "spaincentral",
    "swedencentral",
    "swedensouth",
    "switzerlandnorth",
    "switzerlandwest",
    "uaecentral",
    "uaenorth",
    "uksouth",
    "ukwest",
    "westcentralus",
    "westeurope",
    "westindia",
    "westus",
    "westus2",
    "westus3",
];

/// Azure US Government cloud regions (including the DoD regions), sorted.
pub const USGOV_REGIONS: &[&str] = &[
    "usdodcentral",
    "usdodeast",
    "usgovarizona",
    "usgoviowa",
    "usgovtexas",
    "usgovvirginia",
];

/// Azure China (21Vianet) cloud regions, sorted.
pub const CHINA_REGIONS: &[&str] = &[
    "chinaeast",
    "chinaeast2",
    "chinaeast3",
    "chinanorth",
    "chinanorth2",
    "chinanorth3",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn check(list: &[&str]) {
        assert!(!list.is_empty());
        for name in list {
            assert!(
                name.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()),
                "{name} is not a lowercase programmatic name"
            );
        }
        for pair in list.windows(2) {
            assert!(
                pair[0] < pair[1],
                "{} / {} unsorted or duplicated",
                pair[0],
                pair[1]
            );
        }
    }

    #[test]
    fn lists_are_sorted_lowercase_and_unique() {
        check(PUBLIC_REGIONS);
        check(USGOV_REGIONS);
        check(CHINA_REGIONS);
    }

    #[test]
    fn clouds_do_not_overlap() {
        for name in USGOV_REGIONS.iter().chain(CHINA_REGIONS) {
            assert!(!PUBLIC_REGIONS.contains(name), "{name} in two clouds");
        }
        for name in USGOV_REGIONS {
            assert!(!CHINA_REGIONS.contains(name), "{name} in two clouds");
        }
    }

    #[test]
    fn no_logical_regions() {
        for name in PUBLIC_REGIONS
            .iter()
            .chain(USGOV_REGIONS)
            .chain(CHINA_REGIONS)
        {
            assert_ne!(*name, "global");
            assert!(!name.ends_with("euap") && !name.ends_with("stg") && !name.ends_with("stage"));
        }
    }
}
