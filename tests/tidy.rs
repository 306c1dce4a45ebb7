//! Hygiene: every source module opens with a `//!` header saying what it
//! is, and no debugging leftovers (`dbg!`, `todo!`, `unimplemented!`)
//! reach the compiler.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn modules_have_headers_and_no_leftovers() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("compiler/src");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    assert!(files.len() > 10);
    let mut problems = Vec::new();
    let forbidden = [
        concat!("dbg", "!("),
        concat!("todo", "!("),
        concat!("unimplemented", "!("),
    ];
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        if !text.starts_with("//!") {
            problems.push(format!("{}: no `//!` module header", f.display()));
        }
        for word in forbidden {
            if text.contains(word) {
                problems.push(format!("{}: contains `{word}`", f.display()));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ------------------------------------------------------------ module graph

/// The module path of a source file: `ir/lower/cx.rs` → `ir::lower::cx`,
/// `emit/mod.rs` → `emit`, `lib.rs` → `` (the crate root).
fn module_of(root: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(root).unwrap();
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

/// The code of a file that the library compiles outside tests: comments,
/// string literals and `#[cfg(test)]` items removed.
fn code_of(text: &str) -> String {
    let mut out = String::new();
    let mut skip_depth: Option<i32> = None;
    let mut pending_cfg_test = false;
    for line in text.lines() {
        let code = strip_comment_and_strings(line);
        let trimmed = code.trim();
        if let Some(depth) = skip_depth.as_mut() {
            *depth += brace_balance(&code);
            if *depth <= 0 && code.contains('}') {
                skip_depth = None;
            }
            continue;
        }
        if trimmed == "#[cfg(test)]" {
            pending_cfg_test = true;
            continue;
        }
        if pending_cfg_test {
            pending_cfg_test = false;
            let balance = brace_balance(&code);
            if balance > 0 {
                skip_depth = Some(balance);
            }
            continue;
        }
        out.push_str(&code);
        out.push('\n');
    }
    out
}

fn brace_balance(code: &str) -> i32 {
    code.chars()
        .map(|c| match c {
            '{' => 1,
            '}' => -1,
            _ => 0,
        })
        .sum()
}

/// One line without its `//` comment and with string and char literals
/// emptied (a literal may hold `crate::`, a comment a doc link).
fn strip_comment_and_strings(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars().peekable();
    let mut in_str = false;
    while let Some(c) = chars.next() {
        if in_str {
            match c {
                '\\' => {
                    chars.next();
                }
                '"' => {
                    in_str = false;
                    out.push('"');
                }
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_str = true;
                out.push('"');
            }
            '/' if chars.peek() == Some(&'/') => break,
            _ => out.push(c),
        }
    }
    out
}

/// Every path a piece of code names: `use` trees expanded
/// (`use a::{b, c::d}` → `a::b`, `a::c::d`), plus inline `x::y` paths.
/// Re-exports (`pub use`) are left out: they give a module's items another
/// name, they are not a dependency of its code.
fn paths_in(code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = code;
    let mut body = String::new();
    // `use` statements, which may span lines.
    while let Some(at) = find_use(rest) {
        body.push_str(&rest[..at.0]);
        let end = rest[at.1..].find(';').map_or(rest.len(), |e| at.1 + e);
        if !at.2 {
            expand_use(&[], &rest[at.1..end], &mut out);
        }
        rest = &rest[(end + 1).min(rest.len())..];
    }
    body.push_str(rest);
    // Inline paths: `a::b::c` in expressions and types.
    let bytes: Vec<char> = body.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_alphabetic() || bytes[i] == '_' {
            let start = i;
            let before = start.checked_sub(1).map(|j| bytes[j]);
            let mut segs = Vec::new();
            loop {
                let s = i;
                while i < bytes.len() && (bytes[i].is_alphanumeric() || bytes[i] == '_') {
                    i += 1;
                }
                segs.push(bytes[s..i].iter().collect::<String>());
                if i + 2 < bytes.len()
                    && bytes[i] == ':'
                    && bytes[i + 1] == ':'
                    && (bytes[i + 2].is_alphabetic() || bytes[i + 2] == '_')
                {
                    i += 2;
                } else {
                    break;
                }
            }
            // A path that does not start after `::` (a turbofish or a
            // continuation) and has at least two segments.
            if segs.len() > 1 && before != Some(':') {
                out.push(segs);
            }
        } else {
            i += 1;
        }
    }
    out
}

/// The next `use` keyword at a statement start: (its offset, the offset of
/// its tree, whether it is a re-export).
fn find_use(code: &str) -> Option<(usize, usize, bool)> {
    let mut from = 0;
    while let Some(i) = code[from..].find("use ") {
        let at = from + i;
        let before = code[..at].trim_end();
        let boundary = before.is_empty()
            || before.ends_with(';')
            || before.ends_with('{')
            || before.ends_with('}')
            || before.ends_with(']');
        let reexport = before.ends_with("pub") || before.ends_with(')') && before.contains("pub(");
        let prev_ok = at == 0 || !code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_');
        if prev_ok && (boundary || reexport) {
            let start = if reexport {
                before.rfind("pub").unwrap_or(at)
            } else {
                at
            };
            return Some((start, at + 4, reexport));
        }
        from = at + 4;
    }
    None
}

fn expand_use(prefix: &[String], tree: &str, out: &mut Vec<Vec<String>>) {
    let tree = tree.trim();
    if let Some(open) = tree.find('{') {
        let head: Vec<String> = tree[..open]
            .split("::")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        let mut p = prefix.to_vec();
        p.extend(head);
        let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
        let mut depth = 0;
        let mut start = 0;
        for (i, c) in inner.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    expand_use(&p, &inner[start..i], out);
                    start = i + 1;
                }
                _ => {}
            }
        }
        expand_use(&p, &inner[start..], out);
    } else {
        let path = tree.split(" as ").next().unwrap_or("");
        let mut p = prefix.to_vec();
        p.extend(
            path.split("::")
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from),
        );
        if !p.is_empty() {
            out.push(p);
        }
    }
}

