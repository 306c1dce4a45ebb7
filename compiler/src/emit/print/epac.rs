//! The Enterprise Policy as Code layout (`--policy-layout epac`): one
//! `epac/Definitions/` root per build, holding every custom definition
//! once (two policy blocks share amlgen's definitions, and EPAC stops on a
//! "Duplicate Policy" when one name is defined twice), one set definition
//! and one assignment file per policy block.
//!
//! The files follow EPAC's schemas (Azure/enterprise-azure-policy-as-code,
//! `Schemas/`): a set definition's `properties` may hold only
//! `displayName`, `description`, `metadata`, `parameters`,
//! `policyDefinitions` and the group lists (no `version`, no
//! `policyType`); custom definitions are referenced by
//! `policyDefinitionName`, built-ins by id. An assignment whose effect
//! deploys carries `managedIdentityLocations` and, for roles outside the
//! assignment's scope, `additionalRoleAssignments`, both keyed by the
//! pacSelector (`tenant`).
//!
//! The exemptions the build's accepted risks make are one file,
//! `policyExemptions/<pacSelector>/amlgen-exemptions.json` holding
//! `{ "exemptions": [ ... ] }` (EPAC's `Docs/policy-exemptions.md`: one
//! folder per pacSelector, the lists of all files added together), each
//! entry naming its assignment by `policyAssignmentId` with the initiative's
//! `policyDefinitionReferenceIds` (EPAC's "Option B") and one `scope`,
//! valid against EPAC's `Schemas/policy-exemption-schema.json`.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::arm;
use super::files::Artifacts;
use crate::catalog::controls::Origin;
use crate::emit::azure::PolicyBuild;
use crate::ir::Policy;

const EPAC_SCHEMAS: &str =
    "https://raw.githubusercontent.com/Azure/enterprise-azure-policy-as-code/main/Schemas";

/// The pacSelector the files are written for.
const PAC_SELECTOR: &str = "tenant";

/// The root of the layout in a build.
pub const ROOT: &str = "epac/Definitions";

/// The keys EPAC's set-definition schema allows in `properties`.
const SET_PROPERTIES: &[&str] = &[
    "displayName",
    "description",
    "metadata",
    "importPolicyDefinitionGroups",
    "policyDefinitionGroups",
    "parameters",
    "policyDefinitions",
];

/// One policy block as the layout needs it: its plan, the block, and the
/// region of its assignment's identity (when it has one).
pub struct Block<'a> {
    pub build: PolicyBuild,
    pub policy: &'a Policy,
    pub location: Option<&'a str>,
}

/// Every file of the layout for all policy blocks of a build.
#[must_use]
pub fn artifacts(blocks: &[Block]) -> Artifacts {
    let mut files = Artifacts::new();
    // Each custom definition once, by name; the catalogue gives every
    // block the same text for a name.
    let mut definitions: BTreeMap<String, &Value> = BTreeMap::new();
    for b in blocks {
        for d in &b.build.definitions {
            let name = d["name"].as_str().unwrap_or_default().to_string();
            definitions.entry(name).or_insert(d);
        }
    }
    for (name, d) in definitions {
        let mut v = json!({ "$schema": format!("{EPAC_SCHEMAS}/policy-definition-schema.json") });
        v["name"] = json!(name);
        v["properties"] = d["properties"].clone();
        files.insert(
            format!("{ROOT}/policyDefinitions/{name}.json"),
            arm::to_text(&v),
        );
    }
    for b in blocks {
        let set = set_definition(&b.build);
        files.insert(
            format!("{ROOT}/policySetDefinitions/{}.json", b.build.set_name),
            arm::to_text(&set),
        );
        files.insert(
            format!("{ROOT}/policyAssignments/{}.jsonc", b.policy.name.as_str()),
            arm::to_text(&assignment(b)),
        );
    }
    let exemptions: Vec<Value> = blocks
        .iter()
        .flat_map(|b| b.build.exemptions.iter().map(|e| exemption(&b.build, e)))
        .collect();
    if !exemptions.is_empty() {
        files.insert(
            format!("{ROOT}/policyExemptions/{PAC_SELECTOR}/amlgen-exemptions.json"),
            arm::to_text(&json!({
                "$schema": format!("{EPAC_SCHEMAS}/policy-exemption-schema.json"),
                "exemptions": exemptions,
            })),
        );
    }
    files
}

/// One exemption as EPAC writes it: the policy-native properties, with
/// its scope beside them.
fn exemption(b: &PolicyBuild, e: &crate::emit::azure::Exemption) -> Value {
    let native = e.native(&b.assignment_id);
    let mut v = native["properties"].clone();
    v["name"] = native["name"].clone();
    v["scope"] = native["scope"].clone();
    v
}

/// The set definition: custom definitions by name (EPAC builds their
/// ids), built-ins by id, and only the properties EPAC's schema allows.
fn set_definition(b: &PolicyBuild) -> Value {
    let mut props: Map<String, Value> = b.initiative["properties"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| SET_PROPERTIES.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if let Some(Value::Array(refs)) = props.get_mut("policyDefinitions") {
        for (r, c) in refs.iter_mut().zip(&b.chosen) {
            if let (Origin::Custom { name, .. }, Value::Object(m)) = (&c.origin, r) {
                m.remove("policyDefinitionId");
                m.insert("policyDefinitionName".into(), json!(name));
            }
        }
    }
    json!({
        "$schema": format!("{EPAC_SCHEMAS}/policy-set-definition-schema.json"),
        "name": b.set_name,
        "properties": props,
    })
}

fn assignment(b: &Block) -> Value {
    let a = &b.build.assignment["properties"];
    let parameters: Map<String, Value> = a["parameters"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v["value"].clone()))
        .collect();
    let mut v = json!({
        "$schema": format!("{EPAC_SCHEMAS}/policy-assignment-schema.json"),
        "nodeName": format!("/amlgen/{}", b.policy.name),
        "definitionEntry": { "policySetName": b.build.set_name },
        "assignment": {
            "name": b.build.assignment_name,
            "displayName": a["displayName"],
            "description": a["description"],
        },
        "enforcementMode": "Default",
        "parameters": parameters,
        "scope": { PAC_SELECTOR: [b.build.scope_id] },
    });
    if !b.build.roles.is_empty()
        && let Some(location) = b.location
    {
        v["managedIdentityLocations"] = json!({ PAC_SELECTOR: location });
    }
    let extra: Vec<Value> = b
        .build
        .remote_roles
        .iter()
        .map(|r| {
            json!({
                "roleDefinitionId": format!("/providers/Microsoft.Authorization/roleDefinitions/{}", r.role),
                "scope": r.scope,
            })
        })
        .collect();
    if !extra.is_empty() {
        v["additionalRoleAssignments"] = json!({ PAC_SELECTOR: extra });
    }
    v
}
