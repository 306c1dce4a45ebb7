//! Rendering diagnostics: rustc-style text, JSON, and SARIF 2.1.0.
//!
//! The only place that turns byte spans into lines and columns.

use std::fmt::Write as _;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use serde_json::{Value, json};

use super::{Diagnostic, Severity};
use crate::source::{SourceFile, SourceMap, floor_char_boundary};
use crate::span::Span;

/// Output format of diagnostics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Sarif,
}

/// Renders diagnostics in the human format, one after another, with a
/// closing count line.
#[must_use]
pub fn human(diags: &[Diagnostic], sources: &SourceMap, color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for d in diags {
        out.push_str(&renderer.render(&[group(d, sources)]));
        out.push_str("\n\n");
    }
    let (errors, warnings) = counts(diags);
    if errors + warnings > 0 {
        out.push_str(&summary(errors, warnings));
        out.push('\n');
    }
    out
}

fn summary(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("1 {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    match (errors, warnings) {
        (0, w) => format!("amlgen: {} emitted", plural(w, "warning")),
        (e, 0) => format!("amlgen: aborting due to {}", plural(e, "error")),
        (e, w) => format!(
            "amlgen: aborting due to {}; {} emitted",
            plural(e, "error"),
            plural(w, "warning")
        ),
    }
}

/// Number of errors and warnings.
#[must_use]
pub fn counts(diags: &[Diagnostic]) -> (usize, usize) {
    let errors = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = diags
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .count();
    (errors, warnings)
}

fn level(sev: Severity) -> Level<'static> {
    match sev {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Note => Level::NOTE,
    }
}

/// A span widened to at least one character where the text allows, so the
/// caret always has something to point at.
fn visible(span: Span, file: &SourceFile) -> std::ops::Range<usize> {
    let text = &file.text;
    let start = floor_char_boundary(text, span.start as usize);
    let mut end = floor_char_boundary(text, span.end as usize).max(start);
    if end == start {
        end = text[start..]
            .chars()
            .next()
            .filter(|c| *c != '\n')
            .map_or(start, |c| start + c.len_utf8());
    }
    start..end
}

/// The lines of `file` that hold every span in `spans`: the text, its
/// first line number and its byte offset. Rendering a window instead of the
/// whole file keeps large fleets fast.
fn window<'a>(file: &'a SourceFile, spans: &[std::ops::Range<usize>]) -> (&'a str, usize, usize) {
    let text = file.text.as_str();
    let lo = spans.iter().map(|r| r.start).min().unwrap_or(0);
    let hi = spans.iter().map(|r| r.end).max().unwrap_or(0);
    let start = text[..lo].rfind('\n').map_or(0, |i| i + 1);
    let end = text[hi..].find('\n').map_or(text.len(), |i| hi + i);
    (&text[start..end], file.line_col(start).0, start)
}

