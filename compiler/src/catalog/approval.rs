//! Private endpoint connection approval: the operations that read and
//! approve a connection on the types the approver built-in does not cover
//! (the custom approver role's actions), and the types whose approval
//! action the built-in lists.

/// The operations that read and approve a private endpoint connection, per
/// type the approver built-in does not cover, spelled as Microsoft's
/// provider-operations pages print them (sources in
/// `docs/research/pe-approval-actions.md`): the approval action, and
/// `privateEndpointConnections/read` and `/write`, the minimum Microsoft's
/// private link troubleshooting article gives.
pub const APPROVAL_ACTIONS: &[(&str, &[&str])] = &[
    (
        "Microsoft.DataFactory/factories",
        &[
            "Microsoft.DataFactory/factories/PrivateEndpointConnectionsApproval/action",
            "Microsoft.DataFactory/factories/privateEndpointConnections/read",
            "Microsoft.DataFactory/factories/privateEndpointConnections/write",
        ],
    ),
    (
        "Microsoft.Databricks/workspaces",
        &[
            "Microsoft.Databricks/workspaces/privateEndpointConnectionsApproval/action",
            "Microsoft.Databricks/workspaces/privateEndpointConnections/read",
            "Microsoft.Databricks/workspaces/privateEndpointConnections/write",
        ],
    ),
    (
        "Microsoft.DBforMariaDB/servers",
        &[
            "Microsoft.DBforMariaDB/servers/privateEndpointConnectionsApproval/action",
            "Microsoft.DBforMariaDB/servers/privateEndpointConnections/read",
            "Microsoft.DBforMariaDB/servers/privateEndpointConnections/write",
        ],
    ),
];

/// Types whose `privateEndpointConnectionsApproval/action` the approver
/// built-in lists (Microsoft's built-in roles page, in
/// `docs/research/pe-approval-actions.md`).
pub const APPROVER_LISTS_APPROVAL: &[&str] = &[
    "Microsoft.ContainerRegistry/registries",
    "Microsoft.Cache/redis",
    "Microsoft.Cache/redisEnterprise",
    "Microsoft.DocumentDB/databaseAccounts",
    "Microsoft.KeyVault/vaults",
    "Microsoft.MachineLearningServices/workspaces",
    "Microsoft.Sql/servers",
];

/// The custom approver role's actions for the types it must cover.
#[must_use]
pub fn actions(types: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = types
        .iter()
        .flat_map(|t| {
            match APPROVAL_ACTIONS
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(t))
            {
                Some((_, actions)) => actions.iter().map(|a| (*a).to_string()).collect::<Vec<_>>(),
                None => vec![
                    format!("{t}/privateEndpointConnections/read"),
                    format!("{t}/privateEndpointConnections/write"),
                ],
            }
        })
        .collect();
    out.sort();
    out.dedup();
    out
}
