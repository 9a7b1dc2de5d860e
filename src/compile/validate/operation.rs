//! Rule preconditions and `deny.conditions` → diagnostics for a `{{request.operation}}` key
//! compared with something no request can carry (rules.md §1.6 item 4).

use crate::diagnostic::Diagnostic;
use crate::ir::{self, Condition, Conditions, Node, NodeValue};

/// What `request.operation` can be.
const OPERATIONS: &[&str] = &["CREATE", "UPDATE", "DELETE", "CONNECT"];

/// Checks the rule's preconditions and its `deny.conditions`; foreach conditions are not
/// checked, as in Kyverno.
pub(super) fn check_rule(rule: &ir::Rule) -> Vec<Diagnostic> {
    let deny = match &rule.body {
        ir::RuleBody::Validate(v) => v.deny.as_ref().and_then(|d| d.conditions.as_ref()),
        _ => None,
    };
    [rule.preconditions.as_ref(), deny]
        .into_iter()
        .flatten()
        .flat_map(conditions)
        .filter_map(check_condition)
        .collect()
}

fn conditions(c: &Conditions) -> impl Iterator<Item = &Condition> {
    let (any, all, list) = match c {
        Conditions::AnyAll { any, all, .. } => (any.as_deref(), all.as_deref(), None),
        Conditions::List { conditions, .. } => (None, None, Some(conditions.as_slice())),
    };
    [any, all, list].into_iter().flatten().flatten()
}

fn check_condition(c: &Condition) -> Option<Diagnostic> {
    let key = c.key.as_ref()?.as_str()?;
    if key.replace(' ', "") != "{{request.operation}}" {
        return None;
    }
    let value = c.value.as_ref()?;
    match &value.value {
        NodeValue::String(s) if is_variable(s) => None,
        NodeValue::String(s) => unknown(s, value),
        NodeValue::Seq(items) => items.iter().find_map(|item| match item.as_str() {
            Some(s) => unknown(s, item),
            None => Some(wrong_type(item)),
        }),
        NodeValue::Null => None,
        _ => Some(wrong_type(value)),
    }
}

/// A whole-string variable: its value is only known when the rule runs.
fn is_variable(s: &str) -> bool {
    s.len() >= 4 && s.starts_with("{{") && s.ends_with("}}")
}

fn unknown(s: &str, node: &Node) -> Option<Diagnostic> {
    if OPERATIONS.contains(&s) {
        return None;
    }
    Some(
        Diagnostic::error(format!(
            "unknown value '{s}' found under the 'value' field. Only the following values are allowed: [CREATE, UPDATE, DELETE, CONNECT]"
        ))
        .at(node.span)
        .with_label("expected CREATE, UPDATE, DELETE or CONNECT"),
    )
}

fn wrong_type(node: &Node) -> Diagnostic {
    let go_kind = match node.value {
        NodeValue::Bool(_) => "bool",
        NodeValue::Number(_) => "float64",
        NodeValue::Map(_) => "map",
        NodeValue::Seq(_) => "slice",
        NodeValue::Null | NodeValue::String(_) => "string",
    };
    Diagnostic::error(format!(
        "'value' field found to be of the type {go_kind}. The provided value/values are expected to be either in the form of a string or list"
    ))
    .at(node.span)
    .with_label("expected an operation name or a list of them")
}
