//! What the people who deploy a build read: no internal shorthand (the
//! project's rule ids `R22`, seed numbers) in any artifact of any legal
//! posture, and report diagrams that stay readable (a bounded number of
//! nodes) however many rules a posture has.

#[path = "common/postures.rs"]
mod postures;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::path::Path;

/// The internal shorthand in `text`: a rule id (`\bR\d{2}\b`), a seed
/// number (`seed \d{3}`, `seeds \d{3}`) or a rule range (`R30–R35`),
/// each with a little context.
fn internal_labels(text: &str) -> Vec<String> {
    let b = text.as_bytes();
    let word = |i: usize| {
        b.get(i)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
    };
    let digits = |i: usize, n: usize| (i..i + n).all(|j| b.get(j).is_some_and(u8::is_ascii_digit));
    let context = |i: usize, n: usize| {
        let (mut s, mut e) = (i.saturating_sub(40), (i + n + 40).min(text.len()));
        while !text.is_char_boundary(s) {
            s -= 1;
        }
        while !text.is_char_boundary(e) {
            e += 1;
        }
        text[s..e].replace('\n', " ")
    };
    let mut out = Vec::new();
    for i in 0..b.len() {
        // R and two digits, a word of its own.
        if b[i] == b'R' && !(i > 0 && word(i - 1)) && digits(i + 1, 2) && !word(i + 3) {
            out.push(context(i, 3));
        }
        // "seed 002", "seeds 002", any case.
        for w in ["seed ", "seeds "] {
            if b.len() >= i + w.len()
                && b[i..i + w.len()].eq_ignore_ascii_case(w.as_bytes())
                && !(i > 0 && word(i - 1))
                && digits(i + w.len(), 3)
            {
                out.push(context(i, w.len() + 3));
            }
        }
    }
    out
}

/// Every internal label in a set of files, with the file's path.
fn labels_in(files: &BTreeMap<String, String>) -> Vec<String> {
    files
        .iter()
        .flat_map(|(path, text)| {
            internal_labels(text)
                .into_iter()
                .map(move |l| format!("{path}: …{l}…"))
        })
        .collect()
}

#[test]
fn the_label_finder_catches_planted_labels() {
    for planted in [
        "R22: studio reaches the private default storage",
        "the approver (R40)",
        "\"origin\": \"required (seed 002)\"",
        "see Seeds 004 for why",
        "rules R30–R35",
    ] {
        assert!(!internal_labels(planted).is_empty(), "{planted}");
    }
    for fine in [
        "AML3022",
        "R2D2 and R222",
        "BR22",
        "R_22",
        "seeded 002",
        "seed 02",
        "Standard_DS3_v2",
    ] {
        assert!(internal_labels(fine).is_empty(), "{fine}");
    }
}

/// A real build with one label planted in one artifact is caught, naming
/// the file: the walk over artifacts reads every file it is given.
#[test]
fn a_planted_label_in_an_artifact_fails_the_walk() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let example = root.join("examples/hub-spoke-regulated/posture.aml");
    let mut files =
        postures::build_all_targets("posture.aml", postures::read_posture(&example), None).unwrap();
    assert!(labels_in(&files).is_empty(), "{:?}", labels_in(&files));
    let allowlist = files.get_mut("hub-firewall/allowlist.json").unwrap();
    *allowlist = allowlist.replacen(
        "required by Azure Machine Learning",
        "required (seed 002)",
        1,
    );
    let tf = files
        .iter_mut()
        .find(|(p, _)| p.ends_with("terraform/main.tf"))
        .unwrap()
        .1;
    tf.push_str("# R22: planted\n");
    let found = labels_in(&files);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found[0].starts_with("hub-firewall/allowlist.json: "),
        "{found:?}"
    );
    assert!(found[1].contains("terraform/main.tf: "), "{found:?}");
}

