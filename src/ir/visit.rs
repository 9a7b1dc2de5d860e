//! Takes an IR value and a string rewrite; applies the rewrite in place to every string the
//! value holds — every `Spanned<String>` field, every string leaf and every mapping key
//! inside `Node`s — keeping every span. One function per IR type, in document order.
//!
//! Used by autogen's textual rewriting (rules.md §3.6), which Kyverno performs on the whole
//! serialised rule, object keys included.

use super::json::{Node, NodeValue};
use super::policy::*;
use crate::source::Spanned;

/// A string rewrite: called once per string, may change it in place.
pub type Rewrite<'a> = dyn FnMut(&mut String) + 'a;

pub fn policy(p: &mut Policy, f: &mut Rewrite) {
    string(&mut p.api_version, f);
    string(&mut p.name, f);
    if let Some(ns) = &mut p.namespace {
        string(ns, f);
    }
    string_pairs(&mut p.annotations, f);
    policy_spec(&mut p.spec, f);
}

pub fn policy_spec(s: &mut PolicySpec, f: &mut Rewrite) {
    for r in &mut s.rules {
        rule(r, f);
    }
    option(&mut s.validation_failure_action, f);
    for o in &mut s.validation_failure_action_overrides {
        failure_action_override(o, f);
    }
    option(&mut s.apply_rules, f);
}

pub fn rule(r: &mut Rule, f: &mut Rewrite) {
    string(&mut r.name, f);
    if let Some(m) = &mut r.match_ {
        match_block(m, f);
    }
    if let Some(m) = &mut r.exclude {
        match_block(m, f);
    }
    for c in &mut r.context {
        context_entry(c, f);
    }
    if let Some(c) = &mut r.preconditions {
        conditions(c, f);
    }
    rule_body(&mut r.body, f);
    for (key, value) in &mut r.report_properties {
        string(key, f);
        node(value, f);
    }
}

pub fn rule_body(b: &mut RuleBody, f: &mut Rewrite) {
    match b {
        RuleBody::Validate(v) => validate(v, f),
        RuleBody::Other(key) => string(key, f),
        RuleBody::Missing => {}
    }
}

pub fn match_block(m: &mut MatchBlock, f: &mut Rewrite) {
    for list in [&mut m.any, &mut m.all].into_iter().flatten() {
        for filter in list {
            resource_filter(filter, f);
        }
    }
    if let Some(filter) = &mut m.legacy {
        resource_filter(filter, f);
    }
}

pub fn resource_filter(r: &mut ResourceFilter, f: &mut Rewrite) {
    if let Some(d) = &mut r.resources {
        resource_description(d, f);
    }
    strings(&mut r.roles, f);
    strings(&mut r.cluster_roles, f);
    for s in &mut r.subjects {
        subject(s, f);
    }
}

pub fn resource_description(d: &mut ResourceDescription, f: &mut Rewrite) {
    strings(&mut d.kinds, f);
    option(&mut d.name, f);
    strings(&mut d.names, f);
    strings(&mut d.namespaces, f);
    if let Some(a) = &mut d.annotations {
        string_pairs(a, f);
    }
    for s in [&mut d.selector, &mut d.namespace_selector]
        .into_iter()
        .flatten()
    {
        label_selector(s, f);
    }
    strings(&mut d.operations, f);
}

pub fn label_selector(s: &mut LabelSelector, f: &mut Rewrite) {
    string_pairs(&mut s.match_labels, f);
    for r in &mut s.match_expressions {
        label_requirement(r, f);
    }
}

pub fn label_requirement(r: &mut LabelRequirement, f: &mut Rewrite) {
    string(&mut r.key, f);
    string(&mut r.operator, f);
    strings(&mut r.values, f);
}

pub fn subject(s: &mut Subject, f: &mut Rewrite) {
    string(&mut s.kind, f);
    string(&mut s.name, f);
    option(&mut s.namespace, f);
}

pub fn context_entry(c: &mut ContextEntry, f: &mut Rewrite) {
    string(&mut c.name, f);
    context_source(&mut c.source, f);
}

pub fn context_source(s: &mut ContextSource, f: &mut Rewrite) {
    match s {
        ContextSource::Variable {
            value,
            jmes_path,
            default,
        } => {
            option_node(value, f);
            option(jmes_path, f);
            option_node(default, f);
        }
        ContextSource::ConfigMap { name, namespace } => {
            node(name, f);
            option_node(namespace, f);
        }
        ContextSource::ApiCall(n)
        | ContextSource::ImageRegistry(n)
        | ContextSource::GlobalReference(n) => node(n, f),
        ContextSource::Missing => {}
    }
}

pub fn conditions(c: &mut Conditions, f: &mut Rewrite) {
    match c {
        Conditions::AnyAll { any, all, .. } => {
            for list in [any, all].into_iter().flatten() {
                list.iter_mut().for_each(|c| condition(c, f));
            }
        }
        Conditions::List { conditions, .. } => {
            conditions.iter_mut().for_each(|c| condition(c, f));
        }
    }
}

pub fn condition(c: &mut Condition, f: &mut Rewrite) {
    option_node(&mut c.key, f);
    option(&mut c.operator, f);
    option_node(&mut c.value, f);
    option(&mut c.message, f);
}

pub fn validate(v: &mut Validate, f: &mut Rewrite) {
    option(&mut v.message, f);
    option(&mut v.failure_action, f);
    for o in &mut v.failure_action_overrides {
        failure_action_override(o, f);
    }
    option_node(&mut v.pattern, f);
    option_node(&mut v.any_pattern, f);
    if let Some(d) = &mut v.deny {
        deny(d, f);
    }
    for e in v.foreach.iter_mut().flatten() {
        foreach(e, f);
    }
    if let Some(p) = &mut v.pod_security {
        pod_security(p, f);
    }
    strings(&mut v.unsupported, f);
}

