//! Policies → compiled policies: rules, generated controller rules, failure action, and
//! the validation that decides whether Kyverno would accept the policy at all.

use super::matching::{RuleScope, check_rule};
use super::rule::{self, Problems};
use super::{
    Action, Autogen, Check, Generated, PatternSpec, Policy, PolicySet, Rule, autogen, presence,
};
use crate::diagnostic::Diagnostic;
use crate::engine::conditions::{Block, Condition};
use crate::ir::{self, PolicyKind};
use crate::syntax::template::TemplateDoc;

/// Compiles every policy; a policy with problems is kept, marked invalid.
pub fn compile(set: &ir::PolicySet) -> PolicySet {
    let mut out = PolicySet::default();
    for policy in &set.policies {
        let (compiled, problems) = compile_policy(policy);
        out.diagnostics.extend(problems.diagnostics);
        out.policies.push(compiled);
    }
    let mut problems = Problems::default();
    out.exceptions = super::exception::compile(&set.exceptions, &mut problems);
    out.diagnostics.extend(problems.diagnostics);
    for policy in &mut out.policies {
        let key = policy.key();
        policy.excepted = out.exceptions.iter().any(|e| e.names_policy(&key));
    }
    guard_patterns(&mut out);
    share_kind_verdicts(&mut out);
    share_request_conditions(&mut out);
    let variants = out.policies.iter().flat_map(|p| &p.autogen.variants);
    for generated in variants.filter(|g| !g.rules.is_empty()) {
        for kind in &generated.controllers {
            if !out.controller_kinds.contains(kind) {
                out.controller_kinds.push(kind.clone());
            }
        }
    }
    out
}

/// Gives the `match` and `exclude` blocks of the set's rules that name the same kinds a
/// shared verdict slot.
fn share_kind_verdicts(set: &mut PolicySet) {
    let mut lists = Vec::new();
    for rule in set.policies.iter_mut().flat_map(every_rule) {
        let blocks = rule.match_.iter_mut().chain(rule.exclude.iter_mut());
        for matcher in blocks {
            super::matching::share_kind_verdicts(matcher, &mut lists);
        }
    }
}

/// How many conditions can share their outcome within a request (the memo is two words).
const SHARED_CONDITIONS: usize = 64;

/// Gives the conditions that several rules of the set hold alike, and that read nothing
/// but the request, a slot of the per-request memo of outcomes: the Pod Security pack's
/// `request.object.spec.os.name || ''` precondition, say, is then evaluated once per request
/// instead of once per rule. Alike means the same key expression, operator and fixed value;
/// only rule-level blocks (preconditions, deny) are looked at, as foreach blocks read their
/// element. An expression calling a function is left out (a clock or a random draw can
/// change between two rules).
fn share_request_conditions(set: &mut PolicySet) {
    type Blocks<'r> = Box<dyn Iterator<Item = &'r mut Block<TemplateDoc>> + 'r>;
    fn blocks(set: &mut PolicySet) -> impl Iterator<Item = &mut Condition<TemplateDoc>> {
        let rules = set.policies.iter_mut().flat_map(every_rule);
        let blocks = rules.flat_map(|rule| -> Blocks<'_> {
            let deny = match rule.validate.as_mut().map(|v| &mut v.check) {
                Some(Check::Deny(Some(block))) => Some(block),
                _ => None,
            };
            Box::new(rule.preconditions.as_mut().into_iter().chain(deny))
        });
        blocks.flat_map(Block::conditions_mut)
    }
    // The distinct shareable conditions and how many rules hold each.
    let mut seen: Vec<(Shareable, usize)> = Vec::new();
    let owned: Vec<Option<Shareable>> = blocks(set).map(|c| shareable(c)).collect();
    for item in owned.iter().flatten() {
        match seen.iter_mut().find(|(s, _)| s == item) {
            Some((_, count)) => *count += 1,
            None => seen.push((item.clone(), 1)),
        }
    }
    seen.retain(|(_, count)| *count > 1);
    seen.truncate(SHARED_CONDITIONS);
    for (condition, item) in blocks(set).zip(&owned) {
        condition.shared = item
            .as_ref()
            .and_then(|item| seen.iter().position(|(s, _)| s == item))
            .and_then(|at| u8::try_from(at).ok());
    }
}

