//! The value readers: string, bool, number, list, choice, resource id,
//! GUID, ARM name, region, tags, resource group, CIDR, ports, protocol and
//! identity, each checking a value's type and form, as `docs/language.md`
//! describes under "How a setting reads its value" (and the value forms of
//! "6. `defaults`"). Every block reads its values here; nothing here calls
//! a block.

use std::collections::BTreeMap;

use super::cx::{Cx, list_words, names};
use crate::catalog::regions;
use crate::diag::{Code, Diagnostic, suggest};
use crate::ir::newtypes::{
    ArmName, FqdnPattern, Guid, Ipv4Net, PortRanges, ResourceGroupName, ResourceId,
};
use crate::ir::{Cloud, Identity, Protocol, Region, TagSpan};
use crate::span::Span;
use crate::syntax::ast::{Expr, ExprKind};
use crate::syntax::token::StrPart;

/// What to write instead of an id of the wrong type: for the parent of
/// the expected type (a virtual network for a subnet), the missing child.
pub(super) fn wrong_type_help(expected: &str, found: &str) -> String {
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
pub(super) fn fqdn_help(text: &str) -> String {
    let host = text.split_once("://").map_or(text, |(_, h)| h);
    let host = host.split(['/', ':']).next().unwrap_or(host);
    if host != text && FqdnPattern::parse(host).is_ok() {
        format!("did you mean `{host}`?")
    } else {
        "write a host name such as `pypi.org`, or `*.pythonhosted.org` for every host under a ___domain".to_string()
    }
}

pub(super) const MIXED_SCRIPT: &str =
    "ASCII letters mixed with a look-alike character from another script";
pub(super) const ACCEPTED_BUT_OTHER: &str =
    "Azure accepts it, but it names a different group from the one it looks like";

/// AML2011 for a name with a character outside ASCII: points at the
/// character where `e` writes it (a plain string, at the use or in its
/// `let`) and names it (or says which character of the name it is, when
/// the name holds escapes or `${}`), and suggests the
/// name with look-alikes replaced by the ASCII characters they look like,
/// when that name is `valid`. `None` when the name is all ASCII.
pub(super) fn non_ascii_name(
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

impl Cx<'_> {
    pub(super) fn type_error(&mut self, e: &Expr, expected: &str) {
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

    pub(super) fn string(&mut self, e: &Expr) -> Option<(String, Span)> {
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

    pub(super) fn bool(&mut self, e: &Expr) -> Option<(bool, Span)> {
        match self.deref(e).kind {
            ExprKind::Bool(b) => Some((b, e.span)),
            _ => {
                self.type_error(e, "`true` or `false`");
                None
            }
        }
    }

    pub(super) fn number(&mut self, e: &Expr, min: u64, max: u64, what: &str) -> Option<u64> {
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

    pub(super) fn list(&mut self, e: &Expr) -> Option<Vec<Expr>> {
        match &self.deref(e).kind {
            ExprKind::List(items) => Some(items.clone()),
            _ => {
                self.type_error(e, "a list `[...]`");
                None
            }
        }
    }

    /// A value from a closed set, written as a bare name or a string.
    pub(super) fn choice<T: Copy>(
        &mut self,
        e: &Expr,
        table: &[(&'static str, T)],
        what: &str,
    ) -> Option<T> {
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

    pub(super) fn resource_id(
        &mut self,
        e: &Expr,
        expected_type: Option<&str>,
    ) -> Option<(ResourceId, Span)> {
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

    pub(super) fn guid(&mut self, e: &Expr) -> Option<(Guid, Span)> {
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

    pub(super) fn arm_name(&mut self, e: &Expr, what: &str) -> Option<(ArmName, Span)> {
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

    pub(super) fn region(&mut self, e: &Expr, cloud: Cloud) -> Option<(Region, Span)> {
        let (text, span) = self.string(e)?;
        let list = match cloud {
            Cloud::Public => regions::PUBLIC_REGIONS,
            Cloud::UsGov => regions::USGOV_REGIONS,
            Cloud::China => regions::CHINA_REGIONS,
        };
        let norm = regions::key(&text);
        if list.contains(&norm.as_str()) {
            return Some((Region(norm), span));
        }
        let other = regions::cloud_of(&norm);
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

    pub(super) fn tags(&mut self, e: &Expr) -> BTreeMap<String, (String, TagSpan)> {
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

    pub(super) fn resource_group(&mut self, e: &Expr) -> Option<(ResourceGroupName, Span)> {
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

    /// An IPv4 address or CIDR.
    pub(super) fn cidr(&mut self, e: &Expr, what: &str) -> Option<(Ipv4Net, Span)> {
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

    pub(super) fn ports(&mut self, e: &Expr) -> Option<PortRanges> {
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

    pub(super) fn identity(&mut self, e: &Expr) -> Identity {
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

    pub(super) fn protocol(&mut self, e: &Expr) -> Option<Protocol> {
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
}
