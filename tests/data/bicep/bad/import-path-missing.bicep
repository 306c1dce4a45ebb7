// expect: import file not found: 'types.bicep'
import { outboundRule } from 'types.bicep'

param rules outboundRule[] = []

output count int = length(rules)
