//! Policy exemptions from accepted risks, as a build writes them: the
//! Bicep module, the nested deployment, `exemptions.json` and EPAC's file
//! for an accepted deny (snapshots), where an exemption goes for each kind
//! of scope, and that only an accepted finding makes one.

use std::collections::BTreeMap;

use amlgen::emit::policy::Layout;
use serde_json::Value;

fn build(text: &str) -> BTreeMap<String, String> {
    let outcome = amlgen::compile(
        vec![amlgen::Input {
            name: "exempt.aml".into(),
            text: text.to_string(),
        }],
        &amlgen::Options::default(),
    );
    assert!(
        outcome.checked.is_some(),
        "does not check: {:?}",
        outcome.diagnostics
    );
    let options = amlgen::emit::BuildOptions {
        version: "0.0.0-test".into(),
        policy_layout: Layout::Epac,
        ..amlgen::emit::BuildOptions::default()
    };
    amlgen::driver::emit(&outcome, &options)
        .unwrap()
        .into_iter()
        .collect()
}

fn exemptions(files: &BTreeMap<String, String>, policy: &str) -> Vec<Value> {
    files
        .get(&format!("policies/{policy}/exemptions.json"))
        .map(|t| serde_json::from_str::<Value>(t).unwrap())
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default()
}

const WORKSPACE: &str = r#"
workspace "mlw-demo" {
  region         = "westeurope"
  resource_group = "rg-ml"
  SUBSCRIPTION
  inbound            { public_network_access = enabled }
  container_registry { public_network_access = enabled }
  outbound           { mode = allow_internet_outbound }
  compute            { ssh = true }
  ACCEPT
}
"#;

fn posture(subscription: &str, accept: &str, policy: &str) -> String {
    format!(
        "{}\n{policy}\n",
        WORKSPACE
            .replace("SUBSCRIPTION", subscription)
            .replace("ACCEPT", accept)
    )
}

const ACCEPT_DENY: &str = r#"accept AML3029 {
    reason   = "Legacy debugging path; jump host monitored by the SOC"
    by       = "ml-platform team"
    expires  = "2099-06-30"
    category = mitigated
  }"#;

const MG_POLICY: &str = r#"policy "ml-guardrails" {
  scope = management_group "mg-ml-landing-zone"
  deny ssh
  audit isolation_mode { allowed = [allow_only_approved_outbound] }
}"#;

const ACCEPT_AUDIT: &str = r#"accept AML3190 {
    reason  = "Open outbound until the package mirror is live"
    by      = "ml-platform team"
    expires = "2099-01-31"
  }"#;

#[test]
fn an_accepted_deny_at_management_group_scope() {
    let files = build(&posture(
        r#"subscription_id = "00000000-0000-0000-0000-000000000001""#,
        &format!("{ACCEPT_DENY}\n  {ACCEPT_AUDIT}"),
        MG_POLICY,
    ));
    insta::assert_snapshot!(
        "exemption_module",
        files["policies/ml-guardrails/modules/exemptions-1.bicep"]
    );
    insta::assert_snapshot!(
        "exemptions_json",
        files["policies/ml-guardrails/exemptions.json"]
    );
    insta::assert_snapshot!(
        "epac_exemptions",
        files["epac/Definitions/policyExemptions/tenant/amlgen-exemptions.json"]
    );
    let main = &files["policies/ml-guardrails/main.bicep"];
    assert!(main.contains("scope: resourceGroup('00000000-0000-0000-0000-000000000001', 'rg-ml')"));
    assert!(main.contains("policyAssignmentId: managementGroupResourceId('Microsoft.Authorization/policyAssignments', 'ml-guardrails')"));
}

/// A subscription-scoped block: a workspace without `subscription_id` is
/// taken to be in the assignment's subscription, so its exemption is there.
#[test]
fn a_subscription_scope_places_the_exemption_in_its_subscription() {
    let policy = r#"policy "sub-guardrails" {
  scope = subscription "00000000-0000-0000-0000-0000000000aa"
  deny ssh
}"#;
    let files = build(&posture("", ACCEPT_DENY, policy));
    let list = exemptions(&files, "sub-guardrails");
    assert_eq!(list.len(), 1);
    assert_eq!(
        list[0]["scope"],
        "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg-ml"
    );
    assert_eq!(
        list[0]["properties"]["policyAssignmentId"],
        "/subscriptions/00000000-0000-0000-0000-0000000000aa/providers/Microsoft.Authorization/policyAssignments/sub-guardrails"
    );
    assert_eq!(
        list[0]["properties"]["policyDefinitionReferenceIds"][0],
        "compute-ssh"
    );
    let main = &files["policies/sub-guardrails/main.bicep"];
    assert!(main.contains(
        "subscriptionResourceId('Microsoft.Authorization/policyAssignments', 'sub-guardrails')"
    ));
}

