//! Kyverno's `random` (jmespath.md §2.10): a regex pattern in, a random string that the
//! pattern matches out.

use rand::RngExt as _;
use serde_json::Value;

use super::{FnError, Function, Types, str_arg};

/// Extra repetitions `*`, `+` and `{n,}` may produce (jmespath.md §2.10: about ten).
const MAX_REPEAT: u32 = 10;

pub const FUNCTIONS: &[Function] = &[Function::plain(
    "random",
    &[Types::STRING],
    "string",
    "Random string matching a regex; unbounded repeats add at most 10; a leading ^ and trailing $ are ignored.",
    random,
)];

fn random(args: &[&Value]) -> Result<Value, FnError> {
    let pattern = str_arg(args, 0)?;
    if pattern.is_empty() {
        return Err(FnError::Plain("no pattern provided".into()));
    }
    let generator = rand_regex::Regex::compile(strip_anchors(pattern), MAX_REPEAT)
        .map_err(|e| FnError::Plain(super::regex::parse_error(pattern, &e.to_string())))?;
    let sampled: Result<String, _> = rand::rng().sample(&generator);
    // Byte classes such as `(?-u:\xFF)` can yield bytes that are not UTF-8.
    sampled
        .map(Value::String)
        .map_err(|_| FnError::Plain("pattern generates text that is not UTF-8".into()))
}

/// Kyverno's generator emits nothing for anchors; the Rust one rejects them, so a leading
/// `^` and an unescaped trailing `$` (the common `^...$`) are removed.
fn strip_anchors(pattern: &str) -> &str {
    let start = pattern.strip_prefix('^').unwrap_or(pattern);
    match start.strip_suffix('$') {
        Some(inner) if !ends_with_escape(inner) => inner,
        _ => start,
    }
}

/// Whether the text ends in an odd run of backslashes, so a following `$` is escaped.
fn ends_with_escape(text: &str) -> bool {
    text.bytes().rev().take_while(|b| *b == b'\\').count() % 2 == 1
}
