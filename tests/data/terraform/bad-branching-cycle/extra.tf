locals {
  a = "${local.b}${local.b}${local.b}${local.b}"
  b = "${local.a}${local.a}${local.a}${local.a}"
}

resource "azapi_resource" "x" {
  type      = "Microsoft.Network/privateDnsZones@2024-06-01"
  name      = "${azapi_resource.y.name}${azapi_resource.y.name}${azapi_resource.y.name}"
  parent_id = azapi_resource.y.id
  location  = "global"
  body      = { properties = {} }
}

resource "azapi_resource" "y" {
  type      = "Microsoft.Network/privateDnsZones@2024-06-01"
  name      = "${azapi_resource.x.name}${azapi_resource.x.name}${azapi_resource.x.name}"
  parent_id = azapi_resource.x.id
  location  = "global"
  body      = { properties = {} }
}
