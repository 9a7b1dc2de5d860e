//! The failing checks of a pod as exclusions leave them (podsecurity.md §3.4): takes the
//! evaluated failures by reference and returns views of what still stands. Removing an
//! error only drops a reference; nothing evaluated is copied.

use super::checks::check;
use super::controls::{CheckId, ControlName};
use super::memo::Failed;
use super::types::{CheckResult, FieldError};

/// A failing check as exclusions leave it: the evaluated failure and its errors still
/// standing.
#[derive(Clone, Debug)]
pub struct Kept<'r> {
    pub failed: &'r Failed,
    pub errors: Vec<&'r FieldError>,
}

impl<'r> Kept<'r> {
    fn all(failed: &'r Failed) -> Kept<'r> {
        Kept {
            failed,
            errors: failed.result.errors.iter().collect(),
        }
    }

    pub fn result(&self) -> &'r CheckResult {
        &self.failed.result
    }

    /// Whether exclusions removed none of the check's errors: only removals happen, so the
    /// same count means the same errors in the same order.
    pub fn is_intact(&self) -> bool {
        self.errors.len() == self.result().errors.len()
    }

    fn to_result(&self) -> CheckResult {
        CheckResult {
            id: self.result().id,
            reason: self.result().reason,
            errors: self.errors.iter().map(|e| (*e).clone()).collect(),
        }
    }
}

/// The failing checks exclusions leave standing: all of the evaluated ones until an entry
/// excuses an error, then the kept ones, in registration order (one of the orders Kyverno's
/// hash map may produce, §3.4 step 4).
#[derive(Clone, Debug)]
pub struct Standing<'r> {
    evaluated: Evaluated<'r>,
    /// `None` while nothing is excused.
    kept: Option<Vec<Kept<'r>>>,
}

/// The failing checks of a level, held in place: a pod fails a handful, and the list is
/// made for every podSecurity rule of every request.
pub type Evaluated<'r> = smallvec::SmallVec<[&'r Failed; 8]>;

/// What [`Standing::view`] shows.
pub enum View<'s, 'r> {
    Evaluated(&'s [&'r Failed]),
    Kept(&'s [Kept<'r>]),
}

impl<'r> Standing<'r> {
    /// Every check of `evaluated` standing with all its errors.
    pub fn new(evaluated: Evaluated<'r>) -> Standing<'r> {
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
            None => View::Evaluated(&self.evaluated),
            Some(kept) => View::Kept(kept),
        }
    }

    /// The standing checks as owned results.
    pub fn to_results(&self) -> Vec<CheckResult> {
        match self.view() {
            View::Evaluated(evaluated) => evaluated.iter().map(|f| f.result.clone()).collect(),
            View::Kept(kept) => kept.iter().map(Kept::to_result).collect(),
        }
    }

    /// Whether check `id` still stands.
    pub fn has(&self, id: CheckId) -> bool {
        match self.view() {
            View::Evaluated(evaluated) => evaluated.iter().any(|f| f.result.id == id),
            View::Kept(kept) => kept.iter().any(|k| k.result().id == id),
        }
    }

    /// Whether a standing check belongs to `control`: only then can an exclusion entry
    /// naming it excuse anything.
    pub fn has_control(&self, control: ControlName) -> bool {
        let of_control = |id: CheckId| check(id).control == Some(control);
        match self.view() {
            View::Evaluated(evaluated) => evaluated.iter().any(|f| of_control(f.result.id)),
            View::Kept(kept) => kept.iter().any(|k| of_control(k.result().id)),
        }
    }

    /// Removes the first error of check `id` that `matches` accepts, swapping the last error
    /// into its slot, and drops the check when no error is left. Nothing is taken apart
    /// while no error matches.
    pub fn remove_first(&mut self, id: CheckId, matches: impl Fn(&FieldError) -> bool) {
        let Some((at, found)) = self.find(id, matches) else {
            return;
        };
        let evaluated = &self.evaluated;
        let kept = self
            .kept
            .get_or_insert_with(|| evaluated.iter().map(|f| Kept::all(f)).collect());
        let errors = &mut kept[at].errors;
        errors.swap_remove(found);
        if errors.is_empty() {
            kept.remove(at);
        }
    }

    /// The position of check `id` and of its first error `matches` accepts; the positions
    /// are the same in the evaluated results and in the kept checks first taken from them.
    fn find(&self, id: CheckId, matches: impl Fn(&FieldError) -> bool) -> Option<(usize, usize)> {
        match self.view() {
            View::Evaluated(evaluated) => {
                let at = evaluated.iter().position(|f| f.result.id == id)?;
                Some((at, evaluated[at].result.errors.iter().position(matches)?))
            }
            View::Kept(kept) => {
                let at = kept.iter().position(|k| k.result().id == id)?;
                Some((at, kept[at].errors.iter().position(|e| matches(e))?))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::podsecurity::types::BadValue;

    fn failed(id: CheckId, fields: &[&str]) -> Failed {
        let errors = fields
            .iter()
            .map(|f| FieldError::forbidden(f.to_string(), BadValue::None))
            .collect();
        let reason = "r";
        Failed::new(CheckResult { id, reason, errors })
    }

    fn fields(standing: &Standing) -> Vec<Vec<String>> {
        let results = standing.to_results();
        let fields = |r: &CheckResult| r.errors.iter().map(|e| e.field.to_string()).collect();
        results.iter().map(fields).collect()
    }

    /// Removal is swap-remove and an emptied check is deleted (podsecurity.md §3.4 step 3).
    #[test]
    fn removal_swaps_in_the_last_error_and_drops_emptied_checks() {
        let privileged = failed(CheckId::Privileged, &["a", "b", "c"]);
        let ports = failed(CheckId::HostPorts, &["p"]);
        let mut standing = Standing::new(smallvec::smallvec![&privileged, &ports]);
        standing.remove_first(CheckId::Privileged, |e| e.field == "a");
        assert_eq!(fields(&standing), [vec!["c", "b"], vec!["p"]]);
        assert!(matches!(standing.view(), View::Kept(k) if !k[0].is_intact() && k[1].is_intact()));
        standing.remove_first(CheckId::HostPorts, |e| e.field == "p");
        assert_eq!(fields(&standing), [vec!["c", "b"]]);
        assert!(!standing.has(CheckId::HostPorts));
    }

    #[test]
    fn nothing_is_taken_apart_while_no_error_matches() {
        let privileged = failed(CheckId::Privileged, &["a"]);
        let mut standing = Standing::new(smallvec::smallvec![&privileged]);
        standing.remove_first(CheckId::Privileged, |e| e.field == "x");
        standing.remove_first(CheckId::HostPorts, |_| true);
        assert!(matches!(standing.view(), View::Evaluated(e) if e.len() == 1));
    }
}
