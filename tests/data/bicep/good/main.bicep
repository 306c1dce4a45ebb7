// A private Azure Machine Learning workspace with its associated resources,
// the shape amlgen emits: modules, loops, existing resources, conditions.
targetScope = 'resourceGroup'

metadata description = 'Private AML workspace with approved-outbound managed network'

import { ruleKey, outboundRule as rule } from 'functions.bicep'

@description('Workspace name.')
@minLength(3)
@maxLength(33)
param workspaceName string

@description('Region of every resource.')
param location string = resourceGroup().location

@allowed([
  'allow_internet_outbound'
  'allow_only_approved_outbound'
])
param isolationMode string = 'allow_only_approved_outbound'

@description('Resource id of the subnet that hosts the private endpoints.')
param peSubnetId string

@description('FQDNs the workspace may reach.')
param allowedFqdns array = [
  'pypi.org'
  'files.pythonhosted.org'
]

param createDnsZones bool = true

@description('Extra outbound rules, typed with the imported type.')
param extraRules rule[] = []

@secure()
param adminObjectId string = ''

param tags object = {
  environment: 'prod'
  owner: 'ml-platform'
}

var suffix = uniqueString(resourceGroup().id, workspaceName)
var storageName = toLower('st${take(replace(workspaceName, '-', ''), 11)}${suffix}')
// Escapes: \' and \$ are the valid ones besides \\ \n \r \t and \u{...}.
var displayName = 'it\'s ${workspaceName} \${literal} \u{2014} done'
var managed = isolationMode == 'allow_only_approved_outbound'
var fqdnRules = [for (fqdn, i) in allowedFqdns: {
  name: 'fqdn-${i}'
  destination: fqdn
}]
var ruleNames = concat(map(fqdnRules, r => r.name), map(extraRules, r => ruleKey(r)))
var longNames = filter(allowedFqdns, (name, i) => length(name) > 8 && i >= 0)
var byName = toObject(fqdnRules, r => r.name, r => r.destination)
var zoneNames = [
  'privatelink.api.azureml.ms'
  'privatelink.notebooks.azure.net'
]
var rulesByKind = {
  fqdn: length(fqdnRules)
  total: reduce(fqdnRules, 0, (acc, next) => acc + 1)
  sorted: sort(allowedFqdns, (a, b) => a < b)
}

resource hubVnet 'Microsoft.Network/virtualNetworks@2024-05-01' existing = {
  name: split(peSubnetId, '/')[8]
  scope: resourceGroup(split(peSubnetId, '/')[2], split(peSubnetId, '/')[4])
}

resource keyVault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: 'kv-${suffix}'
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    publicNetworkAccess: 'Disabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Deny'
    }
  }

  resource placeholder 'secrets' = if (!empty(adminObjectId)) {
    name: 'admin-object-id'
    properties: {
      value: adminObjectId
    }
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage-${suffix}'
  params: {
    storageName: storageName
    location: location
    tags: tags
  }
}

module workspace './modules/workspace.bicep' = {
  name: 'workspace-${suffix}'
  params: {
    workspaceName: workspaceName
    location: location
    storageAccountId: storage.outputs.storageId
    keyVaultId: keyVault.id
    isolationMode: isolationMode
    fqdnRules: managed ? fqdnRules : []
    friendlyName: displayName
  }
}

@batchSize(1)
module dnsZones 'modules/dns.bicep' = [for zone in zoneNames: if (createDnsZones) {
  name: 'dns-${replace(zone, '.', '-')}'
  params: {
    zoneName: zone
    vnetId: hubVnet.id
  }
}]

module endpoint 'modules/network.bicep' = {
  name: 'pe-${suffix}'
  params: {
    targetId: workspace.outputs.workspaceId
    subnetId: peSubnetId
    location: location
    groupId: 'amlworkspace'
    zoneIds: [for (zone, i) in zoneNames: dnsZones[i].outputs.zoneId]
  }
}

output workspaceId string = workspace.outputs.workspaceId
output secretId string = keyVault::placeholder.id
output ruleNames array = ruleNames
output longNames array = longNames
output byName object = byName
output rulesByKind object = rulesByKind
output zoneCount int = length(zoneNames) - 1
output location string = location
