// expect: required param 'peSubnetId' of '../good/main.bicep' is not set
using '../good/main.bicep'

param workspaceName = 'mlw-a'
