resource "azapi_resource" "definition_pna" {
  type      = "Microsoft.Authorization/policyDefinitions@2026-06-01"
  name      = "amlgen-fixture-pna"
  parent_id = var.management_group_id
  body = {
    properties = {
      displayName = "amlgen: fixture"
      mode        = "All"
      parameters = {
        "effect" = {
          type          = "String"
          defaultValue  = "Audit"
          allowedValues = ["Audit", "Deny", "Disabled"]
        }
      }
      policyRule = {
        "if" = {
          allOf = [
            { field = "type", equals = "Microsoft.MachineLearningServices/workspaces" },
            { field = "Microsoft.MachineLearningServices/workspaces/publicNetworkAccess", notEquals = "Disabled" },
          ]
        }
        "then" = {
          effect = "[parameters('effect')]"
        }
      }
    }
  }
}

resource "azapi_resource" "assignment" {
  type      = "Microsoft.Authorization/policyAssignments@2026-06-01"
  name      = "fixture-guardrails"
  parent_id = var.management_group_id
  body = {
    properties = {
      displayName     = "amlgen: fixture-guardrails"
      enforcementMode = "Default"
      parameters = {
        "effect" = { value = "Deny" }
      }
      policyDefinitionId = azapi_resource.definition_pna.id
    }
  }
}
