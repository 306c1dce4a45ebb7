variable "management_group_id" {
  type        = string
  description = "the management group the policy block is assigned at"
}
