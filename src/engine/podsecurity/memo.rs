//! The per-request memo of Pod Security evaluation: takes the request's pod and returns its
//! failing checks per level and version. Each check implementation runs once per pod (a
//! restricted rule runs every baseline check too) and each failure's message group is
//! written once. Exclusion probes are shared the same way: entries naming the same images
//! build the same probe pod, so each check runs once on it whichever rule or exception
//! holds the entry.

use std::cell::OnceCell;
use std::sync::Arc;

use super::checks::{CHECKS, Check, Versioned};
use super::controls::CheckId;
use super::exclusion::field_key;
use super::message;
use super::pod::Pod;
use super::standing::Evaluated;
use super::types::{CheckResult, Level, Version};
use crate::compile::matching::Pattern as Wildcard;

/// What one request's pod has been found to fail: its own checks, and the checks of the
/// exclusion probes built from it.
#[derive(Debug, Default)]
pub struct Memo {
    pub checks: Checks,
    pub probes: Probes,
}

/// The check results of one pod, computed once per request and shared by every
/// podSecurity rule evaluating that pod.
#[derive(Debug, Default)]
pub struct Checks {
    runs: Vec<Run>,
    /// Per check ID, the position of the check's first run.
    first_run: [Option<usize>; CHECKS.len()],
    /// The failing runs each (level, version) selects, as positions in `runs`, in
    /// registration order: a run's result never changes, so the passing ones are left out
    /// once instead of skipped by every rule that asks.
    levels: Vec<((Level, Version), Vec<usize>)>,
}

/// One check implementation (named by its check and its `since`) run on the pod.
#[derive(Debug)]
struct Run {
    id: CheckId,
    since: u32,
    failed: Option<Failed>,
}

/// A failing check with its message group, written on first use for the kind of the one
/// resource the memo sees.
#[derive(Debug)]
pub struct Failed {
    pub result: CheckResult,
    group: OnceCell<String>,
}

impl Failed {
    pub fn new(result: CheckResult) -> Failed {
        Failed {
            result,
            group: OnceCell::new(),
        }
    }

    /// The message group of the check with all its errors.
    pub fn group(&self, kind: &str) -> &str {
        self.group.get_or_init(|| {
            let result = &self.result;
            message::group(kind, result.reason, result.errors.iter())
        })
    }
}

impl Checks {
    /// The failing checks of `pod` at `level` and `version`, in registration order
    /// (podsecurity.md §2.5); each check runs on first use.
    pub fn evaluate(&mut self, level: Level, version: Version, pod: &Pod) -> Evaluated<'_> {
        let key = (level, version);
        let at = match self.levels.iter().position(|(k, _)| *k == key) {
            Some(at) => at,
            None => {
                let runs = self.run_level(level, version, pod);
                self.levels.push((key, runs));
                self.levels.len() - 1
            }
        };
        let runs = &self.levels[at].1;
        runs.iter()
            .filter_map(|&i| self.runs[i].failed.as_ref())
            .collect()
    }

    fn run_level(&mut self, level: Level, version: Version, pod: &Pod) -> Vec<usize> {
        if self.runs.capacity() == 0 {
            // Room for every check at once, not grown run by run.
            self.runs = Vec::with_capacity(CHECKS.len());
        }
        let selected = CHECKS.iter().filter(|c| level.runs(c.level));
        let mut failing = Vec::with_capacity(CHECKS.len());
        for check in selected {
            if let Some(imp) = check.implementation(version) {
                let at = self.run(check, imp, pod);
                if self.runs[at].failed.is_some() {
                    failing.push(at);
                }
            }
        }
        failing
    }

    /// The position of the run of `imp` of `check`, run now if it has not run yet.
    fn run(&mut self, check: &Check, imp: &Versioned, pod: &Pod) -> usize {
        // A check's first run is indexed by its ID; another implementation of the same
        // check (rules of different versions) is looked for among the runs.
        let first = &mut self.first_run[check.id as usize];
        match *first {
            Some(at) if self.runs[at].since == imp.since => return at,
            Some(_) => {
                let same = |r: &Run| r.id == check.id && r.since == imp.since;
                if let Some(at) = self.runs.iter().position(same) {
                    return at;
                }
            }
            None => *first = Some(self.runs.len()),
        }
        let failed = check.run_at(imp, pod).map(Failed::new);
        self.runs.push(Run {
            id: check.id,
            since: imp.since,
            failed,
        });
        self.runs.len() - 1
    }
}

/// The exclusion probes of one pod and the checks run on them (podsecurity.md §3.4 step
/// 3.1). A probe pod is the pod reduced to the containers an entry's `images` select (or,
/// without images, to one stand-in container), so entries with the same images share one
/// probe, and each check runs once on it.
#[derive(Debug, Default)]
pub struct Probes {
    probes: Vec<Probe>,
}

#[derive(Debug)]
struct Probe {
    images: Arc<[Wildcard]>,
    /// The positions in the pod's container list of the containers the images select.
    picked: Vec<usize>,
    runs: Vec<ProbeRun>,
}

#[derive(Debug)]
struct ProbeRun {
    id: CheckId,
    since: u32,
    found: Option<Probed>,
}

/// A check failing on a probe pod, with the key of each error's field (see [`key`]).
#[derive(Debug)]
pub struct Probed {
    pub result: CheckResult,
    pub keys: Vec<String>,
}

impl Probes {
    /// The probe of entries with `images`, as a position for [`Probes::picked`] and
    /// [`Probes::run`]; its containers are picked from `pod` on first use.
    pub fn probe(&mut self, images: &Arc<[Wildcard]>, pod: &Pod) -> usize {
        let same = |p: &Probe| Arc::ptr_eq(&p.images, images) || p.images == *images;
        if let Some(at) = self.probes.iter().position(same) {
            return at;
        }
        let picked = (pod.containers.iter().enumerate())
            .filter(|(_, c)| images.iter().any(|p| p.matches(c.image())))
            .map(|(i, _)| i)
            .collect();
        self.probes.push(Probe {
            images: Arc::clone(images),
            picked,
            runs: Vec::new(),
        });
        self.probes.len() - 1
    }

    /// The containers probe `at` keeps, as positions in the pod's container list.
    pub fn picked(&self, at: usize) -> &[usize] {
        &self.probes[at].picked
    }

    /// What implementation `imp` of `check` finds on `probe_pod`, the pod of probe `at`;
    /// `None` when it passes.
    pub fn run(
        &mut self,
        at: usize,
        check: &Check,
        imp: &Versioned,
        probe_pod: &Pod,
    ) -> Option<&Probed> {
        let runs = &mut self.probes[at].runs;
        let same = |r: &ProbeRun| r.id == check.id && r.since == imp.since;
        let run = match runs.iter().position(same) {
            Some(run) => run,
            None => {
                let found = check.run_at(imp, probe_pod).map(|result| Probed {
                    keys: result.errors.iter().map(|e| field_key(&e.field)).collect(),
                    result,
                });
                runs.push(ProbeRun {
                    id: check.id,
                    since: imp.since,
                    found,
                });
                runs.len() - 1
            }
        };
        runs[run].found.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::CHECKS;

    /// The memo indexes runs by check ID: every ID must be a position of the table.
    #[test]
    fn check_ids_index_the_table() {
        let mut seen = [false; CHECKS.len()];
        for check in &CHECKS {
            let at = check.id as usize;
            assert!(at < CHECKS.len(), "{:?}", check.id);
            assert!(!seen[at], "{:?} twice", check.id);
            seen[at] = true;
        }
    }
}
