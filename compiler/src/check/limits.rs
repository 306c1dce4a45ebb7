//! Azure's runtime rules (`catalog::limits`) where a posture value can
//! break one: tags (AML3140, AML3141) and the names Azure takes as they are
//! written (AML3142). The names amlgen derives (NSGs, route tables,
//! private endpoints, deployments, the associated resources) are made
//! legal by `emit::plan::names` whatever the workspace name, so they need no
//! diagnostic; `tests/runtime_rules.rs` holds every emitted name to the
//! table.

use super::context::report;
use crate::catalog::limits::{Limit, RuntimeRule, rule};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::ir::{ComputeKind, Workspace};

fn source_note(r: &RuntimeRule) -> String {
    format!("Azure's rule `{}`: {}", r.id, r.source)
}

/// AML3140, AML3141: each tag name and value, the count after `defaults`
/// are merged in, and names that differ only in case (Azure's tag names
/// are case-insensitive, so `env` and `Env` are one tag and the
/// deployment fails).
pub fn tags(ws: &Workspace, d: &mut Diagnostics) {
    for (name, value) in &ws.tags {
        let Some(at) = ws.tag_spans.get(name) else {
            continue;
        };
        for id in ["tags.name.length", "tags.name.chars"] {
            let r = rule(id);
            if let Err(why) = r.check(name) {
                report(
                    d,
                    Diagnostic::new(
                        Code::TagRefused,
                        at.name,
                        format!("Azure refuses the tag name `{}`: {why}", name.escape_debug()),
                    )
                    .label("tag name")
                    .note(source_note(r))
                    .help("use a tag name of 1 to 512 characters without `<`, `>`, `%`, `&`, `\\`, `?`, `/` or control characters"),
                );
            }
        }
        let r = rule("tags.value.length");
        if let Err(why) = r.check(value) {
            report(
                d,
                Diagnostic::new(
                    Code::TagRefused,
                    at.value,
                    format!(
                        "Azure refuses the value of tag `{}`: {why}",
                        name.escape_debug()
                    ),
                )
                .label("tag value")
                .note(source_note(r))
                .help(
                    "use a value of 1 to 256 characters; put longer text in a document and link it",
                ),
            );
        }
    }
    let keys: Vec<&str> = ws.tags.keys().map(String::as_str).collect();
    let r = rule("tags.count");
    if let Err(why) = r.check_keys(&keys) {
        report(
            d,
            Diagnostic::new(
                Code::TagRefused,
                ws.span,
                format!("workspace `{}` has too many tags: {why}", ws.name),
            )
            .label("its tags, `defaults` included, go on every resource it deploys")
            .note(source_note(r))
            .help("remove tags until at most 50 remain, or join related ones into one JSON-valued tag"),
        );
    }
    case_clashes(ws, d);
}

/// AML3141: tag names equal ignoring case.
fn case_clashes(ws: &Workspace, d: &mut Diagnostics) {
    let r = rule("tags.name.unique");
    let mut first: std::collections::BTreeMap<String, &str> = std::collections::BTreeMap::new();
    let mut spans: Vec<(&str, crate::ir::TagSpan)> = ws
        .tags
        .keys()
        .filter_map(|k| ws.tag_spans.get(k).map(|s| (k.as_str(), *s)))
        .collect();
    spans.sort_by_key(|(_, s)| (s.name.file, s.name.start));
    for (name, at) in &spans {
        let Some(earlier) = first.insert(name.to_ascii_lowercase(), name) else {
            continue;
        };
        first.insert(name.to_ascii_lowercase(), earlier);
        let earlier_at = ws.tag_spans[earlier].name;
        report(
            d,
            Diagnostic::new(
                Code::TagNameCase,
                at.name,
                format!("tags `{earlier}` and `{name}` are one tag to Azure"),
            )
            .label("differs from an earlier tag name only in case")
            .with_label(earlier_at, "the earlier tag")
            .note(source_note(r))
            .help(format!(
                "keep one spelling: rename `{name}` to `{earlier}` to override it, or give it another name"
            )),
        );
    }
}

/// AML3142: the workspace's and its computes' names, which Azure takes as
/// written. Microsoft's ARM schema pattern for a workspace name lets `_`
/// through; the naming rules page allows only letters, digits and
/// hyphens: the stricter reading cannot fail. The page limits a compute
/// name by its type: 3-24 for an instance, 3-32 for a cluster, 2-16 for
/// any other.
pub fn names(ws: &Workspace, d: &mut Diagnostics) {
    let name = ws.name.as_str();
    for id in ["workspace.name.length", "workspace.name.chars"] {
        let r = rule(id);
        if let Err(why) = r.check(name) {
            report(
                d,
                Diagnostic::new(
                    Code::NameRefused,
                    ws.span,
                    format!("Azure refuses the workspace name `{name}`: {why}"),
                )
                .label("workspace name")
                .note(source_note(r))
                .help(format!(
                    "name the workspace `{}` (letters, digits and hyphens, 3 to 33)",
                    name.replace('_', "-")
                )),
            );
        }
    }
    // Lowering already holds every compute name to 3-24 letters, digits
    // and hyphens (AML2011); what is left is the shorter limit of the
    // other compute types.
    for c in &ws.computes {
        let (id, what) = match c.kind.value {
            ComputeKind::Instance => ("compute.name.length.instance", "a compute instance"),
            ComputeKind::Cluster => ("compute.name.length.cluster", "a compute cluster"),
            ComputeKind::Kubernetes | ComputeKind::AttachedVm => {
                ("compute.name.length.other", "an attached compute")
            }
        };
        let r = rule(id);
        let cname = c.name.as_str();
        if let Err(why) = r.check(cname) {
            let Limit::Length { max, .. } = r.limit else {
                continue;
            };
            let fixed: String = cname.chars().take(max).collect();
            report(
                d,
                Diagnostic::new(
                    Code::NameRefused,
                    c.span,
                    format!("Azure refuses the compute name `{cname}` for {what}: {why}"),
                )
                .label(format!("names {what}"))
                .note(source_note(r))
                .help(format!(
                    "use a name of at most {max} characters, e.g. `{}`",
                    fixed.trim_end_matches('-')
                )),
            );
        }
    }
}
