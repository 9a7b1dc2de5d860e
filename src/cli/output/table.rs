//! Kyverno's default `apply` output: the failures grouped by policy and resource, then the
//! counts per status. Each resource's part is rendered as soon as the resource has been
//! evaluated (in parallel, while its results are at hand; they are dropped after), and
//! the parts are joined in input order: consecutive failures of one policy on equal
//! resources form one group, even across parts, exactly as one pass over all results.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::{Entry, entry};
use crate::compile::PolicySet;
use crate::report::{PolicyResponse, ResourceRef, Status};

/// One resource's part of the table.
pub struct Part {
    resource: ResourceRef,
    counts: [usize; Status::ALL.len()],
    enforced_failure: bool,
    failures: Failures,
}

/// A resource's failures, rendered as if the first group started a new group.
#[derive(Default)]
struct Failures {
    text: String,
    groups: usize,
    first: Option<FirstGroup>,
    /// The last group's policy and number of items.
    last: (usize, usize),
}

/// The first group of a part, for continuing the previous part's last group instead.
struct FirstGroup {
    policy: usize,
    /// Where its header line ends in the text.
    header_end: usize,
    /// Where each of its item numbers starts.
    numbers: Vec<usize>,
}

impl Part {
    /// Renders the results of one resource.
    pub fn new(
        set: &PolicySet,
        audit_warn: bool,
        resource: ResourceRef,
        per_policy: Vec<PolicyResponse>,
    ) -> Part {
        let mut counts = [0; Status::ALL.len()];
        let mut enforced_failure = false;
        let mut failures = Failures::default();
        for response in &per_policy {
            let policy = &set.policies[response.policy];
            for rule in &response.rules {
                let e = entry(policy, &resource, rule, audit_warn);
                counts[e.status as usize] += 1;
                enforced_failure |= e.status == Status::Fail && e.response.enforce;
                if is_failure(e.status) {
                    failures.add(set, response.policy, &e);
                }
            }
        }
        // A copy of exactly its length: the text is kept until the end, and grown text
        // has up to twice that capacity (freed here, for the next resource to reuse).
        failures.text = failures.text.as_str().into();
        Part {
            resource,
            counts,
            enforced_failure,
            failures,
        }
    }

    /// Whether a rule of an Enforce policy failed on the resource.
    pub fn enforced_failure(&self) -> bool {
        self.enforced_failure
    }
}

impl Failures {
    fn add(&mut self, set: &PolicySet, policy: usize, e: &Entry<'_>) {
        let same_group = self.groups > 0 && same_name(set, self.last.0, policy);
        if !same_group {
            push_header(&mut self.text, e);
            self.groups += 1;
            self.last = (policy, 0);
        }
        if self.groups == 1 {
            let first = self.first.get_or_insert_with(|| FirstGroup {
                policy,
                header_end: self.text.len(),
                numbers: Vec::new(),
            });
            first.numbers.push(self.text.len());
        }
        self.last.1 += 1;
        let (n, rule, message) = (self.last.1, &e.response.rule, &e.response.message);
        // Writing to a String cannot fail.
        let _ = writeln!(self.text, "{n}. {rule} [{}] {message}", e.status);
    }
}

fn is_failure(status: Status) -> bool {
    matches!(status, Status::Fail | Status::Warn | Status::Error)
}

fn same_name(set: &PolicySet, a: usize, b: usize) -> bool {
    set.policies[a].name == set.policies[b].name
}

fn push_header(text: &mut String, e: &Entry<'_>) {
    let how = if e.status == Status::Warn {
        "failed as audit warning"
    } else {
        "failed"
    };
    let resource = e.resource.apply_key();
    // Writing to a String cannot fail.
    let _ = write!(
        text,
        "\npolicy {} -> resource {resource} {how}:\n",
        e.policy
    );
}

/// The group the previous parts ended in: its policy, resource and number of items.
type OpenGroup<'a> = Option<(usize, &'a ResourceRef, usize)>;

