//! Check IDs, the 15 Kyverno control names, and the exclusion entries that name them:
//! their table (podsecurity.md §2.1) and their load-time validation (§3.2).

use std::fmt;
use std::str::FromStr;

use super::types::Level;
use crate::compile::matching::Pattern as Wildcard;

/// The stable ID of one Pod Security check (podsecurity.md §2.1), in registration order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CheckId {
    AllowPrivilegeEscalation,
    AppArmorProfile,
    CapabilitiesBaseline,
    CapabilitiesRestricted,
    HostNamespaces,
    HostPathVolumes,
    HostPorts,
    HostProbesAndHostLifecycle,
    Privileged,
    ProcMount,
    RestrictedVolumes,
    RunAsNonRoot,
    RunAsUser,
    SeLinuxOptions,
    SeccompProfileBaseline,
    SeccompProfileRestricted,
    Sysctls,
    WindowsHostProcess,
}

impl CheckId {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckId::AllowPrivilegeEscalation => "allowPrivilegeEscalation",
            CheckId::AppArmorProfile => "appArmorProfile",
            CheckId::CapabilitiesBaseline => "capabilities_baseline",
            CheckId::CapabilitiesRestricted => "capabilities_restricted",
            CheckId::HostNamespaces => "hostNamespaces",
            CheckId::HostPathVolumes => "hostPathVolumes",
            CheckId::HostPorts => "hostPorts",
            CheckId::HostProbesAndHostLifecycle => "hostProbesAndHostLifecycle",
            CheckId::Privileged => "privileged",
            CheckId::ProcMount => "procMount",
            CheckId::RestrictedVolumes => "restrictedVolumes",
            CheckId::RunAsNonRoot => "runAsNonRoot",
            CheckId::RunAsUser => "runAsUser",
            CheckId::SeLinuxOptions => "seLinuxOptions",
            CheckId::SeccompProfileBaseline => "seccompProfile_baseline",
            CheckId::SeccompProfileRestricted => "seccompProfile_restricted",
            CheckId::Sysctls => "sysctls",
            CheckId::WindowsHostProcess => "windowsHostProcess",
        }
    }
}

impl fmt::Display for CheckId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A Kyverno `controlName` (podsecurity.md §2.1, the CRD enum of 15 strings).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ControlName {
    HostProcess,
    HostNamespaces,
    PrivilegedContainers,
    Capabilities,
    HostPathVolumes,
    HostPorts,
    AppArmor,
    SeLinux,
    ProcMountType,
    Seccomp,
    Sysctls,
    VolumeTypes,
    PrivilegeEscalation,
    RunningAsNonRoot,
    RunningAsNonRootUser,
}

/// Whether an exclusion of a control must, must not, or may name images (podsecurity.md §3.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Container,
    Pod,
    Mixed,
}

/// One row of the control table.
pub struct Control {
    pub name: ControlName,
    pub text: &'static str,
    pub scope: Scope,
    /// Invalid in an exclusion of a `baseline` rule (podsecurity.md §3.2 item 5).
    pub restricted_only: bool,
}

const fn control(
    name: ControlName,
    text: &'static str,
    scope: Scope,
    restricted_only: bool,
) -> Control {
    Control {
        name,
        text,
        scope,
        restricted_only,
    }
}

/// Every control name, as Kyverno spells it (podsecurity.md §2.1, §3.2).
pub const CONTROLS: [Control; 15] = [
    control(ControlName::HostProcess, "HostProcess", Scope::Mixed, false),
    control(
        ControlName::HostNamespaces,
        "Host Namespaces",
        Scope::Pod,
        false,
    ),
    control(
        ControlName::PrivilegedContainers,
        "Privileged Containers",
        Scope::Container,
        false,
    ),
    control(
        ControlName::Capabilities,
        "Capabilities",
        Scope::Container,
        false,
    ),
    control(
        ControlName::HostPathVolumes,
        "HostPath Volumes",
        Scope::Pod,
        false,
    ),
    control(
        ControlName::HostPorts,
        "Host Ports",
        Scope::Container,
        false,
    ),
    control(ControlName::AppArmor, "AppArmor", Scope::Mixed, false),
    control(ControlName::SeLinux, "SELinux", Scope::Mixed, false),
    control(
        ControlName::ProcMountType,
        "/proc Mount Type",
        Scope::Container,
        false,
    ),
    control(ControlName::Seccomp, "Seccomp", Scope::Mixed, false),
    control(ControlName::Sysctls, "Sysctls", Scope::Pod, false),
    control(ControlName::VolumeTypes, "Volume Types", Scope::Pod, true),
    control(
        ControlName::PrivilegeEscalation,
        "Privilege Escalation",
        Scope::Container,
        true,
    ),
    control(
        ControlName::RunningAsNonRoot,
        "Running as Non-root",
        Scope::Mixed,
        true,
    ),
    control(
        ControlName::RunningAsNonRootUser,
        "Running as Non-root user",
        Scope::Mixed,
        true,
    ),
];

