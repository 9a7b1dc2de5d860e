//! Scalar patterns (rules.md §7.5): booleans, numbers, null as "absent or zero", and string
//! patterns with `|`, `&`, comparison operators and ranges over durations, quantities and
//! wildcards.

use std::borrow::Cow;
use std::cmp::Ordering;

use serde_json::Value;

use super::units;
use crate::compile::pattern::{Op, Operand, Part, Scalar, StringPattern};
use crate::value::quantity::{Format, Quantity};

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
    // Plain texts only: for a string, each alternative is an equality of texts.
    if let (Some(literals), Value::String(text)) = (&pattern.literals, value) {
        return literals.binary_search_by(|l| (**l).cmp(text)).is_ok();
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
    let order = || match integral(value) {
        // An integral number reads as `<n>.000000`, which is never a duration (it has no
        // unit) and is the quantity `n`: compared without writing and reading the text.
        Some(n) => operand
            .quantity
            .as_ref()
            .and_then(|b| Quantity::from_i64(n, Format::DecimalSI).partial_cmp(b)),
        None => unit_text(value).and_then(|t| unit_order(&t, operand)),
    };
    if has_unit && let Some(order) = order() {
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

/// The integer a number holds, when [`go::format_f6`] writes it as `<n>.000000`.
fn integral(value: &Value) -> Option<i64> {
    let f = value.as_number()?.as_f64()?;
    let negative_zero = f == 0.0 && f.is_sign_negative();
    (f.fract() == 0.0 && f.abs() <= crate::value::EXACT_INTEGERS && !negative_zero)
        .then_some(f as i64)
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

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::matches;
    use crate::compile::pattern::{Scalar, StringPattern};

    /// An integral number's text (`<n>.000000`) is never a duration, and is the quantity
    /// `n`: what comparing the number without its text assumes.
    #[test]
    fn integral_numbers_read_as_their_quantity() {
        use crate::engine::units::duration_nanos;
        use crate::value::quantity::{Format, Quantity};
        for n in [
            0_i64,
            1,
            7,
            1000,
            -1,
            -65534,
            1 << 40,
            9_007_199_254_740_992,
        ] {
            let text = crate::value::go::format_f6(n as f64);
            assert_eq!(duration_nanos(&text), None, "{text}");
            let read = Quantity::parse(&text).expect("a quantity");
            assert_eq!(read, Quantity::from_i64(n, Format::DecimalSI), "{text}");
            assert_eq!(super::integral(&Value::from(n)), Some(n));
        }
        assert_eq!(super::integral(&json!(1.5)), None);
        assert_eq!(super::integral(&json!(-0.0)), None);
        assert_eq!(super::integral(&json!("1")), None);
        // Numbers against a unit operand decide as their text does.
        for (raw, value, expected) in [
            ("!0", json!(1000), true),
            ("!0", json!(0), false),
            (">0", json!(0.5), true),
            ("<1Ki", json!(1023), true),
            ("<1Ki", json!(1024), false),
            ("1h", json!(3600), false),
        ] {
            let pattern = Scalar::String(StringPattern::parse(raw));
            assert_eq!(matches(&value, &pattern), expected, "{value} against {raw}");
        }
    }

    /// Patterns of plain texts keep them sorted; a wildcard, an operator, a conjunction or
    /// a text that reads as a duration or a quantity keeps none.
    #[test]
    fn plain_alternatives_are_kept_as_texts() {
        let texts = |raw: &str| {
            StringPattern::parse(raw)
                .literals
                .map(|l| l.iter().map(|t| t.to_string()).collect::<Vec<_>>())
        };
        let sorted = ["AUDIT_WRITE", "CHOWN", "KILL"].map(String::from);
        assert_eq!(texts("KILL | CHOWN | AUDIT_WRITE"), Some(sorted.to_vec()));
        assert_eq!(texts("Localhost"), Some(vec!["Localhost".to_string()]));
        for raw in [
            "a* | b", "a | b?", "!a | b", ">1 | b", "a & b", "1Gi | b", "1h | b", "0",
        ] {
            assert_eq!(texts(raw), None, "{raw}");
        }
    }

    /// The kept texts decide as the alternatives do, for strings and other values alike.
    #[test]
    fn kept_texts_match_as_the_alternatives() {
        let values = [
            json!("CHOWN"),
            json!("chown"),
            json!("KILL"),
            json!(""),
            json!("KILL | CHOWN"),
            json!("1"),
            json!(1),
            json!(true),
            json!(null),
        ];
        for raw in ["KILL | CHOWN", "CHOWN", " | KILL", "true | yes", "true"] {
            let kept = StringPattern::parse(raw);
            assert!(kept.literals.is_some(), "{raw}");
            let general = StringPattern {
                literals: None,
                ..kept.clone()
            };
            for value in &values {
                let decide = |p: &StringPattern| matches(value, &Scalar::String(p.clone()));
                assert_eq!(decide(&kept), decide(&general), "{raw} against {value}");
            }
        }
        assert!(matches(
            &Value::from("KILL"),
            &Scalar::String(StringPattern::parse("KILL | CHOWN"))
        ));
    }
}
