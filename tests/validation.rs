//! Policy validation as data: every row of `tests/cases/validation/*.json` is a policy and
//! either `"valid": true` or `"error": "<text the first diagnostic must contain>"`. Each row
//! cites the rules.md section or the Kyverno behaviour its expectation comes from.

use libtest_mimic::{Arguments, Failed, Trial};
use nomos::compile::validate::validate_policy;
use nomos::ir::Node;
use nomos::load::kyverno::{Decoded, decode};
use nomos::source::Span;
use serde_json::Value;

mod common;

fn main() {
    let args = Arguments::from_args();
    libtest_mimic::run(&args, trials()).exit();
}

fn trials() -> Vec<Trial> {
    common::case_rows("validation")
        .into_iter()
        .map(|common::CaseRow { file, index, row }| {
            Trial::test(format!("validation::{file}::{index}"), move || {
                run_case(&row)
            })
        })
        .collect()
}

fn run_case(row: &Value) -> Result<(), Failed> {
    if row
        .get("cite")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        return Err("the row does not cite where its expectation comes from".into());
    }
    let node = Node::from_value(&row["policy"], Span::default());
    let policy = match decode(&node) {
        Ok(Decoded::Policy(p)) => p,
        Ok(other) => return Err(format!("not a policy: {other:?}").into()),
        Err(ds) => return Err(format!("the policy does not decode: {ds:?}").into()),
    };
    let diagnostics = validate_policy(&policy);
    let messages: Vec<&str> = diagnostics.iter().map(|d| d.message.as_str()).collect();
    match (row.get("valid"), row.get("error").and_then(Value::as_str)) {
        (Some(Value::Bool(true)), None) if diagnostics.is_empty() => Ok(()),
        (Some(Value::Bool(true)), None) => Err(format!("expected valid, got {messages:#?}").into()),
        (None, Some(want)) => match messages.first() {
            Some(first) if first.contains(want) => Ok(()),
            _ => {
                Err(format!("expected a first error containing {want:?}, got {messages:#?}").into())
            }
        },
        _ => Err("a row needs either \"valid\": true or \"error\"".into()),
    }
}
