//! The baseline checks, each reading a pod and returning its field errors in Kyverno's
//! order (podsecurity.md §2.2).

use serde_json::Value;

use super::{failing, fields, sorted_set};
use crate::engine::podsecurity::pod::{
    Container, Context, Object, Pod, array, as_object, indexed, integer, object, pod_path, strings,
    text,
};
use crate::engine::podsecurity::types::{BadValue, Field, FieldError};

/// The error each container yields, in visiting order.
fn per_container<'a>(
    pod: &Pod<'a>,
    error: impl Fn(&Container<'a>) -> Option<FieldError>,
) -> Vec<FieldError> {
    pod.containers.iter().filter_map(error).collect()
}

/// `Forbidden: true` at `path` when `value` is true.
fn true_flag(value: Option<&Value>, path: impl FnOnce() -> Field) -> Option<FieldError> {
    let set = value.and_then(Value::as_bool) == Some(true);
    set.then(|| FieldError::forbidden(path(), BadValue::Bool(true)))
}

/// The value under `key` of `parent`.
fn get<'a>(parent: Option<&'a Object>, key: &str) -> Option<&'a Value> {
    crate::value::field(parent?, key)
}

/// HostProcess: pod error first, then containers.
pub fn windows_host_process(pod: &Pod) -> Option<Vec<FieldError>> {
    fn host_process<'a>(context: &Context<'a>) -> Option<&'a Value> {
        get(as_object(context.windows_options), "hostProcess")
    }
    let pod_error = true_flag(host_process(pod.context()), || {
        pod_path(fields::HOST_PROCESS)
    });
    let containers = per_container(pod, |c| {
        true_flag(host_process(c.context()), || c.path(fields::HOST_PROCESS))
    });
    failing(pod_error.into_iter().chain(containers).collect())
}

/// Host namespaces: network, PID, IPC.
pub fn host_namespaces(pod: &Pod) -> Option<Vec<FieldError>> {
    let errors = pod
        .host_namespaces()
        .into_iter()
        .filter_map(|(key, value)| true_flag(value, || ["spec.", key].concat().into()))
        .collect();
    failing(errors)
}

pub fn privileged(pod: &Pod) -> Option<Vec<FieldError>> {
    failing(per_container(pod, |c| {
        true_flag(c.context().privileged, || c.path(fields::PRIVILEGED))
    }))
}

