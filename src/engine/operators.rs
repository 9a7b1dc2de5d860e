//! Condition operators with Kyverno's exact semantics (rules.md §6.2–§6.7): asymmetric
//! coercions, wildcards in values, ranges, JSON-encoded lists, durations, quantities and
//! semantic versions. Operators never fail: a mismatch of types is `false`.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde_json::Value;

use super::units;
use crate::compile::matching::Pattern as Wildcard;
use crate::value::go::sprint_cow;
use crate::value::{deep_eq, parse_float, wildcard};

/// Kyverno's condition operators, named as Kyverno names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operator {
    Equals,
    NotEquals,
    In,
    NotIn,
    AnyIn,
    AllIn,
    AnyNotIn,
    AllNotIn,
    GreaterThan,
    GreaterThanOrEquals,
    LessThan,
    LessThanOrEquals,
    DurationGreaterThan,
    DurationGreaterThanOrEquals,
    DurationLessThan,
    DurationLessThanOrEquals,
}

/// Every accepted spelling, as policy validation requires it (rules.md §1.6 item 4).
const NAMES: [(&str, Operator); 18] = [
    ("Equal", Operator::Equals),
    ("Equals", Operator::Equals),
    ("NotEqual", Operator::NotEquals),
    ("NotEquals", Operator::NotEquals),
    ("In", Operator::In),
    ("AnyIn", Operator::AnyIn),
    ("AllIn", Operator::AllIn),
    ("NotIn", Operator::NotIn),
    ("AnyNotIn", Operator::AnyNotIn),
    ("AllNotIn", Operator::AllNotIn),
    ("GreaterThanOrEquals", Operator::GreaterThanOrEquals),
    ("GreaterThan", Operator::GreaterThan),
    ("LessThanOrEquals", Operator::LessThanOrEquals),
    ("LessThan", Operator::LessThan),
    (
        "DurationGreaterThanOrEquals",
        Operator::DurationGreaterThanOrEquals,
    ),
    ("DurationGreaterThan", Operator::DurationGreaterThan),
    (
        "DurationLessThanOrEquals",
        Operator::DurationLessThanOrEquals,
    ),
    ("DurationLessThan", Operator::DurationLessThan),
];

impl Operator {
    /// Every accepted spelling, for diagnostics.
    pub fn names() -> impl Iterator<Item = &'static str> {
        NAMES.iter().map(|(n, _)| *n)
    }
}

impl FromStr for Operator {
    type Err = String;

    /// The exact, case-sensitive names policy validation accepts.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        NAMES
            .iter()
            .find(|(n, _)| *n == s)
            .map(|(_, op)| *op)
            .ok_or_else(|| format!("unknown operator {s:?}"))
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self:?}")
    }
}

/// Applies an operator to a substituted key and value.
pub fn apply(op: Operator, key: &Value, value: &Value) -> bool {
    match op {
        Operator::Equals => equals(key, value),
        Operator::NotEquals => !key.is_null() && !equals(key, value),
        Operator::In => legacy_in(key, value).unwrap_or(false),
        Operator::NotIn => legacy_not_in(key, value),
        Operator::AnyIn | Operator::AllIn | Operator::AnyNotIn | Operator::AllNotIn => {
            set_op(op, key, value).unwrap_or(false)
        }
        Operator::GreaterThan => numeric(key, value).is_some_and(|o| o == Ordering::Greater),
        Operator::GreaterThanOrEquals => numeric(key, value).is_some_and(|o| o != Ordering::Less),
        Operator::LessThan => numeric(key, value).is_some_and(|o| o == Ordering::Less),
        Operator::LessThanOrEquals => numeric(key, value).is_some_and(|o| o != Ordering::Greater),
        Operator::DurationGreaterThan => {
            durations(key, value).is_some_and(|o| o == Ordering::Greater)
        }
        Operator::DurationGreaterThanOrEquals => {
            durations(key, value).is_some_and(|o| o != Ordering::Less)
        }
        Operator::DurationLessThan => durations(key, value).is_some_and(|o| o == Ordering::Less),
        Operator::DurationLessThanOrEquals => {
            durations(key, value).is_some_and(|o| o != Ordering::Greater)
        }
    }
}

/// [`apply`] with a value that is a fixed list of strings, `wildcards` being those strings
/// compiled: the set operators then match each key against the compiled patterns.
pub fn apply_to_list(op: Operator, key: &Value, value: &Value, wildcards: &[Wildcard]) -> bool {
    match op {
        Operator::AnyIn | Operator::AllIn | Operator::AnyNotIn | Operator::AllNotIn => {
            set_op_compiled(op, key, wildcards).unwrap_or(false)
        }
        _ => apply(op, key, value),
    }
}

