//! Takes the policy's `pod-policies.kyverno.io/autogen-controllers` annotation; returns the
//! controller kinds autogen serves (rules.md §3.1) and how they are grouped into generated
//! rule sets, each with the kind selectors its rules match (rules.md §3.5).

pub const ANNOTATION: &str = "pod-policies.kyverno.io/autogen-controllers";
pub const CRONJOB: &str = "CronJob";
const CRONJOB_SELECTOR: &str = "batch/v1/CronJob";

/// Kyverno's pod controllers with their fully qualified selectors, in the order used when
/// the annotation is absent.
const CONTROLLERS: &[(&str, &str)] = &[
    ("DaemonSet", "apps/v1/DaemonSet"),
    ("Deployment", "apps/v1/Deployment"),
    ("Job", "batch/v1/Job"),
    ("StatefulSet", "apps/v1/StatefulSet"),
    ("ReplicaSet", "apps/v1/ReplicaSet"),
    ("ReplicationController", "v1/ReplicationController"),
    (CRONJOB, CRONJOB_SELECTOR),
];

/// Kyverno's selector table also qualifies `Pod`, which an annotation may list.
const POD: (&str, &str) = ("Pod", "v1/Pod");

/// `all` in an annotation is not a kind: a resource of kind `all` gets rules for the six
/// non-CronJob controllers.
const ALL: &str = "all";

/// The controller kinds a policy's rules are generated for.
///
/// An annotation value is split on `,` without trimming (`"Deployment, Job"` lists
/// `" Job"`, which no resource kind equals). `none` entries and empty entries are dropped:
/// a resource of kind `none` always gets the policy's own rules, and every resource has a
/// kind.
pub fn from_annotation(value: Option<&str>) -> Vec<String> {
    let Some(value) = value else {
        return CONTROLLERS.iter().map(|(k, _)| k.to_string()).collect();
    };
    let mut kinds: Vec<String> = Vec::new();
    for entry in value.split(',') {
        if !entry.is_empty() && entry != "none" && !kinds.iter().any(|k| k == entry) {
            kinds.push(entry.to_string());
        }
    }
    kinds
}

/// What the rules of one group look like.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shape {
    /// `autogen-<name>`: Pod filters match these selectors; the pod is at `spec.template`.
    Template(Vec<String>),
    /// `autogen-cronjob-<name>`: every filter matches `batch/v1/CronJob`; the pod is at
    /// `spec.jobTemplate.spec.template`.
    CronJob,
}

impl Shape {
    pub fn cronjob_selector() -> &'static str {
        CRONJOB_SELECTOR
    }
}

/// Controllers that share one generated rule set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    pub controllers: Vec<String>,
    pub shape: Shape,
}

/// Groups the controllers so that one rule set serves each group.
///
/// Kyverno generates the rules per resource kind `K`, listing only `K`'s selector. Listing
/// the selectors of several controllers in one rule instead is equivalent as long as no
/// listed selector can match a resource of another listed kind: true of plain kind names
/// (no wildcard, no `/`, no `.`), since a resource only matches its own kind. Every other
/// entry (a wildcard, a group/version or subresource selector, `all`) gets its own group;
/// CronJob always does, because its rules differ.
pub fn groups(controllers: &[String]) -> Vec<Group> {
    let template = |controllers: Vec<String>| {
        let selectors = controllers.iter().flat_map(|c| selectors(c)).collect();
        Group {
            controllers,
            shape: Shape::Template(selectors),
        }
    };
    let (plain, special): (Vec<String>, Vec<String>) = controllers
        .iter()
        .filter(|c| *c != CRONJOB)
        .cloned()
        .partition(|c| is_plain(c));
    let mut groups = Vec::new();
    if !plain.is_empty() {
        groups.push(template(plain));
    }
    groups.extend(special.into_iter().map(|c| template(vec![c])));
    if controllers.iter().any(|c| c == CRONJOB) {
        groups.push(Group {
            controllers: vec![CRONJOB.to_string()],
            shape: Shape::CronJob,
        });
    }
    groups
}

fn is_plain(controller: &str) -> bool {
    controller != ALL && !controller.contains(['*', '?', '/', '.'])
}

/// The selectors written into rules generated for one controller.
fn selectors(controller: &str) -> Vec<String> {
    if controller == ALL {
        return CONTROLLERS
            .iter()
            .filter(|(k, _)| *k != CRONJOB)
            .map(|(_, s)| s.to_string())
            .collect();
    }
    let qualified = CONTROLLERS
        .iter()
        .chain([&POD])
        .find(|(k, _)| *k == controller)
        .map_or(controller, |(_, s)| s);
    vec![qualified.to_string()]
}

/// Whether a kind is listed verbatim as one Kyverno knows as a pod controller, or `Pod`
/// (policy-level eligibility, rules.md §3.2).
pub fn is_pod_or_controller(kind: &str) -> bool {
    kind == POD.0 || CONTROLLERS.iter().any(|(k, _)| *k == kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn wildcard_and_all_entries_get_their_own_groups() {
        let groups = groups(&strings(&[
            "Deployment",
            "Deploy*",
            "CronJob",
            "all",
            "Foo",
        ]));
        let shapes: Vec<_> = groups.iter().map(|g| (&g.controllers, &g.shape)).collect();
        assert_eq!(
            shapes,
            vec![
                (
                    &strings(&["Deployment", "Foo"]),
                    &Shape::Template(strings(&["apps/v1/Deployment", "Foo"]))
                ),
                (
                    &strings(&["Deploy*"]),
                    &Shape::Template(strings(&["Deploy*"]))
                ),
                (
                    &strings(&["all"]),
                    &Shape::Template(strings(&[
                        "apps/v1/DaemonSet",
                        "apps/v1/Deployment",
                        "batch/v1/Job",
                        "apps/v1/StatefulSet",
                        "apps/v1/ReplicaSet",
                        "v1/ReplicationController"
                    ]))
                ),
                (&strings(&["CronJob"]), &Shape::CronJob),
            ]
        );
    }
}
