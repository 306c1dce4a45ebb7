//! The output directory: reading it back, comparing a build with it
//! (`build --check`), and writing a build into it atomically and
//! incrementally (`build`). Knows nothing of postures: a build comes in
//! as a producer that feeds a sink (and, for the reusing forms, is told
//! which workspaces need not be rendered).

use std::path::{Path, PathBuf};

use crate::manifest::Manifest;

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
/// over a build, where a workspace whose input hash is the one the output
/// directory's manifest records, and whose recorded files are all on disk
/// with their recorded hashes, is taken as it is (its files rendered would
/// be the recorded ones: the input hash covers the workspace, its
/// diagnostics, its source files, the options, amlgen's version and the
/// hash of amlgen's source). It trusts the directory's manifest, which a
/// change can edit along with the files it lists: `build --check` uses it
/// only when asked (`--skip-unchanged`). `produce` is told which workspaces need not
/// be rendered (see [`crate::emit::Reuse`]) and feeds the sink the rest.
/// Returns the drifts and the number of files compared.
pub fn drift_reusing(
    out_dir: &Path,
    produce: impl FnOnce(&crate::emit::Reuse, &mut crate::emit::Sink) -> Result<(), String>,
) -> Result<(Vec<Drift>, usize), String> {
    let recorded = recorded_manifest(out_dir);
    let seen = std::sync::Mutex::new(Vec::new());
    let reuse = |name: &str, inputs: &str| {
        let ws = unchanged(recorded.as_ref()?, out_dir, name, inputs)?;
        seen.lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend(ws.artifacts.keys().cloned());
        Some(ws.artifacts.clone())
    };
    let mut count = 0;
    let drifts = drift_seen(
        out_dir,
        |sink| {
            produce(&reuse, &mut |path, text| {
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

/// A workspace of the previous build that need not be rendered again: the
/// manifest records `inputs` for it, and every file it records is on disk
/// with its recorded hash (a hand-edited or missing file renders it
/// again).
fn unchanged<'m>(
    recorded: &'m Manifest,
    out_dir: &Path,
    name: &str,
    inputs: &str,
) -> Option<&'m crate::manifest::ManifestWorkspace> {
    let ws = recorded.workspaces.get(name)?;
    if ws.inputs.as_deref() != Some(inputs) {
        return None;
    }
    for (path, hash) in &ws.artifacts {
        let bytes = std::fs::read(out_dir.join(path)).ok()?;
        if hash.strip_prefix("sha256:") != Some(&crate::manifest::sha256_hex(&bytes)) {
            return None;
        }
    }
    Some(ws)
}

/// The directory that holds a workspace's files and nothing else (in
/// practice `workspaces/<name>`), which can be carried whole: the
/// deepest directory common to every recorded path, when its files on
/// disk are exactly those paths.
fn own_dir(out_dir: &Path, ws: &crate::manifest::ManifestWorkspace) -> Option<String> {
    let mut paths = ws.artifacts.keys();
    let first = paths.next()?;
    let mut dir = first.rsplit_once('/')?.0;
    for p in paths {
        while !p.starts_with(dir) || p.as_bytes().get(dir.len()) != Some(&b'/') {
            dir = dir.rsplit_once('/')?.0;
        }
    }
    let mut on_disk = read_tree_paths(&out_dir.join(dir)).ok()?;
    on_disk.sort_unstable();
    let recorded = ws.artifacts.keys().map(|p| &p[dir.len() + 1..]);
    on_disk
        .iter()
        .map(String::as_str)
        .eq(recorded)
        .then(|| dir.to_string())
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
                let rel = p.strip_prefix(root).unwrap_or(&p);
                let parts: Vec<_> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect();
                out.push(parts.join("/"));
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
    write_atomic_in(out_dir, |_, sink| produce(sink).map(|()| Vec::new()))
}

/// `amlgen build`: [`write_atomic_with`] over a build, where a workspace
/// whose input hash is the one the old output's manifest records, and
/// whose recorded files are all there with their recorded hashes, is not
/// rendered: its files are carried from the old output as they are. When
/// a directory holds that workspace's files and nothing else (its
/// `workspaces/<name>/`), the directory itself is moved into the new
/// output, after everything else was written and just before the swap
/// (the issue's "rename of the old file where the old directory is about
/// to be replaced": one rename for a workspace's dozen files, where links
/// would take a directory and a link each); a failure from there to the
/// swap moves every such directory back. Otherwise its files are
/// hard-linked (or copied) by the thread that would have rendered it.
/// Returns the number of files the new output holds and how many of them
/// were carried.
///
/// A crash (not an error) between those moves and the swap leaves the old
/// output without the moved directories: the next build renders them
/// again (their recorded files are missing), and `build --check` reports
/// them missing.
pub fn write_reusing(
    out_dir: &Path,
    produce: impl FnOnce(&crate::emit::Reuse, &mut crate::emit::Sink) -> Result<(), String>,
) -> Result<(usize, usize), String> {
    let recorded = recorded_manifest(out_dir);
    let (mut count, reused) = (0, std::sync::atomic::AtomicUsize::new(0));
    let moves = std::sync::Mutex::new(Vec::new());
    write_atomic_in(out_dir, |tmp, sink| {
        let reuse = |name: &str, inputs: &str| {
            let ws = unchanged(recorded.as_ref()?, out_dir, name, inputs)?;
            if let Some(dir) = own_dir(out_dir, ws) {
                moves
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .push(dir);
            } else {
                carry_all(out_dir, tmp, ws.artifacts.keys())?;
            }
            reused.fetch_add(ws.artifacts.len(), std::sync::atomic::Ordering::Relaxed);
            Some(ws.artifacts.clone())
        };
        produce(&reuse, &mut |path, text| {
            count += 1;
            sink(path, text)
        })?;
        let mut moves = moves.into_inner().map_err(|e| e.to_string())?;
        moves.sort_unstable();
        Ok(moves)
    })?;
    let reused = reused.into_inner();
    Ok((count + reused, reused))
}

/// Carries a reused workspace's files from the old output into the new
/// one: hard links, or copies where a link cannot be made. All or
/// nothing: on a failure the files carried so far are removed, so the
/// workspace can still be rendered into place.
fn carry_all<'p>(
    out_dir: &Path,
    tmp: &Path,
    paths: impl Iterator<Item = &'p String>,
) -> Option<()> {
    let mut done = Vec::new();
    for path in paths {
        let (old, new) = (out_dir.join(path), tmp.join(path));
        let ok = new
            .parent()
            .is_none_or(|dir| std::fs::create_dir_all(dir).is_ok())
            && (std::fs::hard_link(&old, &new).is_ok() || std::fs::copy(&old, &new).is_ok());
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

/// Moves the directories `dirs` (relative) from `from` into `to`, each
/// into place; on a failure, moves the ones already moved back and says
/// why. `Ok` with every one moved.
fn move_dirs(from: &Path, to: &Path, dirs: &[String]) -> Result<(), String> {
    for (i, dir) in dirs.iter().enumerate() {
        let target = to.join(dir);
        let moved = target
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::rename(from.join(dir), &target));
        if let Err(e) = moved {
            move_back(from, to, &dirs[..i]);
            return Err(format!(
                "cannot carry `{}` into the new output: {e}",
                from.join(dir).display()
            ));
        }
    }
    Ok(())
}

/// Undoes [`move_dirs`]: what was moved from `from` into `to` goes back.
fn move_back(from: &Path, to: &Path, dirs: &[String]) {
    for dir in dirs {
        let _ = std::fs::rename(to.join(dir), from.join(dir));
    }
}

/// [`write_atomic_with`] for a producer that also writes into the fresh
/// directory itself (given as the first argument), and returns the
/// directories (relative) to move from the old output into the new one
/// once it succeeded.
fn write_atomic_in(
    out_dir: &Path,
    produce: impl FnOnce(&Path, &mut crate::emit::Sink) -> Result<Vec<String>, String>,
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
    let moves = match written.and_then(|moves| move_dirs(out_dir, &tmp, &moves).map(|()| moves)) {
        Ok(moves) => moves,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(e);
        }
    };
    let had_old = out_dir.exists();
    if had_old && let Err(e) = std::fs::rename(out_dir, &old) {
        move_back(out_dir, &tmp, &moves);
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(format!("cannot move `{}` aside: {e}", out_dir.display()));
    }
    if let Err(e) = std::fs::rename(&tmp, out_dir) {
        if had_old {
            let _ = std::fs::rename(&old, out_dir);
        }
        move_back(out_dir, &tmp, &moves);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir()
            .join(format!("amlgen-output-{}", std::process::id()))
            .join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// An old output with two workspace directories and a manifest.
    fn old_output(root: &Path) -> PathBuf {
        let out = root.join("out");
        for ws in ["a", "b"] {
            std::fs::create_dir_all(out.join("workspaces").join(ws)).unwrap();
            std::fs::write(out.join(format!("workspaces/{ws}/main.bicep")), ws).unwrap();
        }
        std::fs::write(out.join(crate::manifest::FILE_NAME), "{}").unwrap();
        out
    }

    #[test]
    fn carried_directories_land_in_the_new_output() {
        let root = scratch("moves");
        let out = old_output(&root);
        write_atomic_in(&out, |_, sink| {
            sink(crate::manifest::FILE_NAME, "{ }".into())?;
            Ok(vec!["workspaces/a".to_string(), "workspaces/b".to_string()])
        })
        .unwrap();
        assert_eq!(
            read_tree(&out).unwrap().keys().collect::<Vec<_>>(),
            [
                "amlgen.lock.json",
                "workspaces/a/main.bicep",
                "workspaces/b/main.bicep"
            ]
        );
        assert_eq!(
            std::fs::read(out.join("workspaces/b/main.bicep")).unwrap(),
            b"b"
        );
    }

    #[test]
    fn a_failed_move_puts_back_what_was_moved_and_keeps_the_old_output() {
        let root = scratch("rollback");
        let out = old_output(&root);
        let before = read_tree(&out).unwrap();
        // The second directory does not exist: its move fails after the
        // first one's succeeded.
        let err = write_atomic_in(&out, |_, sink| {
            sink(crate::manifest::FILE_NAME, "{ }".into())?;
            Ok(vec![
                "workspaces/a".to_string(),
                "workspaces/ghost".to_string(),
            ])
        })
        .unwrap_err();
        assert!(err.contains("cannot carry"), "{err}");
        assert_eq!(read_tree(&out).unwrap(), before);
        let leftovers: Vec<_> = std::fs::read_dir(&root)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.file_name())
            .filter(|n| n != "out")
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    #[test]
    fn only_a_directory_holding_exactly_the_recorded_files_is_carried_whole() {
        let root = scratch("own-dir");
        let out = old_output(&root);
        let ws = |paths: &[&str]| crate::manifest::ManifestWorkspace {
            subscription_id: None,
            resource_group: "rg".into(),
            isolation_mode: "disabled".into(),
            inputs: None,
            artifacts: paths
                .iter()
                .map(|p| ((*p).to_string(), String::new()))
                .collect(),
        };
        assert_eq!(
            own_dir(&out, &ws(&["workspaces/a/main.bicep"])).as_deref(),
            Some("workspaces/a")
        );
        // A stray file in the directory: not carried whole.
        std::fs::write(out.join("workspaces/a/stray.txt"), "x").unwrap();
        assert_eq!(own_dir(&out, &ws(&["workspaces/a/main.bicep"])), None);
        // Files in two directories: their common directory, which holds
        // exactly those files.
        std::fs::remove_file(out.join("workspaces/a/stray.txt")).unwrap();
        assert_eq!(
            own_dir(
                &out,
                &ws(&["workspaces/a/main.bicep", "workspaces/b/main.bicep"])
            )
            .as_deref(),
            Some("workspaces")
        );
    }
}
