//! Running one `kyverno-test.yaml`: load what it names (paths relative to the test file),
//! compile the policies, simulate admission for every resource (cli-test.md §6) and
//! compare with the expected rows (§7).

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::compare::{self, Actual, PolicyMeta, Row};
use super::offline;
use crate::compile::{self, PolicySet};
use crate::diagnostic::Diagnostic;
use crate::engine::evaluate::{self, Inputs};
use crate::engine::offline::Offline;
use crate::engine::request::{Operation, Request, default_namespace};
use crate::ir::inputs::{UserInfo, Values};
use crate::load;
use crate::load::inputs::{LoadError, exception_docs, one_file, policy_set};
use crate::load::testsuite::{self, TestDoc};
use crate::report::{PolicyResponse, ResourceRef};
use crate::source::SourceMap;

/// The outcome of one test document.
#[derive(Debug)]
pub struct SuiteResult {
    /// The test file.
    pub path: PathBuf,
    pub name: Option<String>,
    pub rows: Vec<Row>,
    /// Why the suite could not run at all.
    pub error: Option<String>,
    /// Problems found while loading (rendered with the suite's sources).
    pub diagnostics: Vec<String>,
}

/// Every test file named `kyverno-test.yaml` below the paths, in sorted order.
pub fn discover(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for path in paths {
        walk(path, &mut found);
    }
    found.sort();
    found.dedup();
    found
}

fn walk(path: &Path, found: &mut Vec<PathBuf>) {
    if path.is_file() {
        if path.file_name().is_some_and(|n| n == "kyverno-test.yaml") {
            found.push(path.to_path_buf());
        }
        return;
    }
    let Ok(entries) = std::fs::read_dir(path) else {
        return;
    };
    let mut children: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    children.sort();
    for child in children {
        walk(&child, found);
    }
}

/// Runs every test document of one file.
pub fn run_file(path: &Path) -> Vec<SuiteResult> {
    let mut sources = SourceMap::new();
    let loaded = load::load_nodes(&[path], &mut sources);
    let failed = |error: String, diagnostics: Vec<String>| SuiteResult {
        path: path.to_path_buf(),
        name: None,
        rows: Vec::new(),
        error: Some(error),
        diagnostics,
    };
    if loaded.has_errors() {
        return vec![failed(
            "the test file could not be read".into(),
            render(&sources, &loaded.diagnostics),
        )];
    }
    let mut out = Vec::new();
    for node in &loaded.documents {
        match testsuite::test_doc(node) {
            Ok(doc) => out.push(run_doc(path, &doc)),
            Err(ds) => out.push(failed(
                "the test file is not a valid test".into(),
                render(&sources, &ds),
            )),
        }
    }
    out
}

fn render(sources: &SourceMap, diagnostics: &[Diagnostic]) -> Vec<String> {
    let emitter = crate::diagnostic::Emitter::plain(sources);
    diagnostics.iter().map(|d| emitter.render(d)).collect()
}

/// Everything a test names, loaded.
struct Suite {
    set: PolicySet,
    resources: Vec<Value>,
    values: Option<Values>,
    user: Option<UserInfo>,
    offline: Offline,
}

fn run_doc(path: &Path, doc: &TestDoc) -> SuiteResult {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut sources = SourceMap::new();
    let result = |rows, error, diagnostics| SuiteResult {
        path: path.to_path_buf(),
        name: doc.name.clone(),
        rows,
        error,
        diagnostics,
    };
    match load_suite(dir, doc, &mut sources) {
        Ok((suite, warnings)) => {
            let rows = evaluate_suite(doc, &suite);
            result(rows, None, render(&sources, &warnings))
        }
        Err((error, diagnostics)) => {
            result(Vec::new(), Some(error), render(&sources, &diagnostics))
        }
    }
}

fn join_all(dir: &Path, paths: &[crate::source::Spanned<String>]) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = paths.iter().map(|p| dir.join(&p.node)).collect();
    out.dedup();
    out
}

