//! Takes one eligible Pod rule and a shape; returns the generated controller rule, built as
//! Kyverno builds it (rules.md §3.5, §3.6): retargeted kinds, the validate body moved under
//! the pod template, shifted message references, then the effects of Kyverno's JSON round
//! trip (textual path rewriting, empty condition lists dropped, `reportProperties` lost).

use super::controllers::Shape;
use super::eligibility::includes_pod;
use super::text;
use crate::ir::{
    Conditions, Entry, Foreach, MatchBlock, Node, NodeValue, ResourceDescription, ResourceFilter,
    Rule, RuleBody, Validate, visit,
};
use crate::source::Spanned;

/// One wrapping step: the key the pod sits under and the path references shift by.
struct Pass {
    key: &'static str,
    shift: &'static str,
}

const TEMPLATE: Pass = Pass {
    key: "template",
    shift: "spec/template",
};
const JOB_TEMPLATE: Pass = Pass {
    key: "jobTemplate",
    shift: "spec/jobTemplate/spec/template",
};

/// The generated rule, or `None` when the rule's body yields nothing.
pub fn generate(rule: &Rule, shape: &Shape) -> Option<Rule> {
    // The CronJob rule is Kyverno's template rule transformed once more.
    let (prefix, passes): (_, &[Pass]) = match shape {
        Shape::Template(_) => ("autogen", &[TEMPLATE]),
        Shape::CronJob => ("autogen-cronjob", &[TEMPLATE, JOB_TEMPLATE]),
    };
    let body = body(&rule.body, passes)?;
    let cel = matches!(&body, RuleBody::Validate(v) if has(v, "cel"));
    let mut generated = Rule {
        span: rule.span,
        name: Spanned::new(text::rule_name(prefix, &rule.name.node), rule.name.span),
        match_: rule.match_.clone(),
        exclude: rule.exclude.clone(),
        context: rule.context.clone(),
        preconditions: rule.preconditions.clone(),
        body,
        report_properties: Vec::new(),
        patches_json6902: rule.patches_json6902,
    };
    retarget(&mut generated, shape);
    round_trip(&mut generated, shape, cel);
    Some(generated)
}

fn has(v: &Validate, unsupported: &str) -> bool {
    v.unsupported.iter().any(|u| u.node == unsupported)
}

/// Replaces the kinds of the filters that select the pod (rules.md §3.5).
fn retarget(rule: &mut Rule, shape: &Shape) {
    let (kinds, every_filter) = match shape {
        Shape::Template(selectors) => (selectors.clone(), false),
        Shape::CronJob => (vec![Shape::cronjob_selector().to_string()], true),
    };
    if let Some(block) = &mut rule.match_ {
        retarget_block(block, &kinds, every_filter, true);
    }
    if let Some(block) = &mut rule.exclude {
        retarget_block(block, &kinds, every_filter, false);
    }
}

/// `any` if non-empty, else `all` if non-empty, else the legacy filter (whose kinds an
/// `exclude` only replaces when it has some).
fn retarget_block(block: &mut MatchBlock, kinds: &[String], every_filter: bool, is_match: bool) {
    if let Some(filters) = chosen_filters(block) {
        for filter in filters {
            if every_filter || includes_pod(filter_kinds(filter)) {
                set_kinds(filter, kinds);
            }
        }
        return;
    }
    let span = block.span;
    if is_match {
        let legacy = block.legacy.get_or_insert_with(|| ResourceFilter {
            span,
            ..ResourceFilter::default()
        });
        set_kinds(legacy, kinds);
    } else if let Some(legacy) = block.legacy.as_mut()
        && !filter_kinds(legacy).is_empty()
    {
        set_kinds(legacy, kinds);
    }
}

fn chosen_filters(block: &mut MatchBlock) -> Option<&mut Vec<ResourceFilter>> {
    if block.any.as_ref().is_some_and(|l| !l.is_empty()) {
        return block.any.as_mut();
    }
    block.all.as_mut().filter(|l| !l.is_empty())
}

fn filter_kinds(filter: &ResourceFilter) -> &[Spanned<String>] {
    filter.resources.as_ref().map_or(&[], |d| &d.kinds)
}

fn set_kinds(filter: &mut ResourceFilter, kinds: &[String]) {
    let span = filter.span;
    let resources = filter.resources.get_or_insert_with(|| ResourceDescription {
        span,
        ..ResourceDescription::default()
    });
    let at = resources.kinds.first().map_or(resources.span, |k| k.span);
    resources.kinds = kinds.iter().map(|k| Spanned::new(k.clone(), at)).collect();
}

fn body(body: &RuleBody, passes: &[Pass]) -> Option<RuleBody> {
    match body {
        RuleBody::Validate(v) => validate(v, passes).map(|v| RuleBody::Validate(Box::new(v))),
        RuleBody::Other(key) if matches!(key.node.as_str(), "mutate" | "verifyImages") => {
            Some(body.clone())
        }
        RuleBody::Other(_) | RuleBody::Missing => None,
    }
}

