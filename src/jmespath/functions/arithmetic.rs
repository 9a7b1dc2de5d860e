//! Kyverno's arithmetic functions (jmespath.md §2).

use super::Function;

pub const FUNCTIONS: &[Function] = &[];
