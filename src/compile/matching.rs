//! `match`/`exclude` blocks compiled: kind selectors parsed, wildcards prepared (rules.md §2).
