//! The postures of the suite that must build: every legal posture (each
//! `tests/ui` case marked `# neighbour-of` and each example) and the
//! hostile postures of `tests/adversarial.rs` (hostile strings in every
//! string slot that reaches an output).

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// Every legal posture file, with the previous manifest its header names.
pub fn legal_postures() -> Vec<(PathBuf, Option<PathBuf>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    let mut stack = vec![root.join("tests/ui"), root.join("examples")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "aml") {
                let text = read_posture(&p);
                let example = p.starts_with(root.join("examples"));
                if !example && !text.lines().any(|l| l.starts_with("# neighbour-of:")) {
                    continue;
                }
                let previous = text
                    .lines()
                    .find_map(|l| l.strip_prefix("# previous:"))
                    .map(|n| p.parent().unwrap().join(n.trim()));
                out.push((p, previous));
            }
        }
    }
    out.sort();
    out
}

/// Every posture of the suite that must build, as `(name, text, previous
/// manifest)`: each legal posture file (checked to be more than 100),
/// then the two hostile postures.
pub fn every_legal_case() -> Vec<(String, String, Option<PathBuf>)> {
    let mut cases: Vec<(String, String, Option<PathBuf>)> = legal_postures()
        .into_iter()
        .map(|(path, previous)| (path.display().to_string(), read_posture(&path), previous))
        .collect();
    assert!(cases.len() > 100, "only {} legal postures", cases.len());
    cases.push(("hostile.aml".into(), posture(), None));
    cases.push(("hostile-vnet.aml".into(), custom_vnet_posture(), None));
    cases
}

/// Strings that try to break out of a Bicep or JSON string.
pub const NASTY: &[&str] = &[
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

pub fn esc(s: &str) -> String {
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
pub const ID_NAME: &str = "it's-${x}-ünï";

pub fn posture() -> String {
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

/// Custom VNet mode with hostile strings: an existing spoke whose name
/// Azure's id syntax lets through, a hostile tag, compute size and
/// image-build compute.
pub fn custom_vnet_posture() -> String {
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
    text
}

/// Builds one posture text in memory, as `amlgen build` would.
pub fn build_text(
    name: &str,
    text: String,
    previous: Option<&Path>,
) -> Result<BTreeMap<String, String>, String> {
    build_with(name, text, previous, amlgen::emit::policy::Layout::Plain)
}

/// Builds one posture text in memory with a policy layout.
pub fn build_with(
    name: &str,
    text: String,
    previous: Option<&Path>,
    policy_layout: amlgen::emit::policy::Layout,
) -> Result<BTreeMap<String, String>, String> {
    build_targets(
        name,
        text,
        previous,
        policy_layout,
        amlgen::manifest::bicep_only(),
    )
}

/// Builds one posture text in memory with every target (Bicep and Terraform).
pub fn build_all_targets(
    name: &str,
    text: String,
    previous: Option<&Path>,
) -> Result<BTreeMap<String, String>, String> {
    use amlgen::manifest::Target;
    build_targets(
        name,
        text,
        previous,
        amlgen::emit::policy::Layout::Plain,
        vec![Target::Bicep, Target::Terraform],
    )
}

fn build_targets(
    name: &str,
    text: String,
    previous: Option<&Path>,
    policy_layout: amlgen::emit::policy::Layout,
    targets: Vec<amlgen::manifest::Target>,
) -> Result<BTreeMap<String, String>, String> {
    let options = amlgen::Options {
        previous: previous.map(|p| (p.display().to_string(), std::fs::read_to_string(p).unwrap())),
        ..amlgen::Options::default()
    };
    let outcome = amlgen::compile(
        vec![amlgen::Input {
            name: name.to_string(),
            text,
        }],
        &options,
    );
    let build = amlgen::emit::BuildOptions {
        version: "0.0.0-test".into(),
        templates: None,
        policy_layout,
        targets,
        ..amlgen::emit::BuildOptions::default()
    };
    amlgen::driver::emit(&outcome, &build)
}

/// The posture files under these folders of the project, as `amlgen
/// build <dirs>` reads them from the project root.
pub fn inputs_of(dirs: &[&str]) -> Vec<amlgen::Input> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    for d in dirs {
        paths.extend(amlgen::driver::collect_paths(&[root.join(d)]).unwrap());
    }
    paths
        .iter()
        .map(|p| amlgen::Input {
            name: amlgen::driver::display_name(p.strip_prefix(root).unwrap()),
            text: std::fs::read_to_string(p).unwrap(),
        })
        .collect()
}

/// The text of a posture file; some cases are not UTF-8 on purpose
/// (AML0006).
pub fn read_posture(path: &Path) -> String {
    String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned()
}

/// Builds one posture file in memory.
pub fn build_file(
    path: &Path,
    previous: Option<&Path>,
) -> Result<BTreeMap<String, String>, String> {
    build_text(&path.display().to_string(), read_posture(path), previous)
}
