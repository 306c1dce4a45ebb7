//! Adversarial strings in every string slot of a posture that reaches an
//! output (tags, names of compute scripts and sizes, the image-build
//! compute, resource ids of existing resources, subnets, private endpoint
//! targets, hub DNS zones, a user-assigned identity): the build still
//! parses with the Bicep grammar, passes the Bicep checks, validates
//! against Microsoft's schemas, and every value round-trips.

#[path = "common/arm.rs"]
mod arm;
#[path = "common/bicep.rs"]
mod bicep;

use std::fmt::Write;
use std::path::Path;

use amlgen::emit::escape::{is_arm_expression, unarm_literal, unbicep_string};

/// Strings that try to break out of a Bicep or JSON string.
const NASTY: &[&str] = &[
    "it's",
    "${resourceGroup().id}",
    "line\nbreak\r\ttab",
    "ünïcødé ✓ 🚀",
    "'\n}\nresource evil 'Microsoft.Storage/storageAccounts@2026-04-01' = {",
    "[parameters('location')]",
    "[[x]",
    "back\\slash",
    "// not a comment */ /*",
    "esc\n// after an escape \t/* too",
];

fn esc(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' => out.push_str("\\$"),
            c => out.push(c),
        }
    }
    out
}

/// A resource-id segment Azure's id syntax lets through (no `"`, `\`,
/// control characters, `?`, `#`, `<`, `>`, `/`).
const ID_NAME: &str = "it's-${x}-ünï";

fn posture() -> String {
    let sub = "/subscriptions/00000000-0000-0000-0000-000000000009/resourceGroups/rg-x";
    let mut tags = String::new();
    for (i, s) in NASTY.iter().enumerate() {
        let _ = writeln!(tags, "    t{i} = \"{}\"", esc(s));
    }
    let n = esc(ID_NAME);
    format!(
        r#"let sub = "{sub}"
workspace "mlw-nasty" {{
  resource_group = "rg-nasty"
  region = "westeurope"
  profile = exfiltration_protected
  identity = user_assigned "${{sub}}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{n}"
  tags = {{
{tags}  }}
  inbound {{
    public_network_access = disabled
    private_endpoint {{
      subnet = "${{sub}}/providers/Microsoft.Network/virtualNetworks/vnet-{n}/subnets/snet-{n}"
      dns = create
    }}
  }}
  outbound {{
    rule "lake" private_endpoint "${{sub}}/providers/Microsoft.Storage/storageAccounts/{n}" {{ subresource = blob }}
  }}
  storage {{ existing = "${{sub}}/providers/Microsoft.Storage/storageAccounts/st-{n}" }}
  container_registry {{ sku = premium  image_build_compute = "{ibc}" }}
  compute {{ setup_script = "{script}" }}
  compute "ci-nasty" {{ kind = instance  vm_size = "{size}" }}
}}
"#,
        ibc = esc(NASTY[0]),
        script = esc(NASTY[4]),
        size = esc(NASTY[1]),
    )
}

/// Checks and builds a posture (it must have no error) into a fresh
/// directory under the target's temporary one.
fn build(text: String, dir: &str) -> (amlgen::emit::Artifacts, std::path::PathBuf) {
    let outcome = amlgen::compile(
        vec![amlgen::Input {
            name: "nasty.aml".into(),
            text,
        }],
        &amlgen::Options::default(),
    );
    let rendered = amlgen::diag::render::human(&outcome.diagnostics, &outcome.sources, false);
    assert!(!outcome.has_errors(), "{rendered}");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(dir);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("out");
    let options = amlgen::emit::BuildOptions {
        version: "0.0.0-test".into(),
        templates: None,
        ..amlgen::emit::BuildOptions::default()
    };
    let files = amlgen::driver::emit(&outcome, &options).unwrap();
    amlgen::driver::write_atomic(&out, &files).unwrap();
    (files, out)
}

