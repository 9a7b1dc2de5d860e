//! PolicyExceptions compiled (podsecurity.md §4): which policy rules they name, their
//! `match` block, conditions and podSecurity exclusions.

use super::matching::{self, Matcher};
use super::rule::{self, Problems};
use crate::engine::conditions::Block;
use crate::engine::podsecurity::Exclusion;
use crate::ir;
use crate::syntax::template::TemplateDoc;
use crate::value::wildcard;

#[derive(Debug)]
pub struct Exception {
    /// `<namespace>/<name>` (or `<name>`), as skip messages name it.
    pub key: String,
    targets: Vec<Target>,
    pub match_: Option<Matcher>,
    pub conditions: Option<Block<TemplateDoc>>,
    pub pod_security: Vec<Exclusion>,
}

#[derive(Debug)]
struct Target {
    /// Compared exactly with the policy's key.
    policy: String,
    /// Wildcard patterns over the evaluated rule name.
    rules: Vec<String>,
}

impl Exception {
    /// Whether the exception names the policy of key `policy_key` (for any rule).
    pub fn names_policy(&self, policy_key: &str) -> bool {
        self.targets.iter().any(|t| t.policy == policy_key)
    }

    /// Whether the exception names this policy key and (possibly generated) rule name.
    pub fn targets(&self, policy_key: &str, rule: &str) -> bool {
        self.targets
            .iter()
            .any(|t| t.policy == policy_key && t.rules.iter().any(|r| wildcard::matches(r, rule)))
    }
}

/// Compiles exceptions; problems come back as diagnostics and the exception is dropped.
pub fn compile(exceptions: &[ir::PolicyException], problems: &mut Problems) -> Vec<Exception> {
    exceptions.iter().filter_map(|e| one(e, problems)).collect()
}

fn one(e: &ir::PolicyException, problems: &mut Problems) -> Option<Exception> {
    let mut own = Problems::default();
    let match_ = e
        .match_
        .as_ref()
        .and_then(|m| match matching::compile_exception_match(m) {
            Ok(m) => Some(m),
            Err(ds) => {
                own.diagnostics.extend(ds);
                None
            }
        });
    let exception = Exception {
        key: e.key(),
        targets: e
            .exceptions
            .iter()
            .map(|t| Target {
                policy: t.policy_name.node.clone(),
                rules: t.rule_names.iter().map(|r| r.node.clone()).collect(),
            })
            .collect(),
        match_,
        conditions: e
            .conditions
            .as_ref()
            .and_then(|c| rule::conditions(c, &mut own)),
        pod_security: super::podsecurity::entries(&e.pod_security, None, &mut own)
            .unwrap_or_default(),
    };
    let ok = own.diagnostics.is_empty();
    problems.diagnostics.extend(own.diagnostics);
    ok.then_some(exception)
}
