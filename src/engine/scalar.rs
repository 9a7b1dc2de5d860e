//! Scalar patterns (rules.md §7.5): booleans, numbers, null as "absent or zero", and string
//! patterns with `|`, `&`, comparison operators and ranges over durations, quantities and
//! wildcards.

use std::cmp::Ordering;

use serde_json::Value;

use super::units;
use crate::compile::pattern::{Op, Part, Scalar, StringPattern};

use crate::value::{go, wildcard};

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

/// The cascade of rules.md §7.5.2 step 6: durations, then quantities, then wildcards.
fn compare(value: &Value, op: Op, operand: &str) -> bool {
    if let Some(text) = unit_text(value) {
        if let (Some(a), Some(b)) = (
            units::duration_nanos(&text),
            units::duration_or_zero(operand),
        ) {
            return holds(op, a.cmp(&b));
        }
        if let Some(order) = units::compare_quantities(&text, operand) {
            return holds(op, order);
        }
    }
    let Some(text) = wildcard_text(value) else {
        return false;
    };
    match op {
        Op::Equal => wildcard::matches(operand, &text),
        Op::NotEqual => !wildcard::matches(operand, &text),
        _ => false,
    }
}

/// The value as the duration and quantity steps read it.
fn unit_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(go::format_f6(n.as_f64().unwrap_or(0.0))),
        Value::Null => Some("0".into()),
        _ => None,
    }
}

/// The value as the wildcard step reads it.
fn wildcard_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(go::format_e_upper(n.as_f64().unwrap_or(0.0))),
        Value::Bool(b) => Some(b.to_string()),
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
