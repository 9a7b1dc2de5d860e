//! Label selectors (`selector`, `namespaceSelector`, failure-action overrides) compiled
//! once: `matchLabels` entries with Kyverno's wildcard expansion, `matchExpressions`
//! requirements, and the reason Kubernetes would reject the selector, if any (rules.md §2.5).

use crate::ir;

use super::pattern::Pattern;

/// A compiled label selector; the engine evaluates it (`engine::selector`).
#[derive(Clone, Debug)]
pub struct LabelSelector {
    pub(crate) labels: Vec<LabelTerm>,
    pub(crate) requirements: Vec<Requirement>,
    /// Why Kubernetes refuses to build this selector (with wildcard entries left out, as
    /// they are only checked once expanded against the labels at hand).
    pub(crate) problem: Option<String>,
}

/// One `matchLabels` entry.
#[derive(Clone, Debug)]
pub(crate) enum LabelTerm {
    /// `key: value` without wildcards: the label must exist with that value.
    Equals { key: Box<str>, value: Box<str> },
    /// An entry with `*`/`?` in its key or value: replaced by the first label matching
    /// both patterns; when none does it becomes an entry no label set satisfies.
    Wildcard { key: Pattern, value: Pattern },
}

/// One `matchExpressions` entry.
#[derive(Clone, Debug)]
pub(crate) struct Requirement {
    pub(crate) key: Box<str>,
    pub(crate) operator: SelectorOperator,
    pub(crate) values: Vec<Box<str>>,
}

/// The `matchExpressions` operators Kubernetes knows (spelled exactly so).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SelectorOperator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

impl SelectorOperator {
    pub fn parse(s: &str) -> Option<SelectorOperator> {
        match s {
            "In" => Some(SelectorOperator::In),
            "NotIn" => Some(SelectorOperator::NotIn),
            "Exists" => Some(SelectorOperator::Exists),
            "DoesNotExist" => Some(SelectorOperator::DoesNotExist),
            _ => None,
        }
    }
}

impl LabelSelector {
    pub fn compile(ir: &ir::LabelSelector) -> LabelSelector {
        let labels: Vec<LabelTerm> = ir
            .match_labels
            .iter()
            .map(|(k, v)| label_term(&k.node, &v.node))
            .collect();
        let requirements: Vec<Requirement> = ir.match_expressions.iter().map(requirement).collect();
        let problem = labels
            .iter()
            .find_map(term_problem)
            .or_else(|| ir.match_expressions.iter().find_map(requirement_problem));
        LabelSelector {
            labels,
            requirements,
            problem,
        }
    }

    /// Why Kubernetes would reject this selector, if it would.
    pub fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }

    /// True when some `matchLabels` key or value holds `*` or `?`.
    pub fn has_wildcard(&self) -> bool {
        self.labels
            .iter()
            .any(|t| matches!(t, LabelTerm::Wildcard { .. }))
    }

    /// True when the selector has no requirement at all (it then selects everything).
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty() && self.requirements.is_empty()
    }
}

fn label_term(key: &str, value: &str) -> LabelTerm {
    let (k, v) = (Pattern::new(key), Pattern::new(value));
    if k.is_literal() && v.is_literal() {
        LabelTerm::Equals {
            key: key.into(),
            value: value.into(),
        }
    } else {
        LabelTerm::Wildcard { key: k, value: v }
    }
}

fn requirement(r: &ir::LabelRequirement) -> Requirement {
    Requirement {
        key: r.key.node.as_str().into(),
        // An unknown operator makes the selector invalid (see `requirement_problem`), so
        // the placeholder is never consulted.
        operator: SelectorOperator::parse(&r.operator.node).unwrap_or(SelectorOperator::In),
        values: r.values.iter().map(|v| v.node.as_str().into()).collect(),
    }
}

fn term_problem(term: &LabelTerm) -> Option<String> {
    match term {
        LabelTerm::Equals { key, value } => key_problem(key).or_else(|| value_problem(value)),
        LabelTerm::Wildcard { .. } => None,
    }
}

