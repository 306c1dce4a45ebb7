//! Diagnostics as you type: the build the open file belongs to (the `*.aml`
//! files of its directory tree, open buffers over what is on disk), compiled
//! by the same `driver::compile` as `amlgen check`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use lsp_types::{DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Uri};

use super::documents::{Documents, path_uri, range, uri_path};
use crate::diag::{Diagnostic, Severity};
use crate::driver::{self, Input, Options};

/// The LSP diagnostics of every file of the build `uri` belongs to, by
/// file (files without any are listed too, so that old ones are cleared).
#[must_use]
pub fn for_build(docs: &Documents, uri: &Uri) -> Vec<(Uri, Vec<lsp_types::Diagnostic>)> {
    let Some(path) = uri_path(uri.as_str()) else {
        return Vec::new();
    };
    let dir = path
        .parent()
        .map_or_else(|| PathBuf::from("/"), Path::to_path_buf);
    let mut paths = driver::collect_paths(std::slice::from_ref(&dir)).unwrap_or_default();
    paths.extend(docs.paths_under(&dir));
    paths.push(path);
    paths.sort();
    paths.dedup();
    let mut inputs = Vec::new();
    for p in &paths {
        let text = match docs.by_path(p) {
            Some(t) => t.to_string(),
            None => match driver::read_inputs(std::slice::from_ref(p)) {
                Ok(mut i) => i.pop().map(|i| i.text).unwrap_or_default(),
                Err(_) => continue,
            },
        };
        inputs.push(Input {
            name: p.to_string_lossy().into_owned(),
            text,
        });
    }
    let outcome = driver::compile(inputs, &Options::default());
    let mut by_file: BTreeMap<String, Vec<lsp_types::Diagnostic>> = BTreeMap::new();
    for (_, f) in outcome.sources.iter() {
        by_file.entry(f.name.clone()).or_default();
    }
    for d in &outcome.diagnostics {
        let Some(span) = d.primary else { continue };
        let file = outcome.sources.get(span.file);
        let lsp = convert(d, &file.text, |s| {
            let f = outcome.sources.get(s.file);
            path_uri(Path::new(&f.name)).map(|u| Location::new(u, range(&f.text, s.range())))
        });
        by_file.entry(file.name.clone()).or_default().push(lsp);
    }
    by_file
        .into_iter()
        .filter_map(|(name, ds)| path_uri(Path::new(&name)).map(|u| (u, ds)))
        .collect()
}

/// One diagnostic in LSP form: code, range, message with its notes and
/// help, and the labels as related locations.
fn convert(
    d: &Diagnostic,
    text: &str,
    locate: impl Fn(crate::span::Span) -> Option<Location>,
) -> lsp_types::Diagnostic {
    let span = d.primary.map_or(0..0, crate::span::Span::range);
    let mut message = d.message.clone();
    for n in &d.notes {
        message.push_str("\nnote: ");
        message.push_str(n);
    }
    for h in &d.help {
        message.push_str("\nhelp: ");
        message.push_str(h);
    }
    let mut related: Vec<DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .filter_map(|l| {
            Some(DiagnosticRelatedInformation {
                location: locate(l.span)?,
                message: l.message.clone(),
            })
        })
        .collect();
    if let (Some(p), Some(label)) = (d.primary, &d.primary_label)
        && let Some(location) = locate(p)
    {
        related.insert(
            0,
            DiagnosticRelatedInformation {
                location,
                message: label.clone(),
            },
        );
    }
    lsp_types::Diagnostic {
        range: range(text, span),
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Note => DiagnosticSeverity::INFORMATION,
        }),
        code: Some(NumberOrString::String(d.code.id().to_string())),
        source: Some("amlgen".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        data: suggestion(d).map(serde_json::Value::String),
        ..lsp_types::Diagnostic::default()
    }
}

/// The replacement a `did you mean `x`?` help offers.
fn suggestion(d: &Diagnostic) -> Option<String> {
    d.help.iter().find_map(|h| {
        let rest = h.strip_prefix("did you mean `")?;
        let (word, tail) = rest.split_once('`')?;
        (tail == "?").then(|| word.to_string())
    })
}
