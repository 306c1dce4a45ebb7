variable "location" {
  type        = string
  description = "Azure region of the workspace and its resources"
  default     = "westeurope"
  validation {
    condition     = var.location == "westeurope"
    error_message = "The posture places the workspace in westeurope."
  }
}

variable "tags" {
  type        = map(string)
  description = "tags for every resource"
  default = {
    "env" = "test"
  }
}
