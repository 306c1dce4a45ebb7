//! The roles a policy assignment's identity needs on the private DNS zones
//! its deploy effect links (`PolicyBuild::remote_roles`). The zones often
//! live in a hub subscription, outside the assignment's scope, where the
//! role the assignment gets at its own scope does not reach: linking a
//! private endpoint's zone group to a zone needs rights on that zone. One
//! module per resource group of zones, deployed there (Bicep
//! `scope: resourceGroup(...)`, ARM a nested deployment with
//! `subscriptionId` and `resourceGroup`), assigns each role on each zone.

use std::collections::BTreeMap;

use serde_json::json;

use crate::emit::azure::grants::role_definition_id;
use crate::emit::azure::{Expr, Module, PolicyBuild, Resource, api, types};
use crate::ir::ResourceId;

const PRINCIPAL: &str = "assignmentPrincipalId";

/// Per (subscription, resource group): (zone id, zone name, role)s.
type Groups = BTreeMap<(String, String), Vec<(String, String, String)>>;

/// The modules, given the expression of the assignment's principal id.
#[must_use]
pub fn modules(b: &PolicyBuild, principal: &Expr) -> Vec<Module> {
    let mut groups = Groups::new();
    for r in &b.remote_roles {
        let Ok(id) = ResourceId::parse(&r.scope) else {
            continue;
        };
        groups
            .entry((
                id.subscription().as_str().to_string(),
                id.resource_group().to_string(),
            ))
            .or_default()
            .push((r.scope.clone(), id.name().to_string(), r.role.clone()));
    }
    groups
        .into_iter()
        .enumerate()
        .map(|(n, ((sub, rg), grants))| {
            let mut resources: Vec<Resource> = Vec::new();
            let mut zones: Vec<String> = Vec::new();
            for (i, (_, zone, role)) in grants.iter().enumerate() {
                let k = match zones.iter().position(|z| z == zone) {
                    Some(k) => k,
                    None => {
                        zones.push(zone.clone());
                        resources.push(Resource::existing(
                            &format!("zone{}", zones.len()),
                            types::PRIVATE_DNS_ZONE,
                            api::PRIVATE_DNS,
                            zone,
                        ));
                        zones.len() - 1
                    }
                };
                let role_definition = role_definition_id(Expr::str(role));
                resources.push(
                    Resource::from_json(
                        &format!("zoneRole{}", i + 1),
                        types::ROLE_ASSIGNMENT,
                        api::ROLES,
                        &[],
                        format!("role {role} on private DNS zone {zone} for the policy assignment's identity, which links private endpoints to it"),
                        json!({ "properties": {
                            "roleDefinitionId": role_definition,
                            "principalId": Expr::param(PRINCIPAL),
                            "principalType": "ServicePrincipal",
                        } }),
                    )
                    .on(&format!("zone{}", k + 1))
                    // `guid(scope, principal, role)`, as the workspace's.
                    .named(Expr::call(
                        "guid",
                        vec![
                            Expr::resource_id(types::PRIVATE_DNS_ZONE, &[zone]),
                            Expr::param(PRINCIPAL),
                            role_definition.clone(),
                        ],
                    )),
                );
            }
            Module {
                symbol: format!("zoneRoles{}", n + 1),
                file: format!("zone-roles-{}", n + 1),
                deployment_name: format!("amlgen-{}-zone-roles-{}", b.assignment_name, n + 1),
                description: format!(
                    "roles for the assignment's identity on the private DNS zones of resource group {rg} (subscription {sub})"
                ),
                resources,
                depends_on: vec!["assignment".to_string()],
                target: Some((sub, rg)),
                params: vec![(PRINCIPAL.to_string(), principal.clone())],
                condition: None,
            }
        })
        .collect()
}