pub fn failure_action_override(o: &mut FailureActionOverride, f: &mut Rewrite) {
    string(&mut o.action, f);
    for ns in o.namespaces.iter_mut() {
        strings(ns, f);
    }
    if let Some(s) = &mut o.namespace_selector {
        label_selector(s, f);
    }
}

pub fn deny(d: &mut Deny, f: &mut Rewrite) {
    if let Some(c) = &mut d.conditions {
        conditions(c, f);
    }
}

pub fn foreach(e: &mut Foreach, f: &mut Rewrite) {
    option(&mut e.list, f);
    for c in &mut e.context {
        context_entry(c, f);
    }
    if let Some(c) = &mut e.preconditions {
        conditions(c, f);
    }
    option_node(&mut e.pattern, f);
    option_node(&mut e.any_pattern, f);
    if let Some(d) = &mut e.deny {
        deny(d, f);
    }
    for nested in e.foreach.iter_mut().flatten() {
        foreach(nested, f);
    }
}

pub fn pod_security(p: &mut PodSecurity, f: &mut Rewrite) {
    option(&mut p.level, f);
    option(&mut p.version, f);
    for e in &mut p.exclude {
        pod_security_exclude(e, f);
    }
}

pub fn pod_security_exclude(e: &mut PodSecurityExclude, f: &mut Rewrite) {
    option(&mut e.control_name, f);
    strings(&mut e.images, f);
    option(&mut e.restricted_field, f);
    strings(&mut e.values, f);
}

/// Every string leaf and every mapping key of a JSON node.
pub fn node(n: &mut Node, f: &mut Rewrite) {
    match &mut n.value {
        NodeValue::String(s) => f(s),
        NodeValue::Seq(items) => items.iter_mut().for_each(|item| node(item, f)),
        NodeValue::Map(entries) => {
            for e in entries {
                string(&mut e.key, f);
                node(&mut e.value, f);
            }
        }
        NodeValue::Null | NodeValue::Bool(_) | NodeValue::Number(_) => {}
    }
}

pub fn string(s: &mut Spanned<String>, f: &mut Rewrite) {
    f(&mut s.node);
}

fn option(s: &mut Option<Spanned<String>>, f: &mut Rewrite) {
    if let Some(s) = s {
        string(s, f);
    }
}

fn option_node(n: &mut Option<Node>, f: &mut Rewrite) {
    if let Some(n) = n {
        node(n, f);
    }
}

fn strings(list: &mut [Spanned<String>], f: &mut Rewrite) {
    list.iter_mut().for_each(|s| string(s, f));
}

fn string_pairs(pairs: &mut [(Spanned<String>, Spanned<String>)], f: &mut Rewrite) {
    for (key, value) in pairs {
        string(key, f);
        string(value, f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::kyverno::{Decoded, decode};
    use crate::source::Span;
    use serde_json::json;

    fn decoded_rule(rule: serde_json::Value) -> Rule {
        let doc = json!({
            "apiVersion": "kyverno.io/v1", "kind": "ClusterPolicy",
            "metadata": {"name": "p"}, "spec": {"rules": [rule]}
        });
        match decode(&Node::from_value(&doc, Span::default())) {
            Ok(Decoded::Policy(p)) => p.spec.rules.into_iter().next().expect("one rule"),
            other => panic!("not a policy: {other:?}"),
        }
    }

    /// Every string written in the rule, keys included, is seen exactly once.
    #[test]
    fn visits_every_string_once() {
        let mut r = decoded_rule(json!({
            "name": "s1",
            "match": {"any": [{"resources": {"kinds": ["s2"], "names": ["s3"],
                "annotations": {"s4": "s5"}, "selector": {"matchLabels": {"s6": "s7"},
                "matchExpressions": [{"key": "s8", "operator": "s9", "values": ["s10"]}]}},
                "subjects": [{"kind": "s11", "name": "s12", "namespace": "s13"}],
                "roles": ["s14"], "clusterRoles": ["s15"]}]},
            "exclude": {"resources": {"namespaces": ["s16"], "operations": ["s17"]}},
            "context": [{"name": "s18", "variable": {"value": {"s19": "s20"},
                "jmesPath": "s21", "default": "s22"}}],
            "preconditions": [{"key": "s23", "operator": "s24", "value": ["s25"],
                "message": "s26"}],
            "reportProperties": {"s27": "s28"},
            "validate": {"message": "s29", "failureAction": "s30",
                "failureActionOverrides": [{"action": "s31", "namespaces": ["s32"]}],
                "foreach": [{"list": "s33", "deny": {"conditions": {"any": [
                    {"key": "s34", "operator": "s35", "value": "s36"}]}},
                    "foreach": [{"list": "s37", "pattern": {"s38": "s39"}}]}],
                "podSecurity": {"level": "s40", "version": "s41", "exclude": [
                    {"controlName": "s42", "images": ["s43"], "restrictedField": "s44",
                     "values": ["s45"]}]}}
        }));
        let mut seen = Vec::new();
        rule(&mut r, &mut |s: &mut String| {
            seen.push(s.clone());
            s.push('!');
        });
        let mut numbered: Vec<u32> = seen
            .iter()
            .filter_map(|s| s.strip_prefix('s')?.parse().ok())
            .collect();
        numbered.sort_unstable();
        assert_eq!(numbered, (1..=45).collect::<Vec<_>>());
        assert_eq!(r.name.node, "s1!");
    }
}
