//! Kyverno's string functions (jmespath.md §2.3): string arguments in, strings, booleans,
//! numbers or string arrays out, each following the Go `strings` function it wraps.

mod case;

use std::cmp::Ordering;

use serde_json::Value;

use super::{FnError, Function, Types, num_arg, str_arg};
use crate::value;

const STR: Types = Types::STRING;
const NUM: Types = Types::NUMBER;

pub const FUNCTIONS: &[Function] = &[
    Function::plain(
        "compare",
        &[STR, STR],
        "number",
        "-1, 0 or 1 by bytewise order; a plain number (Kyverno's Go int, which never equals a literal, is not emulated).",
        compare,
    ),
    Function::plain(
        "equal_fold",
        &[STR, STR],
        "boolean",
        "Equality under simple Unicode case folding ('ß' is not 'SS').",
        equal_fold,
    ),
    Function::plain(
        "replace",
        &[STR, STR, STR, NUM],
        "string",
        "Replaces the first n occurrences (n truncated; n < 0 replaces all); an empty old inserts between chars.",
        replace,
    ),
    Function::plain(
        "replace_all",
        &[STR, STR, STR],
        "string",
        "Replaces every occurrence.",
        replace_all,
    ),
    Function::plain(
        "to_upper",
        &[STR],
        "string",
        "Upper case by per-char simple mapping ('ß' stays).",
        to_upper,
    ),
    Function::plain(
        "to_lower",
        &[STR],
        "string",
        "Lower case by per-char simple mapping.",
        to_lower,
    ),
    Function::plain(
        "trim",
        &[STR, STR],
        "string",
        "Strips leading and trailing chars found in the cutset.",
        trim,
    ),
    Function::plain(
        "trim_prefix",
        &[STR, STR],
        "string",
        "Removes the prefix once when present.",
        trim_prefix,
    ),
    Function::plain(
        "split",
        &[STR, STR],
        "array[string]",
        "Go strings.Split: an empty separator splits into chars.",
        split,
    ),
    Function::plain(
        "truncate",
        &[STR, NUM],
        "string",
        "First n chars (n truncated, negative means 0).",
        truncate,
    ),
];

fn string(s: impl Into<String>) -> Result<Value, FnError> {
    Ok(Value::String(s.into()))
}

fn compare(args: &[&Value]) -> Result<Value, FnError> {
    let ordering = str_arg(args, 0)?.cmp(str_arg(args, 1)?);
    let n = match ordering {
        Ordering::Less => -1.0,
        Ordering::Equal => 0.0,
        Ordering::Greater => 1.0,
    };
    Ok(value::number(n))
}

fn equal_fold(args: &[&Value]) -> Result<Value, FnError> {
    let (a, b) = (str_arg(args, 0)?, str_arg(args, 1)?);
    let equal = a.chars().map(case::fold).eq(b.chars().map(case::fold));
    Ok(Value::Bool(equal))
}

/// Go converts the float count with `int(n)`: truncation toward zero.
fn replace(args: &[&Value]) -> Result<Value, FnError> {
    let (s, old, new) = (str_arg(args, 0)?, str_arg(args, 1)?, str_arg(args, 2)?);
    let count = num_arg(args, 3)?.trunc();
    if count < 0.0 {
        return string(s.replace(old, new));
    }
    // The float-to-int cast saturates, which is all an oversized count can mean.
    string(s.replacen(old, new, count as usize))
}

fn replace_all(args: &[&Value]) -> Result<Value, FnError> {
    let (s, old, new) = (str_arg(args, 0)?, str_arg(args, 1)?, str_arg(args, 2)?);
    string(s.replace(old, new))
}

fn to_upper(args: &[&Value]) -> Result<Value, FnError> {
    string(
        str_arg(args, 0)?
            .chars()
            .map(case::upper)
            .collect::<String>(),
    )
}

fn to_lower(args: &[&Value]) -> Result<Value, FnError> {
    string(
        str_arg(args, 0)?
            .chars()
            .map(case::lower)
            .collect::<String>(),
    )
}

fn trim(args: &[&Value]) -> Result<Value, FnError> {
    let (s, cutset) = (str_arg(args, 0)?, str_arg(args, 1)?);
    string(s.trim_matches(|c| cutset.contains(c)))
}

fn trim_prefix(args: &[&Value]) -> Result<Value, FnError> {
    let (s, prefix) = (str_arg(args, 0)?, str_arg(args, 1)?);
    string(s.strip_prefix(prefix).unwrap_or(s))
}

fn split(args: &[&Value]) -> Result<Value, FnError> {
    let (s, sep) = (str_arg(args, 0)?, str_arg(args, 1)?);
    let parts: Vec<Value> = if sep.is_empty() {
        // Go yields one item per char; Rust's `split("")` adds empty ends.
        s.chars().map(|c| Value::String(c.to_string())).collect()
    } else {
        s.split(sep).map(|p| Value::String(p.to_string())).collect()
    };
    Ok(Value::Array(parts))
}

fn truncate(args: &[&Value]) -> Result<Value, FnError> {
    let s = str_arg(args, 0)?;
    // Negative lengths clamp to 0; the cast truncates and saturates like Go's `int()`.
    let n = num_arg(args, 1)?.max(0.0) as usize;
    match s.char_indices().nth(n) {
        Some((end, _)) => string(&s[..end]),
        None => string(s),
    }
}
