//! Private endpoint targets the AML managed network supports, with their
//! sub-resources (group ids). Sources:
//!
//! - Supported target services and the `spark_enabled` restriction: "Workspace
//!   Managed Virtual Network Isolation", MicrosoftDocs/azure-ai-docs
//!   `articles/machine-learning/how-to-managed-network.md` (commit d675e2ff,
//!   ms.date 05/23/2025), sections "Private endpoints" and the outbound-rule
//!   walkthrough ("Spark enabled ... only available if the resource type is
//!   Azure Storage").
//! - Approver-role coverage: same article, section "Approval of private
//!   endpoints" (list of types covered by the Azure AI Enterprise Network
//!   Connection Approver role; Data Factory, Databricks and Function Apps given
//!   as not covered; MariaDB absent from the list).
//! - ARM types and group ids: "What is a private endpoint?", MicrosoftDocs/azure-docs
//!   `articles/private-link/private-endpoint-overview.md`, table "Private-link
//!   resource" (commit fd688f2b, and the current learn.microsoft.com rendering of
//!   the same table, which adds PostgreSQL flexible server and API Management).
//! - Cross-checks: "Azure Private Endpoint DNS configuration", MicrosoftDocs/azure-docs
//!   `articles/private-link/private-endpoint-dns.md` (commit 42655f0e): Cosmos DB
//!   `Sql` casing and the Data Factory `portal` group id; Azure/azure-rest-api-specs
//!   Search shared-private-link examples (`Microsoft.DocumentDB/databaseAccounts`,
//!   `GroupId: "Sql"`); built-in role definition in MicrosoftDocs/azure-docs
//!   `articles/role-based-access-control/built-in-roles/ai-machine-learning.md`
//!   (`Microsoft.Cache/redis`, `Microsoft.DocumentDB/databaseAccounts` casing);
//!   PostgreSQL REST reference "Private Link Resources - List By Server"
//!   (learn.microsoft.com/rest/api/postgresql, api-version 2025-08-01: flexible
//!   server group id `postgresqlServer`); Azure CLI network tests
//!   (`--group-id Gateway` for `Microsoft.ApiManagement/service`).

/// One resource type a private endpoint outbound rule may target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PrivateLinkType {
    /// ARM resource type, canonical casing, e.g. `Microsoft.Storage/storageAccounts`.
    pub arm_type: &'static str,
    /// How the AML docs name the service.
    pub service: &'static str,
    /// Sub-resources (group ids), exact casing as documented.
    pub subresources: &'static [&'static str],
    /// Whether the Azure AI Enterprise Network Connection Approver role covers it.
    pub approver_role_covers: bool,
    /// True for Azure Storage (the only type that supports `spark_enabled`).
    pub is_storage: bool,
}

