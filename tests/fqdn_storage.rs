//! Property test of rule R07 (AML3007) over generated FQDN patterns: in
//! approved-outbound mode amlgen refuses a pattern with the storage code if
//! and only if some storage host of some cloud matches it under Azure
//! Firewall's wildcard semantics ("Azure Firewall FAQ": an asterisk works
//! only as the left-most part and matches anything to its left, any number
//! of labels; `*` alone matches everything).
//!
//! The oracle here is independent of the library's matcher: it expands a
//! concrete set of sample storage hosts (every service, every cloud, zone
//! and private-link forms, every account-like label of the vocabulary) and
//! matches patterns against those strings. The generator is seeded, so
//! every run tests the same patterns.

use amlgen::{Input, Options, compile};

#[path = "common/rng.rs"]
mod rng;
use rng::Rng;

/// Labels the generator draws from: storage services and their parents,
/// zone labels, account-like names, and other domains.
const VOCABULARY: &[&str] = &[
    "blob",
    "dfs",
    "file",
    "queue",
    "table",
    "web",
    "core",
    "windows",
    "net",
    "usgovcloudapi",
    "chinacloudapi",
    "cn",
    "storage",
    "azure",
    "privatelink",
    "z1",
    "z07",
    "z42",
    "z123",
    "zz",
    "stdata",
    "st",
    "mlstore2024",
    "stdata-secondary",
    "contoso",
    "com",
    "database",
    "vault",
    "org",
    "pypi",
    "a-b",
    "us",
];

/// Storage endpoint suffixes per cloud, written out here from the Microsoft
/// pages the catalogue cites ("Storage account overview", "Static website
/// hosting in Azure Storage", "Azure Private Endpoint private DNS zone
/// values", the US Government and China developer guides).
const CLOUD_SUFFIXES: &[&str] = &[
    "core.windows.net",
    "core.usgovcloudapi.net",
    "core.chinacloudapi.cn",
];
const SERVICES: &[&str] = &["blob", "dfs", "file", "queue", "table", "web"];

fn is_account(label: &str) -> bool {
    let name = label.strip_suffix("-secondary").unwrap_or(label);
    name.len() >= 3
        && name.len() <= 24
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
}

/// Every concrete sample storage host.
fn sample_hosts() -> Vec<String> {
    let mut zones: Vec<String> = (0..10).map(|n| format!("z{n}")).collect();
    zones.extend((0..100).map(|n| format!("z{n:02}")));
    // Every label a generated pattern can hold that is a valid account name
    // is an account somewhere, so exact patterns meet their host here.
    let mut labels: Vec<String> = VOCABULARY.iter().map(ToString::to_string).collect();
    labels.extend(zones.iter().cloned());
    labels.extend(
        CLOUD_SUFFIXES
            .iter()
            .flat_map(|c| c.split('.'))
            .map(str::to_string),
    );
    labels.extend(SERVICES.iter().map(ToString::to_string));
    labels.extend(["privatelink", "storage", "azure", "anyaccount"].map(String::from));
    let mut accounts: Vec<String> = labels.into_iter().filter(|l| is_account(l)).collect();
    accounts.sort();
    accounts.dedup();
    let mut hosts = Vec::new();
    for a in &accounts {
        for cloud in CLOUD_SUFFIXES {
            for s in SERVICES {
                hosts.push(format!("{a}.{s}.{cloud}"));
                hosts.push(format!("{a}.privatelink.{s}.{cloud}"));
            }
            for z in &zones {
                hosts.push(format!("{a}.{z}.web.{cloud}"));
            }
        }
        for s in SERVICES {
            hosts.push(format!("{a}.privatelink.{s}.storage.azure.net"));
            for z in &zones {
                hosts.push(format!("{a}.{z}.{s}.storage.azure.net"));
            }
        }
    }
    hosts
}

/// The sample hosts, and each of their proper suffixes at a label
/// boundary (`blob.core.windows.net`, `core.windows.net`, ...).
struct Oracle {
    hosts: std::collections::HashSet<String>,
    suffixes: std::collections::HashSet<String>,
}

impl Oracle {
    fn new(hosts: &[String]) -> Oracle {
        let mut suffixes = std::collections::HashSet::new();
        for h in hosts {
            let mut rest = h.as_str();
            while let Some((_, tail)) = rest.split_once('.') {
                suffixes.insert(tail.to_string());
                rest = tail;
            }
        }
        Oracle {
            hosts: hosts.iter().cloned().collect(),
            suffixes,
        }
    }

    /// Azure Firewall's semantics: `*` matches every host; `*.rest` a host
    /// that ends with `.rest` and has more labels; anything else, itself.
    fn any_match(&self, pattern: &str) -> bool {
        if pattern == "*" {
            return !self.hosts.is_empty();
        }
        match pattern.strip_prefix("*.") {
            Some(rest) => self.suffixes.contains(rest),
            None => self.hosts.contains(pattern),
        }
    }
}

