// expect: error[TS]
param location string = resourceGroup().location

resource st 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: 'stbad001'
  location: location
  sku: {
    name: 'Standard_LRS'

output id string = st.id
