//! Policy-level rules of Kyverno's validation → diagnostics: the autogen annotation
//! (rules.md §3.1), the name's length and what a namespaced `Policy` may not use (§1.1),
//! admission/background (§1.2) and rules whose `exclude` repeats their `match` (§1.6
//! item 3).

use serde_json::{Value, json};

use crate::diagnostic::Diagnostic;
use crate::ir::{self, LabelSelector, MatchBlock, PolicyKind, ResourceFilter};
use crate::source::Spanned;

const AUTOGEN: &str = "pod-policies.kyverno.io/autogen-controllers";

pub(super) fn autogen_annotation(p: &ir::Policy) -> Option<Diagnostic> {
    let value = p.annotation(AUTOGEN).filter(|v| v.node == "all")?;
    Some(
        Diagnostic::error("metadata.annotations: Forbidden: Autogen annotation does not support 'all' anymore, remove the annotation or set it to a valid value")
            .at(value.span)
            .with_label("expected `none` or a comma-separated list of controller kinds"),
    )
}

/// Reports name policies by their name in a label value, which holds at most 63 bytes.
pub(super) fn name_length(p: &ir::Policy) -> Option<Diagnostic> {
    (p.name.node.len() > 63).then(|| {
        Diagnostic::error("name: Too long: may not be more than 63 bytes")
            .at(p.name.span)
            .with_label(format!("{} bytes; expected at most 63", p.name.node.len()))
    })
}

/// `admission: false` with `background: false` leaves nothing for the policy to do.
pub(super) fn processing(p: &ir::Policy) -> Option<Diagnostic> {
    let admission = p.spec.admission.as_ref().filter(|a| !a.node)?;
    p.spec.background.as_ref().filter(|b| !b.node)?;
    Some(
        Diagnostic::error("disabling both admission and background processing is not allowed")
            .at(admission.span)
            .with_label("expected `admission` or `background` to be true"),
    )
}

/// A `Policy` only sees its own namespace: it may neither filter on namespaces nor
/// override the failure action per namespace.
pub(super) fn namespaced(p: &ir::Policy) -> Vec<Diagnostic> {
    if p.kind != PolicyKind::Policy {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, rule) in p.spec.rules.iter().enumerate() {
        let blocks = [("match", &rule.match_), ("exclude", &rule.exclude)];
        for (name, block) in blocks {
            if let Some(block) = block {
                namespaces_in(&format!("spec.rules[{i}].{name}"), block, &mut out);
            }
        }
    }
    if let Some(o) = p.spec.validation_failure_action_overrides.first() {
        out.push(
            Diagnostic::error("spec.validationFailureActionOverrides: Forbidden: Use of validationFailureActionOverrides is supported only with ClusterPolicy")
                .at(o.span)
                .with_label("a Policy applies in its own namespace only"),
        );
    }
    out
}

fn namespaces_in(path: &str, block: &MatchBlock, out: &mut Vec<Diagnostic>) {
    for (key, filters) in [("any", &block.any), ("all", &block.all)] {
        for (j, f) in filters.iter().flatten().enumerate() {
            namespaces_of(&format!("{path}.{key}[{j}]"), f, out);
        }
    }
    if let Some(f) = &block.legacy {
        namespaces_of(path, f, out);
    }
}

fn namespaces_of(path: &str, f: &ResourceFilter, out: &mut Vec<Diagnostic>) {
    let Some(first) = f.resources.as_ref().and_then(|r| r.namespaces.first()) else {
        return;
    };
    out.push(
        Diagnostic::error(format!("{path}.resources.namespaces: Forbidden: Filtering namespaces not allowed in namespaced policies"))
            .at(first.span)
            .with_label("a Policy applies in its own namespace only"),
    );
}

/// Kyverno's simple case: with `any` filters on both sides and no `all`, an exclude filter
/// identical to a match filter excludes everything that filter matches.
pub(super) fn empty_set(i: usize, rule: &ir::Rule) -> Option<Diagnostic> {
    let (m, e) = (rule.match_.as_ref()?, rule.exclude.as_ref()?);
    let has_all = |b: &MatchBlock| b.all.as_ref().is_some_and(|a| !a.is_empty());
    if has_all(m) || has_all(e) {
        return None;
    }
    let (m_any, e_any) = (m.any.as_ref()?, e.any.as_ref()?);
    let excluded: Vec<Value> = e_any.iter().map(filter_value).collect();
    let same = m_any.iter().find(|f| excluded.contains(&filter_value(f)))?;
    Some(
        Diagnostic::error(format!("spec.rules[{i}]: Rule is matching an empty set"))
            .at(same.span)
            .with_label("`exclude` lists this same filter, so the rule never applies"),
    )
}

/// A filter without spans, for comparing two filters as written.
fn filter_value(f: &ResourceFilter) -> Value {
    let strings = |l: &[Spanned<String>]| l.iter().map(|s| s.node.clone()).collect::<Vec<_>>();
    let resources = f.resources.as_ref().map(|r| {
        json!({
            "kinds": strings(&r.kinds),
            "name": r.name.as_ref().map(|n| n.node.clone()),
            "names": strings(&r.names),
            "namespaces": strings(&r.namespaces),
            "annotations": r.annotations.as_ref().map(|a| pairs(a)),
            "selector": r.selector.as_ref().map(selector_value),
            "namespaceSelector": r.namespace_selector.as_ref().map(selector_value),
            "operations": strings(&r.operations),
        })
    });
    let subjects: Vec<Value> = f
        .subjects
        .iter()
        .map(|s| {
            json!([
                s.kind.node,
                s.name.node,
                s.namespace.as_ref().map(|n| n.node.clone())
            ])
        })
        .collect();
    json!({
        "resources": resources,
        "roles": strings(&f.roles),
        "clusterRoles": strings(&f.cluster_roles),
        "subjects": subjects,
    })
}

fn pairs(pairs: &[(Spanned<String>, Spanned<String>)]) -> Value {
    let map = pairs
        .iter()
        .map(|(k, v)| (k.node.clone(), Value::String(v.node.clone())));
    Value::Object(map.collect())
}

fn selector_value(s: &LabelSelector) -> Value {
    let expressions: Vec<Value> = s
        .match_expressions
        .iter()
        .map(|e| {
            let values: Vec<&str> = e.values.iter().map(|v| v.node.as_str()).collect();
            json!([e.key.node, e.operator.node, values])
        })
        .collect();
    json!({"matchLabels": pairs(&s.match_labels), "matchExpressions": expressions})
}
