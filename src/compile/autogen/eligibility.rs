//! Takes a policy or one of its rules; says whether autogen may derive controller rules
//! from it (policy level: rules.md §3.2, rule level: rules.md §3.3).

use super::controllers::is_pod_or_controller;
use crate::ir::{MatchBlock, Policy, ResourceDescription, Rule, RuleBody};
use crate::source::Spanned;

/// Rules named like this are never generated from and are dropped from the evaluated list
/// whenever generated rules take their place (rules.md §3.4).
pub fn is_autogen_name(name: &str) -> bool {
    name.starts_with("autogen-")
}

/// Whether any rule may be generated from this policy: no rule generates or patches with
/// JSON6902, no resource description narrows by name, selector or annotations or mixes
/// Pod with other kinds, and some description names Pod or a controller verbatim.
pub fn policy_eligible(policy: &Policy) -> bool {
    let rules = &policy.spec.rules;
    if rules.iter().any(disables_autogen) {
        return false;
    }
    let mut descriptions = rules.iter().flat_map(descriptions);
    if !descriptions.clone().all(supports_autogen) {
        return false;
    }
    descriptions.any(|d| d.kinds.iter().any(|k| is_pod_or_controller(&k.node)))
}

fn disables_autogen(rule: &Rule) -> bool {
    let generates = matches!(&rule.body, RuleBody::Other(key) if key.node == "generate");
    generates || rule.patches_json6902.is_some()
}

/// Every resource description of a rule's `match` and `exclude`.
fn descriptions(rule: &Rule) -> impl Iterator<Item = &ResourceDescription> + Clone {
    [&rule.match_, &rule.exclude]
        .into_iter()
        .flatten()
        .flat_map(block_descriptions)
}

fn block_descriptions(block: &MatchBlock) -> impl Iterator<Item = &ResourceDescription> + Clone {
    let lists = [&block.any, &block.all].into_iter().flatten().flatten();
    lists
        .chain(&block.legacy)
        .filter_map(|filter| filter.resources.as_ref())
}

/// An empty `name` does not count; `annotations` and `selector` count even when empty.
fn supports_autogen(d: &ResourceDescription) -> bool {
    let named = d.name.as_ref().is_some_and(|n| !n.node.is_empty());
    let narrowed = named || !d.names.is_empty() || d.selector.is_some();
    let pod_and_more = d.kinds.len() > 1 && includes_pod(&d.kinds);
    !(narrowed || d.annotations.is_some() || pod_and_more)
}

/// Whether a rule gets generated counterparts (its body is checked when transforming):
/// not itself generated, matching Pod, and excluding Pod whenever it excludes kinds.
pub fn rule_eligible(rule: &Rule) -> bool {
    let match_kinds = block_kinds(&rule.match_);
    let exclude_kinds = block_kinds(&rule.exclude);
    !is_autogen_name(&rule.name.node)
        && includes_pod(&match_kinds)
        && (exclude_kinds.is_empty() || includes_pod(&exclude_kinds))
}

/// The union of the kinds of a block's filters (legacy, `any`, `all`).
fn block_kinds(block: &Option<MatchBlock>) -> Vec<Spanned<String>> {
    block
        .iter()
        .flat_map(block_descriptions)
        .flat_map(|d| d.kinds.iter().cloned())
        .collect()
}

/// Whether a kinds list names Pod: `Pod`, `v1/Pod`, `Pod/status`, `Pod.status`,
/// `core/v1/Pod`, ... (Kyverno compares the kind part of each selector).
pub fn includes_pod(kinds: &[Spanned<String>]) -> bool {
    kinds.iter().any(|k| selector_kind(&k.node) == "Pod")
}

/// The kind part of a kinds selector as autogen reads it: group, version and subresource
/// removed (the subresource may follow a `.` in the last segment).
fn selector_kind(selector: &str) -> &str {
    let parts: Vec<&str> = selector.split('/').collect();
    match parts.as_slice() {
        [kind] => before_dot(kind),
        [version, kind] if is_version(version) => before_dot(kind),
        [kind, _subresource] => kind,
        [version, kind, _subresource] if is_version(version) => kind,
        [_group, _version, kind] => before_dot(kind),
        [_group, _version, kind, _subresource] => kind,
        _ => "",
    }
}

fn before_dot(segment: &str) -> &str {
    segment.split('.').next().unwrap_or(segment)
}

/// Kyverno's version test for a first segment: `v` and a digit at the start, or a `*` at
/// the end.
fn is_version(segment: &str) -> bool {
    let bytes = segment.as_bytes();
    let versioned = bytes.first() == Some(&b'v') && bytes.get(1).is_some_and(u8::is_ascii_digit);
    versioned || segment.ends_with('*')
}

#[cfg(test)]
mod tests {
    use super::selector_kind;

    #[test]
    fn kind_part_of_selectors() {
        let cases = [
            ("Pod", "Pod"),
            ("Pod.status", "Pod"),
            ("v1/Pod", "Pod"),
            ("v1/Pod.status", "Pod"),
            ("Pod/ephemeralcontainers", "Pod"),
            ("v1/Pod/status", "Pod"),
            ("core/v1/Pod", "Pod"),
            ("g/v1/Pod/status", "Pod"),
            ("x/Pod", "x"),
            ("*/v1/Pod", "v1"),
            ("a/b/c/d/e", ""),
        ];
        for (selector, kind) in cases {
            assert_eq!(selector_kind(selector), kind, "{selector}");
        }
    }
}
