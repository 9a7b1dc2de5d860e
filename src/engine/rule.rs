//! One rule on one request (rules.md §9.1 step 3): context, preconditions, exceptions,
//! then the validation proper, in a scope of the JSON context that is undone afterwards.

use super::checks::{self, RuleText, Target, Verdict};
use super::context::JsonContext;
use super::matching::MatchRequest;
use super::offline::Backend;
use super::podsecurity::{Outcome, PodSecurity};
use super::selector::StringMap;
use super::{foreach, loader, messages, sources};
use crate::compile::exception::Exception;
use crate::compile::{Action, Check, ContextEntry, Override, Rule, Source, Validate};
use crate::ir::inputs::RuleValues;
use crate::report::{Extras, RuleResponse, Status};

/// Values-file values for a rule (rules.md §5.4 item 3).
#[derive(Default)]
pub struct Values<'a> {
    pub rule: Option<&'a RuleValues>,
}

impl Values<'_> {
    /// Writes the rule's values (and, per foreach element, the first `foreachValues` entry:
    /// Kyverno never advances that counter).
    #[inline]
    pub fn inject_rule(&self, ctx: &mut JsonContext<'_>, element: bool) {
        // Most runs have no values file: decided without a call.
        let Some(rule) = self.rule else {
            return;
        };
        Self::inject_each(rule, ctx, element);
    }

    fn inject_each(rule: &RuleValues, ctx: &mut JsonContext<'_>, element: bool) {
        for (key, value) in &rule.values {
            ctx.inject(key, value.clone());
        }
        if element {
            for (key, list) in &rule.foreach_values {
                if let Some(first) = list.first() {
                    ctx.inject(key, first.clone());
                }
            }
        }
    }
}

/// Registers context entries (rules.md §5.1, §5.4). When the run mocks API calls, every
/// `apiCall` entry is first substituted and, if a mock answers it, stored at once, before
/// any other entry of the level is registered. An entry without a source, or a failing
/// mocked call, fails the rule.
#[inline]
pub fn register<'c>(entries: &'c [ContextEntry], ctx: &mut JsonContext<'c>) -> Result<(), String> {
    // Most rules and elements have no entries: decided without a call.
    if entries.is_empty() {
        return Ok(());
    }
    register_each(entries, ctx)
}

fn register_each<'c>(entries: &'c [ContextEntry], ctx: &mut JsonContext<'c>) -> Result<(), String> {
    let mocked = match ctx.backend().filter(|b| b.offline.has_api_mocks()) {
        Some(backend) => store_mocked(entries, backend, ctx)?,
        None => Vec::new(),
    };
    for (i, entry) in entries.iter().enumerate() {
        if mocked.get(i) == Some(&true) {
            continue;
        }
        if matches!(entry.source, Source::Missing) {
            return Err(format!(
                "missing ConfigMap|APICall|ImageRegistry|Variable in context entry {}",
                entry.name
            ));
        }
        if loader::registered(entry, ctx.backend()) {
            ctx.register(&entry.name, entry);
        }
    }
    Ok(())
}

/// Which entries a mock answered (their values are stored).
fn store_mocked(
    entries: &[ContextEntry],
    backend: Backend<'_>,
    ctx: &mut JsonContext<'_>,
) -> Result<Vec<bool>, String> {
    let mut done = vec![false; entries.len()];
    for (entry, done) in entries.iter().zip(done.iter_mut()) {
        let Source::ApiCall(call) = &entry.source else {
            continue;
        };
        if let Some(value) = sources::mocked_api_call(&entry.name, call, backend, ctx)? {
            ctx.set(entry.name.clone(), value);
            *done = true;
        }
    }
    Ok(done)
}

/// What a rule is evaluated with besides the JSON context.
pub struct RuleEnv<'a> {
    pub values: Values<'a>,
    /// The policy-wide failure action and its overrides, when the rule sets none.
    pub action: Action,
    pub overrides: &'a [Override],
    /// `<name>` or `<namespace>/<name>`: how exceptions name the policy.
    pub policy_key: &'a str,
    pub exceptions: &'a [Exception],
    pub request: &'a MatchRequest<'a>,
}

/// Evaluates a matched rule; `None` means no response.
pub fn evaluate<'s: 'c, 'c>(
    rule: &'s Rule,
    env: &RuleEnv<'_>,
    ctx: &mut JsonContext<'c>,
) -> Option<RuleResponse<'s>> {
    let validate = rule.validate.as_ref()?;
    // Only values and context entries write at the rule's level (foreach elements open
    // their own scopes): without them the rule needs no scope.
    let scope = ctx.open_if(env.values.rule.is_some() || !rule.context.is_empty());
    let mut excused = Vec::new();
    let verdict = run(rule, validate, env, &mut excused, ctx);
    ctx.close(scope);
    let action = effective_action(validate, env);
    verdict.map(|v| RuleResponse {
        extras: (!excused.is_empty()).then(|| {
            Box::new(Extras {
                exceptions: excused,
                ..Extras::default()
            })
        }),
        enforce: action == Action::Enforce,
        ..RuleResponse::new(&rule.name, v.status, v.message)
    })
}