/// `set_op` over a list of compiled strings (see [`apply_to_list`]).
fn set_op_compiled(op: Operator, key: &Value, wildcards: &[Wildcard]) -> Option<bool> {
    if let Some(k) = scalar_text(key) {
        return Some(matches!(op, Operator::AnyIn | Operator::AllIn) == found_in(wildcards, &k));
    }
    Some(list_against(
        op,
        key.as_array()?.iter().map(sprint_cow),
        |k| found_in(wildcards, k),
    ))
}

/// [`apply_to_list`] for a key that is a list given as its elements (a list the key's
/// expression built, not copied into an array); `None` unless `op` is a set operator.
pub fn set_op_elements(op: Operator, keys: &[&Value], wildcards: &[Wildcard]) -> Option<bool> {
    match op {
        Operator::AnyIn | Operator::AllIn | Operator::AnyNotIn | Operator::AllNotIn => {
            let texts = keys.iter().map(|key| sprint_cow(key));
            Some(list_against(op, texts, |k| found_in(wildcards, k)))
        }
        _ => None,
    }
}

/// Whether key text `k` is among `wildcards` (either way round, see [`either`]).
fn found_in(wildcards: &[Wildcard], k: &str) -> bool {
    let shape = wildcard::shape(k);
    wildcards.iter().any(|w| either(w, k, shape))
}

/// `W(w, k) || W(k, w)` for a compiled `w` and a key of wildcard shape `shape`.
fn either(w: &Wildcard, k: &str, shape: wildcard::Shape) -> bool {
    // A key without wildcards matches as a pattern only the equal text, compared first; a
    // compiled string without wildcards matches only that text too.
    w.as_str() == k
        || (!w.is_literal() && w.matches(k))
        || (shape != wildcard::Shape::Exact && wildcard::matches_as(shape, k, w.as_str()))
}

/// A string that parses as a Go duration and is not exactly `"0"`.
fn duration_string(v: &Value) -> Option<i64> {
    v.as_str()
        .filter(|s| *s != "0")
        .and_then(units::duration_nanos)
}

/// rules.md §6.2 `durPair`: at least one side a duration string, the other a duration
/// string or a number of seconds (fraction truncated).
fn dur_pair(key: &Value, value: &Value) -> Option<(i64, i64)> {
    let side = |v: &Value| {
        duration_string(v).or_else(|| {
            v.as_f64()
                .map(|s| (s.trunc() as i64).saturating_mul(1_000_000_000))
        })
    };
    if duration_string(key).is_none() && duration_string(value).is_none() {
        return None;
    }
    Some((side(key)?, side(value)?))
}

fn equals(key: &Value, value: &Value) -> bool {
    match key {
        Value::Bool(k) => value.as_bool() == Some(*k),
        Value::Number(k) => match value {
            Value::Number(_) => deep_eq(key, value),
            Value::String(s) => parse_float(s).is_some_and(|f| Some(f) == k.as_f64()),
            _ => false,
        },
        Value::String(k) => string_equals(k, key, value),
        Value::Object(_) => value.is_object() && deep_eq(key, value),
        Value::Array(_) => value.is_array() && deep_eq(key, value),
        Value::Null => false,
    }
}

/// Whether a fixed text compared with `Equals` or `NotEquals` can only equal a string key
/// of the same text: one without wildcards, which reads as neither a duration nor a
/// quantity. [`string_equals`] then never takes the duration or the quantity step (both
/// need the value to read as one), and its wildcard step is a comparison of texts.
pub fn plain_text(text: &str) -> bool {
    let value = Value::String(text.into());
    !wildcard::contains_wildcard(text)
        && duration_string(&value).is_none()
        && !units::is_quantity(text)
}

fn string_equals(k: &str, key: &Value, value: &Value) -> bool {
    if let Some((a, b)) = dur_pair(key, value) {
        return a == b;
    }
    match value.as_str() {
        Some(v) if units::is_quantity(k) => {
            units::compare_quantities(k, v) == Some(Ordering::Equal)
        }
        Some(v) => wildcard::matches(v, k),
        None => false,
    }
}

/// `ParseFloat` cascade of the ordering operators (rules.md §6.6).
fn numeric(key: &Value, value: &Value) -> Option<Ordering> {
    match key {
        Value::Number(k) => number_against(k.as_f64()?, key, value),
        Value::String(k) => {
            if let Some((a, b)) = dur_pair(key, value) {
                return Some(a.cmp(&b));
            }
            if let Some(order) = value.as_str().and_then(|v| units::compare_quantities(k, v)) {
                return Some(order);
            }
            if let Some(f) = parse_float(k) {
                return number_against(f, &crate::value::number(f), value);
            }
            units::compare_versions(k, value.as_str()?)
        }
        _ => None,
    }
}