/// Which part of a validate body autogen carries over, first match wins.
#[derive(Clone, Copy)]
enum Branch {
    Pattern,
    Deny,
    PodSecurity,
    AnyPattern,
    Foreach,
    /// `cel` / `assert`: copied whole (Kyverno rewrites the assert tree, which nomos does
    /// not evaluate).
    Whole,
}

impl Branch {
    fn of(v: &Validate) -> Option<Branch> {
        let branch = if v.pattern.is_some() {
            Branch::Pattern
        } else if v.deny.is_some() {
            Branch::Deny
        } else if v.pod_security.is_some() {
            Branch::PodSecurity
        } else if v.any_pattern.is_some() {
            Branch::AnyPattern
        } else if v.foreach.as_ref().is_some_and(|f| !f.is_empty()) {
            Branch::Foreach
        } else if has(v, "cel") || has(v, "assert") {
            Branch::Whole
        } else {
            return None;
        };
        Some(branch)
    }

    /// The path segment `$(…)` references of the message are shifted after.
    fn pivot(self) -> Option<&'static str> {
        match self {
            Branch::Pattern | Branch::Foreach => Some("pattern"),
            Branch::Deny => Some("deny"),
            Branch::PodSecurity => Some("podSecurity"),
            Branch::AnyPattern => Some("anyPattern"),
            Branch::Whole => None,
        }
    }
}

fn validate(v: &Validate, passes: &[Pass]) -> Option<Validate> {
    let branch = Branch::of(v)?;
    let mut out = v.clone();
    for pass in passes {
        out = wrap(&out, pass)?;
    }
    if let (Some(pivot), Some(message)) = (branch.pivot(), &mut out.message) {
        let shifts: Vec<&str> = passes.iter().map(|p| p.shift).collect();
        message.node = text::shift_message(&message.node, &shifts, pivot);
    }
    Some(out)
}

/// One wrapping step: keeps the failure settings and the message (shifted later) and the
/// carried-over part; everything else of the body is dropped.
fn wrap(v: &Validate, pass: &Pass) -> Option<Validate> {
    let kept = Validate {
        span: v.span,
        message: v.message.clone(),
        failure_action: v.failure_action.clone(),
        failure_action_overrides: v.failure_action_overrides.clone(),
        allow_existing_violations: v.allow_existing_violations.clone(),
        ..Validate::default()
    };
    let wrapped = match Branch::of(v)? {
        Branch::Pattern => Validate {
            pattern: v.pattern.as_ref().map(|p| under_pod_key(p, pass.key)),
            ..kept
        },
        Branch::Deny => Validate {
            deny: v.deny.clone(),
            ..kept
        },
        Branch::PodSecurity => Validate {
            pod_security: v.pod_security.clone(),
            ..kept
        },
        Branch::AnyPattern => Validate {
            any_pattern: v
                .any_pattern
                .as_ref()
                .and_then(|p| each_under_pod_key(p, pass.key)),
            ..kept
        },
        Branch::Foreach => Validate {
            foreach: v.foreach.clone(),
            ..kept
        },
        Branch::Whole => v.clone(),
    };
    Some(wrapped)
}

/// `{spec: {<key>: pattern}}`.
fn under_pod_key(pattern: &Node, key: &str) -> Node {
    let span = pattern.span;
    let single = |key: &str, value: Node| {
        let entry = Entry {
            key: Spanned::new(key.to_string(), span),
            value,
        };
        Node::new(NodeValue::Map(vec![entry]), span)
    };
    single("spec", single(key, pattern.clone()))
}

/// Each pattern of an `anyPattern` list wrapped; an empty list or a value that is not a
/// list leaves no `anyPattern` at all.
fn each_under_pod_key(patterns: &Node, key: &str) -> Option<Node> {
    let items = patterns.items().filter(|items| !items.is_empty())?;
    let wrapped = items.iter().map(|p| under_pod_key(p, key)).collect();
    Some(Node::new(NodeValue::Seq(wrapped), patterns.span))
}

/// What Kyverno's serialise/replace/parse step does to the rule: the path rewriting on
/// every string, and empty `any`/`all` lists of typed condition blocks (rule and foreach
/// preconditions, not `deny` conditions, which stay raw JSON) disappearing.
fn round_trip(rule: &mut Rule, shape: &Shape, cel: bool) {
    let rewrites = text::path_rewrites(shape, cel);
    visit::rule(rule, &mut |s: &mut String| {
        text::rewrite_paths(s, &rewrites)
    });
    drop_empty_lists(&mut rule.preconditions);
    if let RuleBody::Validate(v) = &mut rule.body {
        v.foreach
            .iter_mut()
            .flatten()
            .for_each(drop_empty_foreach_lists);
    }
}

fn drop_empty_foreach_lists(foreach: &mut Foreach) {
    drop_empty_lists(&mut foreach.preconditions);
    foreach
        .foreach
        .iter_mut()
        .flatten()
        .for_each(drop_empty_foreach_lists);
}

fn drop_empty_lists(conditions: &mut Option<Conditions>) {
    if let Some(Conditions::AnyAll { any, all, .. }) = conditions {
        any.take_if(|l| l.is_empty());
        all.take_if(|l| l.is_empty());
    }
}
