//! The YAML loader as data: scalar resolution and document tables (tests/cases/yaml/
//! scalars.json, documents.json), spans, file walking, and a snapshot of every diagnostic
//! kind (tests/cases/yaml/diagnostics.json; the snapshot records its input).

use std::io::Cursor;

use libtest_mimic::{Arguments, Failed, Trial};
use nomos::diagnostic::{Diagnostic, Emitter};
use nomos::ir::Node;
use nomos::load::{self, yaml};
use nomos::source::{FileId, SourceMap};
use nomos::value::deep_eq;
use serde_json::Value;

mod common;

fn main() {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    for file in ["scalars.json", "documents.json"] {
        trials.extend(table_trials(file));
    }
    trials.extend(span_trials());
    trials.extend(file_trials());
    trials.extend(diagnostic_trials());
    trials.extend(depth_trials());
    libtest_mimic::run(&args, trials).exit();
}

/// A case file of `tests/cases/yaml`.
fn read_json(name: &str) -> Value {
    common::case_file("yaml", name)
}

fn groups(rel: &str) -> Vec<Value> {
    read_json(rel).as_array().cloned().unwrap_or_default()
}

fn str_of(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

/// Both trees of every document: the spanned nodes (as values) and the direct values.
struct Outcome {
    nodes: Vec<Value>,
    values: Vec<Value>,
    diagnostics: Vec<Diagnostic>,
}

fn parse(text: &str, syntax: yaml::Syntax) -> Outcome {
    let nodes = yaml::parse_documents::<Node>(text, FileId(0), syntax);
    let values = yaml::parse_documents::<Value>(text, FileId(0), syntax);
    Outcome {
        nodes: nodes.documents.iter().map(|d| d.node.to_value()).collect(),
        values: values.documents.into_iter().map(|d| d.node).collect(),
        diagnostics: nodes.diagnostics,
    }
}

fn errors(outcome: &Outcome) -> Vec<&Diagnostic> {
    outcome
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .collect()
}

fn same_documents(want: &[Value], got: &[Value]) -> bool {
    want.len() == got.len() && want.iter().zip(got).all(|(w, g)| same(w, g))
}

/// Structural equality where numbers compare as float64 (as Kyverno compares them).
fn same(want: &Value, got: &Value) -> bool {
    deep_eq(want, got)
}

// ---- scalars.json / documents.json ----

fn table_trials(file: &'static str) -> Vec<Trial> {
    let mut trials = Vec::new();
    for (g, group) in groups(file).into_iter().enumerate() {
        let cite = str_of(&group["cite"]);
        assert!(!cite.is_empty(), "{file}: group {g} has no cite");
        for kind in ["cases", "errors", "warnings", "streams", "json", "recovery"] {
            for (i, row) in group[kind].as_array().into_iter().flatten().enumerate() {
                let row = row.clone();
                let name = format!("{}::{kind}::{g}_{i}", file.trim_end_matches(".json"));
                trials.push(Trial::test(name, move || run_row(kind, &row)));
            }
        }
    }
    trials
}

fn run_row(kind: &str, row: &Value) -> Result<(), Failed> {
    let text = match row {
        Value::String(s) => s.clone(),
        _ => str_of(&row[0]),
    };
    match kind {
        "cases" => expect_documents(&text, &[row[1].clone()], true),
        "streams" => expect_documents(&text, row[1].as_array().map_or(&[], |v| v), false),
        "errors" => expect_error(&text, &str_of(&row[1])),
        "warnings" => expect_warning(&text, &row[1], &str_of(&row[2])),
        "recovery" => expect_recovery(&text, &row[1], row[2].as_u64().unwrap_or(0)),
        _ => expect_json_identity(&text),
    }
}

/// `single`: the text holds one document (or none, which reads as `null`).
fn expect_documents(text: &str, want: &[Value], single: bool) -> Result<(), Failed> {
    let outcome = parse(text, yaml::Syntax::Yaml);
    if !outcome.diagnostics.is_empty() {
        return Err(format!("{text:?}: unexpected diagnostics {:?}", outcome.diagnostics).into());
    }
    let mut got = [outcome.nodes, outcome.values];
    if single {
        for docs in &mut got {
            if docs.is_empty() {
                docs.push(Value::Null);
            }
        }
    }
    for (tree, docs) in ["nodes", "values"].iter().zip(&got) {
        if !same_documents(want, docs) {
            return Err(format!("{text:?} ({tree}): expected {want:?}, got {docs:?}").into());
        }
    }
    Ok(())
}

fn expect_error(text: &str, want: &str) -> Result<(), Failed> {
    let outcome = parse(text, yaml::Syntax::Yaml);
    let found = errors(&outcome).iter().any(|d| d.message.contains(want));
    let values = yaml::parse_documents::<Value>(text, FileId(0), yaml::Syntax::Yaml);
    let found_too = values
        .diagnostics
        .iter()
        .any(|d| d.is_error() && d.message.contains(want));
    if found && found_too && errors(&outcome).iter().all(|d| d.span.is_some()) {
        Ok(())
    } else {
        Err(format!(
            "{text:?}: expected a spanned error containing {want:?}, got {:?}",
            outcome.diagnostics
        )
        .into())
    }
}

fn expect_warning(text: &str, want: &Value, warning: &str) -> Result<(), Failed> {
    let outcome = parse(text, yaml::Syntax::Yaml);
    let warned = outcome
        .diagnostics
        .iter()
        .any(|d| !d.is_error() && d.message.contains(warning));
    if !warned || !errors(&outcome).is_empty() {
        return Err(format!(
            "{text:?}: expected only a warning {warning:?}, got {:?}",
            outcome.diagnostics
        )
        .into());
    }
    let want = std::slice::from_ref(want);
    if same_documents(want, &outcome.nodes) && same_documents(want, &outcome.values) {
        Ok(())
    } else {
        Err(format!("{text:?}: expected {want:?}, got {:?}", outcome.nodes).into())
    }
}

fn expect_recovery(text: &str, want: &Value, error_count: u64) -> Result<(), Failed> {
    let outcome = parse(text, yaml::Syntax::Yaml);
    let want = want.as_array().map_or(&[][..], |v| v);
    let count = errors(&outcome).len() as u64;
    if count == error_count
        && same_documents(want, &outcome.nodes)
        && same_documents(want, &outcome.values)
    {
        Ok(())
    } else {
        Err(format!(
            "{text:?}: expected {want:?} and {error_count} errors, got {:?} and {:?}",
            outcome.nodes, outcome.diagnostics
        )
        .into())
    }
}

/// A JSON text loads as what a strict JSON parser reads, as `.json` and as `.yaml`.
fn expect_json_identity(text: &str) -> Result<(), Failed> {
    let want: Value = serde_json::from_str(text).map_err(|e| format!("{text:?}: {e}"))?;
    for syntax in [yaml::Syntax::Json, yaml::Syntax::Yaml] {
        let outcome = parse(text, syntax);
        if !outcome.diagnostics.is_empty() {
            return Err(format!("{text:?} ({syntax:?}): {:?}", outcome.diagnostics).into());
        }
        let want = std::slice::from_ref(&want);
        if !same_documents(want, &outcome.nodes) || !same_documents(want, &outcome.values) {
            return Err(format!(
                "{text:?} ({syntax:?}): expected {want:?}, got {:?}",
                outcome.nodes
            )
            .into());
        }
    }
    Ok(())
}

// ---- generated: nesting limits (error.rs MAX_DEPTH) ----

/// Inputs too large for a case file: each must give an error, not a crash.
fn depth_trials() -> Vec<Trial> {
    let deep = |n: usize| "[".repeat(n) + &"]".repeat(n);
    let inputs = [
        ("10k_open_brackets", "[".repeat(10_000)),
        ("10k_brackets", deep(10_000)),
        ("10k_braces", "{".repeat(10_000)),
        ("10k_block_sequences", "- ".repeat(10_000) + "x"),
        ("501_block_sequences", "- ".repeat(501) + "x"),
        (
            "alias_beyond_the_limit",
            // Each half nests 300 block sequences: the alias would put 600 levels in b.
            format!("a: &a\n{0}x\nb:\n{0}*a\n", "- ".repeat(300)),
        ),
        (
            "indentation_beyond_the_limit",
            (0..600).map(|d| format!("{}k:\n", " ".repeat(d))).collect(),
        ),
    ];
    let mut trials: Vec<Trial> = inputs
        .into_iter()
        .map(|(name, text)| {
            Trial::test(format!("depth::{name}"), move || {
                let outcome = parse(&text, yaml::Syntax::Yaml);
                match errors(&outcome).first() {
                    Some(d) if d.message.contains("nested") => Ok(()),
                    other => Err(format!("{name}: expected a nesting error, got {other:?}").into()),
                }
            })
        })
        .collect();
    trials.push(Trial::test("depth::500_levels_load", || {
        let text = "- ".repeat(yaml::MAX_DEPTH) + "x";
        let outcome = parse(&text, yaml::Syntax::Yaml);
        match outcome.diagnostics.is_empty() && outcome.values.len() == 1 {
            true => Ok(()),
            false => Err(format!("{:?}", outcome.diagnostics).into()),
        }
    }));
    trials
}

// ---- spans.json ----

fn span_trials() -> Vec<Trial> {
    let mut trials = Vec::new();
    for group in groups("spans.json") {
        for (i, row) in group["spans"].as_array().into_iter().flatten().enumerate() {
            let row = row.clone();
            trials.push(Trial::test(format!("spans::{i}"), move || {
                check_span(&str_of(&row[0]), &str_of(&row[1]), &str_of(&row[2]))
            }));
        }
    }
    trials
}

/// `path`: `#n/` picks document n, `a/0/b` walks keys and indexes, `@key` takes the span
/// of a key instead of its value.
fn check_span(text: &str, path: &str, want: &str) -> Result<(), Failed> {
    let parsed = yaml::parse_nodes(text, FileId(0));
    let (doc, path) = match path.strip_prefix('#') {
        Some(rest) => {
            let (n, rest) = rest.split_once('/').unwrap_or((rest, ""));
            (n.parse::<usize>().map_err(|e| e.to_string())?, rest)
        }
        None => (0, path),
    };
    let mut node = parsed.documents.get(doc).ok_or("no such document")?;
    let mut span = node.span;
    for step in path.split('/').filter(|s| !s.is_empty()) {
        if let Some(key) = step.strip_prefix('@') {
            let entry = node
                .entries()
                .and_then(|e| e.iter().find(|e| e.key.node == key));
            span = entry.ok_or_else(|| format!("no key {key}"))?.key.span;
            continue;
        }
        node = match step.parse::<usize>() {
            Ok(i) => node.items().and_then(|items| items.get(i)),
            Err(_) => node.get(step),
        }
        .ok_or_else(|| format!("{text:?}: no node at {step}"))?;
        span = node.span;
    }
    let got = &text[span.range()];
    if got == want {
        Ok(())
    } else {
        Err(format!("{text:?} at {path:?}: expected span text {want:?}, got {got:?}").into())
    }
}

// ---- files.json ----

fn file_trials() -> Vec<Trial> {
    groups("files.json")
        .into_iter()
        .enumerate()
        .map(|(i, case)| Trial::test(format!("files::{i}"), move || check_files(&case)))
        .collect()
}

fn check_files(case: &Value) -> Result<(), Failed> {
    let paths: Vec<String> = case["paths"]
        .as_array()
        .into_iter()
        .flatten()
        .map(str_of)
        .collect();
    let mut stdin = Cursor::new(str_of(&case["stdin"]).into_bytes());
    let mut sources = SourceMap::new();
    let (files, mut diagnostics) = load::read_sources_with_stdin(&paths, &mut stdin, &mut sources);
    let nodes = load::nodes(&sources, &files);
    let values = load::values(&sources, &files);
    diagnostics.extend(nodes.diagnostics);
    let got_nodes: Vec<(String, Value)> = nodes
        .documents
        .iter()
        .map(|n| (sources.name(n.span.file).to_string(), n.to_value()))
        .collect();
    let got_values: Vec<(String, Value)> = values
        .documents
        .iter()
        .map(|v| (sources.name(v.span.file).to_string(), v.node.clone()))
        .collect();
    let want: Vec<(String, Value)> = case["documents"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| (str_of(&d[0]), d[1].clone()))
        .collect();
    for got in [&got_nodes, &got_values] {
        let equal = want.len() == got.len()
            && want
                .iter()
                .zip(got.iter())
                .all(|(w, g)| w.0 == g.0 && same(&w.1, &g.1));
        if !equal {
            return Err(format!("expected {want:?}\n     got {got:?}").into());
        }
    }
    let want_errors: Vec<String> = case["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(str_of)
        .collect();
    let got_errors: Vec<&String> = diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| &d.message)
        .collect();
    let matches = want_errors.len() == got_errors.len()
        && want_errors
            .iter()
            .zip(&got_errors)
            .all(|(w, g)| g.contains(w.as_str()));
    if matches {
        Ok(())
    } else {
        Err(format!("expected errors {want_errors:?}, got {got_errors:?}").into())
    }
}

// ---- diagnostics.json: snapshots ----

fn diagnostic_trials() -> Vec<Trial> {
    let mut trials: Vec<Trial> = groups("diagnostics.json")
        .into_iter()
        .map(|case| {
            let name = str_of(&case["name"]);
            Trial::test(format!("diagnostics::{name}"), move || {
                let text = str_of(&case["yaml"]);
                let mut sources = SourceMap::new();
                let file = sources.add("input.yaml", text.clone());
                let parsed = yaml::parse_nodes(&text, file);
                snapshot(&name, &text, &sources, &parsed.diagnostics)
            })
        })
        .collect();
    for (name, path) in [
        ("unreadable_file", "tests/cases/yaml/files/missing.yaml"),
        ("not_utf8", "tests/cases/yaml/files/latin1.yaml"),
    ] {
        trials.push(Trial::test(format!("diagnostics::{name}"), move || {
            let mut sources = SourceMap::new();
            let loaded = load::load_nodes(&[path], &mut sources);
            snapshot(
                name,
                &format!("(the file {path})"),
                &sources,
                &loaded.diagnostics,
            )
        }));
    }
    trials
}

fn snapshot(
    name: &str,
    input: &str,
    sources: &SourceMap,
    diagnostics: &[Diagnostic],
) -> Result<(), Failed> {
    if diagnostics.is_empty() {
        return Err(format!("{input:?}: expected a diagnostic").into());
    }
    let rendered = Emitter::plain(sources).render_all(diagnostics);
    let shown_input: String = input.chars().take(400).collect();
    let body = format!("input:\n{shown_input}\n---\n{rendered}");
    insta::with_settings!({ description => shown_input.clone(), omit_expression => true }, {
        insta::assert_snapshot!(name.to_string(), body);
    });
    Ok(())
}
