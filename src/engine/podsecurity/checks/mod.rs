//! The check table: one row per Pod Security check (ID, level, control name, forbidden
//! reason, versioned implementations), and `evaluate`, which runs the rows a policy level
//! and version select (podsecurity.md §2).

mod baseline;
mod restricted;

/// The container fields the checks report, as constant parts of their paths.
mod fields {
    use crate::engine::podsecurity::pod::Suffix;

    pub const HOST_PROCESS: Suffix = Suffix::new("securityContext.windowsOptions.hostProcess");
    pub const PRIVILEGED: Suffix = Suffix::new("securityContext.privileged");
    pub const CAPABILITIES_ADD: Suffix = Suffix::new("securityContext.capabilities.add");
    pub const CAPABILITIES_DROP: Suffix = Suffix::new("securityContext.capabilities.drop");
    pub const PORTS: Suffix = Suffix::new("ports");
    pub const HOST_PORT: Suffix = Suffix::new("hostPort");
    pub const APP_ARMOR_TYPE: Suffix = Suffix::new("securityContext.appArmorProfile.type");
    pub const SE_LINUX_OPTIONS: Suffix = Suffix::new("securityContext.seLinuxOptions");
    pub const PROC_MOUNT: Suffix = Suffix::new("securityContext.procMount");
    pub const SECCOMP_TYPE: Suffix = Suffix::new("securityContext.seccompProfile.type");
    pub const PRIVILEGE_ESCALATION: Suffix =
        Suffix::new("securityContext.allowPrivilegeEscalation");
    pub const RUN_AS_NON_ROOT: Suffix = Suffix::new("securityContext.runAsNonRoot");
    pub const RUN_AS_USER: Suffix = Suffix::new("securityContext.runAsUser");

    #[cfg(test)]
    pub const ALL: [Suffix; 13] = [
        HOST_PROCESS,
        PRIVILEGED,
        CAPABILITIES_ADD,
        CAPABILITIES_DROP,
        PORTS,
        HOST_PORT,
        APP_ARMOR_TYPE,
        SE_LINUX_OPTIONS,
        PROC_MOUNT,
        SECCOMP_TYPE,
        PRIVILEGE_ESCALATION,
        RUN_AS_NON_ROOT,
        RUN_AS_USER,
    ];
}

use super::controls::{CheckId, ControlName};
use super::pod::Pod;
use super::types::{CheckResult, FieldError, Level, Version};

/// One implementation: `None` when the pod is allowed, else its field errors (possibly none,
/// as for `hostProbesAndHostLifecycle`).
pub type CheckFn = fn(&Pod) -> Option<Vec<FieldError>>;

/// An implementation and the minor version `v1.<since>` it starts at.
pub struct Versioned {
    pub since: u32,
    pub run: CheckFn,
}

/// The `forbiddenReason` of a failing check.
pub enum Reason {
    Fixed(&'static str),
    /// Singular when `count(errors)` is 1 (the AppArmor reason, podsecurity.md §2.1).
    Counted {
        one: &'static str,
        many: &'static str,
        count: fn(&[FieldError]) -> usize,
    },
}

impl Reason {
    fn text(&self, errors: &[FieldError]) -> &'static str {
        match self {
            Reason::Fixed(text) => text,
            Reason::Counted { one, many, count } if count(errors) == 1 => one,
            Reason::Counted { many, .. } => many,
        }
    }
}

/// One row of the check table.
pub struct Check {
    pub id: CheckId,
    pub level: Level,
    /// The control that can exclude it; `None` means it can never be excused.
    pub control: Option<ControlName>,
    pub reason: Reason,
    /// Ascending by `since`; never empty.
    pub versions: &'static [Versioned],
}

const fn v(since: u32, run: CheckFn) -> Versioned {
    Versioned { since, run }
}

const fn fixed(text: &'static str) -> Reason {
    Reason::Fixed(text)
}

use CheckId as I;
use ControlName as C;
use Level::{Baseline, Restricted};

