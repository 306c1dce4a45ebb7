// expect: 'coalesce' is an ARM function Bicep does not accept: use the `??` operator
param sku string = ''

output sku string = coalesce(sku, 'Standard_LRS')
