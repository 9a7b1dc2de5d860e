//! A string's path in its document → the JMESPath Kyverno puts in place of `{{@}}`
//! (rules.md §4.6.6): drop everything up to a `foreach` segment, drop two more segments,
//! prefix the root (`request.object`), and write the rest as JMESPath.

/// `at_path("/mutate/overlay/spec/port", "request.object")` → `request.object.spec.port`.
pub fn at_path(pointer: &str, root: &str) -> String {
    let segments = segments(pointer);
    let after_foreach = segments
        .iter()
        .position(|s| s == "foreach")
        .map_or(0, |i| i + 1);
    let rest = segments[after_foreach..].get(2..).unwrap_or_default();
    let mut out = String::new();
    for component in root.split('.').chain(rest.iter().map(String::as_str)) {
        write_component(&mut out, component);
    }
    out
}

/// Path segments: `/` separates, `\` escapes the next character (Kyverno writes a `/` in a
/// key as `\/`), `"` quotes a stretch in which `/` does not separate.
fn segments(pointer: &str) -> Vec<String> {
    let mut segments = Vec::new();
    let mut current = String::new();
    let (mut escaped, mut quoted) = (false, false);
    for c in pointer.chars() {
        match c {
            _ if escaped => {
                current.push(c);
                escaped = false;
            }
            '\\' => escaped = true,
            '"' => quoted = !quoted,
            '/' if !quoted => flush(&mut segments, &mut current),
            _ => current.push(c),
        }
    }
    flush(&mut segments, &mut current);
    segments
}

fn flush(segments: &mut Vec<String>, current: &mut String) {
    if !current.is_empty() {
        segments.push(std::mem::take(current));
    }
}

/// Appends one segment: `[3]` for an index, `.name` for a plain identifier, `."a-b"` otherwise.
fn write_component(out: &mut String, component: &str) {
    if is_index(component) {
        out.push('[');
        out.push_str(component);
        out.push(']');
        return;
    }
    if !out.is_empty() {
        out.push('.');
    }
    if is_plain(component) {
        out.push_str(component);
    } else {
        write_quoted(out, component);
    }
}

fn is_index(component: &str) -> bool {
    component.bytes().all(|b| b.is_ascii_digit()) && component.parse::<u64>().is_ok()
}

/// A letter or `_` first, then letters, digits, `_` (and, as Kyverno allows, `)`).
fn is_plain(component: &str) -> bool {
    let mut chars = component.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    first_ok && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ')')
}

fn write_quoted(out: &mut String, component: &str) {
    out.push('"');
    for c in component.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_kyvernos_pointer_rules() {
        let at = |p: &str| at_path(p, "request.object");
        assert_eq!(at("/mutate/overlay/spec/port"), "request.object.spec.port");
        assert_eq!(at("/spec/port"), "request.object");
        assert_eq!(at(""), "request.object");
        assert_eq!(
            at("/a/b/spec/containers/0/name"),
            "request.object.spec.containers[0].name"
        );
        assert_eq!(
            at("/x/foreach/a/b/metadata/labels/app.kubernetes.io\\/name"),
            "request.object.metadata.labels.\"app.kubernetes.io/name\""
        );
        assert_eq!(at("/a/b/(name)"), "request.object.\"(name)\"");
        assert_eq!(at_path("/a/b/c", "target"), "target.c");
    }
}
