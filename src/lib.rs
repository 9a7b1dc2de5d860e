//! nomos: a Kyverno-compatible policy interpreter.
//!
//! Data flow: paths → [`load`] → [`ir`] → `compile` (once) → `engine` (per payload)
//! → results rendered by `cli`. Every user-facing error is a [`diagnostic::Diagnostic`].

pub mod bench;
pub mod cli;
pub mod compile;
pub mod diagnostic;
pub mod engine;
pub mod ir;
pub mod jmespath;
pub mod load;
pub mod report;
pub mod source;
pub mod syntax;
pub mod testsuite;
pub mod value;
