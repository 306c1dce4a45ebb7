resource "azapi_resource" "open" {
  name = "x"
