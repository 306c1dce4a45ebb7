// expect: error[NL-DEC]: decorator is not followed by a declaration
param workspaceName string

output name string = workspaceName

@description('nothing follows')
