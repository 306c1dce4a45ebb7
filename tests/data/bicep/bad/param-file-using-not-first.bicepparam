// expect: error[PARAM]: a .bicepparam file must start with a `using` line
param workspaceName = 'mlw-a'
param peSubnetId = '/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s'
using '../good/main.bicep'
