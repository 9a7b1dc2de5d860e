//! The shipped policy pack (`policies/`): every suite passes row by row, the sample run of
//! `nomos apply` is snapshotted, and the pattern-style Pod Security policies agree with the
//! podSecurity subrule of the same level on every workload the pack tests.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use nomos::compile::{self, PolicySet};
use nomos::engine::evaluate::{Inputs, evaluate};
use nomos::engine::request::{Operation, Request, default_namespace};
use nomos::load::{self, inputs::policy_set};
use nomos::report::Status;
use nomos::source::SourceMap;
use nomos::testsuite::compare::Verdict;
use nomos::testsuite::run::{SuiteResult, discover, run_file};
use serde_json::Value;

fn pack() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("policies")
}

// ---- (a) every suite, every row -------------------------------------------------------

/// Fewer suites than this means discovery went wrong (one per policy directory).
const MIN_SUITES: usize = 25;

#[test]
fn every_suite_row_passes() {
    let files = discover(&[pack()]);
    let suites: Vec<SuiteResult> = files.iter().flat_map(|f| run_file(f)).collect();
    assert!(suites.len() >= MIN_SUITES, "found {} suites", suites.len());
    let problems: Vec<String> = suites.iter().flat_map(suite_problems).collect();
    let rows: usize = suites.iter().map(|s| s.rows.len()).sum();
    println!("{} suites, {rows} rows", suites.len());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Everything wrong with one suite. A row only counts when it compared a real result:
/// `Excluded`, `Invalid Policy` and `Not found` rows pass in `kyverno test` whatever was
/// expected (cli-test.md §7.3), so they are problems here.
fn suite_problems(suite: &SuiteResult) -> Vec<String> {
    let at = suite.path.display();
    let mut out: Vec<String> = suite
        .error
        .iter()
        .chain(&suite.diagnostics)
        .map(|e| format!("{at}: {e}"))
        .collect();
    if suite.rows.is_empty() {
        out.push(format!("{at}: no rows"));
    }
    for row in &suite.rows {
        if row.verdict != Verdict::Pass || row.reason != "Ok" {
            out.push(format!(
                "{at}: {} / {} / {}: {} ({})",
                row.policy, row.rule, row.resource, row.reason, row.message
            ));
        }
    }
    out
}

// ---- (b) the README's sample run ----------------------------------------------------------

const APPLY_ARGS: [&str; 4] = ["apply", "policies", "-r", "examples/workloads.yaml"];

#[test]
fn apply_samples_snapshot() {
    let output = Command::new(env!("CARGO_BIN_EXE_nomos"))
        .args(APPLY_ARGS)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the nomos binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.is_empty(), "stderr: {stderr}");
    // Every policy of the pack is Audit: violations are reported, not fatal.
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let command = format!("nomos {}", APPLY_ARGS.join(" "));
    insta::with_settings!({ description => command, omit_expression => true }, {
        insta::assert_snapshot!("apply_samples", stdout);
    });
}

// ---- (c) pattern-style policies agree with podSecurity ----------------------------------

/// Kinds whose pod (or pod template) the podSecurity subrule evaluates (podsecurity.md §3.3).
const POD_KINDS: [&str; 8] = [
    "Pod",
    "Deployment",
    "DaemonSet",
    "StatefulSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
];

/// A level: its podSecurity policy and the pattern-style policy directories that make it up
/// (restricted includes every baseline control).
struct Level {
    name: &'static str,
    podsecurity: &'static str,
    patterns: &'static [&'static str],
}

const LEVELS: [Level; 2] = [
    Level {
        name: "baseline",
        podsecurity: "pod-security/podsecurity-baseline/podsecurity-baseline.yaml",
        patterns: &["pod-security-baseline"],
    },
    Level {
        name: "restricted",
        podsecurity: "pod-security/podsecurity-restricted/podsecurity-restricted.yaml",
        patterns: &["pod-security-baseline", "pod-security-restricted"],
    },
];

/// Fewer workloads than this means the resources were not found.
const MIN_WORKLOADS: usize = 150;

