resource "azapi_resource" "no_parent" {
  type = "Microsoft.Network/privateDnsZones@2024-06-01"
  name = "privatelink.layout.example"
  body = jsonencode({ properties = {} })
}
