//! An offline Azure Policy rule evaluator: does a policy definition's `if`
//! match an ARM resource, and with which effect? It follows Microsoft's
//! documented semantics ("Azure Policy definition structure policy rule",
//! "Author policies for array properties", the ARM template function
//! reference) and the vendored alias table (`policies/aliases.tsv`).
//!
//! - `aliases`: the embedded alias table (alias → resource type, ARM path).
//! - `expr`: the ARM expression language (`[concat(field('x'), '/')]`).
//! - `functions`: the template functions a rule may call.
//! - `ip`: `ipRangeContains()`, IPv4 and IPv6 ranges.
//! - `casefold`: case-insensitive comparison (Unicode full case folding,
//!   for `InvariantCultureIgnoreCase`).
//! - `indexed`: the resource types `Indexed` mode evaluates (embedded
//!   `indexed.tsv`, from Microsoft's ARM schemas).
//! - `ops`: the condition operators and the comparisons under them.
//! - `options`: how a definition is read ([`Escaping`], [`ReadOptions`]).
//! - `definition`: reads a definition (built-in, bare, or the
//!   Enterprise-Scale envelope with `[[`-escaped expressions) into a
//!   checked rule; every unknown operator, alias, function or effect is an
//!   error here, before any resource is seen, even in branches evaluation
//!   would skip.
//! - `rule`: the checked rule ([`Definition`], [`Mode`]): its condition
//!   tree, operands, counts and template values.
//! - `compile`: checks and compiles the conditions (operands, operators,
//!   counts, template expressions).
//! - `field`: the fields a condition reads (built-in fields and aliases).
//! - `params`: the declared parameters and their types.
//! - `effect`: the effects Azure Policy documents ([`Effect`]).
//! - `resource`: the fields of an ARM resource: built-in fields, alias paths
//!   with `[*]`, and the members a `count` is iterating.
//! - `eval`: evaluation, [`Verdict`] and [`Context`].
//! - `details`: a matched rule's `then.details`, resolved.
//! - `existence`: the existence check of `auditIfNotExists` and
//!   `deployIfNotExists` against given related resources.
//!
//! Pure: no IO. Nothing panics on any input; what cannot be evaluated is an
//! [`EvalError`], never a silent "not matched".

pub mod aliases;
mod casefold;
mod compile;
mod definition;
mod details;
mod effect;
pub mod eval;
pub mod existence;
pub mod expr;
mod field;
pub mod functions;
pub mod indexed;
pub mod ip;
pub mod ops;
mod options;
mod params;
pub mod resource;
pub mod rule;

pub use effect::Effect;
pub use eval::{Context, Verdict, evaluate, evaluate_with};
pub use options::{Escaping, ReadOptions};
pub use rule::{Definition, Mode};

use std::fmt;

/// What kind of problem stopped an evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The definition is malformed (not a policy definition, bad JSON shape).
    Definition,
    /// A construct this evaluator does not support or Azure does not know:
    /// an unknown operator, field, alias, function, mode or effect.
    Unsupported,
    /// An assignment value is missing, undeclared, of the wrong type, or not
    /// allowed.
    Parameter,
    /// The resource JSON cannot be evaluated (no `type`, an unevaluated
    /// template expression, an object where an array is expected).
    Resource,
    /// Evaluation failed the way Azure's would (a template function error, a
    /// comparison of mismatched types). Azure treats a failed evaluation as
    /// a deny.
    Evaluation,
}

/// Why a definition could not be evaluated, and where in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalError {
    pub kind: ErrorKind,
    /// Where in the definition, e.g. `policyRule.if.allOf[2].anyOf[1]`
    /// (empty when the problem is not in the rule).
    pub at: String,
    pub message: String,
}

impl EvalError {
    pub(crate) fn new(kind: ErrorKind, at: &str, message: impl Into<String>) -> EvalError {
        EvalError {
            kind,
            at: at.to_string(),
            message: message.into(),
        }
    }
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.at.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.at, self.message)
        }
    }
}

impl std::error::Error for EvalError {}

/// Shorthand for [`EvalError::new`], for the readers of a definition.
pub(crate) fn err(kind: ErrorKind, at: &str, message: impl Into<String>) -> EvalError {
    EvalError::new(kind, at, message)
}
