//! The evaluated pod as a borrowed view over JSON: metadata, pod-level spec and the visited
//! containers, read the way a typed Kubernetes pod would read them (podsecurity.md §1.3,
//! §3.3). Wrong-typed and unknown fields are ignored; absent fields are unset.

use serde_json::{Map, Value};

use super::types::{ContainerField, Field, push_indexed};
use crate::value::field;

/// A JSON object.
pub type Object = Map<String, Value>;

/// The object under `key`, if it is one.
#[inline(always)]
pub fn object<'a>(parent: Option<&'a Object>, key: &str) -> Option<&'a Object> {
    field(parent?, key)?.as_object()
}

/// The string under `key`, if it is one.
#[inline(always)]
pub fn text<'a>(parent: Option<&'a Object>, key: &str) -> Option<&'a str> {
    field(parent?, key)?.as_str()
}

/// The integer under `key`, if it is one.
#[inline(always)]
pub fn integer(parent: Option<&Object>, key: &str) -> Option<i64> {
    field(parent?, key)?.as_i64()
}

/// The array under `key`, or nothing.
#[inline(always)]
pub fn array<'a>(parent: Option<&'a Object>, key: &str) -> &'a [Value] {
    parent.and_then(|p| field(p, key)).map_or(&[], elements)
}

/// The elements of `value` if it is an array; nothing otherwise.
#[inline(always)]
fn elements(value: &Value) -> &[Value] {
    value.as_array().map_or(&[], Vec::as_slice)
}

/// The object `value` is, if it is one.
#[inline(always)]
pub fn as_object(value: Option<&Value>) -> Option<&Object> {
    value?.as_object()
}

/// The string entries of the array under `key` (a typed list skips nothing, but a wrong-typed
/// entry cannot be read, so it is ignored).
pub fn strings<'a>(parent: Option<&'a Object>, key: &str) -> impl Iterator<Item = &'a str> {
    array(parent, key).iter().filter_map(Value::as_str)
}

/// The three container lists, in visiting order (podsecurity.md §1.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListKind {
    InitContainers,
    Containers,
    EphemeralContainers,
}

impl ListKind {
    pub const ALL: [ListKind; 3] = [
        ListKind::InitContainers,
        ListKind::Containers,
        ListKind::EphemeralContainers,
    ];

    /// The JSON name of the list, which is also its field-path segment.
    pub fn as_str(self) -> &'static str {
        match self {
            ListKind::InitContainers => "initContainers",
            ListKind::Containers => "containers",
            ListKind::EphemeralContainers => "ephemeralContainers",
        }
    }

    /// `.<name>[`: how a field path enters the list after its leading `spec`.
    pub fn opening(self) -> &'static str {
        match self {
            ListKind::InitContainers => ".initContainers[",
            ListKind::Containers => ".containers[",
            ListKind::EphemeralContainers => ".ephemeralContainers[",
        }
    }

    pub fn from_segment(segment: &str) -> Option<ListKind> {
        ListKind::ALL.into_iter().find(|k| k.as_str() == segment)
    }
}

/// One visited container: where it sits and its fields.
#[derive(Clone, Copy, Debug)]
pub struct Container<'a> {
    pub list: ListKind,
    pub index: usize,
    /// The fields of the container the checks read, found in one pass over its keys.
    reads: Reads<'a>,
    /// The fields of the security context the checks read, found in one pass.
    context: Context<'a>,
    /// The probe's `{name: "fake"}` container, which no JSON holds.
    fake: bool,
}

