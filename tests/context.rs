//! Offline context sources as data: every row of `tests/cases/context/*.json` evaluates one
//! policy on one resource with what a test would supply in place of a cluster
//! (`cluster` objects and `crds` as `clusterResources` would load them, `apiCallResponses`,
//! `globalContextEntries`, inline `values`) and checks the first rule's status and message
//! (`message` exact, or `messageContains`); with `loadError`, that the test's fields are
//! rejected with a diagnostic containing that text; with `invalid`, that the policy is. Each row cites where its
//! expectation comes from (rules.md §5, cli-test.md §2 or Kyverno's sources). Directories
//! under `suites/` are whole tests run as `nomos test` runs them (file paths, CRD files,
//! `resourceFiles`).

use std::fs;
use std::path::{Path, PathBuf};

use libtest_mimic::{Arguments, Failed, Trial};
use nomos::compile::{self, PolicySet};
use nomos::engine::evaluate::{Inputs, evaluate};
use nomos::engine::offline::{Cluster, Offline};
use nomos::engine::request::{Operation, Request, default_namespace};
use nomos::ir::{self, Node};
use nomos::load::kyverno::{Decoded, decode};
use nomos::load::offline::crd;
use nomos::load::testsuite::{TestDoc, test_doc};
use nomos::report::RuleResponse;
use nomos::source::Span;
use nomos::testsuite::compare::Verdict;
use nomos::testsuite::run::run_file;
use serde_json::{Map, Value, json};

mod common;

fn main() {
    let args = Arguments::from_args();
    libtest_mimic::run(&args, trials()).exit();
}

fn trials() -> Vec<Trial> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/context");
    let mut trials = suite_trials(&dir.join("suites"));
    for common::CaseRow { file, index, row } in common::case_rows("context") {
        let name = row["name"].as_str().unwrap_or_default().replace(' ', "_");
        trials.push(Trial::test(
            format!("context::{file}::{index}::{name}"),
            move || run_case(&row),
        ));
    }
    trials
}

/// Whole test directories under `suites/`: every row must pass, or, with an `expect.json`
/// `{"error", "cite"}`, the suite must stop with that error.
fn suite_trials(dir: &Path) -> Vec<Trial> {
    let mut suites: Vec<PathBuf> = fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    suites.sort();
    assert!(!suites.is_empty(), "no suites in {}", dir.display());
    let name = |p: &Path| p.file_name().map(|n| n.to_string_lossy().to_string());
    suites
        .into_iter()
        .map(|suite| {
            let label = format!("context::suites::{}", name(&suite).unwrap_or_default());
            Trial::test(label, move || run_suite(&suite))
        })
        .collect()
}

