//! The pipeline: lex → parse → lower → check, over every input file, and
//! the loading of inputs from paths. With `main`, the only module that
//! touches the file system.

use std::path::{Path, PathBuf};

use crate::check::{self, Previous};
use crate::diag::{Code, Diagnostic, Diagnostics, Severity};
use crate::ir::{self, Checked};
use crate::manifest::Manifest;
use crate::source::{SourceFile, SourceMap};
use crate::syntax::{lexer, limits, parser};

/// The extension of posture files.
pub const EXTENSION: &str = "aml";

/// Largest posture file amlgen reads (spans are 32-bit byte offsets).
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// The most all posture files of one build may hold together: they are
/// all in memory at once (see also `syntax::limits`).
pub const MAX_INPUT_BYTES: u64 = 32 * 1024 * 1024;

/// One posture file's name (as shown in diagnostics) and text.
#[derive(Clone, Debug)]
pub struct Input {
    pub name: String,
    pub text: String,
}

/// The build's date and how diagnostics are filtered and escalated.
#[derive(Clone, Debug)]
pub struct Options {
    /// The build's date, against which accepted risks expire (`--today`;
    /// by default the system's date in UTC, [`today_utc`]).
    pub today: ir::Date,
    /// The previous build's manifest: where it was read from, and its text.
    pub previous: Option<(String, String)>,
    /// Turn every warning into an error.
    pub deny_warnings: bool,
    /// Codes whose warnings and notes are dropped.
    pub allow: Vec<Code>,
    /// Codes whose warnings become errors.
    pub deny: Vec<Code>,
    /// A build that must keep every workspace the previous manifest knows:
    /// dropping one is an error (AML9002). False for `check`, and for
    /// `build --prune`, which drops them on purpose.
    pub keep_known: bool,
}

impl Default for Options {
    /// No previous build, no flags, and today's date.
    fn default() -> Self {
        Options {
            today: today_utc(),
            previous: None,
            deny_warnings: false,
            allow: Vec::new(),
            deny: Vec::new(),
            keep_known: false,
        }
    }
}

/// Today's date in UTC from the system clock (1970-01-01 if the clock is
/// before it).
#[must_use]
pub fn today_utc() -> ir::Date {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    ir::Date::from_days_since_epoch(secs / 86_400)
}

/// What a compilation produced.
pub struct Outcome {
    pub sources: SourceMap,
    /// What is printed: the posture's findings after `--allow`, `--deny`
    /// and `--deny-warnings`. Sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    /// The posture's own findings, after its accepted risks and before any
    /// command-line flag: what the artifacts (the reports) are made from,
    /// so that no flag changes them. Sorted by file and position.
    pub findings: Vec<Diagnostic>,
    /// The findings the posture accepts (`accept`), sorted by place.
    pub accepted_risks: Vec<check::AcceptedFinding>,
    /// How many findings the posture accepts.
    pub accepted: usize,
    /// Present only when there is no error.
    pub checked: Option<Checked>,
}

impl Outcome {
    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }
}

