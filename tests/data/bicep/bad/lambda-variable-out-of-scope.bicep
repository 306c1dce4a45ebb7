// expect: undeclared identifier 'rule'
param rules array = []

var names = map(rules, rule => rule.name)
var firstRule = rule

output names array = names
output firstRule object = firstRule
