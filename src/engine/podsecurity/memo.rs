//! The per-request memo of Pod Security evaluation: takes the request's pod and returns its
//! failing checks per level and version. Each check implementation runs once per pod (a
//! restricted rule runs every baseline check too) and each failure's message group is
//! written once.

use std::cell::OnceCell;

use super::checks::{CHECKS, Check, Versioned};
use super::controls::CheckId;
use super::message;
use super::pod::Pod;
use super::types::{CheckResult, Level, Version};

/// The check results of one pod, computed once per request and shared by every
/// podSecurity rule evaluating that pod.
#[derive(Debug, Default)]
pub struct Memo {
    runs: Vec<Run>,
    /// The runs each (level, version) selects, as positions in `runs`, in registration order.
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

impl Memo {
    /// The failing checks of `pod` at `level` and `version`, in registration order
    /// (podsecurity.md §2.5); each check runs on first use.
    pub fn evaluate(&mut self, level: Level, version: Version, pod: &Pod) -> Vec<&Failed> {
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
        let mut failed = Vec::with_capacity(runs.len());
        failed.extend(runs.iter().filter_map(|&i| self.runs[i].failed.as_ref()));
        failed
    }

    fn run_level(&mut self, level: Level, version: Version, pod: &Pod) -> Vec<usize> {
        let selected = CHECKS.iter().filter(|c| level.runs(c.level));
        let mut runs = Vec::with_capacity(CHECKS.len());
        runs.extend(selected.filter_map(|c| Some(self.run(c, c.implementation(version)?, pod))));
        runs
    }

    /// The position of the run of `imp` of `check`, run now if it has not run yet.
    fn run(&mut self, check: &Check, imp: &Versioned, pod: &Pod) -> usize {
        let same = |r: &Run| r.id == check.id && r.since == imp.since;
        if let Some(at) = self.runs.iter().position(same) {
            return at;
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
