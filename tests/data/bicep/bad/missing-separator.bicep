// expect: 4:20: error[SEP]: expected a newline or ',' between elements
var sku = {
  name: 'Standard_LRS'
  tier: 'Standard' kind: 'StorageV2'
}

output sku object = sku
