//! `$(…)` references inside a pattern (rules.md §4.8): resolved against the pattern
//! document itself, once, when the pattern is compiled.

use serde_json::Value;

use crate::value::go;

/// The document with every reference replaced; an error names the first that failed.
pub fn resolve(doc: &Value) -> Result<Value, String> {
    let mut path = Vec::new();
    walk(doc, doc, &mut path)
}

fn walk(root: &Value, node: &Value, path: &mut Vec<String>) -> Result<Value, String> {
    Ok(match node {
        Value::String(s) if s.contains("$(") => Value::String(substitute(root, s, path)?),
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                path.push(i.to_string());
                out.push(walk(root, item, path)?);
                path.pop();
            }
            Value::Array(out)
        }
        Value::Object(map) => {
            let mut out = serde_json::Map::new();
            for (k, v) in map {
                path.push(k.clone());
                out.insert(k.clone(), walk(root, v, path)?);
                path.pop();
            }
            Value::Object(out)
        }
        other => other.clone(),
    })
}

/// Replaces the references of one string (`\$(…)` stays, without its backslash).
fn substitute(root: &Value, text: &str, path: &[String]) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("$(") {
        let escaped = rest[..at].ends_with('\\');
        let Some(len) = token_len(&rest[at..]) else {
            out.push_str(&rest[..at + 2]);
            rest = &rest[at + 2..];
            continue;
        };
        if escaped {
            out.push_str(&rest[..at - 1]);
            out.push_str(&rest[at..at + len]);
        } else {
            out.push_str(&rest[..at]);
            out.push_str(&reference(root, &rest[at..at + len], path)?);
        }
        rest = &rest[at + len..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Length of `$(` + non-space characters + `)`.
fn token_len(s: &str) -> Option<usize> {
    let close = s.find(')')?;
    let inner = &s[2..close];
    (!inner.is_empty() && !inner.contains(char::is_whitespace)).then_some(close + 1)
}

fn reference(root: &Value, token: &str, path: &[String]) -> Result<String, String> {
    let body = token.trim_matches(|c| matches!(c, '$' | '(' | ')'));
    let (operator, target) = split_operator(body);
    if target.is_empty() {
        return Err("expected path, found empty reference".into());
    }
    let segments = join(path, target);
    let found = lookup(root, &segments).ok_or_else(|| {
        format!(
            "got nil resolved variable {token} at path /{}",
            path.join("/")
        )
    })?;
    match (operator, found) {
        ("", Value::String(s)) => Ok(s.clone()),
        ("", _) => Err(format!(
            "NotResolvedReferenceErr,reference {token} not resolved at path /{}",
            path.join("/")
        )),
        (op, value) => Ok(format!("{op}{}", render(value))),
    }
}

fn split_operator(body: &str) -> (&str, &str) {
    for op in [">=", "<=", ">", "<", "!"] {
        if let Some(rest) = body.strip_prefix(op) {
            return (op, rest);
        }
    }
    ("", body)
}

/// A value after an operator: strings as is, integers in decimal, other numbers `%f`.
fn render(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) if n.is_i64() || n.is_u64() => n.to_string(),
        Value::Number(n) => go::format_f6(n.as_f64().unwrap_or(0.0)),
        other => go::sprint(other),
    }
}

/// `path.Join` of the string's own path and the reference, as segments.
fn join(base: &[String], target: &str) -> Vec<String> {
    let mut segments: Vec<String> = if target.starts_with('/') {
        Vec::new()
    } else {
        base.to_vec()
    };
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            p => segments.push(p.to_string()),
        }
    }
    segments
}

/// The value at a path, reading anchored keys (`(name)`) by their inner name.
fn lookup<'v>(root: &'v Value, segments: &[String]) -> Option<&'v Value> {
    segments.iter().try_fold(root, |node, segment| match node {
        Value::Object(map) => map
            .iter()
            .find(|(k, _)| strip_anchor(k) == segment)
            .map(|(_, v)| v),
        Value::Array(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    })
}

fn strip_anchor(key: &str) -> &str {
    let key = key.trim();
    let body = key.trim_start_matches(['+', '<', '=', 'X', '^']);
    body.strip_prefix('(')
        .and_then(|b| b.strip_suffix(')'))
        .unwrap_or(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn relative_reference_with_operator() {
        // rules.md §4.8 example (pkg/engine/validate/validate_test.go).
        let doc = json!({"resources": {"requests": {"memory": "$(<=./../../limits/memory)"}, "limits": {"memory": "2048Mi"}}});
        let resolved = resolve(&doc).expect("invariant: the reference exists");
        assert_eq!(
            resolved["resources"]["requests"]["memory"],
            json!("<=2048Mi")
        );
    }

    #[test]
    fn escaped_and_missing_references() {
        let doc = json!({"a": "\\$(VAR)", "b": "x"});
        assert_eq!(resolve(&doc).ok(), Some(json!({"a": "$(VAR)", "b": "x"})));
        assert!(resolve(&json!({"a": "$(./missing)"})).is_err());
        assert_eq!(
            resolve(&json!({"(name)": "n", "b": "$(../name)"})).ok(),
            Some(json!({"(name)": "n", "b": "n"}))
        );
    }
}
