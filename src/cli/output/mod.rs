//! Rendering results: the summary table, PolicyReports (JSON/YAML), JUnit XML, YAML text.
//! Results arrive as [`Entry`] values produced on demand from the evaluated responses.

pub mod junit;
pub mod report;
pub mod table;
pub mod yaml;

use crate::compile::{Policy, PolicySet};
use crate::report::{PolicyResponse, ResourceRef, RuleResponse, Status};

/// One resource and every rule response about it, each with the index of its policy, in
/// evaluation order.
pub struct Evaluated<'s> {
    pub resource: ResourceRef,
    pub responses: Vec<(usize, RuleResponse<'s>)>,
}

impl<'s> Evaluated<'s> {
    /// Keeps the responses in one list of exactly their number: a large run holds hundreds
    /// of thousands of them until the output is written, and the per-policy lists the
    /// evaluation returns are mostly spare capacity.
    pub fn new(resource: ResourceRef, per_policy: Vec<PolicyResponse<'s>>) -> Self {
        let count = per_policy.iter().map(|p| p.rules.len()).sum();
        let mut responses = Vec::with_capacity(count);
        for response in per_policy {
            let policy = response.policy;
            responses.extend(response.rules.into_iter().map(|rule| (policy, rule)));
        }
        Evaluated {
            resource,
            responses,
        }
    }
}

/// One reported result: a rule response with the policy and resource it belongs to.
#[derive(Clone, Debug)]
pub struct Entry<'a> {
    pub policy: &'a str,
    /// The namespace of a namespaced `Policy`.
    pub policy_namespace: Option<&'a str>,
    pub resource: &'a ResourceRef,
    pub response: &'a RuleResponse<'a>,
    /// The status as reported (after `scored: false` and `--audit-warn` conversions).
    pub status: Status,
    pub category: Option<&'a str>,
    pub severity: Option<&'a str>,
    pub scored: bool,
}

/// Every rule result, resource by resource in input order. An iterator, not a list:
/// large runs have hundreds of thousands of results and the table needs each only once.
pub fn entries<'a>(
    set: &'a PolicySet,
    evaluated: &'a [Evaluated<'a>],
    audit_warn: bool,
) -> impl Iterator<Item = Entry<'a>> + 'a {
    evaluated.iter().flat_map(move |evaluated| {
        let resource = &evaluated.resource;
        let responses = evaluated.responses.iter();
        responses
            .map(move |(policy, rule)| entry(&set.policies[*policy], resource, rule, audit_warn))
    })
}

fn entry<'a>(
    policy: &'a Policy,
    resource: &'a ResourceRef,
    rule: &'a RuleResponse,
    audit_warn: bool,
) -> Entry<'a> {
    let warn = rule.status == Status::Fail && (!policy.scored || (audit_warn && !rule.enforce));
    Entry {
        policy: &policy.name,
        policy_namespace: policy.namespace.as_deref(),
        resource,
        response: rule,
        status: if warn { Status::Warn } else { rule.status },
        category: policy.annotation("policies.kyverno.io/category"),
        severity: policy.annotation("policies.kyverno.io/severity"),
        scored: policy.scored,
    }
}