#[test]
fn pattern_policies_agree_with_podsecurity() {
    let workloads = pack_workloads();
    assert!(
        workloads.len() >= MIN_WORKLOADS,
        "found {}",
        workloads.len()
    );
    let known = known_differences();
    let mut problems = Vec::new();
    for level in &LEVELS {
        let checked = cross_check(level, &workloads, &known, &mut problems);
        println!("{}: {checked} workloads cross-checked", level.name);
    }
    for k in &known {
        if !workloads.iter().any(|w| k.matches(&k.level, w)) {
            problems.push(format!(
                "no workload {} {} for a known difference",
                k.kind, k.name
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn cross_check(
    level: &Level,
    workloads: &[Value],
    known: &[Known],
    problems: &mut Vec<String>,
) -> usize {
    let podsecurity = compile_policies(&[pack().join(level.podsecurity)]);
    let dirs: Vec<PathBuf> = level.patterns.iter().map(|d| pack().join(d)).collect();
    let patterns = compile_policies(&dirs);
    for workload in workloads {
        let want = verdict(&podsecurity, workload);
        let got = verdict(&patterns, workload);
        let name = describe(workload);
        let expected = match known.iter().find(|k| k.matches(level.name, workload)) {
            Some(k) => (k.podsecurity, k.patterns),
            None => (want, want),
        };
        if want == Outcome::Unusable || (want, got) != expected {
            problems.push(format!(
                "{}: {name}: podSecurity {want:?}, pattern policies {got:?}",
                level.name
            ));
        }
    }
    workloads.len()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Pass,
    Fail,
    /// An error response, or no response from any rule: the check proves nothing.
    Unusable,
}

/// Fail when any rule of any policy fails; skips (Windows exemptions) count as passes.
fn verdict(set: &PolicySet, workload: &Value) -> Outcome {
    let mut request = Request::simulate(workload.clone(), Operation::Create, None);
    let responses = evaluate(set, &mut request, Inputs::default());
    let statuses: Vec<Status> = responses
        .iter()
        .flat_map(|r| r.rules.iter().map(|rule| rule.status))
        .collect();
    if statuses.is_empty() || statuses.contains(&Status::Error) {
        Outcome::Unusable
    } else if statuses.contains(&Status::Fail) {
        Outcome::Fail
    } else {
        Outcome::Pass
    }
}

fn compile_policies(paths: &[PathBuf]) -> PolicySet {
    let mut sources = SourceMap::new();
    let loaded = load::load_nodes(paths, &mut sources);
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    let ir = policy_set(&loaded).expect("the pack's policies decode");
    let set = compile::compile(&ir);
    assert!(set.diagnostics.is_empty(), "{:?}", set.diagnostics);
    assert!(set.policies.iter().all(|p| p.invalid.is_none()));
    set
}

/// Every distinct Pod and pod controller in the suites' resource files and the samples.
fn pack_workloads() -> Vec<Value> {
    let mut files = Vec::new();
    resource_files(&pack(), &mut files);
    files.sort();
    let mut sources = SourceMap::new();
    let loaded = load::load_values(&files, &mut sources);
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for mut doc in loaded.documents.into_iter().map(|d| d.node) {
        default_namespace(&mut doc);
        let kind = doc.get("kind").and_then(Value::as_str).unwrap_or_default();
        if POD_KINDS.contains(&kind) && seen.insert(doc.to_string()) {
            out.push(doc);
        }
    }
    out
}

/// `resources.yaml` files anywhere below `dir`, hidden test directories included.
fn resource_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).expect("the pack directory is readable");
    for path in entries.map(|e| e.expect("a directory entry").path()) {
        if path.is_dir() {
            resource_files(&path, out);
        } else if path.file_name().is_some_and(|n| n == "resources.yaml") {
            out.push(path);
        }
    }
}

fn describe(workload: &Value) -> String {
    let text = |ptr: &str| workload.pointer(ptr).and_then(Value::as_str).unwrap_or("");
    format!(
        "{} {}/{}",
        text("/kind"),
        text("/metadata/namespace"),
        text("/metadata/name")
    )
}

/// A workload on which podSecurity and the pattern policies are expected to differ, with
/// the reason (`tests/cases/policy_pack/cross-check-differences.json`).
struct Known {
    level: String,
    kind: String,
    name: String,
    podsecurity: Outcome,
    patterns: Outcome,
}

impl Known {
    fn matches(&self, level: &str, workload: &Value) -> bool {
        let text = |ptr: &str| workload.pointer(ptr).and_then(Value::as_str);
        self.level == level
            && text("/kind") == Some(self.kind.as_str())
            && text("/metadata/name") == Some(self.name.as_str())
    }
}

fn known_differences() -> Vec<Known> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cases/policy_pack/cross-check-differences.json");
    let text = std::fs::read_to_string(path).expect("the case file is readable");
    let rows: Vec<Value> = serde_json::from_str(&text).expect("the case file is JSON");
    rows.iter().map(known_row).collect()
}

fn known_row(row: &Value) -> Known {
    let text = |key: &str| {
        row.get(key)
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("row {row} lacks {key}"))
            .to_string()
    };
    assert!(!text("cite").is_empty());
    let outcome = |key: &str| match text(key).as_str() {
        "pass" => Outcome::Pass,
        "fail" => Outcome::Fail,
        other => panic!("{key}: {other} is not pass or fail"),
    };
    Known {
        level: text("level"),
        kind: text("kind"),
        name: text("name"),
        podsecurity: outcome("podsecurity"),
        patterns: outcome("patterns"),
    }
}

/// The pack's policies carry no autogen annotation: the set serves Kyverno's seven pod
/// controllers (rules.md §3.1), and a Pod is not among them.
#[test]
fn the_pack_serves_the_default_pod_controllers() {
    let set = compile_policies(&[pack()]);
    let mut kinds = set.controller_kinds.clone();
    kinds.sort();
    let expected = [
        "CronJob",
        "DaemonSet",
        "Deployment",
        "Job",
        "ReplicaSet",
        "ReplicationController",
        "StatefulSet",
    ];
    assert_eq!(kinds, expected);
}
