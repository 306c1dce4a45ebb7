@description('Storage account name (3-24 lower-case letters and digits).')
param storageName string
param location string
param tags object = {}
param sku string = 'Standard_LRS'
@description('Extra IP rules, none by default.')
param ipRules string[]?

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageName
  location: location
  tags: tags
  sku: {
    name: sku
  }
  kind: 'StorageV2'
  properties: {
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    minimumTlsVersion: 'TLS1_2'
    publicNetworkAccess: 'Disabled'
    networkAcls: {
      defaultAction: 'Deny'
      bypass: 'AzureServices'
      ipRules: map(ipRules ?? [], ip => { value: ip, action: 'Allow' })
    }
  }
}

output storageId string = account.id
output blobEndpoint string = account.properties.primaryEndpoints.blob
