//! `amlgen fmt`: every input of the suite that parses (the examples, the ui
//! cases and the fuzz inputs) lowers to the same posture and the same
//! diagnostics after formatting, and formats to itself a second time;
//! `--check` lists what would change; broken files are refused untouched;
//! the examples are formatted.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use amlgen::diag::Diagnostics;
use amlgen::span::FileId;
use amlgen::syntax::fmt::format;
use amlgen::syntax::{lexer, parser};

#[path = "common/rng.rs"]
mod rng;
use rng::Rng;
#[path = "common/mutate.rs"]
mod mutate;
use mutate::{input, seeds};

/// The lowered posture without its spans (formatting moves them), and the
/// code and message of every diagnostic, in order.
fn meaning(text: &str) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut diags = Diagnostics::default();
    let tokens = lexer::lex(FileId(0), text, &mut diags);
    let file = parser::parse(&tokens, &mut diags);
    let posture = amlgen::ir::lower::lower(&[file], &mut diags);
    let mut out = without_spans(&format!("{posture:#?}"));
    for d in diags.into_sorted() {
        let _ = write!(out, "\n{} {}", d.code.name(), d.message);
    }
    out
}

/// The text without white space, commas and byte order mark: what
/// formatting must keep, comments included.
fn ink(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && *c != ',' && *c != '\u{feff}')
        .collect()
}

fn without_spans(debug: &str) -> String {
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug;
    while let Some(at) = rest.find("Span {") {
        out.push_str(&rest[..at]);
        out.push_str("Span");
        rest = &rest[at..];
        rest = rest.find('}').map_or("", |end| &rest[end + 1..]);
    }
    out.push_str(rest);
    out
}