fn number_against(k: f64, key: &Value, value: &Value) -> Option<Ordering> {
    match value {
        Value::Number(v) => k.partial_cmp(&v.as_f64()?),
        Value::String(s) => match dur_pair(key, value) {
            Some((a, b)) => Some(a.cmp(&b)),
            None => k.partial_cmp(&parse_float(s)?),
        },
        _ => None,
    }
}

/// The deprecated Duration* operators: numbers are seconds, strings Go durations.
fn durations(key: &Value, value: &Value) -> Option<Ordering> {
    let side = |v: &Value| match v {
        Value::Number(n) => Some((n.as_f64()?.trunc() as i64).saturating_mul(1_000_000_000)),
        Value::String(s) => units::duration_nanos(s),
        _ => None,
    };
    Some(side(key)?.cmp(&side(value)?))
}

/// `W(a, b) || W(b, a)`.
fn both_wild(a: &str, b: &str) -> bool {
    a == b || wildcard::matches(a, b) || wildcard::matches(b, a)
}

/// A value string that is valid JSON must be an array of strings (`None` = invalid).
fn json_strings(v: &str) -> Option<Option<Vec<String>>> {
    let parsed: Value = serde_json::from_str(v).ok()?;
    Some(parsed.as_array().and_then(|items| {
        items
            .iter()
            .map(|i| i.as_str().map(str::to_string))
            .collect()
    }))
}

fn scalar_text(key: &Value) -> Option<Cow<'_, str>> {
    match key {
        Value::String(_) | Value::Number(_) | Value::Bool(_) => Some(sprint_cow(key)),
        _ => None,
    }
}

/// Deprecated `In` (rules.md §6.4); `None` means the operands are invalid.
fn legacy_in(key: &Value, value: &Value) -> Option<bool> {
    if let Some(k) = scalar_text(key) {
        return match value {
            Value::Array(items) => Some(items.iter().any(|e| both_wild(&sprint_cow(e), &k))),
            Value::String(v) if wildcard::matches(v, &k) => Some(true),
            Value::String(v) => Some(json_strings(v)??.iter().any(|s| *s == k)),
            _ => None,
        };
    }
    let keys = string_list(key)?;
    let values = match value {
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()?,
        Value::String(v) if keys.len() == 1 && keys[0] == *v => return Some(true),
        Value::String(v) => json_strings(v)??,
        _ => return None,
    };
    Some(keys.iter().all(|k| values.contains(k)))
}

fn legacy_not_in(key: &Value, value: &Value) -> bool {
    if scalar_text(key).is_some() {
        return legacy_in(key, value).is_some_and(|found| !found);
    }
    let Some(keys) = string_list(key) else {
        return false;
    };
    if matches!(value, Value::String(v) if keys.len() == 1 && keys[0] == *v) {
        return true;
    }
    let values = match value {
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>(),
        Value::String(v) => json_strings(v).flatten(),
        _ => None,
    };
    values.is_some_and(|values| keys.iter().any(|k| !values.contains(k)))
}

fn string_list(key: &Value) -> Option<Vec<String>> {
    key.as_array()?
        .iter()
        .map(|i| i.as_str().map(str::to_string))
        .collect()
}

/// `AnyIn`, `AllIn`, `AnyNotIn`, `AllNotIn` (rules.md §6.5); `None` means invalid.
fn set_op(op: Operator, key: &Value, value: &Value) -> Option<bool> {
    if let Some(k) = scalar_text(key) {
        let found = scalar_exists(&k, value)?;
        return Some(matches!(op, Operator::AnyIn | Operator::AllIn) == found);
    }
    let key_items = key.as_array()?;
    // Lists of strings (the usual case) are compared in place, without collecting texts.
    if let Value::Array(items) = value
        && items.iter().all(Value::is_string)
    {
        let values = items.iter().filter_map(Value::as_str);
        let found = |k: &str| values.clone().any(|v| both_wild(k, v));
        return Some(list_against(op, key_items.iter().map(sprint_cow), found));
    }
    let keys: Vec<Cow<str>> = key_items.iter().map(sprint_cow).collect();
    let values: Vec<Cow<str>> = match value {
        Value::Array(items) => items.iter().map(sprint_cow).collect(),
        Value::Number(_) | Value::Bool(_) if matches!(op, Operator::AnyIn | Operator::AnyNotIn) => {
            vec![sprint_cow(value)]
        }
        Value::String(v) => return list_against_string(op, &keys, v),
        _ => return None,
    };
    Some(list_against(op, &keys, |k| {
        values.iter().any(|v| both_wild(k, v))
    }))
}

