//! Expected rows of a test against actual responses (cli-test.md §7): which resources and
//! rule responses an expectation selects, and the rows (with reasons) that come out.

use crate::load::testsuite::ExpectedRow;
use crate::report::{PolicyResponse, ResourceRef, Status};

/// What the suite needs to know about each loaded policy.
#[derive(Clone, Debug)]
pub struct PolicyMeta {
    pub name: String,
    /// Why Kyverno would reject the policy (it then produces no responses).
    pub invalid: Option<String>,
    /// `policies.kyverno.io/scored: "false"` turns `fail` into `warn`.
    pub scored: bool,
    /// Every rule name the policy can answer with, generated ones included.
    pub rules: Vec<String>,
}

/// Whether an expectation held.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    Fail,
    /// Only for rows of invalid policies.
    Skip,
}

/// How a row counts in the summary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Count {
    Passed,
    Skipped,
    Failed,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub policy: String,
    pub rule: String,
    pub resource: String,
    pub verdict: Verdict,
    pub reason: String,
    pub message: String,
    pub count: Count,
}

/// The actual responses of one evaluation run: `responses[i]` belongs to `resources[i]`.
pub struct Actual<'a, 's> {
    pub resources: &'a [ResourceRef],
    pub responses: &'a [Vec<PolicyResponse<'s>>],
    pub policies: &'a [PolicyMeta],
}

/// The rows one expected entry produces.
pub fn rows(expected: &ExpectedRow, actual: &Actual<'_, '_>) -> Vec<Row> {
    let rule = expected.rule.as_ref().map_or("", |r| r.node.as_str());
    let policy_name = policy_name(&expected.policy.node);
    let mut out = Vec::new();
    for reference in &expected.resources {
        let kind = expected.kind.as_ref().map_or("", |k| k.node.as_str());
        let selected = select(&reference.node, kind, actual.resources);
        let before = out.len();
        for index in selected {
            out.extend(resource_rows(expected, actual, index, policy_name, rule));
        }
        if out.len() == before {
            out.push(missing_row(
                expected,
                actual,
                policy_name,
                rule,
                &reference.node,
            ));
        }
    }
    out
}

/// The policy name an expectation names: the part after a single `/` (cli-test.md §3).
fn policy_name(policy: &str) -> Option<&str> {
    match policy.split_once('/') {
        None => Some(policy),
        Some((_, name)) if !name.contains('/') => Some(name),
        Some(_) => None,
    }
}

/// Indices of the resources a reference (`name` or `namespace/name`) selects, of the
/// expected kind when one is given (Kyverno's `selectResources`).
fn select(reference: &str, kind: &str, resources: &[ResourceRef]) -> Vec<usize> {
    let named = |r: &ResourceRef| match reference.split_once('/') {
        None => r.name == reference,
        Some((ns, name)) if !name.contains('/') => r.namespace == ns && r.name == name,
        Some(_) => false,
    };
    let wanted = |r: &ResourceRef| named(r) && (kind.is_empty() || r.kind == kind);
    resources
        .iter()
        .enumerate()
        .filter(|(_, r)| wanted(r))
        .map(|(i, _)| i)
        .collect()
}

fn rule_selected(wanted: &str, actual: &str) -> bool {
    wanted.is_empty()
        || actual == wanted
        || actual.strip_prefix("autogen-") == Some(wanted)
        || actual.strip_prefix("autogen-cronjob-") == Some(wanted)
}

fn resource_rows(
    expected: &ExpectedRow,
    actual: &Actual<'_, '_>,
    index: usize,
    policy_name: Option<&str>,
    rule: &str,
) -> Vec<Row> {
    let resource = actual.resources[index].test_key();
    let mut out = Vec::new();
    for response in &actual.responses[index] {
        let meta = &actual.policies[response.policy];
        let known_rule = meta.rules.iter().any(|r| rule_selected(rule, r));
        if Some(meta.name.as_str()) != policy_name || !known_rule {
            continue;
        }
        let before = out.len();
        for rr in response
            .rules
            .iter()
            .filter(|r| rule_selected(rule, r.rule))
        {
            let status = if rr.status == Status::Fail && !meta.scored {
                Status::Warn
            } else {
                rr.status
            };
            out.push(compared_row(
                expected,
                rr.rule,
                &resource,
                status,
                &rr.message,
            ));
        }
        if out.len() == before {
            out.push(special_row(
                expected,
                rule,
                &resource,
                Verdict::Pass,
                "Excluded",
                Count::Skipped,
            ));
        }
    }
    out
}

fn compared_row(
    expected: &ExpectedRow,
    rule: &str,
    resource: &str,
    actual: Status,
    message: &str,
) -> Row {
    let want = expected.result.node.as_str();
    let ok = actual.as_str() == want;
    Row {
        policy: expected.policy.node.clone(),
        rule: rule.to_string(),
        resource: resource.to_string(),
        verdict: if ok { Verdict::Pass } else { Verdict::Fail },
        reason: if ok {
            "Ok".to_string()
        } else {
            format!("Want {want}, got {actual}")
        },
        message: message.to_string(),
        count: match (ok, want == "skip") {
            (false, _) => Count::Failed,
            (true, true) => Count::Skipped,
            (true, false) => Count::Passed,
        },
    }
}

fn special_row(
    expected: &ExpectedRow,
    rule: &str,
    resource: &str,
    verdict: Verdict,
    reason: &str,
    count: Count,
) -> Row {
    Row {
        policy: expected.policy.node.clone(),
        rule: rule.to_string(),
        resource: resource.to_string(),
        verdict,
        reason: reason.to_string(),
        message: reason.to_string(),
        count,
    }
}

/// The row of a reference that produced nothing: an invalid policy, or not found.
fn missing_row(
    expected: &ExpectedRow,
    actual: &Actual<'_, '_>,
    policy_name: Option<&str>,
    rule: &str,
    reference: &str,
) -> Row {
    let invalid = actual
        .policies
        .iter()
        .find(|p| Some(p.name.as_str()) == policy_name)
        .and_then(|p| p.invalid.clone());
    match invalid {
        Some(message) => Row {
            message,
            ..special_row(
                expected,
                rule,
                reference,
                Verdict::Skip,
                "Invalid Policy",
                Count::Skipped,
            )
        },
        None => special_row(
            expected,
            rule,
            reference,
            Verdict::Fail,
            "Not found",
            Count::Failed,
        ),
    }
}
