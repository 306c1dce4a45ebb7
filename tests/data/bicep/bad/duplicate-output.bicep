// expect: duplicate declaration: 'id' is already declared at 4:8
var base = 'x'

output id string = base
output id string = '${base}-2'
