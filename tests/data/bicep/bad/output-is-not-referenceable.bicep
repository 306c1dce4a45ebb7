// expect: undeclared identifier 'endpoint'
param account string = 'st'

output endpoint string = 'https://${account}.blob.core.windows.net'
var copy = endpoint

output copy string = copy