impl<'a> Container<'a> {
    /// The `{name: "fake"}` container of a pod-level probe (podsecurity.md §3.4 step 3.1).
    pub fn fake() -> Container<'static> {
        Container {
            list: ListKind::Containers,
            index: 0,
            reads: Reads::default(),
            context: Context::default(),
            fake: true,
        }
    }

    /// The same container at `index` of its list, as a probe pod numbers it.
    pub fn renumbered(self, index: usize) -> Container<'a> {
        Container { index, ..self }
    }

    /// The container's name, read only by the few checks and exclusions that need it.
    pub fn name(&self) -> &'a str {
        if self.fake {
            return "fake";
        }
        self.reads.name.and_then(Value::as_str).unwrap_or_default()
    }

    pub fn image(&self) -> &'a str {
        self.reads.image.and_then(Value::as_str).unwrap_or_default()
    }

    pub fn security_context(&self) -> Option<&'a Object> {
        self.reads.security_context
    }

    /// `ports`, when it is an array.
    pub fn ports(&self) -> &'a [Value] {
        self.reads.ports
    }

    /// The handlers of the container's probes and lifecycle hooks: `livenessProbe`,
    /// `readinessProbe`, `startupProbe`, then `lifecycle.postStart` and `lifecycle.preStop`
    /// (each when it is an object).
    pub fn handlers(&self) -> [Option<&'a Object>; 5] {
        let [liveness, readiness, startup] = self.reads.probes;
        let lifecycle = self.reads.lifecycle;
        [
            liveness,
            readiness,
            startup,
            object(lifecycle, "postStart"),
            object(lifecycle, "preStop"),
        ]
    }

    /// The fields of the container's security context the checks read.
    pub fn context(&self) -> &Context<'a> {
        &self.context
    }

    /// The field path of `suffix` inside this container, e.g.
    /// `spec.initContainers[0].securityContext.privileged`.
    pub fn path(&self, suffix: Suffix) -> Field {
        self.path_at(suffix, None)
    }

    /// The field path of `suffix` inside item `index` of the container's list `list`, e.g.
    /// `spec.containers[1].ports[0].hostPort`.
    pub fn item_path(&self, list: Suffix, index: usize, suffix: Suffix) -> Field {
        self.path_at(suffix, Some((list, index)))
    }

    fn path_at(&self, suffix: Suffix, item: Option<(Suffix, usize)>) -> Field {
        // The list names, indices and brackets hold neither word.
        let plain = suffix.plain && item.is_none_or(|(list, _)| list.plain);
        Field::container(ContainerField {
            list: self.list,
            index: self.index,
            item: item.map(|(list, index)| (list.text, index)),
            suffix: suffix.text,
            plain,
        })
    }
}

/// The fields of a container that the checks read, found in one pass over its keys instead
/// of a search per field and check.
#[derive(Clone, Copy, Debug, Default)]
struct Reads<'a> {
    name: Option<&'a Value>,
    image: Option<&'a Value>,
    security_context: Option<&'a Object>,
    ports: &'a [Value],
    /// `livenessProbe`, `readinessProbe`, `startupProbe`.
    probes: [Option<&'a Object>; 3],
    lifecycle: Option<&'a Object>,
}

impl<'a> Reads<'a> {
    fn of(fields: Option<&'a Object>) -> Reads<'a> {
        let mut reads = Reads::default();
        for (key, value) in fields.into_iter().flatten() {
            match key.as_str() {
                "name" => reads.name = Some(value),
                "image" => reads.image = Some(value),
                "securityContext" => reads.security_context = value.as_object(),
                "ports" => reads.ports = elements(value),
                "livenessProbe" => reads.probes[0] = value.as_object(),
                "readinessProbe" => reads.probes[1] = value.as_object(),
                "startupProbe" => reads.probes[2] = value.as_object(),
                "lifecycle" => reads.lifecycle = value.as_object(),
                _ => {}
            }
        }
        reads
    }
}

/// The fields of a security context (a pod's or a container's) that the checks read,
/// found in one pass over its keys instead of a search per field and check.
#[derive(Clone, Copy, Debug, Default)]
pub struct Context<'a> {
    pub allow_privilege_escalation: Option<&'a Value>,
    pub app_armor_profile: Option<&'a Value>,
    pub capabilities: Option<&'a Value>,
    pub privileged: Option<&'a Value>,
    pub proc_mount: Option<&'a Value>,
    pub run_as_non_root: Option<&'a Value>,
    pub run_as_user: Option<&'a Value>,
    pub se_linux_options: Option<&'a Value>,
    pub seccomp_profile: Option<&'a Value>,
    pub windows_options: Option<&'a Value>,
}

