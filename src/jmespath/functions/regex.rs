//! Kyverno's regex and wildcard functions (jmespath.md §2.4): a Go RE2 pattern (or a
//! wildcard) and a string-or-number subject in, a boolean or the rewritten string out.
//! Also the number-to-string coercion of jmespath.md §2.2 that these functions share.

mod go_syntax;

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, MutexGuard, PoisonError};

use ::regex::{NoExpand, Regex, RegexBuilder};
use serde_json::Value;

use super::{FnError, Function, Types, str_arg};
use crate::value::{go, wildcard};

const STR: Types = Types::STRING;
const STR_OR_NUM: Types = Types::STRING.or(Types::NUMBER);

pub const FUNCTIONS: &[Function] = &[
    Function::plain(
        "regex_match",
        &[STR, STR_OR_NUM],
        "boolean",
        "Unanchored Go RE2 search; a number subject is printed as a 32-bit float.",
        regex_match,
    ),
    Function::plain(
        "regex_replace_all",
        &[STR, STR_OR_NUM, STR_OR_NUM],
        "string",
        "Replaces every match; $1, ${1} and ${name} expand ($1x is group '1x').",
        regex_replace_all,
    ),
    Function::plain(
        "regex_replace_all_literal",
        &[STR, STR_OR_NUM, STR_OR_NUM],
        "string",
        "Replaces every match with the replacement as is (no $ expansion).",
        regex_replace_all_literal,
    ),
    Function::plain(
        "pattern_match",
        &[STR, STR_OR_NUM],
        "boolean",
        "Whole-string wildcard match: '*' any run of chars, '?' one char.",
        pattern_match,
    ),
];

/// Go's `ifaceToString`: strings as is, numbers in the shortest form that round-trips a
/// 32-bit float (jmespath.md §2.2), booleans as `true`/`false`; other types have none.
pub(super) fn go_string(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => n.as_f64().map(go::format_f32),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// [`go_string`], borrowing a string instead of copying it.
fn go_str(value: &Value) -> Option<Cow<'_, str>> {
    match value {
        Value::String(s) => Some(Cow::Borrowed(s)),
        other => go_string(other).map(Cow::Owned),
    }
}

/// Argument `i` coerced with [`go_string`], with Kyverno's error when it cannot be.
fn string_or_real<'a>(args: &[&'a Value], i: usize) -> Result<Cow<'a, str>, FnError> {
    args.get(i).and_then(|v| go_str(v)).ok_or_else(|| {
        FnError::Kyverno(format!("argument #{} is not of type String or Real", i + 1))
    })
}

/// Compiled patterns, so a policy applied to many resources compiles each pattern once.
/// Bounded: when full it is emptied, which keeps memory flat for generated patterns.
/// Shared behind `Arc`: a cloned `Regex` starts with no search caches of its own, and
/// building them cost more than the search itself.
static CACHE: LazyLock<Mutex<HashMap<String, Arc<Regex>>>> = LazyLock::new(Default::default);
const CACHE_CAPACITY: usize = 256;

/// Compiles a Go pattern; the error text follows Go's `error parsing regexp: ...`.
fn compile(pattern: &str) -> Result<Arc<Regex>, String> {
    if let Some(regex) = cache().get(pattern) {
        return Ok(regex.clone());
    }
    // Go reads `\012` as an octal escape; the `regex` crate does so only when asked.
    let regex = RegexBuilder::new(&go_syntax::translate(pattern))
        .octal(true)
        .build()
        .map_err(|e| compile_error(pattern, &e))?;
    let regex = Arc::new(regex);
    let mut cache = cache();
    if cache.len() >= CACHE_CAPACITY {
        cache.clear();
    }
    cache.insert(pattern.to_string(), regex.clone());
    Ok(regex)
}

fn cache() -> MutexGuard<'static, HashMap<String, Arc<Regex>>> {
    // A poisoned lock only means another thread panicked mid-insert; the map is still valid.
    CACHE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The `regex` crate's message is multi-line (pattern, caret, `error: ...`); keep the
/// reason and name the pattern as Go does.
fn compile_error(pattern: &str, error: &::regex::Error) -> String {
    parse_error(pattern, &error.to_string())
}

/// Go's wording (error parsing regexp, the reason, the pattern in backquotes) from a
/// `regex-syntax` message, whose reason is on its `error: ` line.
pub(super) fn parse_error(pattern: &str, message: &str) -> String {
    let reason = message
        .lines()
        .find_map(|l| l.strip_prefix("error: "))
        .unwrap_or(message);
    format!("error parsing regexp: {reason}: `{pattern}`")
}

fn regex_match(args: &[&Value]) -> Result<Value, FnError> {
    let pattern = str_arg(args, 0)?;
    let subject = string_or_real(args, 1)?;
    // Kyverno returns this compile error without its function prefix.
    let regex = compile(pattern).map_err(FnError::Plain)?;
    Ok(Value::Bool(regex.is_match(&subject)))
}

/// The pattern, subject and replacement of the two replace functions.
struct Replace<'a> {
    regex: Arc<Regex>,
    subject: Cow<'a, str>,
    replacement: Cow<'a, str>,
}

fn replace_args<'a>(args: &[&'a Value]) -> Result<Replace<'a>, FnError> {
    let pattern = str_arg(args, 0)?;
    let subject = string_or_real(args, 1)?;
    let replacement = string_or_real(args, 2)?;
    let regex = compile(pattern).map_err(FnError::Kyverno)?;
    Ok(Replace {
        regex,
        subject,
        replacement,
    })
}

fn regex_replace_all(args: &[&Value]) -> Result<Value, FnError> {
    let r = replace_args(args)?;
    let replaced = r.regex.replace_all(&r.subject, r.replacement.as_ref());
    Ok(Value::String(replaced.into_owned()))
}

fn regex_replace_all_literal(args: &[&Value]) -> Result<Value, FnError> {
    let r = replace_args(args)?;
    let replaced = r.regex.replace_all(&r.subject, NoExpand(&r.replacement));
    Ok(Value::String(replaced.into_owned()))
}

fn pattern_match(args: &[&Value]) -> Result<Value, FnError> {
    let pattern = str_arg(args, 0)?;
    let subject = string_or_real(args, 1)?;
    Ok(Value::Bool(wildcard::matches(pattern, &subject)))
}
