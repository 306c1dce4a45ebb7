// expect: unknown function 'resourceGroup'
using '../good/main.bicep'

param workspaceName = 'mlw-${resourceGroup().name}'
param peSubnetId = '/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s'
