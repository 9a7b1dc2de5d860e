//! Does a compiled `match`/`exclude` block select a request? (rules.md §2).
