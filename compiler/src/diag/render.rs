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
    let shown: Vec<(&Diagnostic, Vec<&str>)> = diags.iter().map(|d| (d, Vec::new())).collect();
    let mut out = render_each(&shown, sources, color);
    let (errors, warnings) = counts(diags);
    if errors + warnings > 0 {
        out.push_str(&summary(errors, warnings));
        out.push('\n');
    }
    out
}

/// Renders diagnostics for people as `check` and `build` print them: a
/// finding repeated in several workspaces once, with a note naming the
/// others (each one on its own with `verbose`); then, only when there are
/// errors, the closing `aborting due to` line (a run without errors ends
/// with [`run_summary`] instead).
#[must_use]
pub fn human_grouped(
    diags: &[Diagnostic],
    sources: &SourceMap,
    color: bool,
    verbose: bool,
) -> String {
    let shown: Vec<(&Diagnostic, Vec<&str>)> = if verbose {
        diags.iter().map(|d| (d, Vec::new())).collect()
    } else {
        super::group::group(diags)
            .into_iter()
            .map(|g| (g.first, g.also_in))
            .collect()
    };
    let mut out = render_each(&shown, sources, color);
    let (errors, warnings) = counts(diags);
    if errors > 0 {
        out.push_str(&summary(errors, warnings));
        out.push('\n');
    }
    out
}

/// Each diagnostic, with the note of the other workspaces it stands for.
fn render_each(shown: &[(&Diagnostic, Vec<&str>)], sources: &SourceMap, color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for (d, also_in) in shown {
        if also_in.is_empty() {
            out.push_str(&renderer.render(&[group(d, sources)]));
        } else {
            let mut d = (*d).clone();
            d.notes.push(super::group::note(also_in));
            out.push_str(&renderer.render(&[group(&d, sources)]));
        }
        out.push_str("\n\n");
    }
    out
}

/// What a run without errors read and found, for its one closing line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RunSummary {
    pub files: usize,
    pub workspaces: usize,
    pub errors: usize,
    pub warnings: usize,
    /// Warnings the postures accept as known risks (counted, not printed).
    pub accepted: usize,
}

/// `amlgen: checked 8 files, 11 workspaces: 0 errors, 3 warnings, 1 accepted risk`.
#[must_use]
pub fn run_summary(s: &RunSummary) -> String {
    format!(
        "amlgen: checked {}, {}: {}, {}, {}",
        plural(s.files, "file"),
        plural(s.workspaces, "workspace"),
        plural(s.errors, "error"),
        plural(s.warnings, "warning"),
        plural(s.accepted, "accepted risk"),
    )
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn summary(errors: usize, warnings: usize) -> String {
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

/// The version of the `--format json` document's shape: raised when a field
/// changes meaning or goes away (new fields do not raise it).
pub const JSON_VERSION: u32 = 1;

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
                "workspace": d.workspace,
            })
        })
        .collect();
    let (errors, warnings) = counts(diags);
    let doc = json!({
        "version": JSON_VERSION,
        "diagnostics": items,
        "errors": errors,
        "warnings": warnings,
    });
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

