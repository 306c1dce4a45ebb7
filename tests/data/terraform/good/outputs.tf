output "workspace_id" {
  value = azapi_resource.workspace_workspace.id
}

output "workspace_principal_id" {
  value = azapi_resource.workspace_workspace.output.identity.principalId
}
