//! `{{ }}` template cases as data: each row of `tests/cases/templates/*.json` renders a
//! string (`template`) or a document (`doc`) against a JSON context and checks the typed
//! result or an error substring. Rows needing a Kyverno function that is not in the table
//! yet are reported as ignored, so they run as soon as the function lands.

use libtest_mimic::{Arguments, Failed, Trial};
use nomos::jmespath::{Dialect, functions};
use nomos::syntax::template::{Site, Template, TemplateDoc, TemplateError};
use serde_json::{Value, json};

mod common;

fn main() {
    let args = Arguments::from_args();
    libtest_mimic::run(&args, trials()).exit();
}

fn trials() -> Vec<Trial> {
    let mut trials = Vec::new();
    for common::CaseRow { file, index, row } in common::case_rows("templates") {
        check_row_shape(&file, index, &row);
        let missing = missing_functions(&row);
        let trial = Trial::test(format!("{file}::{index}"), move || run(&row));
        trials.push(trial.with_ignored_flag(!missing.is_empty()));
    }
    trials
}

/// Every row names its source and exactly one expectation.
fn check_row_shape(file: &str, i: usize, row: &Value) {
    let cite = row.get("cite").and_then(Value::as_str).unwrap_or_default();
    assert!(!cite.is_empty(), "{file}::{i} has no cite");
    let expectations = ["result", "error", "parse_error"]
        .iter()
        .filter(|k| row.get(**k).is_some())
        .count();
    assert_eq!(expectations, 1, "{file}::{i} needs exactly one expectation");
    let inputs = ["template", "doc"]
        .iter()
        .filter(|k| row.get(**k).is_some());
    assert_eq!(inputs.count(), 1, "{file}::{i} needs `template` or `doc`");
}

/// Functions a row needs that the Kyverno function table does not have yet.
fn missing_functions(row: &Value) -> Vec<String> {
    let needs = row.get("needs").and_then(Value::as_array);
    let names = needs.into_iter().flatten().filter_map(Value::as_str);
    names
        .filter(|name| functions::lookup(name, Dialect::Kyverno).is_none())
        .map(str::to_string)
        .collect()
}

fn run(row: &Value) -> Result<(), Failed> {
    let mut context = row.get("context").cloned().unwrap_or_else(|| json!({}));
    let site = Site {
        pointer: row.get("pointer").and_then(Value::as_str).unwrap_or(""),
        at: row.get("at").and_then(Value::as_str),
        delete: row.get("delete").and_then(Value::as_bool).unwrap_or(false),
    };
    let outcome = match row.get("template") {
        Some(Value::String(text)) => render_string(text, &mut context, site),
        Some(other) => return Err(format!("`template` must be a string, got {other}").into()),
        None => render_doc(&row["doc"], &mut context, site),
    };
    compare(row, outcome)
}

/// Where the outcome came from: parse or render.
enum Outcome {
    Value(Value),
    ParseError(TemplateError),
    RenderError(TemplateError),
}

fn render_string(text: &str, context: &mut Value, site: Site<'_>) -> Outcome {
    let template = match Template::parse(text) {
        Ok(template) => template,
        Err(e) => return Outcome::ParseError(e),
    };
    match template.render(context, site) {
        Ok(value) => Outcome::Value(value.into_owned()),
        Err(e) => Outcome::RenderError(e),
    }
}

fn render_doc(doc: &Value, context: &mut Value, site: Site<'_>) -> Outcome {
    let template = match TemplateDoc::parse(doc) {
        Ok(template) => template,
        Err(e) => return Outcome::ParseError(e),
    };
    match template.render(context, site) {
        Ok(value) => Outcome::Value(value.into_owned()),
        Err(e) => Outcome::RenderError(e),
    }
}

fn compare(row: &Value, outcome: Outcome) -> Result<(), Failed> {
    let expected_result = row.get("result");
    let expected_error = row.get("error").and_then(Value::as_str);
    let expected_parse = row.get("parse_error").and_then(Value::as_str);
    match (outcome, expected_result, expected_error, expected_parse) {
        (Outcome::Value(got), Some(want), _, _) if got == *want => Ok(()),
        (Outcome::RenderError(e), _, Some(want), _) if e.to_string().contains(want) => Ok(()),
        (Outcome::ParseError(e), _, _, Some(want)) if e.to_string().contains(want) => Ok(()),
        (outcome, ..) => Err(describe(row, outcome).into()),
    }
}

fn describe(row: &Value, outcome: Outcome) -> String {
    let got = match outcome {
        Outcome::Value(v) => format!("value {v}"),
        Outcome::ParseError(e) => format!("parse error `{e}` at {:?}", e.pointer()),
        Outcome::RenderError(e) => format!("render error `{e}` at {:?}", e.pointer()),
    };
    format!("row {row}\n got {got}")
}
