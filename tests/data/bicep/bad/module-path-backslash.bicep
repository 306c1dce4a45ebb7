// expect: module paths use '/', not '\'
module storage '..\\good\\modules\\storage.bicep' = {
  name: 'storage'
}
