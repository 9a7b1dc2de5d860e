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

/// `bench --per-policy` times every policy of the set: one row per policy, named as the
/// set names it, each with the time it took per review.
#[test]
fn bench_per_policy_has_a_row_per_policy() {
    let output = Command::new(env!("CARGO_BIN_EXE_nomos"))
        .args(["bench", "--pods", "20", "--per-policy", "--json"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("invariant: the nomos binary was built for this test");
    assert!(output.status.success());
    let figures: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("bench --json prints one JSON object");
    let rows = figures["per_policy"]
        .as_array()
        .expect("per_policy is a list");
    assert_eq!(Some(rows.len() as u64), figures["policies"].as_u64());
    let mut names: Vec<&str> = rows.iter().filter_map(|r| r["policy"].as_str()).collect();
    assert!(names.contains(&"podsecurity-baseline"), "{names:?}");
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), rows.len(), "each policy once");
    // Every policy of the pack matches pods, so each one takes some time.
    for row in rows {
        assert!(
            row["us_per_review"].as_f64().is_some_and(|us| us > 0.0),
            "{row}"
        );
    }
}
