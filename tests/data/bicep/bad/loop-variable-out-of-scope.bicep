// expect: undeclared identifier 'zone'
param zones array = [
  'privatelink.api.azureml.ms'
]

var links = [for zone in zones: {
  name: 'link-${zone}'
}]
var lastZone = zone

output links array = links
output lastZone string = lastZone
