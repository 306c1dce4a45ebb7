output "assignment_id" {
  value = azapi_resource.assignment.id
}
