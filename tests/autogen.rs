//! Autogen tests as data: each row of `tests/cases/autogen/*.json` holds a policy (JSON)
//! and what autogen must make of it — the controllers, the rule names evaluated per
//! resource kind, and generated rules written out in Kyverno's own rule format.
//!
//! Row fields: `name`, `cite`, `policy`, and at least one of
//! - `controllers`: expected `Autogen::controllers`;
//! - `rules_for`: `{kind: [rule names in evaluation order]}`;
//! - `generated`: `[{kind, rule}]`, the rule of that name evaluated for that kind must equal
//!   `rule` (decoded like any policy rule; every span is the default one on both sides).

use libtest_mimic::{Arguments, Failed, Trial};
use nomos::compile::autogen::{self, Autogen};
use nomos::ir::{Node, Policy, Rule};
use nomos::load::kyverno::{Decoded, decode};
use nomos::source::Span;
use serde_json::{Value, json};

mod common;

fn main() {
    let args = Arguments::from_args();
    libtest_mimic::run(&args, trials()).exit();
}

fn trials() -> Vec<Trial> {
    common::case_rows("autogen")
        .into_iter()
        .map(|case| Trial::test(case.name(), move || run(&case.row)))
        .collect()
}

fn run(row: &Value) -> Result<(), Failed> {
    if row["cite"].as_str().is_none_or(str::is_empty) {
        return Err("every row cites where its expectation comes from".into());
    }
    let checks = ["controllers", "rules_for", "generated"];
    if !checks.iter().any(|k| row.get(k).is_some()) {
        return Err("a row without expectations cannot fail".into());
    }
    let policy = policy(&row["policy"])?;
    let autogen = autogen::autogen(&policy);
    if let Some(expected) = row.get("controllers") {
        compare("controllers", &json!(autogen.controllers), expected)?;
    }
    if let Some(kinds) = row.get("rules_for").and_then(Value::as_object) {
        for (kind, expected) in kinds {
            let names: Vec<&str> = autogen::rules_for_kind(&policy, &autogen, kind)
                .iter()
                .map(|r| r.name.node.as_str())
                .collect();
            compare(&format!("rules for {kind}"), &json!(names), expected)?;
        }
    }
    for expected in row["generated"].as_array().into_iter().flatten() {
        check_generated(&policy, &autogen, expected)?;
    }
    Ok(())
}

fn check_generated(policy: &Policy, autogen: &Autogen, expected: &Value) -> Result<(), Failed> {
    let kind = expected["kind"]
        .as_str()
        .ok_or("`generated` entries name a kind")?;
    let want = rule(&expected["rule"])?;
    let found = autogen::rules_for_kind(policy, autogen, kind)
        .into_iter()
        .find(|r| r.name.node == want.name.node)
        .ok_or_else(|| format!("no rule {} for kind {kind}", want.name.node))?;
    let (got, want) = (format!("{found:#?}"), format!("{want:#?}"));
    if got != want {
        let (got, want) = first_difference(&got, &want);
        return Err(format!("rule for {kind}:\n--- got\n{got}\n--- want\n{want}").into());
    }
    Ok(())
}

/// The lines around the first line where two renderings differ.
fn first_difference(got: &str, want: &str) -> (String, String) {
    let (got, want): (Vec<&str>, Vec<&str>) = (got.lines().collect(), want.lines().collect());
    let at = got.iter().zip(&want).take_while(|(g, w)| g == w).count();
    let around = |lines: &[&str]| {
        let start = at.saturating_sub(12);
        lines[start..lines.len().min(at + 6)].join("\n")
    };
    (around(&got), around(&want))
}

fn compare(what: &str, got: &Value, want: &Value) -> Result<(), Failed> {
    if got != want {
        return Err(format!("{what}: got {got}, want {want}").into());
    }
    Ok(())
}

fn policy(document: &Value) -> Result<Policy, Failed> {
    match decode(&Node::from_value(document, Span::default())) {
        Ok(Decoded::Policy(p)) => Ok(*p),
        Ok(other) => Err(format!("not a policy: {other:?}").into()),
        Err(diagnostics) => Err(format!("policy does not decode: {diagnostics:?}").into()),
    }
}

/// A rule written in Kyverno's format, decoded as the only rule of a policy.
fn rule(rule: &Value) -> Result<Rule, Failed> {
    let document = json!({
        "apiVersion": "kyverno.io/v1",
        "kind": "ClusterPolicy",
        "metadata": {"name": "expected"},
        "spec": {"rules": [rule]}
    });
    let policy = policy(&document)?;
    policy
        .spec
        .rules
        .into_iter()
        .next()
        .ok_or_else(|| "expected rule did not decode".into())
}