/// The language's pattern grammar, written independently: `*`, or labels
/// with an optional leading `*.`, at least two labels without it.
fn in_grammar(pattern: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    let (wild, rest) = match pattern.strip_prefix("*.") {
        Some(r) => (true, r),
        None => (false, pattern),
    };
    let labels: Vec<&str> = rest.split('.').collect();
    (wild || labels.len() >= 2)
        && labels.iter().all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

fn generate(rng: &mut Rng, hosts: &[String]) -> String {
    // Half the time, the tail of a real storage host, to hit the boundary.
    let mut labels: Vec<String> = if rng.below(2) == 0 {
        let h: Vec<&str> = hosts[rng.below(hosts.len())].split('.').collect();
        let keep = 1 + rng.below(h.len());
        h[h.len() - keep..]
            .iter()
            .map(ToString::to_string)
            .collect()
    } else {
        (0..=rng.below(4))
            .map(|_| rng.pick(VOCABULARY).to_string())
            .collect()
    };
    for _ in 0..rng.below(3) {
        labels.insert(0, rng.pick(VOCABULARY).to_string());
    }
    let mut p = labels.join(".");
    p = match rng.below(10) {
        0 => "*".to_string(),
        1..=4 => format!("*.{p}"),
        5 => format!("*{p}"),
        6 => {
            // A wildcard inside.
            let mut l: Vec<&str> = p.split('.').collect();
            let at = rng.below(l.len());
            l[at] = "*";
            l.join(".")
        }
        _ => p,
    };
    match rng.below(8) {
        0 => p.to_uppercase(),
        1 => format!("{p}."),
        // Full-width letters and digits (U+FF10..), a look-alike spelling.
        2 => p
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    char::from_u32(c as u32 + 0xFEE0).unwrap()
                } else {
                    c
                }
            })
            .collect(),
        _ => p,
    }
}

/// The oracle's own normalisation: full-width ASCII forms to ASCII (as
/// IDNA's mapping does), ASCII case, one trailing dot.
fn normalise(written: &str) -> String {
    let ascii: String = written
        .chars()
        .map(|c| match c as u32 {
            0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap(),
            _ => c,
        })
        .collect();
    let lower = ascii.to_ascii_lowercase();
    lower.strip_suffix('.').unwrap_or(&lower).to_string()
}

fn posture(pattern: &str) -> String {
    format!(
        "workspace \"mlw-prop\" {{\n  region = \"westeurope\"\n  resource_group = \"rg-ml\"\n  inbound {{ public_network_access = enabled }}\n  container_registry {{ public_network_access = enabled }}\n  outbound {{\n    mode = allow_only_approved_outbound\n    rule \"prop\" fqdn \"{pattern}\"\n  }}\n}}\n"
    )
}

#[test]
fn storage_code_iff_a_storage_host_matches() {
    let hosts = sample_hosts();
    let oracle = Oracle::new(&hosts);
    let mut rng = Rng(0x5EED_F00D_1234_5678);
    let (mut refused, mut accepted, mut malformed) = (0, 0, 0);
    let mut accepted_forms = 0;
    for _ in 0..1500 {
        let written = generate(&mut rng, &hosts);
        // The oracle normalises on its own: ASCII case, one trailing dot.
        let normalised = normalise(&written);
        let pattern = normalised.as_str();
        let out = compile(
            vec![Input {
                name: "prop.aml".into(),
                text: posture(&written),
            }],
            &Options::default(),
        );
        let codes: Vec<&str> = out.diagnostics.iter().map(|d| d.code.id()).collect();
        let storage = codes.contains(&"AML3007");
        if !in_grammar(pattern) {
            malformed += 1;
            assert!(
                !storage && codes.contains(&"AML2013"),
                "`{written}`: {codes:?}"
            );
            continue;
        }
        let hit = oracle.any_match(pattern);
        assert_eq!(
            storage, hit,
            "`{written}`: a storage host matches: {hit}; codes {codes:?}"
        );
        if storage {
            refused += 1;
        } else {
            accepted += 1;
            let tld_wide = pattern.strip_prefix("*.").is_some_and(|t| !t.contains('.'));
            let dot = written.ends_with('.');
            // Spelled otherwise than its canonical form, and accepted.
            if !tld_wide && !dot {
                accepted_forms += usize::from(written != pattern);
            }
            // Neither reaching storage nor too wide nor dotted: it builds.
            assert_eq!(out.has_errors(), tld_wide || dot, "`{written}`: {codes:?}");
        }
    }
    // The generator must exercise all three outcomes.
    assert!(
        refused > 100 && accepted > 100 && malformed > 100,
        "{refused} {accepted} {malformed}"
    );
    // Full-width and upper-case spellings were among the accepted ones.
    assert!(accepted_forms > 10, "{accepted_forms}");
}
