locals {
  note = "${resourceGroup().id}"
}
