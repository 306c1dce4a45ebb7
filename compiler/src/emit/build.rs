//! A build: every workspace through its plan, lowering and printers (on
//! several threads, folded into the sink in posture order); then the hub
//! firewall's files, the policy blocks, `DEPLOY.md` (from a small summary
//! of each workspace) and the manifest. The top of the back end: the only module that
//! calls the plan, the lowerings and the printers together.

use std::collections::BTreeMap;
use std::path::Path;

mod inputs;

use super::azure::{IdScope, WorkspaceAllow};
use super::lower;
use super::plan::Plan;
use super::print::files::{Artifacts, Reuse, Sink};
use super::print::policy::Layout;
use super::print::report;
use super::print::{self, arm, bicep, epac, terraform};
use crate::check::AcceptedFinding;
use crate::diag::Diagnostic;
use crate::ir::Checked;
use crate::manifest::{self, Manifest, ManifestWorkspace, Target, sha256_hex};
use crate::source::SourceMap;

/// How a build is made.
#[derive(Clone, Debug)]
pub struct BuildOptions {
    /// The version stamped into every artifact (tests pin it).
    pub version: String,
    /// The hash of the amlgen source that prints the files (set by the
    /// build script; tests pin it): a workspace's input hash folds it in,
    /// so a previous build's files are reused only when this same source
    /// made them.
    pub source: String,
    /// A directory whose `*.hbs` files override the embedded templates.
    pub templates: Option<std::path::PathBuf>,
    /// How policy blocks are laid out.
    pub policy_layout: Layout,
    /// The targets to build (sorted, without duplicates; the manifest
    /// records them). Reports and policy JSON are written whatever they are.
    pub targets: Vec<Target>,
    /// How many threads render workspaces; 0: one per core. The output
    /// does not depend on it.
    pub jobs: usize,
}

impl Default for BuildOptions {
    fn default() -> Self {
        Self {
            version: env!("CARGO_PKG_VERSION").to_string(),
            source: env!("AMLGEN_SOURCE_HASH").to_string(),
            templates: None,
            policy_layout: Layout::Plain,
            targets: manifest::bicep_only(),
            jobs: 0,
        }
    }
}

/// Emits every artifact of a checked posture into memory. `diagnostics`
/// are the check's warnings and notes, for the reports.
pub fn build(
    checked: &Checked,
    diagnostics: &[Diagnostic],
    sources: &SourceMap,
    options: &BuildOptions,
) -> Result<Artifacts, String> {
    let mut files = Artifacts::new();
    build_into(
        checked,
        diagnostics,
        &[],
        sources,
        options,
        &mut |path, text| {
            files.insert(path.to_string(), text);
            Ok(())
        },
    )?;
    Ok(files)
}

/// The accepted findings of each workspace, by its index in the posture.
fn accepted_by_workspace(accepted: &[AcceptedFinding]) -> BTreeMap<usize, Vec<&AcceptedFinding>> {
    let mut out: BTreeMap<usize, Vec<&AcceptedFinding>> = BTreeMap::new();
    for f in accepted {
        for i in &f.workspaces {
            out.entry(*i).or_default().push(f);
        }
    }
    out
}

/// Emits every artifact of a checked posture into a sink, the manifest
/// last. `diagnostics` are the posture's own warnings and notes (never
/// changed by command-line flags), `accepted` the findings it accepts,
/// for the reports.
pub fn build_into(
    checked: &Checked,
    diagnostics: &[Diagnostic],
    accepted: &[AcceptedFinding],
    sources: &SourceMap,
    options: &BuildOptions,
    sink: &mut Sink,
) -> Result<(), String> {
    build_reusing(
        checked,
        diagnostics,
        accepted,
        sources,
        options,
        &|_, _| None,
        sink,
    )
}

