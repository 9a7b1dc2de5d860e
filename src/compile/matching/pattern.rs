//! Kyverno wildcard patterns (rules.md §0.2) compiled once into the cheapest shape that
//! decides them: everything, an exact string, a prefix, a suffix, an infix, or a general
//! glob (the shared wildcard match, which allocates only for non-ASCII text).

use crate::value::wildcard::{self, Shape};

/// A compiled `W(pattern, ·)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    text: Box<str>,
    shape: Shape,
}

impl Pattern {
    pub fn new(text: &str) -> Pattern {
        Pattern {
            text: text.into(),
            shape: wildcard::shape(text),
        }
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// True when the pattern has no `*` or `?`: it only matches itself.
    pub fn is_literal(&self) -> bool {
        self.shape == Shape::Exact
    }

    #[inline]
    pub fn matches(&self, text: &str) -> bool {
        // Most patterns (kinds, names, namespaces) are plain words: compared here, without
        // the call that dispatches on the shape.
        if self.shape == Shape::Exact {
            return *self.text == *text;
        }
        wildcard::matches_as(self.shape, &self.text, text)
    }
}

#[cfg(test)]
mod tests {
    use super::Pattern;
    use crate::value::wildcard;

    const CASES: &[(&str, &str)] = &[
        ("*", ""),
        ("?*", ""),
        ("?*", "a"),
        ("ghcr.io/*", "ghcr.io/x/y"),
        ("a?c", "ac"),
        ("", ""),
        ("", "x"),
        ("[ab]", "a"),
        ("my-bucket?abc*", "my-bucket/abc"),
        ("my-?-bucket/abc*", "my--bucket/abc"),
        ("*-test", "label-test"),
        ("*-test", "-tes"),
        ("a*b*c", "aXXbYYc"),
        ("a*b*c", "aXXbYY"),
        ("ü?", "üß"),
        ("prod-*", "prod-"),
        ("prod-*", "pro"),
        ("**", ""),
        ("*a*", "bab"),
        ("*a*", "a"),
        ("*a*", ""),
        ("*ab*", "xaab"),
        ("*/istio/proxyv2*", "docker.io/istio/proxyv2:1.20"),
        ("?", "ß"),
    ];

    #[test]
    fn agrees_with_the_reference_wildcard_on_rules_md_0_2_examples() {
        for (pattern, text) in CASES {
            assert_eq!(
                Pattern::new(pattern).matches(text),
                wildcard::matches(pattern, text),
                "W({pattern:?}, {text:?})"
            );
        }
    }

    #[test]
    fn literal_patterns_are_recognised() {
        assert!(Pattern::new("Pod").is_literal());
        assert!(!Pattern::new("Po?").is_literal());
        assert_eq!(Pattern::new("a*").as_str(), "a*");
    }
}
