//! Kyverno's wildcard match `W(pattern, text)`: `*` any run of characters, `?` exactly one,
//! everything else literal, whole text consumed (rules.md §0.2).

/// How a pattern is decided: the usual shapes of image and name patterns without
/// backtracking, anything else by the general match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// Exactly `*`: matches every text, the empty one included.
    Everything,
    /// No wildcard character: plain equality.
    Exact,
    /// `literal*`.
    Prefix,
    /// `*literal`.
    Suffix,
    /// `*literal*`.
    Infix,
    /// Anything else.
    Glob,
}

/// The shape of `pattern`.
pub fn shape(pattern: &str) -> Shape {
    let bytes = pattern.as_bytes();
    let Some(first) = first_wildcard(bytes) else {
        return Shape::Exact;
    };
    if pattern == "*" {
        return Shape::Everything;
    }
    let wildcards = 1 + bytes[first + 1..]
        .iter()
        .filter(|&&b| is_wildcard(b))
        .count();
    let (starts, ends) = (first == 0 && bytes[0] == b'*', bytes.last() == Some(&b'*'));
    match (wildcards, starts, ends) {
        (2, true, true) => Shape::Infix,
        (1, false, true) => Shape::Prefix,
        (1, true, false) => Shape::Suffix,
        _ => Shape::Glob,
    }
}

/// True when `pattern` matches all of `text`.
pub fn matches(pattern: &str, text: &str) -> bool {
    matches_as(shape(pattern), pattern, text)
}

/// [`matches`] for a pattern whose [`shape`] is known.
pub fn matches_as(shape: Shape, pattern: &str, text: &str) -> bool {
    let len = pattern.len();
    match shape {
        Shape::Everything => true,
        Shape::Exact => pattern == text,
        Shape::Prefix => text.starts_with(&pattern[..len - 1]),
        Shape::Suffix => text.ends_with(&pattern[1..]),
        Shape::Infix => contains(text, &pattern[1..len - 1]),
        Shape::Glob if pattern.is_ascii() && text.is_ascii() => {
            match_units(pattern.as_bytes(), text.as_bytes())
        }
        Shape::Glob => {
            let p: Vec<char> = pattern.chars().collect();
            let t: Vec<char> = text.chars().collect();
            match_units(&p, &t)
        }
    }
}

/// Whether `text` contains `literal`. Texts here are short (images, names): comparing at
/// each place the first byte occurs is cheaper than preparing a substring searcher.
pub fn contains(text: &str, literal: &str) -> bool {
    let (text, literal) = (text.as_bytes(), literal.as_bytes());
    let Some((&head, _)) = literal.split_first() else {
        return true;
    };
    let Some(last_start) = text.len().checked_sub(literal.len()) else {
        return false;
    };
    let starts = &text[..=last_start];
    let at = |i: usize| text[i..].starts_with(literal);
    if starts.len() < super::SHORT_SCAN {
        return (0..starts.len()).any(|i| starts[i] == head && at(i));
    }
    memchr::memchr_iter(head, starts).any(at)
}

/// Where the first `*` or `?` is. Most patterns are short words, which a plain loop
/// scans faster than memchr's vectorised search can start.
fn first_wildcard(bytes: &[u8]) -> Option<usize> {
    if bytes.len() < super::SHORT_SCAN {
        return bytes.iter().position(|&b| is_wildcard(b));
    }
    memchr::memchr2(b'*', b'?', bytes)
}

fn is_wildcard(b: u8) -> bool {
    b == b'*' || b == b'?'
}

/// A unit of text: a byte of ASCII text, else a character.
trait Unit: Copy + PartialEq {
    const STAR: Self;
    const QUESTION: Self;
}

impl Unit for u8 {
    const STAR: u8 = b'*';
    const QUESTION: u8 = b'?';
}

impl Unit for char {
    const STAR: char = '*';
    const QUESTION: char = '?';
}

/// Iterative glob matching with single-star backtracking: linear in practice.
fn match_units<U: Unit>(p: &[U], t: &[U]) -> bool {
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some(&c) if c == U::STAR => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if c == U::QUESTION || c == t[ti] => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == U::STAR)
}

/// `containsWildcard(s)`: the text has a `*` or a `?`.
pub fn contains_wildcard(s: &str) -> bool {
    // `*` and `?` are ASCII: a byte scan finds them exactly, without decoding characters.
    s.bytes().any(is_wildcard)
}

#[cfg(test)]
mod tests {
    use super::{match_units, matches};

    #[test]
    fn examples_from_rules_md_0_2() {
        assert!(matches("*", ""));
        assert!(!matches("?*", ""));
        assert!(matches("?*", "a"));
        assert!(matches("ghcr.io/*", "ghcr.io/x/y"));
        assert!(!matches("a?c", "ac"));
        assert!(matches("", ""));
        assert!(!matches("", "x"));
        assert!(!matches("[ab]", "a"));
        assert!(matches("my-bucket?abc*", "my-bucket/abc"));
        assert!(!matches("my-?-bucket/abc*", "my--bucket/abc"));
        assert!(matches("*-test", "label-test"));
        assert!(matches("a*b*c", "aXXbYYc"));
        assert!(!matches("a*b*c", "aXXbYY"));
        assert!(matches("ü?", "üß"));
        assert!(!matches("ü?", "üßx"));
        assert!(matches("*ß", "aaß"));
        assert!(matches("*/istio/proxyv2*", "docker.io/istio/proxyv2:1.20"));
        assert!(!matches("*/istio/proxyv2*", "istio/proxyv2:1.20"));
        assert!(matches("**", ""));
        assert!(matches("*a*", "a"));
        assert!(!matches("*a*", ""));
        assert!(matches("ab*", "ab"));
        assert!(matches("*ab", "ab"));
        // Patterns of 32 bytes and more are searched with memchr.
        let long = "registry.example.com/team/app-*:v?";
        assert!(matches(long, "registry.example.com/team/app-web:v1"));
        assert!(!matches(long, "registry.example.com/team/app-web:v10"));
        assert!(matches(
            "registry.example.com/team/app-web:v1",
            "registry.example.com/team/app-web:v1"
        ));
    }

    #[test]
    fn shortcuts_agree_with_the_general_match() {
        let patterns = ["*ab*", "*aa*", "ab*", "*ab", "*", "**", "ab", "*?*", "*a?*"];
        let short = [
            "", "a", "ab", "ba", "xaab", "aab", "abab", "xyz", "aaa", "b",
        ];
        // Texts of 32 bytes and more are searched with memchr.
        let long = [
            format!("{}ab", "x".repeat(40)),
            format!("ab{}", "x".repeat(40)),
            format!("{}aab{}", "b".repeat(31), "x".repeat(5)),
            "a".repeat(33),
            "b".repeat(40),
        ];
        let texts = short.into_iter().chain(long.iter().map(String::as_str));
        for p in patterns {
            for t in texts.clone() {
                let general = match_units(p.as_bytes(), t.as_bytes());
                assert_eq!(matches(p, t), general, "W({p:?}, {t:?})");
            }
        }
    }
}