#[test]
fn adversarial_strings_in_every_slot() {
    let (files, out) = build(posture(), "adversarial");

    // Bicep: parses, and passes the checks a compiler would do first.
    let mut errors = Vec::new();
    let bicep_files = bicep::bicep_files(&out);
    assert!(bicep_files.len() >= 5);
    for f in &bicep_files {
        errors.extend(bicep::file_errors(f));
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));

    // ARM: validates against the schemas.
    let arm_text = &files["workspaces/mlw-nasty/azuredeploy.json"];
    let template: serde_json::Value = serde_json::from_str(arm_text).unwrap();
    let errors = arm::validate_template(&template);
    assert!(errors.is_empty(), "{}", errors.join("\n"));

    // Every tag value comes back from both outputs as written.
    let tag_values = &template["parameters"]["tags"]["defaultValue"];
    let main = &files["workspaces/mlw-nasty/main.bicep"];
    for (i, s) in NASTY.iter().enumerate() {
        let got = tag_values[format!("t{i}")].as_str().unwrap();
        assert!(!is_arm_expression(got), "{got}");
        assert_eq!(unarm_literal(got), *s);
        let line = main
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("t{i}: ")))
            .unwrap_or_else(|| panic!("t{i} missing"));
        let lit = line.trim_start().trim_start_matches(&format!("t{i}: "));
        assert_eq!(unbicep_string(lit).as_deref(), Some(*s), "{line}");
    }

    // The ids, the script, the size and the image-build compute reach the
    // outputs intact: as ARM literals in the JSON, as Bicep literals.
    let workspace_bicep = &files["workspaces/mlw-nasty/modules/workspace.bicep"];
    let pe_bicep = &files["workspaces/mlw-nasty/modules/private-endpoints.bicep"];
    for want in [
        format!("st-{ID_NAME}"),
        format!("snet-{ID_NAME}"),
        format!("userAssignedIdentities/{ID_NAME}"),
        NASTY[0].to_string(),
        NASTY[1].to_string(),
        NASTY[4].to_string(),
    ] {
        let quoted = serde_json::to_string(&want).unwrap();
        let in_arm = arm_text.contains(&quoted[1..quoted.len() - 1]);
        let in_bicep = [workspace_bicep, pe_bicep].iter().any(|b| {
            b.lines().any(|l| {
                l.split_once(": ")
                    .and_then(|(_, v)| unbicep_string(v))
                    .is_some_and(|v| v.contains(&want))
            })
        });
        assert!(in_arm, "{want:?} missing from the ARM JSON");
        assert!(in_bicep, "{want:?} missing from the Bicep");
    }
    for (path, text) in &files {
        assert!(
            !text.lines().any(|l| l.starts_with("resource evil")),
            "{path} gained a declaration"
        );
    }
}

/// Custom VNet mode: an existing spoke whose name Azure's id syntax lets
/// through reaches the network module (declared `existing`), the compute
/// subnet ids and the hub firewall artifact intact and inert.
#[test]
fn adversarial_strings_in_a_custom_vnet() {
    let sub = "/subscriptions/00000000-0000-0000-0000-000000000009/resourceGroups/rg-x";
    let n = esc(ID_NAME);
    let text = format!(
        r#"workspace "mlw-nasty" {{
  resource_group = "rg-nasty"
  region = "westeurope"
  subscription_id = "00000000-0000-0000-0000-000000000009"
  tags = {{ t = "{tag}" }}
  inbound {{ public_network_access = disabled }}
  outbound {{
    mode = custom_vnet
    vnet {{
      existing    = "{sub}/providers/Microsoft.Network/virtualNetworks/vnet-{n}"
      training    = "10.1.0.0/24"
      pe          = "10.1.1.0/27"
      firewall_ip = "10.0.1.4"
      keep training {{ delegations = {{ "{tag}" = "Microsoft.ContainerInstance/containerGroups" }} }}
      keep pe {{}}
    }}
  }}
  container_registry {{ image_build_compute = "{ibc}" }}
  compute "cpu" {{ kind = cluster  vm_size = "{size}" }}
}}
"#,
        tag = esc(NASTY[4]),
        ibc = esc(NASTY[0]),
        size = esc(NASTY[1]),
    );
    let (files, out) = build(text, "adversarial-vnet");
    let mut errors = Vec::new();
    for f in &bicep::bicep_files(&out) {
        errors.extend(bicep::file_errors(f));
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    for path in [
        "workspaces/mlw-nasty/azuredeploy.json",
        "hub-firewall/azuredeploy.json",
    ] {
        let template: serde_json::Value = serde_json::from_str(&files[path]).unwrap();
        let errors = arm::validate_template(&template);
        assert!(errors.is_empty(), "{path}: {}", errors.join("\n"));
    }
    let network = &files["workspaces/mlw-nasty/modules/network.bicep"];
    let want = format!("vnet-{ID_NAME}");
    assert!(
        network.lines().any(|l| l
            .split_once(": ")
            .and_then(|(_, v)| unbicep_string(v))
            .is_some_and(|v| v == want)),
        "the existing VNet's name is missing from the network module"
    );
    let workspace = &files["workspaces/mlw-nasty/modules/workspace.bicep"];
    assert!(workspace.lines().any(|l| {
        l.split_once(": ")
            .and_then(|(_, v)| unbicep_string(v))
            .is_some_and(|v| v.ends_with(&format!("vnet-{ID_NAME}/subnets/snet-training")))
    }));
    for (path, text) in &files {
        assert!(
            !text.lines().any(|l| l.starts_with("resource evil")),
            "{path} gained a declaration"
        );
    }
}
