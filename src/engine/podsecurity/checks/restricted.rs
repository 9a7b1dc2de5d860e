//! The restricted checks, each reading a pod and returning its field errors in Kyverno's
//! order (podsecurity.md §2.3).

use serde_json::Value;

use super::baseline::seccomp_error;
use super::{failing, fields, sorted_set};
use crate::engine::podsecurity::pod::{
    Container, Context, Pod, as_object, indexed, object, pod_path, strings,
};
use crate::engine::podsecurity::types::{BadValue, Field, FieldError};

/// v1.8: every container must set `allowPrivilegeEscalation: false`.
pub fn allow_privilege_escalation(pod: &Pod) -> Option<Vec<FieldError>> {
    let errors = pod
        .containers
        .iter()
        .filter_map(privilege_escalation_error)
        .collect();
    failing(errors)
}

fn privilege_escalation_error(c: &Container) -> Option<FieldError> {
    let path = || c.path(fields::PRIVILEGE_ESCALATION);
    if c.security_context().is_none() {
        return Some(FieldError::required(path()));
    }
    match c
        .context()
        .allow_privilege_escalation
        .and_then(Value::as_bool)
    {
        Some(false) => None,
        Some(true) => Some(FieldError::forbidden(path(), BadValue::Bool(true))),
        // Go prints the unset pointer as the string `nil`.
        None => Some(FieldError::forbidden(path(), BadValue::text("nil"))),
    }
}

/// v1.25: as v1.8, but Windows pods pass.
pub fn allow_privilege_escalation_1_25(pod: &Pod) -> Option<Vec<FieldError>> {
    if pod.is_windows() {
        return None;
    }
    allow_privilege_escalation(pod)
}

/// v1.22: every container drops `ALL` and adds nothing but `NET_BIND_SERVICE`. All drop
/// errors come before all add errors.
pub fn capabilities(pod: &Pod) -> Option<Vec<FieldError>> {
    let mut drops = Vec::new();
    let mut adds = Vec::new();
    for c in &pod.containers {
        let caps = as_object(c.context().capabilities);
        let drop_path = || c.path(fields::CAPABILITIES_DROP);
        let Some(caps) = caps else {
            drops.push(FieldError::required(drop_path()));
            continue;
        };
        let dropped = || strings(Some(caps), "drop");
        if !dropped().any(|cap| cap == "ALL") {
            drops.push(match dropped().next() {
                None => FieldError::required(drop_path()),
                Some(_) => {
                    FieldError::forbidden(drop_path(), BadValue::List(sorted_set(dropped())))
                }
            });
        }
        let added = sorted_set(strings(Some(caps), "add").filter(|cap| *cap != "NET_BIND_SERVICE"));
        if !added.is_empty() {
            let path = c.path(fields::CAPABILITIES_ADD);
            adds.push(FieldError::forbidden(path, BadValue::List(added)));
        }
    }
    drops.extend(adds);
    failing(drops)
}

/// v1.25: as v1.22, but Windows pods pass.
pub fn capabilities_1_25(pod: &Pod) -> Option<Vec<FieldError>> {
    if pod.is_windows() {
        return None;
    }
    capabilities(pod)
}

/// The volume sources the restricted level allows.
const ALLOWED_VOLUMES: [&str; 9] = [
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

/// The forbidden volume sources, in the order that names the error's path segment.
const FORBIDDEN_VOLUMES: [&str; 21] = [
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "nfs",
    "iscsi",
    "glusterfs",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "fc",
    "azureFile",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "portworxVolume",
    "scaleIO",
    "storageos",
];

/// Every volume without an allowed source, as a value-less `Forbidden` at its first
/// forbidden source, or at `unknown`.
pub fn volumes(pod: &Pod) -> Option<Vec<FieldError>> {
    let errors = pod
        .volumes()
        .iter()
        .enumerate()
        .filter_map(|(i, volume)| {
            let volume = volume.as_object();
            let has = |source: &&str| object(volume, source).is_some();
            if ALLOWED_VOLUMES.iter().any(has) {
                return None;
            }
            let source = FORBIDDEN_VOLUMES.into_iter().find(has).unwrap_or("unknown");
            Some(FieldError::forbidden(
                indexed("spec.volumes", i, source),
                BadValue::None,
            ))
        })
        .collect();
    failing(errors)
}

/// Pod `false`, explicit container `false`s, then containers that rely on an unset pod value.
pub fn run_as_non_root(pod: &Pod) -> Option<Vec<FieldError>> {
    let pod_value = pod.context().run_as_non_root.and_then(Value::as_bool);
    let pod_error = (pod_value == Some(false))
        .then(|| FieldError::forbidden(pod_path(fields::RUN_AS_NON_ROOT), BadValue::Bool(false)));
    let mut explicit = Vec::new();
    let mut implicit = Vec::new();
    for c in &pod.containers {
        let path = || c.path(fields::RUN_AS_NON_ROOT);
        match c.context().run_as_non_root.and_then(Value::as_bool) {
            Some(false) => explicit.push(FieldError::forbidden(path(), BadValue::Bool(false))),
            Some(true) => {}
            None if pod_value != Some(true) => implicit.push(FieldError::required(path())),
            None => {}
        }
    }
    failing(
        pod_error
            .into_iter()
            .chain(explicit)
            .chain(implicit)
            .collect(),
    )
}

/// Pod, then containers, that set `runAsUser: 0`.
pub fn run_as_user(pod: &Pod) -> Option<Vec<FieldError>> {
    let root = |context: &Context, path: &dyn Fn() -> Field| {
        (context.run_as_user.and_then(Value::as_i64) == Some(0))
            .then(|| FieldError::forbidden(path(), BadValue::Int(0)))
    };
    let pod_error = root(pod.context(), &|| pod_path(fields::RUN_AS_USER));
    let containers = pod
        .containers
        .iter()
        .filter_map(|c| root(c.context(), &|| c.path(fields::RUN_AS_USER)));
    failing(pod_error.into_iter().chain(containers).collect())
}

/// v1.19: explicit bad types win; otherwise every container left unset by an unset pod
/// profile is `Required`.
pub fn seccomp_profile(pod: &Pod) -> Option<Vec<FieldError>> {
    let pod_context = pod.context();
    let pod_error = seccomp_error(pod_context, || pod_path(fields::SECCOMP_TYPE));
    let pod_covered = pod_error.is_none() && as_object(pod_context.seccomp_profile).is_some();
    let mut explicit: Vec<FieldError> = pod_error.into_iter().collect();
    let mut implicit = Vec::new();
    for c in &pod.containers {
        let path = || c.path(fields::SECCOMP_TYPE);
        if as_object(c.context().seccomp_profile).is_some() {
            explicit.extend(seccomp_error(c.context(), path));
        } else if !pod_covered {
            implicit.push(FieldError::required(path()));
        }
    }
    failing(if explicit.is_empty() {
        implicit
    } else {
        explicit
    })
}

/// v1.25: as v1.19, but Windows pods pass.
pub fn seccomp_profile_1_25(pod: &Pod) -> Option<Vec<FieldError>> {
    if pod.is_windows() {
        return None;
    }
    seccomp_profile(pod)
}
