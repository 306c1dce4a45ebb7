//! The direct Bicep printer against its specification, the embedded
//! templates of `templates/`: every `.bicep` and `.bicepparam` file of
//! every legal posture (the examples, each ui `neighbour-of` case, the
//! hostile postures), of the issue-17 fleet shape and of a hostile policy
//! posture, printed directly and rendered with Handlebars from the same
//! templates (`--templates` naming a copy of all five), byte for byte.

#[path = "common/postures.rs"]
mod postures;

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

use amlgen::emit::BuildOptions;

/// The five templates, as shipped.
const TEMPLATES: &[&str] = &[
    "hub-firewall.bicep",
    "main.bicep",
    "main.bicepparam",
    "module.bicep",
    "policy.bicep",
];

/// A copy of the embedded templates in a directory of its own, each with
/// `prefix` before its text: `--templates` with it renders every file
/// through Handlebars.
fn templates_dir(name: &str, prefix: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("bicep-printer-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for t in TEMPLATES {
        let text = std::fs::read_to_string(root.join(format!("templates/{t}.hbs"))).unwrap();
        std::fs::write(dir.join(format!("{t}.hbs")), format!("{prefix}{text}")).unwrap();
    }
    dir
}

/// The Bicep files of a build of `inputs`, with the templates of `dir`
/// (none: the direct printer).
fn bicep_of(
    inputs: Vec<amlgen::Input>,
    previous: Option<&Path>,
    dir: Option<&Path>,
) -> BTreeMap<String, String> {
    let options = amlgen::Options {
        previous: previous.map(|p| (p.display().to_string(), std::fs::read_to_string(p).unwrap())),
        ..amlgen::Options::default()
    };
    let outcome = amlgen::compile(inputs, &options);
    let build = BuildOptions {
        version: "0.0.0-test".into(),
        templates: dir.map(Path::to_path_buf),
        ..BuildOptions::default()
    };
    let mut files = amlgen::driver::emit(&outcome, &build).expect("it builds");
    files.retain(|path, _| {
        Path::new(path)
            .extension()
            .is_some_and(|e| e == "bicep" || e == "bicepparam")
    });
    files
}

/// The first line where two texts differ, for the failure message.
fn first_difference(a: &str, b: &str) -> String {
    let (mut la, mut lb) = (a.lines(), b.lines());
    for n in 1.. {
        match (la.next(), lb.next()) {
            (None, None) => return "a line end".to_string(),
            (x, y) if x == y => {}
            (x, y) => return format!("line {n}: direct {x:?}, templates {y:?}"),
        }
    }
    unreachable!()
}

/// Every Bicep file of `inputs` printed directly equals the one the
/// templates render; returns how many files were compared.
fn assert_same(case: &str, inputs: &[amlgen::Input], previous: Option<&Path>) -> usize {
    static SAME: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    let dir = SAME.get_or_init(|| templates_dir("same", ""));
    let direct = bicep_of(inputs.to_vec(), previous, None);
    let rendered = bicep_of(inputs.to_vec(), previous, Some(dir));
    assert_eq!(
        direct.keys().collect::<Vec<_>>(),
        rendered.keys().collect::<Vec<_>>(),
        "{case}: the same files"
    );
    for (path, text) in &direct {
        let other = &rendered[path];
        assert!(
            text == other,
            "{case}: `{path}` printed differs from the template's, at {}",
            first_difference(text, other)
        );
    }
    direct.len()
}

fn input(name: &str, text: String) -> amlgen::Input {
    amlgen::Input {
        name: name.to_string(),
        text,
    }
}

#[test]
fn every_template_is_rendered_when_all_are_overridden() {
    // The comparison is worth something only if the override path really
    // renders every file: each copy marked, each file carries the mark.
    let dir = templates_dir("marked", "// rendered\n");
    let files = bicep_of(postures::inputs_of(&["examples"]), None, Some(&dir));
    let kinds = [
        "/main.bicep",
        "/main.bicepparam",
        "/modules/",
        "/deployer/main.bicep",
        "hub-firewall/main.bicep",
    ];
    for kind in kinds {
        assert!(
            files.keys().any(|p| p.contains(kind)),
            "no `{kind}` file in the examples"
        );
    }
    assert!(files.keys().any(|p| p.starts_with("policies/")));
    for (path, text) in &files {
        assert!(text.starts_with("// rendered\n"), "{path} was not rendered");
    }
}

#[test]
fn the_examples_print_as_the_templates_render_them() {
    let n = assert_same("examples", &postures::inputs_of(&["examples"]), None);
    assert!(n > 50, "only {n} files");
}

