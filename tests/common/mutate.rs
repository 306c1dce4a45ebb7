//! The fuzz inputs: the examples and ui cases as seeds, their mutations,
//! and random token soup (shared by the fuzz and the formatter's tests).

use std::path::Path;

use crate::rng::Rng;

const VOCAB: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "=",
    ",",
    "\n",
    "\"",
    "\\",
    "${",
    "${x}",
    "#",
    "//",
    "let",
    "workspace",
    "policy",
    "defaults",
    "inbound",
    "outbound",
    "rule",
    "allow",
    "grant",
    "to",
    "on",
    "deny",
    "audit",
    "mode",
    "fqdn",
    "service_tag",
    "private_endpoint",
    "true",
    "false",
    "0",
    "65536",
    "99999999999999999999",
    "\"x\"",
    "\"\"",
    "\"${",
    "é",
    "\u{0}",
    "\t",
    "disabled",
    "selected_ips",
    "compute",
    "storage",
    "\"/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/s\"",
    "\"pypi.org\"",
    "\"80-70\"",
    "management_group",
    "subscription",
    "premium",
    "spark",
    "subresource",
];

pub fn seeds() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    let mut stack = vec![root.join("examples"), root.join("tests/ui")];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "aml") {
                // Some cases are not UTF-8, or are large on purpose (the
                // input limits); the hostile shapes are fuzzed below.
                let bytes = std::fs::read(&p).unwrap();
                if bytes.len() <= 32 * 1024 {
                    out.push(String::from_utf8_lossy(&bytes).into_owned());
                }
            }
        }
    }
    out.sort();
    assert!(out.len() >= 7, "the examples are the fuzz seeds");
    out
}

fn char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

pub fn mutate(rng: &mut Rng, seed: &str) -> String {
    let mut s = seed.to_string();
    for _ in 0..=rng.below(4) {
        let len = s.len();
        let a = char_boundary(&s, rng.below(len + 1));
        let b = char_boundary(&s, (a + rng.below(40)).min(len));
        match rng.below(7) {
            0 => s.replace_range(a..b, ""),
            1 => s.insert_str(a, VOCAB[rng.below(VOCAB.len())]),
            2 => {
                let piece = s[a..b].to_string();
                s.insert_str(b, &piece);
            }
            3 => s.truncate(a),
            4 => {
                let c = char::from_u32(rng.below(0x3000) as u32).unwrap_or('?');
                s.insert(a, c);
            }
            5 => {
                let mut lines: Vec<&str> = s.lines().collect();
                if lines.len() > 1 {
                    let i = rng.below(lines.len());
                    let j = rng.below(lines.len());
                    lines.swap(i, j);
                }
                s = lines.join("\n");
            }
            _ => {
                let piece: String = (0..rng.below(8))
                    .map(|_| VOCAB[rng.below(VOCAB.len())])
                    .collect::<Vec<_>>()
                    .join(" ");
                s.replace_range(a..b, &piece);
            }
        }
    }
    s
}

fn random_tokens(rng: &mut Rng) -> String {
    (0..rng.below(200))
        .map(|_| VOCAB[rng.below(VOCAB.len())])
        .collect::<Vec<_>>()
        .join(" ")
}

/// The `i`th fuzz input: one in ten random tokens, the others a mutated seed.
pub fn input(rng: &mut Rng, seeds: &[String], i: usize) -> String {
    if i.is_multiple_of(10) {
        random_tokens(rng)
    } else {
        let seed = &seeds[rng.below(seeds.len())];
        mutate(rng, seed)
    }
}
