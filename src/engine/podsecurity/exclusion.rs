//! Exclusions: each entry evaluates a probe pod and every excusing field error it yields
//! removes one matching error from the pod's failing checks (podsecurity.md §3.4).

use super::checks::{Check, evaluate_where};
use super::controls::{CheckId, Exclusion};
use super::pod::{Container, ListKind, Pod};
use super::standing::Standing;
use super::types::{FieldError, Level, Version};

/// Removes from `standing` (the failing checks of `pod`) every error excused by
/// `exclusions`, entry by entry; a check left without errors is dropped. An entry whose
/// control has no standing check is skipped: its probe could excuse nothing.
pub fn apply_exclusions<'x>(
    level: Level,
    version: Version,
    pod: &Pod,
    standing: &mut Standing,
    exclusions: impl IntoIterator<Item = &'x Exclusion>,
) {
    for exclusion in exclusions {
        if standing.is_empty() {
            break;
        }
        if standing.has_control(exclusion.control) {
            apply(level, version, pod, standing, exclusion);
        }
    }
}

fn apply(level: Level, version: Version, pod: &Pod, standing: &mut Standing, x: &Exclusion) {
    let probe = Probe::new(pod, x);
    // Errors of checks no longer standing would remove nothing.
    let wanted = |c: &Check| c.control == Some(x.control) && standing.has(c.id);
    let probe_results = evaluate_where(level, version, &probe.pod, wanted);
    for probe_result in &probe_results {
        for error in &probe_result.errors {
            let error_key = key(&error.field);
            if excusing(x, error, &error_key) {
                let excused = Excused {
                    id: probe_result.id,
                    key: &error_key,
                    container: probe.container_of(&error.field),
                };
                excused.remove_from(standing, pod);
            }
        }
    }
}

/// The pod an exclusion entry is evaluated on (podsecurity.md §3.4 step 3.1).
struct Probe<'a> {
    pod: Pod<'a>,
    /// Built from the containers whose image matches the entry's `images`.
    container_level: bool,
}

impl<'a> Probe<'a> {
    fn new(pod: &Pod<'a>, x: &Exclusion) -> Probe<'a> {
        if x.images.is_empty() {
            return Probe::pod_level(pod);
        }
        let mut next_index = [0; 3];
        let containers = pod
            .containers
            .iter()
            .filter(|c| {
                let image = c.image();
                x.images.iter().any(|p| p.matches(image))
            })
            .map(|c| {
                let slot = &mut next_index[c.list as usize];
                let index = *slot;
                *slot += 1;
                c.renumbered(index)
            })
            .collect();
        let pod = Pod {
            metadata: None,
            spec: None,
            containers,
        };
        Probe {
            pod,
            container_level: true,
        }
    }

    /// The pod with its container lists replaced by one `{name: "fake"}` container.
    fn pod_level(pod: &Pod<'a>) -> Probe<'a> {
        let pod = Pod {
            metadata: pod.metadata,
            spec: pod.spec,
            containers: vec![Container::fake()],
        };
        Probe {
            pod,
            container_level: false,
        }
    }

    /// The name of the probe container `field` designates, for a container-level probe.
    fn container_of(&self, field: &str) -> Option<&'a str> {
        if !self.container_level {
            return None;
        }
        container_name(&self.pod, field)
    }
}

/// The name of the container of `pod` that `field` designates, if it designates one: its
/// second alphabetic token names a container list, its first number is the index.
fn container_name<'a>(pod: &Pod<'a>, field: &str) -> Option<&'a str> {
    let mut words = field
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty());
    let list = ListKind::from_segment(words.nth(1)?)?;
    let index = field
        .split(|c: char| !c.is_ascii_digit())
        .find(|run| !run.is_empty())?
        .parse()
        .ok()?;
    Some(pod.container(list, index)?.name())
}

/// `key(e)`: the field with every run of ASCII digits replaced by `*`.
pub fn key(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut rest = field;
    while let Some(start) = rest.find(|c: char| c.is_ascii_digit()) {
        out.push_str(&rest[..start]);
        out.push('*');
        let run = &rest[start..];
        let end = run.find(|c: char| !c.is_ascii_digit()).unwrap_or(run.len());
        rest = &run[end..];
    }
    out.push_str(rest);
    out
}

/// The bytes of `key(field)`, without building it (ASCII digits are single bytes, so the
/// other characters pass through whole).
fn key_bytes(field: &str) -> impl Iterator<Item = u8> + '_ {
    let mut previous_digit = false;
    field.bytes().filter_map(move |b| {
        let digit = b.is_ascii_digit();
        let first_of_run = digit && !previous_digit;
        previous_digit = digit;
        match (digit, first_of_run) {
            (false, _) => Some(b),
            (true, true) => Some(b'*'),
            (true, false) => None,
        }
    })
}

/// Whether a probe error is excusing: its key is the restricted field (when one is set) and
/// every bad value matches a `values` pattern (when any are set).
fn excusing(x: &Exclusion, error: &FieldError, error_key: &str) -> bool {
    if x.restricted_field().is_some_and(|field| field != error_key) {
        return false;
    }
    x.values.is_empty()
        || error
            .bad_value
            .strings()
            .iter()
            .all(|bad| x.values.iter().any(|p| p.matches(bad)))
}

/// One excusing error of a probe.
struct Excused<'k, 'a> {
    id: CheckId,
    key: &'k str,
    /// The probe container it designates, for a container-level probe.
    container: Option<&'a str>,
}

impl Excused<'_, '_> {
    /// Removes the first error of the same check with the same key (and, for a container
    /// field of a container-level probe, of a container with the same name), swapping the
    /// last error into its slot; drops the check when no error is left.
    fn remove_from(&self, standing: &mut Standing, pod: &Pod) {
        standing.remove_first(self.id, |d| self.matches(d, pod));
    }

    fn matches(&self, default_error: &FieldError, pod: &Pod) -> bool {
        if !key_bytes(&default_error.field).eq(self.key.bytes()) {
            return false;
        }
        match self.container {
            Some(name) => container_name(pod, &default_error.field) == Some(name),
            None => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_replaces_every_digit_run() {
        assert_eq!(
            key("spec.initContainers[0].ports[12].hostPort"),
            "spec.initContainers[*].ports[*].hostPort"
        );
        assert_eq!(
            key("metadata.annotations[a/nginx1]"),
            "metadata.annotations[a/nginx*]"
        );
        assert_eq!(key("spec.hostPID"), "spec.hostPID");
        assert_eq!(key("7aé٢x42"), "*aé٢x*");
        let field = "spec.containers[10].ports[2]";
        assert!(key_bytes(field).eq(key(field).bytes()));
    }

    #[test]
    fn container_name_reads_list_and_first_index() {
        let spec = serde_json::json!({"initContainers": [{"name": "i0"}, {"name": "i1"}]});
        let pod = Pod::new(None, Some(&spec));
        let field = "spec.initContainers[1].ports[0].hostPort";
        assert_eq!(container_name(&pod, field), Some("i1"));
        assert_eq!(container_name(&pod, "spec.volumes[1].hostPath"), None);
        assert_eq!(
            container_name(&pod, "spec.containers[0].securityContext"),
            None
        );
    }
}
