//! Rules and their `validate` block: patterns, deny, foreach and podSecurity.

use super::conditions::{context_entries, lenient_block, strict_block};
use super::matching::{label_selector, match_block};
use crate::ir::{
    Deny, FailureActionOverride, Foreach, Node, PodSecurity, PodSecurityExclude, Rule, RuleBody,
    Validate,
};
use crate::load::fields::Decoder;
use crate::source::{Span, Spanned};

const RULE_FIELDS: &[&str] = &[
    "name",
    "match",
    "exclude",
    "context",
    "preconditions",
    "celPreconditions",
    "validate",
    "mutate",
    "generate",
    "verifyImages",
    "imageExtractors",
    "skipBackgroundRequests",
    "reportProperties",
];

const VALIDATE_FIELDS: &[&str] = &[
    "message",
    "failureAction",
    "failureActionOverrides",
    "allowExistingViolations",
    "pattern",
    "anyPattern",
    "deny",
    "foreach",
    "podSecurity",
    "cel",
    "manifests",
    "assert",
];

const FOREACH_FIELDS: &[&str] = &[
    "list",
    "elementScope",
    "context",
    "preconditions",
    "pattern",
    "anyPattern",
    "deny",
    "foreach",
];

pub fn rule(d: &mut Decoder, node: &Node, path: &str) -> Option<Rule> {
    let obj = d.object(node, path, RULE_FIELDS)?;
    let name = obj
        .required(d, "name")
        .and_then(|n| d.string(n, &obj.at("name")))?;
    let block =
        |d: &mut Decoder, key: &str| obj.get(key).and_then(|n| match_block(d, n, &obj.at(key)));
    let report_properties = obj
        .get("reportProperties")
        .and_then(|n| n.entries())
        .map(|entries| {
            entries
                .iter()
                .map(|e| (e.key.clone(), e.value.clone()))
                .collect()
        })
        .unwrap_or_default();
    Some(Rule {
        span: node.span,
        name,
        match_: block(d, "match"),
        exclude: block(d, "exclude"),
        context: obj
            .get("context")
            .map(|n| context_entries(d, n, &obj.at("context")))
            .unwrap_or_default(),
        preconditions: obj
            .get("preconditions")
            .and_then(|n| lenient_block(d, n, &obj.at("preconditions"))),
        body: body(d, &obj),
        report_properties,
        patches_json6902: obj.get("mutate").and_then(patches_json6902),
    })
}

/// The first non-empty `patchesJson6902` of a mutate body or of its top-level foreach
/// entries (the places autogen eligibility looks at).
fn patches_json6902(mutate: &Node) -> Option<Span> {
    let declared = |n: &Node| {
        n.get("patchesJson6902")
            .filter(|p| p.as_str().is_some_and(|s| !s.is_empty()))
            .map(|p| p.span)
    };
    let foreach = mutate
        .get("foreach")
        .and_then(Node::items)
        .unwrap_or_default();
    declared(mutate).or_else(|| foreach.iter().find_map(declared))
}

fn body(d: &mut Decoder, obj: &crate::load::fields::Obj<'_>) -> RuleBody {
    if let Some(v) = obj.get("validate") {
        return validate(d, v, &obj.at("validate"))
            .map_or(RuleBody::Missing, |v| RuleBody::Validate(Box::new(v)));
    }
    for key in ["mutate", "generate", "verifyImages"] {
        if let Some(n) = obj.get(key) {
            return RuleBody::Other(Spanned::new(key.to_string(), n.span));
        }
    }
    RuleBody::Missing
}

