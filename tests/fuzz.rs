//! Property test: thousands of random and mutated inputs never make amlgen
//! panic, and every rejected input gets at least one coded error with a
//! source position.

use std::fmt::Write;
use std::panic;

use amlgen::diag::{Code, Severity, render};

#[path = "common/rng.rs"]
mod rng;
use rng::Rng;
#[path = "common/mutate.rs"]
mod mutate;
use mutate::{input, mutate, seeds};

#[test]
fn no_input_panics_and_every_rejection_is_explained() {
    let seeds = seeds();
    let mut rng = Rng(0x5eed_a41c_0ffe_e000);
    let total = 12_000;
    let mut rejected = 0;
    for i in 0..total {
        let input = input(&mut rng, &seeds, i);
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
