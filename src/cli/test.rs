//! `nomos test`: run every `kyverno-test.yaml` below the given paths and compare the
//! results with the expected rows, as `kyverno test` does.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::exit;
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
}

pub fn run(args: TestArgs) -> u8 {
    let files = run::discover(&args.paths);
    let mut out = std::io::stdout().lock();
    if files.is_empty() {
        let _ = writeln!(out, "No test yamls available");
        return exit::OK;
    }
    let results: Vec<SuiteResult> = files.iter().flat_map(|f| run::run_file(f)).collect();
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    let mut broken = false;
    for suite in &results {
        print_suite(&mut out, suite, &args);
        broken |= suite.error.is_some();
        for row in &suite.rows {
            match row.count {
                Count::Passed => passed += 1,
                Count::Failed => failed += 1,
                Count::Skipped => skipped += 1,
            }
        }
    }
    let _ = writeln!(out, "{passed} passed, {failed} failed, {skipped} skipped");
    if failed > 0 || broken {
        exit::FAILED
    } else {
        exit::OK
    }
}

fn print_suite(out: &mut impl Write, suite: &SuiteResult, args: &TestArgs) {
    let rows: Vec<&Row> = suite
        .rows
        .iter()
        .filter(|r| !args.fail_only || r.verdict == Verdict::Fail)
        .collect();
    if args.fail_only && rows.is_empty() && suite.error.is_none() {
        return;
    }
    let name = suite.name.as_deref().unwrap_or_default();
    let _ = writeln!(out, "Test {name} ({})", suite.path.display());
    if let Some(error) = &suite.error {
        let _ = writeln!(out, "  error: {error}");
    }
    for d in &suite.diagnostics {
        let _ = write!(out, "{d}");
    }
    for (i, row) in rows.iter().enumerate() {
        let result = match row.verdict {
            Verdict::Pass => "Pass",
            Verdict::Fail => "Fail",
            Verdict::Skip => "Skip",
        };
        let _ = write!(
            out,
            "  {:>3} | {} | {} | {} | {result} | {}",
            i + 1,
            row.policy,
            row.rule,
            row.resource,
            row.reason
        );
        if args.detailed_results {
            let _ = write!(out, " | {}", row.message);
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out);
}
