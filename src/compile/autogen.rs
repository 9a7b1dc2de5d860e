//! Autogen: rules for pod controllers derived from Pod rules (rules.md §3).
