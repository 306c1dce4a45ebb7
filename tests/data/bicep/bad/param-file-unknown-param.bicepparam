// expect: param 'workspaceNmae' is not declared in '../good/main.bicep'
using '../good/main.bicep'

param workspaceName = 'mlw-a'
param workspaceNmae = 'mlw-b'
param peSubnetId = '/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s'
