data "azapi_client_config" "current" {}

data "azapi_resource" "id_builder" {
  type                   = "Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30"
  resource_id            = "/subscriptions/00000000-0000-0000-0000-000000000009/resourceGroups/rg-x/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-builder"
  response_export_values = ["properties.principalId"]
}

locals {
  resource_group_id = "/subscriptions/${data.azapi_client_config.current.subscription_id}/resourceGroups/rg-fixture"
  hub_group_id      = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-hub"
}

# The key vault.
resource "azapi_resource" "key_vault_vault" {
  type      = "Microsoft.KeyVault/vaults@2026-02-01"
  name      = "kvfixture"
  parent_id = local.resource_group_id
  location  = var.location
  tags      = var.tags
  body = {
    properties = {
      enableRbacAuthorization = true
      publicNetworkAccess     = "Disabled"
      sku = {
        family = "A"
        name   = "standard"
      }
      tenantId = data.azapi_client_config.current.tenant_id
    }
  }
}

# The workspace, created once in its first-phase shape.
resource "azapi_resource" "workspace_workspace" {
  type      = "Microsoft.MachineLearningServices/workspaces@2026-05-01"
  name      = "mlw-fixture"
  parent_id = local.resource_group_id
  location  = var.location
  tags      = var.tags
  identity {
    type = "SystemAssigned"
  }
  body = {
    kind = "Default"
    properties = {
      friendlyName        = "mlw-fixture"
      keyVault            = azapi_resource.key_vault_vault.id
      publicNetworkAccess = "Enabled"
    }
    sku = {
      name = "Basic"
      tier = "Basic"
    }
  }
  response_export_values = ["identity.principalId"]
  lifecycle {
    ignore_changes = [body]
  }
}

resource "azapi_resource" "private_endpoints_zone_api" {
  type      = "Microsoft.Network/privateDnsZones@2024-06-01"
  name      = "privatelink.api.azureml.ms"
  parent_id = local.hub_group_id
  location  = "global"
  tags      = var.tags
  body = {
    properties = {}
  }
}

resource "azapi_resource" "private_endpoints_zone_api_link" {
  type      = "Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01"
  name      = "link-vnet-hub"
  parent_id = azapi_resource.private_endpoints_zone_api.id
  location  = "global"
  tags      = var.tags
  body = {
    properties = {
      registrationEnabled = false
      virtualNetwork = {
        id = "${local.hub_group_id}/providers/Microsoft.Network/virtualNetworks/vnet-hub"
      }
    }
  }
}

resource "azapi_resource" "rbac_key_vault_secrets_user" {
  type      = "Microsoft.Authorization/roleAssignments@2022-04-01"
  name      = uuidv5("11fb06fb-712d-4ddd-98c7-e71bbd588830", join("-", [azapi_resource.key_vault_vault.id, azapi_resource.workspace_workspace.output.identity.principalId, "/subscriptions/${data.azapi_client_config.current.subscription_id}/providers/Microsoft.Authorization/roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6"]))
  parent_id = azapi_resource.key_vault_vault.id
  body = {
    properties = {
      principalId      = azapi_resource.workspace_workspace.output.identity.principalId
      principalType    = "ServicePrincipal"
      roleDefinitionId = "/subscriptions/${data.azapi_client_config.current.subscription_id}/providers/Microsoft.Authorization/roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6"
    }
  }
}

resource "azapi_resource" "rbac_builder_secrets_user" {
  type      = "Microsoft.Authorization/roleAssignments@2022-04-01"
  name      = uuidv5("11fb06fb-712d-4ddd-98c7-e71bbd588830", join("-", [azapi_resource.key_vault_vault.id, data.azapi_resource.id_builder.output.properties.principalId, "/subscriptions/${data.azapi_client_config.current.subscription_id}/providers/Microsoft.Authorization/roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6"]))
  parent_id = azapi_resource.key_vault_vault.id
  body = {
    properties = {
      principalId      = data.azapi_resource.id_builder.output.properties.principalId
      principalType    = "ServicePrincipal"
      roleDefinitionId = "/subscriptions/${data.azapi_client_config.current.subscription_id}/providers/Microsoft.Authorization/roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6"
    }
  }
  depends_on = [azapi_resource.workspace_workspace]
}

# The workspace's final settings, after its role assignments.
resource "azapi_update_resource" "workspace_final" {
  type        = "Microsoft.MachineLearningServices/workspaces@2026-05-01"
  resource_id = azapi_resource.workspace_workspace.id
  body = {
    kind = "Default"
    properties = {
      friendlyName        = "mlw-fixture"
      keyVault            = azapi_resource.key_vault_vault.id
      publicNetworkAccess = "Disabled"
    }
    sku = {
      name = "Basic"
      tier = "Basic"
    }
  }
  depends_on = [azapi_resource.rbac_key_vault_secrets_user, azapi_resource.rbac_builder_secrets_user]
}
