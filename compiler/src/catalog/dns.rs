//! Private DNS zone names for the client-VNet private endpoints, per cloud.
//!
//! Source: the project's reference table of Azure names (zones seen in the
//! Azure quickstart templates, Azure Verified Modules and Azure Landing
//! Zones). The Key Vault zone is `privatelink.vaultcore.azure.net`, not
//! `privatelink.vault.azure.net`. Zones the reference does not list for a
//! sovereign cloud are `None` and are not checked there.

use crate::ir::{ClientEndpoint, Cloud};

/// The zones a client private endpoint to `target` needs in `cloud`, or
/// `None` where no verified name is known.
#[must_use]
pub fn zones(target: ClientEndpoint, cloud: Cloud) -> Option<&'static [&'static str]> {
    match (target, cloud) {
        (ClientEndpoint::Workspace, Cloud::Public) => Some(&[
            "privatelink.api.azureml.ms",
            "privatelink.notebooks.azure.net",
        ]),
        (ClientEndpoint::Workspace, Cloud::UsGov) => Some(&[
            "privatelink.api.ml.azure.us",
            "privatelink.notebooks.usgovcloudapi.net",
        ]),
        (ClientEndpoint::Workspace, Cloud::China) => Some(&[
            "privatelink.api.ml.azure.cn",
            "privatelink.notebooks.chinacloudapi.cn",
        ]),
        (ClientEndpoint::Storage, Cloud::Public) => Some(&[
            "privatelink.blob.core.windows.net",
            "privatelink.file.core.windows.net",
        ]),
        (ClientEndpoint::Storage, Cloud::UsGov) => Some(&[
            "privatelink.blob.core.usgovcloudapi.net",
            "privatelink.file.core.usgovcloudapi.net",
        ]),
        (ClientEndpoint::Storage, Cloud::China) => Some(&[
            "privatelink.blob.core.chinacloudapi.cn",
            "privatelink.file.core.chinacloudapi.cn",
        ]),
        (ClientEndpoint::KeyVault, Cloud::Public) => Some(&["privatelink.vaultcore.azure.net"]),
        (ClientEndpoint::ContainerRegistry, Cloud::Public) => Some(&["privatelink.azurecr.io"]),
        (ClientEndpoint::KeyVault | ClientEndpoint::ContainerRegistry, _) => None,
    }
}

/// The sub-resources (group ids) a client private endpoint to `target`
/// is made for, each with its public-cloud zones (the position in
/// [`zones`]' public list maps it onto another cloud's).
#[must_use]
pub fn client_groups(target: ClientEndpoint) -> &'static [(&'static str, &'static [&'static str])] {
    match target {
        ClientEndpoint::Workspace => &[(
            "amlworkspace",
            &[
                "privatelink.api.azureml.ms",
                "privatelink.notebooks.azure.net",
            ],
        )],
        ClientEndpoint::Storage => &[
            ("blob", &["privatelink.blob.core.windows.net"]),
            ("file", &["privatelink.file.core.windows.net"]),
        ],
        ClientEndpoint::KeyVault => &[("vault", &["privatelink.vaultcore.azure.net"])],
        ClientEndpoint::ContainerRegistry => &[("registry", &["privatelink.azurecr.io"])],
    }
}