/// Compiles posture files into a checked posture, reporting every problem.
#[must_use]
pub fn compile(inputs: Vec<Input>, options: &Options) -> Outcome {
    let mut sources = SourceMap::default();
    let mut diags = Diagnostics::default();
    let mut files = Vec::new();
    // The token limit is the build's: the syntax trees of all files are
    // held at once.
    let mut tokens_left = limits::MAX_TOKENS;
    for input in inputs {
        let id = sources.add(SourceFile::new(input.name, input.text));
        let text = &sources.get(id).text;
        let tokens = lexer::lex_limited(id, text, tokens_left, &mut diags);
        tokens_left = tokens_left.saturating_sub(tokens.len() - 1);
        files.push(parser::parse(&tokens, &mut diags));
    }
    let extents = workspace_extents(&files, &sources);
    let posture = ir::lower::lower(&files, &mut diags);
    let manifest = options.previous.as_ref().and_then(|(path, text)| match Manifest::parse(text) {
        Ok(m) => Some((path.as_str(), m)),
        Err(msg) => {
            diags.push(
                Diagnostic::unplaced(Code::InvalidManifest, format!("cannot read the previous build's manifest {path}: {msg}"))
                    .help("fix or delete the manifest, or pass another with `--previous FILE`; without it, isolation-mode downgrades cannot be detected"),
            );
            None
        }
    });
    let previous = manifest.as_ref().map(|(path, m)| Previous {
        manifest: m,
        path,
        keep_known: options.keep_known,
    });
    let mut accepted_risks = Vec::new();
    let checked = check::check(
        posture,
        previous.as_ref(),
        options.today,
        &mut diags,
        &mut accepted_risks,
    );
    let mut findings = diags.into_sorted();
    let mut diagnostics = Vec::new();
    for d in &mut findings {
        d.workspace = d.primary.and_then(|at| {
            extents
                .iter()
                .find(|(block, _)| {
                    block.file == at.file && block.start <= at.start && at.end <= block.end
                })
                .map(|(_, name)| name.clone())
        });
    }
    for d in &findings {
        if d.severity != Severity::Error && options.allow.contains(&d.code) {
            continue;
        }
        let mut d = d.clone();
        if d.severity == Severity::Warning
            && (options.deny_warnings || options.deny.contains(&d.code))
        {
            d.severity = Severity::Error;
            d.notes.push(format!(
                "treated as an error by {}",
                if options.deny.contains(&d.code) {
                    format!("`--deny {}`", d.code.name())
                } else {
                    "`--deny-warnings`".to_string()
                }
            ));
        }
        diagnostics.push(d);
    }
    let failed = diagnostics.iter().any(|d| d.severity == Severity::Error);
    Outcome {
        sources,
        diagnostics,
        findings,
        accepted: accepted_risks.len(),
        accepted_risks,
        checked: if failed { None } else { checked },
    }
}

/// Each top-level `workspace "name" { ... }` block: its extent and its name
/// as written (the text between the quotes), for [`Diagnostic::workspace`].
fn workspace_extents(
    files: &[crate::syntax::ast::File],
    sources: &SourceMap,
) -> Vec<(crate::span::Span, String)> {
    use crate::syntax::ast::Entry;
    let mut out = Vec::new();
    for file in files {
        for entry in &file.entries {
            let Entry::Stmt(s) = entry else { continue };
            let (true, [name]) = (s.head.name == "workspace", s.args.as_slice()) else {
                continue;
            };
            let text = &sources.get(name.span.file).text;
            let written = text
                .get(name.span.start as usize..name.span.end as usize)
                .unwrap_or_default();
            out.push((s.span, written.trim_matches('"').to_string()));
        }
    }
    out
}

/// The path that stands for standard input: one posture read from it.
pub const STDIN: &str = "-";

/// What `check` and `build` read when given no path: `examples/` when
/// there is one beside the command, else the current directory (its
/// `*.aml`, searched recursively).
#[must_use]
pub fn default_paths() -> Vec<PathBuf> {
    if Path::new("examples").is_dir() {
        vec![PathBuf::from("examples")]
    } else {
        vec![PathBuf::from(".")]
    }
}