/// No artifact of any legal posture of the suite (each example, each
/// `tests/ui` `# neighbour-of` case, the hostile postures), built for
/// every target and both policy layouts, nor any file of the committed
/// `out/`, carries the project's internal shorthand.
#[test]
fn no_artifact_of_any_legal_posture_has_an_internal_label() {
    let mut problems = Vec::new();
    let mut files_seen = 0;
    for (name, text, previous) in postures::every_legal_case() {
        // Plain layout with Terraform; the EPAC layout for the policy files.
        for built in [
            postures::build_all_targets(&name, text.clone(), previous.as_deref()),
            postures::build_with(
                &name,
                text.clone(),
                previous.as_deref(),
                amlgen::emit::policy::Layout::Epac,
            ),
        ] {
            match built {
                Ok(files) => {
                    files_seen += files.len();
                    problems.extend(
                        labels_in(&files)
                            .into_iter()
                            .map(|l| format!("{name}: {l}")),
                    );
                }
                Err(e) => problems.push(format!("{name}: does not build: {e}")),
            }
        }
    }
    assert!(files_seen > 1000, "only {files_seen} files");
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("out");
    let mut committed = BTreeMap::new();
    let mut stack = vec![out.clone()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let text = String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned();
                committed.insert(p.strip_prefix(&out).unwrap().display().to_string(), text);
            }
        }
    }
    assert!(
        committed.len() > 100,
        "only {} files in out/",
        committed.len()
    );
    problems.extend(
        labels_in(&committed)
            .into_iter()
            .map(|l| format!("out/{l}")),
    );
    assert!(
        problems.is_empty(),
        "{} internal labels:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// The Mermaid block of a report.
fn mermaid(report: &str) -> &str {
    let start = report.find("```mermaid\n").expect("a diagram") + "```mermaid\n".len();
    let end = start + report[start..].find("```").expect("a closed diagram");
    &report[start..end]
}

/// The distinct node and subgraph ids of a Mermaid flowchart: every
/// identifier outside quoted labels and `|edge labels|`, but for the
/// flowchart's own words. A node Mermaid would create from a bare
/// reference counts too.
fn node_ids(chart: &str) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for line in chart.lines().skip(1) {
        let mut outside = String::new();
        let (mut quoted, mut edge) = (false, false);
        for c in line.chars() {
            match c {
                '"' if !edge => quoted = !quoted,
                '|' if !quoted => edge = !edge,
                c if !quoted && !edge => outside.push(c),
                _ => {}
            }
        }
        for w in outside.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
            if !w.is_empty()
                && !w.starts_with(|c: char| c.is_ascii_digit())
                && !matches!(w, "subgraph" | "end")
            {
                ids.insert(w.to_string());
            }
        }
    }
    ids
}

/// At most this many nodes in any diagram, however large the posture.
const MAX_NODES: usize = 40;

