//! Takes strings of a generated rule; returns them as Kyverno's autogen leaves them: the
//! rule name (prefixed, cut to 63 bytes), `$(…)` references in the message shifted into the
//! pod template (rules.md §3.5), and the textual `request.object…` rewriting that Kyverno
//! applies to the whole serialised rule (rules.md §3.6).

use std::sync::LazyLock;

use regex::bytes::Regex;

use super::controllers::Shape;

/// Kyverno's limit on rule names.
const MAX_NAME_BYTES: usize = 63;

/// `<prefix>-<name>`, cut to 63 bytes. A cut inside a multi-byte character leaves bytes
/// that Kyverno's JSON round trip turns into one U+FFFD each.
pub fn rule_name(prefix: &str, name: &str) -> String {
    let full = format!("{prefix}-{name}");
    let bytes = full.as_bytes();
    go_lossy(&bytes[..bytes.len().min(MAX_NAME_BYTES)])
}

/// Bytes as Go's JSON encoder writes them: each byte that does not start a valid UTF-8
/// sequence becomes U+FFFD.
fn go_lossy(mut bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    loop {
        match std::str::from_utf8(bytes) {
            Ok(valid) => {
                out.push_str(valid);
                return out;
            }
            Err(e) => {
                let (valid, rest) = bytes.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                out.push(char::REPLACEMENT_CHARACTER);
                bytes = rest.get(1..).unwrap_or_default();
            }
        }
    }
}

/// A `$(…)` reference at the start of a string or after a character other than `\`
/// (the character is part of the match).
static REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\$\(.[^ ]*\)|[^\\]\$\(.[^ ]*\)").expect("invariant: the pattern is valid")
});

/// Shifts the references of a message once per pass (the CronJob rule is derived from the
/// template rule, so its references are shifted twice). `pivot` names the validate body
/// the references point into: `pattern`, `anyPattern`, `deny` or `podSecurity`.
pub fn shift_message(message: &str, shifts: &[&str], pivot: &str) -> String {
    let shifted = shifts
        .iter()
        .fold(message.as_bytes().to_vec(), |text, shift| {
            shift_references(&text, shift, pivot)
        });
    go_lossy(&shifted)
}

/// One pass of Kyverno's reference shifting, byte for byte: in each reference `pivot`
/// becomes `pivot/shift`; for `anyPattern` the pivot is first extended by the pattern
/// index read from the first reference and then kept for the following ones.
fn shift_references(text: &[u8], shift: &str, pivot: &str) -> Vec<u8> {
    let mut pivot = pivot.as_bytes().to_vec();
    let mut value = text.to_vec();
    for found in REFERENCE.find_iter(text) {
        let old = found.as_bytes();
        let initial = old.starts_with(b"$(");
        let reference = if initial { old } else { &old[1..] };
        if pivot == b"anyPattern" {
            let Some(index) = any_pattern_index(reference, &pivot) else {
                // Kyverno slices out of range here and panics; the reference stays as is.
                continue;
            };
            pivot = [&pivot[..], b"/", index].concat();
        }
        let to = [&pivot[..], b"/", shift.as_bytes()].concat();
        let mut replacement = Vec::new();
        if !initial {
            // Go converts the preceding byte to a rune: bytes above 0x7f become two.
            let mut buf = [0; 4];
            replacement.extend(char::from(old[0]).encode_utf8(&mut buf).as_bytes());
        }
        replacement.extend(replace_all(reference, &pivot, &to));
        value = replace_first(&value, old, &replacement);
    }
    value
}

/// The text between `anyPattern/` and the next `/`. When `anyPattern` does not occur,
/// Kyverno reads from byte 10 of the reference as if it had been found at -1.
fn any_pattern_index<'a>(reference: &'a [u8], pivot: &[u8]) -> Option<&'a [u8]> {
    let start = find(reference, pivot).map_or(pivot.len(), |i| i + pivot.len() + 1);
    let rest = reference.get(start..)?;
    Some(rest.split(|b| *b == b'/').next().unwrap_or_default())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn replace_all(text: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = find(rest, from).filter(|_| !from.is_empty()) {
        out.extend_from_slice(&rest[..i]);
        out.extend_from_slice(to);
        rest = &rest[i + from.len()..];
    }
    out.extend_from_slice(rest);
    out
}

fn replace_first(text: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    match find(text, from) {
        Some(i) => [&text[..i], to, &text[i + from.len()..]].concat(),
        None => text.to_vec(),
    }
}

/// The substring replacements of rules.md §3.6, applied in order to every string.
pub fn path_rewrites(shape: &Shape, cel: bool) -> [(&'static str, &'static str); 4] {
    match (shape, cel) {
        (Shape::Template(_), false) => TEMPLATE,
        (Shape::Template(_), true) => TEMPLATE_CEL,
        (Shape::CronJob, false) => CRONJOB,
        (Shape::CronJob, true) => CRONJOB_CEL,
    }
}