impl ControlName {
    /// This control's row of [`CONTROLS`].
    pub fn row(self) -> &'static Control {
        CONTROLS
            .iter()
            .find(|c| c.name == self)
            .expect("invariant: CONTROLS has a row for every control name")
    }

    pub fn as_str(self) -> &'static str {
        self.row().text
    }
}

impl fmt::Display for ControlName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `controlName` outside the CRD enum.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown Pod Security control name {0:?}")]
pub struct ControlNameError(pub String);

impl FromStr for ControlName {
    type Err = ControlNameError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CONTROLS
            .iter()
            .find(|c| c.text == s)
            .map(|c| c.name)
            .ok_or_else(|| ControlNameError(s.to_string()))
    }
}

/// One `podSecurity.exclude[]` entry, or one `podSecurity[]` entry of a PolicyException
/// (podsecurity.md §3.1, §4.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exclusion {
    pub control: ControlName,
    /// Wildcard patterns over container images; empty means a pod-level exclusion. Shared:
    /// a request's probe results are kept under the images that chose the probe's containers.
    pub images: std::sync::Arc<[Wildcard]>,
    /// The only field key this entry excuses; `None` or empty excuses every field.
    pub restricted_field: Option<String>,
    /// Wildcard patterns every bad value must match; empty means any value.
    pub values: Vec<Wildcard>,
}

impl Exclusion {
    /// The restricted field when it is set and non-empty.
    pub fn restricted_field(&self) -> Option<&str> {
        self.restricted_field.as_deref().filter(|f| !f.is_empty())
    }
}

/// Why an exclusion entry is rejected when its policy is loaded (podsecurity.md §3.2).
/// The message is Kyverno's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ExclusionError {
    /// `{controlName: Capabilities}` without `images`.
    #[error("exclude.images must be specified for the container level control")]
    ImagesRequired,
    /// `{controlName: Sysctls, images: [nginx]}`.
    #[error("exclude.images must not be specified for the pod level control")]
    ImagesForbidden,
    /// `restrictedField` set, `values` empty.
    #[error("values is required")]
    ValuesRequired,
    /// `values` set, `restrictedField` empty.
    #[error("restrictedField is required")]
    RestrictedFieldRequired,
    /// `{controlName: Volume Types}` in a `baseline` rule.
    #[error("Invalid control name defined at the given level")]
    InvalidAtLevel,
}

/// The field of the exclusion entry an error points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExclusionField {
    ControlName,
    Values,
    RestrictedField,
}

impl ExclusionError {
    pub fn field(self) -> ExclusionField {
        match self {
            ExclusionError::ValuesRequired => ExclusionField::Values,
            ExclusionError::RestrictedFieldRequired => ExclusionField::RestrictedField,
            _ => ExclusionField::ControlName,
        }
    }
}

/// Every reason `entry` is invalid, in Kyverno's order. `level` is the rule's level, or
/// `None` for a PolicyException entry, which skips the level check (podsecurity.md §4.2).
pub fn validate_exclusion(level: Option<Level>, entry: &Exclusion) -> Vec<ExclusionError> {
    let row = entry.control.row();
    let mut errors = Vec::new();
    match row.scope {
        Scope::Container if entry.images.is_empty() => errors.push(ExclusionError::ImagesRequired),
        Scope::Pod if !entry.images.is_empty() => errors.push(ExclusionError::ImagesForbidden),
        _ => {}
    }
    match (entry.restricted_field().is_some(), entry.values.is_empty()) {
        (true, true) => errors.push(ExclusionError::ValuesRequired),
        (false, false) => errors.push(ExclusionError::RestrictedFieldRequired),
        _ => {}
    }
    if level == Some(Level::Baseline) && row.restricted_only {
        errors.push(ExclusionError::InvalidAtLevel);
    }
    errors
}
