//! The exact messages of rule results (rules.md §7.8, §7.9, §8.1, §9.2). One is written for
//! every rule of every request, so they are appended piece by piece: `format!` costs about
//! three times as much for these short texts.

use std::borrow::Cow;
use std::fmt::Write;

/// The pieces one after the other, in a string of the right size.
pub fn concat(pieces: &[&str]) -> String {
    let mut out = String::with_capacity(pieces.iter().map(|p| p.len()).sum());
    for piece in pieces {
        out.push_str(piece);
    }
    out
}

/// `validation rule '<rule>' passed.`
pub fn passed(rule: &str) -> String {
    concat(&["validation rule '", rule, "' passed."])
}

/// `validation error: [<msg>. ]<entries>`.
pub fn validation_error(message: Option<&str>, entries: &str) -> String {
    let (message, dot) = lead_parts(message);
    concat(&["validation error: ", message, dot, entries])
}

/// The rule message as failure messages embed it, as the message and what follows it: a
/// `.` unless the message ends with one, then a space; nothing when there is no message.
fn lead_parts(message: Option<&str>) -> (&str, &'static str) {
    match message {
        None => ("", ""),
        Some(m) if m.ends_with('.') => (m, " "),
        Some(m) => (m, ". "),
    }
}

/// `validation error: [<msg>. ]rule <rule> failed at path <path>`.
pub fn failed_at(message: Option<&str>, rule: &str, path: &str) -> String {
    rule_error(message, rule, " failed at path ", path)
}

/// `validation error: [<msg>. ]rule <rule> execution error: <err>`.
pub fn execution_error(message: Option<&str>, rule: &str, error: &str) -> String {
    rule_error(message, rule, " execution error: ", error)
}

/// `validation error: [<msg>. ]rule <rule><what><detail>`.
fn rule_error(message: Option<&str>, rule: &str, what: &str, detail: &str) -> String {
    let (message, dot) = lead_parts(message);
    concat(&[
        "validation error: ",
        message,
        dot,
        "rule ",
        rule,
        what,
        detail,
    ])
}

/// Appends `i` in decimal; a single digit without the formatting machinery (most lists
/// and pattern lists are short).
pub fn push_index(out: &mut String, i: usize) {
    match u8::try_from(i) {
        Ok(digit @ 0..=9) => out.push(char::from(b'0' + digit)),
        _ => {
            // Writing into a String cannot fail.
            let _ = write!(out, "{i}");
        }
    }
}

/// `i` in decimal, borrowed for a single digit (most lists and pattern lists are short).
pub fn index_text(i: usize) -> Cow<'static, str> {
    const DIGITS: &str = "0123456789";
    match DIGITS.get(i..=i) {
        Some(digit) => Cow::Borrowed(digit),
        None => Cow::Owned(i.to_string()),
    }
}

/// When the rule message itself cannot be substituted (rules.md §7.8, quirk: the pattern
/// error is reported, not the substitution error).
pub fn message_error(rule: &str, error: &str) -> String {
    format!(
        "validation error: variables substitution error in rule {rule} execution error: {error}"
    )
}

/// `preconditions not met[; <block message>]`.
pub fn preconditions_not_met(block_message: &str) -> String {
    if block_message.is_empty() {
        "preconditions not met".to_string()
    } else {
        format!("preconditions not met; {block_message}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_follow_rules_md_9_2() {
        assert_eq!(
            failed_at(Some("Use a tag."), "check-tag", "/spec/containers/0/image/"),
            "validation error: Use a tag. rule check-tag failed at path /spec/containers/0/image/"
        );
        assert_eq!(
            failed_at(
                Some("Labels app and owner are required"),
                "autogen-check-for-labels",
                "/spec/"
            ),
            "validation error: Labels app and owner are required. rule autogen-check-for-labels failed at path /spec/"
        );
        assert_eq!(
            failed_at(None, "r", "/a/"),
            "validation error: rule r failed at path /a/"
        );
        // A block scalar ending in a newline gets "\n." (rules.md §7.8 quirk).
        assert_eq!(
            validation_error(Some("text\n"), "rule r[0] failed at path /a/"),
            "validation error: text\n. rule r[0] failed at path /a/"
        );
        assert_eq!(
            validation_error(Some("Done."), "e"),
            "validation error: Done. e"
        );
        assert_eq!(validation_error(None, "e"), "validation error: e");
    }

    /// Both index writers give the decimal text, one or several digits.
    #[test]
    fn indices_are_decimal() {
        for i in [0, 1, 9, 10, 42, 100, 12345] {
            let mut pushed = String::new();
            push_index(&mut pushed, i);
            assert_eq!(pushed, i.to_string());
            assert_eq!(index_text(i), i.to_string());
        }
    }
}
