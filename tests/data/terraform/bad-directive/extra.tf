locals {
  note = "%{ if true }x%{ endif }"
}
