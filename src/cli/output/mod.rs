//! Rendering results: the summary table, PolicyReports (JSON/YAML), JUnit XML, YAML text.
//! Results arrive as [`Entry`] values produced on demand from the evaluated responses.

pub mod junit;
pub mod report;
pub mod table;
pub mod yaml;

use crate::compile::{Policy, PolicySet};
use crate::report::{PolicyResponse, ResourceRef, RuleResponse, Status};

/// One resource and what every policy said about it.
pub type Evaluated = (ResourceRef, Vec<PolicyResponse>);

/// One reported result: a rule response with the policy and resource it belongs to.
#[derive(Clone, Debug)]
pub struct Entry<'a> {
    pub policy: &'a str,
    /// The namespace of a namespaced `Policy`.
    pub policy_namespace: Option<&'a str>,
    pub resource: &'a ResourceRef,
    pub response: &'a RuleResponse,
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
    evaluated: &'a [Evaluated],
    audit_warn: bool,
) -> impl Iterator<Item = Entry<'a>> + 'a {
    evaluated.iter().flat_map(move |(resource, per_policy)| {
        per_policy.iter().flat_map(move |response| {
            let policy = &set.policies[response.policy];
            let rules = response.rules.iter();
            rules.map(move |rule| entry(policy, resource, rule, audit_warn))
        })
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
