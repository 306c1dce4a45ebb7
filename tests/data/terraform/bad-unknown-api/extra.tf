resource "azapi_resource" "future" {
  type      = "Microsoft.KeyVault/vaults@2099-01-01"
  name      = "kvfuture"
  parent_id = local.resource_group_id
  location  = var.location
  body      = { properties = {} }
}
