//! The unit readings the engine's comparisons share: Go durations, Kubernetes quantities
//! and semantic versions as they appear in patterns and conditions.

use std::cmp::Ordering;

use crate::value::duration::Duration;
use crate::value::quantity::Quantity;
use crate::value::semver::Version;

/// A Go duration in nanoseconds (`"0"` alone is accepted, a bare number is not).
pub fn duration_nanos(text: &str) -> Option<i64> {
    Duration::read(text).ok().map(Duration::as_nanos)
}

/// Whether a string is a Kubernetes quantity.
pub fn is_quantity(text: &str) -> bool {
    Quantity::parse(text).is_ok()
}

/// Numeric order of two quantities, when both are quantities.
pub fn compare_quantities(a: &str, b: &str) -> Option<Ordering> {
    let (a, b) = (Quantity::parse(a).ok()?, Quantity::parse(b).ok()?);
    a.partial_cmp(&b)
}

/// Order of two strict semantic versions (`MAJOR.MINOR.PATCH[-pre][+build]`).
pub fn compare_versions(a: &str, b: &str) -> Option<Ordering> {
    let (a, b) = (Version::parse(a).ok()?, Version::parse(b).ok()?);
    a.partial_cmp(&b)
}
