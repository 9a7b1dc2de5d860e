//! Pod Security tests as data: every row of `tests/cases/podsecurity/*.json` is one trial, and
//! every row says where its expectation comes from (`cite`). Row shapes:
//!
//! - resource rows: `level`, optional `version` (as written), `rule`, `exclude` and
//!   `exception_exclude` (exclusion entries as in a policy), `resource`, and any of
//!   `checks` (the failing checks after `exclude`: `{id, reason, errors: [{type, field,
//!   value?}]}`, compared without check order when `exclude` is set), `passes` (check IDs
//!   that must not fail) and `expect` (`{status: pass|fail|error|excused, message?}`, or
//!   `prefix` + `groups` for a message whose groups may come in any order);
//! - validation rows: `entry` (one exclusion entry), optional `level`, `errors` (messages),
//!   or `control_name_error: true` for a name outside the enum;
//! - version rows: `version_text`, then `parses` (the parsed version) or `error`, and `crd`.

use std::collections::BTreeSet;

use libtest_mimic::{Arguments, Failed, Trial};
use nomos::compile::matching::Pattern as Wildcard;
use nomos::engine::podsecurity::{
    BadValue, CHECKS, CheckResult, ControlName, ErrorKind, Exclusion, FieldError, Level, Outcome,
    PodSecurity, Version, extract, validate_exclusion,
};
use serde_json::Value;

mod common;

fn main() {
    let args = Arguments::from_args();
    let rows = case_rows();
    let mut trials: Vec<Trial> = rows
        .iter()
        .map(|(name, row)| {
            let row = row.clone();
            Trial::test(name.clone(), move || run_row(&row))
        })
        .collect();
    trials.push(Trial::test(
        "coverage::every_check_fails_and_passes",
        move || every_check_covered(&rows),
    ));
    libtest_mimic::run(&args, trials).exit();
}

/// Each row named `<file>::<row name, else its index>`.
fn case_rows() -> Vec<(String, Value)> {
    common::case_rows("podsecurity")
        .into_iter()
        .map(|case| (case.name(), case.row))
        .collect()
}

fn run_row(row: &Value) -> Result<(), Failed> {
    if row.get("cite").and_then(Value::as_str).is_none() {
        return Err("every row cites where its expectation comes from".into());
    }
    if row.get("resource").is_some() {
        return run_resource(row);
    }
    if row.get("entry").is_some() {
        return run_validation(row);
    }
    if row.get("version_text").is_some() {
        return run_version(row);
    }
    Err("row has neither resource, entry nor version_text".into())
}

fn text<'a>(row: &'a Value, key: &str) -> Option<&'a str> {
    row.get(key).and_then(Value::as_str)
}

