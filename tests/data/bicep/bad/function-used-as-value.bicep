// expect: 'resourceGroup' is a function: call it, as in resourceGroup(...)
var group = resourceGroup

output name string = group.name
