//! Reading deployed files into [`DeployedResource`]s: the shapes `az`
//! prints (one resource, an array, a `{ "value": [...] }` list, the CLI's
//! flattened network and role-assignment forms: `shapes.rs`), ARM
//! templates (`az group export`, and amlgen's own `azuredeploy.json`:
//! `template.rs`), and the `az ml` workspace shape (YAML or JSON:
//! `azml.rs`). Every problem is a coded diagnostic (`AML40xx`) placed in
//! the file; nothing here panics on any input.
//!
//! The shapes and their sources are listed in
//! `tests/data/deployed/shapes/SOURCE.md`.

use std::path::Path;

use serde_json::Value;

use super::DeployedResource;
use super::locate::{self, Loc};
pub use super::reader::{
    MAX_FILE_BYTES, NO_RESOURCE_GROUP, NO_SUBSCRIPTION, READ_TYPES, Reader, Scope, is_read_type,
};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::source::{FileId, SourceFile, SourceMap};
use crate::span::Span;

/// AML4001: a deployed file whose bytes are not UTF-8 (added to `sources`
/// lossily, so the caret points at the first bad byte). The driver reads
/// the bytes; nothing here touches the file system.
#[must_use]
pub fn not_utf8(name: &str, bytes: &[u8], sources: &mut SourceMap) -> Diagnostic {
    let at = std::str::from_utf8(bytes)
        .err()
        .map_or(0, |e| e.valid_up_to());
    let text = String::from_utf8_lossy(bytes).into_owned();
    let file = sources.add(SourceFile::new(name, text));
    Diagnostic::new(
        Code::DeployedNotUtf8,
        Span::new(file, at, at),
        format!("`{name}` is not UTF-8 text (an invalid byte at offset {at})"),
    )
    .label("not UTF-8")
    .help("write the file with `az ... -o json > FILE` (the CLI writes UTF-8), or convert it with `iconv -t UTF-8`")
}

/// AML4003, about a file not read at all (so not in the source map).
#[must_use]
pub fn too_large(name: &str, len: u64, max: u64) -> Diagnostic {
    Diagnostic::unplaced(
        Code::DeployedTooLarge,
        format!("`{name}` is {len} bytes; amlgen reads deployed files of at most {max} bytes"),
    )
    .help("keep only the resources of the workspace, e.g. `az resource list -g RG --query \"[?contains(type, 'MachineLearningServices') || contains(type, 'Network')]\"`, or export one resource group at a time")
}

/// Reads one file's text (added to `sources` under `name`).
pub fn read_text(
    name: &str,
    text: &str,
    scope: &Scope,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> Vec<DeployedResource> {
    if text.len() as u64 > scope.max_bytes() {
        diags.push(too_large(name, text.len() as u64, scope.max_bytes()));
        return Vec::new();
    }
    let file = sources.add(SourceFile::new(name, text));
    // The text after a byte order mark, as the source map keeps it.
    let text = sources.get(file).text.clone();
    let mut r = Reader {
        file,
        text: text.clone(),
        scope,
        diags,
        out: Vec::new(),
    };
    let is_yaml = Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"));
    let first = text.trim_start().chars().next();
    if is_yaml || !matches!(first, Some('{' | '[')) {
        read_yaml(&mut r, &text);
    } else {
        read_json(&mut r, &text);
    }
    r.out
}

/// A JSON text: one value, or several one after the other (what `az ...
/// >> FILE` makes of several commands).
fn read_json(r: &mut Reader<'_>, text: &str) {
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    let mut from = 0;
    loop {
        match stream.next() {
            None => break,
            Some(Ok(v)) => {
                let loc = locate::locate(text, from);
                super::shapes::read_value(r, &v, loc.as_ref());
                from = stream.byte_offset();
            }
            Some(Err(e)) => {
                r.diags.push(json_error(r.file, text, &e));
                break;
            }
        }
    }
}

/// The diagnostic of a JSON syntax error, placed where serde_json stopped.
fn json_error(file: FileId, text: &str, e: &serde_json::Error) -> Diagnostic {
    let at = offset_of(text, e.line(), e.column());
    let msg = e.to_string();
    if msg.contains("recursion limit") {
        return Diagnostic::new(
            Code::DeployedTooDeep,
            Span::new(file, at, at),
            "the JSON is nested more than 128 levels deep, deeper than amlgen (and any ARM resource) goes",
        )
        .label("too deep here")
        .help("this is not a resource as `az` prints it: check the file is the output of the command you meant");
    }
    let what = msg.split(" at line ").next().unwrap_or(&msg).to_string();
    Diagnostic::new(
        Code::DeployedSyntax,
        Span::new(file, at, at),
        format!("the file is not valid JSON: {what}"),
    )
    .label(what)
    .help("write the file with `az ... -o json > FILE`; a file cut short or with text before the JSON (a warning the CLI printed) cannot be read")
}

/// The byte offset of a 1-based line and column (column in bytes, as
/// serde_json and libyaml count), clamped to the text.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    crate::source::floor_char_boundary(text, start + column.saturating_sub(1))
}

/// A YAML text: the `az ml` workspace shape (or any of the JSON shapes
/// written as YAML).
fn read_yaml(r: &mut Reader<'_>, text: &str) {
    match yaml_serde::from_str::<Value>(text) {
        Ok(v) => {
            let whole = Loc::whole(text.len());
            super::shapes::read_value(r, &v, Some(&whole));
        }
        Err(e) => {
            let at = e
                .location()
                .map_or(0, |l| crate::source::floor_char_boundary(text, l.index()));
            let msg = e.to_string();
            let what = msg.split(" at line ").next().unwrap_or(&msg).to_string();
            let (code, what) = if msg.contains("recursion limit") {
                (
                    Code::DeployedTooDeep,
                    "nested deeper than the YAML reader goes (128 levels)".to_string(),
                )
            } else {
                (Code::DeployedSyntax, what)
            };
            r.diags.push(
                Diagnostic::new(
                    code,
                    Span::new(r.file, at, at),
                    format!("the file is neither JSON nor valid YAML: {what}"),
                )
                .label(what)
                .help("deployed files are JSON (`az ... -o json`) or an `az ml` workspace YAML"),
            );
        }
    }
}
