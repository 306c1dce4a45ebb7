// expect: error[TS]
using '../good/main.bicep'

param workspaceName = 'mlw-a
param peSubnetId = '/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s'