/// Expands paths: files as given, directories searched recursively for
/// `*.aml` (hidden directories such as `.git` are skipped), in sorted
/// order, and `-` (standard input) kept as it is. Errors are usage errors
/// (exit 2).
pub fn collect_paths(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for p in paths {
        if p.as_os_str() == STDIN {
            out.push(p.clone());
            continue;
        }
        let meta =
            std::fs::metadata(p).map_err(|e| format!("cannot read `{}`: {e}", p.display()))?;
        if meta.is_dir() {
            let before = out.len();
            walk(p, &mut out)?;
            if out.len() == before {
                return Err(format!(
                    "no `*.{EXTENSION}` posture files under `{}`",
                    p.display()
                ));
            }
        } else {
            out.push(p.clone());
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read directory `{}`: {e}", dir.display()))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        let hidden = p
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if p.is_dir() && !hidden {
            walk(&p, out)?;
        } else if p.extension().is_some_and(|e| e == EXTENSION) {
            out.push(p);
        }
    }
    Ok(())
}

/// Reads posture files. Errors are usage errors (exit 2).
pub fn read_inputs(paths: &[PathBuf]) -> Result<Vec<Input>, String> {
    let mut inputs = Vec::new();
    let mut total = 0u64;
    for p in paths {
        if p.as_os_str() == STDIN {
            let text = read_stdin()?;
            total += text.len() as u64;
            inputs.push(Input {
                name: "<stdin>".to_string(),
                text,
            });
            continue;
        }
        let meta =
            std::fs::metadata(p).map_err(|e| format!("cannot read `{}`: {e}", p.display()))?;
        if meta.len() > MAX_FILE_BYTES {
            return Err(format!(
                "`{}` is larger than {} MiB",
                p.display(),
                MAX_FILE_BYTES / 1024 / 1024
            ));
        }
        total += meta.len();
        if total > MAX_INPUT_BYTES {
            return Err(format!(
                "the posture files of one build may hold at most {} MiB together; `{}` takes them past it: split the fleet into several builds",
                MAX_INPUT_BYTES / 1024 / 1024,
                p.display(),
            ));
        }
        // Read no more than the limit, even if the file grew since.
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(
            &mut std::io::Read::take(
                std::fs::File::open(p)
                    .map_err(|e| format!("cannot read `{}`: {e}", p.display()))?,
                MAX_FILE_BYTES,
            ),
            &mut bytes,
        )
        .map_err(|e| format!("cannot read `{}`: {e}", p.display()))?;
        // Bytes that are not UTF-8 become U+FFFD, which the lexer reports
        // (AML0006) at the first one, with its line and column.
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        };
        inputs.push(Input {
            name: display_name(p),
            text,
        });
    }
    Ok(inputs)
}

/// One posture from standard input, within the size of one file.
fn read_stdin() -> Result<String, String> {
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(std::io::stdin().lock(), MAX_FILE_BYTES + 1),
        &mut bytes,
    )
    .map_err(|e| format!("cannot read standard input: {e}"))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "standard input is larger than {} MiB",
            MAX_FILE_BYTES / 1024 / 1024
        ));
    }
    Ok(match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

/// A path as shown in diagnostics: forward slashes, no leading `./`.
#[must_use]
pub fn display_name(p: &Path) -> String {
    let s = p.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

/// Reads the previous manifest: `explicit` if given (it must exist), else
/// `<out_dir>/amlgen.lock.json` if present.
pub fn read_previous(
    explicit: Option<&Path>,
    out_dir: &Path,
) -> Result<Option<(String, String)>, String> {
    let (path, required) = match explicit {
        Some(p) => (p.to_path_buf(), true),
        None => (out_dir.join(crate::manifest::FILE_NAME), false),
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Some((display_name(&path), text))),
        Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!(
            "cannot read the manifest `{}`: {e}",
            path.display()
        )),
    }
}

/// Runs the back end on a compilation without errors, into memory.
pub fn emit(
    outcome: &Outcome,
    options: &crate::emit::BuildOptions,
) -> Result<crate::emit::Artifacts, String> {
    let mut files = crate::emit::Artifacts::new();
    emit_into(outcome, options, &mut |path, text| {
        files.insert(path.to_string(), text);
        Ok(())
    })?;
    Ok(files)
}

/// Runs the back end on a compilation without errors, into a sink.
pub fn emit_into(
    outcome: &Outcome,
    options: &crate::emit::BuildOptions,
    sink: &mut crate::emit::Sink,
) -> Result<(), String> {
    emit_reusing(outcome, options, &|_, _| None, sink)
}

