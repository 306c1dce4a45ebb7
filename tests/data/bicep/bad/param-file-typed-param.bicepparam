// expect: 5:1: error[PARAM]: a .bicepparam file sets a parameter as `param NAME = value`, without a type
using '../good/main.bicep'

param workspaceName = 'mlw-a'
param peSubnetId string