/// One file's snippet with a primary annotation (if any) and context labels.
fn snippet<'a>(
    file: &'a SourceFile,
    primary: Option<(Span, Option<&'a str>)>,
    labels: &[&'a super::Label],
) -> Snippet<'a, annotate_snippets::Annotation<'a>> {
    let mut ranges: Vec<std::ops::Range<usize>> =
        labels.iter().map(|l| visible(l.span, file)).collect();
    if let Some((span, _)) = primary {
        ranges.push(visible(span, file));
    }
    let (text, first_line, offset) = window(file, &ranges);
    let shift = |r: std::ops::Range<usize>| r.start - offset..r.end - offset;
    let mut snippet = Snippet::source(text)
        .line_start(first_line)
        .path(file.name.as_str());
    if let Some((span, label)) = primary {
        snippet = snippet.annotation(
            AnnotationKind::Primary
                .span(shift(visible(span, file)))
                .label(label),
        );
    }
    for l in labels {
        snippet = snippet.annotation(
            AnnotationKind::Context
                .span(shift(visible(l.span, file)))
                .label(l.message.as_str()),
        );
    }
    snippet
}

fn group<'a>(d: &'a Diagnostic, sources: &'a SourceMap) -> Group<'a> {
    let title = level(d.severity).primary_title(&d.message).id(d.code.id());
    let mut elements: Vec<annotate_snippets::Element<'a>> = Vec::new();
    if let Some(primary) = d.primary {
        let file = sources.get(primary.file);
        let same: Vec<&super::Label> = d
            .labels
            .iter()
            .filter(|l| l.span.file == primary.file)
            .collect();
        elements.push(snippet(file, Some((primary, d.primary_label.as_deref())), &same).into());
        for l in d.labels.iter().filter(|l| l.span.file != primary.file) {
            elements.push(snippet(sources.get(l.span.file), None, &[l]).into());
        }
    }
    for n in &d.notes {
        elements.push(Level::NOTE.message(n.as_str()).into());
    }
    for h in &d.help {
        elements.push(Level::HELP.message(h.as_str()).into());
    }
    title.elements(elements)
}

/// Where a span is, for machine-readable formats.
fn location(span: Span, sources: &SourceMap) -> Value {
    let file = sources.get(span.file);
    let (line, column) = file.line_col(span.start as usize);
    let (end_line, end_column) = file.line_col(span.end as usize);
    json!({
        "file": file.name,
        "line": line,
        "column": column,
        "end_line": end_line,
        "end_column": end_column,
    })
}

/// Renders diagnostics as one JSON document.
#[must_use]
pub fn json(diags: &[Diagnostic], sources: &SourceMap) -> String {
    let items: Vec<Value> = diags
        .iter()
        .map(|d| {
            json!({
                "code": d.code.id(),
                "name": d.code.name(),
                "severity": d.severity.as_str(),
                "message": d.message,
                "label": d.primary_label,
                "location": d.primary.map(|s| location(s, sources)),
                "labels": d.labels.iter().map(|l| json!({
                    "message": l.message,
                    "location": location(l.span, sources),
                })).collect::<Vec<_>>(),
                "notes": d.notes,
                "help": d.help,
            })
        })
        .collect();
    let (errors, warnings) = counts(diags);
    let doc = json!({ "diagnostics": items, "errors": errors, "warnings": warnings });
    let mut s = serde_json::to_string_pretty(&doc).expect("JSON values always serialize");
    s.push('\n');
    s
}

fn sarif_level(sev: Severity) -> &'static str {
    match sev {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// A file name as a SARIF URI reference: forward slashes, percent-encoded
/// where RFC 3986 requires it.
fn uri(name: &str) -> String {
    let mut out = String::new();
    for b in name.replace('\\', "/").bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Renders diagnostics as a SARIF 2.1.0 log with one run.
#[must_use]
pub fn sarif(diags: &[Diagnostic], sources: &SourceMap) -> String {
    sarif_with_suppressed(diags, &[], sources)
}

/// A finding the posture accepts: a SARIF result with a suppression.
pub struct Suppressed<'a> {
    pub diagnostic: &'a Diagnostic,
    /// Why it is accepted, by whom and until when.
    pub justification: String,
    /// The `accept` statement.
    pub at: Span,
}

/// [`sarif`], plus the findings the posture accepts, each a result with a
/// `suppressions` entry of kind `inSource` and status `accepted` (SARIF
/// 2.1.0, §3.27.23 and §3.35: a suppression persisted in the analysed
/// source, with its justification and location), so code scanning shows
/// them as dismissed rather than open.
#[must_use]
pub fn sarif_with_suppressed(
    diags: &[Diagnostic],
    suppressed: &[Suppressed<'_>],
    sources: &SourceMap,
) -> String {
    use super::Code;
    let rules: Vec<Value> = Code::ALL
        .iter()
        .map(|c| {
            json!({
                "id": c.id(),
                "name": c.name(),
                "shortDescription": { "text": c.title() },
                "defaultConfiguration": { "level": sarif_level(c.default_severity()) },
            })
        })
        .collect();
    let results: Vec<Value> = diags
        .iter()
        .map(|d| (d, None))
        .chain(suppressed.iter().map(|s| (s.diagnostic, Some(s))))
        .map(|(d, suppression)| {
            let mut text = d.message.clone();
            if let Some(l) = &d.primary_label {
                let _ = write!(text, " ({l})");
            }
            for n in &d.notes {
                let _ = write!(text, "\nnote: {n}");
            }
            for h in &d.help {
                let _ = write!(text, "\nhelp: {h}");
            }
            let mut result = json!({
                "ruleId": d.code.id(),
                "ruleIndex": Code::ALL.iter().position(|c| *c == d.code),
                "level": sarif_level(d.severity),
                "message": { "text": text },
            });
            if let Some(span) = d.primary {
                let file = sources.get(span.file);
                let (line, column) = file.line_col(span.start as usize);
                let (end_line, end_column) = file.line_col(span.end as usize);
                if !d.labels.is_empty() {
                    result["relatedLocations"] = d
                        .labels
                        .iter()
                        .enumerate()
                        .map(|(i, l)| {
                            let f = sources.get(l.span.file);
                            let (sl, sc) = f.line_col(l.span.start as usize);
                            json!({
                                "id": i,
                                "message": { "text": l.message },
                                "physicalLocation": {
                                    "artifactLocation": { "uri": uri(&f.name) },
                                    "region": { "startLine": sl, "startColumn": sc },
                                }
                            })
                        })
                        .collect();
                }
                result["locations"] = json!([{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(&file.name) },
                        "region": {
                            "startLine": line,
                            "startColumn": column,
                            "endLine": end_line,
                            "endColumn": end_column.max(if end_line == line { column } else { 1 }),
                        }
                    }
                }]);
            }
            if let Some(s) = suppression {
                let f = sources.get(s.at.file);
                let (line, column) = f.line_col(s.at.start as usize);
                result["suppressions"] = json!([{
                    "kind": "inSource",
                    "status": "accepted",
                    "justification": s.justification,
                    "location": { "physicalLocation": {
                        "artifactLocation": { "uri": uri(&f.name) },
                        "region": { "startLine": line, "startColumn": column },
                    }},
                }]);
            }
            result
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "amlgen",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "results": results,
        }]
    });
    let mut s = serde_json::to_string_pretty(&doc).expect("JSON values always serialize");
    s.push('\n');
    s
}
