param zoneName string
param vnetId string

resource zone 'Microsoft.Network/privateDnsZones@2024-06-01' = {
  name: zoneName
  location: 'global'
  properties: {}

  resource link 'virtualNetworkLinks' = {
    name: 'link-${uniqueString(vnetId)}'
    location: 'global'
    properties: {
      registrationEnabled: false
      virtualNetwork: {
        id: vnetId
      }
    }
  }
}

output zoneId string = zone.id
output linkId string = zone::link.id
