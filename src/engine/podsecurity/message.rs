//! The rule messages of a podSecurity subrule (podsecurity.md §3.6): the pass and fail
//! texts, each failing check as one group, and the field-path rewrite for controllers.
//! A failing subrule's message is written straight into one string: it is built for every
//! failing podSecurity rule of every request.

use super::pod::TEMPLATE_KINDS;
use super::types::{BadValue, ErrorKind, FieldError};

/// `Validation rule '<rule>' passed.`
pub fn pass(rule: &str) -> String {
    let mut out = String::with_capacity(rule.len() + 26);
    out.push_str("Validation rule '");
    out.push_str(rule);
    out.push_str("' passed.");
    out
}

/// `Validation rule '<rule>' failed. It violates PodSecurity "<level>:<version>": <checks>`,
/// with the level and version as the policy writes them; `checks` gives each failing check
/// as its forbidden reason and its field errors.
pub fn fail<'e, E>(
    rule: &str,
    level: &str,
    version: &str,
    kind: &str,
    checks: impl Iterator<Item = (&'static str, E)> + Clone,
) -> String
where
    E: IntoIterator<Item = &'e FieldError>,
{
    let mut out = String::with_capacity(estimate(rule, checks.clone()));
    out.push_str("Validation rule '");
    out.push_str(rule);
    out.push_str("' failed. It violates PodSecurity \"");
    out.push_str(level);
    out.push(':');
    out.push_str(version);
    out.push_str("\": ");
    for (reason, errors) in checks {
        write_check(&mut out, kind, reason, errors);
    }
    out
}

/// About the length of the failure message, so that it is written without regrowing:
/// rewritten fields are at most about twice as long as the originals.
fn estimate<'e, E>(rule: &str, checks: impl Iterator<Item = (&'static str, E)>) -> usize
where
    E: IntoIterator<Item = &'e FieldError>,
{
    let fixed = 80 + rule.len();
    let groups: usize = checks
        .map(|(reason, errors)| {
            let fields: usize = errors.into_iter().map(|e| 2 * e.field.len() + 48).sum();
            40 + reason.len() + fields
        })
        .sum();
    fixed + groups
}

/// `(Forbidden reason: <reason>, field error list: [<e1>, <e2>])`; groups have no separator.
fn write_check<'e>(
    out: &mut String,
    kind: &str,
    reason: &str,
    errors: impl IntoIterator<Item = &'e FieldError>,
) {
    out.push_str("(Forbidden reason: ");
    out.push_str(reason);
    out.push_str(", field error list: [");
    for (i, error) in errors.into_iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_error(out, kind, error);
    }
    out.push_str("])");
}

fn write_error(out: &mut String, kind: &str, error: &FieldError) {
    push_field(out, &error.field, kind);
    match (error.kind, &error.bad_value) {
        (ErrorKind::Required, _) => out.push_str(": Required value"),
        (ErrorKind::Forbidden, BadValue::None) => out.push_str(": Forbidden"),
        (ErrorKind::Forbidden, value) => {
            out.push_str(" is forbidden, forbidden values found: ");
            // Writing into a String cannot fail.
            let _ = value.write_to(out);
        }
    }
}

/// The field as reported for a resource of `kind`: every `spec` becomes the controller's
/// pod-spec path, then every `metadata` (for every kind, Pods included) becomes
/// `spec.template.metadata` — naive substring replacement (podsecurity.md §3.6, quirk).
pub fn rewrite_field(field: &str, kind: &str) -> String {
    let mut out = String::with_capacity(2 * field.len());
    push_field(&mut out, field, kind);
    out
}

/// Appends [`rewrite_field`]'s result in one left-to-right pass. That equals the two
/// successive replacements: `spec` and `metadata` share no letter at which one could
/// overlap the other, and neither replacement text contains `metadata` or can form it
/// with its neighbours (it starts with `s` and ends with `c`, letters `metadata` lacks).
fn push_field(out: &mut String, field: &str, kind: &str) {
    let spec = pod_spec_path(kind);
    let mut rest = field;
    while let Some(at) = rest.find(['s', 'm']) {
        let (before, from) = rest.split_at(at);
        out.push_str(before);
        rest = if let Some(after) = from.strip_prefix("spec") {
            out.push_str(spec);
            after
        } else if let Some(after) = from.strip_prefix("metadata") {
            out.push_str("spec.template.metadata");
            after
        } else {
            // `s` or `m`: one ASCII byte.
            out.push_str(&from[..1]);
            &from[1..]
        };
    }
    out.push_str(rest);
}

/// The path of the pod spec inside a resource of `kind`, which replaces each `spec`.
fn pod_spec_path(kind: &str) -> &'static str {
    if TEMPLATE_KINDS.contains(&kind) {
        "spec.template.spec"
    } else if kind == "CronJob" {
        "spec.jobTemplate.spec.template.spec"
    } else {
        "spec"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition of podsecurity.md §3.6: two successive naive replacements.
    fn replaced_twice(field: &str, kind: &str) -> String {
        let spec = field.replace("spec", pod_spec_path(kind));
        spec.replace("metadata", "spec.template.metadata")
    }

    #[test]
    fn one_pass_rewrite_equals_two_replacements() {
        let fields = [
            "spec.containers[0].securityContext.capabilities.add",
            "spec.securityContext.seccompProfile.type",
            "metadata.annotations[container.apparmor.security.beta.kubernetes.io/app]",
            "metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]",
            "spec.volumes[2].hostPath",
            "smspecmetadatametadatspecspecmetadata",
            "mmetadata.sspec",
            "",
            "spe",
            "üspecßmetadata",
        ];
        for kind in ["Pod", "Deployment", "CronJob", "Job", "ConfigMap"] {
            for field in fields {
                assert_eq!(
                    rewrite_field(field, kind),
                    replaced_twice(field, kind),
                    "{kind} {field}"
                );
            }
        }
    }

    #[test]
    fn rewrites_as_kyverno_reports_controllers() {
        assert_eq!(
            rewrite_field("spec.containers[0].securityContext", "CronJob"),
            "spec.jobTemplate.spec.template.spec.containers[0].securityContext"
        );
        assert_eq!(
            rewrite_field("metadata.annotations[x]", "Pod"),
            "spec.template.metadata.annotations[x]"
        );
    }
}