/// Only the accepted finding is exempted: the audit the workspace does not
/// accept stays a warning and has no exemption; accepted, it has one, for
/// that control's reference only, as a `Waiver` (the default category).
#[test]
fn only_the_accepted_finding_is_exempted() {
    let sub = r#"subscription_id = "00000000-0000-0000-0000-000000000001""#;
    let files = build(&posture(sub, ACCEPT_DENY, MG_POLICY));
    let list = exemptions(&files, "ml-guardrails");
    let refs: Vec<&Value> = list
        .iter()
        .map(|e| &e["properties"]["policyDefinitionReferenceIds"])
        .collect();
    assert_eq!(refs, [&serde_json::json!(["compute-ssh"])]);
    let files = build(&posture(
        sub,
        &format!("{ACCEPT_DENY}\n  {ACCEPT_AUDIT}"),
        MG_POLICY,
    ));
    let list = exemptions(&files, "ml-guardrails");
    assert_eq!(list.len(), 2);
    let audit = list
        .iter()
        .find(|e| e["properties"]["policyDefinitionReferenceIds"][0] == "workspace-isolation-mode")
        .expect("the accepted audit is exempted");
    assert_eq!(audit["properties"]["exemptionCategory"], "Waiver");
    assert_eq!(audit["properties"]["expiresOn"], "2099-01-31T23:59:59Z");
    assert_eq!(audit["properties"]["metadata"]["finding"], "AML3190");
    // No acceptance, no exemption (and the deny is an error).
    let files = build(&posture(
        sub,
        "",
        MG_POLICY.replace("deny ssh", "audit ssh").as_str(),
    ));
    assert!(exemptions(&files, "ml-guardrails").is_empty());
    assert!(!files.contains_key("policies/ml-guardrails/exemptions.json"));
    assert!(!files.keys().any(|k| k.contains("policyExemptions")));
}

/// `POLICY.md` writes posture strings for Markdown (an acceptance's reason
/// as text, a parameter's value as a code span in a row whose `|` is
/// escaped), and fills in the assignment's id where it gives a command.
#[test]
fn policy_md_escapes_posture_strings_and_names_the_assignment() {
    let accept = ACCEPT_DENY.replace(
        "Legacy debugging path;",
        "Legacy <b>debugging</b> path | *jump* [host](http://x);",
    );
    let policy = MG_POLICY.replace(
        "deny ssh",
        "deny ssh\n  audit setup_script { script = \"Users/a|b.sh\" }\n  deny outbound_rules { kinds = [private_endpoint] }",
    );
    let files = build(&posture(
        r#"subscription_id = "00000000-0000-0000-0000-000000000001""#,
        &accept,
        &policy,
    ));
    let md = &files["policies/ml-guardrails/POLICY.md"];
    // Every row of the controls table has its five cells.
    let rows: Vec<&str> = md
        .lines()
        .skip_while(|l| !l.starts_with("| reference |"))
        .take_while(|l| l.starts_with('|'))
        .collect();
    assert!(rows.len() > 3, "{md}");
    for row in &rows {
        let cells = row.replace("\\|", "").matches('|').count();
        assert_eq!(cells, 6, "a cell too many or too few in `{row}`");
    }
    assert!(
        md.contains("`requiredScript` = `\"Users/a\\|b.sh\"`"),
        "{md}"
    );
    // The reason is text: no HTML, emphasis or link of the posture's.
    let exemption = md
        .lines()
        .find(|l| l.starts_with("- `mlw-demo` on "))
        .expect("the exemption's line");
    assert!(
        exemption.contains("Legacy \\<b\\>debugging\\</b\\> path \\| \\*jump\\* \\[host\\]"),
        "{exemption}"
    );
    assert!(!md.contains("<this assignment's id>"), "{md}");
    assert!(md.contains(
        "--policy-assignment /providers/Microsoft.Management/managementGroups/mg-ml-landing-zone/providers/Microsoft.Authorization/policyAssignments/ml-guardrails --policy-definition-reference-ids outbound-rules"
    ), "{md}");
}
