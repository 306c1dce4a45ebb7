resource "azapi_resource" "key_vault_vault" {
  type      = "Microsoft.KeyVault/vaults@2026-02-01"
  name      = "kvfixture"
  parent_id = local.resource_group_id
  body      = { properties = {} }
}
