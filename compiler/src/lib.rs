//! amlgen: a compiler for Azure Machine Learning network posture.
//!
//! The pipeline is `SourceFile → Vec<Token> → ast::File → ir::Posture`, then
//! the posture rules; see `ARCHITECTURE.md`. [`compile`] runs it.

pub mod calendar;
pub mod catalog;
pub mod check;
pub mod deployed;
pub mod diag;
pub mod drift;
pub mod driver;
pub mod emit;
pub mod escape;
pub mod import;
pub mod ir;
pub mod lsp;
pub mod manifest;
pub mod policy;
pub mod source;
pub mod span;
pub mod syntax;

pub use driver::{Input, Options, Outcome, compile};
