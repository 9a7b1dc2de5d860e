//! One IR rule → a compiled rule. Problems that make Kyverno reject the policy are
//! collected as diagnostics; the caller marks the policy invalid.

use super::{
    Action, Check, ElementNames, Foreach, ForeachCheck, PathExpr, PatternSpec, Rule, Validate,
    matching, pattern,
};
use crate::compile::matching::Pattern as Wildcard;
use crate::diagnostic::Diagnostic;
use crate::engine::conditions::{Block, Condition};
use crate::engine::operators::Operator;
use crate::ir::{self, Node};
use crate::jmespath::Expression;
use crate::source::Span;
use crate::syntax::template::{Template, TemplateDoc};

/// Collects what is wrong with a rule.
#[derive(Default)]
pub struct Problems {
    pub diagnostics: Vec<Diagnostic>,
}

impl Problems {
    pub fn add(&mut self, span: Span, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic::error(message).at(span));
    }
}

/// Which foreach variables the rule's strings name, of those the engine sets only when
/// named: the level-indexed ones (`element0`, `elementIndex1`, ...) and `elementIndex`.
fn element_names(r: &ir::Rule) -> ElementNames {
    let mut names = ElementNames::default();
    let mut copy = r.clone();
    crate::ir::visit::rule(&mut copy, &mut |text: &mut String| {
        for (at, word) in text.match_indices("element") {
            let rest = &text[at + word.len()..];
            names.index |= rest.starts_with("Index");
            names.indexed |= rest
                .trim_start_matches("Index")
                .starts_with(|c: char| c.is_ascii_digit());
        }
    });
    names
}

pub fn rule(r: &ir::Rule, p: &mut Problems) -> Rule {
    type Compile = fn(&ir::MatchBlock) -> Result<matching::Matcher, Vec<Diagnostic>>;
    let block = |b: Option<&ir::MatchBlock>, compile: Compile, p: &mut Problems| {
        b.and_then(|m| match compile(m) {
            Ok(m) => Some(m),
            Err(ds) => {
                p.diagnostics.extend(ds);
                None
            }
        })
    };
    let default_match = ir::MatchBlock::default();
    let match_block = r.match_.as_ref().unwrap_or(&default_match);
    Rule {
        name: r.name.node.as_str().into(),
        span: r.span,
        match_: block(Some(match_block), matching::compile_match, p),
        exclude: block(r.exclude.as_ref(), matching::compile_exclude, p),
        context: super::context::context(&r.context, p),
        preconditions: r.preconditions.as_ref().and_then(|c| conditions(c, p)),
        validate: match &r.body {
            ir::RuleBody::Validate(v) => Some(validate(v, r, p)),
            _ => None,
        },
    }
}

fn validate(v: &ir::Validate, r: &ir::Rule, p: &mut Problems) -> Validate {
    let names = element_names(r);
    let message = v
        .message
        .as_ref()
        .and_then(|m| template(&m.node, m.span, p));
    let failed_at = match &message {
        None => Some(crate::engine::messages::failed_at(None, &r.name.node, "")),
        Some(m) => m
            .static_text()
            .map(|text| crate::engine::messages::failed_at(Some(text), &r.name.node, "")),
    };
    Validate {
        message,
        failed_at: failed_at.map(String::into_boxed_str),
        failure_action: v.failure_action.as_ref().map(|a| Action::parse(&a.node)),
        failure_action_overrides: overrides(&v.failure_action_overrides),
        allow_existing_violations: v.allow_existing_violations.as_ref().is_none_or(|b| b.node),
        check: check(v, names, p),
        joined_messages: Default::default(),
        passed: crate::engine::messages::passed(&r.name.node).into(),
        guards: Vec::new(),
    }
}

