//! `kinds` entries parsed once into `(group, version, kind, subresource)` patterns, with
//! Kyverno's reading of each shape (rules.md §2.3), quirks included.

use crate::source::Spanned;

use super::pattern::Pattern;

/// One compiled `kinds` entry.
#[derive(Clone, Debug)]
pub struct KindSelector {
    /// The entry as written.
    pub source: Spanned<String>,
    group: Pattern,
    version: Pattern,
    kind: Pattern,
    subresource: Pattern,
    /// Any group and version, no subresource: the usual `kinds: [Pod]` entry, decided by
    /// the kind alone.
    kind_only: bool,
}

impl KindSelector {
    pub fn parse(source: &Spanned<String>) -> KindSelector {
        let [group, version, kind, subresource] = split_selector(&source.node);
        KindSelector {
            kind_only: group == "*" && version == "*" && subresource.is_empty(),
            source: source.clone(),
            group: Pattern::new(group),
            version: Pattern::new(version),
            kind: Pattern::new(kind),
            subresource: Pattern::new(subresource),
        }
    }

    pub fn group(&self) -> &str {
        self.group.as_str()
    }

    pub fn version(&self) -> &str {
        self.version.as_str()
    }

    /// The kind part as written (may hold wildcards, e.g. `Deploy*` or `*`).
    pub fn kind(&self) -> &str {
        self.kind.as_str()
    }

    pub fn subresource(&self) -> &str {
        self.subresource.as_str()
    }

    /// The entry as a [`NamedKind`], when it names no subresource and holds no wildcard
    /// but a group or version of `*`.
    pub fn named(&self) -> Option<NamedKind> {
        if !self.subresource.as_str().is_empty() || !self.kind.is_literal() {
            return None;
        }
        Some(NamedKind {
            group: any_or_named(&self.group)?,
            version: any_or_named(&self.version)?,
            kind: self.kind.as_str().into(),
        })
    }

    /// True when the entry is exactly `*` (the bare wildcard, which policy validation and
    /// `namespaceSelector` treat specially).
    pub fn is_bare_wildcard(&self) -> bool {
        self.source.node == "*"
    }

    /// Does the entry select this group/version/kind and subresource? With
    /// `ephemeral_containers`, a selector of core `v1` `Pod` also selects the
    /// `ephemeralcontainers` subresource (policies only, not exceptions).
    #[inline]
    pub fn matches(&self, gvk: [&str; 3], subresource: &str, ephemeral_containers: bool) -> bool {
        let [group, version, kind] = gvk;
        let selected = match self.kind_only {
            true => self.kind.matches(kind),
            false => {
                self.group.matches(group)
                    && self.version.matches(version)
                    && self.kind.matches(kind)
            }
        };
        if !selected {
            return false;
        }
        // A kind-only entry names no subresource: its empty pattern matches only none.
        let subresource_matches = match self.kind_only {
            true => subresource.is_empty(),
            false => self.subresource.matches(subresource),
        };
        subresource_matches
            || (ephemeral_containers
                && gvk == ["", "v1", "Pod"]
                && subresource == "ephemeralcontainers")
    }
}

/// A `kinds` entry without wildcards or subresource: `None` stands for a group or version
/// of `*`. It selects a request without subresource whose group, version and kind it
/// names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamedKind {
    pub group: Option<Box<str>>,
    pub version: Option<Box<str>>,
    pub kind: Box<str>,
}

impl NamedKind {
    #[inline]
    pub fn selects(&self, group: &str, version: &str, kind: &str) -> bool {
        let part =
            |named: &Option<Box<str>>, given: &str| named.as_deref().is_none_or(|n| n == given);
        *self.kind == *kind && part(&self.version, version) && part(&self.group, group)
    }
}

/// `Some(None)` for `*`, `Some(text)` for a pattern without wildcards, `None` otherwise.
fn any_or_named(pattern: &Pattern) -> Option<Option<Box<str>>> {
    match pattern.as_str() {
        "*" => Some(None),
        text => pattern.is_literal().then(|| Some(text.into())),
    }
}

/// `(group, version, kind, subresource)` of a `kinds` entry, read as Kyverno reads it
/// (§2.3 table): split on `/`, the last segment also on `.`, then read by part count.
pub fn parse_kind_selector(entry: &str) -> [&str; 4] {
    split_selector(entry)
}

