//! Kyverno's wildcard match `W(pattern, text)`: `*` any run of characters, `?` exactly one,
//! everything else literal, whole text consumed (rules.md §0.2).

/// True when `pattern` matches all of `text`.
pub fn matches(pattern: &str, text: &str) -> bool {
    let bytes = pattern.as_bytes();
    let Some(first) = first_wildcard(bytes) else {
        return pattern == text;
    };
    let wildcards = 1 + bytes[first + 1..]
        .iter()
        .filter(|&&b| is_wildcard(b))
        .count();
    if pattern == "*" {
        return true;
    }
    if let Some(decided) = simple_shape(pattern, text, wildcards, first) {
        return decided;
    }
    if pattern.is_ascii() && text.is_ascii() {
        return match_units(bytes, text.as_bytes());
    }
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    match_units(&p, &t)
}

/// `X*`, `*X` and `*X*` with a literal `X` (the usual shapes of image and name patterns),
/// decided without backtracking; `None` for other patterns. `first` is where the first of
/// the pattern's `wildcards` is.
fn simple_shape(pattern: &str, text: &str, wildcards: usize, first: usize) -> Option<bool> {
    let bytes = pattern.as_bytes();
    let last = bytes.last() == Some(&b'*');
    match (wildcards, first == 0 && bytes[0] == b'*', last) {
        (2, true, true) => Some(contains(text, &pattern[1..pattern.len() - 1])),
        (1, false, true) => Some(text.starts_with(&pattern[..pattern.len() - 1])),
        (1, true, false) => Some(text.ends_with(&pattern[1..])),
        _ => None,
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
    memchr::memchr_iter(head, &text[..=last_start]).any(|i| text[i..].starts_with(literal))
}

/// Where the first `*` or `?` is. Most patterns are short words, which a plain loop
/// scans faster than memchr's vectorised search can start.
fn first_wildcard(bytes: &[u8]) -> Option<usize> {
    if bytes.len() < 32 {
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
        let texts = [
            "", "a", "ab", "ba", "xaab", "aab", "abab", "xyz", "aaa", "b",
        ];
        for p in patterns {
            for t in texts {
                let general = match_units(p.as_bytes(), t.as_bytes());
                assert_eq!(matches(p, t), general, "W({p:?}, {t:?})");
            }
        }
    }
}