fn strings(value: &Value, key: &str) -> Vec<String> {
    let items = value.get(key).and_then(Value::as_array);
    items
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

fn wildcards(value: &Value, key: &str) -> Vec<Wildcard> {
    strings(value, key)
        .iter()
        .map(|s| Wildcard::new(s))
        .collect()
}

fn exclusion(entry: &Value) -> Result<Exclusion, Failed> {
    let name = text(entry, "controlName").ok_or("entry without controlName")?;
    let control: ControlName = name.parse().map_err(|e| format!("{e}"))?;
    Ok(Exclusion {
        control,
        images: wildcards(entry, "images").into(),
        restricted_field: text(entry, "restrictedField").map(str::to_string),
        values: wildcards(entry, "values"),
    })
}

fn exclusions(row: &Value, key: &str) -> Result<Vec<Exclusion>, Failed> {
    let entries = row.get(key).and_then(Value::as_array);
    entries.into_iter().flatten().map(exclusion).collect()
}

fn subrule(row: &Value) -> Result<PodSecurity, Failed> {
    let level: Level = text(row, "level").ok_or("row without level")?.parse()?;
    let version_text = text(row, "version").unwrap_or_default().to_string();
    let version = version_text.parse()?;
    Ok(PodSecurity::new(
        level,
        version,
        &version_text,
        exclusions(row, "exclude")?,
    ))
}

fn run_resource(row: &Value) -> Result<(), Failed> {
    let pss = subrule(row)?;
    let resource = &row["resource"];
    let kind = text(resource, "kind").unwrap_or_default();
    if let Some(expected) = row.get("checks") {
        check_checks(&pss, kind, resource, expected)?;
    }
    if row.get("passes").is_some() {
        check_passes(&pss, kind, resource, row)?;
    }
    if let Some(expect) = row.get("expect") {
        let rule = text(row, "rule").unwrap_or("rule");
        let extra = exclusions(row, "exception_exclude")?;
        let outcome = pss.run_with_exceptions(rule, kind, resource, &extra);
        check_outcome(&outcome, expect)?;
    }
    Ok(())
}

/// The failing checks after the rule's exclusions.
fn failing(pss: &PodSecurity, kind: &str, resource: &Value) -> Result<Vec<CheckResult>, Failed> {
    Ok(pss.failing(&extract(kind, resource)?))
}

fn check_checks(
    pss: &PodSecurity,
    kind: &str,
    resource: &Value,
    expected: &Value,
) -> Result<(), Failed> {
    let mut actual: Vec<Value> = failing(pss, kind, resource)?
        .iter()
        .map(check_json)
        .collect();
    let mut expected: Vec<Value> = expected.as_array().cloned().unwrap_or_default();
    for item in &mut expected {
        normalise_expected(item);
    }
    // With exclusions Kyverno's check order is unspecified (podsecurity.md §3.4 step 4).
    if !pss.exclude.is_empty() {
        let id = |v: &Value| v["id"].as_str().unwrap_or_default().to_string();
        actual.sort_by_key(id);
        expected.sort_by_key(id);
    }
    if actual != expected {
        return Err(format!(
            "checks differ\nexpected: {}\n  actual: {}",
            Value::Array(expected),
            Value::Array(actual)
        )
        .into());
    }
    Ok(())
}

/// The row's `passes` check IDs must not fail.
fn check_passes(
    pss: &PodSecurity,
    kind: &str,
    resource: &Value,
    row: &Value,
) -> Result<(), Failed> {
    let passes = strings(row, "passes");
    let failing = failing(pss, kind, resource)?;
    match failing
        .iter()
        .find(|c| passes.contains(&c.id.as_str().to_string()))
    {
        Some(c) => Err(format!("check {} fails: {:?}", c.id, c.errors).into()),
        None => Ok(()),
    }
}

/// An expected error without `value` has no bad value.
fn normalise_expected(item: &mut Value) {
    for error in item["errors"].as_array_mut().into_iter().flatten() {
        if error.get("value").is_none() {
            error["value"] = Value::Null;
        }
    }
}

fn check_json(check: &CheckResult) -> Value {
    let errors: Vec<Value> = check.errors.iter().map(error_json).collect();
    serde_json::json!({"id": check.id.as_str(), "reason": check.reason, "errors": errors})
}

fn error_json(error: &FieldError) -> Value {
    let kind = match error.kind {
        ErrorKind::Required => "Required",
        ErrorKind::Forbidden => "Forbidden",
    };
    let value = match &error.bad_value {
        BadValue::None => Value::Null,
        BadValue::String(s) => Value::from(s.as_str()),
        BadValue::Bool(b) => Value::from(*b),
        BadValue::Int(i) => Value::from(*i),
        BadValue::List(items) => Value::from(items.clone()),
    };
    serde_json::json!({"type": kind, "field": error.field, "value": value})
}

fn check_outcome(outcome: &Outcome, expect: &Value) -> Result<(), Failed> {
    let (status, message) = match outcome {
        Outcome::Pass { message } => ("pass", Some(message)),
        Outcome::Fail { message, .. } => ("fail", Some(message)),
        Outcome::Error { message } => ("error", Some(message)),
        Outcome::ExcusedByExceptions => ("excused", None),
    };
    let want = text(expect, "status").ok_or("expect without status")?;
    if status != want {
        return Err(format!("status {status}, expected {want}; message: {message:?}").into());
    }
    let message = message.map(String::as_str).unwrap_or_default();
    if let Some(want) = text(expect, "message")
        && message != want
    {
        return Err(format!("message differs\nexpected: {want}\n  actual: {message}").into());
    }
    if let Some(prefix) = text(expect, "prefix") {
        check_groups(message, prefix, &strings(expect, "groups"))?;
    }
    Ok(())
}

/// `message` is `prefix` followed by `groups` in some order (podsecurity.md §3.4 step 4).
fn check_groups(message: &str, prefix: &str, groups: &[String]) -> Result<(), Failed> {
    let mut rest = message
        .strip_prefix(prefix)
        .ok_or_else(|| format!("message does not start with the prefix: {message}"))?;
    let mut left: Vec<&String> = groups.iter().collect();
    while !rest.is_empty() {
        let at = left
            .iter()
            .position(|g| rest.starts_with(g.as_str()))
            .ok_or_else(|| format!("unexpected group at: {rest}"))?;
        rest = &rest[left.remove(at).len()..];
    }
    match left.is_empty() {
        true => Ok(()),
        false => Err(format!("groups missing: {left:?}").into()),
    }
}

fn run_validation(row: &Value) -> Result<(), Failed> {
    let entry = &row["entry"];
    let parsed: Result<ControlName, _> = text(entry, "controlName").unwrap_or_default().parse();
    if row.get("control_name_error").and_then(Value::as_bool) == Some(true) {
        return match parsed {
            Ok(c) => Err(format!("{c} parsed, expected an unknown control name").into()),
            Err(_) => Ok(()),
        };
    }
    let level = match text(row, "level") {
        Some(text) => Some(text.parse::<Level>()?),
        None => None,
    };
    let actual: Vec<String> = validate_exclusion(level, &exclusion(entry)?)
        .iter()
        .map(|e| e.to_string())
        .collect();
    let expected = strings(row, "errors");
    match actual == expected {
        true => Ok(()),
        false => Err(format!("errors {actual:?}, expected {expected:?}").into()),
    }
}

fn run_version(row: &Value) -> Result<(), Failed> {
    let input = text(row, "version_text").unwrap_or_default();
    let parsed = input.parse::<Version>().map(|v| v.to_string());
    let expected = text(row, "parses");
    match (&parsed, expected) {
        (Ok(v), Some(want)) if v == want => {}
        (Err(e), None) if text(row, "error") == Some(e.to_string().as_str()) => {}
        _ => {
            return Err(
                format!("parse of {input:?} gave {parsed:?}, expected {expected:?}").into(),
            );
        }
    }
    let crd = row.get("crd").and_then(Value::as_bool).unwrap_or(false);
    match Version::crd_accepts(input) == crd {
        true => Ok(()),
        false => Err(format!("CRD acceptance of {input:?} is not {crd}").into()),
    }
}

/// Every row of the check table has a row where it fails and one where it passes.
fn every_check_covered(rows: &[(String, Value)]) -> Result<(), Failed> {
    let mut failed = BTreeSet::new();
    let mut passed = BTreeSet::new();
    for (_, row) in rows {
        for check in row
            .get("checks")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            failed.extend(text(check, "id").map(str::to_string));
        }
        passed.extend(strings(row, "passes"));
    }
    let missing: Vec<&str> = CHECKS
        .iter()
        .map(|c| c.id.as_str())
        .filter(|id| !failed.contains(*id) || !passed.contains(*id))
        .collect();
    match missing.is_empty() {
        true => Ok(()),
        false => Err(format!("checks without a failing and a passing case: {missing:?}").into()),
    }
}
