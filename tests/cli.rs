//! The command line as users see it: insta snapshots of `nomos apply`, `nomos test` and
//! `nomos jp` output, each recording the command that produced it.

use std::process::Command;

/// Runs nomos from the crate root; returns exit code, stdout and stderr as one text.
fn nomos(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_nomos"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("invariant: the nomos binary was built for this test");
    format!(
        "exit code: {}\n--- stdout\n{}--- stderr\n{}",
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn snapshot(name: &str, args: &[&str]) {
    let command = format!("nomos {}", args.join(" "));
    insta::with_settings!({ description => command }, {
        insta::assert_snapshot!(name, nomos(args));
    });
}

const POLICIES: &str = "tests/cases/cli/apply/policies.yaml";
const RESOURCES: &str = "tests/cases/cli/apply/resources.yaml";

#[test]
fn apply_table() {
    snapshot("apply_table", &["apply", POLICIES, "-r", RESOURCES]);
}

#[test]
fn apply_audit_warn() {
    snapshot(
        "apply_audit_warn",
        &["apply", POLICIES, "-r", RESOURCES, "--audit-warn"],
    );
}

#[test]
fn apply_yaml_report() {
    snapshot(
        "apply_yaml",
        &["apply", POLICIES, "-r", RESOURCES, "-o", "yaml"],
    );
}

#[test]
fn apply_json_report() {
    snapshot(
        "apply_json",
        &["apply", POLICIES, "-r", RESOURCES, "-o", "json"],
    );
}

#[test]
fn apply_junit() {
    snapshot(
        "apply_junit",
        &["apply", POLICIES, "-r", RESOURCES, "-o", "junit"],
    );
}

#[test]
fn apply_with_invalid_policies_reports_them_and_evaluates_the_rest() {
    snapshot(
        "apply_invalid_policies",
        &[
            "apply",
            "tests/cases/cli/invalid/policies.yaml",
            "-r",
            "tests/cases/cli/invalid/resources.yaml",
        ],
    );
}

#[test]
fn apply_with_unreadable_input() {
    snapshot(
        "apply_missing_file",
        &["apply", "tests/cases/cli/nope.yaml", "-r", RESOURCES],
    );
}

#[test]
fn test_suite_table() {
    snapshot(
        "test_table",
        &["test", "tests/cases/cli/suite", "--detailed-results"],
    );
}

#[test]
fn test_suite_fail_only() {
    snapshot(
        "test_fail_only",
        &["test", "tests/cases/cli/suite", "--fail-only"],
    );
}

#[test]
fn test_suite_json() {
    snapshot(
        "test_json",
        &["test", "tests/cases/cli/suite", "--output-format", "json"],
    );
}

#[test]
fn test_suite_junit() {
    snapshot(
        "test_junit",
        &["test", "tests/cases/cli/suite", "--output-format", "junit"],
    );
}

#[test]
fn jp_query_on_example() {
    snapshot(
        "jp_query",
        &[
            "jp",
            "query",
            "-i",
            "examples/pod.json",
            "request.object.spec.containers[].image",
            "length(request.object.spec.containers)",
        ],
    );
}

#[test]
fn jp_query_missing_key() {
    snapshot(
        "jp_query_missing_key",
        &[
            "jp",
            "query",
            "-i",
            "examples/pod.json",
            "request.object.metadata.missing",
        ],
    );
}

#[test]
fn jp_function_row() {
    snapshot("jp_function_truncate", &["jp", "function", "truncate"]);
}

#[test]
fn jp_parse() {
    snapshot("jp_parse", &["jp", "parse", "a.b[?c == `1`] | length(@)"]);
}
