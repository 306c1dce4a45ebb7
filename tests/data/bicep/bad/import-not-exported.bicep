// expect: 'base' is not exported (`@export()`) by '../good/functions.bicep'
import { ruleKey, base } from '../good/functions.bicep'

output key string = ruleKey({ name: 'a', kind: 'fqdn' })
output base object = base
