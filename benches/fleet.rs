//! The fleet benchmark: fleets of workspaces with 20 outbound rules each,
//! compiled and built. Prints the issue's four figures:
//!
//! 1. check + emit in memory for 250, 500, 1,000 and 2,000 workspaces:
//!    the median of several runs, on every core and on one, and the peak
//!    resident memory of each size;
//! 2. the 1,000-workspace build written to disk as `amlgen build` writes
//!    it (a fresh directory renamed into place, under
//!    `target/bench-fleet/`), beside `cp -r` of the same tree, alternated
//!    in one run;
//! 3. one workspace changed in that fleet and rebuilt over the previous
//!    output as `amlgen build` does (unchanged workspaces not rendered,
//!    their files carried), against the full build, and with
//!    `--render-all`; and `build --check` of that change, which renders
//!    everything, and with `--skip-unchanged` (the fleet in one file per
//!    workspace).
//!
//! The fourth target, output byte-identical whatever the thread count, is
//! a test (`tests/parallel_incremental.rs`), not a timing.
//!
//! Run with `cargo bench --bench fleet` (`FLEET_PROFILE=N`: only the
//! 1,000-workspace build in memory on N threads, for a profiler;
//! `FLEET_PROFILE=incremental`: only one-workspace rebuilds on disk;
//! `FLEET_ONLY=memory` or `disk`: one half of the figures).

use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The allocator of the `amlgen` binary (`compiler/src/main.rs`), so the
/// figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A fleet of `workspaces` in one file; `bump` changes one rule of that
/// workspace (the one-line change of a pull request).
fn fleet(workspaces: usize, bump: Option<usize>) -> String {
    fleet_of(0..workspaces, bump)
}

/// The same fleet, one file per workspace, as a landing zone keeps it.
fn fleet_files(workspaces: usize, bump: Option<usize>) -> Vec<amlgen::Input> {
    (0..workspaces)
        .map(|w| amlgen::Input {
            name: format!("fleet/{w:04}.aml"),
            text: fleet_of(w..w + 1, bump),
        })
        .collect()
}

/// A file of the workspaces `range`.
fn fleet_of(range: std::ops::Range<usize>, bump: Option<usize>) -> String {
    let mut text = String::from(
        "let hub = \"/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg-hub/providers/Microsoft.Network\"\n\
         defaults {\n  region = \"westeurope\"\n  profile = exfiltration_protected\n  tags = { fleet = \"bench\" }\n}\n",
    );
    for w in range {
        let _ = write!(
            text,
            "workspace \"mlw-bench-{w:04}\" {{\n  resource_group = \"rg-bench-{w:04}\"\n  inbound {{ private_endpoint {{ subnet = \"${{hub}}/virtualNetworks/vnet-hub/subnets/snet-pe\"  dns = create }} }}\n  container_registry {{ image_build_compute = \"build\" }}\n  outbound {{\n    firewall_sku = basic\n"
        );
        for r in 0..10 {
            let host = if bump == Some(w) && r == 0 {
                "changed"
            } else {
                "pkg"
            };
            let _ = writeln!(
                text,
                "    rule \"fqdn-{r:02}\" fqdn \"{host}{r}.contoso.com\""
            );
        }
        for r in 0..5 {
            let _ = writeln!(
                text,
                "    rule \"tag-{r:02}\" service_tag \"DataFactory\" {{ protocol = tcp  ports = \"{}\" }}",
                8000 + r
            );
        }
        for r in 0..5 {
            let _ = writeln!(
                text,
                "    rule \"pe-{r:02}\" private_endpoint \"/subscriptions/00000000-0000-0000-0000-0000000000bb/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/stdata{w:04}{r}\" {{ subresource = blob }}"
            );
        }
        text.push_str("  }\n}\n");
    }
    text
}

/// The peak resident memory of this process, in MiB (Linux).
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// The peak resident memory of one check + emit of `n` workspaces on
/// every core, measured in a fresh process (this bench run again with
/// `FLEET_PEAK=n`), so no earlier run's heap counts.
fn peak_of(n: usize) -> f64 {
    let child = std::env::current_exe().ok().and_then(|exe| {
        std::process::Command::new(exe)
            .env("FLEET_PEAK", n.to_string())
            .output()
            .ok()
    });
    child
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(f64::NAN)
}

fn compile(text: String) -> amlgen::Outcome {
    compile_files(vec![amlgen::Input {
        name: "fleet.aml".into(),
        text,
    }])
}

fn compile_files(inputs: Vec<amlgen::Input>) -> amlgen::Outcome {
    let outcome = amlgen::compile(inputs, &amlgen::Options::default());
    assert!(
        !outcome.has_errors(),
        "{}",
        amlgen::diag::render::human(&outcome.diagnostics, &outcome.sources, false)
    );
    outcome
}

