//! The Kyverno conformance corpus: one trial per suite of `index.tsv`, judged as
//! `kyverno test` judges it. Suites upstream expects to fail must fail; suites upstream
//! does not assert are reported as ignored; known failures are listed with reasons.

use std::fs;
use std::path::{Path, PathBuf};

use libtest_mimic::{Arguments, Failed, Trial};
use nomos::testsuite::compare::Verdict;
use nomos::testsuite::run::run_file;

fn main() {
    let args = Arguments::from_args();
    libtest_mimic::run(&args, trials()).exit();
}

fn corpus() -> PathBuf {
    std::env::var_os("NOMOS_CONFORMANCE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/corpus"))
}

fn known_failures() -> Vec<(String, String)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/known-failures.tsv");
    let text = fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split_once('\t'))
        .map(|(dir, reason)| (dir.to_string(), reason.to_string()))
        .collect()
}

fn trials() -> Vec<Trial> {
    let root = corpus();
    let index = match fs::read_to_string(root.join("index.tsv")) {
        Ok(text) => text,
        Err(e) => {
            let message = format!(
                "the conformance corpus is missing at {}: {e}",
                root.display()
            );
            return vec![Trial::test("conformance::corpus_present", move || {
                Err(message.into())
            })];
        }
    };
    let known = known_failures();
    let mut trials = Vec::new();
    for line in index.lines().skip(1) {
        let Some(dir) = line.split('\t').next().filter(|d| !d.is_empty()) else {
            continue;
        };
        let path = root.join(dir).join("kyverno-test.yaml");
        let name = format!("conformance::{dir}");
        let expectation = expectation(dir, &known);
        let trial = match expectation {
            Expect::Unasserted => {
                Trial::test(name, move || run_suite(&path).map(|_| ())).with_ignored_flag(true)
            }
            _ => Trial::test(name, move || judge(&path, &expectation)),
        };
        trials.push(trial);
    }
    trials
}

#[derive(Clone, Debug)]
enum Expect {
    Pass,
    /// Upstream requires `kyverno test` to fail on it.
    Fail,
    /// Upstream does not run it.
    Unasserted,
    /// Listed in known-failures.tsv.
    Known(String),
}

fn expectation(dir: &str, known: &[(String, String)]) -> Expect {
    if let Some((_, reason)) = known.iter().find(|(d, _)| d == dir) {
        return Expect::Known(reason.clone());
    }
    match dir.split_once("test/cli/test-fail/") {
        Some((_, rest)) if rest.starts_with("missing-") => Expect::Fail,
        Some(_) => Expect::Unasserted,
        None => Expect::Pass,
    }
}

/// The failing rows of a suite (empty: the suite passed), or why it could not run.
fn run_suite(path: &Path) -> Result<Vec<String>, Failed> {
    let mut failures = Vec::new();
    for suite in run_file(path) {
        if let Some(error) = suite.error {
            failures.push(format!(
                "cannot run: {error}\n{}",
                suite.diagnostics.join("")
            ));
        }
        for row in suite.rows.iter().filter(|r| r.verdict == Verdict::Fail) {
            failures.push(format!(
                "{} {} {}: {} ({})",
                row.policy, row.rule, row.resource, row.reason, row.message
            ));
        }
    }
    Ok(failures)
}

fn judge(path: &Path, expect: &Expect) -> Result<(), Failed> {
    let failures = run_suite(path)?;
    match (expect, failures.is_empty()) {
        (Expect::Pass, true) | (Expect::Fail, false) | (Expect::Known(_), false) => Ok(()),
        (Expect::Pass, false) => Err(failures.join("\n").into()),
        (Expect::Fail, true) => {
            Err("upstream requires this suite to fail, but every row passed".into())
        }
        (Expect::Known(reason), true) => Err(format!(
            "listed as a known failure ({reason}) but it passes: remove it from known-failures.tsv"
        )
        .into()),
        (Expect::Unasserted, _) => Ok(()),
    }
}
