//! Engine behaviour as data: one trial per case row under `tests/cases/<concept>/`.
//! Every row cites the rules.md section or Kyverno behaviour its expectation comes from.

use std::path::Path;

use libtest_mimic::{Arguments, Failed, Trial};
use nomos::compile::pattern;
use nomos::engine::operators::{self, Operator};
use nomos::engine::pattern::{Outcome, matches};
use serde_json::Value;

mod common;

fn main() {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    trials.extend(concept_trials("pattern", run_pattern_case));
    trials.extend(concept_trials("operators", run_operator_case));
    trials.extend(suite_trials());
    trials.extend(concept_trials("rules", run_rule_case));
    libtest_mimic::run(&args, trials).exit();
}

fn concept_trials(concept: &'static str, run: fn(&Value) -> Result<(), Failed>) -> Vec<Trial> {
    let trial = |common::CaseRow { file, index, row }| {
        Trial::test(format!("{concept}::{file}::{index}"), move || {
            if row
                .get("cite")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
            {
                return Err("the row does not cite where its expectation comes from".into());
            }
            run(&row)
        })
    };
    common::case_rows(concept).into_iter().map(trial).collect()
}

fn run_pattern_case(row: &Value) -> Result<(), Failed> {
    let compiled = pattern::compile(&row["pattern"]);
    let outcome = matches(&row["resource"], &compiled);
    let (status, path, message) = match &outcome {
        Outcome::Pass => ("pass", None, None),
        Outcome::Skip(m) => ("skip", None, Some(m.clone())),
        Outcome::Fail { path, message } => ("fail", Some(path), Some(message.text(path).into())),
        Outcome::Error(m) => ("error", None, Some(m.clone())),
    };
    let expect = row["expect"].as_str().unwrap_or_default();
    if status != expect {
        return Err(format!("expected {expect}, got {outcome:?}").into());
    }
    let path_ok = row
        .get("path")
        .and_then(Value::as_str)
        .is_none_or(|want| path.map(String::as_str) == Some(want));
    let message_ok = row
        .get("message")
        .and_then(Value::as_str)
        .is_none_or(|want| message.as_deref() == Some(want));
    if path_ok && message_ok {
        Ok(())
    } else {
        Err(format!(
            "expected path {:?} and message {:?}, got {outcome:?}",
            row.get("path"),
            row.get("message")
        )
        .into())
    }
}

fn run_operator_case(row: &Value) -> Result<(), Failed> {
    let name = row["operator"].as_str().unwrap_or_default();
    let op: Operator = name.parse().map_err(|e: String| Failed::from(e))?;
    let got = operators::apply(op, &row["key"], &row["value"]);
    let want = row["expect"].as_bool().unwrap_or_default();
    if got == want {
        Ok(())
    } else {
        Err(format!(
            "{} {name} {}: expected {want}, got {got}",
            row["key"], row["value"]
        )
        .into())
    }
}

/// Small kyverno-test suites under `tests/cases/suites/` for pipeline behaviour (UPDATE
/// re-checks, applyRules); every expected row must hold. Each suite's files say which
/// rules.md section its expectations come from.
fn suite_trials() -> Vec<Trial> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/suites");
    nomos::testsuite::run::discover(&[dir])
        .into_iter()
        .map(|path| {
            let name = path
                .parent()
                .and_then(|p| p.file_name())
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            Trial::test(format!("suites::{name}"), move || {
                let mut failures = Vec::new();
                for suite in nomos::testsuite::run::run_file(&path) {
                    failures.extend(suite.error);
                    let failed = suite
                        .rows
                        .iter()
                        .filter(|r| r.verdict == nomos::testsuite::compare::Verdict::Fail);
                    failures.extend(
                        failed.map(|r| {
                            format!("{} {} {}: {}", r.policy, r.rule, r.resource, r.reason)
                        }),
                    );
                }
                if failures.is_empty() {
                    Ok(())
                } else {
                    Err(failures.join("\n").into())
                }
            })
        })
        .collect()
}

/// A row: a policy (and optional exceptions) as JSON, one resource, and the expected rule
/// responses in order: `[{"rule", "status", "message"}]`.
fn run_rule_case(row: &Value) -> Result<(), Failed> {
    use nomos::engine::evaluate::{Inputs, evaluate};
    use nomos::engine::request::{Operation, Request};
    use nomos::ir::Node;
    use nomos::load::kyverno::{Decoded, decode};
    use nomos::source::Span;
    let mut set = nomos::ir::PolicySet::default();
    let docs = std::iter::once(&row["policy"]).chain(
        row.get("exceptions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten(),
    );
    for doc in docs {
        match decode(&Node::from_value(doc, Span::default())) {
            Ok(Decoded::Policy(p)) => set.policies.push(*p),
            Ok(Decoded::Exception(e)) => set.exceptions.push(*e),
            other => return Err(format!("not a policy or exception: {other:?}").into()),
        }
    }
    let compiled = nomos::compile::compile(&set);
    if let Some(d) = compiled.diagnostics.first() {
        return Err(format!("the policy does not compile: {}", d.message).into());
    }
    let mut request = Request::simulate(row["resource"].clone(), Operation::Create, None);
    let responses = evaluate(&compiled, &mut request, Inputs::default());
    let got: Vec<Value> = responses
        .iter()
        .flat_map(|p| &p.rules)
        .map(|r| serde_json::json!({"rule": r.rule, "status": r.status.as_str(), "message": r.message}))
        .collect();
    if Value::Array(got.clone()) == row["expect"] {
        Ok(())
    } else {
        Err(format!("expected {}\n     got {}", row["expect"], Value::Array(got)).into())
    }
}