/// Writes the table of the parts, one per resource.
pub fn table(out: &mut dyn Write, set: &PolicySet, parts: &[Part]) -> io::Result<()> {
    header(out, set, parts.len())?;
    let mut counts = [0usize; Status::ALL.len()];
    let mut open: OpenGroup<'_> = None;
    for part in parts {
        counts
            .iter_mut()
            .zip(part.counts)
            .for_each(|(c, n)| *c += n);
        open = write_part(out, set, part, open)?;
    }
    let count = |s: Status| counts[s as usize];
    writeln!(
        out,
        "\npass: {}, fail: {}, warn: {}, error: {}, skip: {}",
        count(Status::Pass),
        count(Status::Fail),
        count(Status::Warn),
        count(Status::Error),
        count(Status::Skip)
    )
}

/// Writes a part, its first group continuing the open group when both are of one policy
/// and equal resources; returns the group open after it.
fn write_part<'a>(
    out: &mut dyn Write,
    set: &PolicySet,
    part: &'a Part,
    open: OpenGroup<'a>,
) -> io::Result<OpenGroup<'a>> {
    let failures = &part.failures;
    let Some(first) = &failures.first else {
        return Ok(open);
    };
    let continued = open
        .filter(|(policy, resource, _)| {
            same_name(set, *policy, first.policy) && **resource == part.resource
        })
        .map(|(_, _, items)| items);
    let (policy, items) = failures.last;
    let Some(before) = continued else {
        out.write_all(failures.text.as_bytes())?;
        return Ok(Some((policy, &part.resource, items)));
    };
    renumber(out, &failures.text, first, before)?;
    let items = items + if failures.groups == 1 { before } else { 0 };
    Ok(Some((policy, &part.resource, items)))
}

/// Writes the text without its first header, the first group's items numbered on from
/// `before`.
fn renumber(out: &mut dyn Write, text: &str, first: &FirstGroup, before: usize) -> io::Result<()> {
    let mut at = first.header_end;
    for (i, &number) in first.numbers.iter().enumerate() {
        out.write_all(&text.as_bytes()[at..number])?;
        let n = i + 1;
        write!(out, "{}", before + n)?;
        at = number + n.to_string().len();
    }
    out.write_all(&text.as_bytes()[at..])
}

