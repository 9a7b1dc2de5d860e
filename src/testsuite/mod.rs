//! Running `kyverno-test.yaml` suites: load what a test names, evaluate, compare.

pub mod compare;
mod offline;
pub mod run;