fn check(v: &ir::Validate, names: ElementNames, p: &mut Problems) -> Check {
    let kinds = [
        v.pattern.is_some(),
        v.any_pattern.is_some(),
        v.deny.is_some(),
        v.foreach.is_some(),
        v.pod_security.is_some(),
        !v.unsupported.is_empty(),
    ];
    if kinds.iter().filter(|k| **k).count() != 1 {
        p.add(v.span, "only one of pattern, anyPattern, deny, foreach, podSecurity, cel or manifests can be specified in a validate rule");
    }
    if let Some(deny) = &v.deny {
        return Check::Deny(deny.conditions.as_ref().and_then(|c| conditions(c, p)));
    }
    if let Some(pat) = &v.pattern {
        return Check::Pattern(pattern_spec(pat, true, p));
    }
    if let Some(any) = &v.any_pattern {
        return Check::AnyPattern(any_pattern(any, true, p));
    }
    if let Some(each) = &v.foreach {
        return Check::Foreach(foreach_list(each, names, p));
    }
    if let Some(ps) = &v.pod_security {
        return match super::podsecurity::block(ps, p) {
            Some(block) => Check::PodSecurity(Box::new(block)),
            None => Check::PodSecurityInvalid,
        };
    }
    let what = v.unsupported.first().map_or("nothing", |u| u.node.as_str());
    Check::Unsupported(format!("validate.{what} is not supported by nomos"))
}

fn any_pattern(node: &Node, top_level: bool, p: &mut Problems) -> Result<Vec<PatternSpec>, String> {
    match node.items() {
        Some(items) => Ok(items
            .iter()
            .map(|i| pattern_spec(i, top_level, p))
            .collect()),
        None => Err(format!(
            "failed to deserialize anyPattern, expected type array: found {}",
            node.kind_name()
        )),
    }
}

/// A pattern with templates stays a template document; otherwise it is compiled now.
fn pattern_spec(node: &Node, top_level: bool, p: &mut Problems) -> PatternSpec {
    let value = node.to_value();
    if top_level {
        check_anchors(node, p);
    }
    let value = match super::references::resolve(&value) {
        Ok(v) => v,
        Err(e) => return PatternSpec::Invalid(e),
    };
    match TemplateDoc::parse(&value) {
        Ok(doc) if doc.is_static() => PatternSpec::Static(pattern::compile(&value)),
        Ok(doc) => PatternSpec::Dynamic(doc),
        Err(e) => {
            p.add(node.span, e.to_string());
            PatternSpec::Static(pattern::compile(&value))
        }
    }
}

/// rules.md §1.6 item 6: `+()` anchors are not allowed in validate patterns and an
/// existence anchor needs a non-empty list.
fn check_anchors(node: &Node, p: &mut Problems) {
    match &node.value {
        ir::NodeValue::Map(entries) => {
            for e in entries {
                let key = pattern::Key::parse(&e.key.node);
                if key.anchor == pattern::Anchor::AddIfNotPresent {
                    p.add(
                        e.key.span,
                        format!("unsupported anchor {}", e.key.node.trim()),
                    );
                }
                if key.anchor == pattern::Anchor::Existence
                    && e.value.items().is_none_or(<[Node]>::is_empty)
                {
                    p.add(
                        e.key.span,
                        format!(
                            "existence anchor {} needs a non-empty list",
                            e.key.node.trim()
                        ),
                    );
                }
                check_anchors(&e.value, p);
            }
        }
        ir::NodeValue::Seq(items) => items.iter().for_each(|i| check_anchors(i, p)),
        _ => {}
    }
}

fn foreach_list(list: &[ir::Foreach], names: ElementNames, p: &mut Problems) -> Vec<Foreach> {
    list.iter().filter_map(|f| foreach(f, names, p)).collect()
}

fn foreach(f: &ir::Foreach, names: ElementNames, p: &mut Problems) -> Option<Foreach> {
    let Some(list) = &f.list else {
        p.add(f.span, "foreach: `list` is required");
        return None;
    };
    let expr = match Expression::compile(&list.node) {
        Ok(e) => e,
        Err(e) => {
            p.add(
                list.span,
                format!(
                    "foreach list: invalid JMESPath expression {}: {e}",
                    list.node
                ),
            );
            return None;
        }
    };
    let bodies = [
        f.pattern.is_some(),
        f.any_pattern.is_some(),
        f.deny.is_some(),
        f.foreach.is_some(),
    ];
    if bodies.iter().filter(|b| **b).count() != 1 {
        p.add(
            f.span,
            "foreach: exactly one of pattern, anyPattern, deny or foreach is required",
        );
    }
    let check = if let Some(d) = &f.deny {
        ForeachCheck::Deny(d.conditions.as_ref().and_then(|c| conditions(c, p)))
    } else if let Some(pat) = &f.pattern {
        ForeachCheck::Pattern(pattern_spec(pat, false, p))
    } else if let Some(any) = &f.any_pattern {
        ForeachCheck::AnyPattern(any_pattern(any, false, p))
    } else if let Some(nested) = &f.foreach {
        ForeachCheck::Nested(foreach_list(nested, names, p))
    } else {
        ForeachCheck::None
    };
    Some(Foreach {
        list: expr,
        names,
        element_scope: f.element_scope.as_ref().map(|b| b.node),
        context: super::context::context(&f.context, p),
        preconditions: f.preconditions.as_ref().and_then(|c| conditions(c, p)),
        check,
    })
}