/// [`build_into`], without rendering the workspaces `reuse` vouches for
/// (their files do not reach the sink; the manifest records them as
/// `reuse` gives them).
pub fn build_reusing(
    checked: &Checked,
    diagnostics: &[Diagnostic],
    accepted: &[AcceptedFinding],
    sources: &SourceMap,
    options: &BuildOptions,
    reuse: &Reuse,
    sink: &mut Sink,
) -> Result<(), String> {
    let hb = bicep::registry(options.templates.as_deref().map(Path::new))?;
    let posture = checked.posture();
    let mut manifest = Manifest {
        format: manifest::FORMAT,
        amlgen_version: options.version.clone(),
        workspaces: BTreeMap::new(),
        policies: BTreeMap::new(),
        hub_firewall: BTreeMap::new(),
        epac: BTreeMap::new(),
        targets: options.targets.clone(),
    };
    let bicep_target = options.targets.contains(&Target::Bicep);
    let terraform_target = options.targets.contains(&Target::Terraform);
    let by_workspace = diagnostics_by_workspace(posture, diagnostics);
    let accepted_by_workspace = accepted_by_workspace(accepted);
    let mut allows: Vec<WorkspaceAllow> = Vec::new();
    let mut blocks: Vec<epac::Block> = Vec::new();
    let mut deploy = print::deploy::Summary::new(bicep_target, terraform_target);
    let header_from = |files: &str| {
        format!(
            "Generated by amlgen {} from {files}; do not edit, change the posture and rebuild",
            options.version
        )
    };
    let header = |file: crate::source::FileId| header_from(&sources.get(file).name);
    // Workspaces are independent once checked: rendered on `jobs` threads,
    // folded here one at a time in posture order, so the sink, the
    // manifest and the firewall list see the same sequence whatever the
    // scheduling.
    let cx = WorkspaceCx {
        hb: &hb,
        sources,
        bicep: bicep_target,
        terraform: terraform_target,
        header: &header,
        inputs: inputs::Inputs::new(
            sources,
            // Everything of the options a workspace's files depend on;
            // none with template overrides, whose text the hash would
            // have to read.
            options.templates.is_none().then(|| {
                format!(
                    "{}\n{}\n{:?}\n{:?}",
                    options.version, options.source, options.targets, options.policy_layout
                )
            }),
        ),
        reuse,
    };
    let none = Vec::new();
    let none_accepted = Vec::new();
    let render = |i: usize| {
        let ws = &posture.workspaces[i];
        emit_workspace(
            &cx,
            ws,
            by_workspace.get(&i).unwrap_or(&none),
            accepted_by_workspace.get(&i).unwrap_or(&none_accepted),
        )
    };
    in_order(
        posture.workspaces.len(),
        jobs(options.jobs),
        &render,
        &mut |out| {
            allows.extend(out.allow);
            deploy.workspaces.push(out.summary);
            manifest.workspaces.insert(out.name, out.entry);
            for (path, text) in out.files {
                sink(&path, text)?;
            }
            Ok(())
        },
    )?;
    allows.sort_by(|a, b| a.workspace.cmp(&b.workspace));
    let lists = allows;
    if !lists.is_empty() {
        let mut files: Vec<&str> = posture
            .workspaces
            .iter()
            .filter(|w| w.outbound.custom_vnet().is_some())
            .map(|w| sources.get(w.span.file).name.as_str())
            .collect();
        files.sort_unstable();
        files.dedup();
        deploy.hub_firewall = true;
        let group = lower::firewall::rule_collection_group(&lists);
        let hub = print::firewall::artifacts(&lists, &group, &hb, &header_from(&files.join(", ")))?;
        for (path, text) in hub {
            manifest.hub_firewall.insert(
                path.clone(),
                format!("sha256:{}", sha256_hex(text.as_bytes())),
            );
            sink(&path, text)?;
        }
    }
    for p in &posture.policies {
        let header = header(p.span.file);
        let location = policy_location(posture, p);
        let dir = format!("policies/{}", p.name.as_str());
        let build = lower::policy::plan(posture, p);
        let deployment = lower::policy::deployment(&build);
        deploy
            .policies
            .push(print::deploy::PolicySummary::of(p, &build, location));
        let mut files =
            print::policy::artifacts(p, (&build, &deployment), &hb, &header, location, &dir)?;
        if !bicep_target {
            files.retain(|path, _| !is_bicep_artifact(path));
        }
        if terraform_target {
            let what = format!(
                "Policy `{}`: its custom definitions, the initiative, the assignment and the identity's roles, at {}",
                p.name, build.scope_id
            );
            for (path, text) in terraform::policy(&build, &deployment, &header, &what, location)? {
                files.insert(format!("{dir}/terraform/{path}"), text);
            }
        }
        if options.policy_layout == Layout::Epac {
            blocks.push(epac::Block {
                build,
                policy: p,
                location,
            });
        }
        for (path, text) in files {
            manifest
                .policies
                .entry(p.name.as_str().to_string())
                .or_default()
                .insert(
                    path.clone(),
                    format!("sha256:{}", sha256_hex(text.as_bytes())),
                );
            sink(&path, text)?;
        }
    }
    if !blocks.is_empty() {
        for (path, text) in epac::artifacts(&blocks) {
            manifest.epac.insert(
                path.clone(),
                format!("sha256:{}", sha256_hex(text.as_bytes())),
            );
            sink(&path, text)?;
        }
    }
    deploy.header = header_from(&print::deploy::files(posture, sources));
    sink(print::deploy::FILE, print::deploy::render(&deploy))?;
    let mut text = serde_json::to_string_pretty(&manifest).map_err(|e| e.to_string())?;
    text.push('\n');
    sink(manifest::FILE_NAME, text)
}

