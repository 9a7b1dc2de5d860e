//! `match` / `exclude` blocks, resource filters, label selectors and subjects.

use crate::ir::{
    LabelRequirement, LabelSelector, MatchBlock, Node, ResourceDescription, ResourceFilter, Subject,
};
use crate::load::fields::Decoder;

const MATCH_FIELDS: &[&str] = &[
    "any",
    "all",
    "resources",
    "subjects",
    "roles",
    "clusterRoles",
];
const FILTER_FIELDS: &[&str] = &["resources", "subjects", "roles", "clusterRoles"];
const RESOURCE_FIELDS: &[&str] = &[
    "kinds",
    "name",
    "names",
    "namespaces",
    "annotations",
    "selector",
    "namespaceSelector",
    "operations",
];

pub fn match_block(d: &mut Decoder, node: &Node, path: &str) -> Option<MatchBlock> {
    let obj = d.object(node, path, MATCH_FIELDS)?;
    let filters =
        |d: &mut Decoder, key: &str| obj.get(key).map(|n| d.each(n, &obj.at(key), filter));
    let any = filters(d, "any");
    let all = filters(d, "all");
    let has_legacy = ["resources", "subjects", "roles", "clusterRoles"]
        .iter()
        .any(|k| obj.get(k).is_some());
    let legacy = if has_legacy {
        filter_fields(d, node, path)
    } else {
        None
    };
    Some(MatchBlock {
        span: node.span,
        any,
        all,
        legacy,
    })
}

fn filter(d: &mut Decoder, node: &Node, path: &str) -> Option<ResourceFilter> {
    d.object(node, path, FILTER_FIELDS)?;
    filter_fields(d, node, path)
}

/// The filter fields of a mapping (already checked for unknown keys by the caller).
fn filter_fields(d: &mut Decoder, node: &Node, path: &str) -> Option<ResourceFilter> {
    let obj = crate::load::fields::Obj {
        node,
        path: path.to_string(),
    };
    let resources = obj
        .get("resources")
        .and_then(|n| resource_description(d, n, &obj.at("resources")));
    let subjects = obj
        .get("subjects")
        .map(|n| d.each(n, &obj.at("subjects"), subject))
        .unwrap_or_default();
    Some(ResourceFilter {
        span: node.span,
        resources,
        roles: obj.strings(d, "roles"),
        cluster_roles: obj.strings(d, "clusterRoles"),
        subjects,
    })
}

fn resource_description(d: &mut Decoder, node: &Node, path: &str) -> Option<ResourceDescription> {
    let obj = d.object(node, path, RESOURCE_FIELDS)?;
    let selector = |d: &mut Decoder, key: &str| {
        obj.get(key)
            .and_then(|n| label_selector(d, n, &obj.at(key)))
    };
    Some(ResourceDescription {
        span: node.span,
        kinds: obj.strings(d, "kinds"),
        name: obj.string(d, "name"),
        names: obj.strings(d, "names"),
        namespaces: obj.strings(d, "namespaces"),
        annotations: obj.string_map(d, "annotations"),
        selector: selector(d, "selector"),
        namespace_selector: selector(d, "namespaceSelector"),
        operations: obj.strings(d, "operations"),
    })
}

pub fn label_selector(d: &mut Decoder, node: &Node, path: &str) -> Option<LabelSelector> {
    let obj = d.object(node, path, &["matchLabels", "matchExpressions"])?;
    let match_expressions = obj
        .get("matchExpressions")
        .map(|n| d.each(n, &obj.at("matchExpressions"), requirement))
        .unwrap_or_default();
    Some(LabelSelector {
        span: node.span,
        match_labels: obj.string_map(d, "matchLabels").unwrap_or_default(),
        match_expressions,
    })
}

fn requirement(d: &mut Decoder, node: &Node, path: &str) -> Option<LabelRequirement> {
    let obj = d.object(node, path, &["key", "operator", "values"])?;
    let key = obj
        .required(d, "key")
        .and_then(|n| d.string(n, &obj.at("key")));
    let operator = obj
        .required(d, "operator")
        .and_then(|n| d.string(n, &obj.at("operator")));
    Some(LabelRequirement {
        span: node.span,
        key: key?,
        operator: operator?,
        values: obj.strings(d, "values"),
    })
}

fn subject(d: &mut Decoder, node: &Node, path: &str) -> Option<Subject> {
    let obj = d.object(node, path, &["kind", "name", "namespace", "apiGroup"])?;
    let kind = obj
        .required(d, "kind")
        .and_then(|n| d.string(n, &obj.at("kind")));
    let name = obj
        .required(d, "name")
        .and_then(|n| d.string(n, &obj.at("name")));
    Some(Subject {
        span: node.span,
        kind: kind?,
        name: name?,
        namespace: obj.string(d, "namespace"),
    })
}