/// A posture with every preset (26 FQDN rules, 4 private endpoint rules),
/// 34 FQDN rules of its own (60 FQDN rules in all), 6 service tag rules
/// and 12 computes.
fn large_posture() -> String {
    let ids = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-ai/providers";
    let mut rules = String::new();
    for i in 0..34 {
        let _ = writeln!(rules, "    rule \"site-{i}\" fqdn \"pkg{i}.contoso.com\"");
    }
    for (i, tag) in [
        "DataFactory",
        "AzureMonitor",
        "EventHub",
        "ServiceBus",
        "Sql",
        "CosmosDB",
    ]
    .iter()
    .enumerate()
    {
        let _ = writeln!(
            rules,
            "    rule \"tag-{i}\" service_tag \"{tag}\" {{ protocol = tcp  ports = \"443\" }}"
        );
    }
    let mut computes = String::new();
    for i in "abcdefgh".chars() {
        let _ = writeln!(
            computes,
            "  compute \"cpu-{i}\" {{ kind = cluster  vm_size = \"Standard_DS3_v2\"  max_nodes = 2 }}"
        );
    }
    for (i, c) in "abcd".chars().enumerate() {
        let _ = writeln!(
            computes,
            "  compute \"ci-{c}\" {{ kind = instance  vm_size = \"Standard_DS3_v2\"  assigned_user = {{ object_id = \"5d0c7a1e-2f3b-4c8d-9e6f-7a8b9c0d1e0{i}\" }} }}"
        );
    }
    format!(
        r#"workspace "mlw-large" {{
  resource_group = "rg-large"
  region = "westeurope"
  profile = exfiltration_protected
  inbound {{
    public_network_access = disabled
    private_endpoint {{
      subnet = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/vnet-hub/subnets/snet-pe"
      dns    = create
    }}
  }}
  outbound {{
    mode = allow_only_approved_outbound
    allow python_packages {{ index_overridden = true }}
    allow vscode
    allow huggingface
    allow batch_endpoints {{
      ai_services = "{ids}/Microsoft.CognitiveServices/accounts/ais-scoring"
      ai_search   = "{ids}/Microsoft.Search/searchServices/srch-scoring"
    }}
{rules}  }}
  container_registry {{ sku = premium  image_build_compute = "cpu-a" }}
{computes}}}
"#
    )
}

#[test]
fn a_diagram_stays_bounded_at_sixty_fqdn_rules() {
    let files = postures::build_text("large.aml", large_posture(), None)
        .unwrap_or_else(|e| panic!("the large posture does not build: {e}"));
    let report = &files["workspaces/mlw-large/REPORT.md"];
    // The posture is as large as it says: every rule is in the report's table.
    let table_rows = report
        .lines()
        .filter(|l| {
            l.starts_with("| `")
                && (l.contains("| FQDN |")
                    || l.contains("| ServiceTag |")
                    || l.contains("| PrivateEndpoint |"))
        })
        .count();
    assert_eq!(table_rows, 26 + 4 + 34 + 6, "rules in the outbound table");
    let chart = mermaid(report);
    let ids = node_ids(chart);
    assert!(ids.len() <= MAX_NODES, "{} nodes:\n{chart}", ids.len());
    assert!(ids.len() > 20, "{} nodes:\n{chart}", ids.len());
    // One node per preset with its count; the firewall; the user rules
    // beyond the drawn ones in one node; clusters grouped.
    for preset in [
        "preset python_packages: 8 rule(s)",
        "preset vscode: 12 rule(s)",
        "preset huggingface: 6 rule(s)",
        "preset batch_endpoints: 4 rule(s)",
        "managed Azure Firewall (Standard)",
        "28 more rules",
        "8 compute clusters",
        "4 compute instances",
    ] {
        assert!(chart.contains(preset), "no {preset:?} in:\n{chart}");
    }
    assert!(!chart.contains("pkg33.contoso.com"), "{chart}");
}

/// The counter counts what Mermaid draws, so the bound can fail.
#[test]
fn the_node_counter_counts_nodes_not_labels() {
    let chart = "flowchart LR\n  a[\"x y z\"] -->|many words here| b((c))\n  subgraph s[\"t u\"]\n    a\n  end\n  a --- bare\n";
    assert_eq!(
        node_ids(chart),
        ["a", "b", "bare", "c", "s"]
            .iter()
            .map(|s| (*s).to_string())
            .collect()
    );
    let mut many = String::from("flowchart LR\n");
    for i in 0..=MAX_NODES {
        let _ = writeln!(many, "  n{i}[\"rule\"]");
    }
    assert!(node_ids(&many).len() > MAX_NODES);
}