fn header(out: &mut dyn Write, set: &PolicySet, resources: usize) -> io::Result<()> {
    let valid = set.policies.iter().filter(|p| p.invalid.is_none());
    let rules: usize = valid.map(|p| p.rules.len()).sum();
    writeln!(
        out,
        "\nApplying {rules} policy rule(s) to {resources} resource(s)..."
    )?;
    let invalid: Vec<&str> = set
        .policies
        .iter()
        .filter(|p| p.invalid.is_some())
        .map(|p| p.name.as_str())
        .collect();
    if invalid.is_empty() {
        return Ok(());
    }
    let invalid = invalid.join(", ");
    writeln!(out, "\nInvalid policies (not evaluated): {invalid}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::output::{Evaluated, entries};
    use crate::load::{self, inputs::policy_set};
    use crate::report::RuleResponse;
    use crate::source::SourceMap;

    /// Policies `a`, `b` (not scored: its failures are warnings), and two namespaced
    /// policies both named `dup`, which the table counts as one policy.
    const POLICIES: &str = "
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: a}
spec: {rules: [{name: r, match: {any: [{resources: {kinds: [Pod]}}]}, validate: {pattern: {x: y}}}]}
---
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: b, annotations: {policies.kyverno.io/scored: 'false'}}
spec: {rules: [{name: r, match: {any: [{resources: {kinds: [Pod]}}]}, validate: {pattern: {x: y}}}]}
---
apiVersion: kyverno.io/v1
kind: Policy
metadata: {name: dup, namespace: one}
spec: {rules: [{name: r, match: {any: [{resources: {kinds: [Pod]}}]}, validate: {pattern: {x: y}}}]}
---
apiVersion: kyverno.io/v1
kind: Policy
metadata: {name: dup, namespace: two}
spec: {rules: [{name: r, match: {any: [{resources: {kinds: [Pod]}}]}, validate: {pattern: {x: y}}}]}
";

    fn policies() -> PolicySet {
        let mut sources = SourceMap::new();
        let file = sources.add("policies.yaml", POLICIES);
        let ir = policy_set(&load::nodes(&sources, &[file]));
        crate::compile::compile(&ir.expect("the test policies decode"))
    }

    /// The table as one pass over every result writes it (the reference for the parts).
    fn one_pass(set: &PolicySet, evaluated: &[Evaluated], audit_warn: bool) -> String {
        let mut out = String::new();
        let mut counts = [0; Status::ALL.len()];
        let mut group: Option<(&str, &ResourceRef)> = None;
        let mut n = 0;
        for e in entries(set, evaluated, audit_warn) {
            counts[e.status as usize] += 1;
            if !is_failure(e.status) {
                continue;
            }
            if group != Some((e.policy, e.resource)) {
                group = Some((e.policy, e.resource));
                n = 0;
                push_header(&mut out, &e);
            }
            n += 1;
            let (rule, message) = (&e.response.rule, &e.response.message);
            out.push_str(&format!("{n}. {rule} [{}] {message}\n", e.status));
        }
        out.push_str(&format!("counts {counts:?}"));
        out
    }

    fn joined(set: &PolicySet, evaluated: &[Evaluated], audit_warn: bool) -> String {
        let parts: Vec<Part> = evaluated
            .iter()
            .map(|e| Part::new(set, audit_warn, e.resource.clone(), per_policy(e)))
            .collect();
        let mut out = Vec::new();
        let mut open = None;
        let mut counts = [0; Status::ALL.len()];
        for part in &parts {
            counts
                .iter_mut()
                .zip(part.counts)
                .for_each(|(c, n)| *c += n);
            open = write_part(&mut out, set, part, open).expect("writing to a Vec");
        }
        String::from_utf8_lossy(&out).into_owned() + &format!("counts {counts:?}")
    }

    fn per_policy<'s>(e: &Evaluated<'s>) -> Vec<PolicyResponse<'s>> {
        let responses = e.responses.iter().map(|(policy, rule)| PolicyResponse {
            policy: *policy,
            rules: smallvec::smallvec![rule.clone()],
        });
        responses.collect()
    }

    /// A few rule results for a resource: `seed` picks policies and statuses.
    fn responses(seed: u64) -> Vec<(usize, RuleResponse<'static>)> {
        let statuses = [
            Status::Fail,
            Status::Pass,
            Status::Error,
            Status::Skip,
            Status::Fail,
        ];
        let count = (seed % 4) as usize;
        (0..count)
            .map(|i| {
                let pick = (seed >> (8 * i + 2)) as usize;
                let status = statuses[pick % statuses.len()];
                const NAMES: [&str; 3] = ["r0", "r1", "r2"];
                let mut rule = RuleResponse::new(NAMES[i], status, "line\nmore");
                rule.enforce = pick.is_multiple_of(3);
                ((pick / 7) % 4, rule)
            })
            .collect()
    }

    #[test]
    fn parts_join_as_one_pass_writes_the_table() {
        let set = policies();
        let refs = ["a", "a", "b"].map(|name| ResourceRef {
            kind: "Pod".into(),
            name: name.into(),
            ..ResourceRef::default()
        });
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for case in 0..400 {
            let length = 1 + case % 9;
            let evaluated: Vec<Evaluated> = (0..length)
                .map(|_| {
                    seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    let resource = refs[(seed >> 60) as usize % refs.len()].clone();
                    let responses = responses(seed >> 3);
                    Evaluated {
                        resource,
                        responses,
                    }
                })
                .collect();
            for audit_warn in [false, true] {
                let want = one_pass(&set, &evaluated, audit_warn);
                assert_eq!(joined(&set, &evaluated, audit_warn), want, "case {case}");
            }
        }
    }
}
