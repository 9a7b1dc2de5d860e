//! An IR policy → every reason Kyverno's policy validation would reject it (rules.md §1.6,
//! §1.1, §1.2, §3.1). A rejected policy is never evaluated: its expected results become
//! `Invalid Policy` rows. Structural checks live with the compile stage; these are the
//! checks about variables, context entries, conditions and policy-wide settings.

mod background;
mod context;
mod labels;
mod operation;
mod policy;
mod variables;
mod walk;

use crate::diagnostic::Diagnostic;
use crate::ir::Policy;

use walk::{Region, Text};

/// Every validation diagnostic of `p`, roughly in the order Kyverno checks: variables
/// first, then policy-wide settings, then each rule's conditions, context and patterns.
pub fn validate_policy(p: &Policy) -> Vec<Diagnostic> {
    let background = background::enabled(p);
    let texts: Vec<Vec<Text<'_>>> = p.spec.rules.iter().map(walk::rule_texts).collect();
    let mut out = Vec::new();
    if background {
        out.extend(background::user_filters(p));
        out.extend(background::user_variables(&annotation_texts(p)));
        texts
            .iter()
            .for_each(|t| out.extend(background::user_variables(t)));
    }
    for (rule, texts) in p.spec.rules.iter().zip(&texts) {
        let scope = variables::Scope::of(rule, background);
        out.extend(variables::check_rule(rule, texts, &scope));
    }
    out.extend(policy::autogen_annotation(p));
    out.extend(policy::name_length(p));
    out.extend(policy::namespaced(p));
    out.extend(policy::processing(p));
    for (i, rule) in p.spec.rules.iter().enumerate() {
        out.extend(policy::empty_set(i, rule));
        out.extend(operation::check_rule(rule));
        out.extend(context::check(&rule.context));
        out.extend(labels::check_rule(rule));
    }
    out
}

/// The policy's annotations as texts: Kyverno looks for user variables in the whole
/// serialised policy, metadata included.
fn annotation_texts(p: &Policy) -> Vec<Text<'_>> {
    p.annotations
        .iter()
        .flat_map(|(k, v)| [k, v])
        .map(|s| Text {
            text: &s.node,
            span: s.span,
            path: "/metadata/annotations".to_string(),
            region: Region::Rule,
        })
        .collect()
}
