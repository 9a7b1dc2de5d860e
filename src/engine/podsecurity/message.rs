//! The rule messages of a podSecurity subrule (podsecurity.md §3.6): the pass and fail
//! texts, each failing check as one group, and the field-path rewrite for controllers.

use std::fmt::Write;

use super::pod::TEMPLATE_KINDS;
use super::types::{BadValue, CheckResult, ErrorKind, FieldError};

/// `Validation rule '<rule>' passed.`
pub fn pass(rule: &str) -> String {
    format!("Validation rule '{rule}' passed.")
}

/// `Validation rule '<rule>' failed. It violates PodSecurity "<level>:<version>": <checks>`,
/// with the level and version as the policy writes them.
pub fn fail(rule: &str, level: &str, version: &str, kind: &str, checks: &[CheckResult]) -> String {
    let mut out =
        format!("Validation rule '{rule}' failed. It violates PodSecurity \"{level}:{version}\": ");
    for check in checks {
        write_check(&mut out, kind, check);
    }
    out
}

/// `(Forbidden reason: <reason>, field error list: [<e1>, <e2>])`; groups have no separator.
fn write_check(out: &mut String, kind: &str, check: &CheckResult) {
    let _ = write!(
        out,
        "(Forbidden reason: {}, field error list: [",
        check.reason
    );
    for (i, error) in check.errors.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_error(out, &rewrite_field(&error.field, kind), error);
    }
    out.push_str("])");
}

fn write_error(out: &mut String, field: &str, error: &FieldError) {
    let _ = match (error.kind, &error.bad_value) {
        (ErrorKind::Required, _) => write!(out, "{field}: Required value"),
        (ErrorKind::Forbidden, BadValue::None) => write!(out, "{field}: Forbidden"),
        (ErrorKind::Forbidden, value) => {
            write!(out, "{field} is forbidden, forbidden values found: {value}")
        }
    };
}

/// The field as reported for a resource of `kind`: every `spec` becomes the controller's
/// pod-spec path, then every `metadata` (for every kind, Pods included) becomes
/// `spec.template.metadata` — naive substring replacement (podsecurity.md §3.6, quirk).
pub fn rewrite_field(field: &str, kind: &str) -> String {
    let spec = if TEMPLATE_KINDS.contains(&kind) {
        field.replace("spec", "spec.template.spec")
    } else if kind == "CronJob" {
        field.replace("spec", "spec.jobTemplate.spec.template.spec")
    } else {
        field.to_string()
    };
    spec.replace("metadata", "spec.template.metadata")
}