/// What rendering a workspace needs from the build, shared by the
/// threads.
struct WorkspaceCx<'a> {
    hb: &'a bicep::Templates,
    sources: &'a SourceMap,
    bicep: bool,
    terraform: bool,
    header: &'a (dyn Fn(crate::source::FileId) -> String + Sync),
    inputs: inputs::Inputs<'a>,
    reuse: &'a Reuse<'a>,
}

/// One workspace's share of the build: its files (sorted by path), its
/// manifest entry and what it asks of the hub firewall.
struct WorkspaceOut {
    name: String,
    entry: ManifestWorkspace,
    allow: Option<WorkspaceAllow>,
    /// What `DEPLOY.md` needs of it.
    summary: print::deploy::WorkspaceSummary,
    files: Artifacts,
}

/// A workspace through its plan, lowering and printers. `diagnostics` and
/// `accepted` are its own, for its report.
fn emit_workspace(
    cx: &WorkspaceCx,
    ws: &crate::ir::Workspace,
    diagnostics: &[Diagnostic],
    accepted: &[&AcceptedFinding],
) -> Result<WorkspaceOut, String> {
    let plan = Plan::of(ws);
    let d = lower::deployment(&plan);
    let allow = lower::firewall::workspace_allow(&plan, &d.hub_zone_links, cx.sources);
    let summary = print::deploy::WorkspaceSummary::of(ws, &d);
    let inputs = cx.inputs.hash(ws, diagnostics, accepted);
    let mut entry = ManifestWorkspace {
        subscription_id: ws.subscription_id.as_ref().map(|s| s.as_str().to_string()),
        resource_group: ws.resource_group.value.as_str().to_string(),
        isolation_mode: ws.outbound.mode.value.keyword().to_string(),
        inputs,
        artifacts: BTreeMap::new(),
    };
    let name = ws.name.as_str().to_string();
    if let Some(artifacts) = entry.inputs.as_ref().and_then(|h| (cx.reuse)(&name, h)) {
        entry.artifacts = artifacts;
        return Ok(WorkspaceOut {
            name,
            entry,
            allow,
            summary,
            files: Artifacts::new(),
        });
    }
    let header = (cx.header)(ws.span.file);
    let dir = format!("workspaces/{}", ws.name.as_str());
    let mut files = Artifacts::new();
    if cx.bicep {
        bicep_files(cx.hb, &d, &header, &dir, &mut files)?;
    }
    if cx.terraform {
        for (path, text) in terraform::workspace(&d, &header)? {
            files.insert(format!("{dir}/terraform/{path}"), text);
        }
        for (path, text) in terraform::deployer(&d, &header)? {
            files.insert(format!("{dir}/deployer/terraform/{path}"), text);
        }
    }
    files.insert(
        format!("{dir}/REPORT.md"),
        report::render(ws, &d, diagnostics, accepted, cx.sources, &header),
    );
    entry.artifacts = files
        .iter()
        .map(|(p, t)| (p.clone(), format!("sha256:{}", sha256_hex(t.as_bytes()))))
        .collect();
    Ok(WorkspaceOut {
        name,
        entry,
        allow,
        summary,
        files,
    })
}

/// The threads a build renders on: `asked`, or one per core for 0.
fn jobs(asked: usize) -> usize {
    if asked > 0 {
        asked
    } else {
        std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
    }
}

/// Results computed ahead of the one the caller waits for, per thread:
/// enough to keep the threads busy while the sink writes, few enough that
/// memory holds a handful of workspaces' files.
const AHEAD_PER_JOB: usize = 8;

