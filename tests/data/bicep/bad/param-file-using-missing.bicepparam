// expect: using target not found: './main.bicep'
using './main.bicep'

param workspaceName = 'mlw-a'