fn validate(d: &mut Decoder, node: &Node, path: &str) -> Option<Validate> {
    let obj = d.object(node, path, VALIDATE_FIELDS)?;
    let unsupported = ["cel", "manifests", "assert"]
        .into_iter()
        .filter_map(|k| obj.get(k).map(|n| Spanned::new(k.to_string(), n.span)))
        .collect();
    Some(Validate {
        span: node.span,
        message: obj.string(d, "message"),
        failure_action: obj.string(d, "failureAction"),
        failure_action_overrides: obj
            .get("failureActionOverrides")
            .map(|n| failure_action_overrides(d, n, &obj.at("failureActionOverrides")))
            .unwrap_or_default(),
        allow_existing_violations: obj.boolean(d, "allowExistingViolations"),
        pattern: obj.get("pattern").cloned(),
        any_pattern: obj.get("anyPattern").cloned(),
        deny: obj.get("deny").and_then(|n| deny(d, n, &obj.at("deny"))),
        foreach: obj
            .get("foreach")
            .map(|n| d.each(n, &obj.at("foreach"), foreach)),
        pod_security: obj
            .get("podSecurity")
            .and_then(|n| pod_security(d, n, &obj.at("podSecurity"))),
        unsupported,
    })
}

pub fn failure_action_overrides(
    d: &mut Decoder,
    node: &Node,
    path: &str,
) -> Vec<FailureActionOverride> {
    d.each(node, path, |d, item, p| {
        let obj = d.object(item, p, &["action", "namespaces", "namespaceSelector"])?;
        let action = obj
            .required(d, "action")
            .and_then(|n| d.string(n, &obj.at("action")))?;
        Some(FailureActionOverride {
            span: item.span,
            action,
            namespaces: obj
                .get("namespaces")
                .map(|n| d.strings(n, &obj.at("namespaces"))),
            namespace_selector: obj
                .get("namespaceSelector")
                .and_then(|n| label_selector(d, n, &obj.at("namespaceSelector"))),
        })
    })
}

fn deny(d: &mut Decoder, node: &Node, path: &str) -> Option<Deny> {
    let obj = d.object(node, path, &["conditions"])?;
    Some(Deny {
        span: node.span,
        conditions: obj
            .get("conditions")
            .and_then(|n| lenient_block(d, n, &obj.at("conditions"))),
    })
}

fn foreach(d: &mut Decoder, node: &Node, path: &str) -> Option<Foreach> {
    let obj = d.object(node, path, FOREACH_FIELDS)?;
    Some(Foreach {
        span: node.span,
        list: obj.string(d, "list"),
        element_scope: obj.boolean(d, "elementScope"),
        context: obj
            .get("context")
            .map(|n| context_entries(d, n, &obj.at("context")))
            .unwrap_or_default(),
        preconditions: obj
            .get("preconditions")
            .and_then(|n| strict_block(d, n, &obj.at("preconditions"))),
        pattern: obj.get("pattern").cloned(),
        any_pattern: obj.get("anyPattern").cloned(),
        deny: obj.get("deny").and_then(|n| deny(d, n, &obj.at("deny"))),
        foreach: obj
            .get("foreach")
            .map(|n| d.each(n, &obj.at("foreach"), foreach)),
    })
}

fn pod_security(d: &mut Decoder, node: &Node, path: &str) -> Option<PodSecurity> {
    let obj = d.object(node, path, &["level", "version", "exclude"])?;
    Some(PodSecurity {
        span: node.span,
        level: obj.string(d, "level"),
        version: obj.string(d, "version"),
        exclude: obj
            .get("exclude")
            .map(|n| pod_security_excludes(d, n, &obj.at("exclude")))
            .unwrap_or_default(),
    })
}

pub fn pod_security_excludes(d: &mut Decoder, node: &Node, path: &str) -> Vec<PodSecurityExclude> {
    d.each(node, path, |d, item, p| {
        let obj = d.object(
            item,
            p,
            &["controlName", "images", "restrictedField", "values"],
        )?;
        Some(PodSecurityExclude {
            span: item.span,
            control_name: obj.string(d, "controlName"),
            images: obj.strings(d, "images"),
            restricted_field: obj.string(d, "restrictedField"),
            values: obj.strings(d, "values"),
        })
    })
}