fn load_suite(
    dir: &Path,
    doc: &TestDoc,
    sources: &mut SourceMap,
) -> Result<(Suite, Vec<Diagnostic>), LoadError> {
    let policies = load::load_nodes(&join_all(dir, &doc.policies), sources);
    if policies.has_errors() {
        return Err(("policies could not be loaded".into(), policies.diagnostics));
    }
    let mut ir = policy_set(&policies)?;
    let exceptions = load::load_nodes(&join_all(dir, &doc.exceptions), sources);
    if exceptions.has_errors() {
        return Err((
            "exceptions could not be loaded".into(),
            exceptions.diagnostics,
        ));
    }
    ir.exceptions.extend(exception_docs(&exceptions)?);
    let set = compile::compile(&ir);
    let resources = load::load_values(&join_all(dir, &doc.resources), sources);
    if resources.has_errors() {
        return Err((
            "resources could not be loaded".into(),
            resources.diagnostics,
        ));
    }
    let values = match (&doc.values, &doc.variables) {
        (Some(v), _) => Some(v.clone()),
        (None, Some(file)) => Some(one_file(
            &dir.join(&file.node),
            sources,
            testsuite::values_file,
        )?),
        (None, None) => None,
    };
    let user = match &doc.userinfo {
        Some(file) => Some(one_file(
            &dir.join(&file.node),
            sources,
            testsuite::user_info_file,
        )?),
        None => None,
    };
    let mut warnings = set.diagnostics.clone();
    let resources = unique_resources(resources.documents.into_iter().map(|d| d.node).collect());
    let (offline, offline_warnings) = offline::load(dir, doc, &resources, sources)?;
    warnings.extend(offline_warnings);
    let suite = Suite {
        set,
        resources,
        values,
        user,
        offline,
    };
    Ok((suite, warnings))
}

/// Namespaces defaulted, duplicates (same group, kind, namespace, name) dropped.
fn unique_resources(documents: Vec<Value>) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for mut resource in documents {
        default_namespace(&mut resource);
        let key = resource_ref(&resource);
        let group = key
            .api_version
            .rsplit_once('/')
            .map(|(g, _)| g.to_string())
            .unwrap_or_default();
        if seen.insert((group, key.kind, key.namespace, key.name)) {
            out.push(resource);
        }
    }
    out
}

pub fn resource_ref(resource: &Value) -> ResourceRef {
    let text = |ptr: &str| {
        resource
            .pointer(ptr)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    ResourceRef {
        api_version: text("/apiVersion"),
        kind: text("/kind"),
        namespace: text("/metadata/namespace"),
        name: text("/metadata/name"),
    }
}

fn evaluate_suite(doc: &TestDoc, suite: &Suite) -> Vec<Row> {
    let refs: Vec<ResourceRef> = suite.resources.iter().map(resource_ref).collect();
    let metas = policy_metas(&suite.set);
    let default_run = run_all(suite, None);
    let mut rows = Vec::new();
    for expected in &doc.results {
        let operation = expected
            .operation
            .as_ref()
            .and_then(|o| o.node.parse::<Operation>().ok());
        let extra;
        let responses = match operation {
            Some(op) => {
                extra = run_all(suite, Some(op));
                &extra
            }
            None => &default_run,
        };
        let actual = Actual {
            resources: &refs,
            responses,
            policies: &metas,
        };
        rows.extend(compare::rows(expected, &actual));
    }
    rows
}

fn policy_metas(set: &PolicySet) -> Vec<PolicyMeta> {
    set.policies
        .iter()
        .map(|p| PolicyMeta {
            name: p.name.clone(),
            invalid: p.invalid.clone(),
            scored: p.scored,
            rules: p
                .rules
                .iter()
                .chain(p.autogen.rules())
                .map(|r| r.name.to_string())
                .collect(),
        })
        .collect()
}

/// Every resource through every policy, with one operation (or the values' default).
fn run_all(suite: &Suite, operation: Option<Operation>) -> Vec<Vec<PolicyResponse<'_>>> {
    let inputs = Inputs {
        values: suite.values.as_ref(),
        offline: Some(&suite.offline),
        timings: None,
    };
    suite
        .resources
        .iter()
        .map(|resource| {
            let op = operation.unwrap_or_else(|| default_operation(suite.values.as_ref()));
            let mut request = Request::simulate(resource.clone(), op, suite.user.clone());
            request.namespace_labels = suite
                .values
                .as_ref()
                .and_then(|v| v.labels_of(&request.namespace))
                .cloned();
            evaluate::evaluate(&suite.set, &mut request, inputs)
        })
        .collect()
}

/// `request.operation` from the global values, else CREATE.
fn default_operation(values: Option<&Values>) -> Operation {
    values
        .and_then(|v| {
            v.global_values
                .iter()
                .rev()
                .find(|(k, _)| k == "request.operation")
        })
        .and_then(|(_, v)| v.as_str()?.parse().ok())
        .unwrap_or_default()
}
