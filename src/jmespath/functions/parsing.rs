//! Kyverno's parsing functions (jmespath.md §2.6): `parse_json` decodes strict JSON and
//! `parse_yaml` the first YAML document as Kubernetes reads YAML; in both, every number
//! becomes a float64 as Go's `json.Unmarshal` into `interface{}` makes it.

use serde_json::Value;

use super::{FnError, Function, Types, str_arg};
use crate::load::yaml::{self, ErrorKind, YamlError};

pub const FUNCTIONS: &[Function] = &[
    Function::plain(
        "parse_json",
        &[Types::STRING],
        "any",
        "Decodes a JSON text (strict: no trailing data); numbers become float64.",
        parse_json,
    ),
    Function::plain(
        "parse_yaml",
        &[Types::STRING],
        "any",
        "Decodes the first YAML document as Kubernetes does (YAML 1.1: yes/no/on/off are booleans).",
        parse_yaml,
    ),
];

fn parse_json(args: &[&Value]) -> Result<Value, FnError> {
    let text = str_arg(args, 0)?;
    let value: Value = serde_json::from_str(text).map_err(|e| FnError::Plain(json_error(&e)))?;
    Ok(float64_numbers(value))
}

fn parse_yaml(args: &[&Value]) -> Result<Value, FnError> {
    let text = str_arg(args, 0)?;
    yaml::first_document(text)
        .map(float64_numbers)
        .map_err(|e| FnError::Plain(yaml_error(text, &e)))
}

/// Go's wording for a truncated text; serde's for the rest (jmespath.md §2.2 allows it).
fn json_error(error: &serde_json::Error) -> String {
    if error.is_eof() {
        "unexpected end of JSON input".to_string()
    } else {
        error.to_string()
    }
}

/// sigs.k8s.io/yaml's framing: `error converting YAML to JSON: yaml: line N: ...`.
fn yaml_error(text: &str, error: &YamlError) -> String {
    let kind = &error.kind;
    match kind {
        ErrorKind::NotJson(_) => format!("error converting YAML to JSON: {kind}"),
        _ => {
            let before = text.get(..error.span.start as usize).unwrap_or(text);
            let line = before.matches('\n').count() + 1;
            format!("error converting YAML to JSON: yaml: line {line}: {kind}")
        }
    }
}

/// Every number as the float64 Go decodes it to (integral ones stay printed as integers).
fn float64_numbers(value: Value) -> Value {
    match value {
        Value::Number(n) => n.as_f64().map_or(Value::Null, crate::value::number),
        Value::Array(items) => Value::Array(items.into_iter().map(float64_numbers).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, float64_numbers(v)))
                .collect(),
        ),
        other => other,
    }
}
