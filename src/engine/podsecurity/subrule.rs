//! One `validate.podSecurity` subrule over one resource: extract the pod, evaluate it,
//! apply the rule's exclusions and then any exceptions' entries, and say pass, fail or
//! error with Kyverno's message (podsecurity.md §3.3-§3.6, §4.5).

use serde_json::Value;

use super::checks::evaluate;
use super::controls::Exclusion;
use super::exclusion::apply_exclusions;
use super::message;
use super::pod::{Pod, extract};
use super::types::{CheckResult, Level, Version};

/// A compiled `validate.podSecurity` block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodSecurity {
    pub level: Level,
    pub version: Version,
    /// `version` as the policy writes it (empty when omitted), for messages.
    pub version_text: String,
    pub exclude: Vec<Exclusion>,
}

/// What a podSecurity subrule concludes for one resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Pass {
        message: String,
    },
    /// `checks` are what remains after exclusions and exceptions, with pod-relative fields;
    /// the message has them rewritten for the resource's kind.
    Fail {
        message: String,
        checks: Vec<CheckResult>,
    },
    Error {
        message: String,
    },
    /// The rule's own exclusions left failures and the exceptions' `podSecurity` entries
    /// excused all of them: the caller reports `skip` with the exception keys (§4.5 step 3).
    ExcusedByExceptions,
}

/// The failing checks of one pod per (level, version), computed once per request and
/// shared by every podSecurity rule evaluating that pod.
#[derive(Debug, Default)]
pub struct Memo {
    results: Vec<((Level, Version), Vec<CheckResult>)>,
}

impl Memo {
    fn evaluate(&mut self, level: Level, version: Version, pod: &Pod) -> Vec<CheckResult> {
        if let Some((_, found)) = self.results.iter().find(|(k, _)| *k == (level, version)) {
            return found.clone();
        }
        let found = evaluate(level, version, pod);
        self.results.push(((level, version), found.clone()));
        found
    }
}

impl PodSecurity {
    /// The checks `pod` fails after this subrule's own exclusions (podsecurity.md §3.4).
    pub fn failing(&self, pod: &Pod) -> Vec<CheckResult> {
        self.failing_with(pod, &mut Memo::default())
    }

    fn failing_with(&self, pod: &Pod, memo: &mut Memo) -> Vec<CheckResult> {
        let failing = memo.evaluate(self.level, self.version, pod);
        if failing.is_empty() {
            return failing;
        }
        apply_exclusions(self.level, self.version, pod, failing, &self.exclude)
    }

    /// The outcome of rule `rule` for `resource` of `kind`, with no exception.
    pub fn run(&self, rule: &str, kind: &str, resource: &Value) -> Outcome {
        self.run_with_exceptions(rule, kind, resource, &[])
    }

    /// As [`PodSecurity::run`], with `exception_entries` the concatenated `podSecurity`
    /// entries of the matching exceptions, applied only when the rule would fail.
    pub fn run_with_exceptions(
        &self,
        rule: &str,
        kind: &str,
        resource: &Value,
        exception_entries: &[Exclusion],
    ) -> Outcome {
        self.run_memo(
            rule,
            kind,
            resource,
            exception_entries,
            &mut Memo::default(),
        )
    }

    /// As [`PodSecurity::run_with_exceptions`], sharing check results through `memo`, which
    /// must only ever see this same resource.
    pub fn run_memo(
        &self,
        rule: &str,
        kind: &str,
        resource: &Value,
        exception_entries: &[Exclusion],
        memo: &mut Memo,
    ) -> Outcome {
        let pod = match extract(kind, resource) {
            Ok(pod) => pod,
            Err(e) => {
                let message = format!("Error while getting new resource: {e}");
                return Outcome::Error { message };
            }
        };
        let failing = self.failing_with(&pod, memo);
        if failing.is_empty() {
            let message = message::pass(rule);
            return Outcome::Pass { message };
        }
        let remaining =
            apply_exclusions(self.level, self.version, &pod, failing, exception_entries);
        if remaining.is_empty() {
            return Outcome::ExcusedByExceptions;
        }
        let message = message::fail(
            rule,
            self.level.as_str(),
            &self.version_text,
            kind,
            &remaining,
        );
        Outcome::Fail {
            message,
            checks: remaining,
        }
    }
}
