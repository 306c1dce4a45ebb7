//! Built-in Azure role names and definition GUIDs.
//!
//! Source: the project's reference table of Azure names (built-in roles seen
//! in Azure Verified Modules, the Azure quickstart templates and the Azure
//! docs built-in-roles table). Roles that table marks UNVERIFIED are left
//! out until verified and cited.

/// A built-in role.
#[derive(Debug, PartialEq, Eq)]
pub struct Role {
    pub name: &'static str,
    pub id: &'static str,
}

pub const BUILT_IN_ROLES: &[Role] = &[
    Role {
        name: "AcrPull",
        id: "7f951dda-4ed3-4680-a7ca-43fe172d538d",
    },
    Role {
        name: "AcrPush",
        id: "8311e382-0749-4cb8-b61a-304f252e45ec",
    },
    Role {
        name: "Azure AI Administrator",
        id: "b78c5d69-af96-48a3-bf8d-a8b4d589de94",
    },
    Role {
        name: "Azure AI Developer",
        id: "64702f94-c441-49e6-a78b-ef80e0188fee",
    },
    Role {
        name: "Azure AI Enterprise Network Connection Approver",
        id: "b556d68e-0be0-4f35-a333-ad7ee1ce17ea",
    },
    Role {
        name: "Azure AI Inference Deployment Operator",
        id: "3afb7f49-54cb-416e-8c09-6dc049efa503",
    },
    Role {
        name: "AzureML Compute Operator",
        id: "e503ece1-11d0-4e8e-8e2c-7a6c3bf38815",
    },
    Role {
        name: "AzureML Data Scientist",
        id: "f6c7c914-8db3-469d-8ca1-694a8f32e121",
    },
    Role {
        name: "AzureML Metrics Writer (preview)",
        id: "635dd51f-9968-44d3-b7fb-6d9a6bd613ae",
    },
    Role {
        name: "AzureML Registry User",
        id: "1823dd4f-9b8c-4ab6-ab4e-7397a3684615",
    },
    Role {
        name: "Contributor",
        id: "b24988ac-6180-42a0-ab88-20f7382dd24c",
    },
    Role {
        name: "Key Vault Administrator",
        id: "00482a5a-887f-4fb3-b363-3b7fe8e74483",
    },
    Role {
        name: "Key Vault Crypto Service Encryption User",
        id: "e147488a-f6f5-4113-8e2d-b22465e65bf6",
    },
    Role {
        name: "Key Vault Reader",
        id: "21090545-7ca7-4776-b22c-e363652d74d2",
    },
    Role {
        name: "Key Vault Secrets Officer",
        id: "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
    },
    Role {
        name: "Key Vault Secrets User",
        id: "4633458b-17de-408a-b874-0445c86b69e6",
    },
    Role {
        name: "Network Contributor",
        id: "4d97b98b-1d4f-4787-a291-c67834d212e7",
    },
    Role {
        name: "Owner",
        id: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    },
    Role {
        name: "Private DNS Zone Contributor",
        id: "b12aa53e-6015-4669-85d0-8515ebb3ae7f",
    },
    Role {
        name: "Reader",
        id: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    },
    Role {
        name: "Resource Policy Contributor",
        id: "36243c78-bf99-498c-9df9-86d9f8d28608",
    },
    Role {
        name: "Role Based Access Control Administrator",
        id: "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
    },
    Role {
        name: "Storage Account Contributor",
        id: "17d1049b-9a84-46fb-8f53-869881c3d3ab",
    },
    Role {
        name: "Storage Blob Data Contributor",
        id: "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
    },
    Role {
        name: "Storage Blob Data Reader",
        id: "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
    },
    Role {
        name: "Storage File Data Privileged Contributor",
        id: "69566ab7-960f-475b-8e7c-b3118f30c6bd",
    },
    Role {
        name: "User Access Administrator",
        id: "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
    },
];

/// Finds a role by name, ignoring case.
#[must_use]
pub fn lookup(name: &str) -> Option<&'static Role> {
    BUILT_IN_ROLES
        .iter()
        .find(|r| r.name.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_unique_and_ids_are_guids() {
        for (i, r) in BUILT_IN_ROLES.iter().enumerate() {
            assert!(crate::ir::Guid::parse(r.id).is_ok(), "{}", r.name);
            assert!(
                BUILT_IN_ROLES[i + 1..]
                    .iter()
                    .all(|o| o.name != r.name && o.id != r.id)
            );
        }
        assert!(lookup("azureml data scientist").is_some());
    }
}
