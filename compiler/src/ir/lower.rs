//! Syntax tree to IR: resolves names, checks every value's type and form,
//! applies profiles and defaults, and expands presets.
//!
//! Values that cannot be lowered are reported and left out, so one run
//! reports every problem; the cross-setting rules are in [`crate::check`].

use std::collections::{BTreeMap, HashMap};

use super::newtypes::{
    ArmName, FqdnPattern, Guid, Ipv4Net, PortRanges, ResourceGroupName, ResourceId, ServiceTag,
};
use super::{
    Access, AppInsights, ClientEndpoint, ClientPrivateEndpoint, Cloud, Compute, ComputeDefaults,
    ComputeKind, ContainerRegistry, Control, Destination, Dns, Effect, FirewallSku, Grant,
    GrantScope, Identity, Inbound, IsolationMode, KeyVault, Lock, NsgAccess, NsgAddress,
    NsgDirection, NsgRule, OnlineEndpoint, Outbound, OutboundRule, PeSubnet, PeTarget, Policy,
    PolicyControl, PolicyScope, Posture, Preset, PrincipalKind, Profile, Protocol, Provision,
    PublicNetworkAccess, Region, RegistrySku, RuleKind, RuleOrigin, Setting, Source, Spoke,
    SpokeSubnet, SpokeVnet, Storage, SubnetRole, TagSpan, Workspace,
};
use crate::catalog::{presets, private_link, regions, roles};
use crate::diag::{Code, Diagnostic, Diagnostics, suggest};
use crate::span::Span;
use crate::syntax::ast::{Body, Entry, Expr, ExprKind, File, Ident, Stmt};
use crate::syntax::limits;
use crate::syntax::token::StrPart;

mod assigned_user;
mod network;

/// Lowers the files of one build into one posture.
pub fn lower(files: &[File], diags: &mut Diagnostics) -> Posture {
    // Tokens the lexer reported carry a guessed value (`0` for a malformed
    // number, a string without its bad escape or interpolation).
    let broken: Vec<Span> = diags
        .iter()
        .filter(|d| {
            matches!(
                d.code,
                Code::UnexpectedCharacter
                    | Code::UnterminatedString
                    | Code::InvalidEscape
                    | Code::InvalidNumber
                    | Code::InvalidInterpolation
                    | Code::InvalidUtf8
            )
        })
        .filter_map(|d| d.primary)
        .collect();
    // Files with a syntax error may have lost entries to recovery.
    let mut unparsed: Vec<_> = diags
        .iter()
        .filter(|d| d.code.id().starts_with("AML0") || d.code.id().starts_with("AML1"))
        .filter_map(|d| d.primary.map(|s| s.file))
        .collect();
    unparsed.sort_unstable();
    unparsed.dedup();
    let mut posture = Posture::default();
    let mut expanded = 0;
    for file in files {
        let mut cx = Cx {
            diags,
            lets: HashMap::new(),
            let_spans: HashMap::new(),
            let_extents: BTreeMap::new(),
            literal_lets: std::collections::HashSet::new(),
            expanded: &mut expanded,
            broken: &broken,
        };
        cx.file(file, &mut posture);
    }
    let mut seen: HashMap<String, Span> = HashMap::new();
    for ws in &posture.workspaces {
        let key = ws.name.as_str().to_ascii_lowercase();
        if let Some(first) = seen.get(&key) {
            diags.push(
                Diagnostic::new(
                    Code::DuplicateName,
                    ws.span,
                    format!("workspace `{}` is declared twice", ws.name),
                )
                .label("second declaration")
                .with_label(*first, "first declared here")
                .help("workspace names are unique in a build (Azure compares them ignoring case)"),
            );
        } else {
            seen.insert(key, ws.span);
        }
    }
    // The platform rules would judge what recovery left of such a file
    // (a setting dropped for a value on the next line falls back to its
    // secure default), not what was written: they wait for a clean parse.
    posture
        .workspaces
        .retain(|w| !unparsed.contains(&w.span.file));
    posture
        .policies
        .retain(|p| !unparsed.contains(&p.span.file));
    posture
}

struct Cx<'d> {
    diags: &'d mut Diagnostics,
    lets: HashMap<String, Expr>,
    /// Where each `let` of the file is defined (its first definition),
    /// including those not yet read: a use before its `let` says so.
    let_spans: HashMap<String, Span>,
    /// The lets whose value is written as one plain string (no `${}`): a
    /// character of their value can be pointed at in the source.
    literal_lets: std::collections::HashSet<String>,
    /// What each accepted `let` expands to.
    let_extents: BTreeMap<String, limits::Extent>,
    /// What the uses of lets have expanded to in this build so far.
    expanded: &'d mut usize,
    /// Spans of tokens the lexer reported; see [`Cx::push`].
    broken: &'d [Span],
}

/// A body's entries, checked against the settings and blocks allowed there.
struct Block<'a> {
    attrs: BTreeMap<&'a str, (&'a Ident, &'a Expr)>,
    stmts: Vec<&'a Stmt>,
}

/// Where a `defaults` value is, and the values themselves.
#[derive(Default)]
struct Defaults {
    region: Option<(Region, Span)>,
    resource_group: Option<(ResourceGroupName, Span)>,
    subscription_id: Option<(Guid, Span)>,
    tags: BTreeMap<String, (String, TagSpan)>,
    profile: Option<(Profile, Span)>,
    cloud: Option<(Cloud, Span)>,
}

