// expect: unknown function 'az.resourceGroups' (did you mean 'resourceGroup'?)
param location string = az.resourceGroups().location

output location string = location
