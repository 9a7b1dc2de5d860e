//! Rendering results: PolicyReports (JSON/YAML), JUnit XML, YAML text.

pub mod junit;
pub mod report;
pub mod yaml;

use crate::report::{ResourceRef, RuleResponse, Status};

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