fn options(jobs: usize) -> amlgen::emit::BuildOptions {
    amlgen::emit::BuildOptions {
        jobs,
        ..amlgen::emit::BuildOptions::default()
    }
}

/// Seconds of check and of emit (into a sink that counts and drops),
/// the file count and bytes.
fn in_memory(text: &str, jobs: usize) -> (f64, f64, usize, usize) {
    let start = Instant::now();
    let outcome = compile(text.to_string());
    let checked = start.elapsed().as_secs_f64();
    let (mut count, mut bytes) = (0, 0);
    amlgen::driver::emit_into(&outcome, &options(jobs), &mut |_, t| {
        count += 1;
        bytes += t.len();
        Ok(())
    })
    .expect("the fleet builds");
    (
        checked,
        start.elapsed().as_secs_f64() - checked,
        count,
        bytes,
    )
}

/// A count as a float (counts here are far below 2^32).
fn float(n: usize) -> f64 {
    f64::from(u32::try_from(n).unwrap_or(u32::MAX))
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// Compiles a fleet and writes it to `out` as `amlgen build` does.
fn to_disk(inputs: Vec<amlgen::Input>, out: &Path) -> f64 {
    to_disk_as(inputs, out, &options(0))
}

/// [`to_disk`] with build options (another version stamp changes every
/// file: a rebuild that can carry nothing).
fn to_disk_as(inputs: Vec<amlgen::Input>, out: &Path, options: &amlgen::emit::BuildOptions) -> f64 {
    settle();
    let start = Instant::now();
    let outcome = compile_files(inputs);
    amlgen::driver::write_reusing(out, &outcome, options).expect("the fleet is written");
    start.elapsed().as_secs_f64()
}

/// [`to_disk`] rendering every workspace (`build --render-all`): the
/// incremental write without skipping unchanged workspaces.
fn to_disk_rendering_all(inputs: Vec<amlgen::Input>, out: &Path) -> f64 {
    settle();
    let start = Instant::now();
    let outcome = compile_files(inputs);
    amlgen::driver::write_atomic_with(out, |sink| {
        amlgen::driver::emit_into(&outcome, &options(0), sink)
    })
    .expect("the fleet is written");
    start.elapsed().as_secs_f64()
}

/// Runs rounded to milliseconds, for printing.
fn ms(runs: &[f64]) -> Vec<f64> {
    runs.iter().map(|t| (t * 1000.0).round() / 1000.0).collect()
}

/// Flushes the dirty pages of earlier runs to disk (not timed), so that
/// one timed run does not pay for the writeback of the one before.
fn settle() {
    let _ = std::process::Command::new("sync").status();
}

fn cp_r(from: &Path, to: &Path) -> f64 {
    let _ = std::fs::remove_dir_all(to);
    settle();
    let start = Instant::now();
    let ok = std::process::Command::new("cp")
        .arg("-r")
        .arg(from)
        .arg(to)
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "cp -r failed");
    start.elapsed().as_secs_f64()
}

fn scratch() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-fleet");
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

fn figure_in_memory() {
    println!("1. check + emit in memory, x 20 rules (median of the runs; peak resident memory):");
    let mut per_workspace = Vec::new();
    for (n, runs) in [(250, 7), (500, 5), (1000, 5), (2000, 3)] {
        let text = fleet(n, None);
        let all: Vec<_> = (0..runs).map(|_| in_memory(&text, 0)).collect();
        let peak = peak_of(n);
        let one = median(
            (0..runs.min(3))
                .map(|_| {
                    let r = in_memory(&text, 1);
                    r.0 + r.1
                })
                .collect(),
        );
        let (_, _, count, bytes) = all[0];
        let check = median(all.iter().map(|r| r.0).collect());
        let emit = median(all.iter().map(|r| r.1).collect());
        let total = median(all.iter().map(|r| r.0 + r.1).collect());
        println!(
            "   {n:>5} workspaces: total {:>6.0} ms (check {:>5.0} ms, emit {:>6.0} ms) on all cores, {:>6.0} ms on one; peak {peak:>5.1} MiB; {count} files, {:.1} MiB",
            total * 1e3,
            check * 1e3,
            emit * 1e3,
            one * 1e3,
            float(bytes) / 1024.0 / 1024.0,
        );
        per_workspace.push(total / float(n));
    }
    println!(
        "   time per workspace, 250 -> 2,000: {} (linear: constant)",
        per_workspace
            .iter()
            .map(|t| format!("{:.2} ms", t * 1e3))
            .collect::<Vec<_>>()
            .join(", ")
    );
}

