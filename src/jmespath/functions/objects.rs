//! Kyverno's object and collection functions (jmespath.md §2.5): objects, arrays and keys
//! in; a boolean, a looked-up value, an array of key/value objects or a new object out.

use serde_json::{Map, Value};

use super::regex::go_string;
use super::{FnError, Function, Types, str_arg};
use crate::value::{self, go};

const STR: Types = Types::STRING;
const OBJ: Types = Types::OBJECT;
const ARR: Types = Types::ARRAY;

pub const FUNCTIONS: &[Function] = &[
    Function::plain(
        "label_match",
        &[OBJ, OBJ],
        "boolean",
        "True when every selector key is in the labels with an equal value (deep equality where Go's == would panic).",
        label_match,
    ),
    Function::plain(
        "lookup",
        &[OBJ.or(ARR), STR.or(Types::NUMBER)],
        "any",
        "Object value by string key or array element by integer index; null when absent.",
        lookup,
    ),
    Function::plain(
        "items",
        &[OBJ.or(ARR), STR, STR],
        "array",
        "[{key: k, value: v}] with the given names; objects in key order, arrays by index.",
        items,
    ),
    Function::plain(
        "object_from_lists",
        &[ARR, ARR],
        "object",
        "Zips keys (numbers and booleans stringified) with values; missing values are null.",
        object_from_lists,
    ),
    Function::plain(
        "to_boolean",
        &[STR],
        "boolean",
        "'true' or 'false' in any letter case; anything else is an error.",
        to_boolean,
    ),
];

fn label_match(args: &[&Value]) -> Result<Value, FnError> {
    let (Some(selector), Some(labels)) = (args[0].as_object(), args[1].as_object()) else {
        return Err(FnError::Kyverno("argument #1 is not of type Object".into()));
    };
    let matched = selector
        .iter()
        .all(|(k, v)| labels.get(k).is_some_and(|l| value::deep_eq(v, l)));
    Ok(Value::Bool(matched))
}

fn lookup(args: &[&Value]) -> Result<Value, FnError> {
    match (args[0], args[1]) {
        (Value::Object(map), Value::String(key)) => Ok(map.get(key).cloned().unwrap_or_default()),
        (Value::Object(_), _) => Err(not_of_type(2, "String")),
        (Value::Array(items), Value::Number(n)) => {
            let index = integer(n.as_f64().unwrap_or(f64::NAN))
                .map_err(|e| FnError::Kyverno(format!("argument #2: {e}")))?;
            let element = usize::try_from(index).ok().and_then(|i| items.get(i));
            Ok(element.cloned().unwrap_or_default())
        }
        (Value::Array(_), _) => Err(not_of_type(2, "Number")),
        _ => Err(not_of_type(1, "Object or Array")),
    }
}

fn not_of_type(position: usize, kind: &str) -> FnError {
    FnError::Kyverno(format!("argument #{position} is not of type {kind}"))
}

/// Kyverno's conversion of a float64 argument to a Go `int`.
fn integer(f: f64) -> Result<i64, String> {
    if !f.is_finite() || f.fract() != 0.0 {
        return Err(format!(
            "expected an integer number but got: {}",
            go::format_g(f)
        ));
    }
    const LIMIT: f64 = 9_223_372_036_854_775_808.0; // 2^63
    if !(-LIMIT..LIMIT).contains(&f) {
        return Err(format!(
            "number is outside the range of integer numbers: {}",
            go::format_g(f)
        ));
    }
    // Integral and inside i64's range, checked above.
    Ok(f as i64)
}

fn items(args: &[&Value]) -> Result<Value, FnError> {
    let (key_name, value_name) = (str_arg(args, 1)?, str_arg(args, 2)?);
    let pair = |k: Value, v: &Value| {
        let mut item = Map::new();
        item.insert(key_name.to_string(), k);
        // Inserted second so that, when both names are equal, the value wins as in Go.
        item.insert(value_name.to_string(), v.clone());
        Value::Object(item)
    };
    let pairs: Vec<Value> = match args[0] {
        Value::Object(map) => sorted_entries(map)
            .map(|(k, v)| pair(Value::String(k.clone()), v))
            .collect(),
        Value::Array(elements) => elements
            .iter()
            .enumerate()
            .map(|(i, v)| pair(value::number(i as f64), v))
            .collect(),
        _ => return Err(not_of_type(1, "Object or Array")),
    };
    Ok(Value::Array(pairs))
}

/// Entries in bytewise key order, whatever order the map keeps.
fn sorted_entries(map: &Map<String, Value>) -> impl Iterator<Item = (&String, &Value)> {
    let mut entries: Vec<(&String, &Value)> = map.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    entries.into_iter()
}

fn object_from_lists(args: &[&Value]) -> Result<Value, FnError> {
    let (Some(keys), Some(values)) = (args[0].as_array(), args[1].as_array()) else {
        return Err(not_of_type(1, "Array"));
    };
    let mut object = Map::new();
    for (i, key) in keys.iter().enumerate() {
        let key = go_string(key).ok_or_else(|| not_of_type(1, "StringArray"))?;
        // A repeated key keeps the last value, as Go's map assignment does.
        object.insert(key, values.get(i).cloned().unwrap_or_default());
    }
    Ok(Value::Object(object))
}

fn to_boolean(args: &[&Value]) -> Result<Value, FnError> {
    let text = str_arg(args, 0)?;
    // ASCII lowering is exact here: no non-ASCII char lowers into "true" or "false".
    match text.to_ascii_lowercase().as_str() {
        "true" => Ok(Value::Bool(true)),
        "false" => Ok(Value::Bool(false)),
        _ => Err(FnError::Kyverno(format!(
            "lowercase argument must be 'true' or 'false' (provided: '{text}')"
        ))),
    }
}
