//! The checked rule: what a policy definition becomes once read (see
//! `definition` for the reading and `compile` for the checks), ready to
//! evaluate any number of resources: its mode, condition tree, operands,
//! counts, template values and effect.

use serde_json::Value;

use super::aliases::Alias;
use super::expr::Expr;
use super::field::Field;
use super::ops::Op;
pub use super::options::Escaping;
use super::params::{ParamDef, find_param};

/// The definition's mode. Resource Provider modes (`Microsoft.*.Data`)
/// evaluate data-plane payloads, not ARM resources, and are rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    All,
    /// Azure evaluates only resource types that support tags and location
    /// (`indexed`); for the others the verdict is "not applicable".
    Indexed,
}

/// A JSON value of the rule whose strings may be expressions.
#[derive(Debug, Clone)]
pub(crate) enum Tmpl {
    Lit(Value),
    Expr(Expr),
    Array(Vec<Tmpl>),
    Object(Vec<(String, Tmpl)>),
}

#[derive(Debug, Clone)]
pub(crate) enum FieldRef {
    Known(Field),
    /// `"field": "[concat('tags[', parameters('tagName'), ']')]"`
    Dynamic(Expr),
}

#[derive(Debug, Clone)]
pub(crate) enum Operand {
    Field(FieldRef),
    Value(Tmpl),
    Count(Box<Count>),
}

#[derive(Debug, Clone)]
pub(crate) enum CountSource {
    /// A field count over an array alias.
    Field(&'static Alias),
    /// A value count over an array, with its index name.
    Value { value: Tmpl, name: String },
}

#[derive(Debug, Clone)]
pub(crate) struct Count {
    pub(crate) source: CountSource,
    pub(crate) filter: Option<Cond>,
}

/// A checked condition tree.
#[derive(Debug, Clone)]
pub(crate) enum Cond {
    AllOf(Vec<Cond>),
    AnyOf(Vec<Cond>),
    Not(Box<Cond>),
    Test {
        at: String,
        operand: Operand,
        op: Op,
        rhs: Tmpl,
    },
}

/// A policy definition, read and checked, ready to evaluate any number of
/// resources.
#[derive(Debug, Clone)]
pub struct Definition {
    pub(crate) cond: Cond,
    pub(crate) effect: Tmpl,
    /// `then.details` as written (template-escaped: as it deploys),
    /// resolved for a matched resource.
    pub(crate) details: Option<Value>,
    pub(crate) params: Vec<ParamDef>,
    pub(super) mode: Mode,
    pub(super) name: Option<String>,
    pub(super) display_name: Option<String>,
    pub(super) template_escaped: bool,
    /// How its fields were read (and `field()` calls are read at
    /// evaluation).
    pub(crate) options: super::options::ReadOptions,
}

impl Definition {
    #[must_use]
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The definition's `name` (a GUID for built-ins), when the file has one.
    #[must_use]
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    #[must_use]
    pub fn display_name(&self) -> Option<&str> {
        self.display_name.as_deref()
    }

    /// Whether the file was read as template-escaped (`[[` → `[`).
    #[must_use]
    pub fn template_escaped(&self) -> bool {
        self.template_escaped
    }

    /// The declared parameters.
    pub fn parameter_names(&self) -> impl Iterator<Item = &str> {
        self.params.iter().map(|p| p.name.as_str())
    }

    /// A declared parameter's type (`String`, `Array`, `Object`, `Boolean`,
    /// `Integer`, `Float`, `DateTime`), matched ignoring case.
    #[must_use]
    pub fn parameter_type(&self, name: &str) -> Option<&'static str> {
        find_param(&self.params, name).map(|p| p.ty.name())
    }
}