fn split_selector(entry: &str) -> [&str; 4] {
    let (head, last) = match entry.rsplit_once('/') {
        Some((head, last)) => (Some(head), last),
        None => (None, entry),
    };
    let parts: Vec<&str> = head
        .into_iter()
        .flat_map(|h| h.split('/'))
        .chain(last.split('.'))
        .collect();
    match parts.as_slice() {
        [k] => ["*", "*", k, ""],
        ["*", "*"] => ["*", "*", "*", "*"],
        ["*", s] if s.to_lowercase() == *s => ["*", "*", "*", s],
        [v, k] if is_version(v) => ["*", v, k, ""],
        [k, s] => ["*", "*", k, s],
        [v, k, s] if is_version(v) => ["*", v, k, s],
        [g, v, k] => [g, v, k, ""],
        [g, v, k, s] => [g, v, k, s],
        // Five parts or more: empty patterns, which only match empty strings.
        _ => ["", "", "", ""],
    }
}

/// `^(v\d+((alpha|beta)\d+)?|\*)$`
fn is_version(part: &str) -> bool {
    if part == "*" {
        return true;
    }
    let Some(rest) = part.strip_prefix('v') else {
        return false;
    };
    let (major, rest) = split_digits(rest);
    if major.is_empty() {
        return false;
    }
    if rest.is_empty() {
        return true;
    }
    let Some(level) = rest
        .strip_prefix("alpha")
        .or_else(|| rest.strip_prefix("beta"))
    else {
        return false;
    };
    let (minor, rest) = split_digits(level);
    !minor.is_empty() && rest.is_empty()
}

fn split_digits(s: &str) -> (&str, &str) {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    s.split_at(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_rows_of_rules_md_2_3() {
        let rows: &[(&str, [&str; 4])] = &[
            ("Pod", ["*", "*", "Pod", ""]),
            ("*/*", ["*", "*", "*", "*"]),
            ("*/status", ["*", "*", "*", "status"]),
            ("v1/Pod", ["*", "v1", "Pod", ""]),
            ("*/Pod", ["*", "*", "Pod", ""]),
            ("Pod/status", ["*", "*", "Pod", "status"]),
            ("Pod.status", ["*", "*", "Pod", "status"]),
            ("apps/Deployment", ["*", "*", "apps", "Deployment"]),
            ("v1/Pod/status", ["*", "v1", "Pod", "status"]),
            ("apps/v1/Deployment", ["apps", "v1", "Deployment", ""]),
            (
                "apps/v1/Deployment/scale",
                ["apps", "v1", "Deployment", "scale"],
            ),
            ("a/b/c/d/e", ["", "", "", ""]),
        ];
        for (entry, want) in rows {
            assert_eq!(split_selector(entry), *want, "{entry}");
        }
    }

    #[test]
    fn kind_only_entries_select_as_the_full_check_does() {
        let entries = [
            "Pod",
            "v1/Pod",
            "*/Pod",
            "Pod/status",
            "apps/v1/Deployment",
            "Po*",
        ];
        let requests: &[([&str; 3], &str)] = &[
            (["", "v1", "Pod"], ""),
            (["", "v1", "Pod"], "status"),
            (["", "v1", "Pod"], "ephemeralcontainers"),
            (["apps", "v1", "Deployment"], ""),
            (["", "v2", "Pod"], ""),
            (["", "v1", "Node"], ""),
        ];
        for entry in entries {
            let selector =
                KindSelector::parse(&Spanned::new(entry.to_string(), Default::default()));
            let full = KindSelector {
                kind_only: false,
                ..selector.clone()
            };
            for &(gvk, subresource) in requests {
                for ephemeral in [false, true] {
                    assert_eq!(
                        selector.matches(gvk, subresource, ephemeral),
                        full.matches(gvk, subresource, ephemeral),
                        "{entry} on {gvk:?}/{subresource} (ephemeral: {ephemeral})"
                    );
                }
            }
        }
        assert!(KindSelector::parse(&Spanned::new("Pod".into(), Default::default())).kind_only);
    }

    #[test]
    fn version_shapes() {
        for ok in ["v1", "v10", "v1beta1", "v2alpha12", "*"] {
            assert!(is_version(ok), "{ok}");
        }
        for bad in ["v", "V1", "v1beta", "v1gamma1", "apps", "1", "v1beta1x"] {
            assert!(!is_version(bad), "{bad}");
        }
    }
}