const TEMPLATE: [(&str, &str); 4] = [
    ("request.object.spec", "request.object.spec.template.spec"),
    (
        "request.oldObject.spec",
        "request.oldObject.spec.template.spec",
    ),
    (
        "request.object.metadata",
        "request.object.spec.template.metadata",
    ),
    (
        "request.oldObject.metadata",
        "request.oldObject.spec.template.metadata",
    ),
];

const CRONJOB: [(&str, &str); 4] = [
    (
        "request.object.spec",
        "request.object.spec.jobTemplate.spec.template.spec",
    ),
    (
        "request.oldObject.spec",
        "request.oldObject.spec.jobTemplate.spec.template.spec",
    ),
    (
        "request.object.metadata",
        "request.object.spec.jobTemplate.spec.template.metadata",
    ),
    (
        "request.oldObject.metadata",
        "request.oldObject.spec.jobTemplate.spec.template.metadata",
    ),
];

/// Rules with a `cel` validation use CEL's variable names (which also rewrites the
/// `request.`-prefixed forms, as substrings).
const TEMPLATE_CEL: [(&str, &str); 4] = [
    ("object.spec", "object.spec.template.spec"),
    ("oldObject.spec", "oldObject.spec.template.spec"),
    ("object.metadata", "object.spec.template.metadata"),
    ("oldObject.metadata", "oldObject.spec.template.metadata"),
];

const CRONJOB_CEL: [(&str, &str); 4] = [
    ("object.spec", "object.spec.jobTemplate.spec.template.spec"),
    (
        "oldObject.spec",
        "oldObject.spec.jobTemplate.spec.template.spec",
    ),
    (
        "object.metadata",
        "object.spec.jobTemplate.spec.template.metadata",
    ),
    (
        "oldObject.metadata",
        "oldObject.spec.jobTemplate.spec.template.metadata",
    ),
];

/// Applies the replacements in order, each to the result of the previous one.
pub fn rewrite_paths(text: &mut String, rewrites: &[(&str, &str)]) {
    for (from, to) in rewrites {
        if text.contains(from) {
            *text = text.replace(from, to);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_cut_to_63_bytes() {
        // Kyverno's pkg/autogen/v1 name tests.
        let long = "too-long-this-rule-name-will-be-truncated-to-63-characters";
        assert_eq!(
            rule_name("autogen", long),
            "autogen-too-long-this-rule-name-will-be-truncated-to-63-charact"
        );
        assert_eq!(
            rule_name("autogen-cronjob", long),
            "autogen-cronjob-too-long-this-rule-name-will-be-truncated-to-63"
        );
    }

    #[test]
    fn a_cut_character_becomes_one_replacement_per_byte() {
        let name = format!("{}é", "x".repeat(54));
        assert_eq!(
            rule_name("autogen", &name),
            format!("autogen-{}\u{fffd}", "x".repeat(54))
        );
        let name = format!("{}€", "x".repeat(53));
        assert_eq!(
            rule_name("autogen", &name),
            format!("autogen-{}\u{fffd}\u{fffd}", "x".repeat(53))
        );
    }

    #[test]
    fn references_shift_into_the_template() {
        let cases = [
            (
                "$(./../pattern/a)",
                &["spec/template"][..],
                "pattern",
                "$(./../pattern/spec/template/a)",
            ),
            (
                "x $(pattern/a) y",
                &["spec/template"],
                "pattern",
                "x $(pattern/spec/template/a) y",
            ),
            (
                "\\$(pattern/a)",
                &["spec/template"],
                "pattern",
                "\\$(pattern/a)",
            ),
            (
                "$(anyPattern/1/a) $(anyPattern/1/b)",
                &["spec/template"],
                "anyPattern",
                "$(anyPattern/1/spec/template/a) $(anyPattern/1/spec/template/b)",
            ),
            (
                "$(deny/a)",
                &["spec/template", "spec/jobTemplate/spec/template"],
                "deny",
                "$(deny/spec/jobTemplate/spec/template/spec/template/a)",
            ),
            ("$(x)", &["spec/template"], "anyPattern", "$(x)"),
            (
                "no reference",
                &["spec/template"],
                "pattern",
                "no reference",
            ),
        ];
        for (message, shifts, pivot, expected) in cases {
            assert_eq!(shift_message(message, shifts, pivot), expected, "{message}");
        }
    }

    #[test]
    fn paths_are_rewritten_as_substrings() {
        let mut s =
            "{{ request.object.specification }} {{request.object.metadata.name}}".to_string();
        rewrite_paths(&mut s, &path_rewrites(&Shape::Template(vec![]), false));
        assert_eq!(
            s,
            "{{ request.object.spec.template.specification }} \
             {{request.object.spec.template.metadata.name}}"
        );
    }
}