/// The fleet on disk, kept as a landing zone keeps it: one file per
/// workspace (the input hash covers a workspace's whole posture file, so
/// a change to a file renders all of that file's workspaces again).
fn figures_on_disk() {
    let dir = scratch();
    let out = dir.join("out");
    let copy = dir.join("copy");
    let files = || fleet_files(1000, None);
    println!(
        "2. 1,000 workspaces (one file each) written to disk, full build (no previous output) beside `cp -r` of the tree:"
    );
    let (mut builds, mut copies) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        let _ = std::fs::remove_dir_all(&out);
        builds.push(to_disk(files(), &out));
        copies.push(cp_r(&out, &copy));
    }
    let (full, cp) = (median(builds.clone()), median(copies.clone()));
    println!(
        "   build {full:.2} s, cp -r {cp:.2} s: x{:.2} (runs: build {:?}, cp {:?})",
        full / cp,
        ms(&builds),
        ms(&copies),
    );
    let _ = std::fs::remove_dir_all(&copy);
    println!("3. one workspace changed, rebuilt over the previous output:");
    let (mut incs, mut rewrites, mut all) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..3 {
        let changed = || fleet_files(1000, Some(100 * i + 7));
        incs.push(to_disk(changed(), &out));
        to_disk(files(), &out);
        all.push(to_disk_rendering_all(changed(), &out));
        to_disk(files(), &out);
        let other = amlgen::emit::BuildOptions {
            version: "0.0.0-bench".into(),
            ..options(0)
        };
        rewrites.push(to_disk_as(files(), &out, &other));
        to_disk(files(), &out);
    }
    let (inc, rewrite, all) = (median(incs.clone()), median(rewrites), median(all));
    println!(
        "   amlgen build {inc:.3} s (runs {:?}): {:.1}% of the full build; with --render-all {all:.2} s; a rebuild with every file changed {rewrite:.2} s",
        ms(&incs),
        inc / full * 100.0,
    );
    let check = |skip_unchanged: bool| {
        let start = Instant::now();
        let outcome = compile_files(fleet_files(1000, Some(500)));
        let drifts = if skip_unchanged {
            amlgen::driver::drift_reusing(&out, &outcome, &options(0)).map(|(d, _)| d)
        } else {
            amlgen::driver::drift_with(&out, |sink| {
                amlgen::driver::emit_into(&outcome, &options(0), sink)
            })
        };
        assert!(!drifts.expect("the check runs").is_empty());
        start.elapsed().as_secs_f64()
    };
    let (every, skipping) = (
        median(vec![check(false), check(false), check(false)]),
        median(vec![check(true), check(true), check(true)]),
    );
    println!("   amlgen build --check {every:.2} s; with --skip-unchanged {skipping:.3} s");
    // The same change with the fleet in one file: every workspace's
    // input hash changes with the file.
    let one_file = || {
        vec![amlgen::Input {
            name: "fleet.aml".into(),
            text: fleet(1000, None),
        }]
    };
    to_disk(one_file(), &out);
    let single = to_disk(
        vec![amlgen::Input {
            name: "fleet.aml".into(),
            text: fleet(1000, Some(507)),
        }],
        &out,
    );
    println!("   the fleet in one file instead: amlgen build of the same change {single:.2} s");
    let _ = std::fs::remove_dir_all(&out);
}

fn main() {
    if let Some(n) = std::env::var_os("FLEET_PEAK") {
        let n = n.to_str().and_then(|n| n.parse().ok()).unwrap_or(1000);
        in_memory(&fleet(n, None), 0);
        println!("{:.1}", peak_rss_mib().unwrap_or(f64::NAN));
        return;
    }
    // `FLEET_PROFILE=incremental`: only one-workspace rebuilds of the
    // fleet kept one file per workspace, for a profiler.
    if std::env::var("FLEET_PROFILE").as_deref() == Ok("incremental") {
        let out = scratch().join("out");
        to_disk(fleet_files(1000, None), &out);
        for i in 0..6 {
            let t = to_disk(fleet_files(1000, Some(i % 2 * 100 + 7)), &out);
            println!("incremental {:.0} ms", t * 1e3);
        }
        let _ = std::fs::remove_dir_all(&out);
        return;
    }
    // `FLEET_PROFILE=N`: only the 1,000-workspace build in memory on N
    // threads (1 if not a number), a few times, for a profiler.
    if let Some(jobs) = std::env::var_os("FLEET_PROFILE") {
        let jobs = jobs.to_str().and_then(|j| j.parse().ok()).unwrap_or(1);
        let text = fleet(1000, None);
        for _ in 0..3 {
            let (check, emit, _, _) = in_memory(&text, jobs);
            println!("check {:.0} ms, emit {:.0} ms", check * 1e3, emit * 1e3);
        }
        return;
    }
    // `FLEET_ONLY=memory|disk`: one half of the figures.
    let only = std::env::var("FLEET_ONLY").unwrap_or_default();
    if only != "disk" {
        figure_in_memory();
    }
    if only != "memory" {
        figures_on_disk();
    }
}
