// expect: module 'storage': unknown param 'storageSku'
param location string = resourceGroup().location

module storage '../good/modules/storage.bicep' = {
  name: 'storage'
  params: {
    storageName: 'stbad001'
    location: location
    storageSku: 'Standard_GRS'
  }
}
