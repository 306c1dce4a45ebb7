// Parameters for main.bicep.
using './main.bicep'

param workspaceName = 'mlw-fraud-prod'
param peSubnetId = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/vnet-hub/subnets/snet-pe'
param allowedFqdns = [
  'pypi.org'
  'files.pythonhosted.org'
  '*.anaconda.org'
]
param tags = {
  environment: 'prod'
  costCenter: toUpper('ml-${region}')
}
param adminObjectId = readEnvironmentVariable('ADMIN_OBJECT_ID', '')

var region = 'weu'
