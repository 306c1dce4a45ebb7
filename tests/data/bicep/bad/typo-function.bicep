// expect: unknown function 'toLowr' (did you mean 'toLower'?)
param workspaceName string

var storageName = toLowr('st${workspaceName}')

output storageName string = storageName
