resource "azapi_resource" "one" {
  type       = "Microsoft.Network/privateDnsZones@2024-06-01"
  name       = "one.example"
  parent_id  = local.resource_group_id
  location   = "global"
  body       = { properties = {} }
  depends_on = [azapi_resource.two]
}

resource "azapi_resource" "two" {
  type      = "Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01"
  name      = "two"
  parent_id = azapi_resource.one.id
  location  = "global"
  body      = { properties = { registrationEnabled = false } }
}
