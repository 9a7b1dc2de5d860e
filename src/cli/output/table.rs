//! Kyverno's default `apply` output: the failures grouped by policy and resource, then the
//! counts per status, written straight to the output as the results go by.

use std::io::{self, Write};

use super::Entry;
use crate::compile::PolicySet;
use crate::report::{ResourceRef, Status};

/// Writes the table for `resources` resources and their results.
pub fn table<'a>(
    out: &mut impl Write,
    set: &PolicySet,
    resources: usize,
    entries: impl Iterator<Item = Entry<'a>>,
) -> io::Result<()> {
    header(out, set, resources)?;
    let mut counts = [0usize; Status::ALL.len()];
    let mut group: Option<(&str, &ResourceRef)> = None;
    let mut n = 0;
    for e in entries {
        counts[e.status as usize] += 1;
        if !matches!(e.status, Status::Fail | Status::Warn | Status::Error) {
            continue;
        }
        if group != Some((e.policy, e.resource)) {
            group = Some((e.policy, e.resource));
            n = 0;
            group_line(out, &e)?;
        }
        n += 1;
        let (rule, message) = (&e.response.rule, &e.response.message);
        writeln!(out, "{n}. {rule} [{}] {message}", e.status)?;
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

fn header(out: &mut impl Write, set: &PolicySet, resources: usize) -> io::Result<()> {
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

fn group_line(out: &mut impl Write, e: &Entry<'_>) -> io::Result<()> {
    let how = if e.status == Status::Warn {
        "failed as audit warning"
    } else {
        "failed"
    };
    let resource = e.resource.apply_key();
    writeln!(out, "\npolicy {} -> resource {resource} {how}:", e.policy)
}
