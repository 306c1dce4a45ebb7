// expect: 2:33: error[NL-DEC]: a decorator must be followed by a newline
@description('Workspace name.') param workspaceName string

output name string = workspaceName
