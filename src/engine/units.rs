//! The unit readings the engine's comparisons share: Go durations and Kubernetes
//! quantities as they appear in patterns and conditions.

use std::cmp::Ordering;

/// A Go duration in nanoseconds (`"0"` alone is accepted, a bare number is not).
pub fn duration_nanos(_text: &str) -> Option<i64> {
    None
}

/// As [`duration_nanos`]; the pattern cascade also counts `"0"` as a duration operand.
pub fn duration_or_zero(text: &str) -> Option<i64> {
    if text == "0" {
        Some(0)
    } else {
        duration_nanos(text)
    }
}

/// Numeric order of two quantities, when both are quantities.
pub fn compare_quantities(_a: &str, _b: &str) -> Option<Ordering> {
    None
}

/// Whether a string is a Kubernetes quantity.
pub fn is_quantity(_text: &str) -> bool {
    false
}

/// Order of two strict semantic versions (`MAJOR.MINOR.PATCH[-pre][+build]`).
pub fn compare_versions(_a: &str, _b: &str) -> Option<Ordering> {
    None
}
