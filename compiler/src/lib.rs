//! amlgen: a compiler for Azure Machine Learning network posture.
//!
//! The pipeline is `SourceFile → Vec<Token> → ast::File → ir::Posture`, then
//! the posture rules; see `ARCHITECTURE.md`. [`compile`] runs it.

pub mod diag;
pub mod source;
pub mod span;
pub mod syntax;
