//! `nomos test`: run every `kyverno-test.yaml` below the given paths (suites in
//! parallel, output in discovery order), print a table per suite and, last,
//! `N passed, N failed, N skipped` counting the expected rows' outcomes.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use rayon::prelude::*;
use serde_json::json;

use super::exit;
use super::output::junit::escape;
use crate::testsuite::compare::{Count, Row, Verdict};
use crate::testsuite::run::{self, SuiteResult};

#[derive(Debug, Args)]
pub struct TestArgs {
    /// Directories (searched recursively) or test files.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Add each row's message.
    #[arg(long)]
    detailed_results: bool,
    /// Print only failing rows.
    #[arg(long)]
    fail_only: bool,
    /// Print structured results instead of tables.
    #[arg(long, value_enum)]
    output_format: Option<Format>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    Json,
    Junit,
}

pub fn run(args: TestArgs) -> u8 {
    let files = run::discover(&args.paths);
    let mut out = std::io::stdout().lock();
    if files.is_empty() {
        let _ = writeln!(out, "No test yamls available");
        return exit::OK;
    }
    let results: Vec<SuiteResult> = files.par_iter().flat_map(|f| run::run_file(f)).collect();
    let text = match args.output_format {
        None => results.iter().map(|s| table(s, &args)).collect::<String>(),
        Some(Format::Json) => json_text(&results, &args),
        Some(Format::Junit) => junit_text(&results, &args),
    };
    let _ = out.write_all(text.as_bytes());
    let (passed, failed, skipped) = counts(&results);
    let _ = writeln!(out, "{passed} passed, {failed} failed, {skipped} skipped");
    if failed > 0 || results.iter().any(|s| s.error.is_some()) {
        exit::FAILED
    } else {
        exit::OK
    }
}

fn counts(results: &[SuiteResult]) -> (usize, usize, usize) {
    let rows = || results.iter().flat_map(|s| &s.rows);
    let n = |c: Count| rows().filter(|r| r.count == c).count();
    (n(Count::Passed), n(Count::Failed), n(Count::Skipped))
}

fn shown<'s>(suite: &'s SuiteResult, args: &TestArgs) -> Vec<&'s Row> {
    suite
        .rows
        .iter()
        .filter(|r| !args.fail_only || r.verdict == Verdict::Fail)
        .collect()
}

fn verdict(row: &Row) -> &'static str {
    match row.verdict {
        Verdict::Pass => "Pass",
        Verdict::Fail => "Fail",
        Verdict::Skip => "Skip",
    }
}

fn table(suite: &SuiteResult, args: &TestArgs) -> String {
    let rows = shown(suite, args);
    if args.fail_only && rows.is_empty() && suite.error.is_none() {
        return String::new();
    }
    let name = suite.name.as_deref().unwrap_or_default();
    let mut out = format!("Test {name} ({})\n", suite.path.display());
    for d in &suite.diagnostics {
        out.push_str(d);
    }
    if let Some(error) = &suite.error {
        out.push_str(&format!("error: {error}\n\n"));
        return out;
    }
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED);
    let mut header = vec!["ID", "POLICY", "RULE", "RESOURCE", "RESULT", "REASON"];
    if args.detailed_results {
        header.push("MESSAGE");
    }
    t.set_header(header);
    for (i, row) in rows.iter().enumerate() {
        let mut cells = vec![
            (i + 1).to_string(),
            row.policy.clone(),
            row.rule.clone(),
            row.resource.clone(),
            verdict(row).to_string(),
            row.reason.clone(),
        ];
        if args.detailed_results {
            cells.push(row.message.clone());
        }
        t.add_row(cells);
    }
    out.push_str(&format!("{t}\n\n"));
    out
}

fn json_text(results: &[SuiteResult], args: &TestArgs) -> String {
    let suites: Vec<_> = results
        .iter()
        .map(|s| {
            let rows: Vec<_> = shown(s, args)
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let mut row = json!({"ID": i + 1, "POLICY": r.policy, "RULE": r.rule, "RESOURCE": r.resource, "RESULT": verdict(r), "REASON": r.reason});
                    if args.detailed_results {
                        row["MESSAGE"] = json!(r.message);
                    }
                    row
                })
                .collect();
            json!({"path": s.path.display().to_string(), "name": s.name, "error": s.error, "results": rows})
        })
        .collect();
    serde_json::to_string_pretty(&suites).unwrap_or_default() + "\n"
}

fn junit_text(results: &[SuiteResult], args: &TestArgs) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
    for suite in results {
        let rows = shown(suite, args);
        let failures = rows.iter().filter(|r| r.verdict == Verdict::Fail).count()
            + usize::from(suite.error.is_some());
        let name = suite
            .name
            .clone()
            .unwrap_or_else(|| suite.path.display().to_string());
        out.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\">\n",
            escape(&name),
            rows.len()
        ));
        if let Some(error) = &suite.error {
            out.push_str(&format!(
                "    <testcase name=\"load\"><failure message=\"{}\"/></testcase>\n",
                escape(error)
            ));
        }
        for row in rows {
            let head = format!(
                "    <testcase classname=\"{}\" name=\"{} {}\"",
                escape(&row.policy),
                escape(&row.rule),
                escape(&row.resource)
            );
            if row.verdict == Verdict::Fail {
                out.push_str(&format!(
                    "{head}><failure message=\"{}\"/></testcase>\n",
                    escape(&row.reason)
                ));
            } else {
                out.push_str(&format!("{head}/>\n"));
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