/// Computes `f(0..n)` and hands the results to `consume` in index order,
/// on the calling thread. With more than one job, `jobs` threads take the
/// next index as they finish one, at most a window ahead of `consume`,
/// and send their results back; the caller puts them in order. The first
/// error in index order is returned, as a sequential run would return it,
/// and stops the threads.
fn in_order<R: Send>(
    n: usize,
    jobs: usize,
    f: &(dyn Fn(usize) -> Result<R, String> + Sync),
    consume: &mut dyn FnMut(R) -> Result<(), String>,
) -> Result<(), String> {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::{Condvar, Mutex, PoisonError};
    if jobs <= 1 {
        return (0..n).try_for_each(|i| consume(f(i)?));
    }
    let window = jobs * AHEAD_PER_JOB;
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    // How many results `consume` has taken, and its signal.
    let taken = (Mutex::new(0usize), Condvar::new());
    std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::channel();
        for _ in 0..jobs {
            let tx = tx.clone();
            let (next, stop, taken) = (&next, &stop, &taken);
            s.spawn(move || {
                // A panic (a bug) must not leave the others waiting for
                // its index: they stop, and the scope passes it on.
                let _guard = StopOnPanic(stop, taken);
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        return;
                    }
                    let mut t = taken.0.lock().unwrap_or_else(PoisonError::into_inner);
                    while i >= *t + window && !stop.load(Ordering::Relaxed) {
                        t = taken.1.wait(t).unwrap_or_else(PoisonError::into_inner);
                    }
                    drop(t);
                    if stop.load(Ordering::Relaxed) || tx.send((i, f(i))).is_err() {
                        return;
                    }
                }
            });
        }
        drop(tx);
        let mut pending = BTreeMap::new();
        let mut want = 0;
        let mut fold = || {
            for (i, r) in &rx {
                pending.insert(i, r);
                while let Some(r) = pending.remove(&want) {
                    consume(r?)?;
                    want += 1;
                    *taken.0.lock().unwrap_or_else(PoisonError::into_inner) = want;
                    taken.1.notify_all();
                }
            }
            Ok(())
        };
        let folded = fold();
        if folded.is_err() {
            stop.store(true, Ordering::Relaxed);
            let _t = taken.0.lock().unwrap_or_else(PoisonError::into_inner);
            taken.1.notify_all();
        }
        folded
    })
}

/// Stops the threads of [`in_order`] when the one that holds it panics.
struct StopOnPanic<'a>(
    &'a std::sync::atomic::AtomicBool,
    &'a (std::sync::Mutex<usize>, std::sync::Condvar),
);

impl Drop for StopOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.store(true, std::sync::atomic::Ordering::Relaxed);
            let _t = (self.1).0.lock();
            (self.1).1.notify_all();
        }
    }
}

/// A workspace's Bicep target: the entry file, its modules and parameter
/// file, the ARM JSON, and the deployer's role in both.
fn bicep_files(
    hb: &bicep::Templates,
    d: &super::azure::Deployment,
    header: &str,
    dir: &str,
    mine: &mut Artifacts,
) -> Result<(), String> {
    for (path, text) in bicep::render_deployment(hb, d, header)? {
        mine.insert(format!("{dir}/{path}"), text);
    }
    mine.insert(format!("{dir}/azuredeploy.json"), arm::main_text(d));
    let deployer = std::slice::from_ref(&d.deployer_role);
    mine.insert(
        format!("{dir}/deployer/azuredeploy.json"),
        arm::scoped_text(IdScope::Subscription, deployer),
    );
    mine.insert(
        format!("{dir}/deployer/main.bicep"),
        bicep::render_scoped(
            hb,
            "subscription",
            None,
            deployer,
            header,
            &format!(
                "The custom role for the identity that deploys workspace `{}` (assign it on the resource group before running the deployment)",
                d.workspace
            ),
        )?,
    );
    Ok(())
}

/// A file of the Bicep target: Bicep, or the ARM JSON compiled from it.
fn is_bicep_artifact(path: &str) -> bool {
    let ext = Path::new(path).extension().and_then(|e| e.to_str());
    matches!(ext, Some("bicep" | "bicepparam")) || path.ends_with("/azuredeploy.json")
}

/// Where a policy's assignment identity (when it needs one) is placed:
/// the policy's region, else that of the first workspace of its file (the
/// checker refuses a policy with neither, AML3180).
fn policy_location<'a>(
    posture: &'a crate::ir::Posture,
    p: &'a crate::ir::Policy,
) -> Option<&'a str> {
    p.region
        .as_ref()
        .map(crate::ir::Region::as_str)
        .or_else(|| {
            posture
                .workspaces
                .iter()
                .find(|w| w.span.file == p.span.file)
                .map(|w| w.region.value.as_str())
        })
}

/// The diagnostics of each workspace (by index): those placed in its
/// block (`ir::WorkspaceBlocks`, which also places the acceptances' findings).
/// One pass over the diagnostics, whatever the size of the fleet.
fn diagnostics_by_workspace(
    posture: &crate::ir::Posture,
    diagnostics: &[Diagnostic],
) -> BTreeMap<usize, Vec<Diagnostic>> {
    let blocks = crate::ir::WorkspaceBlocks::of(posture);
    let mut out: BTreeMap<usize, Vec<Diagnostic>> = BTreeMap::new();
    for d in diagnostics {
        if let Some(i) = d.primary.and_then(|p| blocks.at(p)) {
            out.entry(i).or_default().push(d.clone());
        }
    }
    out
}
