//! One `validate.podSecurity` subrule over one resource: extract the pod, evaluate it,
//! apply the rule's exclusions and then any exceptions' entries, and say pass, fail or
//! error with Kyverno's message (podsecurity.md §3.3-§3.6, §4.5).

use std::borrow::Cow;

use serde_json::Value;

use super::controls::Exclusion;
use super::exclusion::apply_exclusions;
use super::memo::{Checks, Memo, Probes};
use super::message;
use super::pod::{ExtractError, Pod, extract};
use super::standing::{Standing, View};
use super::types::{CheckResult, Level, Version};

/// A compiled `validate.podSecurity` block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodSecurity {
    pub level: Level,
    pub version: Version,
    pub exclude: Vec<Exclusion>,
    /// What the fail message says between the rule's name and the groups, with the
    /// level and the version as the policy writes them (see [`message::fail`]).
    violates: String,
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

impl PodSecurity {
    /// The block of `level` and `version`, `version_text` being the version as the policy
    /// writes it (empty when omitted).
    pub fn new(
        level: Level,
        version: Version,
        version_text: &str,
        exclude: Vec<Exclusion>,
    ) -> PodSecurity {
        PodSecurity {
            level,
            version,
            exclude,
            violates: message::violates(level.as_str(), version_text),
        }
    }

    /// The checks `pod` fails after this subrule's own exclusions (podsecurity.md §3.4).
    pub fn failing(&self, pod: &Pod) -> Vec<CheckResult> {
        let Memo { checks, probes } = &mut Memo::default();
        self.standing(pod, checks, probes).to_results()
    }

    /// The checks `pod` fails after this subrule's own exclusions, borrowed from `checks`.
    fn standing<'m>(&self, pod: &Pod, checks: &'m mut Checks, probes: &mut Probes) -> Standing<'m> {
        let evaluated = checks.evaluate(self.level, self.version, pod);
        let mut standing = Standing::new(evaluated);
        let exclusions = &self.exclude;
        apply_exclusions(
            self.level,
            self.version,
            pod,
            &mut standing,
            exclusions,
            probes,
        );
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
        self.run_extracted(
            rule,
            kind,
            &extract(kind, resource),
            exception_entries,
            memo,
        )
    }

    /// As [`PodSecurity::run_memo`], on the pod already extracted from the resource; the
    /// exceptions' entries are borrowed from the exceptions that hold them.
    pub fn run_extracted<'x>(
        &self,
        rule: &str,
        kind: &str,
        pod: &Result<Pod<'_>, ExtractError>,
        exception_entries: impl IntoIterator<Item = &'x Exclusion>,
        memo: &mut Memo,
    ) -> Outcome {
        let pod = match pod {
            Ok(pod) => pod,
            Err(e) => {
                let message = format!("Error while getting new resource: {e}");
                return Outcome::Error { message };
            }
        };
        let Memo { checks, probes } = memo;
        let mut standing = self.standing(pod, checks, probes);
        if standing.is_empty() {
            let message = message::pass(rule);
            return Outcome::Pass { message };
        }
        apply_exclusions(
            self.level,
            self.version,
            pod,
            &mut standing,
            exception_entries,
            probes,
        );
        if standing.is_empty() {
            return Outcome::ExcusedByExceptions;
        }
        let message = self.fail_message(rule, kind, &standing);
        Outcome::Fail { message }
    }

    /// The fail message of what stands; a check no exclusion touched reuses its group.
    fn fail_message(&self, rule: &str, kind: &str, standing: &Standing) -> String {
        let violates = self.violates.as_str();
        match standing.view() {
            // Each group is written once per request and kept: read it where it is.
            View::Evaluated(failed) => {
                message::fail(rule, violates, failed.iter().map(|f| f.group(kind)))
            }
            View::Kept(kept) => {
                let groups: Vec<Cow<str>> = kept
                    .iter()
                    .map(|k| match k.is_intact() {
                        true => Cow::Borrowed(k.failed.group(kind)),
                        false => {
                            let errors = k.errors.iter().copied();
                            Cow::Owned(message::group(kind, k.result().reason, errors))
                        }
                    })
                    .collect();
                message::fail(rule, violates, groups.iter())
            }
        }
    }
}
