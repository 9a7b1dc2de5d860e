//! JMESPath tests as data: the official compliance suite in standard and in Kyverno mode
//! (documented deviations asserted, not skipped), and one case file per Kyverno function.

use std::fs;
use std::path::{Path, PathBuf};

use libtest_mimic::{Arguments, Failed, Trial};
use nomos::jmespath::{Dialect, ErrorKind, Expression, functions};
use serde_json::Value;

mod common;

fn main() {
    let args = Arguments::from_args();
    let mut trials = compliance_trials();
    trials.extend(function_case_trials());
    trials.push(Trial::test(
        "functions::every_kyverno_function_has_three_cases",
        every_function_has_cases,
    ));
    libtest_mimic::run(&args, trials).exit();
}

fn data_dir(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

struct Case {
    file: String,
    expression: String,
    given: Value,
    result: Option<Value>,
    error: Option<String>,
}

fn compliance_cases() -> Vec<(String, Case)> {
    let mut files: Vec<PathBuf> = fs::read_dir(data_dir("tests/compliance"))
        .expect("the compliance suite is vendored in tests/compliance")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut cases = Vec::new();
    for path in files {
        let file = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let groups = common::read_json(&path);
        for (g, group) in groups.as_array().into_iter().flatten().enumerate() {
            for (c, case) in group["cases"].as_array().into_iter().flatten().enumerate() {
                if case.get("bench").is_some() {
                    continue;
                }
                let name = format!("{}_{g}_{c}", file.trim_end_matches(".json"));
                cases.push((
                    name,
                    Case {
                        file: file.clone(),
                        expression: case["expression"].as_str().unwrap_or_default().to_string(),
                        given: group["given"].clone(),
                        result: case.get("result").cloned(),
                        error: case
                            .get("error")
                            .and_then(Value::as_str)
                            .map(str::to_string),
                    },
                ));
            }
        }
    }
    cases
}

/// `(file, expression) -> expected error text` for the Kyverno-mode deviations.
fn deviations() -> Vec<(String, String, String)> {
    let text = fs::read_to_string(data_dir("tests/compliance/kyverno-deviations.tsv"))
        .expect("tests/compliance/kyverno-deviations.tsv lists the Kyverno-mode deviations");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert!(cols.len() == 4, "deviation rows have 4 columns: {l}");
            let expected = cols[2].strip_prefix("error").unwrap_or(cols[2]);
            let expected = expected.trim_start_matches(':').trim().to_string();
            (cols[0].to_string(), cols[1].to_string(), expected)
        })
        .collect()
}

fn compliance_trials() -> Vec<Trial> {
    let deviations = deviations();
    let mut trials = Vec::new();
    let mut used = vec![0usize; deviations.len()];
    for (name, case) in compliance_cases() {
        let deviation = deviations
            .iter()
            .position(|(f, e, _)| *f == case.file && *e == case.expression);
        if let Some(i) = deviation {
            used[i] += 1;
        }
        let expected_error = deviation.map(|i| deviations[i].2.clone());
        let standard = Case {
            ..clone_case(&case)
        };
        trials.push(Trial::test(
            format!("compliance::standard::{name}"),
            move || run_compliance(&standard, Dialect::Standard),
        ));
        trials.push(Trial::test(
            format!("compliance::kyverno::{name}"),
            move || match expected_error {
                Some(text) => expect_deviation(&case, &text),
                None => run_compliance(&case, Dialect::Kyverno),
            },
        ));
    }
    trials.push(Trial::test(
        "compliance::every_deviation_matches_a_case",
        move || {
            let unused: Vec<String> = deviations
                .iter()
                .zip(&used)
                .filter(|(_, n)| **n == 0)
                .map(|((f, e, _), _)| format!("{f}: {e}"))
                .collect();
            if unused.is_empty() {
                Ok(())
            } else {
                Err(format!("deviations that match no case: {unused:?}").into())
            }
        },
    ));
    trials
}

fn clone_case(c: &Case) -> Case {
    Case {
        file: c.file.clone(),
        expression: c.expression.clone(),
        given: c.given.clone(),
        result: c.result.clone(),
        error: c.error.clone(),
    }
}

fn evaluate(
    expression: &str,
    given: &Value,
    dialect: Dialect,
) -> Result<Value, (ErrorKind, String)> {
    let compiled = Expression::compile_in(expression, dialect)
        .map_err(|e| (ErrorKind::Syntax, e.to_string()))?;
    compiled
        .search(given)
        .map(|v| v.into_owned())
        .map_err(|e| (e.kind(), e.to_string()))
}

