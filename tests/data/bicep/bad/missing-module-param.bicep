// expect: module 'storage': missing required param 'storageName'
param location string = resourceGroup().location

module storage '../good/modules/storage.bicep' = {
  name: 'storage'
  params: {
    location: location
  }
}
