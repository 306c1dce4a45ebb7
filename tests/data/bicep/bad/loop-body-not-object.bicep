// expect: error[BODY]: resource loop body must be an object or an 'if' condition
param names array
var accountBody = {
  name: 'x'
}

resource accounts 'Microsoft.Storage/storageAccounts@2023-05-01' = [for name in names: accountBody]
