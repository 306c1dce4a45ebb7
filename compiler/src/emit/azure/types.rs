//! The resource types amlgen deploys or refers to, as ARM spells them.

pub const WORKSPACE: &str = "Microsoft.MachineLearningServices/workspaces";
pub const COMPUTE: &str = "Microsoft.MachineLearningServices/workspaces/computes";
pub const OUTBOUND_RULE: &str = "Microsoft.MachineLearningServices/workspaces/outboundRules";
pub const STORAGE: &str = "Microsoft.Storage/storageAccounts";
pub const KEY_VAULT: &str = "Microsoft.KeyVault/vaults";
pub const CONTAINER_REGISTRY: &str = "Microsoft.ContainerRegistry/registries";
pub const APP_INSIGHTS: &str = "Microsoft.Insights/components";
pub const LOG_ANALYTICS: &str = "Microsoft.OperationalInsights/workspaces";
pub const PRIVATE_ENDPOINT: &str = "Microsoft.Network/privateEndpoints";
pub const ZONE_GROUP: &str = "Microsoft.Network/privateEndpoints/privateDnsZoneGroups";
pub const PRIVATE_DNS_ZONE: &str = "Microsoft.Network/privateDnsZones";
pub const VNET_LINK: &str = "Microsoft.Network/privateDnsZones/virtualNetworkLinks";
pub const DEPLOYMENT: &str = "Microsoft.Resources/deployments";
pub const VNET: &str = "Microsoft.Network/virtualNetworks";
pub const SUBNET: &str = "Microsoft.Network/virtualNetworks/subnets";
pub const PEERING: &str = "Microsoft.Network/virtualNetworks/virtualNetworkPeerings";
pub const NSG: &str = "Microsoft.Network/networkSecurityGroups";
pub const ROUTE_TABLE: &str = "Microsoft.Network/routeTables";
pub const SERVICE_ENDPOINT_POLICY: &str = "Microsoft.Network/serviceEndpointPolicies";
pub const FIREWALL_POLICY: &str = "Microsoft.Network/firewallPolicies";
pub const ROLE_DEFINITION: &str = "Microsoft.Authorization/roleDefinitions";
pub const ROLE_ASSIGNMENT: &str = "Microsoft.Authorization/roleAssignments";
pub const RULE_COLLECTION_GROUP: &str = "Microsoft.Network/firewallPolicies/ruleCollectionGroups";
pub const POLICY_DEFINITION: &str = "Microsoft.Authorization/policyDefinitions";
pub const POLICY_SET_DEFINITION: &str = "Microsoft.Authorization/policySetDefinitions";
pub const POLICY_ASSIGNMENT: &str = "Microsoft.Authorization/policyAssignments";
