//! `hub-firewall/`: the allowlist as data, and the rule collection group
//! as ARM JSON and Bicep.

use serde_json::{Value, json};

use super::files::Artifacts;
use super::{arm, bicep};
use crate::emit::azure::firewall::{DEFAULT_PRIORITY, GROUP_NAME};
use crate::emit::azure::{Resource, WorkspaceAllow};

/// The ARM template of the rule collection group, with the same two
/// parameters as the Bicep file.
#[must_use]
pub fn template(group: &Resource) -> Value {
    let mut res = group.body.clone();
    res.insert("type".into(), Value::from(group.arm_type));
    res.insert("apiVersion".into(), Value::from(group.api_version));
    res.insert(
        "name".into(),
        Value::from(format!(
            "[format('{{0}}/{{1}}', parameters('firewallPolicyName'), '{GROUP_NAME}')]"
        )),
    );
    json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {
            "firewallPolicyName": {
                "type": "string",
                "metadata": { "description": "Name of the hub firewall policy, in this resource group" },
            },
            "priority": {
                "type": "int",
                "defaultValue": DEFAULT_PRIORITY,
                "minValue": 100,
                "maxValue": 65000,
                "metadata": { "description": "Priority of the rule collection group in the policy (100 to 65000, unique in the policy)" },
            },
        },
        "resources": [Value::Object(res)],
    })
}

/// `hub-firewall/allowlist.json`.
#[must_use]
pub fn allowlist_json(lists: &[WorkspaceAllow], header: &str) -> Value {
    json!({
        "about": header,
        "rule_collection_group": GROUP_NAME,
        "workspaces": lists,
    })
}

/// All files of `hub-firewall/`.
pub fn artifacts(
    lists: &[WorkspaceAllow],
    group: &Resource,
    hb: &bicep::Templates,
    header: &str,
) -> Result<Artifacts, String> {
    let mut files = Artifacts::new();
    files.insert(
        "hub-firewall/allowlist.json".into(),
        arm::to_text(&allowlist_json(lists, header)),
    );
    files.insert(
        "hub-firewall/azuredeploy.json".into(),
        arm::to_text(&template(group)),
    );
    let workspaces: Vec<&str> = lists.iter().map(|l| l.workspace.as_str()).collect();
    files.insert(
        "hub-firewall/main.bicep".into(),
        bicep::render_hub_firewall(
            hb,
            header,
            &format!(
                "What the hub firewall must allow for the custom VNet workspaces {}",
                workspaces.join(", ")
            ),
            group,
            DEFAULT_PRIORITY,
        )?,
    );
    Ok(files)
}
