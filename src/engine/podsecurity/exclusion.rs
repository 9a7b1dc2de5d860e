//! Exclusions: each entry evaluates a probe pod and every excusing field error it yields
//! removes one matching error from the pod's failing checks (podsecurity.md §3.4).

use super::checks::CHECKS;
use super::controls::{CheckId, Exclusion};
use super::memo::Probes;
use super::pod::{Container, ListKind, Pod};
use super::standing::Standing;
use super::types::{ContainerField, Field, FieldError, Level, Version};

/// Removes from `standing` (the failing checks of `pod`) every error excused by
/// `exclusions`, entry by entry; a check left without errors is dropped. An entry whose
/// control has no standing check is skipped: its probe could excuse nothing. The probes'
/// checks run through `probes`, which must only ever see this same pod.
pub fn apply_exclusions<'x>(
    level: Level,
    version: Version,
    pod: &Pod,
    standing: &mut Standing,
    exclusions: impl IntoIterator<Item = &'x Exclusion>,
    probes: &mut Probes,
) {
    for exclusion in exclusions {
        if standing.is_empty() {
            break;
        }
        if standing.has_control(exclusion.control) {
            apply(level, version, pod, standing, exclusion, probes);
        }
    }
}

fn apply(
    level: Level,
    version: Version,
    pod: &Pod,
    standing: &mut Standing,
    x: &Exclusion,
    probes: &mut Probes,
) {
    let at = probes.probe(&x.images, pod);
    if !x.images.is_empty() && probes.picked(at).is_empty() {
        // The probe holds no container and nothing of the pod's spec: no check finds an
        // error there (see the test `no_check_fails_a_probe_without_containers`), so the
        // entry excuses nothing.
        return;
    }
    let probe = Probe::new(pod, x, probes.picked(at));
    for check in CHECKS.iter() {
        // Errors of checks no longer standing would remove nothing.
        let wanted = check.control == Some(x.control) && standing.has(check.id);
        if !wanted || !level.runs(check.level) {
            continue;
        }
        let Some(imp) = check.implementation(version) else {
            continue;
        };
        let Some(probed) = probes.run(at, check, imp, &probe.pod) else {
            continue;
        };
        for (error, error_key) in probed.result.errors.iter().zip(&probed.keys) {
            if excusing(x, error, error_key) {
                let excused = Excused {
                    id: probed.result.id,
                    key: error_key,
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
    /// The probe of entry `x`, keeping the containers at positions `picked` (those whose
    /// image matches the entry's `images`).
    fn new(pod: &Pod<'a>, x: &Exclusion, picked: &[usize]) -> Probe<'a> {
        if x.images.is_empty() {
            return Probe::pod_level(pod);
        }
        let mut next_index = [0; 3];
        let containers = picked
            .iter()
            .map(|&i| pod.containers[i])
            .map(|c| {
                let slot = &mut next_index[c.list as usize];
                let index = *slot;
                *slot += 1;
                c.renumbered(index)
            })
            .collect();
        let pod = Pod::of_parts(None, None, containers);
        Probe {
            pod,
            container_level: true,
        }
    }

    /// The pod with its container lists replaced by one `{name: "fake"}` container.
    fn pod_level(pod: &Pod<'a>) -> Probe<'a> {
        let pod = pod.with_containers(vec![Container::fake()]);
        Probe {
            pod,
            container_level: false,
        }
    }

    /// The name of the probe container `field` designates, for a container-level probe.
    fn container_of(&self, field: &Field) -> Option<&'a str> {
        if !self.container_level {
            return None;
        }
        container_name(&self.pod, field)
    }
}

/// The name of the container of `pod` that `field` designates, if it designates one.
fn container_name<'a>(pod: &Pod<'a>, field: &Field) -> Option<&'a str> {
    let (list, index) = match field.parts() {
        Some(parts) => (parts.list, parts.index),
        None => designated(&field.text())?,
    };
    Some(pod.container(list, index)?.name())
}

/// The container list and index a field's text designates: its second alphabetic token
/// names a container list, its first number is the index.
fn designated(field: &str) -> Option<(ListKind, usize)> {
    let bytes = field.as_bytes();
    // Runs of ASCII letters: the second names the list.
    let mut words = bytes
        .split(|b| !b.is_ascii_alphabetic())
        .filter(|w| !w.is_empty());
    let list = std::str::from_utf8(words.nth(1)?).ok()?;
    let list = ListKind::from_segment(list)?;
    let start = bytes.iter().position(u8::is_ascii_digit)?;
    let digits = bytes[start..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    // ASCII digits are single bytes: the run is on character boundaries.
    let index = field[start..start + digits].parse().ok()?;
    Some((list, index))
}

/// `key(e)`: the field with every run of ASCII digits replaced by `*`.
pub fn key(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    push_key(&mut out, field);
    out
}

/// Appends [`key`] of `field`.
fn push_key(out: &mut String, field: &str) {
    let bytes = field.as_bytes();
    let mut copied = 0;
    let mut at = 0;
    while at < bytes.len() {
        if !bytes[at].is_ascii_digit() {
            at += 1;
            continue;
        }
        // ASCII digits are single bytes: every cut is on a character boundary.
        out.push_str(&field[copied..at]);
        out.push('*');
        while at < bytes.len() && bytes[at].is_ascii_digit() {
            at += 1;
        }
        copied = at;
    }
    out.push_str(&field[copied..]);
}

/// [`key`] of a field error's path. A container's field is composed from its parts: its
/// indices are the only digit runs between them, so each becomes `*` and the item and the
/// suffix are keyed alone.
pub fn field_key(field: &Field) -> String {
    let Some(parts) = field.parts() else {
        return key(&field.text());
    };
    // Written piece by piece: collecting `field_key_bytes` byte by byte cost about 3k
    // instructions per review more.
    let mut out = String::with_capacity(field.len());
    out.push_str("spec");
    out.push_str(parts.list.opening());
    out.push_str("*].");
    if let Some((item, _)) = parts.item {
        push_key(&mut out, item);
        out.push_str("[*].");
    }
    push_key(&mut out, parts.suffix);
    out
}

/// Whether `key` is [`field_key`] of `field`, found without building either text.
fn key_matches(field: &Field, key: &str) -> bool {
    match field.parts() {
        None => key_bytes(&field.text()).eq(key.bytes()),
        Some(parts) => field_key_bytes(parts).eq(key.bytes()),
    }
}

/// The bytes of [`field_key`] for a container's field.
fn field_key_bytes(parts: &ContainerField) -> impl Iterator<Item = u8> + '_ {
    let head = ["spec", parts.list.opening(), "*]."];
    let item = parts
        .item
        .into_iter()
        .flat_map(|(item, _)| key_bytes(item).chain(*b"[*]."));
    head.into_iter()
        .flat_map(str::bytes)
        .chain(item)
        .chain(key_bytes(parts.suffix))
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
        if !key_matches(&default_error.field, self.key) {
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
    use crate::engine::podsecurity::pod::Suffix;

    /// What `apply` relies on to skip an entry whose images pick no container: the probe
    /// pod, with neither containers nor spec nor metadata, fails no implementation of any
    /// check.
    #[test]
    fn no_check_fails_a_probe_without_containers() {
        let probe = Pod::of_parts(None, None, Vec::new());
        for check in CHECKS.iter() {
            for imp in check.versions {
                let found = check.run_at(imp, &probe);
                assert!(
                    found.is_none(),
                    "{:?} since 1.{}: {found:?}",
                    check.id,
                    imp.since
                );
            }
        }
    }

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

    /// A container field's key composed from its parts is the key of its text, with or
    /// without an item, digits in the parts included; it matches only that key.
    #[test]
    fn container_field_keys_are_their_texts_keys() {
        let spec = serde_json::json!({
            "initContainers": [{}],
            "containers": [{}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}],
        });
        let pod = Pod::new(None, Some(&spec));
        let suffixes = [
            Suffix::new("securityContext.capabilities.add"),
            Suffix::new("ports"),
            Suffix::new("a1b.c22d"),
        ];
        for c in &pod.containers {
            for suffix in suffixes {
                for field in [
                    c.path(suffix),
                    c.item_path(suffixes[1], 10, suffix),
                    c.item_path(suffixes[2], 3, suffix),
                ] {
                    let want = key(&field.text());
                    assert_eq!(field_key(&field), want, "{field}");
                    assert!(key_matches(&field, &want), "{field}");
                    assert!(!key_matches(&field, &want[1..]), "{field}");
                    assert!(!key_matches(&field, &format!("{want}x")), "{field}");
                }
            }
        }
        let text = Field::from("spec.volumes[12].hostPath".to_string());
        assert_eq!(field_key(&text), "spec.volumes[*].hostPath");
        assert!(key_matches(&text, "spec.volumes[*].hostPath"));
    }

    #[test]
    fn container_name_reads_list_and_first_index() {
        let spec = serde_json::json!({"initContainers": [{"name": "i0"}, {"name": "i1"}]});
        let pod = Pod::new(None, Some(&spec));
        let text = |t: &str| Field::from(t.to_string());
        let field = text("spec.initContainers[1].ports[0].hostPort");
        assert_eq!(container_name(&pod, &field), Some("i1"));
        assert_eq!(
            container_name(&pod, &text("spec.volumes[1].hostPath")),
            None
        );
        assert_eq!(
            container_name(&pod, &text("spec.containers[0].securityContext")),
            None
        );
        // A field built from a container's parts designates it without being read.
        let (ports, host_port) = (Suffix::new("ports"), Suffix::new("hostPort"));
        let built = pod.containers[1].item_path(ports, 0, host_port);
        assert_eq!(built, field);
        let parts = built.parts().map(|p| (p.list, p.index));
        assert_eq!(parts, designated(&built.text()));
        assert_eq!(container_name(&pod, &built), Some("i1"));
    }

    /// Entries with the same images, in separate lists, share one probe and each check's
    /// run on it; other images build their own probe.
    #[test]
    fn entries_with_the_same_images_share_a_probe() {
        use super::super::checks::CHECKS;
        use super::super::controls::CheckId;
        let spec = serde_json::json!({
            "initContainers": [{"name": "mesh", "image": "docker.io/istio/proxyv2:1",
                "securityContext": {"capabilities": {"add": ["NET_ADMIN"]}}}],
            "containers": [{"name": "app", "image": "nginx"}],
        });
        let pod = Pod::new(None, Some(&spec));
        let images = |list: &[&str]| -> std::sync::Arc<[_]> {
            list.iter()
                .map(|i| crate::compile::matching::Pattern::new(i))
                .collect()
        };
        let mut probes = Probes::default();
        let mesh = probes.probe(&images(&["*/istio/proxyv2*"]), &pod);
        assert_eq!(probes.probe(&images(&["*/istio/proxyv2*"]), &pod), mesh);
        assert_eq!(probes.picked(mesh), [0]);
        let app = probes.probe(&images(&["nginx"]), &pod);
        assert_ne!(app, mesh);
        assert_eq!(probes.picked(app), [1]);

        let x = Exclusion {
            control: super::super::controls::ControlName::Capabilities,
            images: images(&["*/istio/proxyv2*"]),
            restricted_field: None,
            values: Vec::new(),
        };
        let probe = Probe::new(&pod, &x, probes.picked(mesh));
        let check = CHECKS
            .iter()
            .find(|c| c.id == CheckId::CapabilitiesBaseline);
        let check = check.expect("the baseline capabilities check is registered");
        let imp = check
            .versions
            .last()
            .expect("a check has an implementation");
        let fields =
            |p: Option<&super::super::memo::Probed>| p.map(|p| p.keys.clone()).unwrap_or_default();
        let first = fields(probes.run(mesh, check, imp, &probe.pod));
        assert_eq!(
            first,
            ["spec.initContainers[*].securityContext.capabilities.add"]
        );
        assert_eq!(fields(probes.run(mesh, check, imp, &probe.pod)), first);
    }
}