#[test]
fn every_legal_posture_prints_as_the_templates_render_it() {
    let mut files = 0;
    for (name, text, previous) in postures::every_legal_case() {
        files += assert_same(&name, &[input(&name, text)], previous.as_deref());
    }
    assert!(files > 500, "only {files} files");
}

/// The fleet of issue 17 (`benches/fleet.rs`): workspaces of 20 outbound
/// rules, FQDN, service tag and private endpoint, behind a hub.
fn fleet(workspaces: usize) -> String {
    let mut text = String::from(
        "let hub = \"/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg-hub/providers/Microsoft.Network\"\n\
         defaults {\n  region = \"westeurope\"\n  profile = exfiltration_protected\n  tags = { fleet = \"bench\" }\n}\n",
    );
    for w in 0..workspaces {
        let _ = writeln!(text, "workspace \"mlw-bench-{w:04}\" {{");
        let _ = writeln!(text, "  resource_group = \"rg-bench-{w:04}\"");
        text.push_str("  inbound { private_endpoint { subnet = \"${hub}/virtualNetworks/vnet-hub/subnets/snet-pe\"  dns = create } }\n");
        text.push_str("  container_registry { image_build_compute = \"build\" }\n");
        text.push_str("  outbound {\n    firewall_sku = basic\n");
        // Ten FQDN rules, five service tag rules, five private endpoints.
        for r in 0..20 {
            let rule = match r {
                0..10 => format!("\"fqdn-{r:02}\" fqdn \"pkg{r}.contoso.com\""),
                10..15 => format!(
                    "\"tag-{:02}\" service_tag \"DataFactory\" {{ protocol = tcp  ports = \"{}\" }}",
                    r - 10,
                    7990 + r
                ),
                _ => format!(
                    "\"pe-{n:02}\" private_endpoint \"/subscriptions/00000000-0000-0000-0000-0000000000bb/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/stdata{w:04}{n}\" {{ subresource = blob }}",
                    n = r - 15
                ),
            };
            let _ = writeln!(text, "    rule {rule}");
        }
        text.push_str("  }\n}\n");
    }
    text
}

#[test]
fn the_fleet_prints_as_the_templates_render_it() {
    let n = assert_same("fleet", &[input("fleet.aml", fleet(3))], None);
    assert!(n > 20, "only {n} files");
}

/// Hostile strings where a policy block's Bicep carries posture text: an
/// accepted risk's reason and author (the exemption's description), the
/// setup script and FQDN parameters, and a workspace's tags.
fn hostile_policy() -> String {
    use postures::{NASTY, esc};
    let nasty: Vec<String> = NASTY
        .iter()
        .chain(&["'''\nmulti ''' line'''", "${x} ${ '${'"])
        .map(|s| esc(s))
        .collect();
    let mut tags = String::new();
    for (i, s) in nasty.iter().enumerate() {
        let _ = writeln!(tags, "    t{i} = \"{s}\"");
    }
    format!(
        r#"workspace "mlw-hostile" {{
  resource_group  = "rg-hostile"
  subscription_id = "00000000-0000-0000-0000-000000000005"
  region          = "westeurope"
  tags = {{
{tags}  }}
  inbound {{ private_endpoint {{ subnet = "/subscriptions/00000000-0000-0000-0000-000000000005/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/snet-pe"  dns = create }} }}
  container_registry {{ image_build_compute = "{ibc}" }}
  compute {{ local_auth = true  setup_script = "{script}" }}
  accept AML3029 {{
    reason  = "{reason}"
    by      = "{by}"
    expires = "2099-06-30"
  }}
}}

policy "pol-hostile" {{
  scope = management_group "mg-(ünï).x_y"
  deny local_auth
  audit setup_script {{ script = "{script}" }}
  audit outbound_rules {{ kinds = [fqdn]  fqdns = ["pypi.org"] }}
  deploy_if_not_exists private_dns_zones {{ zones = ["/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg-hub-dns/providers/Microsoft.Network/privateDnsZones/privatelink.api.azureml.ms"] }}
}}
"#,
        script = nasty[4],
        reason = nasty[nasty.len() - 2],
        by = nasty[2],
        ibc = nasty[0],
    )
}

#[test]
fn a_hostile_policy_posture_prints_as_the_templates_render_it() {
    let text = hostile_policy();
    let files = bicep_of(vec![input("hostile-policy.aml", text.clone())], None, None);
    // The posture reaches what it is meant to: the exemption's module and
    // the zone roles' modules.
    assert!(
        files.keys().any(|p| p.contains("modules/exemptions-")),
        "{:?}",
        files.keys().collect::<Vec<_>>()
    );
    assert_same("hostile policy", &[input("hostile-policy.aml", text)], None);
}
