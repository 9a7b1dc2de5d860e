//! A rule's context entries → the diagnostics of rules.md §1.6 item 8: a usable name,
//! one source, and the fields each source needs. Only rule-level entries are checked, as
//! in Kyverno.

use crate::diagnostic::Diagnostic;
use crate::ir::{ContextEntry, ContextSource, Node};
use crate::jmespath::Expression;
use crate::source::Span;
use crate::syntax::template::Template;

/// Names the JSON context already defines (rules.md §4.6).
const RESERVED: &[&str] = &[
    "images",
    "request",
    "serviceAccountName",
    "serviceAccountNamespace",
    "element",
    "elementIndex",
];

pub(super) fn check(entries: &[ContextEntry]) -> Vec<Diagnostic> {
    entries.iter().filter_map(check_entry).collect()
}

fn check_entry(e: &ContextEntry) -> Option<Diagnostic> {
    let name = e.name.node.as_str();
    if name.is_empty() {
        return Some(
            Diagnostic::error("a name is required for context entries")
                .at(e.name.span)
                .with_label("expected a non-empty name"),
        );
    }
    if let Some(reserved) = RESERVED.iter().find(|r| {
        name == **r
            || name
                .strip_prefix(**r)
                .is_some_and(|rest| rest.starts_with('.'))
    }) {
        return Some(
            Diagnostic::error(format!(
                "entry name {name} is invalid as it conflicts with a pre-defined variable {reserved}"
            ))
            .at(e.name.span)
            .with_label("expected a name that is not a built-in variable"),
        );
    }
    check_source(e)
}

fn check_source(e: &ContextEntry) -> Option<Diagnostic> {
    match &e.source {
        ContextSource::Variable {
            value,
            jmes_path,
            default,
        } => {
            let path = jmes_path.as_ref().map(|j| (j.node.as_str(), j.span));
            let value = value.as_ref().filter(|v| !v.is_null());
            let default = default.as_ref().filter(|d| !d.is_null());
            check_variable(e.span, value, path, default)
        }
        ContextSource::ConfigMap { name, namespace } => check_config_map(e.span, name, namespace),
        ContextSource::ApiCall(n) => check_api_call(n),
        ContextSource::ImageRegistry(n) => check_image_registry(e.span, n),
        ContextSource::GlobalReference(n) => field_path(n, "jmesPath"),
        ContextSource::Missing => Some(
            Diagnostic::error(
                "exactly one of configMap or apiCall or imageRegistry or variable is required for context entries",
            )
            .at(e.span)
            .with_label("expected one source: variable, configMap, apiCall, imageRegistry or globalReference"),
        ),
    }
}

fn check_variable(
    span: Span,
    value: Option<&Node>,
    path: Option<(&str, Span)>,
    default: Option<&Node>,
) -> Option<Diagnostic> {
    let path = path.filter(|(text, _)| !text.is_empty());
    if let Some(d) = path.and_then(|(text, span)| jmes_path(text, span)) {
        return Some(d);
    }
    if value.is_none() && path.is_none() {
        return Some(
            Diagnostic::error("a variable must define a value or a jmesPath expression")
                .at(span)
                .with_label("expected `value` or `jmesPath`"),
        );
    }
    match default {
        Some(d) if path.is_none() => Some(
            Diagnostic::error(
                "a variable must define a default value only when a jmesPath expression is defined",
            )
            .at(d.span)
            .with_label("`default` is used only when `jmesPath` fails"),
        ),
        _ => None,
    }
}

fn check_config_map(span: Span, name: &Node, namespace: &Option<Node>) -> Option<Diagnostic> {
    let empty = |n: &Node| n.as_str().is_some_and(str::is_empty) || n.is_null();
    if empty(name) {
        return Some(
            Diagnostic::error("a name is required for configMap context entry")
                .at(name.span)
                .with_label("expected the ConfigMap's name"),
        );
    }
    if namespace.as_ref().is_none_or(empty) {
        let at = namespace.as_ref().map_or(span, |n| n.span);
        return Some(
            Diagnostic::error("a namespace is required for configMap context entry")
                .at(at)
                .with_label("expected the ConfigMap's namespace"),
        );
    }
    None
}

fn check_api_call(node: &Node) -> Option<Diagnostic> {
    let url = node.get("urlPath").and_then(Node::as_str);
    if let (Some(url), Some(service)) = (url, node.get("service"))
        && !url.is_empty()
        && !service.is_null()
    {
        return Some(
            Diagnostic::error("a URLPath cannot be used for service API calls")
                .at(service.span)
                .with_label("expected either `urlPath` or `service`"),
        );
    }
    field_path(node, "jmesPath")
}

fn check_image_registry(span: Span, node: &Node) -> Option<Diagnostic> {
    let reference = node.get("reference");
    if reference.and_then(Node::as_str).is_none_or(str::is_empty) {
        return Some(
            Diagnostic::error("a ref is required for imageRegistry context entry")
                .at(reference.map_or(span, |r| r.span))
                .with_label("expected an image reference"),
        );
    }
    field_path(node, "jmesPath")
}

/// The `jmesPath` field of a source mapping, when written.
fn field_path(node: &Node, key: &str) -> Option<Diagnostic> {
    let field = node.get(key)?;
    let text = field.as_str().filter(|t| !t.is_empty())?;
    jmes_path(text, field.span)
}

/// A JMESPath expression must parse, unless variables make its final text unknown.
fn jmes_path(text: &str, span: Span) -> Option<Diagnostic> {
    let has_variables = Template::parse(text).map_or(true, |t| !t.is_static());
    if has_variables {
        return None;
    }
    let e = Expression::compile(text).err()?;
    Some(
        Diagnostic::error(format!("failed to parse JMESPath {text}: {e}"))
            .at(span)
            .with_label("expected a valid JMESPath expression"),
    )
}
