//! One IR rule → every string and key it holds, each with its span, its path in the rule's
//! JSON form (`/validate/foreach/0/pattern/spec/image`) and the region it sits in: what the
//! variable checks scan, as Kyverno scans the serialised rule.

use crate::ir::{self, Conditions, ContextSource, LabelSelector, MatchBlock, Node, NodeValue};
use crate::source::{Span, Spanned};

/// One string or mapping key of a rule.
#[derive(Debug)]
pub(super) struct Text<'a> {
    pub text: &'a str,
    pub span: Span,
    pub path: String,
    pub region: Region,
}

/// Where in a rule a string sits: variables are forbidden in `match`/`exclude`, and
/// `element` variables are only defined under `foreach`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Region {
    Match,
    Exclude,
    Foreach,
    Rule,
}

/// Every string and key of `rule`, in document order.
pub(super) fn rule_texts(rule: &ir::Rule) -> Vec<Text<'_>> {
    let mut walk = Walk::default();
    walk.rule(rule);
    walk.out
}

#[derive(Default)]
struct Walk<'a> {
    out: Vec<Text<'a>>,
    path: String,
    region: Option<Region>,
}

impl<'a> Walk<'a> {
    /// Runs `f` one path segment deeper.
    fn at(&mut self, segment: impl std::fmt::Display, f: impl FnOnce(&mut Self)) {
        let len = self.path.len();
        self.path.push('/');
        self.path.push_str(&segment.to_string());
        f(self);
        self.path.truncate(len);
    }

    /// Runs `f` with every string below counted in `region`.
    fn within(&mut self, region: Region, f: impl FnOnce(&mut Self)) {
        let outer = self.region.replace(region);
        f(self);
        self.region = outer;
    }

    fn push(&mut self, text: &'a str, span: Span) {
        self.out.push(Text {
            text,
            span,
            path: self.path.clone(),
            region: self.region.unwrap_or(Region::Rule),
        });
    }

    fn string(&mut self, key: &str, s: &'a Spanned<String>) {
        self.at(key, |w| w.push(&s.node, s.span));
    }

    fn strings(&mut self, key: &str, list: &'a [Spanned<String>]) {
        self.at(key, |w| {
            for (i, s) in list.iter().enumerate() {
                w.string(&i.to_string(), s);
            }
        });
    }

    fn node(&mut self, key: &str, node: &'a Node) {
        self.at(key, |w| w.value(node));
    }

