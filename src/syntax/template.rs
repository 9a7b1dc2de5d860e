//! `{{ }}` templates (rules.md §4): parsed once into segments, rendered per payload.