fn list_against<K: AsRef<str>>(
    op: Operator,
    keys: impl IntoIterator<Item = K>,
    found: impl Fn(&str) -> bool,
) -> bool {
    let mut keys = keys.into_iter();
    match op {
        Operator::AnyIn => keys.any(|k| found(k.as_ref())),
        Operator::AllIn => keys.all(|k| found(k.as_ref())),
        Operator::AnyNotIn => keys.any(|k| !found(k.as_ref())),
        _ => !keys.any(|k| found(k.as_ref())),
    }
}

fn list_against_string(op: Operator, keys: &[Cow<str>], v: &str) -> Option<bool> {
    if keys.len() == 1 && keys[0] == v {
        return Some(matches!(op, Operator::AnyIn | Operator::AllIn));
    }
    if is_range(v) {
        let in_range = |k: &str| range_holds(k, v);
        return Some(match op {
            // Kyverno negates a range by inserting `!` before its first `-` (quirk).
            Operator::AnyNotIn => keys
                .iter()
                .any(|k| range_holds(k, &v.replacen('-', "!-", 1))),
            _ => list_against(op, keys, in_range),
        });
    }
    let values = match json_strings(v) {
        Some(parsed) => parsed?,
        None => vec![v.to_string()],
    };
    Some(list_against(op, keys, |k| {
        values.iter().any(|x| both_wild(k, x))
    }))
}

fn scalar_exists(k: &str, value: &Value) -> Option<bool> {
    match value {
        Value::Array(items) => Some(items.iter().any(|e| both_wild(&sprint_cow(e), k))),
        Value::String(v) if wildcard::matches(v, k) => Some(true),
        Value::String(v) if is_range(v) => Some(range_holds(k, v)),
        Value::String(v) => match json_strings(v) {
            Some(parsed) => Some(parsed?.iter().any(|s| s == k)),
            None => Some(k == v),
        },
        _ => None,
    }
}

fn is_range(v: &str) -> bool {
    matches!(
        crate::compile::pattern::StringPattern::parse(v).alternatives.as_slice(),
        [parts] if matches!(parts.as_slice(), [crate::compile::pattern::Part::InRange(..) | crate::compile::pattern::Part::NotInRange(..)])
    )
}

/// A key checked against a range with pattern semantics.
fn range_holds(k: &str, range: &str) -> bool {
    let pattern = crate::compile::pattern::Scalar::String(
        crate::compile::pattern::StringPattern::parse(range),
    );
    super::scalar::matches(&Value::String(k.to_string()), &pattern)
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::{Operator, Wildcard, apply, apply_to_list, set_op_elements};

    /// Matching keys against a fixed list's compiled strings decides as matching them
    /// against the list itself, for every operator; so does a list key given as its
    /// elements, for the set operators (the others take no such key).
    #[test]
    fn compiled_lists_decide_as_plain_lists() {
        let lists = [
            json!([]),
            json!(["*/istio/proxyv2*", "*/linkerd/proxy-init*"]),
            json!(["NET_ADMIN", "NET_RAW"]),
            json!(["a?c", "*", "x*"]),
        ];
        let keys = [
            json!("docker.io/istio/proxyv2:1.20"),
            json!("nginx"),
            json!("NET_RAW"),
            json!("abc"),
            json!("x*"),
            json!(7),
            json!(true),
            json!(null),
            json!([]),
            json!(["NET_ADMIN"]),
            json!(["NET_ADMIN", "SYS_TIME"]),
            json!(["docker.io/istio/proxyv2:1", "nginx"]),
            json!(["*"]),
            json!([1, "a"]),
            json!({"a": 1}),
        ];
        let operators = Operator::names().map(|n| n.parse::<Operator>().expect("a listed name"));
        for op in operators {
            for list in &lists {
                let texts = list.as_array().expect("a list").iter().map(Value::as_str);
                let wildcards: Vec<Wildcard> =
                    texts.map(|t| Wildcard::new(t.expect("a string"))).collect();
                for key in &keys {
                    let want = apply(op, key, list);
                    assert_eq!(
                        apply_to_list(op, key, list, &wildcards),
                        want,
                        "{op} {key} {list}"
                    );
                    if let Value::Array(items) = key {
                        let elements: Vec<&Value> = items.iter().collect();
                        let set = matches!(
                            op,
                            Operator::AnyIn
                                | Operator::AllIn
                                | Operator::AnyNotIn
                                | Operator::AllNotIn
                        );
                        let got = set_op_elements(op, &elements, &wildcards);
                        assert_eq!(got, set.then_some(want), "{op} elements of {key} {list}");
                    }
                }
            }
        }
    }
}