/// The capabilities a baseline container may add (podsecurity.md §2.2).
const DEFAULT_CAPABILITIES: [&str; 13] = [
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// One error per container listing its added non-default capabilities.
pub fn capabilities(pod: &Pod) -> Option<Vec<FieldError>> {
    failing(per_container(pod, |c| {
        let caps = as_object(c.context().capabilities)?;
        let added = strings(Some(caps), "add").filter(|cap| !DEFAULT_CAPABILITIES.contains(cap));
        let bad = sorted_set(added);
        (!bad.is_empty())
            .then(|| FieldError::forbidden(c.path(fields::CAPABILITIES_ADD), BadValue::List(bad)))
    }))
}

/// Every volume with a `hostPath` source, its path as the bad value.
pub fn host_path_volumes(pod: &Pod) -> Option<Vec<FieldError>> {
    let errors = pod
        .volumes()
        .iter()
        .enumerate()
        .filter_map(|(i, volume)| {
            let host_path = object(volume.as_object(), "hostPath")?;
            let path = text(Some(host_path), "path").unwrap_or_default();
            Some(FieldError::forbidden(
                indexed("spec.volumes", i, "hostPath"),
                BadValue::text(path),
            ))
        })
        .collect();
    failing(errors)
}

/// Every container port with a non-zero `hostPort`.
pub fn host_ports(pod: &Pod) -> Option<Vec<FieldError>> {
    let errors = pod
        .containers
        .iter()
        .flat_map(|c| {
            c.ports().iter().enumerate().filter_map(move |(j, port)| {
                let host_port = integer(port.as_object(), "hostPort").filter(|p| *p != 0)?;
                Some(FieldError::forbidden(
                    c.item_path(fields::PORTS, j, fields::HOST_PORT),
                    BadValue::Int(host_port),
                ))
            })
        })
        .collect();
    failing(errors)
}

/// Fails, without field errors, when a probe or lifecycle handler names a host.
pub fn host_probes_and_lifecycle(pod: &Pod) -> Option<Vec<FieldError>> {
    pod.containers.iter().any(names_a_host).then(Vec::new)
}

fn names_a_host(container: &Container) -> bool {
    container.handlers().into_iter().any(|handler| {
        ["httpGet", "tcpSocket"].into_iter().any(|kind| {
            !text(object(handler, kind), "host")
                .unwrap_or_default()
                .is_empty()
        })
    })
}

const APPARMOR_ANNOTATION_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";

/// `Forbidden` at `<path>.appArmorProfile.type` when the profile is set with a bad type.
fn app_armor_error(context: &Context, path: impl FnOnce() -> Field) -> Option<FieldError> {
    let profile = as_object(context.app_armor_profile)?;
    let kind = text(Some(profile), "type").unwrap_or_default();
    let allowed = matches!(kind, "RuntimeDefault" | "Localhost");
    (!allowed).then(|| FieldError::forbidden(path(), BadValue::text(kind)))
}

/// Pod, containers, then annotations. Kyverno lists annotations in hash order; sorted by
/// key here, which is one of those orders (podsecurity.md §6 item 7b).
pub fn app_armor_profile(pod: &Pod) -> Option<Vec<FieldError>> {
    let pod_error = app_armor_error(pod.context(), || pod_path(fields::APP_ARMOR_TYPE));
    let containers = per_container(pod, |c| {
        app_armor_error(c.context(), || c.path(fields::APP_ARMOR_TYPE))
    });
    failing(
        pod_error
            .into_iter()
            .chain(containers)
            .chain(app_armor_annotation_errors(pod))
            .collect(),
    )
}

/// Every annotation with the AppArmor prefix and a forbidden value, by key.
fn app_armor_annotation_errors(pod: &Pod) -> Vec<FieldError> {
    let mut annotations: Vec<(&String, &str)> = pod
        .annotations()
        .into_iter()
        .flatten()
        .filter(|(key, _)| key.starts_with(APPARMOR_ANNOTATION_PREFIX))
        .filter_map(|(key, value)| Some((key, value.as_str()?)))
        .filter(|(_, value)| !allowed_app_armor_annotation(value))
        .collect();
    annotations.sort();
    annotations
        .into_iter()
        .map(|(key, value)| {
            FieldError::forbidden(
                format!("metadata.annotations[{key}]"),
                BadValue::text(value),
            )
        })
        .collect()
}

fn allowed_app_armor_annotation(value: &str) -> bool {
    value.is_empty() || value == "runtime/default" || value.starts_with("localhost/")
}

/// The number of distinct bad profile types plus the number of bad annotations: what makes
/// the AppArmor reason singular or plural (podsecurity.md §2.1).
pub fn app_armor_bad_values(errors: &[FieldError]) -> usize {
    let mut types: Vec<&BadValue> = Vec::new();
    let mut annotations = 0;
    for error in errors {
        if error.field.starts_with("metadata.") {
            annotations += 1;
        } else if !types.contains(&&error.bad_value) {
            types.push(&error.bad_value);
        }
    }
    types.len() + annotations
}

const SELINUX_TYPES_1_0: [&str; 4] = ["", "container_t", "container_init_t", "container_kvm_t"];
const SELINUX_TYPES_1_31: [&str; 5] = [
    "",
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

/// Appends the type, user and role errors of one `seLinuxOptions` at `path`; the path is
/// only built when the options are set.
fn se_linux_errors(
    errors: &mut Vec<FieldError>,
    options: Option<&Object>,
    path: impl FnOnce() -> Field,
    types: &[&str],
) {
    let Some(options) = options else {
        return;
    };
    let value = |key| text(Some(options), key).unwrap_or_default();
    let bad_type = !types.contains(&value("type"));
    let checks = [
        ("type", bad_type),
        ("user", !value("user").is_empty()),
        ("role", !value("role").is_empty()),
    ];
    let mut bad = checks.into_iter().filter(|(_, bad)| *bad).peekable();
    if bad.peek().is_none() {
        return;
    }
    let path = path();
    errors.extend(bad.map(|(key, _)| {
        FieldError::forbidden(format!("{path}.{key}"), BadValue::text(value(key)))
    }));
}

fn se_linux(pod: &Pod, types: &[&str]) -> Option<Vec<FieldError>> {
    let mut errors = Vec::new();
    let pod_options = as_object(pod.context().se_linux_options);
    let pod_path = || pod_path(fields::SE_LINUX_OPTIONS);
    se_linux_errors(&mut errors, pod_options, pod_path, types);
    for c in &pod.containers {
        let options = as_object(c.context().se_linux_options);
        let path = || c.path(fields::SE_LINUX_OPTIONS);
        se_linux_errors(&mut errors, options, path, types);
    }
    failing(errors)
}

pub fn se_linux_options(pod: &Pod) -> Option<Vec<FieldError>> {
    se_linux(pod, &SELINUX_TYPES_1_0)
}

pub fn se_linux_options_1_31(pod: &Pod) -> Option<Vec<FieldError>> {
    se_linux(pod, &SELINUX_TYPES_1_31)
}

/// Every container whose `procMount` is set to anything but `Default`.
pub fn proc_mount(pod: &Pod) -> Option<Vec<FieldError>> {
    failing(per_container(pod, |c| {
        let mount = c.context().proc_mount.and_then(Value::as_str);
        let mount = mount.filter(|m| *m != "Default")?;
        Some(FieldError::forbidden(
            c.path(fields::PROC_MOUNT),
            BadValue::text(mount),
        ))
    }))
}

fn allowed_seccomp_annotation(value: &str) -> bool {
    matches!(value, "runtime/default" | "docker/default") || value.starts_with("localhost/")
}

/// The v1.0 seccomp check, over the alpha annotations (podsecurity.md §2.2).
pub fn seccomp_annotations(pod: &Pod) -> Option<Vec<FieldError>> {
    let annotations = pod.annotations();
    let bad = |key: String| {
        let value = text(annotations, &key).filter(|v| !allowed_seccomp_annotation(v))?;
        Some(FieldError::forbidden(
            format!("metadata.annotations[{key}]"),
            BadValue::text(value),
        ))
    };
    let pod_error = bad("seccomp.security.alpha.kubernetes.io/pod".to_string());
    let containers = pod.containers.iter().filter_map(|c| {
        bad(format!(
            "container.seccomp.security.alpha.kubernetes.io/{}",
            c.name()
        ))
    });
    failing(pod_error.into_iter().chain(containers).collect())
}

/// `Forbidden` at `path` when a seccomp profile is set with a type other than
/// `RuntimeDefault` or `Localhost`; shared with the restricted check.
pub fn seccomp_error(context: &Context, path: impl FnOnce() -> Field) -> Option<FieldError> {
    let profile = as_object(context.seccomp_profile)?;
    let kind = text(Some(profile), "type").unwrap_or_default();
    let allowed = matches!(kind, "RuntimeDefault" | "Localhost");
    (!allowed).then(|| FieldError::forbidden(path(), BadValue::text(kind)))
}

/// The v1.19 seccomp check over fields: unset is allowed; pod error first.
pub fn seccomp_profile(pod: &Pod) -> Option<Vec<FieldError>> {
    let pod_error = seccomp_error(pod.context(), || pod_path(fields::SECCOMP_TYPE));
    let containers = per_container(pod, |c| {
        seccomp_error(c.context(), || c.path(fields::SECCOMP_TYPE))
    });
    failing(pod_error.into_iter().chain(containers).collect())
}

const SYSCTLS_1_0: [&str; 5] = [
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start",
];
const SYSCTLS_1_27: [&str; 1] = ["net.ipv4.ip_local_reserved_ports"];
const SYSCTLS_1_29: [&str; 4] = [
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];
const SYSCTLS_1_32: [&str; 2] = ["net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"];

/// Every pod sysctl whose name is not in any of `allowed`.
fn sysctls_allowing(pod: &Pod, allowed: &[&[&str]]) -> Option<Vec<FieldError>> {
    let errors = array(pod.security_context(), "sysctls")
        .iter()
        .enumerate()
        .filter_map(|(i, sysctl)| {
            let name = sysctl_name(sysctl);
            let ok = allowed.iter().any(|list| list.contains(&name));
            (!ok).then(|| {
                FieldError::forbidden(
                    format!("spec.securityContext.sysctls[{i}].name"),
                    BadValue::text(name),
                )
            })
        })
        .collect();
    failing(errors)
}

fn sysctl_name(sysctl: &Value) -> &str {
    text(sysctl.as_object(), "name").unwrap_or_default()
}

pub fn sysctls(pod: &Pod) -> Option<Vec<FieldError>> {
    sysctls_allowing(pod, &[&SYSCTLS_1_0])
}

pub fn sysctls_1_27(pod: &Pod) -> Option<Vec<FieldError>> {
    sysctls_allowing(pod, &[&SYSCTLS_1_0, &SYSCTLS_1_27])
}

pub fn sysctls_1_29(pod: &Pod) -> Option<Vec<FieldError>> {
    sysctls_allowing(pod, &[&SYSCTLS_1_0, &SYSCTLS_1_27, &SYSCTLS_1_29])
}

pub fn sysctls_1_32(pod: &Pod) -> Option<Vec<FieldError>> {
    sysctls_allowing(
        pod,
        &[&SYSCTLS_1_0, &SYSCTLS_1_27, &SYSCTLS_1_29, &SYSCTLS_1_32],
    )
}
