// expect: module 'dns': missing required param 'zoneName'
module dns '../good/modules/dns.bicep' = [for i in range(0, 2): {
  name: 'dns-${i}'
}]
