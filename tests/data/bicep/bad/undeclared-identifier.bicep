// expect: undeclared identifier 'locaton' (did you mean 'location'?)
param location string = resourceGroup().location

resource st 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: 'stbad${uniqueString(resourceGroup().id)}'
  location: locaton
  sku: {
    name: 'Standard_LRS'
  }
  kind: 'StorageV2'
}
