//! The bounds that keep any input within a fixed amount of memory and
//! stack: how deep values and blocks nest, how large one `let` may expand,
//! and how much text the uses of lets may add to a build. Each is checked
//! before anything is expanded, so no input can make amlgen build the
//! value it is about to refuse.
//!
//! The numbers are far above what a posture needs (the 1,000-workspace
//! benchmark fleet uses a few KiB of lets) and far below what would strain
//! a build agent; `docs/language.md` ("Limits") lists them.

use std::collections::BTreeMap;

use super::ast::{Entry, Expr, ExprKind};
use super::token::StrPart;
use crate::span::Span;

/// How deep blocks, lists and maps may nest, in the text (the parser) and
/// through `let`s (`let b = [a]` is one level deeper than `a`).
pub const MAX_DEPTH: usize = 64;

/// The most one `let` may expand to, in bytes: its text, plus [`NODE`] for
/// each value in it (string, number, boolean, list, map, map item).
pub const MAX_LET_SIZE: usize = 1024 * 1024;

/// What one value of a list or map costs on top of its text: about what
/// it takes in memory, so that a list of 100,000 one-digit numbers counts
/// as the 6 MiB it occupies, not as 200 KiB. A `let` may still hold a list
/// of over 10,000 addresses.
pub const NODE: usize = 64;

/// The most all uses of lets may add to one build, counted the same way: a
/// 1 MiB `let` may be used 16 times, a 200-byte subnet id 80,000 times.
pub const MAX_EXPANSION: usize = 16 * 1024 * 1024;

/// The most tokens one build reads, over all its files (each costs about
/// 40 bytes, and its syntax tree and lowered posture up to 500 more): a
/// 1,000-workspace fleet with 20 rules each is about 200,000. The most
/// memory-hungry input per token (a file of empty workspaces, each
/// lowered with all its defaults) stays near 300 MiB at this limit.
pub const MAX_TOKENS: usize = 500_000;

/// The longest line amlgen reads. Every diagnostic shows its whole line,
/// so a line of megabytes would make each message megabytes of work; a
/// list of 2,000 address ranges on one line is 40 KiB.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// The size and depth a value expands to, as counted by [`extent`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Extent {
    pub size: usize,
    pub depth: usize,
}

/// What `e` expands to once the lets it names are substituted, computed
/// from the extents of those lets (`lets`) without expanding anything. A
/// name that is no let counts as written.
#[must_use]
pub fn extent(e: &Expr, lets: &BTreeMap<String, Extent>) -> Extent {
    let named = |n: &str| {
        lets.get(n).copied().unwrap_or(Extent {
            size: NODE + n.len(),
            depth: 1,
        })
    };
    let nested = |items: &mut dyn Iterator<Item = Extent>| {
        items.fold(
            Extent {
                size: NODE,
                depth: 1,
            },
            |acc, x| Extent {
                size: acc.size.saturating_add(x.size),
                depth: acc.depth.max(x.depth.saturating_add(1)),
            },
        )
    };
    match &e.kind {
        ExprKind::Str(parts) => Extent {
            size: parts.iter().fold(NODE, |acc, p| {
                acc.saturating_add(match p {
                    StrPart::Text(t) => t.len(),
                    StrPart::Interp(n, _) => named(n).size,
                })
            }),
            depth: 1,
        },
        ExprKind::Ident(n) => named(n),
        ExprKind::Number(_) | ExprKind::Bool(_) => Extent {
            size: NODE,
            depth: 1,
        },
        ExprKind::List(items) => nested(&mut items.iter().map(|i| extent(i, lets))),
        ExprKind::Map(items) => nested(&mut items.iter().map(|(k, v)| {
            let x = extent(v, lets);
            Extent {
                size: x.size.saturating_add(k.text.len()),
                ..x
            }
        })),
        ExprKind::Tagged(_, inner) => nested(&mut std::iter::once(extent(inner, lets))),
    }
}