/// [`emit_into`], without rendering the workspaces `reuse` vouches for.
fn emit_reusing(
    outcome: &Outcome,
    options: &crate::emit::BuildOptions,
    reuse: &crate::emit::Reuse,
    sink: &mut crate::emit::Sink,
) -> Result<(), String> {
    let Some(checked) = &outcome.checked else {
        return Err("the posture has errors; nothing was built".to_string());
    };
    crate::emit::build_reusing(
        checked,
        &outcome.findings,
        &outcome.accepted_risks,
        &outcome.sources,
        options,
        reuse,
        sink,
    )
}

/// Reads every file below `dir` into path → bytes (paths relative, with
/// forward slashes). A missing directory reads as empty.
pub fn read_tree(dir: &Path) -> Result<std::collections::BTreeMap<String, Vec<u8>>, String> {
    read_tree_paths(dir)?
        .into_iter()
        .map(|rel| {
            let p = dir.join(&rel);
            std::fs::read(&p)
                .map(|bytes| (rel, bytes))
                .map_err(|e| format!("cannot read `{}`: {e}", p.display()))
        })
        .collect()
}

/// One difference between a build and an output directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Drift {
    /// The build makes a file the directory lacks.
    Missing(String),
    /// The directory has a file the build does not make.
    Extra(String),
    /// The file differs: a unified diff from the directory to the build.
    Changed(String, String),
}

/// Compares a build with what an output directory holds.
pub fn drift(out_dir: &Path, files: &crate::emit::Artifacts) -> Result<Vec<Drift>, String> {
    drift_with(out_dir, replay(files))
}

/// A producer that feeds a sink the files of an in-memory build.
fn replay(
    files: &crate::emit::Artifacts,
) -> impl FnOnce(&mut crate::emit::Sink) -> Result<(), String> + '_ {
    move |sink| {
        files
            .iter()
            .try_for_each(|(path, text)| sink(path, text.clone()))
    }
}

/// Compares a build, file by file as it is produced, with what an output
/// directory holds. Missing and changed files come in build order, then
/// the extra ones in path order.
pub fn drift_with(
    out_dir: &Path,
    produce: impl FnOnce(&mut crate::emit::Sink) -> Result<(), String>,
) -> Result<Vec<Drift>, String> {
    drift_seen(out_dir, produce, &std::sync::Mutex::default())
}

/// `build --check` without rendering what need not be: [`drift_with`]
/// over the build of `outcome`, where a workspace whose input hash is the
/// one the output directory's manifest records, and whose recorded files
/// are all on disk with their recorded hashes, is taken as it is (its
/// files rendered would be the recorded ones: the input hash covers the
/// workspace, its diagnostics, its source files, the options, amlgen's
/// version and the hash of amlgen's source). Returns the drifts and the
/// number of files compared.
pub fn drift_reusing(
    out_dir: &Path,
    outcome: &Outcome,
    options: &crate::emit::BuildOptions,
) -> Result<(Vec<Drift>, usize), String> {
    let recorded = recorded_manifest(out_dir);
    let seen = std::sync::Mutex::new(Vec::new());
    let reuse = |name: &str, inputs: &str| {
        let (ws, _) = unchanged(recorded.as_ref()?, out_dir, name, inputs)?;
        seen.lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend(ws.artifacts.keys().cloned());
        Some(ws.artifacts.clone())
    };
    let mut count = 0;
    let drifts = drift_seen(
        out_dir,
        |sink| {
            emit_reusing(outcome, options, &reuse, &mut |path, text| {
                count += 1;
                sink(path, text)
            })
        },
        &seen,
    )?;
    let reused = seen.lock().map_or(0, |s| s.len());
    Ok((drifts, count + reused))
}

/// The manifest of an output directory, when it has a readable one.
fn recorded_manifest(out_dir: &Path) -> Option<Manifest> {
    let text = std::fs::read_to_string(out_dir.join(crate::manifest::FILE_NAME)).ok()?;
    Manifest::parse(&text).ok()
}

