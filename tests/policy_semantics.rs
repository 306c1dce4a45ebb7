//! Azure Policy semantics the offline evaluator follows, each checked with a
//! compliant and a non-compliant case: `ipRangeContains()` ("Azure Policy
//! definition structure policy rule", policy functions), the `Indexed` mode
//! ("Azure Policy definition structure basics", mode), `[[` literals in each
//! form a definition is read in, and assignment values checked against
//! `allowedValues` case-sensitively, from the library and from `amlgen
//! policy eval`.

#[path = "common/policy.rs"]
mod policy_data;

use amlgen::policy::{Context, Definition, ErrorKind, Escaping, Verdict, evaluate};
use policy_data::{amlgen as cli, load as read, params as assigned};
use serde_json::{Map, Value, json};

fn run(def: &Value, escaping: Escaping, values: &Value, res: &Value) -> Verdict {
    Definition::from_json(def, escaping)
        .unwrap_or_else(|e| panic!("{def}: {e}"))
        .evaluate(&assigned(values), res, &Context::default())
        .unwrap_or_else(|e| panic!("{def} on {res}: {e}"))
}

const PNA: &str = "builtin/MachineLearning/Workspace_PublicNetworkAccessDisabled_Audit.json";

// ---------------------------------------------------------------------------
// allowedValues: case-sensitive, as Azure's assignment is
// ---------------------------------------------------------------------------

#[test]
fn allowed_values_compare_case_sensitively() {
    let d = Definition::from_json(&read(PNA), Escaping::Auto).unwrap();
    // Compliant with the definition: the value as it is declared.
    assert!(
        d.check_parameters(&assigned(&json!({"effect": "Deny"})))
            .is_ok()
    );
    // Azure refuses `deny` where `Deny` is allowed.
    let e = d
        .check_parameters(&assigned(&json!({"effect": "deny"})))
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Parameter);
    assert!(e.message.contains("allowed: Audit, Deny, Disabled"), "{e}");
    assert!(e.message.contains("write `Deny`"), "{e}");
    // Array parameters: every member exactly as allowed.
    let locations = json!({"parameters": {"allowedLocations": {"type": "Array",
        "allowedValues": ["eastus2", "westus2"]}},
        "policyRule": {"if": {"not": {"field": "location", "in": "[parameters('allowedLocations')]"}}, "then": {"effect": "audit"}}});
    let d = Definition::from_json(&locations, Escaping::Auto).unwrap();
    assert!(
        d.check_parameters(&assigned(&json!({"allowedLocations": ["westus2"]})))
            .is_ok()
    );
    let e = d
        .check_parameters(&assigned(
            &json!({"allowedLocations": ["westus2", "EastUS2"]}),
        ))
        .unwrap_err();
    assert!(e.message.contains("write `eastus2`"), "{e}");
}