fn requirement_problem(r: &ir::LabelRequirement) -> Option<String> {
    if let Some(p) = key_problem(&r.key.node) {
        return Some(p);
    }
    let Some(operator) = SelectorOperator::parse(&r.operator.node) else {
        return Some(format!(
            "`{}` is not a valid label selector operator (expected In, NotIn, Exists or DoesNotExist)",
            r.operator.node
        ));
    };
    let needs_values = matches!(operator, SelectorOperator::In | SelectorOperator::NotIn);
    if needs_values && r.values.is_empty() {
        return Some(format!(
            "operator {} of key `{}` needs at least one value",
            r.operator.node, r.key.node
        ));
    }
    if !needs_values && !r.values.is_empty() {
        return Some(format!(
            "operator {} of key `{}` takes no values",
            r.operator.node, r.key.node
        ));
    }
    r.values.iter().find_map(|v| value_problem(&v.node))
}

fn key_problem(key: &str) -> Option<String> {
    label_key_error(key).map(|why| format!("`{key}` is not a valid label key: {why}"))
}

fn value_problem(value: &str) -> Option<String> {
    label_value_error(value).map(|why| format!("`{value}` is not a valid label value: {why}"))
}

const NAME_RULE: &str = "it must consist of alphanumeric characters, '-', '_' or '.', and start and end with an alphanumeric character";

/// Why `key` is not a Kubernetes label key (`[prefix/]name`), or `None` when it is one.
pub fn label_key_error(key: &str) -> Option<&'static str> {
    let (prefix, name) = match key.split_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, key),
    };
    if let Some(prefix) = prefix {
        if name.contains('/') {
            return Some("a key holds at most one '/'");
        }
        if prefix.is_empty() {
            return Some("the prefix before '/' must be non-empty");
        }
        if !is_dns_subdomain(prefix) {
            return Some("the prefix before '/' must be a lowercase DNS subdomain");
        }
    }
    if name.is_empty() {
        return Some("the name part must be non-empty");
    }
    if name.len() > 63 {
        return Some("the name part must be no more than 63 characters");
    }
    (!is_label_name(name)).then_some(NAME_RULE)
}

/// Why `value` is not a Kubernetes label value, or `None` when it is one.
pub fn label_value_error(value: &str) -> Option<&'static str> {
    if value.len() > 63 {
        return Some("it must be no more than 63 characters");
    }
    (!value.is_empty() && !is_label_name(value)).then_some(NAME_RULE)
}

/// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`
fn is_label_name(s: &str) -> bool {
    let bytes = s.as_bytes();
    let (Some(first), Some(last)) = (bytes.first(), bytes.last()) else {
        return false;
    };
    first.is_ascii_alphanumeric()
        && last.is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// RFC 1123 subdomain: dot-separated lowercase labels, at most 253 characters.
fn is_dns_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_dns_label)
}

fn is_dns_label(s: &str) -> bool {
    let bytes = s.as_bytes();
    let alnum = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let (Some(first), Some(last)) = (bytes.first(), bytes.last()) else {
        return false;
    };
    alnum(first) && alnum(last) && bytes.iter().all(|b| alnum(b) || *b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_keys_follow_kubernetes_rules() {
        for ok in ["app", "app.kubernetes.io/name", "a", "A-b_c.d", "x/y", "0"] {
            assert_eq!(label_key_error(ok), None, "{ok}");
        }
        for bad in [
            "",
            "/x",
            "a/b/c",
            "-a",
            "a-",
            "Bad.Prefix/x",
            "a b",
            "x/",
            "*",
        ] {
            assert!(label_key_error(bad).is_some(), "{bad}");
        }
        assert!(label_key_error(&"a".repeat(64)).is_some());
    }

    #[test]
    fn label_values_may_be_empty() {
        for ok in ["", "v1", "a.b-c_d", "00"] {
            assert_eq!(label_value_error(ok), None, "{ok}");
        }
        for bad in ["-x", "x y", "é", "*"] {
            assert!(label_value_error(bad).is_some(), "{bad}");
        }
    }
}