fn run_suite(dir: &Path) -> Result<(), Failed> {
    let expect: Option<Value> = fs::read_to_string(dir.join("expect.json"))
        .ok()
        .map(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
        .transpose()?;
    let results = run_file(&dir.join("kyverno-test.yaml"));
    let suite = results.first().ok_or("no test document")?;
    match (&suite.error, expect) {
        (Some(got), Some(want)) => {
            if want["cite"].as_str().is_none_or(str::is_empty) {
                return Err("expect.json does not cite where its expectation comes from".into());
            }
            let want = want["error"].as_str().unwrap_or_default();
            let all = format!("{got}\n{}", suite.diagnostics.join("\n"));
            match all.contains(want) {
                true => Ok(()),
                false => Err(format!("expected an error containing {want:?}, got {all}").into()),
            }
        }
        (Some(got), None) => Err(format!("{got}: {:#?}", suite.diagnostics).into()),
        (None, Some(_)) => Err("expected the suite to stop with an error".into()),
        (None, None) if suite.rows.iter().all(|r| r.verdict == Verdict::Pass) => Ok(()),
        (None, None) => Err(format!("rows failed: {:#?}", suite.rows).into()),
    }
}

fn run_case(row: &Value) -> Result<(), Failed> {
    if row["cite"].as_str().is_none_or(str::is_empty) {
        return Err("the row does not cite where its expectation comes from".into());
    }
    let doc = match (test_fields(row), row["loadError"].as_str()) {
        (Err(messages), Some(want)) if messages.iter().any(|m| m.contains(want)) => return Ok(()),
        (Err(messages), _) => {
            return Err(format!("the test fields are rejected: {messages:#?}").into());
        }
        (Ok(_), Some(want)) => {
            return Err(format!("expected a load error containing {want:?}").into());
        }
        (Ok(doc), None) => doc,
    };
    let set = policy_set(&row["policy"])?;
    let invalid = set.policies.first().and_then(|p| p.invalid.as_deref());
    match (invalid, row["invalid"].as_str()) {
        (Some(got), Some(want)) if got.contains(want) => return Ok(()),
        (None, None) => {}
        (got, want) => return Err(format!("expected invalid {want:?}, got {got:?}").into()),
    }
    let mut resource = row["resource"].clone();
    default_namespace(&mut resource);
    let offline = offline(row, &doc, &resource)?;
    let operation = match row["operation"].as_str() {
        Some(op) => op.parse::<Operation>().map_err(|e| e.to_string())?,
        None => Operation::Create,
    };
    let mut request = Request::simulate(resource, operation, None);
    let inputs = Inputs {
        values: doc.values.as_ref(),
        offline: Some(&offline),
        timings: None,
    };
    let responses = evaluate(&set, &mut request, inputs);
    let rule = responses
        .first()
        .and_then(|p| p.rules.first())
        .ok_or("the policy gave no rule response")?;
    check(row, rule)
}

/// The row's test-file fields, decoded as a `kyverno-test.yaml` would be.
fn test_fields(row: &Value) -> Result<TestDoc, Vec<String>> {
    let mut fields = Map::new();
    fields.insert("apiVersion".into(), json!("cli.kyverno.io/v1alpha1"));
    fields.insert("kind".into(), json!("Test"));
    for key in ["apiCallResponses", "globalContextEntries", "values"] {
        if let Some(v) = row.get(key) {
            fields.insert(key.into(), v.clone());
        }
    }
    let node = Node::from_value(&Value::Object(fields), Span::default());
    test_doc(&node).map_err(|ds| ds.into_iter().map(|d| d.message).collect())
}

fn policy_set(policy: &Value) -> Result<PolicySet, Failed> {
    let node = Node::from_value(policy, Span::default());
    let mut set = ir::PolicySet::default();
    match decode(&node) {
        Ok(Decoded::Policy(p)) => set.policies.push(*p),
        Ok(other) => return Err(format!("not a policy: {other:?}").into()),
        Err(ds) => return Err(format!("the policy does not decode: {ds:?}").into()),
    }
    Ok(compile::compile(&set))
}

/// The run's stand-ins; with `cluster`, the resource itself is in the cluster too.
fn offline(row: &Value, doc: &TestDoc, resource: &Value) -> Result<Offline, Failed> {
    let mut offline = Offline::default().with_api_mocks(doc.api_call_responses.clone());
    if let Some(objects) = row.get("cluster").and_then(Value::as_array) {
        let crds = row["crds"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| crd(&Node::from_value(c, Span::default())))
            .collect();
        let all = std::iter::once(resource.clone())
            .chain(objects.iter().cloned())
            .collect();
        offline = offline.with_cluster(Cluster::new(all, crds));
    }
    Ok(offline.with_globals(&doc.global_context_entries, &[]))
}

fn check(row: &Value, rule: &RuleResponse) -> Result<(), Failed> {
    let want = row["status"].as_str().unwrap_or_default();
    let got = format!("{} {:?}", rule.status, rule.message);
    if rule.status.as_str() != want {
        return Err(format!("expected status {want}, got {got}").into());
    }
    if let Some(message) = row["message"].as_str()
        && rule.message != message
    {
        return Err(format!("expected message {message:?}, got {got}").into());
    }
    if let Some(part) = row["messageContains"].as_str()
        && !rule.message.contains(part)
    {
        return Err(format!("expected a message containing {part:?}, got {got}").into());
    }
    Ok(())
}
