//! JSON values written as YAML for reports: block style, keys in the value's order,
//! strings plain only when they read back as the same string, JSON-quoted otherwise.

use serde_json::Value;

use crate::load::yaml::plain_reads_as_string;
use crate::value::go;

pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) if !map.is_empty() => write_map(&mut out, map, 0),
        Value::Array(items) if !items.is_empty() => write_list(&mut out, items, 0),
        other => {
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
    out
}

fn write_map(out: &mut String, map: &serde_json::Map<String, Value>, indent: usize) {
    for (i, (key, value)) in map.iter().enumerate() {
        if i > 0 {
            out.push_str(&" ".repeat(indent));
        }
        out.push_str(&string(key));
        out.push(':');
        write_nested(out, value, indent);
    }
}

fn write_list(out: &mut String, items: &[Value], indent: usize) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(&" ".repeat(indent));
        }
        out.push_str("- ");
        match item {
            Value::Object(map) if !map.is_empty() => write_map(out, map, indent + 2),
            Value::Array(inner) if !inner.is_empty() => write_list(out, inner, indent + 2),
            other => {
                out.push_str(&scalar(other));
                out.push('\n');
            }
        }
    }
}

/// A value after `key:`: nested collections on the following lines.
fn write_nested(out: &mut String, value: &Value, indent: usize) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push('\n');
            out.push_str(&" ".repeat(indent + 2));
            write_map(out, map, indent + 2);
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            out.push_str(&" ".repeat(indent));
            write_list(out, items, indent);
        }
        other => {
            out.push(' ');
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
}

fn scalar(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => go::json_number(n.as_f64().unwrap_or(0.0)),
        Value::String(s) => string(s),
        Value::Array(_) => "[]".into(),
        Value::Object(_) => "{}".into(),
    }
}

fn string(s: &str) -> String {
    let safe_start = s
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '/' || c == '_');
    let safe_chars = s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | '-'));
    if safe_start && safe_chars && plain_reads_as_string(s) {
        s.to_string()
    } else {
        serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::yaml::parse_values;
    use crate::source::FileId;
    use serde_json::json;

    #[test]
    fn output_reads_back_as_the_same_value() {
        let value = json!({
            "a": "yes", "b": "1", "c": "plain-text", "d": ["x", {"e": null, "f": 1.5}],
            "g": {}, "h": [], "i": "multi\nline", "j": [[1, 2], []], "k": "a: b", "l": "~"
        });
        let text = to_yaml(&value);
        let parsed = parse_values(&text, FileId(0));
        assert!(parsed.diagnostics.is_empty(), "{text}");
        assert_eq!(parsed.documents[0].node, value, "{text}");
    }
}