#[test]
fn cli_refuses_a_value_allowed_only_in_another_case() {
    let ok = cli(&[
        "policy",
        "eval",
        "--policy",
        PNA,
        "--param",
        "effect=Deny",
        "resources/ws-public.json",
    ]);
    assert_eq!(ok.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&ok.stdout),
        "resources/ws-public.json: Deny (matched)\n"
    );
    let bad = cli(&[
        "policy",
        "eval",
        "--policy",
        PNA,
        "--param",
        "effect=deny",
        "resources/ws-public.json",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(bad.stdout.is_empty());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("does not allow the string \"deny\" (allowed: Audit, Deny, Disabled)")
            && err.contains("write `Deny`"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------
// ipRangeContains(range, targetRange)
// ---------------------------------------------------------------------------

fn workspace_with_ip_rules(rules: &[&str]) -> Value {
    let rules: Vec<Value> = rules.iter().map(|r| json!({"value": r})).collect();
    json!({
        "id": "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.MachineLearningServices/workspaces/mlw-x",
        "name": "mlw-x",
        "type": "Microsoft.MachineLearningServices/workspaces",
        "location": "westeurope",
        "properties": {"publicNetworkAccess": "Enabled", "networkAcls": {"defaultAction": "Deny", "ipRules": rules}}
    })
}

/// Audits a workspace that admits an address outside the approved ranges:
/// Microsoft's "address prefix not under the approved prefixes" example
/// (value count over a parameter, `ipRangeContains` in `where`), on the
/// workspace's selected-IP rules.
fn approved_ranges_rule() -> Value {
    json!({"mode": "Indexed",
        "parameters": {"approvedRanges": {"type": "Array"}},
        "policyRule": {"if": {"allOf": [
            {"field": "type", "equals": "Microsoft.MachineLearningServices/workspaces"},
            {"count": {"value": "[field('Microsoft.MachineLearningServices/workspaces/networkAcls.ipRules[*].value')]", "name": "rule",
                "where": {"count": {"value": "[parameters('approvedRanges')]", "name": "approved",
                    "where": {"value": "[ipRangeContains(current('approved'), current('rule'))]", "equals": true}},
                    "equals": 0}},
             "greater": 0}
        ]}, "then": {"effect": "audit"}}})
}

#[test]
fn ip_range_contains_as_documented() {
    let def = approved_ranges_rule();
    let v4 = json!({"approvedRanges": ["203.0.113.0/24", "198.51.100.10-198.51.100.20"]});
    let v6 = json!({"approvedRanges": ["2001:db8::/32"]});
    let verdict = |approved: &Value, rules: &[&str]| {
        run(
            &def,
            Escaping::Auto,
            approved,
            &workspace_with_ip_rules(rules),
        )
    };
    // Compliant: single addresses, a smaller CIDR, a start-end range, IPv6.
    assert!(
        !verdict(
            &v4,
            &[
                "203.0.113.7",
                "203.0.113.128/25",
                "198.51.100.12-198.51.100.20"
            ]
        )
        .matched
    );
    assert!(!verdict(&v6, &["2001:db8:1::/48", "2001:DB8::3:FFFE"]).matched);
    assert!(!verdict(&v4, &[]).matched);
    // Non-compliant: one rule reaches past an approved range.
    assert!(verdict(&v4, &["203.0.113.7", "203.0.112.0/23"]).audits());
    assert!(verdict(&v4, &["198.51.100.9"]).audits());
    assert!(verdict(&v6, &["2001:db9::1"]).audits());
    // An IPv6 rule against IPv4 ranges: the evaluation fails, as documented.
    let e = Definition::from_json(&def, Escaping::Auto)
        .unwrap()
        .evaluate(
            &assigned(&v4),
            &workspace_with_ip_rules(&["2001:db8::1"]),
            &Context::default(),
        )
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Evaluation);
    assert!(e.message.contains("IPv4 range with an IPv6 range"), "{e}");
}

#[test]
fn ip_range_contains_fails_the_evaluation_where_azure_does() {
    let r = workspace_with_ip_rules(&[]);
    let fails = |call: &str| {
        let def = json!({"policyRule": {"if": {"value": call, "equals": true}, "then": {"effect": "deny"}}});
        let e = evaluate(&def, &Map::new(), &r).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Evaluation, "{call}: {e}");
        e.message
    };
    // Mixing IP families and empty ranges are evaluation failures (which
    // Azure turns into a deny).
    assert!(
        fails("[ipRangeContains('10.0.0.0/8', '2001:db8::1')]").contains("IPv4 range with an IPv6")
    );
    assert!(fails("[ipRangeContains('', '10.0.0.1')]").contains("empty"));
    assert!(fails("[ipRangeContains('10.0.0.9-10.0.0.1', '10.0.0.1')]").contains("empty"));
    assert!(
        fails("[ipRangeContains('10.0.0.0/8', 'Internet')]")
            .contains("not an IPv4 or IPv6 address")
    );
    // The number of arguments is checked when the definition is read.
    let def = json!({"policyRule": {"if": {"value": "[ipRangeContains('10.0.0.0/8')]", "equals": true}, "then": {"effect": "deny"}}});
    let e = Definition::from_json(&def, Escaping::Auto).unwrap_err();
    assert!(e.message.contains("takes 2 argument(s)"), "{e}");
}
