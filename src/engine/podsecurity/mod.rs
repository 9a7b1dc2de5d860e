//! Pod Security Standards: the checks as a table, the `validate.podSecurity` subrule, its
//! exclusions and exception entries (podsecurity.md). Takes a resource as JSON and a
//! compiled [`PodSecurity`]; returns an [`Outcome`] with Kyverno's message.

mod checks;
mod controls;
mod exclusion;
mod message;
mod pod;
mod subrule;
mod types;

pub use checks::{CHECKS, Check, CheckFn, Reason, Versioned, check, evaluate};
pub use controls::{
    CONTROLS, CheckId, Control, ControlName, ControlNameError, Exclusion, ExclusionError,
    ExclusionField, Scope, validate_exclusion,
};
pub use exclusion::{apply_exclusions, key};
pub use message::rewrite_field;
pub use pod::{Container, ExtractError, ListKind, Pod, extract};
pub use subrule::{Outcome, PodSecurity};
pub use types::{
    BadValue, CRD_VERSIONS, CheckResult, ErrorKind, FieldError, Level, LevelError, Version,
    VersionError,
};

/// The control names that can exclude `id` (the reverse of the check table's control
/// column): e.g. `Capabilities` for both capabilities checks.
pub fn control_of(id: CheckId) -> Option<ControlName> {
    check(id).control
}

/// The IDs of the checks `control` covers (podsecurity.md §2.1).
pub fn checks_of(control: ControlName) -> impl Iterator<Item = CheckId> {
    CHECKS
        .iter()
        .filter(move |c| c.control == Some(control))
        .map(|c| c.id)
}
