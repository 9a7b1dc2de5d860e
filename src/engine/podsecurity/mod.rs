//! Pod Security Standards: the checks as a table, the `validate.podSecurity` subrule, its
//! exclusions and exception entries (podsecurity.md). Takes a resource as JSON and a
//! compiled [`PodSecurity`]; returns an [`Outcome`] with Kyverno's message.

mod checks;
mod controls;
mod exclusion;
mod memo;
mod message;
mod pod;
mod standing;
mod subrule;
mod types;

pub use checks::{CHECKS, Check, CheckFn, Reason, Versioned, check, evaluate};
pub use controls::{
    CONTROLS, CheckId, Control, ControlName, ControlNameError, Exclusion, ExclusionError,
    ExclusionField, Scope, validate_exclusion,
};
pub use exclusion::{apply_exclusions, key};
pub use memo::{Failed, Memo};
pub use message::rewrite_field;
pub use pod::{Container, ExtractError, ListKind, Pod, extract};
pub use standing::{Kept, Standing, View};
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latest_is_newest() {
        assert!(Version::V1(19) < Version::V1(32));
        assert!(Version::V1(u32::MAX) < Version::Latest);
    }

    #[test]
    fn capabilities_and_seccomp_cover_two_checks() {
        let ids: Vec<CheckId> = checks_of(ControlName::Capabilities).collect();
        assert_eq!(
            ids,
            [
                CheckId::CapabilitiesBaseline,
                CheckId::CapabilitiesRestricted
            ]
        );
        let ids: Vec<CheckId> = checks_of(ControlName::Seccomp).collect();
        assert_eq!(
            ids,
            [
                CheckId::SeccompProfileBaseline,
                CheckId::SeccompProfileRestricted
            ]
        );
        assert_eq!(control_of(CheckId::HostProbesAndHostLifecycle), None);
    }

    #[test]
    fn every_other_control_covers_one_check() {
        for control in CONTROLS.iter().map(|c| c.name) {
            let two = matches!(control, ControlName::Capabilities | ControlName::Seccomp);
            assert_eq!(
                checks_of(control).count(),
                if two { 2 } else { 1 },
                "{control}"
            );
        }
    }

    #[test]
    fn control_names_round_trip() {
        for control in CONTROLS.iter().map(|c| c.name) {
            assert_eq!(control.as_str().parse::<ControlName>(), Ok(control));
        }
    }

    #[test]
    fn check_table_is_in_registration_order_with_ascending_versions() {
        let ids: Vec<CheckId> = CHECKS.iter().map(|c| c.id).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted);
        for check in &CHECKS {
            assert!(!check.versions.is_empty(), "{}", check.id);
            assert!(
                check.versions.windows(2).all(|w| w[0].since < w[1].since),
                "{}",
                check.id
            );
        }
    }
}