fn names<T>(table: &[(&'static str, T)]) -> Vec<&'static str> {
    table.iter().map(|(n, _)| *n).collect()
}

/// What to write instead of an id of the wrong type: for the parent of
/// the expected type (a virtual network for a subnet), the missing child.
fn wrong_type_help(expected: &str, found: &str) -> String {
    let lower = expected.to_ascii_lowercase();
    match lower.strip_prefix(&format!("{}/", found.to_ascii_lowercase())) {
        Some(child) if !child.contains('/') => {
            let child = &expected[expected.len() - child.len()..];
            format!("this is the id of the parent `{found}`: append `/{child}/<name>`")
        }
        _ => format!("give the id of a `{expected}` here"),
    }
}

/// The host of a URL or `host:port`, when that is a valid FQDN pattern.
fn fqdn_help(text: &str) -> String {
    let host = text.split_once("://").map_or(text, |(_, h)| h);
    let host = host.split(['/', ':']).next().unwrap_or(host);
    if host != text && FqdnPattern::parse(host).is_ok() {
        format!("did you mean `{host}`?")
    } else {
        "write a host name such as `pypi.org`, or `*.pythonhosted.org` for every host under a ___domain".to_string()
    }
}

const MIXED_SCRIPT: &str = "ASCII letters mixed with a look-alike character from another script";
const ACCEPTED_BUT_OTHER: &str =
    "Azure accepts it, but it names a different group from the one it looks like";

/// AML2011 for a name with a character outside ASCII: points at the
/// character where `e` writes it (a plain string, at the use or in its
/// `let`) and names it (or says which character of the name it is, when
/// the name holds escapes or `${}`), and suggests the
/// name with look-alikes replaced by the ASCII characters they look like,
/// when that name is `valid`. `None` when the name is all ASCII.
fn non_ascii_name(
    e: &Expr,
    text: &str,
    span: Span,
    what: &str,
    msg: &str,
    valid: impl Fn(&str) -> bool,
) -> Option<Diagnostic> {
    let (index, (byte, c)) = text
        .char_indices()
        .enumerate()
        .find(|(_, (_, c))| !c.is_ascii() && suggest::look_alike(*c).is_some())
        .or_else(|| {
            text.char_indices()
                .enumerate()
                .find(|(_, (_, c))| !c.is_ascii())
        })?;
    let what_char = match suggest::look_alike(c) {
        Some(a) => format!("{}, which looks like `{a}`", suggest::describe_char(c)),
        None => suggest::describe_char(c),
    };
    // Only a plain literal maps characters of the value to bytes of the
    // source one to one (an escape is longer than what it stands for).
    let literal = matches!(&e.kind, ExprKind::Str(p) if matches!(p.as_slice(), [StrPart::Text(t)] if t == text))
        && (e.span.end - e.span.start) as usize == text.len() + 2;
    let title = format!("invalid {what} name");
    let d = if literal {
        let start = e.span.start + 1 + byte as u32;
        let at = Span {
            start,
            end: start + c.len_utf8() as u32,
            ..e.span
        };
        let d = Diagnostic::new(Code::InvalidName, at, title).label(format!(
            "character {} of the name is {what_char}",
            index + 1
        ));
        if e.span == span {
            d.with_label(span, msg)
        } else {
            // The name comes from a `let`: the caret is in its definition.
            d.with_label(e.span, msg)
                .with_label(span, format!("used as the {what} name here"))
        }
    } else {
        Diagnostic::new(Code::InvalidName, span, title)
            .label(msg)
            .note(format!(
                "character {} of the name is {what_char}",
                index + 1
            ))
    };
    Some(
        match suggest::ascii_look_alikes(text).filter(|f| valid(f)) {
            Some(fixed) => d.help(format!(
                "did you mean `{fixed}`, with the ASCII characters the look-alikes stand for?"
            )),
            None => d,
        },
    )
}

/// AML2017 at a `let` whose value would expand past the limits.
fn too_large(name: &Ident, value: &Expr, x: limits::Extent) -> Diagnostic {
    let (what, help) = if x.depth > limits::MAX_DEPTH {
        (
            format!(
                "nests {} levels deep, past the limit of {}",
                x.depth,
                limits::MAX_DEPTH
            ),
            "postures need only a few levels of lists and maps; do not wrap a let in a list again and again",
        )
    } else {
        (
            format!(
                "would expand to {} bytes, past the limit of {} MiB",
                x.size,
                limits::MAX_LET_SIZE >> 20
            ),
            "a let that uses another twice doubles it: build the value from fewer uses, or write it out",
        )
    };
    Diagnostic::new(
        Code::ExpansionLimit,
        name.span,
        format!("`let {}` expands past amlgen's limits", name.name),
    )
    .label("this let is not defined")
    .with_label(value.span, what)
    .help(help)
}

fn list_words(words: &[&str]) -> String {
    let quoted: Vec<String> = words.iter().map(|w| format!("`{w}`")).collect();
    match quoted.len() {
        0 => String::new(),
        1 => quoted[0].clone(),
        n => format!("{} or {}", quoted[..n - 1].join(", "), quoted[n - 1]),
    }
}

impl Cx<'_> {
    /// Reports `d`, unless it is about a token the lexer already reported:
    /// its value is the lexer's guess (`max_nodes 0 is out of range` for
    /// `max_nodes = 1.5`), so the error would only repeat the lexer's.
    fn push(&mut self, d: Diagnostic) {
        if let Some(p) = d.primary
            && self
                .broken
                .iter()
                .any(|b| b.file == p.file && p.start <= b.start && b.end <= p.end)
        {
            return;
        }
        self.diags.push(d);
    }

    // ----- bodies -----------------------------------------------------

    /// Splits entries into settings and blocks, reporting unknown ones,
    /// duplicates, `let` out of place, and a block written as a setting
    /// (or the other way round).
    fn block<'a>(
        &mut self,
        entries: &'a [Entry],
        context: &str,
        attrs: &[&str],
        blocks: &[&str],
    ) -> Block<'a> {
        let mut out = Block {
            attrs: BTreeMap::new(),
            stmts: Vec::new(),
        };
        let all: Vec<&str> = attrs.iter().chain(blocks).copied().collect();
        for e in entries {
            match e {
                Entry::Let { name, .. } => self.push(
                    Diagnostic::new(
                        Code::UnknownSetting,
                        name.span,
                        "`let` is only allowed at the top of a file",
                    )
                    .label("inside a block")
                    .help("move this `let` before the first block"),
                ),
                Entry::Attr { key, value } => {
                    let k = key.name.as_str();
                    if attrs.contains(&k) {
                        if let Some((first, _)) = out.attrs.get(k) {
                            self.push(
                                Diagnostic::new(
                                    Code::DuplicateSetting,
                                    key.span,
                                    format!("`{k}` is set twice in {context}"),
                                )
                                .label("set again here")
                                .with_label(first.span, "first set here")
                                .help("remove one of them"),
                            );
                        } else {
                            out.attrs.insert(k, (key, value));
                        }
                    } else if blocks.contains(&k) {
                        self.push(
                            Diagnostic::new(
                                Code::UnknownSetting,
                                key.span,
                                format!("`{k}` is a block, not a setting"),
                            )
                            .label("written as `name = value`")
                            .help(format!("write `{k} {{ ... }}`")),
                        );
                    } else {
                        self.unknown(key, context, &all);
                    }
                }
                Entry::Stmt(s) => {
                    let k = s.head.name.as_str();
                    if blocks.contains(&k) {
                        out.stmts.push(s);
                    } else if attrs.contains(&k) {
                        self.push(
                            Diagnostic::new(
                                Code::UnknownSetting,
                                s.head.span,
                                format!("`{k}` is a setting: it needs `=`"),
                            )
                            .label("expected `=` after this")
                            .help(format!("write `{k} = value`")),
                        );
                    } else {
                        self.unknown(&s.head, context, &all);
                    }
                }
            }
        }
        out
    }

    fn unknown(&mut self, key: &Ident, context: &str, allowed: &[&str]) {
        // Names from ARM, the CLI or the portal that the language spells
        // otherwise.
        const SYNONYMS: &[(&str, &str)] = &[
            (concat!("loc", "ation"), "region"),
            ("isolation_mode", "mode"),
            ("managed_network", "outbound"),
            ("public_access", "public_network_access"),
            ("provision_network_now", "provision_now"),
        ];
        let trimmed = key.name.trim_start_matches('_');
        if let Some((_, ours)) = SYNONYMS
            .iter()
            .find(|(theirs, ours)| *theirs == trimmed && allowed.contains(ours))
        {
            self.push(
                Diagnostic::new(
                    Code::UnknownSetting,
                    key.span,
                    format!("unknown setting `{}` in {context}", key.name),
                )
                .label("not known here")
                .help(format!("did you mean `{ours}`?")),
            );
            return;
        }
        let mut d = Diagnostic::new(
            Code::UnknownSetting,
            key.span,
            format!("unknown setting `{}` in {context}", key.name),
        )
        .label("not known here")
        .suggest(&key.name, allowed.iter().copied());
        if allowed.is_empty() {
            d = d.help(format!("{context} takes no settings"));
        } else {
            d = d.help(format!("{context} takes {}", list_words(allowed)));
        }
        self.push(d);
    }

    /// Blocks of this kind that must appear at most once.
    fn single<'a>(&mut self, b: &Block<'a>, head: &str, context: &str) -> Option<&'a Stmt> {
        let mut found: Option<&'a Stmt> = None;
        for s in b.stmts.iter().filter(|s| s.head.name == head) {
            if let Some(first) = found {
                self.push(
                    Diagnostic::new(
                        Code::DuplicateSetting,
                        s.head.span,
                        format!("`{head}` appears twice in {context}"),
                    )
                    .label("second block")
                    .with_label(first.head.span, "first block here")
                    .help("merge them into one block"),
                );
            } else {
                found = Some(s);
            }
        }
        found
    }

    /// A block that takes no arguments; returns its entries.
    fn plain_body<'a>(&mut self, s: &'a Stmt) -> &'a [Entry] {
        if let Some(a) = s.args.first() {
            self.push(
                Diagnostic::new(
                    Code::UnexpectedToken,
                    a.span,
                    format!("`{}` takes no label", s.head.name),
                )
                .label("unexpected")
                .help(format!("write `{} {{ ... }}`", s.head.name)),
            );
        }
        match &s.body {
            Some(b) => &b.entries,
            None => {
                self.push(
                    Diagnostic::new(
                        Code::UnexpectedToken,
                        s.span,
                        format!("`{}` needs a body", s.head.name),
                    )
                    .label("expected `{` after this")
                    .help(format!("write `{} {{ ... }}`", s.head.name)),
                );
                &[]
            }
        }
    }

    fn no_body(&mut self, s: &Stmt, what: &str) {
        if let Some(b) = &s.body {
            self.push(
                Diagnostic::new(
                    Code::UnknownSetting,
                    b.span,
                    format!("{what} takes no settings block"),
                )
                .label("unexpected block")
                .help("remove the `{ ... }`"),
            );
        }
    }

    // ----- values -------------------------------------------------------

    /// Follows a bare name to the `let` it names, if any.
    fn deref<'e>(&'e self, e: &'e Expr) -> &'e Expr {
        if let ExprKind::Ident(n) = &e.kind
            && let Some(v) = self.lets.get(n)
        {
            return v;
        }
        e
    }

    /// Where a string value is written: the `let` it names when that is a
    /// plain string, else the expression itself.
    fn written<'e>(&'e self, e: &'e Expr) -> &'e Expr {
        match &e.kind {
            ExprKind::Ident(n) if self.literal_lets.contains(n) => self.lets.get(n).unwrap_or(e),
            _ => e,
        }
    }

    /// A bare name of a `let` whose value was refused (and reported): its
    /// uses say nothing more.
    fn refused(&self, e: &Expr) -> bool {
        matches!(&e.kind, ExprKind::Ident(n) if self.let_spans.contains_key(n) && !self.lets.contains_key(n))
    }

    fn type_error(&mut self, e: &Expr, expected: &str) {
        if self.refused(e) {
            return;
        }
        let value = self.deref(e);
        let found = match &e.kind {
            ExprKind::Ident(n) if !std::ptr::eq(value, e) => {
                format!("{} (the value of `{n}`)", value.describe())
            }
            _ => e.describe().to_string(),
        };
        let mut d = Diagnostic::new(
            Code::TypeMismatch,
            e.span,
            format!("expected {expected}, found {found}"),
        )
        .label(format!("expected {expected}"));
        // `"4"` for a number, `"false"` for a boolean: the quotes are the
        // mistake.
        if let ExprKind::Str(parts) = &value.kind
            && let [StrPart::Text(t)] = parts.as_slice()
        {
            let unquoted = (expected == "a number" && t.parse::<u64>().is_ok())
                || (expected == "`true` or `false`" && (t == "true" || t == "false"));
            if unquoted {
                d = d.help(format!("write it without double quotes: `{t}`"));
            }
        }
        if expected == "a string" && matches!(value.kind, ExprKind::Number(_) | ExprKind::Bool(_)) {
            d = d.help("text is written in double quotes");
        }
        self.push(d);
    }

    fn undefined(&mut self, name: &str, span: Span) {
        if let Some(&def) = self.let_spans.get(name) {
            if def.start < span.start {
                // Defined above, but its own value was refused (and
                // reported): saying it is not defined would be wrong.
                return;
            }
            // Lets are read top to bottom, so that what a name means never
            // depends on what follows it.
            self.push(
                Diagnostic::new(
                    Code::UndefinedName,
                    span,
                    format!("`{name}` is not defined yet"),
                )
                .label("used here, before its `let`")
                .with_label(def, format!("`{name}` is defined here, later in the file"))
                .help(format!(
                    "move `let {name}` above this use: a `let` may only use the lets before it"
                )),
            );
            return;
        }
        let lets: Vec<String> = self.lets.keys().cloned().collect();
        let mut lets_sorted = lets.clone();
        lets_sorted.sort();
        let d = Diagnostic::new(
            Code::UndefinedName,
            span,
            format!("`{name}` is not defined"),
        )
        .label("no `let` defines this name")
        .suggest(name, lets_sorted.iter().map(String::as_str));
        let d = if d.help.is_empty() {
            d.help(format!("define it with `let {name} = \"...\"` at the top of the file, or write the text in double quotes"))
        } else {
            d
        };
        self.push(d);
    }

    /// Interpolates a string's parts.
    fn interpolate(&mut self, parts: &[StrPart]) -> Option<String> {
        let mut out = String::new();
        let mut ok = true;
        for p in parts {
            match p {
                StrPart::Text(t) => out.push_str(t),
                StrPart::Interp(name, span) => match self.lets.get(name).map(|e| e.kind.clone()) {
                    Some(ExprKind::Str(inner)) => {
                        for q in inner {
                            if let StrPart::Text(t) = q {
                                out.push_str(&t);
                            }
                        }
                    }
                    Some(_) => {
                        self.push(
                            Diagnostic::new(
                                Code::TypeMismatch,
                                *span,
                                format!("`{name}` is not a string"),
                            )
                            .label("only string values can be interpolated"),
                        );
                        ok = false;
                    }
                    None => {
                        self.undefined(name, *span);
                        ok = false;
                    }
                },
            }
        }
        ok.then_some(out)
    }

    fn string(&mut self, e: &Expr) -> Option<(String, Span)> {
        let span = e.span;
        let target = self.deref(e).clone();
        match &target.kind {
            ExprKind::Str(parts) => self.interpolate(parts).map(|s| (s, span)),
            ExprKind::Ident(name) => {
                self.undefined(name, span);
                None
            }
            _ => {
                self.type_error(e, "a string");
                None
            }
        }
    }

    fn bool(&mut self, e: &Expr) -> Option<(bool, Span)> {
        match self.deref(e).kind {
            ExprKind::Bool(b) => Some((b, e.span)),
            _ => {
                self.type_error(e, "`true` or `false`");
                None
            }
        }
    }

    fn number(&mut self, e: &Expr, min: u64, max: u64, what: &str) -> Option<u64> {
        match self.deref(e).kind {
            ExprKind::Number(n) if (min..=max).contains(&n) => Some(n),
            ExprKind::Number(n) => {
                self.push(
                    Diagnostic::new(
                        Code::InvalidNumberRange,
                        e.span,
                        format!("{what} {n} is out of range"),
                    )
                    .label(format!("allowed: {min} to {max}"))
                    .help(format!("write a number from {min} to {max}")),
                );
                None
            }
            _ => {
                self.type_error(e, "a number");
                None
            }
        }
    }

    fn list(&mut self, e: &Expr) -> Option<Vec<Expr>> {
        match &self.deref(e).kind {
            ExprKind::List(items) => Some(items.clone()),
            _ => {
                self.type_error(e, "a list `[...]`");
                None
            }
        }
    }

    /// A value from a closed set, written as a bare name or a string.
    fn choice<T: Copy>(&mut self, e: &Expr, table: &[(&'static str, T)], what: &str) -> Option<T> {
        let word = match &e.kind {
            _ if self.refused(e) => return None,
            ExprKind::Ident(w) => w.clone(),
            ExprKind::Str(parts) => self.interpolate(parts)?,
            _ => {
                self.type_error(e, &format!("{what} ({})", list_words(&names(table))));
                return None;
            }
        };
        if let Some((_, v)) = table.iter().find(|(n, _)| n.eq_ignore_ascii_case(&word)) {
            return Some(*v);
        }
        let allowed = names(table);
        let mut d = Diagnostic::new(
            Code::InvalidEnumValue,
            e.span,
            format!("`{word}` is not a valid {what}"),
        )
        .label(format!("expected {}", list_words(&allowed)))
        .suggest(&word, allowed.iter().copied())
        .note(format!("{what} is one of {}", list_words(&allowed)));
        if matches!(e.kind, ExprKind::Ident(_)) && self.lets.contains_key(&word) {
            d = d.help(format!(
                "`{word}` is a `let`, but keyword settings do not look up `let`s: write the keyword itself, or interpolate a string `let`: `\"${{{word}}}\"`"
            ));
        }
        self.push(d);
        None
    }

    fn resource_id(&mut self, e: &Expr, expected_type: Option<&str>) -> Option<(ResourceId, Span)> {
        let (text, span) = self.string(e)?;
        match ResourceId::parse(&text) {
            Ok(id) => {
                if let Some(t) = expected_type
                    && !id.is_type(t)
                {
                    self.push(
                        Diagnostic::new(
                            Code::WrongResourceType,
                            span,
                            format!("expected a `{t}` id, found a `{}`", id.arm_type()),
                        )
                        .label(format!("should be a `{t}`"))
                        .help(wrong_type_help(t, &id.arm_type())),
                    );
                    return None;
                }
                Some((id, span))
            }
            Err(msg) => {
                self.push(
                    Diagnostic::new(Code::InvalidResourceId, span, "malformed resource id")
                        .label(msg)
                        .help("copy the id from the resource's JSON View in the portal, or from `az resource show ... --query id`"),
                );
                None
            }
        }
    }

    fn guid(&mut self, e: &Expr) -> Option<(Guid, Span)> {
        let (text, span) = self.string(e)?;
        match Guid::parse(&text) {
            Ok(g) => Some((g, span)),
            Err(msg) => {
                self.push(
                    Diagnostic::new(Code::InvalidGuid, span, "malformed GUID")
                        .label(msg)
                        .help("copy the id rather than a display name: `az account show --query id` for a subscription, `az ad group show --group <name> --query id` for a group"),
                );
                None
            }
        }
    }

    fn arm_name(&mut self, e: &Expr, what: &str) -> Option<(ArmName, Span)> {
        let (text, span) = self.string(e)?;
        match ArmName::parse(&text, what) {
            Ok(n) => Some((n, span)),
            Err(msg) => {
                if let Some(d) = non_ascii_name(self.written(e), &text, span, what, &msg, |f| {
                    ArmName::parse(f, what).is_ok()
                }) {
                    let d = if d.help.is_empty() {
                        d.help("rename it with 3 to 33 ASCII letters, digits, `_` and `-`")
                    } else {
                        d
                    };
                    self.push(d);
                    return None;
                }
                let fixed: String = text
                    .trim_start_matches(|c: char| !c.is_ascii_alphanumeric())
                    .chars()
                    .map(|c| {
                        if c.is_ascii_alphanumeric() || c == '_' {
                            c
                        } else {
                            '-'
                        }
                    })
                    .collect();
                let help = if ArmName::parse(&fixed, what).is_ok() {
                    format!("did you mean `{fixed}`?")
                } else {
                    "rename it with 3 to 33 letters, digits, `_` and `-`".to_string()
                };
                self.push(
                    Diagnostic::new(Code::InvalidName, span, format!("invalid {what} name"))
                        .label(msg)
                        .help(help),
                );
                None
            }
        }
    }

    fn region(&mut self, e: &Expr, cloud: Cloud) -> Option<(Region, Span)> {
        let (text, span) = self.string(e)?;
        let list = match cloud {
            Cloud::Public => regions::PUBLIC_REGIONS,
            Cloud::UsGov => regions::USGOV_REGIONS,
            Cloud::China => regions::CHINA_REGIONS,
        };
        let norm = text.to_ascii_lowercase().replace(' ', "");
        if list.contains(&norm.as_str()) {
            return Some((Region(norm), span));
        }
        let other = [
            ("public", regions::PUBLIC_REGIONS),
            ("usgov", regions::USGOV_REGIONS),
            ("china", regions::CHINA_REGIONS),
        ]
        .iter()
        .find(|(_, l)| l.contains(&norm.as_str()))
        .map(|(c, _)| *c);
        let d = Diagnostic::new(
            Code::InvalidRegion,
            span,
            format!(
                "`{text}` is not an Azure region of the `{}` cloud",
                Cloud::ALL
                    .iter()
                    .find(|(_, c)| *c == cloud)
                    .map_or("public", |(n, _)| *n)
            ),
        )
        .label("unknown region");
        let d = match other {
            Some(c) => d
                .note(format!("`{norm}` is a region of the `{c}` cloud"))
                .help(format!(
                    "set `cloud = {c}` to match, or choose another region"
                )),
            None => d.suggest(&norm, list.iter().copied()).help(
                "regions are written as Azure's programmatic names, e.g. `westeurope`, `eastus2`",
            ),
        };
        self.push(d);
        None
    }

    fn tags(&mut self, e: &Expr) -> BTreeMap<String, (String, TagSpan)> {
        let mut out = BTreeMap::new();
        let value = self.deref(e).clone();
        let ExprKind::Map(items) = &value.kind else {
            self.type_error(e, "a map `{ name = \"value\" }`");
            return out;
        };
        for (k, v) in items {
            if let Some((s, at)) = self.string(v)
                && out
                    .insert(
                        k.text.clone(),
                        (
                            s,
                            TagSpan {
                                name: k.span,
                                value: at,
                            },
                        ),
                    )
                    .is_some()
            {
                self.push(
                    Diagnostic::new(
                        Code::DuplicateSetting,
                        k.span,
                        format!("tag `{}` is set twice", k.text),
                    )
                    .label("set again here"),
                );
            }
        }
        out
    }

    // ----- files --------------------------------------------------------

    fn file(&mut self, file: &File, posture: &mut Posture) {
        let mut defaults: Option<(Defaults, Span)> = None;
        let mut policy_names: HashMap<String, Span> = HashMap::new();
        for e in &file.entries {
            if let Entry::Let { name, .. } = e {
                self.let_spans.entry(name.name.clone()).or_insert(name.span);
            }
        }
        // Lets first, in order: a let may use only the lets before it.
        let mut let_names: HashMap<&str, Span> = HashMap::new();
        for e in &file.entries {
            if let Entry::Let { name, value } = e {
                if let Some(first) = let_names.get(name.name.as_str()) {
                    self.push(
                        Diagnostic::new(
                            Code::DuplicateName,
                            name.span,
                            format!("`{}` is defined twice", name.name),
                        )
                        .label("defined again here")
                        .with_label(*first, "first defined here")
                        .help("give each `let` its own name"),
                    );
                    continue;
                }
                let_names.insert(&name.name, name.span);
                // Measured before it is expanded: a let past the limits is
                // never built (each doubling `let` would double memory).
                let x = limits::extent(value, &self.let_extents);
                if x.size > limits::MAX_LET_SIZE || x.depth > limits::MAX_DEPTH {
                    self.push(too_large(name, value, x));
                    continue;
                }
                if let Some(v) = self.resolve_let(value) {
                    if matches!(&value.kind, ExprKind::Str(p) if p.iter().all(|x| matches!(x, StrPart::Text(_))))
                    {
                        self.literal_lets.insert(name.name.clone());
                    }
                    self.lets.insert(name.name.clone(), v);
                    self.let_extents.insert(name.name.clone(), x);
                }
            }
        }
        if let Some((name, span)) = limits::overuse(&file.entries, &self.let_extents, self.expanded)
        {
            self.push(
                Diagnostic::new(
                    Code::ExpansionLimit,
                    span,
                    "the lets used in this build expand to too much text",
                )
                .label(format!(
                    "this use of `{name}` takes them past {} MiB",
                    limits::MAX_EXPANSION >> 20
                ))
                .note("the rest of this file is not read")
                .help("use large lets fewer times, or split the fleet into several builds"),
            );
            return;
        }
        for e in &file.entries {
            match e {
                Entry::Let { .. } => {}
                Entry::Attr { key, .. } => {
                    self.push(
                        Diagnostic::new(Code::UnknownSetting, key.span, format!("`{}` cannot be set at the top of a file", key.name))
                            .label("top-level setting")
                            .help("top-level entries are `let`, `defaults { }`, `workspace \"name\" { }` and `policy \"name\" { }`; put settings shared by all workspaces in `defaults { }`"),
                    );
                }
                Entry::Stmt(s) => match s.head.name.as_str() {
                    "defaults" => {
                        if let Some((_, first)) = &defaults {
                            self.push(
                                Diagnostic::new(
                                    Code::DuplicateSetting,
                                    s.head.span,
                                    "a second `defaults` block",
                                )
                                .label("second block")
                                .with_label(*first, "first block here")
                                .help("merge them into one `defaults` block"),
                            );
                        } else {
                            let d = self.defaults(s);
                            defaults = Some((d, s.head.span));
                        }
                    }
                    "workspace" => {}
                    "policy" => {
                        if let Some(p) = self.policy(s) {
                            let key = p.name.as_str().to_ascii_lowercase();
                            if let Some(first) = policy_names.get(&key) {
                                self.push(
                                    Diagnostic::new(
                                        Code::DuplicateName,
                                        p.span,
                                        format!("policy `{}` is declared twice", p.name),
                                    )
                                    .label("second declaration")
                                    .with_label(*first, "first declared here"),
                                );
                            } else {
                                policy_names.insert(key, p.span);
                                posture.policies.push(p);
                            }
                        }
                    }
                    _ => self.unknown(
                        &s.head,
                        "a posture file",
                        &["let", "defaults", "workspace", "policy"],
                    ),
                },
            }
        }
        let defaults = defaults.map(|(d, _)| d).unwrap_or_default();
        for e in &file.entries {
            if let Entry::Stmt(s) = e
                && s.head.name == "workspace"
                && let Some(ws) = self.workspace(s, &defaults)
            {
                posture.workspaces.push(ws);
            }
        }
    }

    /// Resolves a let's value: interpolations and references to earlier lets.
    fn resolve_let(&mut self, e: &Expr) -> Option<Expr> {
        let kind = match &e.kind {
            ExprKind::Str(parts) => ExprKind::Str(vec![StrPart::Text(self.interpolate(parts)?)]),
            ExprKind::Ident(n) => match self.lets.get(n) {
                Some(v) => v.kind.clone(),
                // A let's name, but not (yet) a value: defined below, or
                // refused. Kept as a name, it would be reported at every
                // use of this let instead of here.
                None if self.let_spans.contains_key(n) => {
                    self.undefined(n, e.span);
                    return None;
                }
                None => ExprKind::Ident(n.clone()),
            },
            ExprKind::List(items) => {
                let mut out = Vec::new();
                for i in items {
                    out.push(self.resolve_let(i)?);
                }
                ExprKind::List(out)
            }
            other => other.clone(),
        };
        Some(Expr { kind, span: e.span })
    }

    fn defaults(&mut self, s: &Stmt) -> Defaults {
        let entries = self.plain_body(s);
        let b = self.block(
            entries,
            "`defaults`",
            &[
                "cloud",
                "region",
                "profile",
                "resource_group",
                "subscription_id",
                "tags",
            ],
            &[],
        );
        let mut d = Defaults::default();
        if let Some((_, e)) = b.attrs.get("cloud") {
            d.cloud = self.choice(e, Cloud::ALL, "cloud").map(|c| (c, e.span));
        }
        let cloud = d.cloud.map_or(Cloud::Public, |(c, _)| c);
        if let Some((_, e)) = b.attrs.get("region") {
            d.region = self.region(e, cloud);
        }
        if let Some((_, e)) = b.attrs.get("profile") {
            d.profile = self.choice(e, Profile::ALL, "profile").map(|p| (p, e.span));
        }
        if let Some((_, e)) = b.attrs.get("resource_group") {
            d.resource_group = self.resource_group(e);
        }
        if let Some((_, e)) = b.attrs.get("subscription_id") {
            d.subscription_id = self.guid(e);
        }
        if let Some((_, e)) = b.attrs.get("tags") {
            d.tags = self.tags(e);
        }
        d
    }

    fn resource_group(&mut self, e: &Expr) -> Option<(ResourceGroupName, Span)> {
        let (text, span) = self.string(e)?;
        let valid = |f: &str| ResourceGroupName::parse(f).is_ok();
        match ResourceGroupName::parse(&text) {
            // Azure accepts letters of any script in a resource group name,
            // so `rg-dеmo` with a Cyrillic `е` is a valid group: a different
            // one from the `rg-demo` it looks like, which a reviewer cannot
            // tell apart. Microsoft's naming rules are silent on look-alikes;
            // refusing a name that mixes ASCII letters with look-alikes is
            // the shape that cannot deploy into the wrong group.
            Ok(_) if suggest::mixes_look_alikes(&text) => {
                let d = non_ascii_name(
                    self.written(e),
                    &text,
                    span,
                    "resource group",
                    MIXED_SCRIPT,
                    valid,
                )?;
                self.push(d.note(ACCEPTED_BUT_OTHER));
                None
            }
            Ok(n) => Some((n, span)),
            Err(msg) => {
                if let Some(d) =
                    non_ascii_name(self.written(e), &text, span, "resource group", &msg, valid)
                {
                    let d = if d.help.is_empty() {
                        d.help("use 1 to 90 letters, digits, `_`, `-`, `.`, `(` and `)`, e.g. `rg-ml-prod`")
                    } else {
                        d
                    };
                    self.push(d);
                    return None;
                }
                let fixed = text.trim_end_matches('.');
                let help = if fixed != text && ResourceGroupName::parse(fixed).is_ok() {
                    format!("did you mean `{fixed}`?")
                } else {
                    "use 1 to 90 letters, digits, `_`, `-`, `.`, `(` and `)`, e.g. `rg-ml-prod`"
                        .to_string()
                };
                self.push(
                    Diagnostic::new(Code::InvalidName, span, "invalid resource group name")
                        .label(msg)
                        .help(help),
                );
                None
            }
        }
    }

    /// The single string label of a labelled block (`workspace "name"`).
    fn label<'e>(&mut self, s: &'e Stmt, what: &str) -> Option<&'e Expr> {
        match s.args.as_slice() {
            [one] => Some(one),
            [] => {
                self.push(
                    Diagnostic::new(
                        Code::MissingSetting,
                        s.head.span,
                        format!("`{}` needs a name", s.head.name),
                    )
                    .label("no name given")
                    .help(format!("write `{} \"{what}-name\" {{ ... }}`", s.head.name)),
                );
                None
            }
            [_, extra, ..] => {
                self.push(
                    Diagnostic::new(
                        Code::UnexpectedToken,
                        extra.span,
                        format!("`{}` takes one name", s.head.name),
                    )
                    .label("unexpected")
                    .help(format!("write `{} \"{what}-name\" {{ ... }}`", s.head.name)),
                );
                Some(&s.args[0])
            }
        }
    }

    // ----- workspaces ---------------------------------------------------

    fn workspace(&mut self, s: &Stmt, defaults: &Defaults) -> Option<Workspace> {
        let name_expr = self.label(s, "workspace")?;
        let name = self.arm_name(name_expr, "workspace");
        let entries: &[Entry] = match &s.body {
            Some(b) => &b.entries,
            None => {
                self.push(
                    Diagnostic::new(Code::UnexpectedToken, s.span, "`workspace` needs a body")
                        .label("expected `{` after this")
                        .help("write `workspace \"name\" { ... }`"),
                );
                &[]
            }
        };
        let b = self.block(
            entries,
            "`workspace`",
            &[
                "cloud",
                "identity",
                "region",
                "profile",
                "resource_group",
                "resource_group_lock",
                "sensitive",
                "subscription_id",
                "tags",
            ],
            &[
                "access",
                "app_insights",
                "compute",
                "container_registry",
                "inbound",
                "key_vault",
                "online_endpoint",
                "outbound",
                "storage",
            ],
        );
        let span = s.head.span.to(name_expr.span);

        // Cloud, then region.
        let cloud = match b.attrs.get("cloud") {
            Some((_, e)) => self
                .choice(e, Cloud::ALL, "cloud")
                .map(|c| Setting::new(c, Source::Explicit(e.span))),
            None => Some(match defaults.cloud {
                Some((c, sp)) => Setting::new(c, Source::Defaults(sp)),
                None => Setting::new(Cloud::Public, Source::SecureDefault),
            }),
        };
        let cloud_value = cloud.as_ref().map_or(Cloud::Public, |c| c.value);
        let region = match b.attrs.get("region") {
            Some((_, e)) => self
                .region(e, cloud_value)
                .map(|(r, sp)| Setting::new(r, Source::Explicit(sp))),
            None => match &defaults.region {
                Some((r, sp)) => Some(Setting::new(r.clone(), Source::Defaults(*sp))),
                None => {
                    self.push(
                        Diagnostic::new(Code::MissingSetting, span, "workspace has no `region`")
                            .label("set `region` here or in `defaults`")
                            .help("add `region = \"westeurope\"` (or the region you deploy to) to the workspace or to `defaults { }`"),
                    );
                    None
                }
            },
        };
        let resource_group = match b.attrs.get("resource_group") {
            Some((_, e)) => self
                .resource_group(e)
                .map(|(r, sp)| Setting::new(r, Source::Explicit(sp))),
            None => match &defaults.resource_group {
                Some((r, sp)) => Some(Setting::new(r.clone(), Source::Defaults(*sp))),
                None => {
                    self.push(
                        Diagnostic::new(Code::MissingSetting, span, "workspace has no `resource_group`")
                            .label("set `resource_group` here or in `defaults`")
                            .help("add `resource_group = \"rg-ml\"` to the workspace or to `defaults { }`"),
                    );
                    None
                }
            },
        };
        let subscription_id = match b.attrs.get("subscription_id") {
            Some((_, e)) => self.guid(e).map(|(g, _)| g),
            None => defaults.subscription_id.as_ref().map(|(g, _)| g.clone()),
        };
        let mut tagged = defaults.tags.clone();
        if let Some((_, e)) = b.attrs.get("tags") {
            tagged.extend(self.tags(e));
        }
        let tags = tagged
            .iter()
            .map(|(k, (v, _))| (k.clone(), v.clone()))
            .collect();
        let tag_spans = tagged.into_iter().map(|(k, (_, at))| (k, at)).collect();
        let profile = match b.attrs.get("profile") {
            Some((_, e)) => self
                .choice(e, Profile::ALL, "profile")
                .map(|p| Setting::new(p, Source::Explicit(e.span))),
            None => defaults
                .profile
                .map(|(p, sp)| Setting::new(p, Source::Defaults(sp))),
        };
        let pv = profile.as_ref().map(|p| p.value);
        let from_profile = |secure: Source| pv.map_or(secure, Source::Profile);

        let sensitive = match b.attrs.get("sensitive") {
            Some((_, e)) => self
                .bool(e)
                .map(|(v, sp)| Setting::new(v, Source::Explicit(sp))),
            None => None,
        }
        .unwrap_or_else(|| {
            Setting::new(
                pv != Some(Profile::PublicData),
                from_profile(Source::SecureDefault),
            )
        });

        let identity = match b.attrs.get("identity") {
            Some((_, e)) => self.identity(e),
            None => Identity::SystemAssigned,
        };
        let resource_group_lock = match b.attrs.get("resource_group_lock") {
            Some((_, e)) => self
                .choice(
                    e,
                    &[
                        ("none", Lock::None),
                        ("can_not_delete", Lock::CanNotDelete),
                        ("read_only", Lock::ReadOnly),
                    ],
                    "lock",
                )
                .map(|l| Setting::new(l, Source::Explicit(e.span))),
            None => None,
        }
        .unwrap_or(Setting::new(Lock::None, Source::SecureDefault));

        let ctx = WsCtx {
            profile: pv,
            cloud: cloud_value,
        };
        let storage_stmt = self.single(&b, "storage", "a workspace");
        let storage = self.storage(storage_stmt, &ctx);
        let kv_stmt = self.single(&b, "key_vault", "a workspace");
        let key_vault = self.key_vault(kv_stmt, &ctx);
        let acr_stmt = self.single(&b, "container_registry", "a workspace");
        let container_registry = self.container_registry(acr_stmt, &ctx);
        let ai_stmt = self.single(&b, "app_insights", "a workspace");
        let app_insights = self.app_insights(ai_stmt);
        let outbound_stmt = self.single(&b, "outbound", "a workspace");
        let mut outbound = self.outbound(
            outbound_stmt,
            &ctx,
            name.as_ref().map(|(n, _)| n),
            region.as_ref(),
        );
        let custom_vnet = outbound.custom_requested;
        let spoke_created = matches!(
            outbound.spoke,
            Some(Spoke {
                vnet: SpokeVnet::Create { .. },
                ..
            })
        );
        let inbound_stmt = self.single(&b, "inbound", "a workspace");
        let mut inbound = self.inbound(
            inbound_stmt,
            &ctx,
            &storage,
            &key_vault,
            &container_registry,
            (custom_vnet, spoke_created),
        );
        if custom_vnet && inbound.private_endpoint.is_none() {
            // Compute in the spoke reaches the workspace and its private
            // resources through private endpoints in the `pe` subnet.
            let at = outbound.spoke.as_ref().map_or(span, |s| s.span);
            inbound.private_endpoint = Some(ClientPrivateEndpoint {
                subnet: PeSubnet::Spoke,
                dns: Dns::Create,
                custom_dns: false,
                targets: Setting::new(
                    default_endpoints(&storage, &key_vault, &container_registry, true),
                    Source::SecureDefault,
                ),
                resource_group: None,
                region: None,
                link_zones: None,
                span: at,
            });
        }
        if let PublicNetworkAccess::SelectedIps(_) = inbound.public_network_access.value
            && outbound.mode.value == IsolationMode::AllowInternetOutbound
        {
            // Selected-IP inbound: compute in the managed network reaches the
            // workspace through a private endpoint rule (a second deployment
            // phase). In approved-outbound mode the platform creates that
            // rule itself (R14), so it is added only in internet mode.
            let at = inbound.public_network_access.span().unwrap_or(span);
            outbound.rules.push(OutboundRule {
                name: ArmName::parse("selected-ips-workspace", "rule")
                    .expect("valid constant name"),
                destination: Destination::PrivateEndpoint {
                    target: PeTarget::ThisWorkspace,
                    subresource: "amlworkspace".into(),
                    spark: false,
                },
                origin: RuleOrigin::Preset(Preset::SelectedIps, at),
                span: at,
                fqdn_ports: None,
            });
            outbound.presets.push((Preset::SelectedIps, at));
        }
        let (compute, computes) = self.computes(&b, &ctx, cloud_value);
        let online_endpoints = self.online_endpoints(&b);
        let access = match self.single(&b, "access", "a workspace") {
            Some(a) => self.access(a),
            None => Vec::new(),
        };
        Some(Workspace {
            name: name?.0,
            span,
            resource_group: resource_group?,
            subscription_id,
            region: region?,
            cloud: cloud?,
            tags,
            tag_spans,
            profile,
            sensitive,
            identity,
            resource_group_lock,
            inbound,
            outbound,
            storage,
            key_vault,
            container_registry,
            app_insights,
            compute,
            computes,
            online_endpoints,
            access,
        })
    }

    fn identity(&mut self, e: &Expr) -> Identity {
        if let ExprKind::Tagged(tag, inner) = &e.kind
            && tag.name == "user_assigned"
        {
            return match self.resource_id(
                inner,
                Some("Microsoft.ManagedIdentity/userAssignedIdentities"),
            ) {
                Some((id, _)) => Identity::UserAssigned(id),
                None => Identity::SystemAssigned,
            };
        }
        if let ExprKind::Ident(n) = &e.kind
            && n == "system_assigned"
        {
            return Identity::SystemAssigned;
        }
        self.push(
            Diagnostic::new(Code::InvalidEnumValue, e.span, "invalid identity")
                .label("expected `system_assigned` or `user_assigned \"<identity resource id>\"`")
                .help("write `identity = system_assigned` or `identity = user_assigned \"/subscriptions/.../userAssignedIdentities/id-ml\"`"),
        );
        Identity::SystemAssigned
    }

    fn access_setting(
        &mut self,
        b: &Block,
        key: &str,
        default: Access,
        source: Source,
    ) -> Setting<Access> {
        match b.attrs.get(key) {
            Some((_, e)) => match self.choice(
                e,
                &[("enabled", Access::Enabled), ("disabled", Access::Disabled)],
                "public network access",
            ) {
                Some(v) => Setting::new(v, Source::Explicit(e.span)),
                None => Setting::new(default, source),
            },
            None => Setting::new(default, source),
        }
    }

    fn bool_setting(
        &mut self,
        b: &Block,
        key: &str,
        default: bool,
        source: Source,
    ) -> Setting<bool> {
        match b.attrs.get(key) {
            Some((_, e)) => match self.bool(e) {
                Some((v, sp)) => Setting::new(v, Source::Explicit(sp)),
                None => Setting::new(default, source),
            },
            None => Setting::new(default, source),
        }
    }

    fn provision(&mut self, b: &Block, arm_type: &str) -> Provision {
        match b.attrs.get("existing") {
            Some((_, e)) => match self.resource_id(e, Some(arm_type)) {
                Some((id, _)) => Provision::Existing(id),
                None => Provision::Create,
            },
            None => Provision::Create,
        }
    }

    fn entries_of<'a>(&mut self, s: Option<&'a Stmt>) -> &'a [Entry] {
        match s {
            Some(s) => self.plain_body(s),
            None => &[],
        }
    }

    fn storage(&mut self, s: Option<&Stmt>, ctx: &WsCtx) -> Storage {
        let entries = self.entries_of(s);
        let b = self.block(
            entries,
            "`storage`",
            &[
                "data_profiling",
                "existing",
                "public_network_access",
                "resource_instance_rule",
                "service_endpoint",
                "trusted_services",
            ],
            &[],
        );
        let (private, source) = ctx.resources_private();
        Storage {
            provision: self.provision(&b, "Microsoft.Storage/storageAccounts"),
            public_network_access: self.access_setting(
                &b,
                "public_network_access",
                private,
                source,
            ),
            trusted_services: self.bool_setting(
                &b,
                "trusted_services",
                true,
                Source::SecureDefault,
            ),
            resource_instance_rule: self.bool_setting(
                &b,
                "resource_instance_rule",
                true,
                Source::SecureDefault,
            ),
            service_endpoint: self.bool_setting(
                &b,
                "service_endpoint",
                false,
                Source::SecureDefault,
            ),
            data_profiling: self.bool_setting(&b, "data_profiling", false, Source::SecureDefault),
            span: s.map(|s| s.head.span),
        }
    }

    fn key_vault(&mut self, s: Option<&Stmt>, ctx: &WsCtx) -> KeyVault {
        let entries = self.entries_of(s);
        let b = self.block(
            entries,
            "`key_vault`",
            &[
                "existing",
                "public_network_access",
                "purge_protection",
                "trusted_services",
            ],
            &[],
        );
        let (private, source) = ctx.resources_private();
        KeyVault {
            provision: self.provision(&b, "Microsoft.KeyVault/vaults"),
            public_network_access: self.access_setting(
                &b,
                "public_network_access",
                private,
                source,
            ),
            trusted_services: self.bool_setting(
                &b,
                "trusted_services",
                true,
                Source::SecureDefault,
            ),
            purge_protection: self.bool_setting(
                &b,
                "purge_protection",
                true,
                Source::SecureDefault,
            ),
            span: s.map(|s| s.head.span),
        }
    }

    fn container_registry(&mut self, s: Option<&Stmt>, ctx: &WsCtx) -> ContainerRegistry {
        let entries = self.entries_of(s);
        let b = self.block(
            entries,
            "`container_registry`",
            &[
                "existing",
                "image_build_compute",
                "public_network_access",
                "sku",
                "trusted_services",
            ],
            &[],
        );
        let (private, source) = ctx.resources_private();
        let public_network_access =
            self.access_setting(&b, "public_network_access", private, source);
        let sku = match b.attrs.get("sku") {
            Some((_, e)) => self
                .choice(e, RegistrySku::ALL, "container registry SKU")
                .map(|v| Setting::new(v, Source::Explicit(e.span))),
            None => None,
        }
        .unwrap_or_else(|| {
            // Private endpoints to a registry need the Premium tier.
            let sku = if public_network_access.value == Access::Disabled {
                RegistrySku::Premium
            } else {
                RegistrySku::Standard
            };
            Setting::new(sku, Source::SecureDefault)
        });
        let image_build_compute = match b.attrs.get("image_build_compute") {
            Some((_, e)) => self.string(e),
            None => None,
        };
        ContainerRegistry {
            provision: self.provision(&b, "Microsoft.ContainerRegistry/registries"),
            sku,
            public_network_access,
            trusted_services: self.bool_setting(
                &b,
                "trusted_services",
                true,
                Source::SecureDefault,
            ),
            image_build_compute,
            span: s.map(|s| s.head.span),
        }
    }

    fn app_insights(&mut self, s: Option<&Stmt>) -> AppInsights {
        let entries = self.entries_of(s);
        let b = self.block(
            entries,
            "`app_insights`",
            &["existing", "log_analytics"],
            &[],
        );
        let log_analytics = match b.attrs.get("log_analytics") {
            Some((_, e)) => self
                .resource_id(e, Some("Microsoft.OperationalInsights/workspaces"))
                .map(|(id, _)| id),
            None => None,
        };
        AppInsights {
            provision: self.provision(&b, "Microsoft.Insights/components"),
            log_analytics,
            span: s.map(|s| s.head.span),
        }
    }

    fn inbound(
        &mut self,
        s: Option<&Stmt>,
        ctx: &WsCtx,
        storage: &Storage,
        kv: &KeyVault,
        acr: &ContainerRegistry,
        (custom_vnet, spoke_created): (bool, bool),
    ) -> Inbound {
        let entries = self.entries_of(s);
        let b = self.block(
            entries,
            "`inbound`",
            &["allowed_ips", "public_network_access"],
            &["private_endpoint"],
        );
        let default_pna = if ctx.profile == Some(Profile::PublicData) {
            PublicNetworkAccess::Enabled
        } else {
            PublicNetworkAccess::Disabled
        };
        let default_source = ctx.profile.map_or(Source::SecureDefault, Source::Profile);
        let mode = b.attrs.get("public_network_access").and_then(|(_, e)| {
            self.choice(
                e,
                &[("enabled", 0u8), ("disabled", 1), ("selected_ips", 2)],
                "public network access",
            )
            .map(|m| (m, e.span))
        });
        let ips = b
            .attrs
            .get("allowed_ips")
            .map(|(k, e)| (k.span, self.ips(e)));
        let public_network_access = match (mode, ips) {
            (Some((2, sp)), Some((_, list))) => {
                Setting::new(PublicNetworkAccess::SelectedIps(list), Source::Explicit(sp))
            }
            // An absent list is an empty one: the checker refuses both
            // (`check::inbound::selected_ips`).
            (Some((2, sp)), None) => Setting::new(
                PublicNetworkAccess::SelectedIps(Vec::new()),
                Source::Explicit(sp),
            ),
            (m, Some((ksp, _))) => {
                self.push(
                    Diagnostic::new(
                        Code::PublicAccessSettings,
                        ksp,
                        "`allowed_ips` only applies with `public_network_access = selected_ips`",
                    )
                    .label("ignored by the other modes")
                    .help("set `public_network_access = selected_ips`, or remove `allowed_ips`"),
                );
                match m {
                    Some((0, sp)) => {
                        Setting::new(PublicNetworkAccess::Enabled, Source::Explicit(sp))
                    }
                    Some((_, sp)) => {
                        Setting::new(PublicNetworkAccess::Disabled, Source::Explicit(sp))
                    }
                    None => Setting::new(default_pna, default_source),
                }
            }
            (Some((0, sp)), None) => {
                Setting::new(PublicNetworkAccess::Enabled, Source::Explicit(sp))
            }
            (Some((_, sp)), None) => {
                Setting::new(PublicNetworkAccess::Disabled, Source::Explicit(sp))
            }
            (None, None) => Setting::new(default_pna, default_source),
        };
        let private_endpoint = self
            .single(&b, "private_endpoint", "`inbound`")
            .and_then(|pe| {
                self.client_endpoint(
                    pe,
                    storage,
                    kv,
                    acr,
                    (custom_vnet, spoke_created, ctx.cloud),
                )
            });
        Inbound {
            public_network_access,
            private_endpoint,
        }
    }

    fn ips(&mut self, e: &Expr) -> Vec<Ipv4Net> {
        let mut out = Vec::new();
        for item in self.list(e).unwrap_or_default() {
            if let Some((text, span)) = self.string(&item) {
                match Ipv4Net::parse(&text) {
                    Ok(ip) => out.push(ip),
                    Err(msg) if msg.contains("IPv6") => self.push(
                        Diagnostic::new(
                            Code::PublicAccessSettings,
                            span,
                            "IPv6 is not supported in the workspace IP allowlist",
                        )
                        .label(msg)
                        .help("only IPv4 addresses and ranges are supported"),
                    ),
                    Err(msg) => self.push(
                        Diagnostic::new(
                            Code::InvalidIpRange,
                            span,
                            "malformed IPv4 address or range",
                        )
                        .label(msg)
                        .help("write an IPv4 address like `203.0.113.7` or a range like `203.0.113.0/24`"),
                    ),
                }
            }
        }
        out
    }

    fn client_endpoint(
        &mut self,
        s: &Stmt,
        storage: &Storage,
        kv: &KeyVault,
        acr: &ContainerRegistry,
        (custom_vnet, spoke_created, cloud): (bool, bool, Cloud),
    ) -> Option<ClientPrivateEndpoint> {
        let entries = self.plain_body(s);
        let b = self.block(
            entries,
            "`private_endpoint`",
            &[
                "custom_dns",
                "dns",
                "link_zones",
                "region",
                "resource_group",
                "resources",
                "subnet",
            ],
            &[],
        );
        let subnet = match b.attrs.get("subnet") {
            Some((_, e)) => self
                .resource_id(e, Some("Microsoft.Network/virtualNetworks/subnets"))
                .map(|(id, _)| PeSubnet::Id(id)),
            None if custom_vnet => Some(PeSubnet::Spoke),
            None => {
                self.push(
                    Diagnostic::new(Code::MissingSetting, s.head.span, "the private endpoint has no `subnet`")
                        .label("which client subnet?")
                        .help("add `subnet = \"/subscriptions/.../virtualNetworks/vnet/subnets/snet-pe\"`"),
                );
                None
            }
        };
        let dns = match b.attrs.get("dns") {
            Some((_, e)) => match &self.deref(e).kind {
                ExprKind::Ident(w) if w == "create" => Dns::Create,
                ExprKind::List(_) => {
                    let mut zones = Vec::new();
                    for item in self.list(e).unwrap_or_default() {
                        if let Some((id, _)) =
                            self.resource_id(&item, Some("Microsoft.Network/privateDnsZones"))
                        {
                            zones.push(id);
                        }
                    }
                    Dns::Existing(zones)
                }
                _ => {
                    self.push(
                        Diagnostic::new(Code::InvalidEnumValue, e.span, "invalid `dns`")
                            .label("expected `create` or a list of existing private DNS zone ids")
                            .help("write `dns = create`, or `dns = [\"/subscriptions/.../privateDnsZones/privatelink.api.azureml.ms\", ...]`"),
                    );
                    Dns::Create
                }
            },
            None => Dns::Create,
        };
        let custom_dns = match b.attrs.get("custom_dns") {
            Some((_, e)) => self.bool(e).is_some_and(|(v, _)| v),
            None => false,
        };
        let targets = match b.attrs.get("resources") {
            Some((_, e)) => {
                let mut out = Vec::new();
                for item in self.list(e).unwrap_or_default() {
                    if let Some(t) =
                        self.choice(&item, ClientEndpoint::ALL, "private endpoint resource")
                        && !out.contains(&t)
                    {
                        out.push(t);
                    }
                }
                out.sort();
                Setting::new(out, Source::Explicit(e.span))
            }
            None => Setting::new(
                default_endpoints(storage, kv, acr, custom_vnet),
                Source::SecureDefault,
            ),
        };
        let placement = self.client_placement(&b, subnet.as_ref(), &dns, cloud, spoke_created);
        Some(ClientPrivateEndpoint {
            subnet: subnet?,
            dns,
            custom_dns,
            targets,
            resource_group: placement.resource_group,
            region: placement.region,
            link_zones: placement.link_zones,
            span: s.head.span,
        })
    }

    // ----- outbound -----------------------------------------------------

    fn outbound(
        &mut self,
        s: Option<&Stmt>,
        ctx: &WsCtx,
        ws_name: Option<&ArmName>,
        region: Option<&Setting<Region>>,
    ) -> Outbound {
        let entries = self.entries_of(s);
        let b = self.block(
            entries,
            "`outbound`",
            &["firewall_sku", "mode", "provision_now"],
            &["allow", "rule", "vnet"],
        );
        let default_mode = match ctx.profile {
            Some(Profile::HubSpoke) => IsolationMode::Disabled,
            Some(Profile::SensitiveData | Profile::PublicData) => {
                IsolationMode::AllowInternetOutbound
            }
            Some(Profile::ExfiltrationProtected) | None => IsolationMode::AllowOnlyApprovedOutbound,
        };
        let profile_source = ctx.profile.map_or(Source::SecureDefault, Source::Profile);
        // `custom_vnet` is a disabled managed network with a spoke `vnet`.
        let modes: Vec<(&'static str, IsolationMode)> = IsolationMode::ALL
            .iter()
            .copied()
            .chain([("custom_vnet", IsolationMode::Disabled)])
            .collect();
        let custom_written = b.attrs.get("mode").and_then(|(_, e)| match &e.kind {
            ExprKind::Ident(w) if w == "custom_vnet" => Some(e.span),
            _ => None,
        });
        let mode = match b.attrs.get("mode") {
            Some((_, e)) => self
                .choice(e, &modes, "isolation mode")
                .map(|m| Setting::new(m, Source::Explicit(e.span))),
            None => None,
        }
        .unwrap_or(Setting::new(default_mode, profile_source));
        let vnet_stmt = self.single(&b, "vnet", "`outbound`");
        let spoke = vnet_stmt.and_then(|v| self.spoke(v, ws_name, region, ctx.cloud));
        if let (Some(at), None) = (custom_written, vnet_stmt) {
            self.push(
                Diagnostic::new(Code::MissingSetting, at, "custom VNet mode needs a `vnet` block")
                    .label("which spoke network?")
                    .help("add `vnet { address_space = \"10.40.0.0/22\"  training = \"10.40.0.0/24\"  pe = \"10.40.2.0/26\"  firewall_ip = \"10.0.1.4\" }` to `outbound`"),
            );
        }
        let firewall_sku = match b.attrs.get("firewall_sku") {
            Some((_, e)) => self.firewall_sku(e),
            None => None,
        }
        .unwrap_or(Setting::new(FirewallSku::Standard, Source::SecureDefault));
        let provision_now = match b.attrs.get("provision_now") {
            Some((_, e)) => self
                .bool(e)
                .map(|(v, sp)| Setting::new(v, Source::Explicit(sp))),
            None => None,
        }
        .unwrap_or(Setting::new(mode.value.is_managed(), Source::SecureDefault));
        let mut rules = Vec::new();
        let mut presets_named = Vec::new();
        for st in &b.stmts {
            match st.head.name.as_str() {
                "vnet" => {}
                "allow" => {
                    if let Some(p) = self.preset(st, &mut rules) {
                        presets_named.push((p, st.span));
                    }
                }
                _ => {
                    if let Some(r) = self.rule(st) {
                        rules.push(r);
                    }
                }
            }
        }
        let custom_requested =
            custom_written.is_some() || (vnet_stmt.is_some() && !mode.value.is_managed());
        Outbound {
            mode,
            firewall_sku,
            provision_now,
            rules,
            presets: presets_named,
            custom_requested,
            spoke,
            span: s.map(|s| s.head.span),
        }
    }

    /// The `vnet` block of custom VNet mode.
    fn spoke(
        &mut self,
        s: &Stmt,
        ws_name: Option<&ArmName>,
        region: Option<&Setting<Region>>,
        cloud: Cloud,
    ) -> Option<Spoke> {
        let entries = self.plain_body(s);
        let b = self.block(
            entries,
            "`vnet`",
            &[
                "address_space",
                "dns_servers",
                "existing",
                "firewall_ip",
                "hub_vnet",
                "name",
                "pe",
                "region",
                "scoring",
                "service_endpoint_policy",
                "subnet_names",
                "training",
            ],
            &["keep", "nsg_extra"],
        );
        let at = s.head.span;
        let vnet = match (b.attrs.get("address_space"), b.attrs.get("existing")) {
            (Some((k, _)), Some((k2, _))) => {
                self.push(
                    Diagnostic::new(
                        Code::DuplicateSetting,
                        k2.span,
                        "`existing` and `address_space` both say where the spoke comes from",
                    )
                    .label("an existing VNet has its own address space")
                    .with_label(k.span, "a created VNet's address space")
                    .help("keep `existing` to use a VNet the network team made, or `address_space` to create one"),
                );
                None
            }
            (Some((_, e)), None) => {
                let items = match &self.deref(e).kind {
                    ExprKind::List(_) => self.list(e).unwrap_or_default(),
                    _ => vec![(*e).clone()],
                };
                let mut space = Vec::new();
                for item in &items {
                    if let Some((n, _)) = self.cidr(item, "an address space") {
                        space.push(n);
                    }
                }
                let name = match b.attrs.get("name") {
                    Some((_, e)) => self.network_name(e, "virtual network", 64),
                    None => ws_name.map(|n| format!("vnet-{n}")),
                };
                let hub = b.attrs.get("hub_vnet").map(|(_, h)| {
                    self.resource_id(h, Some("Microsoft.Network/virtualNetworks"))
                        .map(|(id, _)| id)
                });
                (!space.is_empty() && space.len() == items.len()).then_some(())?;
                Some(SpokeVnet::Create {
                    name: name?,
                    address_space: space,
                    hub: match hub {
                        Some(h) => Some(h?),
                        None => None,
                    },
                    span: e.span,
                })
            }
            (None, Some((_, e))) => {
                if let Some((k, _)) = b.attrs.get("name") {
                    self.push(
                        Diagnostic::new(
                            Code::UnknownSetting,
                            k.span,
                            "an existing VNet is named by its id",
                        )
                        .label("`name` only names a VNet amlgen creates")
                        .help("remove `name`"),
                    );
                }
                if let Some((k, _)) = b.attrs.get("hub_vnet") {
                    self.push(
                        Diagnostic::new(Code::UnknownSetting, k.span, "an existing spoke is peered by its owners")
                            .label("`hub_vnet` only peers a spoke amlgen creates")
                            .help("remove `hub_vnet`; the existing spoke must already be peered with the hub"),
                    );
                }
                self.resource_id(e, Some("Microsoft.Network/virtualNetworks"))
                    .map(|(id, span)| SpokeVnet::Existing { id, span })
            }
            (None, None) => {
                self.push(
                    Diagnostic::new(Code::MissingSetting, at, "the spoke `vnet` has no address space")
                        .label("create which network, or use which one?")
                        .help("add `address_space = \"10.40.0.0/22\"` to create the spoke, or `existing = \"/subscriptions/.../virtualNetworks/vnet-spoke\"`"),
                );
                None
            }
        };
        let region = match b.attrs.get("region") {
            Some((_, e)) => self
                .region(e, cloud)
                .map(|(r, sp)| Setting::new(r, Source::Explicit(sp))),
            None => region.map(|r| Setting::new(r.value.clone(), r.source)),
        };
        let mut given_names: BTreeMap<String, String> = BTreeMap::new();
        if let Some((_, e)) = b.attrs.get("subnet_names") {
            let value = self.deref(e).clone();
            if let ExprKind::Map(items) = &value.kind {
                for (k, v) in items {
                    match SubnetRole::ALL.iter().find(|(n, _)| *n == k.text) {
                        Some(_) => {
                            if let Some(n) = self.network_name(v, "subnet", 80) {
                                given_names.insert(k.text.clone(), n);
                            }
                        }
                        None => self.push(
                            Diagnostic::new(
                                Code::UnknownSetting,
                                k.span,
                                format!("`{}` is not a spoke subnet", k.text),
                            )
                            .label("expected `training`, `scoring` or `pe`")
                            .suggest(&k.text, names(SubnetRole::ALL)),
                        ),
                    }
                }
            } else {
                self.type_error(e, "a map `{ training = \"snet-name\" }`");
            }
        }
        let mut subnets = Vec::new();
        let mut complete = true;
        for (key, role) in SubnetRole::ALL {
            match b.attrs.get(key) {
                Some((_, e)) => match self.cidr(e, "a subnet prefix") {
                    Some((prefix, span)) => subnets.push(SpokeSubnet {
                        role: *role,
                        name: given_names
                            .get(*key)
                            .cloned()
                            .unwrap_or_else(|| role.default_name().to_string()),
                        prefix,
                        span,
                    }),
                    None => complete = false,
                },
                None if *role == SubnetRole::Scoring => {}
                None => {
                    complete = false;
                    let what = if *role == SubnetRole::Training {
                        "compute instances and clusters"
                    } else {
                        "the private endpoints to the workspace and its resources"
                    };
                    self.push(
                        Diagnostic::new(
                            Code::MissingSetting,
                            at,
                            format!("the spoke has no `{key}` subnet"),
                        )
                        .label(format!("the `{key}` subnet holds {what}"))
                        .help(format!(
                            "add `{key} = \"<CIDR>\"`, a free range inside the spoke's address space"
                        )),
                    );
                }
            }
        }
        let firewall_ip = match b.attrs.get("firewall_ip") {
            Some((_, e)) => match self.cidr(e, "an IPv4 address") {
                Some((ip, span)) if ip.prefix == 32 => Some((ip, span)),
                Some((ip, span)) => {
                    self.push(
                        Diagnostic::new(Code::InvalidIpRange, span, "the hub firewall's IP is a range")
                            .label(format!("`{ip}` is a /{} range", ip.prefix))
                            .help("write the firewall's private IP address, e.g. `10.0.1.4`, the next hop of the spoke's default route"),
                    );
                    None
                }
                None => None,
            },
            None => {
                self.push(
                    Diagnostic::new(Code::MissingSetting, at, "the spoke has no `firewall_ip`")
                        .label("where does internet traffic go?")
                        .help("add `firewall_ip = \"10.0.1.4\"`, the hub firewall's private IP: the spoke's default route points at it"),
                );
                None
            }
        };
        let service_endpoint_policy =
            self.bool_setting(&b, "service_endpoint_policy", true, Source::SecureDefault);
        let mut nsg_extra: Vec<NsgRule> = Vec::new();
        for st in b.stmts.iter().filter(|st| st.head.name == "nsg_extra") {
            if let Some(r) = self.nsg_rule(st) {
                if let Some(first) = nsg_extra.iter().find(|x| {
                    x.subnet == r.subnet && x.name.as_str().eq_ignore_ascii_case(r.name.as_str())
                }) {
                    self.push(
                        Diagnostic::new(
                            Code::DuplicateName,
                            r.span,
                            format!("NSG rule `{}` is declared twice", r.name),
                        )
                        .label("second declaration")
                        .with_label(first.span, "first declared here"),
                    );
                    continue;
                }
                nsg_extra.push(r);
            }
        }
        let existing = b.attrs.contains_key("existing");
        let dns_servers = self.dns_servers(&b, existing);
        let keep = self.subnet_keeps(&b.stmts, existing);
        if !complete {
            return None;
        }
        Some(Spoke {
            vnet: vnet?,
            region: region?,
            subnets,
            firewall_ip: firewall_ip?,
            service_endpoint_policy,
            nsg_extra,
            dns_servers,
            keep,
            span: at,
        })
    }

    /// One `nsg_extra "name" { ... }` rule.
    fn nsg_rule(&mut self, st: &Stmt) -> Option<NsgRule> {
        let name_e = self.label(st, "rule")?;
        let name = self.arm_name(name_e, "NSG rule");
        let entries: &[Entry] = st.body.as_ref().map_or(&[], |b| &b.entries);
        let b = self.block(
            entries,
            "`nsg_extra`",
            &[
                "access",
                "destination",
                "direction",
                "ports",
                "priority",
                "protocol",
                "source",
                "subnet",
            ],
            &[],
        );
        let span = st.head.span.to(name_e.span);
        let subnet = match b.attrs.get("subnet") {
            Some((_, e)) => self.choice(e, SubnetRole::ALL, "spoke subnet")?,
            None => SubnetRole::Training,
        };
        let direction = match b.attrs.get("direction") {
            Some((_, e)) => self.choice(e, NsgDirection::ALL, "direction")?,
            None => NsgDirection::Outbound,
        };
        let access = match b.attrs.get("access") {
            Some((_, e)) => self.choice(e, NsgAccess::ALL, "access")?,
            None => {
                self.push(
                    Diagnostic::new(Code::MissingSetting, span, "the NSG rule has no `access`")
                        .label("allow or deny?")
                        .help("add `access = allow` or `access = deny`"),
                );
                return None;
            }
        };
        let priority = match b.attrs.get("priority") {
            Some((_, e)) => Some((
                u16::try_from(self.number(e, 100, 4096, "priority")?).ok()?,
                e.span,
            )),
            None => None,
        };
        let protocol = match b.attrs.get("protocol") {
            Some((_, e)) => self.protocol(e)?,
            None => Protocol::Any,
        };
        let source = match b.attrs.get("source") {
            Some((_, e)) => self.nsg_address(e)?,
            None => NsgAddress::Any,
        };
        let destination = match b.attrs.get("destination") {
            Some((_, e)) => self.nsg_address(e)?,
            None => NsgAddress::Any,
        };
        let ports = match b.attrs.get("ports") {
            Some((_, e)) => match &self.deref(e).kind {
                ExprKind::Str(p) if matches!(p.as_slice(), [StrPart::Text(t)] if t == "*") => None,
                _ => Some(self.ports(e)?),
            },
            None => None,
        };
        Some(NsgRule {
            name: name?.0,
            subnet,
            direction,
            access,
            priority,
            protocol,
            source,
            destination,
            ports,
            span,
        })
    }

    /// `*`, a CIDR or a service tag.
    fn nsg_address(&mut self, e: &Expr) -> Option<NsgAddress> {
        let (text, span) = self.string(e)?;
        if text == "*" {
            return Some(NsgAddress::Any);
        }
        if text.starts_with(|c: char| c.is_ascii_digit()) {
            return self.cidr(e, "an address").map(|(n, _)| NsgAddress::Cidr(n));
        }
        match ServiceTag::parse(&text) {
            Ok(t) => Some(NsgAddress::Tag(t)),
            Err(msg) => {
                self.push(
                    Diagnostic::new(Code::InvalidEnumValue, span, "invalid NSG address")
                        .label(msg)
                        .help(
                            "write `*`, a CIDR like `10.0.0.0/8`, or a service tag like `Internet`",
                        ),
                );
                None
            }
        }
    }

    /// An IPv4 address or CIDR.
    fn cidr(&mut self, e: &Expr, what: &str) -> Option<(Ipv4Net, Span)> {
        let (text, span) = self.string(e)?;
        match Ipv4Net::parse(&text) {
            Ok(n) => Some((n, span)),
            Err(msg) => {
                self.push(
                    Diagnostic::new(Code::InvalidIpRange, span, format!("expected {what}"))
                        .label(msg)
                        .help(
                            "write an IPv4 address like `10.0.1.4` or a range like `10.40.0.0/24`",
                        ),
                );
                None
            }
        }
    }

    /// A virtual network or subnet name: Azure's rule, 1 (VNet: 2) to `max`
    /// letters, digits, `_`, `.` and `-`, starting with a letter or digit
    /// and ending with a letter, digit or `_`.
    fn network_name(&mut self, e: &Expr, what: &str, max: usize) -> Option<String> {
        let (text, span) = self.string(e)?;
        let min = if what == "subnet" { 1 } else { 2 };
        let problem_of = |text: &str| {
            let len = text.chars().count();
            if !(min..=max).contains(&len) {
                Some(format!(
                    "a {what} name has {min} to {max} characters, not {len}"
                ))
            } else if !text.starts_with(|c: char| c.is_ascii_alphanumeric()) {
                Some(format!("a {what} name starts with a letter or digit"))
            } else if !text.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
                Some(format!("a {what} name ends with a letter, digit or `_`"))
            } else {
                text.chars()
                    .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
                    .map(|c| {
                        format!(
                            "a {what} name has only letters, digits, `_`, `.` and `-`, not `{}`",
                            c.escape_debug()
                        )
                    })
            }
        };
        if let Some(p) = problem_of(&text) {
            if let Some(d) = non_ascii_name(self.written(e), &text, span, what, &p, |f| {
                problem_of(f).is_none()
            }) {
                let d = if d.help.is_empty() {
                    d.help("rename it with ASCII letters, digits, `_`, `.` and `-`")
                } else {
                    d
                };
                self.push(d);
                return None;
            }
            self.push(
                Diagnostic::new(Code::InvalidName, span, format!("invalid {what} name"))
                    .label(p)
                    .help(format!(
                        "rename it, e.g. `{}`",
                        if what == "subnet" {
                            "snet-training"
                        } else {
                            "vnet-ml-spoke"
                        }
                    )),
            );
            return None;
        }
        Some(text)
    }

    fn firewall_sku(&mut self, e: &Expr) -> Option<Setting<FirewallSku>> {
        if let ExprKind::Ident(_) | ExprKind::Str(_) = &e.kind {
            let word = match &e.kind {
                ExprKind::Ident(w) => w.clone(),
                _ => self.string(e).map(|(s, _)| s).unwrap_or_default(),
            };
            if word.eq_ignore_ascii_case("premium") {
                self.push(
                    Diagnostic::new(Code::UnsupportedFirewall, e.span, "the managed network does not support a Premium firewall")
                        .label("Premium is not available here")
                        .note("URL-based filtering needs Premium, so a managed network cannot filter on URL paths")
                        .help("use `firewall_sku = standard` (the default) or `basic`"),
                );
                return None;
            }
        }
        self.choice(
            e,
            &[
                ("standard", FirewallSku::Standard),
                ("basic", FirewallSku::Basic),
            ],
            "firewall SKU",
        )
        .map(|v| Setting::new(v, Source::Explicit(e.span)))
    }

    fn preset(&mut self, st: &Stmt, rules: &mut Vec<OutboundRule>) -> Option<Preset> {
        let Some(first) = st.args.first() else {
            self.push(
                Diagnostic::new(
                    Code::MissingSetting,
                    st.head.span,
                    "`allow` needs a scenario",
                )
                .label("allow what?")
                .help(format!(
                    "write `allow python_packages`; scenarios: {}",
                    list_words(&names(Preset::NAMED))
                )),
            );
            return None;
        };
        if let Some(extra) = st.args.get(1) {
            self.push(
                Diagnostic::new(
                    Code::UnexpectedToken,
                    extra.span,
                    "`allow` takes one scenario",
                )
                .label("unexpected")
                .help("write one `allow` per scenario"),
            );
        }
        let preset = self.choice(first, Preset::NAMED, "scenario")?;
        let entries: &[Entry] = st.body.as_ref().map_or(&[], |b: &Body| &b.entries);
        let span = st.span;
        let fqdn_rules = |hosts: &[&str], rules: &mut Vec<OutboundRule>| {
            for (i, host) in hosts.iter().enumerate() {
                rules.push(OutboundRule {
                    name: ArmName::parse(&format!("{}-{}", preset.rule_prefix(), i + 1), "rule")
                        .expect("valid preset rule name"),
                    destination: Destination::Fqdn {
                        fqdn: FqdnPattern::parse(host).expect("valid preset host"),
                        written: None,
                    },
                    origin: RuleOrigin::Preset(preset, span),
                    span,
                    fqdn_ports: None,
                });
            }
        };
        match preset {
            Preset::PythonPackages => {
                let b = self.block(
                    entries,
                    "`allow python_packages`",
                    &["index_overridden"],
                    &[],
                );
                let overridden = b
                    .attrs
                    .get("index_overridden")
                    .and_then(|(_, e)| self.bool(e))
                    .is_some_and(|(v, _)| v);
                let mut hosts = presets::PYTHON_PACKAGES.to_vec();
                if overridden {
                    hosts.extend_from_slice(presets::PYTHON_INDEX_OVERRIDDEN);
                }
                fqdn_rules(&hosts, rules);
            }
            Preset::VsCode => {
                self.no_body(st, "`allow vscode`");
                fqdn_rules(presets::VSCODE, rules);
            }
            Preset::HuggingFace => {
                self.no_body(st, "`allow huggingface`");
                fqdn_rules(presets::HUGGINGFACE, rules);
            }
            Preset::BatchEndpoints => {
                let b = self.block(
                    entries,
                    "`allow batch_endpoints`",
                    &["ai_search", "ai_services"],
                    &[],
                );
                for sub in presets::BATCH_STORAGE_SUBRESOURCES {
                    rules.push(OutboundRule {
                        name: ArmName::parse(&format!("batch-endpoints-{sub}"), "rule")
                            .expect("valid preset rule name"),
                        destination: Destination::PrivateEndpoint {
                            target: PeTarget::DefaultStorage,
                            subresource: (*sub).to_string(),
                            spark: false,
                        },
                        origin: RuleOrigin::Preset(preset, span),
                        span,
                        fqdn_ports: None,
                    });
                }
                for (key, arm_type, rule) in [
                    (
                        "ai_services",
                        "Microsoft.CognitiveServices/accounts",
                        "batch-endpoints-ai-services",
                    ),
                    (
                        "ai_search",
                        "Microsoft.Search/searchServices",
                        "batch-endpoints-ai-search",
                    ),
                ] {
                    if let Some((_, e)) = b.attrs.get(key)
                        && let Some((id, _)) = self.resource_id(e, Some(arm_type))
                    {
                        let sub = private_link::lookup(arm_type).map_or("", |t| t.subresources[0]);
                        rules.push(OutboundRule {
                            name: ArmName::parse(rule, "rule").expect("valid preset rule name"),
                            destination: Destination::PrivateEndpoint {
                                target: PeTarget::Resource(id),
                                subresource: sub.to_string(),
                                spark: false,
                            },
                            origin: RuleOrigin::Preset(preset, span),
                            span,
                            fqdn_ports: None,
                        });
                    }
                }
            }
            Preset::SelectedIps => {}
        }
        Some(preset)
    }

    fn rule(&mut self, st: &Stmt) -> Option<OutboundRule> {
        let usage = "write `rule \"name\" private_endpoint <resource id> { subresource = blob }`, `rule \"name\" service_tag \"Tag\" { protocol = tcp  ports = \"443\" }` or `rule \"name\" fqdn \"host.example.com\"`";
        let (name_e, kind_e, dest_e) = match st.args.as_slice() {
            [n, k, d] => (n, k, d),
            [n, k, d, extra, ..] => {
                self.push(
                    Diagnostic::new(
                        Code::UnexpectedToken,
                        extra.span,
                        "too many words in `rule`",
                    )
                    .label("unexpected")
                    .help(usage),
                );
                (n, k, d)
            }
            _ => {
                self.push(
                    Diagnostic::new(Code::MissingSetting, st.span, "incomplete `rule`")
                        .label("a rule needs a name, a kind and a destination")
                        .help(usage),
                );
                return None;
            }
        };
        let name = self.arm_name(name_e, "rule");
        let kind = self.choice(kind_e, RuleKind::ALL, "rule kind")?;
        let entries: &[Entry] = st.body.as_ref().map_or(&[], |b| &b.entries);
        let (destination, fqdn_ports) = match kind {
            RuleKind::PrivateEndpoint => {
                let b = self.block(
                    entries,
                    "a private endpoint rule",
                    &["spark", "subresource"],
                    &[],
                );
                let target = self.resource_id(dest_e, None);
                let spark = b
                    .attrs
                    .get("spark")
                    .and_then(|(_, e)| self.bool(e))
                    .is_some_and(|(v, _)| v);
                let (target, target_span) = target?;
                let Some(ty) = private_link::lookup(&target.arm_type()) else {
                    let types: Vec<&str> = private_link::PRIVATE_LINK_TYPES
                        .iter()
                        .map(|t| t.arm_type)
                        .collect();
                    self.push(
                        Diagnostic::new(
                            Code::UnsupportedPrivateEndpointTarget,
                            target_span,
                            format!(
                                "the managed network cannot create a private endpoint to a `{}`",
                                target.arm_type()
                            ),
                        )
                        .label("unsupported target type")
                        .suggest(&target.arm_type(), types.iter().copied())
                        .note(format!("supported: {}", types.join(", "))),
                    );
                    return None;
                };
                let sub = match b.attrs.get("subresource") {
                    Some((_, e)) => {
                        let word = match &e.kind {
                            ExprKind::Ident(w) => Some(w.clone()),
                            _ => self.string(e).map(|(s, _)| s),
                        }?;
                        match ty
                            .subresources
                            .iter()
                            .find(|s| s.eq_ignore_ascii_case(&word))
                        {
                            Some(s) => (*s).to_string(),
                            None => {
                                self.push(
                                    Diagnostic::new(
                                        Code::UnknownSubresource,
                                        e.span,
                                        format!(
                                            "`{word}` is not a sub-resource of {} ({})",
                                            ty.service, ty.arm_type
                                        ),
                                    )
                                    .label(format!("expected {}", list_words(ty.subresources)))
                                    .suggest(&word, ty.subresources.iter().copied()),
                                );
                                return None;
                            }
                        }
                    }
                    None if ty.subresources.len() == 1 => ty.subresources[0].to_string(),
                    None => {
                        self.push(
                            Diagnostic::new(
                                Code::MissingSetting,
                                st.span,
                                format!("which sub-resource of the {}?", ty.service),
                            )
                            .label("no `subresource`")
                            .help(format!(
                                "add `{{ subresource = {} }}`; {} has {}",
                                ty.subresources[0],
                                ty.service,
                                list_words(ty.subresources)
                            )),
                        );
                        return None;
                    }
                };
                (
                    Destination::PrivateEndpoint {
                        target: PeTarget::Resource(target),
                        subresource: sub,
                        spark,
                    },
                    None,
                )
            }
            RuleKind::ServiceTag => {
                let b = self.block(entries, "a service tag rule", &["ports", "protocol"], &[]);
                let (text, tspan) = self.string(dest_e)?;
                let tag = match ServiceTag::parse(&text) {
                    Ok(t) => Some(t),
                    Err(msg) => {
                        self.push(
                            Diagnostic::new(Code::InvalidEnumValue, tspan, "invalid service tag")
                                .label(msg),
                        );
                        None
                    }
                };
                let protocol = match b.attrs.get("protocol") {
                    Some((_, e)) => self.protocol(e),
                    None => Some(Protocol::Tcp),
                };
                let ports = match b.attrs.get("ports") {
                    Some((_, e)) => self.ports(e),
                    None => {
                        self.push(
                            Diagnostic::new(Code::MissingSetting, st.span, "a service tag rule needs `ports`")
                                .label("no ports given")
                                .help("add `{ protocol = tcp  ports = \"443\" }` (ranges like `8080-8089`, comma-separated)"),
                        );
                        None
                    }
                };
                (
                    Destination::ServiceTag {
                        tag: tag?,
                        protocol: protocol?,
                        ports: ports?,
                    },
                    None,
                )
            }
            RuleKind::Fqdn => {
                let b = self.block(entries, "an FQDN rule", &["ports"], &[]);
                let (text, fspan) = self.string(dest_e)?;
                let host = text.split_once("://").map_or(text.as_str(), |(_, h)| h);
                if let Some((h, path)) = host.split_once('/') {
                    self.push(
                        Diagnostic::new(Code::UnsupportedFirewall, fspan, "FQDN rules cannot filter on URL paths")
                            .label(format!("`/{path}` is a URL path"))
                            .note("URL filtering needs a Premium Azure Firewall, which the managed network does not support")
                            .help(format!("allow the host alone: `\"{h}\"`")),
                    );
                    return None;
                }
                let (fqdn, written) = match FqdnPattern::normalise(&text) {
                    Ok((f, dot)) => {
                        let written =
                            (dot || !text.eq_ignore_ascii_case(f.as_str())).then(|| text.clone());
                        (f, written)
                    }
                    Err(msg) => {
                        self.push(
                            Diagnostic::new(Code::InvalidFqdn, fspan, "invalid FQDN")
                                .label(msg)
                                .help(fqdn_help(&text)),
                        );
                        return None;
                    }
                };
                let ports = b
                    .attrs
                    .get("ports")
                    .and_then(|(_, e)| self.ports(e).map(|p| (p, e.span)));
                (Destination::Fqdn { fqdn, written }, ports)
            }
        };
        Some(OutboundRule {
            name: name?.0,
            destination,
            origin: RuleOrigin::User,
            span: st.span,
            fqdn_ports,
        })
    }

    fn protocol(&mut self, e: &Expr) -> Option<Protocol> {
        let word = match &e.kind {
            _ if self.refused(e) => return None,
            ExprKind::Ident(w) => w.clone(),
            ExprKind::Str(_) => self.string(e)?.0,
            _ => {
                self.type_error(e, "a protocol");
                return None;
            }
        };
        if word == "*" {
            return Some(Protocol::Any);
        }
        if let Some((_, p)) = Protocol::ALL
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(&word))
        {
            return Some(*p);
        }
        let allowed = names(Protocol::ALL);
        self.push(
            Diagnostic::new(
                Code::InvalidPortRange,
                e.span,
                format!("`{word}` is not a protocol the managed network accepts"),
            )
            .label(format!("expected {}", list_words(&allowed)))
            .suggest(&word, allowed.iter().copied()),
        );
        None
    }

    fn ports(&mut self, e: &Expr) -> Option<PortRanges> {
        let (text, span) = match &self.deref(e).kind {
            ExprKind::Number(n) => (n.to_string(), e.span),
            _ => self.string(e)?,
        };
        match PortRanges::parse(&text) {
            Ok(p) => Some(p),
            Err(msg) => {
                self.push(
                    Diagnostic::new(Code::InvalidPortRange, span, "invalid port range")
                        .label(msg)
                        .help("ports are `80`, `8080-8089`, or a comma-separated list of those, each 1 to 65535"),
                );
                None
            }
        }
    }

    // ----- compute, endpoints, access -----------------------------------

    fn computes(
        &mut self,
        b: &Block,
        ctx: &WsCtx,
        cloud: Cloud,
    ) -> (ComputeDefaults, Vec<Compute>) {
        let mut defaults = ComputeDefaults {
            public_ip: Setting::new(false, Source::SecureDefault),
            ssh: Setting::new(false, Source::SecureDefault),
            local_auth: Setting::new(false, Source::SecureDefault),
            setup_script: None,
        };
        let mut named: Vec<Compute> = Vec::new();
        let mut seen_defaults: Option<Span> = None;
        let _ = ctx;
        for s in b.stmts.iter().filter(|s| s.head.name == "compute") {
            let entries: &[Entry] = s.body.as_ref().map_or(&[], |b| &b.entries);
            if s.args.is_empty() {
                if let Some(first) = seen_defaults {
                    self.push(
                        Diagnostic::new(Code::DuplicateSetting, s.head.span, "a second unnamed `compute` block")
                            .label("second block")
                            .with_label(first, "first block here")
                            .help("merge them, or give a compute a name: `compute \"cpu-cluster\" { ... }`"),
                    );
                    continue;
                }
                seen_defaults = Some(s.head.span);
                let cb = self.block(
                    entries,
                    "`compute`",
                    &["local_auth", "public_ip", "setup_script", "ssh"],
                    &[],
                );
                defaults.public_ip =
                    self.bool_setting(&cb, "public_ip", false, Source::SecureDefault);
                defaults.ssh = self.bool_setting(&cb, "ssh", false, Source::SecureDefault);
                defaults.local_auth =
                    self.bool_setting(&cb, "local_auth", false, Source::SecureDefault);
                defaults.setup_script = cb
                    .attrs
                    .get("setup_script")
                    .and_then(|(_, e)| self.string(e));
                continue;
            }
            let Some(name_e) = self.label(s, "compute") else {
                continue;
            };
            let Some((name, name_span)) = self.arm_name(name_e, "compute") else {
                continue;
            };
            if let Some(problem) = compute_name_problem(name.as_str()) {
                let fixed = name
                    .as_str()
                    .replace('_', "-")
                    .trim_end_matches(|c: char| c.is_ascii_digit() || c == '-')
                    .to_string();
                let help = if compute_name_problem(&fixed).is_none() {
                    format!("did you mean `{fixed}`?")
                } else {
                    "rename it: 3 to 24 letters, digits and `-`, starting with a letter, not ending in `-` and digits".to_string()
                };
                self.push(
                    Diagnostic::new(Code::InvalidName, name_span, "invalid compute name")
                        .label(problem)
                        .help(help),
                );
                continue;
            }
            if let Some(first) = named
                .iter()
                .find(|c| c.name.as_str().eq_ignore_ascii_case(name.as_str()))
            {
                self.push(
                    Diagnostic::new(
                        Code::DuplicateName,
                        name_e.span,
                        format!("compute `{name}` is declared twice"),
                    )
                    .label("second declaration")
                    .with_label(first.span, "first declared here"),
                );
                continue;
            }
            let cb = self.block(
                entries,
                "a named `compute`",
                &[
                    "assigned_user",
                    "identity",
                    "kind",
                    "max_nodes",
                    "public_ip",
                    "reads",
                    "region",
                    "subnet",
                    "vm_size",
                ],
                &[],
            );
            let kind = match cb.attrs.get("kind") {
                Some((_, e)) => self
                    .choice(e, ComputeKind::ALL, "compute kind")
                    .map(|k| Setting::new(k, Source::Explicit(e.span))),
                None => {
                    self.push(
                        Diagnostic::new(
                            Code::MissingSetting,
                            name_e.span,
                            format!("compute `{name}` has no `kind`"),
                        )
                        .label("which kind of compute?")
                        .help(format!(
                            "add `kind = cluster` (one of {})",
                            list_words(&names(ComputeKind::ALL))
                        )),
                    );
                    None
                }
            };
            let max_nodes = cb
                .attrs
                .get("max_nodes")
                .and_then(|(_, e)| self.number(e, 1, 10_000, "max_nodes"))
                .map(|n| n as u32);
            let region = cb
                .attrs
                .get("region")
                .and_then(|(_, e)| self.region(e, cloud));
            let subnet = cb.attrs.get("subnet").and_then(|(_, e)| {
                self.resource_id(e, Some("Microsoft.Network/virtualNetworks/subnets"))
            });
            let vm_size = cb
                .attrs
                .get("vm_size")
                .and_then(|(_, e)| self.string(e))
                .map(|(s, _)| s);
            let public_ip = match cb.attrs.get("public_ip") {
                Some((_, e)) => self.bool(e).map_or(defaults.public_ip.clone(), |(v, sp)| {
                    Setting::new(v, Source::Explicit(sp))
                }),
                None => defaults.public_ip.clone(),
            };
            let identity = cb.attrs.get("identity").map(|(_, e)| self.identity(e));
            let mut reads = Vec::new();
            if let (Some((_, e)), None) = (cb.attrs.get("reads"), &identity) {
                self.push(
                    Diagnostic::new(
                        Code::MissingSetting,
                        e.span,
                        format!("compute `{name}` reads data but has no `identity`"),
                    )
                    .label("read as which identity?")
                    .help("add `identity = user_assigned \"/subscriptions/.../userAssignedIdentities/id-train\"` (or `system_assigned`) to the compute"),
                );
            }
            if let Some((_, e)) = cb.attrs.get("reads") {
                for item in self.list(e).unwrap_or_default() {
                    if let Some((id, _)) =
                        self.resource_id(&item, Some("Microsoft.Storage/storageAccounts"))
                    {
                        reads.push(id);
                    }
                }
            }
            // A compute whose `assigned_user` was refused is left out, like
            // one without a kind: its instance would be warned unassigned.
            let assigned_user = match cb.attrs.get("assigned_user") {
                Some((k, e)) => {
                    match self.assigned_user(k, e, name.as_str(), kind.as_ref().map(|k| k.value)) {
                        Some(user) => Some(user),
                        None => continue,
                    }
                }
                None => None,
            };
            let Some(kind) = kind else { continue };
            named.push(Compute {
                name,
                kind,
                vm_size,
                max_nodes,
                region,
                subnet,
                public_ip,
                identity,
                reads,
                assigned_user,
                span: s.head.span.to(name_e.span),
            });
        }
        (defaults, named)
    }

    fn online_endpoints(&mut self, b: &Block) -> Vec<OnlineEndpoint> {
        let mut out: Vec<OnlineEndpoint> = Vec::new();
        for s in b.stmts.iter().filter(|s| s.head.name == "online_endpoint") {
            let Some(name_e) = self.label(s, "endpoint") else {
                continue;
            };
            let Some((name, _)) = self.arm_name(name_e, "online endpoint") else {
                continue;
            };
            let entries: &[Entry] = s.body.as_ref().map_or(&[], |b| &b.entries);
            let eb = self.block(
                entries,
                "`online_endpoint`",
                &["egress_public_network_access", "public_network_access"],
                &[],
            );
            let public_network_access = self.access_setting(
                &eb,
                "public_network_access",
                Access::Disabled,
                Source::SecureDefault,
            );
            let egress = eb
                .attrs
                .get("egress_public_network_access")
                .and_then(|(_, e)| {
                    self.choice(
                        e,
                        &[("enabled", Access::Enabled), ("disabled", Access::Disabled)],
                        "public network access",
                    )
                    .map(|v| (v, e.span))
                });
            if let Some(first) = out.iter().find(|o| o.name == name) {
                self.push(
                    Diagnostic::new(
                        Code::DuplicateName,
                        name_e.span,
                        format!("online endpoint `{name}` is declared twice"),
                    )
                    .label("second declaration")
                    .with_label(first.span, "first declared here"),
                );
                continue;
            }
            out.push(OnlineEndpoint {
                name,
                public_network_access,
                egress_public_network_access: egress,
                span: s.head.span.to(name_e.span),
            });
        }
        out
    }

    fn access(&mut self, s: &Stmt) -> Vec<Grant> {
        let entries = self.plain_body(s);
        let b = self.block(entries, "`access`", &[], &["grant"]);
        let mut out = Vec::new();
        let usage = "write `grant \"AzureML Data Scientist\" to group \"<object id>\"`, optionally followed by `on storage` (or `resource_group`, `key_vault`, `container_registry`, `workspace`, or a resource id)";
        for g in &b.stmts {
            self.no_body(g, "`grant`");
            let args = &g.args;
            let to_ok = args
                .get(1)
                .is_some_and(|a| matches!(&a.kind, ExprKind::Ident(w) if w == "to"));
            if args.len() < 4 || !to_ok {
                self.push(
                    Diagnostic::new(Code::MissingSetting, g.span, "incomplete `grant`")
                        .label("a grant needs a role, `to`, a principal kind and an object id")
                        .help(usage),
                );
                continue;
            }
            let role = self
                .string(&args[0])
                .and_then(|(name, span)| match roles::lookup(&name) {
                    Some(r) => Some(r),
                    None => {
                        let names: Vec<&str> =
                            roles::BUILT_IN_ROLES.iter().map(|r| r.name).collect();
                        self.push(
                            Diagnostic::new(
                                Code::UnknownRole,
                                span,
                                format!("`{name}` is not a built-in role amlgen knows"),
                            )
                            .label("unknown role")
                            .suggest(&name, names.iter().copied())
                            .note("amlgen grants only built-in roles it has verified ids for"),
                        );
                        None
                    }
                });
            let kind = self.choice(&args[2], PrincipalKind::ALL, "principal kind");
            let id = self.guid(&args[3]);
            let scope = match args.get(4..) {
                None | Some([]) => Some(GrantScope::Workspace),
                Some([on, target]) if matches!(&on.kind, ExprKind::Ident(w) if w == "on") => {
                    self.grant_scope(target)
                }
                Some([extra, ..]) => {
                    self.push(
                        Diagnostic::new(
                            Code::UnexpectedToken,
                            extra.span,
                            "unexpected words after the grant's principal",
                        )
                        .label("expected `on <scope>` or the end of the line")
                        .help(usage),
                    );
                    None
                }
            };
            if let (Some(role), Some(principal_kind), Some((principal_id, _)), Some(scope)) =
                (role, kind, id, scope)
            {
                out.push(Grant {
                    role,
                    principal_kind,
                    principal_id,
                    scope,
                    span: g.span,
                });
            }
        }
        out
    }

    fn grant_scope(&mut self, e: &Expr) -> Option<GrantScope> {
        if let ExprKind::Ident(w) = &e.kind
            && !self.lets.contains_key(w)
        {
            let table = [
                ("workspace", 0u8),
                ("resource_group", 1),
                ("storage", 2),
                ("key_vault", 3),
                ("container_registry", 4),
            ];
            return self.choice(e, &table, "grant scope").map(|v| match v {
                0 => GrantScope::Workspace,
                1 => GrantScope::ResourceGroup,
                2 => GrantScope::Storage,
                3 => GrantScope::KeyVault,
                _ => GrantScope::ContainerRegistry,
            });
        }
        self.resource_id(e, None)
            .map(|(id, _)| GrantScope::Resource(id))
    }

    // ----- policy -------------------------------------------------------

    fn policy(&mut self, s: &Stmt) -> Option<Policy> {
        let name_e = self.label(s, "policy")?;
        let name = self.arm_name(name_e, "policy");
        let entries: &[Entry] = s.body.as_ref().map_or(&[], |b| &b.entries);
        let effects = names(Effect::ALL);
        let b = self.block(entries, "`policy`", &["scope", "region"], &effects);
        let span = s.head.span.to(name_e.span);
        let scope = match b.attrs.get("scope") {
            Some((_, e)) => self.policy_scope(e),
            None => {
                self.push(
                    Diagnostic::new(Code::MissingSetting, span, "policy has no `scope`")
                        .label("where is it assigned?")
                        .help("add `scope = management_group \"mg-name\"` or `scope = subscription \"<subscription id>\"`"),
                );
                None
            }
        };
        // A policy block has no cloud of its own: its region is checked
        // against the cloud that has it (public when none does).
        let region = b.attrs.get("region").and_then(|(_, e)| {
            let text = self.string(e)?.0.to_ascii_lowercase().replace(' ', "");
            let cloud = [
                (regions::USGOV_REGIONS, Cloud::UsGov),
                (regions::CHINA_REGIONS, Cloud::China),
            ]
            .iter()
            .find(|(l, _)| l.contains(&text.as_str()))
            .map_or(Cloud::Public, |(_, c)| *c);
            self.region(e, cloud).map(|(r, _)| r)
        });
        let mut controls: Vec<PolicyControl> = Vec::new();
        for st in &b.stmts {
            let Some(effect) = Effect::ALL
                .iter()
                .find(|(n, _)| *n == st.head.name)
                .map(|(_, e)| *e)
            else {
                continue;
            };
            let Some(c) = self.control(st, effect) else {
                continue;
            };
            if let Some(first) = controls
                .iter()
                .find(|p| std::mem::discriminant(&p.control) == std::mem::discriminant(&c.control))
            {
                self.push(
                    Diagnostic::new(
                        Code::DuplicateSetting,
                        st.span,
                        "this control appears twice in the policy",
                    )
                    .label("second time")
                    .with_label(first.span, "first here")
                    .help("keep one effect per control"),
                );
                continue;
            }
            controls.push(c);
        }
        Some(Policy {
            name: name?.0,
            scope: scope?,
            region,
            controls,
            span,
        })
    }

    fn policy_scope(&mut self, e: &Expr) -> Option<PolicyScope> {
        let help = "write `scope = management_group \"mg-name\"` or `scope = subscription \"<subscription id>\"`";
        let ExprKind::Tagged(tag, inner) = &e.kind else {
            self.push(
                Diagnostic::new(Code::TypeMismatch, e.span, "invalid policy scope")
                    .label("expected a scope kind and a name")
                    .help(help),
            );
            return None;
        };
        match tag.name.as_str() {
            "management_group" => {
                let (id, span) = self.string(inner)?;
                let valid = |id: &str| {
                    (1..=90).contains(&id.chars().count())
                        && id.chars().all(|c| {
                            c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '(' | ')')
                        })
                };
                // As for resource groups: letters of any script are valid,
                // ASCII mixed with look-alikes names another group.
                let mixed = suggest::mixes_look_alikes(&id);
                if valid(&id) && !mixed {
                    Some(PolicyScope::ManagementGroup(id))
                } else {
                    let msg = if mixed {
                        MIXED_SCRIPT
                    } else {
                        "1 to 90 letters, digits, `-`, `_`, `.`, `(`, `)`"
                    };
                    if let Some(d) = non_ascii_name(
                        self.written(inner),
                        &id,
                        span,
                        "management group",
                        msg,
                        valid,
                    ) {
                        self.push(if mixed { d.note(ACCEPTED_BUT_OTHER) } else { d });
                        return None;
                    }
                    self.push(
                        Diagnostic::new(Code::InvalidName, span, "invalid management group id")
                            .label("1 to 90 letters, digits, `-`, `_`, `.`, `(`, `)`")
                            .help("use the management group's id (its name), not its display name: `az account management-group list --query \"[].name\"`"),
                    );
                    None
                }
            }
            "subscription" => self.guid(inner).map(|(g, _)| PolicyScope::Subscription(g)),
            other => {
                self.push(
                    Diagnostic::new(
                        Code::InvalidEnumValue,
                        tag.span,
                        format!("`{other}` is not a policy scope"),
                    )
                    .label("expected `management_group` or `subscription`")
                    .suggest(other, ["management_group", "subscription"])
                    .help(help),
                );
                None
            }
        }
    }

    fn control(&mut self, st: &Stmt, effect: Effect) -> Option<PolicyControl> {
        let controls: Vec<&str> = Control::KEYWORDS.iter().map(|(n, _)| *n).collect();
        let Some(first) = st.args.first() else {
            self.push(
                Diagnostic::new(
                    Code::MissingSetting,
                    st.head.span,
                    format!("`{}` needs a control", st.head.name),
                )
                .label("which control?")
                .help(format!("controls: {}", list_words(&controls))),
            );
            return None;
        };
        let table: Vec<(&'static str, usize)> = Control::KEYWORDS
            .iter()
            .enumerate()
            .map(|(i, (n, _))| (*n, i))
            .collect();
        let idx = self.choice(first, &table, "policy control")?;
        let (keyword, allowed) = Control::KEYWORDS[idx];
        if !allowed.contains(&effect) {
            let list: Vec<&str> = allowed.iter().map(|e| e.keyword()).collect();
            self.push(
                Diagnostic::new(
                    Code::PolicyEffect,
                    st.head.span,
                    format!(
                        "`{keyword}` does not support the effect `{}`",
                        effect.keyword()
                    ),
                )
                .label("unsupported effect")
                .help(format!("`{keyword}` supports {}", list_words(&list))),
            );
            return None;
        }
        let entries: &[Entry] = st.body.as_ref().map_or(&[], |b| &b.entries);
        let ctx = format!("`{keyword}`");
        let control = match keyword {
            "private_endpoints" => {
                let b = self.block(entries, &ctx, &["allow_selected_ips"], &[]);
                let allow = b
                    .attrs
                    .get("allow_selected_ips")
                    .and_then(|(_, e)| self.bool(e))
                    .is_some_and(|(v, _)| v);
                Control::PrivateEndpoints {
                    allow_selected_ips: allow,
                }
            }
            "private_link" => {
                self.no_body(st, &ctx);
                Control::PrivateLink
            }
            "private_dns_zones" => {
                let b = self.block(entries, &ctx, &["zones"], &[]);
                let mut zone_ids = Vec::new();
                if let Some((_, e)) = b.attrs.get("zones") {
                    for item in self.list(e).unwrap_or_default() {
                        if let Some((id, _)) =
                            self.resource_id(&item, Some("Microsoft.Network/privateDnsZones"))
                        {
                            zone_ids.push(id);
                        }
                    }
                }
                Control::PrivateDnsZones { zone_ids }
            }
            "public_ip_compute" => {
                self.no_body(st, &ctx);
                Control::PublicIpCompute
            }
            "setup_script" => {
                let b = self.block(entries, &ctx, &["script"], &[]);
                Control::SetupScript {
                    script: b
                        .attrs
                        .get("script")
                        .and_then(|(_, e)| self.string(e))
                        .map(|(s, _)| s),
                }
            }
            "isolation_mode" => {
                let b = self.block(entries, &ctx, &["allowed"], &[]);
                let mut allowed = Vec::new();
                match b.attrs.get("allowed") {
                    Some((_, e)) => {
                        for item in self.list(e).unwrap_or_default() {
                            if let Some(m) =
                                self.choice(&item, IsolationMode::ALL, "isolation mode")
                                && !allowed.contains(&m)
                            {
                                allowed.push(m);
                            }
                        }
                    }
                    None => {
                        self.push(
                            Diagnostic::new(
                                Code::MissingSetting,
                                st.span,
                                "`isolation_mode` needs `allowed`",
                            )
                            .label("which modes are allowed?")
                            .help("add `{ allowed = [allow_only_approved_outbound] }`"),
                        );
                        return None;
                    }
                }
                allowed.sort();
                Control::IsolationMode { allowed }
            }
            "outbound_rules" => {
                let b = self.block(entries, &ctx, &["fqdns", "kinds"], &[]);
                let mut kinds = Vec::new();
                if let Some((_, e)) = b.attrs.get("kinds") {
                    for item in self.list(e).unwrap_or_default() {
                        if let Some(k) = self.choice(&item, RuleKind::ALL, "rule kind")
                            && !kinds.contains(&k)
                        {
                            kinds.push(k);
                        }
                    }
                } else {
                    kinds = RuleKind::ALL.iter().map(|(_, k)| *k).collect();
                }
                kinds.sort();
                let fqdns = b.attrs.get("fqdns").map(|(_, e)| {
                    let mut out = Vec::new();
                    for item in self.list(e).unwrap_or_default() {
                        if let Some((t, sp)) = self.string(&item) {
                            match FqdnPattern::parse(&t) {
                                Ok(f) => out.push(f),
                                Err(msg) => self.push(
                                    Diagnostic::new(Code::InvalidFqdn, sp, "invalid FQDN")
                                        .label(msg)
                                        .help(fqdn_help(&t)),
                                ),
                            }
                        }
                    }
                    out
                });
                Control::OutboundRules { kinds, fqdns }
            }
            "local_auth" => {
                self.no_body(st, &ctx);
                Control::LocalAuth
            }
            "ssh" => {
                self.no_body(st, &ctx);
                Control::Ssh
            }
            _ => {
                self.no_body(st, &ctx);
                Control::ComputeInSubnet
            }
        };
        if let Some(extra) = st.args.get(1) {
            self.push(
                Diagnostic::new(
                    Code::UnexpectedToken,
                    extra.span,
                    "a control takes one name",
                )
                .label("unexpected")
                .help("put its parameters in a block: `deny isolation_mode { allowed = [...] }`"),
            );
        }
        Some(PolicyControl {
            control,
            effect,
            span: st.span,
        })
    }
}

