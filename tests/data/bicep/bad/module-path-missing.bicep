// expect: module 'network': module file not found: 'modules/netwrok.bicep'
module network 'modules/netwrok.bicep' = {
  name: 'network'
}
