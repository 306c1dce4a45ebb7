resource "azapi_resource" "zone_extra" {
  type      = "Microsoft.Network/privateDnsZones@2024-06-01"
  name      = "privatelink.extra.example"
  parent_id = local.hub_group_id
  location  = "global"
  tags      = var.tags
  body      = { properties = {} }
}