/// The files of a previous build's workspace, read back: path → bytes.
type ReadBack<'m> = Vec<(&'m str, Vec<u8>)>;

/// A workspace of the previous build that need not be rendered again: the
/// manifest records `inputs` for it, and every file it records is on disk
/// with its recorded hash (a hand-edited or missing file renders it
/// again). Its entry and those files' bytes, by path.
fn unchanged<'m>(
    recorded: &'m Manifest,
    out_dir: &Path,
    name: &str,
    inputs: &str,
) -> Option<(&'m crate::manifest::ManifestWorkspace, ReadBack<'m>)> {
    let ws = recorded.workspaces.get(name)?;
    if ws.inputs.as_deref() != Some(inputs) {
        return None;
    }
    let mut files = Vec::with_capacity(ws.artifacts.len());
    for (path, hash) in &ws.artifacts {
        let bytes = std::fs::read(out_dir.join(path)).ok()?;
        if hash.strip_prefix("sha256:") != Some(&crate::manifest::sha256_hex(&bytes)) {
            return None;
        }
        files.push((path.as_str(), bytes));
    }
    Some((ws, files))
}

/// [`drift_with`], where the paths in `seen` (filled while producing)
/// were compared elsewhere: they are not extra.
fn drift_seen(
    out_dir: &Path,
    produce: impl FnOnce(&mut crate::emit::Sink) -> Result<(), String>,
    seen: &std::sync::Mutex<Vec<String>>,
) -> Result<Vec<Drift>, String> {
    let mut on_disk: std::collections::BTreeSet<String> =
        read_tree_paths(out_dir)?.into_iter().collect();
    let mut drifts = Vec::new();
    produce(&mut |path, text| {
        on_disk.remove(path);
        match std::fs::read(out_dir.join(path)) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                drifts.push(Drift::Missing(path.to_string()));
            }
            Err(e) => {
                return Err(format!(
                    "cannot read `{}`: {e}",
                    out_dir.join(path).display()
                ));
            }
            Ok(bytes) if bytes.as_slice() == text.as_bytes() => {}
            Ok(bytes) => {
                let old = String::from_utf8_lossy(&bytes);
                let diff = similar::TextDiff::from_lines(old.as_ref(), text.as_str())
                    .unified_diff()
                    .context_radius(3)
                    .header(&format!("a/{path}"), &format!("b/{path}"))
                    .to_string();
                drifts.push(Drift::Changed(path.to_string(), diff));
            }
        }
        Ok(())
    })?;
    for path in seen.lock().map_err(|e| e.to_string())?.iter() {
        on_disk.remove(path);
    }
    drifts.extend(on_disk.into_iter().map(Drift::Extra));
    Ok(drifts)
}

