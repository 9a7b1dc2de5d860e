//! Scalar patterns (rules.md §7.5): booleans, numbers, null as "absent or zero", and string
//! patterns with `|`, `&`, comparison operators and ranges over durations, quantities and
//! wildcards.

use std::borrow::Cow;
use std::cmp::Ordering;

use serde_json::Value;

use super::units;
use crate::compile::pattern::{Op, Operand, Part, Scalar, StringPattern};
use crate::value::quantity::Quantity;

use crate::value::go;

/// Whether `value` satisfies a scalar pattern.
pub fn matches(value: &Value, pattern: &Scalar) -> bool {
    match pattern {
        Scalar::Bool(b) => value.as_bool() == Some(*b),
        Scalar::Number(n) => match value {
            Value::Number(v) => v.as_f64() == Some(*n),
            Value::String(s) => crate::value::parse_float(s) == Some(*n),
            _ => false,
        },
        Scalar::Null => match value {
            Value::Null => true,
            Value::Number(v) => v.as_f64() == Some(0.0),
            Value::String(s) => s.is_empty(),
            Value::Bool(b) => !b,
            _ => false,
        },
        Scalar::String(s) => string_matches(value, s),
    }
}

/// How Kyverno prints a pattern in a mismatch message (`%v`).
pub fn display(pattern: &Scalar) -> String {
    match pattern {
        Scalar::Null => "<nil>".into(),
        Scalar::Bool(b) => b.to_string(),
        Scalar::Number(n) => go::format_g(*n),
        Scalar::String(s) => s.raw.clone(),
    }
}

fn string_matches(value: &Value, pattern: &StringPattern) -> bool {
    if value.as_str() == Some(pattern.raw.as_str()) {
        return true;
    }
    pattern
        .alternatives
        .iter()
        .any(|parts| parts.iter().all(|part| part_matches(value, part)))
}

fn part_matches(value: &Value, part: &Part) -> bool {
    match part {
        Part::Compare(op, operand) => compare(value, *op, operand),
        Part::InRange(a, b) => compare(value, Op::MoreEqual, a) && compare(value, Op::LessEqual, b),
        Part::NotInRange(a, b) => compare(value, Op::Less, a) || compare(value, Op::More, b),
    }
}

/// The cascade of rules.md §7.5.2 step 6: durations, then quantities, then wildcards. The
/// operand's readings were made when the pattern was compiled; the value is read as a unit
/// only when the operand is one.
fn compare(value: &Value, op: Op, operand: &Operand) -> bool {
    let has_unit = operand.duration.is_some() || operand.quantity.is_some();
    if has_unit && let Some(order) = unit_text(value).and_then(|t| unit_order(&t, operand)) {
        return holds(op, order);
    }
    let Some(text) = wildcard_text(value) else {
        return false;
    };
    match op {
        Op::Equal => operand.wildcard.matches(&text),
        Op::NotEqual => !operand.wildcard.matches(&text),
        _ => false,
    }
}

/// The order of a value's text and an operand as durations, else as quantities.
fn unit_order(text: &str, operand: &Operand) -> Option<Ordering> {
    if let Some(b) = operand.duration
        && let Some(a) = units::duration_nanos(text)
    {
        return Some(a.cmp(&b));
    }
    let b = operand.quantity.as_ref()?;
    Quantity::parse(text).ok()?.partial_cmp(b)
}

/// The value as the duration and quantity steps read it.
fn unit_text(value: &Value) -> Option<Cow<'_, str>> {
    match value {
        Value::String(s) => Some(Cow::Borrowed(s)),
        Value::Number(n) => Some(Cow::Owned(go::format_f6(n.as_f64().unwrap_or(0.0)))),
        Value::Null => Some(Cow::Borrowed("0")),
        _ => None,
    }
}

/// The value as the wildcard step reads it.
fn wildcard_text(value: &Value) -> Option<Cow<'_, str>> {
    match value {
        Value::String(s) => Some(Cow::Borrowed(s)),
        Value::Number(n) => Some(Cow::Owned(go::format_e_upper(n.as_f64().unwrap_or(0.0)))),
        Value::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
        _ => None,
    }
}

fn holds(op: Op, order: Ordering) -> bool {
    match op {
        Op::Equal => order == Ordering::Equal,
        Op::NotEqual => order != Ordering::Equal,
        Op::More => order == Ordering::Greater,
        Op::MoreEqual => order != Ordering::Less,
        Op::Less => order == Ordering::Less,
        Op::LessEqual => order != Ordering::Greater,
    }
}