fn run_compliance(case: &Case, dialect: Dialect) -> Result<(), Failed> {
    let outcome = evaluate(&case.expression, &case.given, dialect);
    match (&case.result, &case.error, outcome) {
        (_, Some(kind), Ok(v)) => {
            Err(format!("`{}`: expected a {kind} error, got {v}", case.expression).into())
        }
        (_, Some(kind), Err((got, msg))) => check_kind(kind, got, &msg),
        (Some(want), None, Ok(got)) if nomos::value::deep_eq(want, &got) => Ok(()),
        (Some(want), None, Ok(got)) => {
            Err(format!("`{}`: expected {want}, got {got}", case.expression).into())
        }
        (_, None, Err((_, msg))) => {
            Err(format!("`{}`: unexpected error: {msg}", case.expression).into())
        }
        (None, None, Ok(_)) => Err("case has neither result nor error".into()),
    }
}

/// The suite allows any error; we also require the category to be right.
fn check_kind(kind: &str, got: ErrorKind, message: &str) -> Result<(), Failed> {
    let want = match kind {
        "syntax" => ErrorKind::Syntax,
        "invalid-type" => ErrorKind::InvalidType,
        "invalid-value" => ErrorKind::InvalidValue,
        "invalid-arity" => ErrorKind::InvalidArity,
        "unknown-function" => ErrorKind::UnknownFunction,
        other => return Err(format!("unknown error category {other}").into()),
    };
    if want == got {
        Ok(())
    } else {
        Err(format!("expected a {kind} error, got {got:?}: {message}").into())
    }
}

fn expect_deviation(case: &Case, text: &str) -> Result<(), Failed> {
    match evaluate(&case.expression, &case.given, Dialect::Kyverno) {
        Err((_, msg)) if msg.contains(text) => Ok(()),
        Err((_, msg)) => Err(format!(
            "`{}`: expected an error containing {text:?}, got {msg:?}",
            case.expression
        )
        .into()),
        Ok(v) => Err(format!(
            "`{}`: documented Kyverno deviation no longer holds: got {v}",
            case.expression
        )
        .into()),
    }
}

// ---- Kyverno function case files: tests/cases/jmespath/<function>.json ----

fn function_case_trials() -> Vec<Trial> {
    let trial = |common::CaseRow { file, index, row }| {
        let path = format!("tests/cases/jmespath/{file}.json");
        Trial::test(format!("functions::{file}::{index}"), move || {
            run_function_case(&path, &row)
        })
    };
    common::case_rows("jmespath")
        .into_iter()
        .map(trial)
        .collect()
}

/// A row: `{"expr": ..., "input"?: ..., "result"?: ... | "error"?: "substring", "cite": ...}`.
fn run_function_case(file: &str, row: &Value) -> Result<(), Failed> {
    let expr = row["expr"]
        .as_str()
        .ok_or_else(|| format!("{file}: row without expr: {row}"))?;
    if row
        .get("cite")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        return Err(
            format!("{file}: `{expr}` does not cite where its expectation comes from").into(),
        );
    }
    let input = row.get("input").cloned().unwrap_or(Value::Null);
    let outcome = evaluate(expr, &input, Dialect::Kyverno);
    match (
        row.get("result"),
        row.get("error").and_then(Value::as_str),
        outcome,
    ) {
        (Some(want), None, Ok(got)) if nomos::value::deep_eq(want, &got) => Ok(()),
        (Some(want), None, Ok(got)) => Err(format!("`{expr}`: expected {want}, got {got}").into()),
        (Some(_), None, Err((_, msg))) => Err(format!("`{expr}`: unexpected error {msg}").into()),
        (None, Some(text), Err((_, msg))) if msg.contains(text) => Ok(()),
        (None, Some(text), Err((_, msg))) => {
            Err(format!("`{expr}`: error {msg:?} lacks {text:?}").into())
        }
        (None, Some(_), Ok(got)) => Err(format!("`{expr}`: expected an error, got {got}").into()),
        _ => Err(format!("{file}: row needs exactly one of result or error: {row}").into()),
    }
}

fn every_function_has_cases() -> Result<(), Failed> {
    let mut missing = Vec::new();
    for function in functions::kyverno_functions() {
        let path = data_dir(&format!("tests/cases/jmespath/{}.json", function.name));
        let count = fs::read_to_string(&path)
            .ok()
            .and_then(|t| serde_json::from_str::<Value>(&t).ok())
            .and_then(|v| v.as_array().map(Vec::len))
            .unwrap_or(0);
        if count < 3 {
            missing.push(format!("{} ({count} cases)", function.name));
        }
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "functions with fewer than three cases: {}",
            missing.join(", ")
        )
        .into())
    }
}