/// The paths of every file below `dir` (relative, forward slashes).
fn read_tree_paths(dir: &Path) -> Result<Vec<String>, String> {
    fn go(root: &Path, dir: &Path, out: &mut Vec<String>) -> Result<(), String> {
        let entries = std::fs::read_dir(dir)
            .map_err(|e| format!("cannot read directory `{}`: {e}", dir.display()))?;
        for e in entries {
            let p = e.map_err(|e| e.to_string())?.path();
            if p.is_dir() {
                go(root, &p, out)?;
            } else {
                out.push(display_name(p.strip_prefix(root).unwrap_or(&p)));
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    if dir.exists() {
        go(dir, dir, &mut out)?;
    }
    Ok(out)
}

/// Writes a build into `out_dir` atomically: everything goes into a fresh
/// directory beside it, which then replaces the old one by renames. On any
/// error the existing output directory is left as it was. A non-empty
/// directory that holds no build manifest is refused, so a mistyped
/// `--out` cannot wipe unrelated files.
pub fn write_atomic(out_dir: &Path, files: &crate::emit::Artifacts) -> Result<(), String> {
    write_atomic_with(out_dir, replay(files))
}

/// [`write_atomic`] for a build produced file by file: each file is
/// written as it comes, so memory holds one workspace at a time.
///
/// Incremental: a file whose bytes equal the old output's file of the same
/// path is hard-linked from it into the new directory instead of being
/// written again; a changed or new file is written, as a new file (never
/// through an existing one, so the old output's files never change); a
/// file the build no longer makes is not carried. The new directory still
/// replaces the old one by renames, and a failure before that leaves the
/// old one untouched.
pub fn write_atomic_with(
    out_dir: &Path,
    produce: impl FnOnce(&mut crate::emit::Sink) -> Result<(), String>,
) -> Result<(), String> {
    write_atomic_in(out_dir, |_, sink| produce(sink))
}

/// `amlgen build`: [`write_atomic_with`] over the build of `outcome`,
/// where a workspace whose input hash is the one the old output's manifest
/// records, and whose recorded files are all there with their recorded
/// hashes, is not rendered: its files are carried from the old output as
/// they are (hard links, or copies of the bytes just read and hashed) by
/// the thread that would have rendered it. Returns the number of files
/// the new output holds and how many of them were carried that way.
pub fn write_reusing(
    out_dir: &Path,
    outcome: &Outcome,
    options: &crate::emit::BuildOptions,
) -> Result<(usize, usize), String> {
    let recorded = recorded_manifest(out_dir);
    let (mut count, reused) = (0, std::sync::atomic::AtomicUsize::new(0));
    write_atomic_in(out_dir, |tmp, sink| {
        let reuse = |name: &str, inputs: &str| {
            let (ws, files) = unchanged(recorded.as_ref()?, out_dir, name, inputs)?;
            carry_all(out_dir, tmp, &files)?;
            reused.fetch_add(files.len(), std::sync::atomic::Ordering::Relaxed);
            Some(ws.artifacts.clone())
        };
        emit_reusing(outcome, options, &reuse, &mut |path, text| {
            count += 1;
            sink(path, text)
        })
    })?;
    let reused = reused.into_inner();
    Ok((count + reused, reused))
}

/// Carries a reused workspace's files (read and checked) from the old
/// output into the new one: hard links, or the bytes written where a link
/// cannot be made. All or nothing: on a failure the files carried so far
/// are removed, so the workspace can still be rendered into place.
fn carry_all(out_dir: &Path, tmp: &Path, files: &[(&str, Vec<u8>)]) -> Option<()> {
    let mut done = Vec::with_capacity(files.len());
    for (path, bytes) in files {
        let new = tmp.join(path);
        let ok = new
            .parent()
            .is_none_or(|dir| std::fs::create_dir_all(dir).is_ok())
            && (std::fs::hard_link(out_dir.join(path), &new).is_ok()
                || write_new(&new, bytes).is_ok());
        if !ok {
            for p in done {
                let _ = std::fs::remove_file(p);
            }
            return None;
        }
        done.push(new);
    }
    Some(())
}

/// [`write_atomic_with`] for a producer that also writes into the fresh
/// directory itself (given as the first argument).
fn write_atomic_in(
    out_dir: &Path,
    produce: impl FnOnce(&Path, &mut crate::emit::Sink) -> Result<(), String>,
) -> Result<(), String> {
    let name = out_dir
        .file_name()
        .ok_or_else(|| format!("`{}` cannot be an output directory", out_dir.display()))?
        .to_string_lossy()
        .into_owned();
    let parent = match out_dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if out_dir.exists() {
        let is_dir = out_dir.is_dir();
        let empty = is_dir
            && std::fs::read_dir(out_dir)
                .map_err(|e| format!("cannot read `{}`: {e}", out_dir.display()))?
                .next()
                .is_none();
        if !is_dir || (!empty && !out_dir.join(crate::manifest::FILE_NAME).exists()) {
            return Err(format!(
                "`{}` exists and is not an amlgen output directory (no `{}`); refusing to replace it",
                out_dir.display(),
                crate::manifest::FILE_NAME
            ));
        }
    }
    let pid = std::process::id();
    let tmp = parent.join(format!(".{name}.amlgen-new-{pid}"));
    let old = parent.join(format!(".{name}.amlgen-old-{pid}"));
    let _ = std::fs::remove_dir_all(&tmp);
    let written = std::fs::create_dir_all(&tmp)
        .map_err(|e| format!("cannot create `{}`: {e}", tmp.display()))
        .and_then(|()| {
            let mut made = std::collections::HashSet::new();
            produce(&tmp, &mut |path, text| {
                let p = tmp.join(path);
                if let Some(dir) = p.parent()
                    && !made.contains(dir)
                {
                    std::fs::create_dir_all(dir)
                        .map_err(|e| format!("cannot create `{}`: {e}", dir.display()))?;
                    made.insert(dir.to_path_buf());
                }
                if carried(&out_dir.join(path), &p, text.as_bytes()) {
                    return Ok(());
                }
                write_new(&p, text.as_bytes())
            })
        });
    if let Err(e) = written {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    let had_old = out_dir.exists();
    if had_old && let Err(e) = std::fs::rename(out_dir, &old) {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(format!("cannot move `{}` aside: {e}", out_dir.display()));
    }
    if let Err(e) = std::fs::rename(&tmp, out_dir) {
        if had_old {
            let _ = std::fs::rename(&old, out_dir);
        }
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(format!(
            "cannot move the new build into `{}`: {e}",
            out_dir.display()
        ));
    }
    if had_old {
        let _ = std::fs::remove_dir_all(&old);
    }
    Ok(())
}

/// Carries an unchanged file from the old output into the new one: when
/// `old` holds exactly `bytes`, `new` becomes a hard link to it. False
/// when it differs, is missing, or cannot be linked (another file system,
/// a file system without hard links): the caller then writes the bytes,
/// which is the copy. The old file is compared byte for byte, not by the
/// previous manifest's hash, so a hand-edited output file is never
/// carried, and no hash is computed twice.
fn carried(old: &Path, new: &Path, bytes: &[u8]) -> bool {
    let same_size =
        std::fs::metadata(old).is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64);
    same_size
        && std::fs::read(old).is_ok_and(|b| b == bytes)
        && std::fs::hard_link(old, new).is_ok()
}

/// Writes a file that must not exist yet: never opens an existing file
/// (which may be a hard link into the old output) for writing.
fn write_new(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
    std::io::Write::write_all(&mut f, bytes)
        .map_err(|e| format!("cannot write `{}`: {e}", path.display()))
}

/// Reads the files `amlgen import` and `amlgen diff --deployed` are given
/// into deployed resources: the size is checked before reading (AML4003),
/// bytes that are not UTF-8 are AML4001, the rest goes to
/// [`crate::deployed::read::read_text`]. `Err` only for a usage error (a
/// path that cannot be read at all).
pub fn read_deployed(
    paths: &[PathBuf],
    scope: &crate::deployed::read::Scope,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> Result<Vec<crate::deployed::DeployedResource>, String> {
    use crate::deployed::read::{not_utf8, read_text, too_large};
    let mut out = Vec::new();
    for p in paths {
        let name = display_name(p);
        let meta = std::fs::metadata(p).map_err(|e| format!("cannot read `{name}`: {e}"))?;
        if meta.len() > scope.max_bytes() {
            diags.push(too_large(&name, meta.len(), scope.max_bytes()));
            continue;
        }
        let bytes = std::fs::read(p).map_err(|e| format!("cannot read `{name}`: {e}"))?;
        match String::from_utf8(bytes) {
            Ok(text) => out.extend(read_text(&name, &text, scope, sources, diags)),
            Err(e) => diags.push(not_utf8(&name, e.as_bytes(), sources)),
        }
    }
    Ok(out)
}