/// The exceptions that apply to this rule and request (podsecurity.md §4.3): named
/// policy and rule, matching resource, and conditions that hold (an error: not applied).
fn applicable<'e>(rule: &Rule, env: &RuleEnv<'e>, ctx: &mut JsonContext<'_>) -> Vec<&'e Exception> {
    if env.exceptions.is_empty() {
        return Vec::new();
    }
    let named = env
        .exceptions
        .iter()
        .filter(|e| e.targets(env.policy_key, &rule.name));
    let matched = named.filter(|e| e.match_.as_ref().is_some_and(|m| m.matches(env.request)));
    matched
        .filter(|e| match &e.conditions {
            None => true,
            Some(block) => checks::block(block, ctx).is_ok_and(|v| v.holds),
        })
        .collect()
}

fn run<'s: 'c, 'c>(
    rule: &'s Rule,
    validate: &'s Validate,
    env: &RuleEnv<'_>,
    excused: &mut Vec<String>,
    ctx: &mut JsonContext<'c>,
) -> Option<Verdict<'s>> {
    let values = &env.values;
    values.inject_rule(ctx, false);
    if let Err(e) = register(&rule.context, ctx) {
        return Some(Verdict::new(
            Status::Error,
            format!("failed to load context: {e}"),
        ));
    }
    if let Some(pre) = &rule.preconditions {
        match checks::block(pre, ctx) {
            Err(e) => {
                return Some(Verdict::new(
                    Status::Error,
                    format!("failed to evaluate preconditions: {e}"),
                ));
            }
            Ok(v) if !v.holds => {
                return Some(Verdict::new(
                    Status::Skip,
                    messages::preconditions_not_met(&v.message()),
                ));
            }
            Ok(_) => {}
        }
    }
    let exceptions = applicable(rule, env, ctx);
    if let Check::PodSecurity(ps) = &validate.check {
        return pod_security(ps, &rule.name, &exceptions, excused, ctx);
    }
    if !exceptions.is_empty() {
        excused.extend(exceptions.iter().map(|e| e.key.clone()));
        // No space before the first key (podsecurity.md §4.6, quirk).
        let message = format!(
            "rule is skipped due to policy exceptions{}",
            excused.join(", ")
        );
        return Some(Verdict::new(Status::Skip, message));
    }
    let text = RuleText {
        name: &rule.name,
        message: validate.message.as_ref(),
        joined: &validate.joined_messages,
        passed: &validate.passed,
        failed_at: validate.failed_at.as_deref(),
        shows_pass: true,
    };
    match &validate.check {
        Check::Deny(block) => Some(checks::deny(block.as_ref(), &text, ctx)),
        Check::Pattern(spec) => {
            let guard = validate.guards.first().and_then(Option::as_ref);
            checks::pattern(spec, guard, Target::Resource, &text, ctx)
        }
        Check::AnyPattern(specs) => {
            checks::any_pattern(specs, &validate.guards, Target::Resource, &text, ctx)
        }
        Check::Foreach(list) => foreach::run(list, 0, Target::Resource, &text, values, ctx),
        Check::PodSecurity(_) | Check::PodSecurityInvalid => None,
        Check::Unsupported(reason) => Some(Verdict::new(Status::Error, reason.clone())),
    }
}

/// A podSecurity rule (podsecurity.md §3.3, §4.5): nothing on DELETE; an exception
/// without entries skips the rule; otherwise exceptions' entries excuse what the rule's
/// own exclusions left.
fn pod_security(
    ps: &PodSecurity,
    rule: &str,
    exceptions: &[&Exception],
    excused: &mut Vec<String>,
    ctx: &mut JsonContext<'_>,
) -> Option<Verdict<'static>> {
    let (extracted, memo) = ctx.pod_and_memo()?;
    if let Some(blanket) = exceptions.iter().find(|e| e.pod_security.is_empty()) {
        excused.push(blanket.key.clone());
        let message = format!("rule is skipped due to policy exception {}", blanket.key);
        return Some(Verdict::new(Status::Skip, message));
    }
    let entries = exceptions.iter().flat_map(|e| &e.pod_security);
    let outcome = ps.run_extracted(rule, extracted.kind, &extracted.pod, entries, memo);
    Some(match outcome {
        Outcome::Pass { message } => Verdict::new(Status::Pass, message),
        Outcome::Fail { message, .. } => Verdict::new(Status::Fail, message),
        Outcome::Error { message } => Verdict::new(Status::Error, message),
        Outcome::ExcusedByExceptions => {
            excused.extend(exceptions.iter().map(|e| e.key.clone()));
            let message = format!(
                "rule is skipped due to policy exceptions {}",
                excused.join(", ")
            );
            Verdict::new(Status::Skip, message)
        }
    })
}

/// The rule's failure action for this request (rules.md §1.3): the rule's overrides, its
/// own action, the policy's overrides, the policy's action — first that applies.
fn effective_action(validate: &Validate, env: &RuleEnv<'_>) -> Action {
    let (namespace, labels) = (env.request.namespace, env.request.namespace_labels);
    let first = |list: &[Override]| {
        list.iter()
            .filter(|o| override_applies(o, namespace, labels))
            .find_map(|o| o.action)
    };
    first(&validate.failure_action_overrides)
        .or(validate.failure_action)
        .or_else(|| first(env.overrides))
        .unwrap_or(env.action)
}

fn override_applies(o: &Override, namespace: &str, labels: StringMap<'_>) -> bool {
    let selected = o.selector.as_ref().is_none_or(|s| s.matches(labels));
    match &o.namespaces {
        None => selected,
        Some(patterns) => patterns.iter().any(|p| p.matches(namespace)) && selected,
    }
}