/// Custom VNet mode: the spoke drawn once (no second "client network"
/// for the endpoints in its `pe` subnet), the hub with its firewall, the
/// peering, the private DNS zones, the computes in their subnet; and the
/// report does not say a managed network creates private endpoints.
#[test]
fn a_custom_vnet_diagram_draws_the_spoke_once_and_the_hub() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let example = root.join("examples/hub-spoke-regulated/posture.aml");
    let files = postures::build_file(&example, None).unwrap();
    let mut seen = 0;
    for (path, report) in files.iter().filter(|(p, _)| p.ends_with("REPORT.md")) {
        if !report.contains("(custom VNet mode)") {
            continue;
        }
        seen += 1;
        let chart = mermaid(report);
        assert_eq!(
            chart.matches("subgraph spoke[").count(),
            1,
            "{path}:\n{chart}"
        );
        assert!(!chart.contains("client network"), "{path}:\n{chart}");
        assert!(!chart.contains("subgraph managed"), "{path}:\n{chart}");
        for part in [
            "subgraph hub[",
            "fw[\"hub firewall ",
            "spoke <-->|",
            "private DNS zone(s)",
            "training --- c",
        ] {
            assert!(chart.contains(part), "{path}: no {part:?} in:\n{chart}");
        }
        for wrong in [
            "The managed network creates its private endpoints",
            "linked to the client virtual network",
        ] {
            assert!(!report.contains(wrong), "{path}: says {wrong:?}");
        }
    }
    assert!(seen >= 2, "only {seen} custom VNet workspaces");
    // A Kubernetes compute hangs from the scoring subnet, in the spoke.
    let case = root.join("tests/ui/rules/name-refused-ok.aml");
    let files = postures::build_file(&case, None).unwrap();
    let chart = mermaid(&files["workspaces/mlw-demo/REPORT.md"]);
    let aks = "    scoring --- c2_0[\"kubernetes aks-scoring-east\"]\n  end\n";
    assert!(chart.contains(aks), "{chart}");
}

/// The cells of a Markdown table row: split at each `|` that no
/// backslash escapes.
fn cells(row: &str) -> usize {
    let b = row.as_bytes();
    (0..b.len())
        .filter(|&i| b[i] == b'|' && (i == 0 || b[i - 1] != b'\\'))
        .count()
        - 1
}

/// Every row of every table of a report with as many cells as its
/// header, as GitHub Flavored Markdown splits them.
fn broken_rows(report: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut header = None;
    for line in report.lines() {
        if !line.starts_with('|') {
            header = None;
            continue;
        }
        let n = cells(line);
        match header {
            None => header = Some(n),
            Some(h) if h != n => out.push(format!("{n} cells, not {h}: {line}")),
            Some(_) => {}
        }
    }
    out
}

/// A pipe in a posture string (a resource id's name, the posture file's
/// path) stays inside its table cell.
#[test]
fn a_pipe_in_a_posture_string_stays_in_its_table_cell() {
    let posture = r#"workspace "mlw-pipe" {
  resource_group = "rg-pipe"
  region = "westeurope"
  inbound { public_network_access = enabled }
  container_registry { public_network_access = enabled }
  outbound {
    rule "lake" private_endpoint "/subscriptions/00000000-0000-0000-0000-000000000009/resourceGroups/rg-x/providers/Microsoft.Storage/storageAccounts/st|pipe" { subresource = blob }
  }
}
"#;
    let files = postures::build_text("postures/p|q.aml", posture.to_string(), None).unwrap();
    let report = &files["workspaces/mlw-pipe/REPORT.md"];
    assert!(report.contains("st\\|pipe"), "{report}");
    assert!(report.contains("p\\|q.aml"), "{report}");
    assert_eq!(broken_rows(report), Vec::<String>::new());
    // The check can fail: the same row unescaped has a cell too many.
    let unescaped = report.replace("\\|", "|");
    assert_eq!(broken_rows(&unescaped).len(), 2, "{unescaped}");
    // And every example's tables are whole.
    for (path, text) in
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("out/workspaces"))
            .unwrap()
            .map(|e| e.unwrap().path().join("REPORT.md"))
            .map(|p| (p.clone(), std::fs::read_to_string(p).unwrap()))
    {
        assert_eq!(
            broken_rows(&text),
            Vec::<String>::new(),
            "{}",
            path.display()
        );
    }
}

