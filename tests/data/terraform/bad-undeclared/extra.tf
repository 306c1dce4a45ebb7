locals {
  broken = "${azapi_resource.nope.id}/${var.missing}/${local.nothing}"
  other  = data.azapi_resource.none.output
}