    fn value(&mut self, node: &'a Node) {
        match &node.value {
            NodeValue::String(s) => self.push(s, node.span),
            NodeValue::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.node(&i.to_string(), item);
                }
            }
            NodeValue::Map(entries) => {
                for e in entries {
                    self.at(&e.key.node, |w| {
                        w.push(&e.key.node, e.key.span);
                        w.value(&e.value);
                    });
                }
            }
            NodeValue::Null | NodeValue::Bool(_) | NodeValue::Number(_) => {}
        }
    }

    fn rule(&mut self, rule: &'a ir::Rule) {
        self.string("name", &rule.name);
        if let Some(m) = &rule.match_ {
            self.within(Region::Match, |w| w.at("match", |w| w.match_block(m)));
        }
        if let Some(m) = &rule.exclude {
            self.within(Region::Exclude, |w| w.at("exclude", |w| w.match_block(m)));
        }
        self.context(&rule.context);
        if let Some(c) = &rule.preconditions {
            self.at("preconditions", |w| w.conditions(c));
        }
        if let ir::RuleBody::Validate(v) = &rule.body {
            self.at("validate", |w| w.validate(v));
        }
        self.at("reportProperties", |w| {
            for (key, value) in &rule.report_properties {
                w.at(&key.node, |w| {
                    w.push(&key.node, key.span);
                    w.value(value);
                });
            }
        });
    }

    fn match_block(&mut self, m: &'a MatchBlock) {
        for (key, filters) in [("any", &m.any), ("all", &m.all)] {
            let Some(filters) = filters else { continue };
            self.at(key, |w| {
                for (i, f) in filters.iter().enumerate() {
                    w.at(i, |w| w.filter(f));
                }
            });
        }
        if let Some(f) = &m.legacy {
            self.filter(f);
        }
    }

    fn filter(&mut self, f: &'a ir::ResourceFilter) {
        if let Some(r) = &f.resources {
            self.at("resources", |w| w.resources(r));
        }
        self.strings("roles", &f.roles);
        self.strings("clusterRoles", &f.cluster_roles);
        self.at("subjects", |w| {
            for (i, s) in f.subjects.iter().enumerate() {
                w.at(i, |w| {
                    w.string("kind", &s.kind);
                    w.string("name", &s.name);
                    if let Some(ns) = &s.namespace {
                        w.string("namespace", ns);
                    }
                });
            }
        });
    }

    fn resources(&mut self, r: &'a ir::ResourceDescription) {
        self.strings("kinds", &r.kinds);
        if let Some(name) = &r.name {
            self.string("name", name);
        }
        self.strings("names", &r.names);
        self.strings("namespaces", &r.namespaces);
        if let Some(annotations) = &r.annotations {
            self.at("annotations", |w| w.pairs(annotations));
        }
        if let Some(s) = &r.selector {
            self.at("selector", |w| w.selector(s));
        }
        if let Some(s) = &r.namespace_selector {
            self.at("namespaceSelector", |w| w.selector(s));
        }
        self.strings("operations", &r.operations);
    }

    fn pairs(&mut self, pairs: &'a [(Spanned<String>, Spanned<String>)]) {
        for (key, value) in pairs {
            self.at(&key.node, |w| {
                w.push(&key.node, key.span);
                w.push(&value.node, value.span);
            });
        }
    }

    fn selector(&mut self, s: &'a LabelSelector) {
        self.at("matchLabels", |w| w.pairs(&s.match_labels));
        self.at("matchExpressions", |w| {
            for (i, e) in s.match_expressions.iter().enumerate() {
                w.at(i, |w| {
                    w.string("key", &e.key);
                    w.string("operator", &e.operator);
                    w.strings("values", &e.values);
                });
            }
        });
    }

    fn context(&mut self, entries: &'a [ir::ContextEntry]) {
        self.at("context", |w| {
            for (i, e) in entries.iter().enumerate() {
                w.at(i, |w| {
                    w.string("name", &e.name);
                    w.source(&e.source);
                });
            }
        });
    }

    fn source(&mut self, source: &'a ContextSource) {
        match source {
            ContextSource::Variable {
                value,
                jmes_path,
                default,
            } => self.at("variable", |w| {
                value.iter().for_each(|v| w.node("value", v));
                jmes_path.iter().for_each(|j| w.string("jmesPath", j));
                default.iter().for_each(|d| w.node("default", d));
            }),
            ContextSource::ConfigMap { name, namespace } => self.at("configMap", |w| {
                w.node("name", name);
                namespace.iter().for_each(|n| w.node("namespace", n));
            }),
            ContextSource::ApiCall(n) => self.node("apiCall", n),
            ContextSource::ImageRegistry(n) => self.node("imageRegistry", n),
            ContextSource::GlobalReference(n) => self.node("globalReference", n),
            ContextSource::Missing => {}
        }
    }

    fn conditions(&mut self, c: &'a Conditions) {
        match c {
            Conditions::AnyAll { any, all, .. } => {
                for (key, list) in [("any", any), ("all", all)] {
                    if let Some(list) = list {
                        self.at(key, |w| w.condition_list(list));
                    }
                }
            }
            Conditions::List { conditions, .. } => self.condition_list(conditions),
        }
    }

    fn condition_list(&mut self, list: &'a [ir::Condition]) {
        for (i, c) in list.iter().enumerate() {
            self.at(i, |w| {
                c.key.iter().for_each(|k| w.node("key", k));
                c.operator.iter().for_each(|o| w.string("operator", o));
                c.value.iter().for_each(|v| w.node("value", v));
                c.message.iter().for_each(|m| w.string("message", m));
            });
        }
    }

    fn validate(&mut self, v: &'a ir::Validate) {
        v.message.iter().for_each(|m| self.string("message", m));
        v.failure_action
            .iter()
            .for_each(|a| self.string("failureAction", a));
        self.at("failureActionOverrides", |w| {
            w.overrides(&v.failure_action_overrides)
        });
        v.pattern.iter().for_each(|p| self.node("pattern", p));
        v.any_pattern
            .iter()
            .for_each(|p| self.node("anyPattern", p));
        if let Some(d) = &v.deny {
            self.deny(d);
        }
        if let Some(list) = &v.foreach {
            self.within(Region::Foreach, |w| {
                w.at("foreach", |w| w.foreach_list(list))
            });
        }
        if let Some(ps) = &v.pod_security {
            self.at("podSecurity", |w| w.pod_security(ps));
        }
    }

    fn overrides(&mut self, list: &'a [ir::FailureActionOverride]) {
        for (i, o) in list.iter().enumerate() {
            self.at(i, |w| {
                w.string("action", &o.action);
                o.namespaces.iter().for_each(|n| w.strings("namespaces", n));
                if let Some(s) = &o.namespace_selector {
                    w.at("namespaceSelector", |w| w.selector(s));
                }
            });
        }
    }

    fn deny(&mut self, d: &'a ir::Deny) {
        if let Some(c) = &d.conditions {
            self.at("deny", |w| w.at("conditions", |w| w.conditions(c)));
        }
    }

    fn foreach_list(&mut self, list: &'a [ir::Foreach]) {
        for (i, f) in list.iter().enumerate() {
            self.at(i, |w| w.foreach(f));
        }
    }

    fn foreach(&mut self, f: &'a ir::Foreach) {
        f.list.iter().for_each(|l| self.string("list", l));
        self.context(&f.context);
        if let Some(c) = &f.preconditions {
            self.at("preconditions", |w| w.conditions(c));
        }
        f.pattern.iter().for_each(|p| self.node("pattern", p));
        f.any_pattern
            .iter()
            .for_each(|p| self.node("anyPattern", p));
        if let Some(d) = &f.deny {
            self.deny(d);
        }
        if let Some(nested) = &f.foreach {
            self.at("foreach", |w| w.foreach_list(nested));
        }
    }

    fn pod_security(&mut self, ps: &'a ir::PodSecurity) {
        ps.level.iter().for_each(|l| self.string("level", l));
        ps.version.iter().for_each(|v| self.string("version", v));
        self.at("exclude", |w| {
            for (i, e) in ps.exclude.iter().enumerate() {
                w.at(i, |w| {
                    e.control_name
                        .iter()
                        .for_each(|c| w.string("controlName", c));
                    w.strings("images", &e.images);
                    e.restricted_field
                        .iter()
                        .for_each(|r| w.string("restrictedField", r));
                    w.strings("values", &e.values);
                });
            }
        });
    }
}
