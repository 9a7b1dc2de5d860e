//! Exclusions: each entry evaluates a probe pod and every excusing field error it yields
//! removes one matching error from the pod's failing checks (podsecurity.md §3.4). The
//! failing checks stay where they were evaluated; removals only drop references to them.

use super::checks::{Check, check, evaluate_where};
use super::controls::{CheckId, ControlName, Exclusion};
use super::pod::{Container, ListKind, Pod};
use super::types::{CheckResult, FieldError, Level, Version};
use crate::value::wildcard;

/// A failing check as exclusions leave it: the evaluated result and its errors still standing.
#[derive(Clone, Debug)]
pub struct Kept<'r> {
    pub result: &'r CheckResult,
    pub errors: Vec<&'r FieldError>,
}

/// The failing checks exclusions leave standing: all of the evaluated ones until an entry
/// excuses an error, then the kept ones, in registration order (one of the orders Kyverno's
/// hash map may produce, §3.4 step 4).
#[derive(Clone, Debug)]
pub struct Standing<'r> {
    evaluated: &'r [CheckResult],
    /// `None` while nothing is excused.
    kept: Option<Vec<Kept<'r>>>,
}

/// What [`Standing::view`] shows.
pub enum View<'s, 'r> {
    Evaluated(&'r [CheckResult]),
    Kept(&'s [Kept<'r>]),
}

impl<'r> Standing<'r> {
    /// Every check of `evaluated` standing with all its errors.
    pub fn new(evaluated: &'r [CheckResult]) -> Standing<'r> {
        Standing {
            evaluated,
            kept: None,
        }
    }

    pub fn is_empty(&self) -> bool {
        match &self.kept {
            None => self.evaluated.is_empty(),
            Some(kept) => kept.is_empty(),
        }
    }

    /// The standing checks: the evaluated ones while nothing is excused.
    pub fn view(&self) -> View<'_, 'r> {
        match &self.kept {
            None => View::Evaluated(self.evaluated),
            Some(kept) => View::Kept(kept),
        }
    }

    /// The standing checks as owned results.
    pub fn to_results(&self) -> Vec<CheckResult> {
        match self.view() {
            View::Evaluated(evaluated) => evaluated.to_vec(),
            View::Kept(kept) => kept.iter().map(Kept::to_result).collect(),
        }
    }

    /// Whether check `id` still stands.
    fn has(&self, id: CheckId) -> bool {
        match self.view() {
            View::Evaluated(evaluated) => evaluated.iter().any(|r| r.id == id),
            View::Kept(kept) => kept.iter().any(|k| k.result.id == id),
        }
    }

    /// Whether a standing check belongs to `control`: only then can an entry naming it
    /// excuse anything.
    fn has_control(&self, control: ControlName) -> bool {
        let of_control = |id: CheckId| check(id).control == Some(control);
        match self.view() {
            View::Evaluated(evaluated) => evaluated.iter().any(|r| of_control(r.id)),
            View::Kept(kept) => kept.iter().any(|k| of_control(k.result.id)),
        }
    }

    /// The kept checks, all of them the first time something is excused.
    fn kept_mut(&mut self) -> &mut Vec<Kept<'r>> {
        let evaluated = self.evaluated;
        self.kept
            .get_or_insert_with(|| evaluated.iter().map(Kept::all).collect())
    }
}

impl<'r> Kept<'r> {
    fn all(result: &'r CheckResult) -> Kept<'r> {
        Kept {
            result,
            errors: result.errors.iter().collect(),
        }
    }

    fn to_result(&self) -> CheckResult {
        CheckResult {
            id: self.result.id,
            reason: self.result.reason,
            errors: self.errors.iter().map(|e| (*e).clone()).collect(),
        }
    }
}

/// Removes from `standing` (the failing checks of `pod`) every error excused by
/// `exclusions`, entry by entry; a check left without errors is dropped. An entry whose
/// control has no standing check is skipped: its probe could excuse nothing.
pub fn apply_exclusions(
    level: Level,
    version: Version,
    pod: &Pod,
    standing: &mut Standing,
    exclusions: &[Exclusion],
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
            .filter(|c| x.images.iter().any(|p| wildcard::matches(p, c.image())))
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
    key_chars(field).collect()
}

/// The characters of `key(field)`, without building it.
fn key_chars(field: &str) -> impl Iterator<Item = char> + '_ {
    let mut previous_digit = false;
    field.chars().filter_map(move |c| {
        let digit = c.is_ascii_digit();
        let first_of_run = digit && !previous_digit;
        previous_digit = digit;
        match (digit, first_of_run) {
            (false, _) => Some(c),
            (true, true) => Some('*'),
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
            .all(|bad| x.values.iter().any(|p| wildcard::matches(p, bad)))
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
        if !standing.has(self.id) {
            return;
        }
        let kept = standing.kept_mut();
        let Some(at) = kept.iter().position(|k| k.result.id == self.id) else {
            return;
        };
        let errors = &mut kept[at].errors;
        let Some(found) = errors.iter().position(|d| self.matches(d, pod)) else {
            return;
        };
        errors.swap_remove(found);
        if errors.is_empty() {
            kept.remove(at);
        }
    }

    fn matches(&self, default_error: &FieldError, pod: &Pod) -> bool {
        if !key_chars(&default_error.field).eq(self.key.chars()) {
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