/// Every check, in Kyverno's registration order (podsecurity.md §2.1, §2.5).
pub const CHECKS: [Check; 18] = [
    Check {
        id: I::AllowPrivilegeEscalation,
        level: Restricted,
        control: Some(C::PrivilegeEscalation),
        reason: fixed("allowPrivilegeEscalation != false"),
        versions: &[
            v(8, restricted::allow_privilege_escalation),
            v(25, restricted::allow_privilege_escalation_1_25),
        ],
    },
    Check {
        id: I::AppArmorProfile,
        level: Baseline,
        control: Some(C::AppArmor),
        reason: Reason::Counted {
            one: "forbidden AppArmor profile",
            many: "forbidden AppArmor profiles",
            count: baseline::app_armor_bad_values,
        },
        versions: &[v(0, baseline::app_armor_profile)],
    },
    Check {
        id: I::CapabilitiesBaseline,
        level: Baseline,
        control: Some(C::Capabilities),
        reason: fixed("non-default capabilities"),
        versions: &[v(0, baseline::capabilities)],
    },
    Check {
        id: I::CapabilitiesRestricted,
        level: Restricted,
        control: Some(C::Capabilities),
        reason: fixed("unrestricted capabilities"),
        versions: &[
            v(22, restricted::capabilities),
            v(25, restricted::capabilities_1_25),
        ],
    },
    Check {
        id: I::HostNamespaces,
        level: Baseline,
        control: Some(C::HostNamespaces),
        reason: fixed("host namespaces"),
        versions: &[v(0, baseline::host_namespaces)],
    },
    Check {
        id: I::HostPathVolumes,
        level: Baseline,
        control: Some(C::HostPathVolumes),
        reason: fixed("hostPath volumes"),
        versions: &[v(0, baseline::host_path_volumes)],
    },
    Check {
        id: I::HostPorts,
        level: Baseline,
        control: Some(C::HostPorts),
        reason: fixed("hostPort"),
        versions: &[v(0, baseline::host_ports)],
    },
    Check {
        id: I::HostProbesAndHostLifecycle,
        level: Baseline,
        control: None,
        reason: fixed("probe or lifecycle host"),
        versions: &[v(34, baseline::host_probes_and_lifecycle)],
    },
    Check {
        id: I::Privileged,
        level: Baseline,
        control: Some(C::PrivilegedContainers),
        reason: fixed("privileged"),
        versions: &[v(0, baseline::privileged)],
    },
    Check {
        id: I::ProcMount,
        level: Baseline,
        control: Some(C::ProcMountType),
        reason: fixed("procMount"),
        versions: &[v(0, baseline::proc_mount)],
    },
    Check {
        id: I::RestrictedVolumes,
        level: Restricted,
        control: Some(C::VolumeTypes),
        reason: fixed("restricted volume types"),
        versions: &[v(0, restricted::volumes)],
    },
    Check {
        id: I::RunAsNonRoot,
        level: Restricted,
        control: Some(C::RunningAsNonRoot),
        reason: fixed("runAsNonRoot != true"),
        versions: &[v(0, restricted::run_as_non_root)],
    },
    Check {
        id: I::RunAsUser,
        level: Restricted,
        control: Some(C::RunningAsNonRootUser),
        reason: fixed("runAsUser=0"),
        versions: &[v(23, restricted::run_as_user)],
    },
    Check {
        id: I::SeLinuxOptions,
        level: Baseline,
        control: Some(C::SeLinux),
        reason: fixed("seLinuxOptions"),
        versions: &[
            v(0, baseline::se_linux_options),
            v(31, baseline::se_linux_options_1_31),
        ],
    },
    Check {
        id: I::SeccompProfileBaseline,
        level: Baseline,
        control: Some(C::Seccomp),
        reason: fixed("seccompProfile"),
        versions: &[
            v(0, baseline::seccomp_annotations),
            v(19, baseline::seccomp_profile),
        ],
    },
    Check {
        id: I::SeccompProfileRestricted,
        level: Restricted,
        control: Some(C::Seccomp),
        reason: fixed("seccompProfile"),
        versions: &[
            v(19, restricted::seccomp_profile),
            v(25, restricted::seccomp_profile_1_25),
        ],
    },
    Check {
        id: I::Sysctls,
        level: Baseline,
        control: Some(C::Sysctls),
        reason: fixed("forbidden sysctls"),
        versions: &[
            v(0, baseline::sysctls),
            v(27, baseline::sysctls_1_27),
            v(29, baseline::sysctls_1_29),
            v(32, baseline::sysctls_1_32),
        ],
    },
    Check {
        id: I::WindowsHostProcess,
        level: Baseline,
        control: Some(C::HostProcess),
        reason: fixed("hostProcess"),
        versions: &[v(0, baseline::windows_host_process)],
    },
];

