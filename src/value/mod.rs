//! The value model shared by every stage: JSON values (`serde_json::Value`) read with
//! Kyverno's semantics: every number is a float64, equality is exact and structural.
//! Also home of the Go formatting rules and the units (quantities, durations, versions)
//! that both the JMESPath functions and the engine's operators use.

pub mod duration;
pub mod go;
pub mod image;
pub mod quantity;
pub mod semver;
pub mod wildcard;

use serde_json::{Number, Value};

/// Objects up to this size are searched in order by [`field`].
const SCAN_LIMIT: usize = 12;

/// The value under `key` in `map`. Small objects (most of a Kubernetes resource) are
/// scanned in order, comparing lengths before bytes: cheaper than the sorted map's search,
/// which orders every key it passes byte by byte.
#[inline(always)]
pub fn field<'a>(map: &'a serde_json::Map<String, Value>, key: &str) -> Option<&'a Value> {
    if map.len() > SCAN_LIMIT {
        return map.get(key);
    }
    map.iter()
        .find(|(k, _)| k.len() == key.len() && k.as_bytes() == key.as_bytes())
        .map(|(_, v)| v)
}

/// The value under `key` in `map`, to change in place. The keys are read in order, lengths
/// compared first, whatever the object's size: for an admission request's fields (a dozen
/// or so), cheaper than the sorted map's search, which orders every key it passes.
#[inline]
pub fn field_mut<'a>(
    map: &'a mut serde_json::Map<String, Value>,
    key: &str,
) -> Option<&'a mut Value> {
    map.iter_mut()
        .find(|(k, _)| k.len() == key.len() && k.as_str() == key)
        .map(|(_, v)| v)
}

/// [`field`] of any value: `None` unless `value` is an object that holds `key`. A call, not
/// an inlined scan: for the lookups made once per request, outside the hot loops.
#[inline(never)]
pub fn get<'a>(value: &'a Value, key: &str) -> Option<&'a Value> {
    match value {
        Value::Object(map) => field(map, key),
        _ => None,
    }
}

/// Texts shorter than this are searched for a byte by a plain loop: memchr's vectorised
/// search costs more to start than such a loop takes (wildcards, `{{` in templates).
pub const SHORT_SCAN: usize = 32;

/// Floats up to this magnitude (2^53) hold every integer exactly, as an `i64` does.
pub const EXACT_INTEGERS: f64 = 9_007_199_254_740_992.0;

/// A number value from a float, normalised so integral values are stored (and printed)
/// as integers.
pub fn number(f: f64) -> Value {
    if f.fract() == 0.0 && f.abs() <= EXACT_INTEGERS {
        // Guarded above: integral and within i64's exactly representable range.
        Value::Number(Number::from(f as i64))
    } else {
        Number::from_f64(f).map_or(Value::Null, Value::Number)
    }
}

/// Go `strconv.ParseFloat` for the forms JSON numbers can hold: decimal and exponent
/// forms, `inf`/`infinity`/`nan` (which have no JSON form and so become null upstream).
pub fn parse_float(s: &str) -> Option<f64> {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let valid = !body.is_empty()
        && body
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-' | '_'))
        && body
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit() || c == '.');
    if valid {
        return s
            .replace('_', "")
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite());
    }
    None
}

/// The float64 Kyverno sees for a number value.
pub fn as_f64(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        _ => None,
    }
}

/// Exact structural equality with numbers compared as float64 (jmespath.md §1.5).
pub fn deep_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| deep_eq(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| deep_eq(v, w)))
        }
        _ => a == b,
    }
}

/// JMESPath truthiness: `false`, `null`, `""`, `[]` and `{}` are false; `0` is true.
pub fn is_truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        Value::Number(_) => true,
    }
}

/// The JMESPath type name of a value, as `type()` returns it.
pub fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The Go type name Kyverno prints for a decoded JSON value in pattern messages.
pub fn go_type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "<nil>",
        Value::Bool(_) => "bool",
        Value::Number(_) => "float64",
        Value::String(_) => "string",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A review's request fields, found to be changed in place; keys of the same length
    /// are told apart, and a key the object lacks is none.
    #[test]
    fn fields_are_found_to_change_in_place() {
        let mut review = json!({
            "uid": "u", "kind": {}, "name": "n", "namespace": "ns", "operation": "CREATE",
            "object": {"a": 1}, "oldObject": null, "dryRun": false, "options": {},
            "resource": {}, "requestKind": {}, "requestResource": {}, "userInfo": {}
        });
        let Value::Object(map) = &mut review else {
            panic!("an object");
        };
        let object = field_mut(map, "object").map(Value::take);
        assert_eq!(object, Some(json!({"a": 1})));
        assert_eq!(map.get("object"), Some(&Value::Null));
        assert_eq!(field_mut(map, "name").map(|v| v.take()), Some(json!("n")));
        assert_eq!(map.get("kind"), Some(&json!({})));
        assert!(field_mut(map, "subResource").is_none());
        assert!(field_mut(map, "objec").is_none());
    }

    #[test]
    fn numbers_compare_as_float64() {
        assert!(deep_eq(&json!(1), &json!(1.0)));
        assert!(!deep_eq(&json!(0.30000000000000004), &json!(0.3)));
        assert!(deep_eq(&json!({"a": [1, 2.0]}), &json!({"a": [1.0, 2]})));
        assert!(!deep_eq(&json!({"a": 1}), &json!({"a": 1, "b": 2})));
    }

    #[test]
    fn integral_floats_become_integers() {
        assert_eq!(number(2.0), json!(2));
        assert_eq!(number(2.5), json!(2.5));
        assert_eq!(number(f64::NAN), Value::Null);
    }
}
