//! A validate rule's patterns → diagnostics for `labels`/`annotations` values that are not
//! strings (rules.md §1.6 item 9), looked for where Kyverno looks: `metadata` and
//! `spec.template.metadata` of the pattern, of each `anyPattern` entry, or of the first
//! foreach pattern.

use crate::diagnostic::Diagnostic;
use crate::ir::{self, Node, NodeValue};

pub(super) fn check_rule(rule: &ir::Rule) -> Vec<Diagnostic> {
    let ir::RuleBody::Validate(v) = &rule.body else {
        return Vec::new();
    };
    let patterns: Vec<&Node> = match &v.foreach {
        // Kyverno stops at the first foreach declaration whose pattern is a mapping.
        Some(list) => list
            .iter()
            .filter_map(|f| f.pattern.as_ref())
            .find(|p| p.entries().is_some())
            .into_iter()
            .collect(),
        None => match (&v.pattern, &v.any_pattern) {
            (Some(p), _) if p.entries().is_some() => vec![p],
            (_, Some(any)) => any.items().unwrap_or_default().iter().collect(),
            _ => Vec::new(),
        },
    };
    patterns.into_iter().flat_map(check_pattern).collect()
}

/// Kyverno checks whichever of `metadata` and `spec` it meets first in an unordered map;
/// both are checked here, so a policy it rejects only sometimes is always rejected.
fn check_pattern(pattern: &Node) -> Vec<Diagnostic> {
    let template_metadata = pattern
        .get("spec")
        .and_then(|s| s.get("template"))
        .and_then(|t| t.get("metadata"));
    [pattern.get("metadata"), template_metadata]
        .into_iter()
        .flatten()
        .flat_map(check_metadata)
        .collect()
}

fn check_metadata(metadata: &Node) -> Vec<Diagnostic> {
    ["labels", "annotations"]
        .into_iter()
        .filter_map(|key| metadata.get(key))
        .filter_map(Node::entries)
        .flatten()
        .filter(|e| !matches!(e.value.value, NodeValue::String(_)))
        .map(|e| {
            Diagnostic::error(
                "labels and annotations supports only string values, \"use double quotes around the non string values\"",
            )
            .at(e.value.span)
            .with_label(format!("expected a string, found {}", e.value.kind_name()))
        })
        .collect()
}