/// What a workspace's resources need to know about it while lowering.
/// The client private endpoints unless the posture lists them: the
/// workspace, and every associated resource that is private. In custom
/// VNet mode the default storage always: the service endpoint policy lets
/// the training subnet reach only Microsoft's storage over the service
/// endpoint, so the workspace's storage must be reached privately.
fn default_endpoints(
    storage: &Storage,
    kv: &KeyVault,
    acr: &ContainerRegistry,
    custom_vnet: bool,
) -> Vec<ClientEndpoint> {
    let mut out = vec![ClientEndpoint::Workspace];
    if custom_vnet || storage.public_network_access.value == Access::Disabled {
        out.push(ClientEndpoint::Storage);
    }
    if kv.public_network_access.value == Access::Disabled {
        out.push(ClientEndpoint::KeyVault);
    }
    if acr.public_network_access.value == Access::Disabled {
        out.push(ClientEndpoint::ContainerRegistry);
    }
    out
}

struct WsCtx {
    profile: Option<Profile>,
    cloud: Cloud,
}

impl WsCtx {
    /// Associated resources are private unless the profile is public data.
    fn resources_private(&self) -> (Access, Source) {
        match self.profile {
            Some(Profile::PublicData) => (Access::Enabled, Source::Profile(Profile::PublicData)),
            Some(p) => (Access::Disabled, Source::Profile(p)),
            None => (Access::Disabled, Source::SecureDefault),
        }
    }
}

/// Why Azure would refuse a compute name, if it would: the pattern of the
/// `workspaces/computes` name in Microsoft's ARM schema,
/// `^[a-zA-Z](?![a-zA-Z0-9-]*-\d+$)[a-zA-Z0-9\-]{2,23}$`.
fn compute_name_problem(name: &str) -> Option<String> {
    let len = name.chars().count();
    if !(3..=24).contains(&len) {
        return Some(format!("a compute name has 3 to 24 characters, not {len}"));
    }
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Some("a compute name starts with a letter".to_string());
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
    {
        return Some(format!(
            "a compute name has only letters, digits and `-`, not `{c}`"
        ));
    }
    let tail = name.trim_end_matches(|c: char| c.is_ascii_digit());
    if tail.len() < name.len() && tail.ends_with('-') {
        return Some("a compute name cannot end in `-` and digits".to_string());
    }
    None
}
