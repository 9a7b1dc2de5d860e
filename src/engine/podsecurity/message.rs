//! The rule messages of a podSecurity subrule (podsecurity.md §3.6): the pass and fail
//! texts, each failing check as one group, and the field-path rewrite for controllers.
//! Messages are written straight into pre-sized strings: one is built for every failing
//! podSecurity rule of every request.

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

/// `Validation rule '<rule>' failed. It violates PodSecurity "<level>:<version>": <groups>`,
/// `violates` being what [`violates`] writes for the level and version, and each failing
/// check's [`group`] following the previous one without a separator.
pub fn fail<G: AsRef<str>>(
    rule: &str,
    violates: &str,
    groups: impl Iterator<Item = G> + Clone,
) -> String {
    const LEAD: &str = "Validation rule '";
    let groups_length: usize = groups.clone().map(|g| g.as_ref().len()).sum();
    let mut out = String::with_capacity(LEAD.len() + rule.len() + violates.len() + groups_length);
    out.push_str(LEAD);
    out.push_str(rule);
    out.push_str(violates);
    for group in groups {
        out.push_str(group.as_ref());
    }
    out
}

/// `' failed. It violates PodSecurity "<level>:<version>": `, the part of a fail message
/// between the rule's name and the groups (written once per rule).
pub fn violates(level: &str, version: &str) -> String {
    [
        "' failed. It violates PodSecurity \"",
        level,
        ":",
        version,
        "\": ",
    ]
    .concat()
}

/// One failing check of a resource of `kind`:
/// `(Forbidden reason: <reason>, field error list: [<e1>, <e2>])`.
pub fn group<'e>(
    kind: &str,
    reason: &str,
    errors: impl Iterator<Item = &'e FieldError> + Clone,
) -> String {
    // A guess that covers most rewritten fields; the string grows if it falls short.
    let estimate: usize = errors.clone().map(|e| 2 * e.field.len() + 48).sum();
    let mut out = String::with_capacity(40 + reason.len() + estimate);
    out.push_str("(Forbidden reason: ");
    out.push_str(reason);
    out.push_str(", field error list: [");
    for (i, error) in errors.enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_error(&mut out, kind, error);
    }
    out.push_str("])");
    out
}

fn write_error(out: &mut String, kind: &str, error: &FieldError) {
    if error.field.is_spec_rooted() {
        // Only the leading `spec` can change: nothing to look for.
        out.push_str(pod_spec_path(kind));
        error.field.write_after_spec(out);
    } else {
        push_field(out, &error.field.text(), kind);
    }
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
/// successive replacements: no end of `spec` begins `metadata` or the reverse, so their
/// occurrences never overlap, and no `spec` replacement contains `metadata` or forms it
/// with its neighbours (it starts with `s` and ends with `c`, letters `metadata` lacks).
fn push_field(out: &mut String, field: &str, kind: &str) {
    let spec = pod_spec_path(kind);
    let bytes = field.as_bytes();
    // Where `spec` stays itself (a Pod's fields) only `metadata` moves: only `m` is looked for.
    if spec == "spec" {
        push_rewritten(out, field, spec, memchr::memchr_iter(b'm', bytes));
    } else {
        push_rewritten(out, field, spec, memchr::memchr2_iter(b's', b'm', bytes));
    }
}

/// Appends `field` with each `spec` and `metadata` starting at one of `candidates` (byte
/// positions, ascending) replaced.
fn push_rewritten(
    out: &mut String,
    field: &str,
    spec: &str,
    candidates: impl Iterator<Item = usize>,
) {
    // `field[copied..]` is not written yet; it starts at a word's end, a character boundary.
    let mut copied = 0;
    for at in candidates {
        if at < copied {
            continue;
        }
        let from = &field[at..];
        let (word, replacement) = if from.starts_with("spec") {
            ("spec", spec)
        } else if from.starts_with("metadata") {
            ("metadata", "spec.template.metadata")
        } else {
            continue;
        };
        out.push_str(&field[copied..at]);
        out.push_str(replacement);
        copied = at + word.len();
    }
    out.push_str(&field[copied..]);
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
