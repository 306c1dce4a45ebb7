resource "azapi_resource" "typo" {
  type      = "Microsoft.KeyVault/vaults@2026-02-01"
  name      = "kvtypo"
  parent_id = local.resource_group_id
  location  = var.location
  body = {
    properties = {
      publicNetworkAcess = "Disabled"
      sku                = { family = "A", name = "standard" }
      tenantId           = data.azapi_client_config.current.tenant_id
    }
  }
}