/// A report says the deployment grants the workspace identity the right
/// to approve its private endpoints only where a grant exists.
#[test]
fn a_report_promises_approver_grants_only_where_they_are() {
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("out/workspaces");
    let (mut promised, mut not) = (0, 0);
    for e in std::fs::read_dir(out).unwrap() {
        let path = e.unwrap().path().join("REPORT.md");
        let report = std::fs::read_to_string(&path).unwrap();
        let granted = report.contains("| Azure AI Enterprise Network Connection Approver (")
            || report.contains("| custom: amlgen private endpoint approver (");
        if report.contains("The deployment grants it that on each target") {
            assert!(granted, "{}: promises a grant it lacks", path.display());
            promised += 1;
        } else if report.contains("Private endpoint outbound rules connect only once approved") {
            assert!(!granted, "{}", path.display());
            not += 1;
        }
    }
    assert!(
        promised > 0 && not > 0,
        "{promised} reports with grants, {not} without"
    );
}

/// Mermaid's own parser (`tests/mermaid/parse.js`, run by Node.js): for
/// each chart, `None` when it parses, else the error. Node and the npm
/// registry are required: without them the test fails, it does not skip.
fn mermaid_errors(charts: &[String]) -> Vec<Option<String>> {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mermaid");
    if !dir.join("node_modules").is_dir() {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .status()
            .expect("npm is required by this test");
        assert!(status.success(), "`npm ci` in tests/mermaid failed");
    }
    let mut child = Command::new("node")
        .arg("parse.js")
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("Node.js is required by this test");
    let input = serde_json::to_vec(charts).unwrap();
    child.stdin.take().unwrap().write_all(&input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "parse.js failed");
    serde_json::from_slice(&out.stdout).expect("parse.js prints JSON")
}

/// Every diagram Mermaid is given parses: each example's, the large
/// posture's, the hostile postures' and a custom VNet case with
/// Kubernetes; and the parser refuses a chart with a label that breaks
/// out of its quotes (the check can fail).
#[test]
fn every_diagram_parses_with_mermaid() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut reports: Vec<(String, String)> = Vec::new();
    for e in std::fs::read_dir(root.join("out/workspaces")).unwrap() {
        let path = e.unwrap().path().join("REPORT.md");
        reports.push((
            path.display().to_string(),
            std::fs::read_to_string(&path).unwrap(),
        ));
    }
    for (name, text) in [
        ("large.aml", large_posture()),
        ("hostile.aml", postures::posture()),
        ("hostile-vnet.aml", postures::custom_vnet_posture()),
        (
            "name-refused-ok.aml",
            postures::read_posture(&root.join("tests/ui/rules/name-refused-ok.aml")),
        ),
    ] {
        let files = postures::build_text(name, text, None).unwrap();
        reports.extend(
            files
                .into_iter()
                .filter(|(p, _)| p.ends_with("REPORT.md"))
                .map(|(p, t)| (format!("{name}: {p}"), t)),
        );
    }
    assert!(reports.len() >= 15, "only {} reports", reports.len());
    let mut charts: Vec<String> = reports
        .iter()
        .map(|(_, r)| mermaid(r).to_string())
        .collect();
    charts.push("flowchart LR\n  ws[\"workspace \"x\"]\n".to_string());
    let errors = mermaid_errors(&charts);
    assert_eq!(errors.len(), charts.len());
    assert!(
        errors.last().unwrap().is_some(),
        "the parser accepts a broken label"
    );
    for ((name, _), (chart, error)) in reports.iter().zip(charts.iter().zip(&errors)) {
        assert!(
            error.is_none(),
            "{name}: {}\n{chart}",
            error.as_deref().unwrap_or("")
        );
    }
}
