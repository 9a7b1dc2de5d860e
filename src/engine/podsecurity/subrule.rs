//! One `validate.podSecurity` subrule over one resource: extract the pod, evaluate it,
//! apply the rule's exclusions and then any exceptions' entries, and say pass, fail or
//! error with Kyverno's message (podsecurity.md §3.3-§3.6, §4.5).

use std::borrow::Cow;
use std::cell::OnceCell;

use serde_json::Value;

use super::checks::evaluate;
use super::controls::Exclusion;
use super::exclusion::apply_exclusions;
use super::message;
use super::pod::{Pod, extract};
use super::standing::{Standing, View};
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
    /// The message lists what remains after exclusions and exceptions, with fields
    /// rewritten for the resource's kind.
    Fail {
        message: String,
    },
    Error {
        message: String,
    },
    /// The rule's own exclusions left failures and the exceptions' `podSecurity` entries
    /// excused all of them: the caller reports `skip` with the exception keys (§4.5 step 3).
    ExcusedByExceptions,
}

/// The failing checks of one pod per (level, version), computed once per request and
/// shared by every podSecurity rule evaluating that pod, with their message groups.
#[derive(Debug, Default)]
pub struct Memo {
    entries: Vec<Evaluated>,
}

/// The failing checks of the pod at one level and version, and each check's message
/// group, written on first use for the kind of the one resource the memo sees.
#[derive(Debug)]
struct Evaluated {
    key: (Level, Version),
    results: Vec<CheckResult>,
    groups: Vec<OnceCell<String>>,
}

impl Memo {
    /// The failing checks of `pod` at `level` and `version`, evaluated on first use.
    fn evaluate(&mut self, level: Level, version: Version, pod: &Pod) -> &Evaluated {
        let key = (level, version);
        let at = match self.entries.iter().position(|e| e.key == key) {
            Some(at) => at,
            None => {
                let results = evaluate(level, version, pod);
                let groups = results.iter().map(|_| OnceCell::new()).collect();
                self.entries.push(Evaluated {
                    key,
                    results,
                    groups,
                });
                self.entries.len() - 1
            }
        };
        &self.entries[at]
    }
}

impl Evaluated {
    /// The message group of the check at `index` with all its errors.
    fn group(&self, index: usize, kind: &str) -> &str {
        self.groups[index].get_or_init(|| {
            let result = &self.results[index];
            message::group(kind, result.reason, result.errors.iter())
        })
    }
}

impl PodSecurity {
    /// The checks `pod` fails after this subrule's own exclusions (podsecurity.md §3.4).
    pub fn failing(&self, pod: &Pod) -> Vec<CheckResult> {
        let mut memo = Memo::default();
        let evaluated = memo.evaluate(self.level, self.version, pod);
        self.standing(pod, evaluated).to_results()
    }

    /// The checks of `evaluated` that `pod` still fails after this subrule's own exclusions.
    fn standing<'r>(&self, pod: &Pod, evaluated: &'r Evaluated) -> Standing<'r> {
        let mut standing = Standing::new(&evaluated.results);
        apply_exclusions(self.level, self.version, pod, &mut standing, &self.exclude);
        standing
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
        let evaluated = memo.evaluate(self.level, self.version, &pod);
        let mut standing = self.standing(&pod, evaluated);
        if standing.is_empty() {
            let message = message::pass(rule);
            return Outcome::Pass { message };
        }
        apply_exclusions(
            self.level,
            self.version,
            &pod,
            &mut standing,
            exception_entries,
        );
        if standing.is_empty() {
            return Outcome::ExcusedByExceptions;
        }
        let message = self.fail_message(rule, kind, evaluated, &standing);
        Outcome::Fail { message }
    }

    /// The fail message of what stands; a check no exclusion touched reuses its group.
    fn fail_message(
        &self,
        rule: &str,
        kind: &str,
        evaluated: &Evaluated,
        standing: &Standing,
    ) -> String {
        let groups: Vec<Cow<str>> = match standing.view() {
            View::Evaluated(results) => (0..results.len())
                .map(|i| Cow::Borrowed(evaluated.group(i, kind)))
                .collect(),
            View::Kept(kept) => kept
                .iter()
                .map(|k| match k.is_intact() {
                    true => Cow::Borrowed(evaluated.group(k.index, kind)),
                    false => {
                        let errors = k.errors.iter().copied();
                        Cow::Owned(message::group(kind, k.result.reason, errors))
                    }
                })
                .collect(),
        };
        message::fail(rule, self.level.as_str(), &self.version_text, &groups)
    }
}
