targetScope = 'subscription'

// A call followed by a property inside an array, in a resource body: the
// grammar splits it in two elements; it is still a call.
resource role 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: '00000000-0000-0000-0000-000000000001'
  properties: {
    assignableScopes: [
      subscription().id
    ]
    roleName: 'example'
  }
}