impl<'a> Context<'a> {
    fn of(security_context: Option<&'a Object>) -> Context<'a> {
        let mut context = Context::default();
        for (key, value) in security_context.into_iter().flatten() {
            let slot = match key.as_str() {
                "allowPrivilegeEscalation" => &mut context.allow_privilege_escalation,
                "appArmorProfile" => &mut context.app_armor_profile,
                "capabilities" => &mut context.capabilities,
                "privileged" => &mut context.privileged,
                "procMount" => &mut context.proc_mount,
                "runAsNonRoot" => &mut context.run_as_non_root,
                "runAsUser" => &mut context.run_as_user,
                "seLinuxOptions" => &mut context.se_linux_options,
                "seccompProfile" => &mut context.seccomp_profile,
                "windowsOptions" => &mut context.windows_options,
                _ => continue,
            };
            *slot = Some(value);
        }
        context
    }
}

/// The path of a pod-level field `spec.<suffix>` (`spec.securityContext.runAsUser`).
pub fn pod_path(suffix: Suffix) -> Field {
    Field::built(["spec.", suffix.text].concat(), suffix.plain)
}

/// A constant part of a container field's path (`securityContext.privileged`), and
/// whether it holds neither `spec` nor `metadata`: decided when the program is compiled, so
/// a path made of such parts is reported for a controller without being searched.
#[derive(Clone, Copy, Debug)]
pub struct Suffix {
    pub text: &'static str,
    pub plain: bool,
}

impl Suffix {
    pub const fn new(text: &'static str) -> Suffix {
        Suffix {
            text,
            plain: !holds(text, b"spec") && !holds(text, b"metadata"),
        }
    }
}

/// Whether `word` occurs in `text` (a loop the compiler can run).
const fn holds(text: &str, word: &[u8]) -> bool {
    let text = text.as_bytes();
    let mut at = 0;
    while at + word.len() <= text.len() {
        let mut i = 0;
        while i < word.len() && text[at + i] == word[i] {
            i += 1;
        }
        if i == word.len() {
            return true;
        }
        at += 1;
    }
    false
}

/// `<prefix>[<index>].<suffix>` (`spec.volumes[2].hostPath`), written without the
/// formatting machinery: error fields are built for every failing check.
pub fn indexed(prefix: &str, index: usize, suffix: &str) -> String {
    let mut path = String::with_capacity(prefix.len() + suffix.len() + 6);
    push_indexed(&mut path, prefix, index, suffix);
    path
}

/// The pod a check reads: metadata, the pod-level fields of the spec, and the containers.
/// Container lists are read from `containers`, never from the spec, so probe pods can
/// replace them without copying any JSON.
#[derive(Clone, Debug, Default)]
pub struct Pod<'a> {
    pub metadata: Option<&'a Object>,
    pub containers: Vec<Container<'a>>,
    /// The fields of `spec` the checks read, found in one pass over its keys: the checks
    /// read the spec only through them.
    reads: SpecReads<'a>,
    /// The fields of `spec.securityContext` the checks read, found in one pass.
    context: Context<'a>,
}