/// What makes two conditions alike: key expression, operator and fixed value.
#[derive(Clone, PartialEq)]
struct Shareable {
    key: String,
    operator: crate::engine::operators::Operator,
    value: serde_json::Value,
}

/// A condition whose key is one variable reading only `request` (without functions) and
/// whose value is fixed, as what tells it alike.
fn shareable(c: &Condition<TemplateDoc>) -> Option<Shareable> {
    let value = c.value.fixed()?;
    let expr = c.key.whole_query(false)?;
    let reads_request = expr
        .roots()
        .is_some_and(|roots| roots == [Box::from("request")]);
    if !reads_request || expr.ast().calls_function() {
        return None;
    }
    Some(Shareable {
        key: expr.text().to_string(),
        operator: c.operator,
        value: value.clone(),
    })
}

/// A policy's own rules, then the rules generated for controllers.
fn every_rule(policy: &mut Policy) -> impl Iterator<Item = &mut Rule> {
    let generated = policy
        .autogen
        .variants
        .iter_mut()
        .flat_map(|v| &mut v.rules);
    policy.rules.iter_mut().chain(generated)
}

/// Gives every rule's compiled patterns their guards, over one presence tree for the set.
fn guard_patterns(set: &mut PolicySet) {
    let mut index = presence::Index::default();
    for policy in &mut set.policies {
        for validate in every_rule(policy).filter_map(|r| r.validate.as_mut()) {
            let specs = match &validate.check {
                Check::Pattern(spec) => std::slice::from_ref(spec),
                Check::AnyPattern(Ok(specs)) => specs.as_slice(),
                _ => continue,
            };
            validate.guards = specs
                .iter()
                .map(|spec| match spec {
                    PatternSpec::Static(pattern) => index.guard(pattern),
                    _ => None,
                })
                .collect();
        }
    }
    set.presence = index;
}

fn compile_policy(p: &ir::Policy) -> (Policy, Problems) {
    let mut problems = Problems::default();
    let rules = p
        .spec
        .rules
        .iter()
        .map(|r| rule::rule(r, &mut problems))
        .collect();
    validate(p, &mut problems);
    let generated_rules = generated(p, &mut problems);
    let invalid = problems.diagnostics.first().map(|d| d.message.clone());
    let policy = Policy {
        name: p.name.node.clone(),
        kind: p.kind,
        namespace: (p.kind == PolicyKind::Policy).then(|| {
            p.namespace
                .as_ref()
                .map(|n| n.node.clone())
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| "default".to_string())
        }),
        span: p.span,
        invalid,
        scored: p
            .annotation("policies.kyverno.io/scored")
            .is_none_or(|v| v.node != "false"),
        annotations: p
            .annotations
            .iter()
            .map(|(k, v)| (k.node.clone(), v.node.clone()))
            .collect(),
        action: p
            .spec
            .validation_failure_action
            .as_ref()
            .map_or(Action::Audit, |a| Action::parse(&a.node)),
        action_overrides: rule::overrides(&p.spec.validation_failure_action_overrides),
        apply_one: p.spec.apply_rules.as_ref().is_some_and(|a| a.node == "One"),
        rules,
        autogen: generated_rules,
        excepted: false,
    };
    (policy, problems)
}

/// Policy-level checks of rules.md §1.6.
fn validate(p: &ir::Policy, problems: &mut Problems) {
    let mut seen = std::collections::HashSet::new();
    for r in &p.spec.rules {
        if !seen.insert(r.name.node.as_str()) {
            problems.add(r.name.span, format!("duplicate rule name: {}", r.name.node));
        }
        if r.name.node.len() > 63 {
            problems.add(r.name.span, "rule name must be at most 63 characters");
        }
        if matches!(r.body, ir::RuleBody::Missing) {
            problems.add(
                r.span,
                "a rule needs one of validate, mutate, generate or verifyImages",
            );
        }
        let scope = RuleScope {
            background: p.spec.background.as_ref().is_none_or(|b| b.node),
            namespaced: p.kind == PolicyKind::Policy,
        };
        for d in check_rule(r, scope) {
            push_new(problems, d);
        }
    }
    if p.kind == PolicyKind::ClusterPolicy
        && p.namespace.as_ref().is_some_and(|n| !n.node.is_empty())
    {
        problems.add(
            p.span,
            "A clusterpolicy should not have the namespace defined",
        );
    }
    for d in super::validate::validate_policy(p) {
        push_new(problems, d);
    }
}

