//! Kyverno's `semver_compare` (jmespath.md §2.9): a strict semantic version checked
//! against a blang/semver range. An unreadable version counts as `0.0.0`; an unreadable
//! range is an error, reported without the function prefix.

use serde_json::Value;

use super::{FnError, Function, Types, str_arg};
use crate::value::semver::{Range, Version};

pub const FUNCTIONS: &[Function] = &[Function::plain(
    "semver_compare",
    &[Types::STRING, Types::STRING],
    "boolean",
    "Whether a version satisfies a range ('>=1.2.3 <2.0.0 || 3.x'); a bad version is 0.0.0.",
    semver_compare,
)];

fn semver_compare(args: &[&Value]) -> Result<Value, FnError> {
    let version = Version::parse(str_arg(args, 0)?).unwrap_or_default();
    let range = Range::parse(str_arg(args, 1)?).map_err(|e| FnError::Plain(e.to_string()))?;
    Ok(Value::Bool(range.matches(&version)))
}