/// The fields of a pod spec that the checks read, found in one pass over its keys instead
/// of a search per field and check.
#[derive(Clone, Copy, Debug, Default)]
struct SpecReads<'a> {
    /// The container lists, in the order of [`ListKind::ALL`] (empty unless arrays).
    lists: [&'a [Value]; 3],
    security_context: Option<&'a Object>,
    /// `os.name` is `windows`.
    windows: bool,
    volumes: &'a [Value],
    /// `hostNetwork`, `hostPID`, `hostIPC`.
    host_namespaces: [Option<&'a Value>; 3],
}

impl<'a> SpecReads<'a> {
    fn of(spec: Option<&'a Object>) -> SpecReads<'a> {
        let mut reads = SpecReads::default();
        for (key, value) in spec.into_iter().flatten() {
            match key.as_str() {
                "initContainers" => reads.lists[0] = elements(value),
                "containers" => reads.lists[1] = elements(value),
                "ephemeralContainers" => reads.lists[2] = elements(value),
                "securityContext" => reads.security_context = value.as_object(),
                "os" => reads.windows = text(value.as_object(), "name") == Some("windows"),
                "volumes" => reads.volumes = elements(value),
                "hostNetwork" => reads.host_namespaces[0] = Some(value),
                "hostPID" => reads.host_namespaces[1] = Some(value),
                "hostIPC" => reads.host_namespaces[2] = Some(value),
                _ => {}
            }
        }
        reads
    }
}

impl<'a> Pod<'a> {
    /// The pod made of `metadata` and `spec`, with the containers of `spec`'s three lists. A
    /// `null` or wrong-typed entry is an empty container, so indices stay those of the JSON
    /// list.
    pub fn new(metadata: Option<&'a Value>, spec: Option<&'a Value>) -> Pod<'a> {
        let spec = spec.and_then(Value::as_object);
        let reads = SpecReads::of(spec);
        let lists = ListKind::ALL.into_iter().zip(reads.lists);
        let mut containers = Vec::with_capacity(reads.lists.iter().map(|l| l.len()).sum());
        for (list, entries) in lists {
            containers.extend(entries.iter().enumerate().map(|(index, value)| {
                let reads = Reads::of(value.as_object());
                Container {
                    list,
                    index,
                    reads,
                    context: Context::of(reads.security_context),
                    fake: false,
                }
            }));
        }
        Pod::of_reads(metadata.and_then(Value::as_object), reads, containers)
    }

    /// The pod of `metadata` and `spec` with these containers (a probe's).
    pub fn of_parts(
        metadata: Option<&'a Object>,
        spec: Option<&'a Object>,
        containers: Vec<Container<'a>>,
    ) -> Pod<'a> {
        Pod::of_reads(metadata, SpecReads::of(spec), containers)
    }

    /// This pod with other containers (a probe's): its spec is not read again.
    pub fn with_containers(&self, containers: Vec<Container<'a>>) -> Pod<'a> {
        Pod {
            containers,
            ..*self
        }
    }

    fn of_reads(
        metadata: Option<&'a Object>,
        reads: SpecReads<'a>,
        containers: Vec<Container<'a>>,
    ) -> Pod<'a> {
        Pod {
            metadata,
            containers,
            reads,
            context: Context::of(reads.security_context),
        }
    }

    pub fn annotations(&self) -> Option<&'a Object> {
        object(self.metadata, "annotations")
    }

    pub fn security_context(&self) -> Option<&'a Object> {
        self.reads.security_context
    }

    /// `spec.volumes`, when it is an array.
    pub fn volumes(&self) -> &'a [Value] {
        self.reads.volumes
    }

    /// `spec.hostNetwork`, `spec.hostPID` and `spec.hostIPC`, with their names.
    pub fn host_namespaces(&self) -> [(&'static str, Option<&'a Value>); 3] {
        let [network, pid, ipc] = self.reads.host_namespaces;
        [("hostNetwork", network), ("hostPID", pid), ("hostIPC", ipc)]
    }

    /// The fields of `spec.securityContext` the checks read.
    pub fn context(&self) -> &Context<'a> {
        &self.context
    }

    /// `spec.os.name == "windows"`, which exempts some restricted checks from v1.25.
    pub fn is_windows(&self) -> bool {
        self.reads.windows
    }

    /// The container at `index` of `list`.
    pub fn container(&self, list: ListKind, index: usize) -> Option<&Container<'a>> {
        self.containers
            .iter()
            .find(|c| c.list == list && c.index == index)
    }
}

/// Why no pod could be taken from a resource (podsecurity.md §3.3).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ExtractError {
    /// A resource of a kind that carries no pod, e.g. a `ConfigMap`.
    #[error("could not find correct resource type")]
    UnsupportedKind,
}

/// The kinds whose pod is `spec.template` (podsecurity.md §3.3).
pub const TEMPLATE_KINDS: [&str; 6] = [
    "DaemonSet",
    "Deployment",
    "Job",
    "StatefulSet",
    "ReplicaSet",
    "ReplicationController",
];

/// The pod Kyverno evaluates for a resource of `kind`. A CronJob's metadata is its job
/// template's, not its pod template's (podsecurity.md §3.3, quirk).
pub fn extract<'a>(kind: &str, resource: &'a Value) -> Result<Pod<'a>, ExtractError> {
    let at = |path: &[&str]| {
        path.iter()
            .try_fold(resource, |v, key| crate::value::get(v, key))
    };
    match kind {
        "Pod" => Ok(Pod::new(at(&["metadata"]), at(&["spec"]))),
        "CronJob" => Ok(Pod::new(
            at(&["spec", "jobTemplate", "metadata"]),
            at(&["spec", "jobTemplate", "spec", "template", "spec"]),
        )),
        k if TEMPLATE_KINDS.contains(&k) => Ok(Pod::new(
            at(&["spec", "template", "metadata"]),
            at(&["spec", "template", "spec"]),
        )),
        _ => Err(ExtractError::UnsupportedKind),
    }
}

#[cfg(test)]
mod tests {
    use super::indexed;

    /// The indexed paths read as the formatted ones would.
    #[test]
    fn indexed_paths_read_as_formatted() {
        for i in [0, 1, 9, 10, 99, 100, 12345] {
            let want = format!("spec.volumes[{i}].hostPath");
            assert_eq!(indexed("spec.volumes", i, "hostPath"), want);
        }
    }
}
