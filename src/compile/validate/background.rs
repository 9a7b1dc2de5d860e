//! A policy in background mode (rules.md §1.6 item 7) → diagnostics for what only an
//! admission request carries: user-information variables and `roles`, `clusterRoles` or
//! `subjects` in `match`/`exclude`.

use std::sync::LazyLock;

use regex::Regex;

use super::walk::Text;
use crate::diagnostic::Diagnostic;
use crate::ir::{self, MatchBlock, ResourceFilter};
use crate::source::Span;
use crate::syntax::template::opens_variable;

/// Kyverno's reason text, followed by the offending variable or path.
const PREFIX: &str = "only select variables are allowed in background mode. Set spec.background=false to disable background mode for this policy rule";

/// A variable as Kyverno finds it in the serialised policy (group 2).
static VARIABLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(^|[^\\])(\{\{(?:\{[^{}]*\}|[^{}])*\}\})")
        .expect("invariant: a constant, valid regex")
});
/// User information, unless it is a field of something else (`spec.serviceAccountName`).
static USER_VARIABLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"[^.](serviceAccountName|serviceAccountNamespace|request.userInfo|request.roles|request.clusterRoles)\b",
    )
    .expect("invariant: a constant, valid regex")
});

/// Whether the policy is processed in the background: `spec.background` true or absent.
pub(super) fn enabled(p: &ir::Policy) -> bool {
    p.spec.background.as_ref().is_none_or(|b| b.node)
}

/// User-information filters in `match`/`exclude`, rule by rule.
pub(super) fn user_filters(p: &ir::Policy) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (i, rule) in p.spec.rules.iter().enumerate() {
        let blocks = [("match", &rule.match_), ("exclude", &rule.exclude)];
        for (name, block) in blocks {
            if let Some(block) = block {
                user_block(&format!("spec/rules[{i}]/{name}"), block, &mut out);
            }
        }
    }
    out
}

fn user_block(path: &str, block: &MatchBlock, out: &mut Vec<Diagnostic>) {
    if let Some(f) = &block.legacy {
        user_filter(path, f, out);
    }
    for (key, filters) in [("any", &block.any), ("all", &block.all)] {
        for (j, f) in filters.iter().flatten().enumerate() {
            user_filter(&format!("{path}/{key}[{j}]"), f, out);
        }
    }
}

fn user_filter(path: &str, f: &ResourceFilter, out: &mut Vec<Diagnostic>) {
    let field: Option<(&str, Span)> = if let Some(r) = f.roles.first() {
        Some(("roles", r.span))
    } else if let Some(r) = f.cluster_roles.first() {
        Some(("clusterRoles", r.span))
    } else {
        f.subjects.first().map(|s| ("subjects", s.span))
    };
    if let Some((field, span)) = field {
        out.push(
            Diagnostic::error(format!(
                "{PREFIX}: invalid variable used at path: {path}/{field}"
            ))
            .at(span)
            .with_label("who sends a request is unknown in background mode"),
        );
    }
}

/// Variables naming user information, in any string of the policy.
pub(super) fn user_variables(texts: &[Text<'_>]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for t in texts.iter().filter(|t| opens_variable(t.text)) {
        for caps in VARIABLE.captures_iter(t.text) {
            let Some(token) = caps.get(2) else { continue };
            if USER_VARIABLE.is_match(token.as_str()) {
                out.push(
                    Diagnostic::error(format!(
                        "{PREFIX}: variable {} is not allowed",
                        token.as_str()
                    ))
                    .at(t.span)
                    .with_label("user information is only known during admission"),
                );
            }
        }
    }
    out
}