/// The module a path names from module `m`, if it is a module of the
/// crate other than `m` (the longest prefix that is one).
fn resolve(
    m: &[String],
    path: &[String],
    children: &std::collections::BTreeMap<Vec<String>, Vec<String>>,
) -> Option<Vec<String>> {
    let mut base: Vec<String>;
    let mut segs = path;
    match path.first().map(String::as_str) {
        Some("crate") => {
            base = Vec::new();
            segs = &path[1..];
        }
        Some("self") => {
            base = m.to_vec();
            segs = &path[1..];
        }
        Some("super") => {
            base = m.to_vec();
            while segs.first().map(String::as_str) == Some("super") {
                base.pop();
                segs = &segs[1..];
            }
        }
        // A child module named bare.
        Some(first)
            if children
                .get(m)
                .is_some_and(|c| c.iter().any(|c| c == first)) =>
        {
            base = m.to_vec();
        }
        _ => return None,
    }
    for s in segs {
        let mut next = base.clone();
        next.push(s.clone());
        if children.contains_key(&next) {
            base = next;
        } else {
            break;
        }
    }
    (base != m).then_some(base)
}

/// Module → the modules its code names.
type Graph = std::collections::BTreeMap<Vec<String>, std::collections::BTreeSet<Vec<String>>>;

fn name(m: &[String]) -> String {
    if m.is_empty() {
        "crate".to_string()
    } else {
        m.join("::")
    }
}

/// The module graph of the crate under `root` (the binary's `main.rs` left out).
fn module_graph(root: &Path) -> Graph {
    use std::collections::BTreeMap;
    let mut files = Vec::new();
    rust_files(root, &mut files);
    files.retain(|f| !f.ends_with("main.rs"));
    // Every module, with its children.
    let mut children: BTreeMap<Vec<String>, Vec<String>> = BTreeMap::new();
    for f in &files {
        let m = module_of(root, f);
        children.entry(m.clone()).or_default();
        if let Some((last, parent)) = m.split_last() {
            children
                .entry(parent.to_vec())
                .or_default()
                .push(last.clone());
        }
    }
    let mut edges = Graph::new();
    for f in &files {
        let m = module_of(root, f);
        let code = code_of(&std::fs::read_to_string(f).unwrap());
        for p in paths_in(&code) {
            if let Some(to) = resolve(&m, &p, &children) {
                edges.entry(m.clone()).or_default().insert(to);
            }
        }
    }
    edges
}

/// Every cycle of a module graph, each as a path `a -> b -> a`.
fn cycles(edges: &Graph) -> Vec<String> {
    use std::collections::{BTreeMap, BTreeSet};
    // Tarjan would do; the graph is small, so: for each edge a -> b, a
    // shortest path b ->* a closes a cycle.
    let mut cycles = BTreeSet::new();
    for (a, tos) in edges {
        for b in tos {
            let mut prev: BTreeMap<Vec<String>, Vec<String>> = BTreeMap::new();
            let mut queue = std::collections::VecDeque::from([b.clone()]);
            let mut seen = BTreeSet::from([b.clone()]);
            while let Some(x) = queue.pop_front() {
                if &x == a {
                    let mut path = vec![a.clone()];
                    let mut at = a.clone();
                    while &at != b {
                        at = prev[&at].clone();
                        path.push(at.clone());
                    }
                    path.reverse();
                    path.insert(0, a.clone());
                    // Rotate so the smallest module comes first: one cycle, one line.
                    path.pop();
                    let min = (0..path.len()).min_by_key(|&i| &path[i]).unwrap();
                    path.rotate_left(min);
                    let first = path[0].clone();
                    path.push(first);
                    cycles.insert(
                        path.iter()
                            .map(|m| name(m))
                            .collect::<Vec<_>>()
                            .join(" -> "),
                    );
                    break;
                }
                for y in edges.get(&x).into_iter().flatten() {
                    if seen.insert(y.clone()) {
                        prev.insert(y.clone(), x.clone());
                        queue.push_back(y.clone());
                    }
                }
            }
        }
    }
    cycles.into_iter().collect()
}

