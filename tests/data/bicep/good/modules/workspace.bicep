param workspaceName string
param location string
param storageAccountId string
param keyVaultId string
param friendlyName string = workspaceName

@allowed([
  'allow_internet_outbound'
  'allow_only_approved_outbound'
])
param isolationMode string

@description('FQDN outbound rules: objects with name and destination.')
param fqdnRules array = []

var outboundRules = union(
  {
    'pypi-service-tag': {
      type: 'ServiceTag'
      category: 'UserDefined'
      destination: {
        serviceTag: 'DataFactory'
        protocol: 'TCP'
        portRanges: '80,8080-8089'
      }
    }
  },
  toObject(fqdnRules, r => r.name, r => {
    type: 'FQDN'
    category: 'UserDefined'
    destination: r.destination
  })
)

resource workspace 'Microsoft.MachineLearningServices/workspaces@2024-10-01' = {
  name: workspaceName
  location: location
  identity: {
    type: 'SystemAssigned'
  }
  sku: {
    name: 'Basic'
    tier: 'Basic'
  }
  properties: {
    friendlyName: friendlyName
    storageAccount: storageAccountId
    keyVault: keyVaultId
    publicNetworkAccess: 'Disabled'
    managedNetwork: {
      isolationMode: isolationMode == 'allow_only_approved_outbound' ? 'AllowOnlyApprovedOutbound' : 'AllowInternetOutbound'
      outboundRules: isolationMode == 'allow_only_approved_outbound' ? outboundRules : {}
      firewallSku: 'Basic'
    }
  }
}

output workspaceId string = workspace.id
output principalId string = workspace.identity.principalId
