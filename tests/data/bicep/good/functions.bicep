// User-defined types and functions, imports, spread, safe access.
@export()
@description('One outbound rule.')
type outboundRule = {
  @description('Rule name.')
  name: string
  kind: 'fqdn' | 'service_tag' | 'private_endpoint'
  ports: string?
}

@export()
func ruleKey(rule outboundRule) string => '${rule.kind}:${toLower(rule.name)}'

param rules outboundRule[] = []
param extra object = {}

var base = {
  category: 'UserDefined'
  status: 'Active'
}
var merged = {
  ...base
  ...extra
  mode: 'approved'
}
var keys = [...map(rules, r => ruleKey(r)), 'last']
var firstPorts = rules[?0].?ports ?? '443'
var grouped = groupBy(rules, r => r.kind)
var names = objectKeys(merged)
var shallow = shallowMerge([base, extra])
var upper = mapValues(base, v => toUpper(v))
var sysRange = sys.range(0, 3)
var env = az.environment().name
var multi = '''
no escapes here: \q \x
'''

output keys array = keys
output firstPorts string = firstPorts
output grouped object = grouped
output names array = names
output shallow object = shallow
output upper object = upper
output sysRange array = sysRange
output env string = env
output multi string = multi