pub const PRIVATE_LINK_TYPES: &[PrivateLinkType] = &[
    PrivateLinkType {
        arm_type: "Microsoft.MachineLearningServices/workspaces",
        service: "Azure Machine Learning workspace",
        subresources: &["amlworkspace"],
        approver_role_covers: true,
        is_storage: false,
    },
    PrivateLinkType {
        arm_type: "Microsoft.MachineLearningServices/registries",
        service: "Azure Machine Learning registries",
        subresources: &["amlregistry"],
        approver_role_covers: true,
        is_storage: false,
    },
    PrivateLinkType {
        arm_type: "Microsoft.Storage/storageAccounts",
        service: "Azure Storage",
        subresources: &[
            "blob",
            "blob_secondary",
            "table",
            "table_secondary",
            "queue",
            "queue_secondary",
            "file",
            "file_secondary",
            "web",
            "web_secondary",
            "dfs",
            "dfs_secondary",
        ],
        approver_role_covers: true,
        is_storage: true,
    },
    PrivateLinkType {
        arm_type: "Microsoft.ContainerRegistry/registries",
        service: "Azure Container Registry",
        subresources: &["registry"],
        approver_role_covers: true,
        is_storage: false,
    },
    PrivateLinkType {
        arm_type: "Microsoft.KeyVault/vaults",
        service: "Azure Key Vault",
        subresources: &["vault"],
        approver_role_covers: true,
        is_storage: false,
    },
    // The current AML article calls this "Foundry Tools".
    PrivateLinkType {
        arm_type: "Microsoft.CognitiveServices/accounts",
        service: "Azure AI services",
        subresources: &["account"],
        approver_role_covers: true,
        is_storage: false,
    },
    PrivateLinkType {
        arm_type: "Microsoft.Search/searchServices",
        service: "Azure AI Search",
        subresources: &["searchService"],
        approver_role_covers: true,
        is_storage: false,
    },
    PrivateLinkType {
        arm_type: "Microsoft.Sql/servers",
        service: "Azure SQL Server",
        subresources: &["sqlServer"],
        approver_role_covers: true,
        is_storage: false,
    },
    // `portal` is listed in private-endpoint-dns.md, not in the overview table.
    PrivateLinkType {
        arm_type: "Microsoft.DataFactory/factories",
        service: "Azure Data Factory",
        subresources: &["dataFactory", "portal"],
        approver_role_covers: false,
        is_storage: false,
    },
    // The overview table writes the type as `Microsoft.AzureCosmosDB/databaseAccounts`
    // and the first group id as `SQL`; the ARM provider is Microsoft.DocumentDB and
    // the DNS doc and REST examples use `Sql`.
    PrivateLinkType {
        arm_type: "Microsoft.DocumentDB/databaseAccounts",
        service: "Azure Cosmos DB",
        subresources: &["Sql", "MongoDB", "Cassandra", "Gremlin", "Table"],
        approver_role_covers: true,
        is_storage: false,
    },
    PrivateLinkType {
        arm_type: "Microsoft.EventHub/namespaces",
        service: "Azure Event Hubs",
        subresources: &["namespace"],
        approver_role_covers: true,
        is_storage: false,
    },
    PrivateLinkType {
        arm_type: "Microsoft.Cache/redis",
        service: "Azure Redis Cache",
        subresources: &["redisCache"],
        approver_role_covers: true,
        is_storage: false,
    },
    PrivateLinkType {
        arm_type: "Microsoft.Databricks/workspaces",
        service: "Azure Databricks",
        subresources: &["databricks_ui_api", "browser_authentication"],
        approver_role_covers: false,
        is_storage: false,
    },
    PrivateLinkType {
        arm_type: "Microsoft.DBforMariaDB/servers",
        service: "Azure Database for MariaDB",
        subresources: &["mariadbServer"],
        approver_role_covers: false,
        is_storage: false,
    },
    PrivateLinkType {
        arm_type: "Microsoft.DBforPostgreSQL/servers",
        service: "Azure Database for PostgreSQL Single Server",
        subresources: &["postgresqlServer"],
        approver_role_covers: true,
        is_storage: false,
    },
    PrivateLinkType {
        arm_type: "Microsoft.DBforPostgreSQL/flexibleServers",
        service: "Azure Database for PostgreSQL Flexible Server",
        subresources: &["postgresqlServer"],
        approver_role_covers: true,
        is_storage: false,
    },
    PrivateLinkType {
        arm_type: "Microsoft.DBforMySQL/servers",
        service: "Azure Database for MySQL",
        subresources: &["mysqlServer"],
        approver_role_covers: true,
        is_storage: false,
    },
    PrivateLinkType {
        arm_type: "Microsoft.DBforMySQL/flexibleServers",
        service: "Azure Database for MySQL",
        subresources: &["mysqlServer"],
        approver_role_covers: true,
        is_storage: false,
    },
    // Classic tier without VNet injection, and Standard v2.
    PrivateLinkType {
        arm_type: "Microsoft.ApiManagement/service",
        service: "Azure API Management",
        subresources: &["Gateway"],
        approver_role_covers: true,
        is_storage: false,
    },
    // Application Insights is reached through an Azure Monitor Private Link Scope.
    PrivateLinkType {
        arm_type: "Microsoft.Insights/privateLinkScopes",
        service: "Application Insights",
        subresources: &["azuremonitor"],
        approver_role_covers: true,
        is_storage: false,
    },
];

/// Looks a type up ignoring ASCII case (ARM types are case-insensitive).
#[must_use]
pub fn lookup(arm_type: &str) -> Option<&'static PrivateLinkType> {
    PRIVATE_LINK_TYPES
        .iter()
        .find(|t| t.arm_type.eq_ignore_ascii_case(arm_type))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_ignores_ascii_case() {
        let t = lookup("microsoft.storage/STORAGEACCOUNTS").expect("storage is listed");
        assert_eq!(t.arm_type, "Microsoft.Storage/storageAccounts");
        assert!(t.is_storage);
        assert!(lookup("MICROSOFT.CACHE/REDIS").is_some());
        assert!(lookup("Microsoft.Web/sites").is_none());
    }

    #[test]
    fn no_duplicate_types() {
        for (i, a) in PRIVATE_LINK_TYPES.iter().enumerate() {
            for b in &PRIVATE_LINK_TYPES[i + 1..] {
                assert!(
                    !a.arm_type.eq_ignore_ascii_case(b.arm_type),
                    "duplicate type {}",
                    a.arm_type
                );
            }
        }
    }

    #[test]
    fn every_type_has_a_subresource() {
        for t in PRIVATE_LINK_TYPES {
            assert!(
                !t.subresources.is_empty(),
                "{} has no subresource",
                t.arm_type
            );
            for (i, s) in t.subresources.iter().enumerate() {
                assert!(!s.is_empty());
                assert!(
                    !t.subresources[i + 1..].contains(s),
                    "{} lists {s} twice",
                    t.arm_type
                );
            }
        }
    }

    #[test]
    fn only_storage_is_storage() {
        let storage: Vec<_> = PRIVATE_LINK_TYPES.iter().filter(|t| t.is_storage).collect();
        assert_eq!(storage.len(), 1);
        assert_eq!(storage[0].arm_type, "Microsoft.Storage/storageAccounts");
    }
}