pub fn conditions(c: &ir::Conditions, p: &mut Problems) -> Option<Block<TemplateDoc>> {
    let list = |items: &[ir::Condition], p: &mut Problems| {
        items.iter().filter_map(|i| condition(i, p)).collect()
    };
    Some(match c {
        ir::Conditions::AnyAll { any, all, .. } => Block::AnyAll {
            any: any.as_ref().map(|a| list(a, p)),
            all: all.as_ref().map(|a| list(a, p)),
        },
        ir::Conditions::List { conditions, .. } => Block::List(list(conditions, p)),
    })
}

fn condition(c: &ir::Condition, p: &mut Problems) -> Option<Condition<TemplateDoc>> {
    let (Some(key), Some(value), Some(op)) = (&c.key, &c.value, &c.operator) else {
        p.add(c.span, "a condition needs a key, an operator and a value");
        return None;
    };
    let operator: Operator = match op.node.parse() {
        Ok(o) => o,
        Err(_) => {
            let names: Vec<&str> = Operator::names().collect();
            p.diagnostics.push(
                Diagnostic::error(format!("unknown condition operator {:?}", op.node))
                    .at(op.span)
                    .with_label(format!("expected one of: {}", names.join(", "))),
            );
            return None;
        }
    };
    let (key, value) = (doc(key, p)?, doc(value, p)?);
    let wildcards = value.fixed().and_then(|fixed| {
        let items = fixed.as_array()?;
        let texts: Option<Vec<&str>> = items.iter().map(serde_json::Value::as_str).collect();
        Some(texts?.into_iter().map(Wildcard::new).collect())
    });
    let plain_text = value
        .fixed()
        .and_then(serde_json::Value::as_str)
        .is_some_and(crate::engine::operators::plain_text);
    Some(Condition {
        key,
        operator,
        value,
        wildcards,
        plain_text,
        shared: None,
        message: c
            .message
            .as_ref()
            .map(|m| m.node.clone())
            .unwrap_or_default(),
    })
}

pub(super) fn doc(node: &Node, p: &mut Problems) -> Option<TemplateDoc> {
    match TemplateDoc::parse(&node.to_value()) {
        Ok(d) => Some(d),
        Err(e) => {
            p.add(node.span, e.to_string());
            None
        }
    }
}

pub(super) fn template(text: &str, span: Span, p: &mut Problems) -> Option<Template> {
    match Template::parse(text) {
        Ok(t) => Some(t),
        Err(e) => {
            p.add(span, e.to_string());
            None
        }
    }
}

/// A `jmesPath` field: compiled now unless it holds variables.
pub(super) fn path_expr(text: &str, span: Span, p: &mut Problems) -> Option<PathExpr> {
    let t = template(text, span, p)?;
    if !t.is_static() {
        return Some(PathExpr::Dynamic(t));
    }
    let text = t.static_text().unwrap_or(text);
    match Expression::compile(text) {
        Ok(e) => Some(PathExpr::Static(e)),
        Err(e) => {
            p.add(span, format!("invalid jmesPath {text}: {e}"));
            None
        }
    }
}

/// Failure-action overrides (rules.md §1.3).
pub fn overrides(list: &[ir::FailureActionOverride]) -> Vec<super::Override> {
    list.iter()
        .map(|o| super::Override {
            action: Action::parse_strict(&o.action.node),
            namespaces: o
                .namespaces
                .as_ref()
                .map(|ns| ns.iter().map(|n| matching::Pattern::new(&n.node)).collect()),
            selector: o
                .namespace_selector
                .as_ref()
                .map(matching::LabelSelector::compile),
        })
        .collect()
}
