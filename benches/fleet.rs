//! The fleet benchmark: 1,000 workspaces with 20 outbound rules each,
//! compiled and built, and the build written to disk as `amlgen build`
//! writes it (a fresh directory renamed into place; here under
//! `target/bench-fleet/`). Prints the time of each phase and the peak
//! resident memory, then repeats at 250 and 500 workspaces to show the
//! growth is linear. Run with `cargo bench --bench fleet`.

use std::fmt::Write;
use std::time::Instant;

fn fleet(workspaces: usize) -> String {
    let mut text = String::from(
        "let hub = \"/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg-hub/providers/Microsoft.Network\"\n\
         defaults {\n  region = \"westeurope\"\n  profile = exfiltration_protected\n  tags = { fleet = \"bench\" }\n}\n",
    );
    for w in 0..workspaces {
        let _ = write!(
            text,
            "workspace \"mlw-bench-{w:04}\" {{\n  resource_group = \"rg-bench-{w:04}\"\n  inbound {{ private_endpoint {{ subnet = \"${{hub}}/virtualNetworks/vnet-hub/subnets/snet-pe\"  dns = create }} }}\n  container_registry {{ image_build_compute = \"build\" }}\n  outbound {{\n    firewall_sku = basic\n"
        );
        for r in 0..10 {
            let _ = writeln!(text, "    rule \"fqdn-{r:02}\" fqdn \"pkg{r}.contoso.com\"");
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

fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Compiles and builds a fleet; the files go to a sink that counts and
/// drops them (`to_disk = false`) or into a real output directory as
/// `amlgen build` writes it. Returns the total seconds.
fn run(workspaces: usize, to_disk: bool) -> f64 {
    let text = fleet(workspaces);
    let start = Instant::now();
    let outcome = amlgen::compile(
        vec![amlgen::Input {
            name: "fleet.aml".into(),
            text,
        }],
        &amlgen::Options::default(),
    );
    assert!(
        !outcome.has_errors(),
        "{}",
        amlgen::diag::render::human(&outcome.diagnostics, &outcome.sources, false)
    );
    let checked_at = start.elapsed();
    let options = amlgen::emit::BuildOptions::default();
    let mut count = 0usize;
    let mut bytes = 0usize;
    let mut tally = |p: &str, t: String, sink: &mut amlgen::emit::Sink| {
        count += 1;
        bytes += t.len();
        sink(p, t)
    };
    if to_disk {
        let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-fleet/out");
        std::fs::create_dir_all(out.parent().expect("a parent")).expect("a scratch directory");
        amlgen::driver::write_atomic_with(&out, |sink| {
            amlgen::driver::emit_into(&outcome, &options, &mut |p, t| tally(p, t, sink))
        })
        .expect("the fleet is written");
    } else {
        amlgen::driver::emit_into(&outcome, &options, &mut |p, t| {
            tally(p, t, &mut |_, _| Ok(()))
        })
        .expect("the fleet builds");
    }
    let total = start.elapsed();
    let mib = f64::from(u32::try_from(bytes / 1024).unwrap_or(u32::MAX)) / 1024.0;
    println!(
        "{workspaces:>5} workspaces x 20 rules{}: check {:>7.1} ms, build {:>7.1} ms, total {:>7.1} ms, {count} files, {mib:.1} MiB",
        if to_disk { ", written to disk" } else { "" },
        checked_at.as_secs_f64() * 1e3,
        total.saturating_sub(checked_at).as_secs_f64() * 1e3,
        total.as_secs_f64() * 1e3,
    );
    total.as_secs_f64()
}

fn main() {
    // The largest first, so the peak memory is the 1,000-workspace build's.
    let t1000 = run(1000, false);
    if let Some(mib) = peak_rss_mib() {
        println!("peak resident memory: {mib:.1} MiB");
    }
    let t500 = run(500, false);
    let t250 = run(250, false);
    println!(
        "growth: 250 -> 500 x{:.2}, 500 -> 1000 x{:.2} (linear is x2)",
        t500 / t250,
        t1000 / t500
    );
    // The same build written out, as `amlgen build` does (disk speed varies).
    run(1000, true);
    if let Some(mib) = peak_rss_mib() {
        println!("peak resident memory with the write: {mib:.1} MiB");
    }
}