/// Adds a diagnostic unless an earlier check reported the same problem.
fn push_new(problems: &mut Problems, d: Diagnostic) {
    if !problems.diagnostics.iter().any(|e| repeats(e, &d)) {
        problems.diagnostics.push(d);
    }
}

/// Whether `d` restates a problem the compile stage already reported: at the same place
/// in a file, or with its text.
fn repeats(earlier: &Diagnostic, d: &Diagnostic) -> bool {
    let same_place = d.span.is_some_and(|s| s.end > s.start) && earlier.span == d.span;
    same_place || d.message.contains(&earlier.message)
}

/// Compiles the generated controller rules. Their problems are the problems of the rules
/// they come from, already reported, so they are not reported twice.
fn generated(p: &ir::Policy, problems: &mut Problems) -> Autogen {
    let mut quiet = Problems::default();
    let variants = autogen::autogen(p)
        .variants
        .into_iter()
        .map(|v| Generated {
            controllers: v.controllers,
            rules: v.rules.iter().map(|r| rule::rule(r, &mut quiet)).collect(),
        })
        .collect();
    if problems.diagnostics.is_empty() {
        problems.diagnostics.extend(quiet.diagnostics);
    }
    Autogen { variants }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::PolicySet;
    use crate::ir::Node;
    use crate::load::kyverno::{Decoded, decode};
    use crate::source::Span;

    /// A set of one policy whose rules each have the one precondition `key` `Equals` `x`.
    fn set_with_preconditions(keys: &[&str]) -> PolicySet {
        let rules: Vec<Value> = (keys.iter().enumerate())
            .map(|(i, key)| {
                json!({
                    "name": format!("r{i}"),
                    "match": {"any": [{"resources": {"kinds": ["Pod"]}}]},
                    "preconditions": {"all": [{"key": key, "operator": "Equals", "value": "x"}]},
                    "validate": {"deny": {}},
                })
            })
            .collect();
        let policy = json!({
            "apiVersion": "kyverno.io/v1",
            "kind": "ClusterPolicy",
            "metadata": {"name": "p"},
            "spec": {"rules": rules},
        });
        let mut set = crate::ir::PolicySet::default();
        match decode(&Node::from_value(&policy, Span::default())) {
            Ok(Decoded::Policy(p)) => set.policies.push(*p),
            other => panic!("not a policy: {other:?}"),
        }
        super::compile(&set)
    }

    /// The shared slot of each rule's precondition.
    fn slots(set: &PolicySet) -> Vec<Option<u8>> {
        let rules = set.policies.iter().flat_map(|p| &p.rules);
        let mut blocks: Vec<_> = rules.filter_map(|r| r.preconditions.clone()).collect();
        blocks
            .iter_mut()
            .flat_map(|b| b.conditions_mut().map(|c| c.shared).collect::<Vec<_>>())
            .collect()
    }

    #[test]
    fn only_repeated_conditions_over_the_request_alone_share_a_slot() {
        let os = "{{ request.object.spec.os.name || '' }}";
        let name = "{{ request.object.metadata.name }}";
        let set = set_with_preconditions(&[os, name, os, os]);
        assert!(set.diagnostics.is_empty(), "{:?}", set.diagnostics);
        assert_eq!(slots(&set), [Some(0), None, Some(0), Some(0)]);
        // Another root, a function call or a template of text around the variable: kept
        // to each rule.
        let images = "{{ images.containers }}";
        let call = "{{ to_upper(request.object.metadata.name) }}";
        let text = "name {{ request.object.metadata.name }}";
        let set = set_with_preconditions(&[images, images, call, call, text, text]);
        assert_eq!(slots(&set), [None; 6]);
    }
}
