//! Kyverno wildcard patterns (rules.md §0.2) compiled once into the cheapest shape that
//! decides them: everything, an exact string, a prefix, a suffix, an infix, or a general
//! glob (the shared wildcard match, which allocates only for non-ASCII text).

use crate::value::wildcard::{self, contains_wildcard};

/// A compiled `W(pattern, ·)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    text: Box<str>,
    shape: Shape,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Shape {
    /// Exactly `*`: matches every text, the empty one included.
    Everything,
    /// No wildcard character: plain equality.
    Exact,
    /// `literal*`: the literal is `text[..len - 1]`.
    Prefix,
    /// `*literal`: the literal is `text[1..]`.
    Suffix,
    /// `*literal*`: the literal is `text[1..len - 1]`.
    Infix,
    /// Anything else: the general wildcard match.
    Glob,
}

impl Pattern {
    pub fn new(text: &str) -> Pattern {
        Pattern {
            text: text.into(),
            shape: shape_of(text),
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
        match &self.shape {
            Shape::Everything => true,
            Shape::Exact => *self.text == *text,
            Shape::Prefix => text.starts_with(&self.text[..self.text.len() - 1]),
            Shape::Suffix => text.ends_with(&self.text[1..]),
            Shape::Infix => wildcard::contains(text, &self.text[1..self.text.len() - 1]),
            Shape::Glob => wildcard::matches(&self.text, text),
        }
    }
}

fn shape_of(text: &str) -> Shape {
    if text == "*" {
        return Shape::Everything;
    }
    if !contains_wildcard(text) {
        return Shape::Exact;
    }
    if let Some(head) = text.strip_suffix('*')
        && !contains_wildcard(head)
    {
        return Shape::Prefix;
    }
    if let Some(tail) = text.strip_prefix('*')
        && !contains_wildcard(tail)
    {
        return Shape::Suffix;
    }
    if let Some(middle) = text.strip_prefix('*').and_then(|t| t.strip_suffix('*'))
        && !contains_wildcard(middle)
    {
        return Shape::Infix;
    }
    Shape::Glob
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