/// Percent-encodes a path for a URI: forward slashes, and `%XX` for every
/// byte RFC 3986 does not allow unencoded in a path.
fn encode(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// A path with `.` dropped and `dir/..` folded, `/` separators. Leading
/// `..` (a file above the root) stay.
fn normalise(path: &str) -> String {
    let absolute = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            ".." if absolute => {}
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
}

/// The SARIF `artifactLocation` of a file as the command line named it:
/// relative to `root` (the directory amlgen ran in, code scanning's
/// checkout) with `uriBaseId: %SRCROOT%`, so code scanning links to the
/// file in the repository; a file outside `root` is a `file:` URI.
fn artifact(name: &str, root: Option<&str>) -> Value {
    let name = name.replace('\\', "/");
    let drive = name.as_bytes().get(1) == Some(&b':');
    if !name.starts_with('/') && !drive {
        return json!({ "uri": encode(&normalise(&name)), "uriBaseId": SRCROOT });
    }
    let path = normalise(&name);
    let root = root.map(|r| normalise(&r.replace('\\', "/")));
    if let Some(rest) = root
        .as_deref()
        .and_then(|r| path.strip_prefix(r.trim_end_matches('/')))
        .and_then(|r| r.strip_prefix('/'))
    {
        return json!({ "uri": encode(rest), "uriBaseId": SRCROOT });
    }
    // A drive letter's colon stays as it is (RFC 8089 appendix E.2).
    let uri = match path.split_once(':') {
        Some((letter, rest)) if drive => format!("file:///{}:{}", encode(letter), encode(rest)),
        _ => format!("file://{}", encode(&path)),
    };
    json!({ "uri": uri })
}

/// The base of relative artifact URIs: the schema's `uriBaseId`, "a string
/// which indirectly specifies the absolute URI with respect to which a
/// relative URI ... is interpreted", declared in the run's
/// `originalUriBaseIds`; `%SRCROOT%` is the name SARIF's examples and
/// code scanning use for the root of the analysed sources.
const SRCROOT: &str = "%SRCROOT%";

/// Where the code pages are published, as an absolute base URI to which
/// `AML3004.md` is appended: `--help-uri-base` (a CI recipe builds it from
/// the repository that vendors amlgen, e.g.
/// `https://github.com/o/postures/blob/<sha>/tools/amlgen/docs/codes/`),
/// else the package's `repository` (in `Cargo.toml`) at this version's tag.
/// The SARIF 2.1.0 schema wants `helpUri` absolute (`format: uri`, not
/// `uri-reference`, which the test validates); with neither there is no
/// absolute link to give, so `helpUri` is left out and the page travels in
/// `help` (which code scanning shows beside an alert).
fn help_uri(code: super::Code, base: Option<&str>) -> Option<String> {
    match base {
        Some(base) => help_uri_from_base(base, code),
        None => help_uri_in(env!("CARGO_PKG_REPOSITORY"), code),
    }
}

/// `helpUri` for a repository URL (`https://github.com/o/amlgen` →
/// `https://github.com/o/amlgen/blob/v0.1.0/docs/codes/AML3004.md`).
#[must_use]
pub fn help_uri_in(repository: &str, code: super::Code) -> Option<String> {
    let base = repository.trim_end_matches('/');
    (base.starts_with("https://")).then(|| {
        format!(
            "{base}/blob/v{}/docs/codes/{}.md",
            env!("CARGO_PKG_VERSION"),
            code.id()
        )
    })
}

/// `helpUri` under a base that holds the code pages
/// (`https://host/docs/codes/` → `https://host/docs/codes/AML3004.md`);
/// `None` unless the base is an absolute `https://` or `http://` URI with
/// a host and no whitespace, query or fragment.
#[must_use]
pub fn help_uri_from_base(base: &str, code: super::Code) -> Option<String> {
    valid_help_base(base).then(|| format!("{}/{}.md", base.trim_end_matches('/'), code.id()))
}

/// Whether `base` can prefix a code page's file name as an absolute URI.
#[must_use]
pub fn valid_help_base(base: &str) -> bool {
    let rest = base
        .strip_prefix("https://")
        .or_else(|| base.strip_prefix("http://"));
    rest.is_some_and(|r| {
        !r.is_empty()
            && !r.starts_with('/')
            && r.bytes().all(|b| {
                b.is_ascii_graphic()
                    && !matches!(
                        b,
                        b'?' | b'#' | b'"' | b'<' | b'>' | b'\\' | b'`' | b'{' | b'}' | b'|' | b'^'
                    )
            })
    })
}

/// A rule of the SARIF driver: its code, title, level and its page as help.
fn rule(c: super::Code, help_base: Option<&str>) -> Value {
    let page = super::explain::explanation(c);
    let mut rule = json!({
        "id": c.id(),
        "name": c.name(),
        "shortDescription": { "text": c.title() },
        "defaultConfiguration": { "level": sarif_level(c.default_severity()) },
        "help": { "text": page, "markdown": page },
    });
    if let Some(uri) = help_uri(c, help_base) {
        rule["helpUri"] = Value::from(uri);
    }
    rule
}

/// Renders diagnostics as a SARIF 2.1.0 log with one run, file names taken
/// relative to the current directory as written (see [`sarif_in`]).
#[must_use]
pub fn sarif(diags: &[Diagnostic], sources: &SourceMap) -> String {
    sarif_full(diags, &[], sources, None, None)
}

/// Renders diagnostics as a SARIF 2.1.0 log with one run. `root`: the
/// directory amlgen ran in, against which absolute file names are made
/// relative; `help_base`: where the code pages are published
/// (`--help-uri-base`, see [`help_uri_from_base`]). The driver lists only
/// the rules that occur (each with its page, which makes a rule some
/// kilobytes).
#[must_use]
pub fn sarif_in(
    diags: &[Diagnostic],
    sources: &SourceMap,
    root: Option<&str>,
    help_base: Option<&str>,
) -> String {
    sarif_full(diags, &[], sources, root, help_base)
}

/// A finding the posture accepts: a SARIF result with a suppression.
pub struct Suppressed<'a> {
    pub diagnostic: &'a Diagnostic,
    /// Why it is accepted, by whom and until when.
    pub justification: String,
    /// The `accept` statement.
    pub at: Span,
}

/// [`sarif`], plus the findings the posture accepts (see [`sarif_full`]).
#[must_use]
pub fn sarif_with_suppressed(
    diags: &[Diagnostic],
    suppressed: &[Suppressed<'_>],
    sources: &SourceMap,
) -> String {
    sarif_full(diags, suppressed, sources, None, None)
}

/// [`sarif_in`], plus the findings the posture accepts, each a result with
/// a `suppressions` entry of kind `inSource` and status `accepted` (SARIF
/// 2.1.0, §3.27.23 and §3.35: a suppression persisted in the analysed
/// source, with its justification and location), so code scanning shows
/// them as dismissed rather than open.
#[must_use]
pub fn sarif_full(
    diags: &[Diagnostic],
    suppressed: &[Suppressed<'_>],
    sources: &SourceMap,
    root: Option<&str>,
    help_base: Option<&str>,
) -> String {
    use super::Code;
    let mut used: Vec<Code> = diags
        .iter()
        .chain(suppressed.iter().map(|x| x.diagnostic))
        .map(|d| d.code)
        .collect();
    used.sort_unstable();
    used.dedup();
    let rules: Vec<Value> = used.iter().map(|c| rule(*c, help_base)).collect();
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
                "ruleIndex": used.binary_search(&d.code).ok(),
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
                                    "artifactLocation": artifact(&f.name, root),
                                    "region": { "startLine": sl, "startColumn": sc },
                                }
                            })
                        })
                        .collect();
                }
                result["locations"] = json!([{
                    "physicalLocation": {
                        "artifactLocation": artifact(&file.name, root),
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
                        "artifactLocation": artifact(&f.name, root),
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
            "originalUriBaseIds": {
                SRCROOT: {
                    "description": {
                        "text": "The directory amlgen ran in: the repository root in CI."
                    }
                }
            },
            "results": results,
        }]
    });
    let mut s = serde_json::to_string_pretty(&doc).expect("JSON values always serialize");
    s.push('\n');
    s
}
