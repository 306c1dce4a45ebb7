// expect: duplicate declaration: 'location' is already declared at 2:7
param location string = resourceGroup().location
var location = 'westeurope'

output location string = location
