//! "Rule is matching an empty set": Kyverno's syntactic test that `exclude` removes
//! everything `match` selects (rules.md §1.6 item 3). Only the two shapes whose outcome is
//! certain are reproduced: identical `any` filters, and two legacy blocks.

use crate::ir::{LabelRequirement, LabelSelector, MatchBlock, ResourceDescription};
use crate::ir::{ResourceFilter, Subject};
use crate::source::Spanned;
use crate::value::wildcard;

use super::filter::written_name;

/// True when Kyverno rejects the rule because `exclude` covers `match`.
pub(crate) fn exclude_covers_match(m: &MatchBlock, e: &MatchBlock) -> bool {
    let (m_any, e_any) = (listed(&m.any), listed(&e.any));
    if !listed(&m.all).is_empty() || !listed(&e.all).is_empty() {
        return false;
    }
    if !m_any.is_empty() || !e_any.is_empty() {
        return m_any
            .iter()
            .any(|a| e_any.iter().any(|b| same_filter(a, b)));
    }
    let empty = ResourceFilter::default();
    let exclude = e.legacy.as_ref().unwrap_or(&empty);
    if is_blank(exclude) {
        return false;
    }
    legacy_covers(m.legacy.as_ref().unwrap_or(&empty), exclude)
}

fn listed(list: &Option<Vec<ResourceFilter>>) -> &[ResourceFilter] {
    list.as_deref().unwrap_or_default()
}

fn is_blank(f: &ResourceFilter) -> bool {
    f.roles.is_empty()
        && f.cluster_roles.is_empty()
        && f.subjects.is_empty()
        && same_description(f.resources.as_ref(), None)
}

/// The field-by-field comparison Kyverno makes between two legacy blocks.
fn legacy_covers(m: &ResourceFilter, e: &ResourceFilter) -> bool {
    let zero = ResourceDescription::default();
    let (md, ed) = (
        m.resources.as_ref().unwrap_or(&zero),
        e.resources.as_ref().unwrap_or(&zero),
    );
    let user_covered = covered(&m.roles, &e.roles)
        && covered(&m.cluster_roles, &e.cluster_roles)
        && (e.subjects.is_empty()
            || (!m.subjects.is_empty()
                && m.subjects
                    .iter()
                    .all(|s| e.subjects.iter().any(|t| same_subject(s, t)))));
    if !user_covered {
        return false;
    }
    if let Some(name) = written_name(ed)
        && !wildcard::matches(name, written_name(md).unwrap_or_default())
    {
        return false;
    }
    if !ed.names.is_empty() {
        // A conflict between any two names decides, whatever the remaining fields say.
        return md.names.iter().any(|mn| {
            ed.names
                .iter()
                .any(|en| wildcard::matches(&en.node, &mn.node))
        });
    }
    covered(&md.namespaces, &ed.namespaces)
        && covered(&md.kinds, &ed.kinds)
        && selectors_covered(md.selector.as_ref(), ed.selector.as_ref())
        && selectors_covered(
            md.namespace_selector.as_ref(),
            ed.namespace_selector.as_ref(),
        )
        && annotations_covered(md, ed)
}

/// An exclude list imposes nothing when empty; otherwise the match list must be non-empty
/// and every entry of it excluded.
fn covered(m: &[Spanned<String>], e: &[Spanned<String>]) -> bool {
    e.is_empty() || (!m.is_empty() && m.iter().all(|x| e.iter().any(|y| y.node == x.node)))
}

fn selectors_covered(m: Option<&LabelSelector>, e: Option<&LabelSelector>) -> bool {
    let (Some(m), Some(e)) = (m, e) else {
        return m.is_none() && e.is_none();
    };
    let expressions = e.match_expressions.is_empty()
        || (!m.match_expressions.is_empty()
            && m.match_expressions
                .iter()
                .all(|x| e.match_expressions.iter().any(|y| same_requirement(x, y))));
    let labels = e.match_labels.is_empty()
        || (!m.match_labels.is_empty()
            && m.match_labels
                .iter()
                .all(|(k, v)| lookup(&e.match_labels, &k.node) == v.node));
    expressions && labels
}

fn annotations_covered(m: &ResourceDescription, e: &ResourceDescription) -> bool {
    match (&m.annotations, &e.annotations) {
        (Some(a), Some(b)) => same_map(a, b),
        (None, None) => true,
        _ => false,
    }
}

type Pairs = [(Spanned<String>, Spanned<String>)];

fn lookup<'a>(pairs: &'a Pairs, key: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k.node == key)
        .map_or("", |(_, v)| v.node.as_str())
}

fn same_map(a: &Pairs, b: &Pairs) -> bool {
    a.len() == b.len()
        && a.iter().all(|(k, v)| {
            b.iter()
                .any(|(k2, v2)| k2.node == k.node && v2.node == v.node)
        })
}

fn same_list(a: &[Spanned<String>], b: &[Spanned<String>]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.node == y.node)
}

/// Structural equality of two filters, spans ignored (Kyverno's `DeepEqual`).
fn same_filter(a: &ResourceFilter, b: &ResourceFilter) -> bool {
    same_list(&a.roles, &b.roles)
        && same_list(&a.cluster_roles, &b.cluster_roles)
        && a.subjects.len() == b.subjects.len()
        && a.subjects
            .iter()
            .zip(&b.subjects)
            .all(|(x, y)| same_subject(x, y))
        && same_description(a.resources.as_ref(), b.resources.as_ref())
}

fn same_subject(a: &Subject, b: &Subject) -> bool {
    let ns = |s: &Subject| s.namespace.as_ref().map(|n| n.node.clone());
    a.kind.node == b.kind.node && a.name.node == b.name.node && ns(a) == ns(b)
}

fn same_description(a: Option<&ResourceDescription>, b: Option<&ResourceDescription>) -> bool {
    let zero = ResourceDescription::default();
    let (a, b) = (a.unwrap_or(&zero), b.unwrap_or(&zero));
    same_list(&a.kinds, &b.kinds)
        && written_name(a) == written_name(b)
        && same_list(&a.names, &b.names)
        && same_list(&a.namespaces, &b.namespaces)
        && match (&a.annotations, &b.annotations) {
            (Some(x), Some(y)) => same_map(x, y),
            (x, y) => x.is_none() && y.is_none(),
        }
        && same_selector(a.selector.as_ref(), b.selector.as_ref())
        && same_selector(a.namespace_selector.as_ref(), b.namespace_selector.as_ref())
        && same_list(&a.operations, &b.operations)
}

fn same_selector(a: Option<&LabelSelector>, b: Option<&LabelSelector>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => {
            same_map(&a.match_labels, &b.match_labels)
                && a.match_expressions.len() == b.match_expressions.len()
                && a.match_expressions
                    .iter()
                    .zip(&b.match_expressions)
                    .all(|(x, y)| same_requirement(x, y))
        }
        (a, b) => a.is_none() && b.is_none(),
    }
}

fn same_requirement(a: &LabelRequirement, b: &LabelRequirement) -> bool {
    a.key.node == b.key.node
        && a.operator.node == b.operator.node
        && same_list(&a.values, &b.values)
}
