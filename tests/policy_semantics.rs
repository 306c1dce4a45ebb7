//! Azure Policy semantics the offline evaluator follows, each checked with a
//! compliant and a non-compliant case: `ipRangeContains()` ("Azure Policy
//! definition structure policy rule", policy functions), the `Indexed` mode
//! ("Azure Policy definition structure basics", mode), `[[` literals in each
//! form a definition is read in, and assignment values checked against
//! `allowedValues` case-sensitively, from the library and from `amlgen
//! policy eval`.

#[path = "common/policy.rs"]
mod policy_data;

use amlgen::policy::{Definition, ErrorKind, Escaping};
use policy_data::{amlgen as cli, load as read, params as assigned};
use serde_json::json;

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