/// Formats `text` if it parses; checks meaning and idempotence. True when
/// it was formatted.
fn check_one(text: &str, what: &str) -> bool {
    let Ok(once) = format(text) else {
        return false;
    };
    let twice = format(&once)
        .unwrap_or_else(|d| panic!("{what}: the formatted text does not parse: {d:?}\n{once}"));
    assert_eq!(once, twice, "{what}: a second format changed the text");
    assert_eq!(
        ink(text),
        ink(&once),
        "{what}: formatting changed more than space and commas (a comment lost?)\n{once}"
    );
    assert_eq!(
        meaning(text),
        meaning(&once),
        "{what}: formatting changed the meaning\n--- before\n{text}\n--- after\n{once}"
    );
    true
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn examples_and_ui_cases_keep_their_meaning_and_format_once() {
    let paths =
        amlgen::driver::collect_paths(&[root().join("examples"), root().join("tests/ui")]).unwrap();
    let mut formatted = 0;
    for p in &paths {
        let bytes = std::fs::read(p).unwrap();
        if bytes.len() > 256 * 1024 {
            continue;
        }
        let text = String::from_utf8_lossy(&bytes);
        let is_example = p.starts_with(root().join("examples"));
        let ok = check_one(&text, &p.display().to_string());
        assert!(
            ok || !is_example,
            "{}: an example does not format",
            p.display()
        );
        formatted += usize::from(ok);
    }
    assert!(
        formatted > 100,
        "only {formatted} ui cases and examples parse"
    );
}

#[test]
fn fuzz_inputs_that_parse_keep_their_meaning_and_format_once() {
    let seeds = seeds();
    let mut rng = Rng(0x5eed_f0e7_a11e_0000);
    let total = 12_000;
    let mut formatted = 0;
    for i in 0..total {
        let input = input(&mut rng, &seeds, i);
        formatted += usize::from(check_one(&input, &format!("fuzz input #{i}")));
    }
    assert!(formatted > total / 10, "only {formatted} fuzz inputs parse");
}

#[test]
fn layout() {
    let input = "# head\nlet a = \"x\"   # why\nlet bb = [\"p\",\"q\",]\n\n\n\ndefaults {\n\n    region = \"westeurope\"\n  profile = hub_spoke\n      // inner\n  tags = { a = \"b\", }\n  dns = [\n    \"one\",\n    \"two\"\n  ]\n  x { k = 1  kk = 2 }\n\n}\nworkspace \"w\" {\n}";
    let want = "# head\nlet a  = \"x\" # why\nlet bb = [\"p\", \"q\"]\n\ndefaults {\n  region  = \"westeurope\"\n  profile = hub_spoke\n  // inner\n  tags = { a = \"b\" }\n  dns  = [\n    \"one\",\n    \"two\",\n  ]\n  x { k = 1  kk = 2 }\n}\n\nworkspace \"w\" {\n}\n";
    assert_eq!(format(input).unwrap(), want);
    assert_eq!(format(want).unwrap(), want);
}

#[test]
fn accept_blocks_format_once() {
    let input = "accept AML3004 {\nreason = \"r\"\n    by=\"b\"\n        expires = \"2027-06-30\"\n  category = mitigated\n}\nworkspace \"w\" {\n  accept \"fqdn-firewall-cost\" { reason = \"r\"  by = \"b\"  expires = \"2027-06-30\" }\n}";
    let want = "accept AML3004 {\n  reason   = \"r\"\n  by       = \"b\"\n  expires  = \"2027-06-30\"\n  category = mitigated\n}\n\nworkspace \"w\" {\n  accept \"fqdn-firewall-cost\" { reason = \"r\"  by = \"b\"  expires = \"2027-06-30\" }\n}\n";
    assert_eq!(format(input).unwrap(), want);
    assert_eq!(format(want).unwrap(), want);
    assert!(check_one(input, "accept blocks"));
}

#[test]
fn broken_input_is_refused_with_its_diagnostics() {
    let diags = format("workspace \"w\" {\n  region = \n").unwrap_err();
    assert!(!diags.is_empty());
}

fn amlgen(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_amlgen"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn fmt_check_lists_what_would_change_and_fmt_writes_it() {
    let dir = std::env::temp_dir().join(format!("amlgen-fmt-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    let messy = dir.join("sub/messy.aml");
    let tidy = dir.join("tidy.aml");
    let broken = dir.join("broken.aml");
    std::fs::write(&messy, "defaults {\n    region = \"westeurope\"\n}\n").unwrap();
    std::fs::write(&tidy, "defaults {\n  region = \"westeurope\"\n}\n").unwrap();
    let d = dir.to_str().unwrap();

    let (code, stdout, _) = amlgen(&["fmt", "--check", d]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("messy.aml") && !stdout.contains("tidy.aml"),
        "{stdout}"
    );
    assert!(
        std::fs::read_to_string(&messy)
            .unwrap()
            .contains("    region")
    );

    let (code, _, stderr) = amlgen(&["fmt", d]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&messy).unwrap(),
        "defaults {\n  region = \"westeurope\"\n}\n"
    );
    assert_eq!(amlgen(&["fmt", "--check", d]).0, 0);

    let text = "defaults {\n    region = = \"westeurope\"\n}\n";
    std::fs::write(&broken, text).unwrap();
    let (code, _, stderr) = amlgen(&["fmt", d]);
    assert_eq!(code, 1);
    assert!(stderr.contains("error[AML"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&broken).unwrap(), text);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The check CI runs: the examples are formatted.
#[test]
fn examples_are_formatted() {
    let (code, stdout, stderr) = amlgen(&["fmt", "--check", "examples"]);
    assert_eq!(
        code, 0,
        "not formatted (run `amlgen fmt examples`):\n{stdout}{stderr}"
    );
}

/// The posture blocks (`text`) of the language reference are formatted.
#[test]
fn language_reference_blocks_are_formatted() {
    let doc = std::fs::read_to_string(root().join("docs/language.md")).unwrap();
    let mut blocks = 0;
    for (i, part) in doc.split("```text\n").enumerate().skip(1) {
        let block = part.split("```").next().unwrap_or_default();
        if let Ok(formatted) = format(block) {
            assert_eq!(
                formatted, block,
                "docs/language.md: text block {i} is not formatted"
            );
            blocks += 1;
        }
    }
    assert!(
        blocks > 10,
        "only {blocks} posture blocks in docs/language.md"
    );
}

#[test]
fn fmt_dash_formats_standard_input_to_standard_output() {
    use std::io::Write as _;
    let run = |args: &[&str], input: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_amlgen"))
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let messy = "defaults {\n    region = \"westeurope\" # here\n}\n";
    let tidy = "defaults {\n  region = \"westeurope\" # here\n}\n";
    assert_eq!(run(&["fmt", "-"], messy), (Some(0), tidy.to_string()));
    assert_eq!(run(&["fmt", "--check", "-"], messy).0, Some(1));
    assert_eq!(run(&["fmt", "--check", "-"], tidy).0, Some(0));
    assert_eq!(run(&["fmt", "-"], "defaults {\n").0, Some(1));
}