/// Adds what each use of a let in `entries` (outside the lets themselves)
/// expands to onto `used`, in file order; returns the first use that takes
/// it past [`MAX_EXPANSION`], with the let's name.
pub fn overuse<'e>(
    entries: &'e [Entry],
    lets: &BTreeMap<String, Extent>,
    used: &mut usize,
) -> Option<(&'e str, Span)> {
    for e in entries {
        let found = match e {
            Entry::Let { .. } => None,
            Entry::Attr { value, .. } => uses(value, lets, used),
            Entry::Stmt(s) => s.args.iter().find_map(|a| uses(a, lets, used)).or_else(|| {
                s.body
                    .as_ref()
                    .and_then(|b| overuse(&b.entries, lets, used))
            }),
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

fn uses<'e>(
    e: &'e Expr,
    lets: &BTreeMap<String, Extent>,
    used: &mut usize,
) -> Option<(&'e str, Span)> {
    let mut count = |name: &'e str, span: Span| {
        let x = lets.get(name)?;
        *used = used.saturating_add(x.size);
        (*used > MAX_EXPANSION).then_some((name, span))
    };
    match &e.kind {
        ExprKind::Ident(n) => count(n, e.span),
        ExprKind::Str(parts) => parts.iter().find_map(|p| match p {
            StrPart::Interp(n, span) => count(n, *span),
            StrPart::Text(_) => None,
        }),
        ExprKind::List(items) => items.iter().find_map(|i| uses(i, lets, used)),
        ExprKind::Map(items) => items.iter().find_map(|(_, v)| uses(v, lets, used)),
        ExprKind::Tagged(_, inner) => uses(inner, lets, used),
        ExprKind::Number(_) | ExprKind::Bool(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Diagnostics;
    use crate::source::FileId;
    use crate::syntax::{lexer, parser};

    fn file(text: &str) -> crate::syntax::ast::File {
        let mut d = Diagnostics::default();
        let toks = lexer::lex(FileId(0), text, &mut d);
        parser::parse(&toks, &mut d)
    }

    /// The extents of a file's lets, each from those before it.
    fn extents(text: &str) -> Vec<Extent> {
        let f = file(text);
        let mut lets = BTreeMap::new();
        let mut out = Vec::new();
        for e in &f.entries {
            if let Entry::Let { name, value } = e {
                let x = extent(value, &lets);
                lets.insert(name.name.clone(), x);
                out.push(x);
            }
        }
        out
    }

    #[test]
    fn doubling_is_counted_without_expanding() {
        let text: String = std::iter::once("let a0 = \"xxxxxxxx\"\n".to_string())
            .chain((1..=60).map(|i| format!("let a{i} = \"${{a{}}}${{a{}}}\"\n", i - 1, i - 1)))
            .collect();
        let x = extents(&text);
        assert_eq!(x[0].size, NODE + 8);
        assert_eq!(x[1].size, NODE + 2 * (NODE + 8));
        assert!(x[10].size > 8 << 10);
        // Saturates instead of overflowing.
        assert_eq!(x[60].size, usize::MAX);
        let x = extents("let a = [\"ab\", 1]\nlet b = [a, a]\nlet c = { k = b }\n");
        let a = NODE + (NODE + 2) + NODE;
        assert_eq!(x[0], Extent { size: a, depth: 2 });
        assert_eq!(
            x[1],
            Extent {
                size: NODE + 2 * a,
                depth: 3
            }
        );
        assert_eq!(
            x[2],
            Extent {
                size: NODE + 1 + NODE + 2 * a,
                depth: 4
            }
        );
    }

    #[test]
    fn uses_are_summed_in_file_order() {
        let f = file("let a = \"x\"\nw \"n\" { t = a\n  u = \"${a}${a}\" }\n");
        let mut lets = BTreeMap::new();
        lets.insert(
            "a".to_string(),
            Extent {
                size: MAX_EXPANSION / 2,
                depth: 1,
            },
        );
        let mut used = 0;
        let (name, span) = overuse(&f.entries, &lets, &mut used).expect("over");
        assert_eq!(name, "a");
        // The third use (the second interpolation) crosses the bound.
        assert_eq!(span.start, 39);
    }
}
