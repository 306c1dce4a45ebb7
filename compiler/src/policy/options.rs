//! How a definition file is read: how `[[` reads in it ([`Escaping`]) and
//! where its fields come from ([`ReadOptions`]). Plain settings, apart from
//! the reading itself (`definition`), so that every stage can name them.

use super::aliases;

/// How `[[` reads in a definition file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Escaping {
    /// Template-escaped when every expression in the rule and parameters is
    /// written `[[...]` and none `[...]`; direct when no `[[...]` string
    /// would deploy as an expression (so `"[[x]"`, a literal of a direct
    /// file, reads `[x]`); a mix is an error (say which one it is).
    #[default]
    Auto,
    /// The file is embedded in an ARM template (Enterprise-Scale): `[[` is
    /// `[`, and a plain `[...]` would be evaluated by ARM at deployment,
    /// which an offline evaluation cannot do (an error).
    Template,
    /// The definition as Azure Policy stores it: `[...]` is an expression,
    /// `[[...]` a literal starting with `[`.
    Direct,
}

/// How a definition's fields are read. The default is what Azure does:
/// a `field` is a built-in field or an alias of the vendored table
/// (`policies/aliases.tsv`), anything else an error. The other settings
/// are test aids, for suites written against other catalogues.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadOptions {
    /// A `field` that is neither a built-in field nor an alias reads that
    /// raw path of the resource JSON (`properties.x[*].y`), for any
    /// resource type, and a resource may lack `type`. Never the default:
    /// real definitions name aliases, and a misspelt alias must stay an
    /// error.
    pub raw_paths: bool,
    /// Another alias table to read aliases from instead of the vendored one.
    pub aliases: Option<&'static aliases::AliasTable>,
}
