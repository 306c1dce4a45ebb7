//! Property test: thousands of random and mutated inputs never make amlgen
//! panic, and every rejected input gets at least one coded error with a
//! source position.

use std::fmt::Write;
use std::panic;
use std::path::Path;

use amlgen::diag::{Code, Severity, render};

#[path = "common/rng.rs"]
mod rng;
use rng::Rng;

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

fn seeds() -> Vec<String> {
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

fn mutate(rng: &mut Rng, seed: &str) -> String {
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

#[test]
fn no_input_panics_and_every_rejection_is_explained() {
    let seeds = seeds();
    let mut rng = Rng(0x5eed_a41c_0ffe_e000);
    let total = 12_000;
    let mut rejected = 0;
    for i in 0..total {
        let input = if i % 10 == 0 {
            random_tokens(&mut rng)
        } else {
            let seed = &seeds[rng.below(seeds.len())];
            mutate(&mut rng, seed)
        };
        let text = input.clone();
        let result = panic::catch_unwind(move || {
            let outcome = compile_one(text);
            if i % 8 == 0 {
                let _ = render::human(&outcome.diagnostics, &outcome.sources, false);
                let _ = render::json(&outcome.diagnostics, &outcome.sources);
                let _ = render::sarif(&outcome.diagnostics, &outcome.sources);
            }
            outcome
        });
        let Ok(outcome) = result else {
            panic!("amlgen panicked on input #{i}:\n{input}");
        };
        let errors: Vec<_> = outcome
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        if outcome.checked.is_none() {
            rejected += 1;
            assert!(
                !errors.is_empty(),
                "input #{i} was rejected without an error:\n{input}"
            );
        } else {
            assert!(
                errors.is_empty(),
                "input #{i} has errors but was accepted:\n{input}"
            );
        }
        explained(&outcome, &input, &format!("input #{i}"));
    }
    assert!(
        rejected > total / 4,
        "too few rejections ({rejected}): the mutations are too gentle"
    );
}

fn compile_one(text: String) -> amlgen::Outcome {
    amlgen::compile(
        vec![amlgen::Input {
            name: "fuzz.aml".into(),
            text,
        }],
        &amlgen::Options::default(),
    )
}

/// Every diagnostic has a registered code and a span inside the input;
/// only the count of those left out (AML9005) has no place.
fn explained(outcome: &amlgen::Outcome, input: &str, what: &str) {
    for d in &outcome.diagnostics {
        assert!(Code::ALL.contains(&d.code));
        if d.code == Code::TooManyDiagnostics {
            continue;
        }
        let span = d
            .primary
            .unwrap_or_else(|| panic!("{what}: {} has no position:\n{input}", d.code));
        assert!(
            span.start <= span.end && span.end as usize <= input.len(),
            "{what}: bad span {span:?}"
        );
    }
}

/// The shapes that once exhausted memory or the stack, or that the input
/// limits refuse, at random sizes around their limits, then mutated.
fn hostile(rng: &mut Rng) -> String {
    let n = rng.below(70);
    match rng.below(9) {
        // Expansion bombs: strings, lists, maps, and their uses.
        0 => {
            let mut s = "let a0 = \"0123456789abcdef\"\n".to_string();
            for i in 1..=n {
                let _ = writeln!(s, "let a{i} = \"${{a{}}}${{a{}}}\"", i - 1, i - 1);
            }
            s + &format!("workspace \"w\" {{ tags = {{ k = a{n} }} }}\n").repeat(rng.below(40))
        }
        1 => {
            let mut s = "let l0 = [\"203.0.113.0/24\", 1, true]\n".to_string();
            for i in 1..=n {
                let (p, q) = (i - 1, i - 1);
                let _ = writeln!(s, "let l{i} = [l{p}, {{ k = l{q} }}, l{p}]");
            }
            s
        }
        // Forward references and lets used before they are defined.
        2 => (0..n).fold(String::new(), |mut s, i| {
            let _ = writeln!(s, "let b{i} = \"${{b{}}}\"\nlet c{i} = b{}", i + 1, i + 2);
            s
        }),
        // Deep nesting of blocks, lists and maps, on one line or many.
        3 => {
            let depth = 40 + rng.below(400);
            let open = ["[", "{ k = ", "a { "][rng.below(3)];
            let sep = if rng.below(2) == 0 { "\n" } else { " " };
            format!("x = {}", (open.to_string() + sep).repeat(depth))
        }
        // A line past 64 KiB, with text before and after it.
        4 => format!(
            "let x = \"y\"\n{}\nworkspace \"w\" {{}}\n",
            "\"z\", ".repeat(13_000 + rng.below(2_000))
        ),
        // Past the token limit (line breaks are tokens).
        5 => format!(
            "let x = 1{}workspace \"w\" {{}}\n",
            "\n".repeat(499_990 + rng.below(20))
        ),
        // A byte order mark, replacement characters (bytes not UTF-8).
        6 => format!("\u{feff}workspace \"mlw-\u{fffd}{n}\" {{ colour = \"\u{fffd}\" }}\n"),
        // Many errors: past the number of diagnostics kept.
        7 => "x = ]\n".repeat(50 + n * 5),
        _ => "let ips = [\n".to_string() + &"\"10.0.0.1\",\n".repeat(n * 300) + "]\n",
    }
}

#[test]
fn hostile_shapes_never_panic_and_are_explained() {
    let mut rng = Rng(0x0bad_5eed_0000_0017);
    for i in 0..120 {
        let shape = hostile(&mut rng);
        let input = if i % 3 == 0 {
            mutate(&mut rng, &shape)
        } else {
            shape
        };
        let text = input.clone();
        let outcome = panic::catch_unwind(move || {
            let o = compile_one(text);
            let _ = render::human(&o.diagnostics, &o.sources, false);
            o
        })
        .unwrap_or_else(|_| panic!("amlgen panicked on hostile input #{i}"));
        if outcome.checked.is_none() {
            assert!(
                outcome
                    .diagnostics
                    .iter()
                    .any(|d| d.severity == Severity::Error),
                "hostile input #{i} was rejected without an error"
            );
        }
        let head: String = input.chars().take(300).collect();
        explained(&outcome, &input, &format!("hostile input #{i} ({head}...)"));
    }
}
