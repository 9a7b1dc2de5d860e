//! `match`/`exclude` blocks compiled: kind selectors parsed, wildcards prepared (rules.md §2).
//!
//! Interim version: kinds only (plain kind names and wildcards).

use crate::diagnostic::Diagnostic;
use crate::ir::MatchBlock;

#[derive(Clone, Debug, Default)]
pub struct Matcher {
    kinds: Vec<Vec<String>>,
    any: bool,
}

impl Matcher {
    /// The kinds each filter names, for indexing.
    pub fn kinds(&self) -> impl Iterator<Item = &str> {
        self.kinds.iter().flatten().map(String::as_str)
    }

    pub fn matches_kind(&self, kind: &str) -> bool {
        let filter = |kinds: &Vec<String>| {
            kinds.is_empty()
                || kinds.iter().any(|k| {
                    let last = k.rsplit('/').next().unwrap_or(k);
                    crate::value::wildcard::matches(last, kind)
                })
        };
        if self.any {
            self.kinds.iter().any(filter)
        } else {
            !self.kinds.is_empty() && self.kinds.iter().all(filter)
        }
    }
}

pub fn compile_match(block: &MatchBlock) -> Result<Matcher, Vec<Diagnostic>> {
    let collect = |filters: &[crate::ir::ResourceFilter]| -> Vec<Vec<String>> {
        filters
            .iter()
            .map(|f| {
                f.resources
                    .as_ref()
                    .map(|r| r.kinds.iter().map(|k| k.node.clone()).collect())
                    .unwrap_or_default()
            })
            .collect()
    };
    let (kinds, any) = match (&block.any, &block.all, &block.legacy) {
        (Some(any), _, _) if !any.is_empty() => (collect(any), true),
        (_, Some(all), _) if !all.is_empty() => (collect(all), false),
        (_, _, Some(legacy)) => (collect(std::slice::from_ref(legacy)), false),
        _ => (Vec::new(), true),
    };
    Ok(Matcher { kinds, any })
}
