//! Hostile inputs stay within amlgen's limits: an expansion bomb, deep
//! nesting, a huge file, a file of one huge line, a file of half a million
//! empty workspaces, bytes that are not UTF-8, and more files than a build
//! reads. Each is checked by the built binary as a child process; each
//! must end with a coded error (exit 1) or a usage error (exit 2), never a
//! crash or a signal, and the peak resident memory of every child
//! (`getrusage(RUSAGE_CHILDREN)`, the largest child's high-water mark) must
//! stay under [`BOUND_MIB`], the bound README states.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The memory bound README states for `amlgen check` on any input.
const BOUND_MIB: i64 = 400;

fn scratch(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("limits");
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// The largest peak resident set of any child waited for so far, in MiB
/// (Linux reports `ru_maxrss` in KiB).
fn children_peak_mib() -> i64 {
    // SAFETY: getrusage only writes the struct it is given.
    let usage = unsafe {
        let mut u: libc::rusage = std::mem::zeroed();
        assert_eq!(libc::getrusage(libc::RUSAGE_CHILDREN, &raw mut u), 0);
        u
    };
    usage.ru_maxrss / 1024
}

/// Runs `amlgen check` on files; returns the exit code and stderr.
fn check(paths: &[PathBuf]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_amlgen"))
        .arg("check")
        .args(paths)
        .args(["--color", "never", "--out", "no-such-out"])
        .output()
        .expect("amlgen runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn doubling_lets(n: usize) -> String {
    std::iter::once("let a0 = \"0123456789abcdef\"\n".to_string())
        .chain((1..=n).map(|i| format!("let a{i} = \"${{a{}}}${{a{}}}\"\n", i - 1, i - 1)))
        .collect()
}

fn doubling_lists(n: usize) -> String {
    std::iter::once("let l0 = [\"203.0.113.0/24\"]\n".to_string())
        .chain((1..=n).map(|i| format!("let l{i} = [l{}, l{}]\n", i - 1, i - 1)))
        .collect()
}

const WORKSPACE: &str = "workspace \"mlw-demo\" {\n  region = \"westeurope\"\n  resource_group = \"rg-ml\"\n  tags = { note = a45 }\n}\n";

const HUGE: usize = 16 * 1024 * 1024 - 64;

#[test]
fn hostile_inputs_stay_within_the_memory_bound() {
    // (name, contents, expected exit code, expected code in stderr)
    let cases: Vec<(&str, Vec<u8>, i32, &str)> = vec![
        (
            "string-bomb.aml",
            (doubling_lets(45) + WORKSPACE).into_bytes(),
            1,
            "AML2017",
        ),
        (
            "list-bomb.aml",
            doubling_lists(45).into_bytes(),
            1,
            "AML2017",
        ),
        (
            "bomb-uses.aml",
            (doubling_lets(12) + &"workspace \"w\" { tags = { k = a12 } }\n".repeat(100))
                .into_bytes(),
            1,
            "AML2017",
        ),
        (
            "deep-lists.aml",
            format!("x = {}", "[\n".repeat(200_000)).into_bytes(),
            1,
            "AML1001",
        ),
        (
            "deep-blocks.aml",
            "a {\n".repeat(200_000).into_bytes(),
            1,
            "AML1001",
        ),
        ("one-huge-line.aml", vec![b'['; HUGE], 1, "AML0008"),
        ("huge-file.aml", b"a\n".repeat(HUGE / 2), 1, "AML0007"),
        (
            "empty-workspaces.aml",
            ("defaults {\n  region = \"westeurope\"\n  resource_group = \"rg-ml\"\n}\n"
                .to_string()
                + &(0..200_000).fold(String::new(), |mut s, i| {
                    use std::fmt::Write;
                    let _ = writeln!(s, "workspace \"mlw-{i}\" {{}}");
                    s
                }))
                .into_bytes(),
            1,
            "AML0007",
        ),
        ("not-utf8.aml", vec![0xff; 4 * 1024 * 1024], 1, "AML0006"),
        (
            // A misspelt 60,000-character name: "did you mean" must not
            // build a 60,000 x 60,000 table.
            "long-names.aml",
            format!(
                "let {0} = \"x\"\nworkspace \"w\" {{\n  tags = {{ k = {0}b }}\n}}\n",
                "a".repeat(60_000)
            )
            .into_bytes(),
            1,
            "AML2005",
        ),
        (
            "errors-everywhere.aml",
            "x = ]\n".repeat(200_000).into_bytes(),
            1,
            "AML9005",
        ),
    ];
    for (name, bytes, exit, code) in cases {
        let before = children_peak_mib();
        let (got, stderr) = check(&[scratch(name, &bytes)]);
        let peak = children_peak_mib();
        let tail: String = stderr
            .chars()
            .rev()
            .take(2000)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        assert_eq!(
            got,
            Some(exit),
            "{name}: exit {got:?} (a signal is None):\n{tail}"
        );
        assert!(
            stderr.contains(&format!("[{code}]")),
            "{name}: expected {code}:\n{tail}"
        );
        assert!(!stderr.contains("panicked"), "{name}:\n{tail}");
        assert!(
            peak < BOUND_MIB,
            "{name}: peak memory {peak} MiB (before it {before} MiB) is past the {BOUND_MIB} MiB bound"
        );
    }
    // More than a build reads, in files each under the per-file limit:
    // refused before they are read (a usage error).
    let parts: Vec<PathBuf> = (0..3)
        .map(|i| scratch(&format!("part-{i}.aml"), &vec![b'#'; HUGE]))
        .collect();
    let (got, stderr) = check(&parts);
    assert_eq!(got, Some(2), "{stderr}");
    assert!(stderr.contains("at most 32 MiB together"), "{stderr}");
    assert!(children_peak_mib() < BOUND_MIB);
}