/// The back end's layers (ARCHITECTURE.md): each may name only the
/// layers listed for it. `emit` itself (the facade) and `emit::build` (which
/// runs them all) are the top.
const LAYERS: &[(&str, &[&str])] = &[
    ("emit::azure", &["emit::azure"]),
    ("emit::plan", &["emit::azure", "emit::plan"]),
    ("emit::lower", &["emit::azure", "emit::plan", "emit::lower"]),
    ("emit::print", &["emit::azure", "emit::print"]),
];

fn layer_of(m: &str) -> Option<&'static (&'static str, &'static [&'static str])> {
    LAYERS
        .iter()
        .find(|(l, _)| m == *l || m.starts_with(&format!("{l}::")))
}

/// Every edge of the graph from one layer of `emit/` into a module of
/// `emit/` that layer may not name.
fn layer_violations(edges: &Graph) -> Vec<String> {
    let mut out = Vec::new();
    for (from, tos) in edges {
        let from = name(from);
        let Some((layer, allowed)) = layer_of(&from) else {
            continue;
        };
        for to in tos {
            let to = name(to);
            if !(to == "emit" || to.starts_with("emit::")) {
                continue;
            }
            let ok = allowed
                .iter()
                .any(|a| to == *a || to.starts_with(&format!("{a}::")));
            if !ok {
                out.push(format!(
                    "{from} -> {to} ({layer} may name only {allowed:?})"
                ));
            }
        }
    }
    out
}

/// A throwaway crate tree under `target/`, for the checks' own tests.
fn scratch_tree(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&root);
    for (path, text) in files {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    root
}

#[test]
fn the_checks_find_what_they_look_for() {
    let root = scratch_tree(
        "tidy-cycles",
        &[
            (
                "lib.rs",
                "//! root\npub mod a;\npub mod b;\npub mod emit;\n",
            ),
            // A cycle through a `use` tree and an inline path; a comment,
            // a string and a test module that name `a` do not count.
            (
                "a.rs",
                "//! a\nuse crate::{b::{self, Thing}, span};\n// crate::emit\nconst S: &str = \"crate::emit\";\n",
            ),
            (
                "b.rs",
                "//! b\nfn f() { crate::a::g(); }\n#[cfg(test)]\nmod tests {\n    use crate::emit::x;\n}\n",
            ),
            // A parent that calls its child, and a child that names its
            // parent: a cycle; a re-export is not a dependency.
            (
                "emit/mod.rs",
                "//! emit\npub mod azure;\npub mod print;\npub use print::x;\n",
            ),
            ("emit/azure.rs", "//! model\nuse super::print::x;\n"),
            ("emit/print.rs", "//! printer\nuse super::azure::Model;\n"),
        ],
    );
    let graph = module_graph(&root);
    assert_eq!(
        cycles(&graph),
        vec![
            "a -> b -> a".to_string(),
            "emit::azure -> emit::print -> emit::azure".to_string(),
        ]
    );
    assert_eq!(
        layer_violations(&graph),
        vec![
            "emit::azure -> emit::print (emit::azure may name only [\"emit::azure\"])".to_string()
        ]
    );
}

#[test]
fn emit_layers_point_one_way() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("compiler/src");
    let bad = layer_violations(&module_graph(&root));
    assert!(
        bad.is_empty(),
        "a layer of the back end names one it may not (model <- plan <- lowerings; model <- printers):\n{}",
        bad.join("\n")
    );
}

#[test]
fn no_module_cycles() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("compiler/src");
    let cycles = cycles(&module_graph(&root));
    assert!(
        cycles.is_empty(),
        "modules of compiler/src import each other in a circle (arrows must go one way):\n{}",
        cycles.join("\n")
    );
}

/// A file past 1,000 lines is a room to split (ARCHITECTURE.md).
#[test]
fn no_source_file_over_1000_lines() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("compiler/src");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let mut long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let n = std::fs::read_to_string(f).unwrap().lines().count();
            (n > 1000).then(|| format!("{}: {n} lines", f.strip_prefix(&root).unwrap().display()))
        })
        .collect();
    long.sort();
    assert!(
        long.is_empty(),
        "source files over 1,000 lines (split them by concern):\n{}",
        long.join("\n")
    );
}