impl Check {
    /// The implementation used at `version`: the newest whose minimum is at most `version`,
    /// or the oldest when `version` predates them all (podsecurity.md §2.5 steps 2-3, quirk).
    pub fn implementation(&self, version: Version) -> Option<&Versioned> {
        let newest_applicable = self
            .versions
            .iter()
            .rev()
            .find(|imp| Version::V1(imp.since) <= version);
        newest_applicable.or(self.versions.first())
    }

    fn run(&self, version: Version, pod: &Pod) -> Option<CheckResult> {
        self.run_at(self.implementation(version)?, pod)
    }

    /// What implementation `imp` of this check finds on `pod`: `None` when the pod passes.
    pub fn run_at(&self, imp: &Versioned, pod: &Pod) -> Option<CheckResult> {
        let errors = (imp.run)(pod)?;
        Some(CheckResult {
            id: self.id,
            reason: self.reason.text(&errors),
            errors,
        })
    }
}

/// The table row of `id`.
pub fn check(id: CheckId) -> &'static Check {
    CHECKS
        .iter()
        .find(|c| c.id == id)
        .expect("invariant: CHECKS has a row for every check ID")
}

/// The failing checks of `pod` at `level` and `version`, in registration order
/// (podsecurity.md §2.5).
pub fn evaluate(level: Level, version: Version, pod: &Pod) -> Vec<CheckResult> {
    CHECKS
        .iter()
        .filter(|c| level.runs(c.level))
        .filter_map(|c| c.run(version, pod))
        .collect()
}

/// `Some(errors)` when there are any: the verdict of most checks.
fn failing(errors: Vec<FieldError>) -> Option<Vec<FieldError>> {
    (!errors.is_empty()).then_some(errors)
}

/// The sorted, de-duplicated list (Go's `sets.List`).
fn sorted_set<'a>(items: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut list: Vec<String> = items.map(str::to_string).collect();
    list.sort();
    list.dedup();
    list
}

#[cfg(test)]
mod tests {
    use super::fields;
    use crate::engine::podsecurity::message::group;
    use crate::engine::podsecurity::pod::{ListKind, Pod, Suffix, pod_path};
    use crate::engine::podsecurity::types::{BadValue, Field, FieldError};

    /// A part is plain only without `spec` and `metadata`, wherever they sit.
    #[test]
    fn suffixes_know_their_words() {
        for (text, plain) in [
            ("securityContext.privileged", true),
            ("", true),
            ("sp.ec", true),
            ("spec", false),
            ("a.specs", false),
            ("x.metadata.y", false),
            ("metadat", true),
        ] {
            assert_eq!(Suffix::new(text).plain, plain, "{text}");
        }
        assert!(fields::ALL.iter().all(|s| s.plain));
    }

    /// A path built from constant parts is reported for every kind exactly as the same
    /// text searched for `spec` and `metadata`; a part holding them is searched.
    #[test]
    fn paths_from_parts_are_reported_as_searched() {
        let spec = serde_json::json!({
            "initContainers": [{}],
            "containers": [{}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}],
            "ephemeralContainers": [{}],
        });
        let pod = Pod::new(None, Some(&spec));
        let odd = Suffix::new("securityContext.metadata.spec");
        let mut fields: Vec<Field> = Vec::new();
        for c in &pod.containers {
            for suffix in fields::ALL.into_iter().chain([odd]) {
                fields.push(c.path(suffix));
                fields.push(c.item_path(fields::PORTS, c.index + 3, suffix));
                fields.push(c.item_path(odd, 1, suffix));
            }
        }
        fields.extend(fields::ALL.into_iter().chain([odd]).map(pod_path));
        assert!(fields.iter().any(Field::is_spec_rooted));
        assert!(fields.iter().any(|f| !f.is_spec_rooted()));
        assert!(
            pod.containers
                .iter()
                .any(|c| c.list == ListKind::InitContainers)
        );
        for field in &fields {
            assert_eq!(field.len(), field.text().len(), "{field}");
        }
        for kind in ["Pod", "Deployment", "CronJob", "Job", "ConfigMap"] {
            for field in &fields {
                let searched = FieldError::required(Field::from(field.to_string()));
                let built = FieldError::required(field.clone());
                let forbidden = FieldError::forbidden(field.clone(), BadValue::Int(0));
                assert_eq!(
                    group(kind, "r", [&built, &forbidden].into_iter()),
                    group(kind, "r", [&searched, &forbidden].into_iter()),
                    "{kind} {field}"
                );
                assert_eq!(
                    group(kind, "r", std::iter::once(&built)),
                    group(kind, "r", std::iter::once(&searched)),
                    "{kind} {field}"
                );
            }
        }
    }
}
