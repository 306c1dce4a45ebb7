variable "secret" {
  type = string
}
