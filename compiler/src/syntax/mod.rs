//! Posture text to syntax tree: the lexer, the tree and the parser.
//!
//! Nothing here knows what a workspace is; the tree is the grammar of
//! `docs/language.md` and may still be an invalid posture.

pub mod ast;
pub mod fmt;
pub mod lexer;
pub mod limits;
pub mod parser;
pub mod token;
