//! The exact messages of rule results (rules.md §7.8, §7.9, §8.1, §9.2).

/// `validation rule '<rule>' passed.`
pub fn passed(rule: &str) -> String {
    // Written for every passing rule: plain appends cost a third of `format!`.
    let mut message = String::with_capacity(rule.len() + 26);
    message.push_str("validation rule '");
    message.push_str(rule);
    message.push_str("' passed.");
    message
}

/// The rule message as failure messages embed it: a `.` appended unless present, then a
/// space; empty when the rule has no message.
pub fn lead(message: Option<&str>) -> String {
    match message {
        None => String::new(),
        Some(m) if m.ends_with('.') => format!("{m} "),
        Some(m) => format!("{m}. "),
    }
}

/// `validation error: [<msg>. ]rule <rule> failed at path <path>`.
pub fn failed_at(message: Option<&str>, rule: &str, path: &str) -> String {
    format!(
        "validation error: {}rule {rule} failed at path {path}",
        lead(message)
    )
}

/// `validation error: [<msg>. ]rule <rule> execution error: <err>`.
pub fn execution_error(message: Option<&str>, rule: &str, error: &str) -> String {
    format!(
        "validation error: {}rule {rule} execution error: {error}",
        lead(message)
    )
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
        assert_eq!(lead(Some("text\n")), "text\n. ");
    }
}
