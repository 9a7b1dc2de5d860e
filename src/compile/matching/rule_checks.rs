//! Rule-level checks on `match`/`exclude` that need more than one block: wildcard kinds
//! (rules.md §1.6 item 10), `exclude` covering `match` (item 3), `namespaces` in a
//! namespaced Policy (§1.1) and user information in background mode (§1.6 item 7).

use crate::diagnostic::Diagnostic;
use crate::ir::Validate;
use crate::ir::{Conditions, MatchBlock, Node, NodeValue, ResourceFilter, Rule, RuleBody};

use super::Flavor;
use super::overlap::exclude_covers_match;

/// What the policy around a rule says about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleScope {
    /// `spec.background` (absent means true).
    pub background: bool,
    /// The rule belongs to a namespaced `Policy`.
    pub namespaced: bool,
}

/// Every rule-level matching problem of `rule` (block-level ones come from
/// `compile_match` / `compile_exclude`).
pub fn check_rule(rule: &Rule, scope: RuleScope) -> Vec<Diagnostic> {
    let blocks = [
        (rule.match_.as_ref(), Flavor::Match),
        (rule.exclude.as_ref(), Flavor::Exclude),
    ];
    let mut out = Vec::new();
    for (block, flavor) in blocks {
        let Some(block) = block else { continue };
        for filter in all_filters(block) {
            out.extend(wildcard_kinds(filter, rule, scope.background));
            if scope.namespaced {
                out.extend(namespaces_in_policy(filter));
            }
        }
        if scope.background {
            out.extend(user_info_in_background(block, flavor));
        }
    }
    if let (Some(m), Some(e)) = (&rule.match_, &rule.exclude)
        && exclude_covers_match(m, e)
    {
        out.push(
            Diagnostic::error(
                "the rule matches an empty set: `exclude` removes everything `match` selects",
            )
            .at(e.span)
            .with_label("expected `exclude` to leave some resources selected"),
        );
    }
    out
}

/// Rule names must be unique within a policy (rules.md §1.6 item 3): one diagnostic per
/// repeated name, at its second and later occurrences.
pub fn duplicate_rule_names(rules: &[Rule]) -> Vec<Diagnostic> {
    rules
        .iter()
        .enumerate()
        .filter(|(i, r)| rules[..*i].iter().any(|p| p.name.node == r.name.node))
        .map(|(_, r)| {
            Diagnostic::error(format!("duplicate rule name `{}`", r.name.node))
                .at(r.name.span)
                .with_label("expected a name not used by an earlier rule of the policy")
        })
        .collect()
}

/// Every filter written in the block: `any`, `all` and the legacy one.
fn all_filters(block: &MatchBlock) -> impl Iterator<Item = &ResourceFilter> {
    block
        .any
        .iter()
        .flatten()
        .chain(block.all.iter().flatten())
        .chain(block.legacy.iter())
}

/// `roles`, `clusterRoles` or `subjects` in a block of a policy (or exception) that runs
/// in background mode, where no user is known.
pub fn user_info_in_background(block: &MatchBlock, flavor: Flavor) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for filter in all_filters(block) {
        let fields = [
            ("roles", filter.roles.first().map(|r| r.span)),
            ("clusterRoles", filter.cluster_roles.first().map(|r| r.span)),
            ("subjects", filter.subjects.first().map(|s| s.span)),
        ];
        if let Some((field, Some(span))) = fields.into_iter().find(|(_, s)| s.is_some()) {
            out.push(
                Diagnostic::error(format!(
                    "`{field}` in `{}` is not allowed in background mode",
                    flavor.block_name()
                ))
                .at(span)
                .with_label("no user is known in background scans")
                .with_note("set `background: false` to match on user information"),
            );
        }
    }
    out
}

fn namespaces_in_policy(filter: &ResourceFilter) -> Option<Diagnostic> {
    let first = filter.resources.as_ref()?.namespaces.first()?;
    Some(
        Diagnostic::error("`namespaces` is not allowed in a namespaced Policy")
            .at(first.span)
            .with_label("a Policy only applies in its own namespace; use a ClusterPolicy"),
    )
}

/// A `kinds` list holding the bare `*` (rules.md §1.6 item 10), first failing check only.
fn wildcard_kinds(filter: &ResourceFilter, rule: &Rule, background: bool) -> Option<Diagnostic> {
    let kinds = &filter.resources.as_ref()?.kinds;
    let star = kinds.iter().find(|k| k.node == "*")?;
    let diagnostic = |message: &str, label: &str| {
        Some(
            Diagnostic::error(message)
                .at(star.span)
                .with_label(label.to_string()),
        )
    };
    if background {
        return diagnostic(
            "kinds `*` is not allowed in background mode",
            "set `spec.background: false` or list the kinds",
        );
    }
    if kinds.len() > 1 {
        return diagnostic(
            "kinds `*` cannot be combined with other kinds",
            "expected `*` alone",
        );
    }
    match &rule.body {
        RuleBody::Other(kind) if kind.node != "mutate" => diagnostic(
            "kinds `*` is not supported for this rule type",
            "expected a validate or mutate rule",
        ),
        RuleBody::Validate(v) if v.foreach.is_some() => diagnostic(
            "kinds `*` is not supported with `foreach`",
            "expected `pattern`, `anyPattern` or `deny`",
        ),
        RuleBody::Validate(v) if !validate_only_metadata(v) => diagnostic(
            "with kinds `*` a rule may only check the resource's `metadata`",
            "expected a pattern or deny condition on `metadata` only",
        ),
        _ => None,
    }
}

fn validate_only_metadata(v: &Validate) -> bool {
    let patterns_ok = v.pattern.as_ref().is_none_or(only_metadata_keys)
        && v.any_pattern.as_ref().is_none_or(|p| {
            p.items()
                .is_some_and(|items| items.iter().all(only_metadata_keys))
        });
    let deny_ok = match v.deny.as_ref().and_then(|d| d.conditions.as_ref()) {
        Some(Conditions::List { conditions, .. }) => conditions
            .iter()
            .all(|c| c.key.as_ref().is_some_and(metadata_key)),
        _ => true,
    };
    patterns_ok && deny_ok
}

/// A pattern whose top-level keys are all `metadata` (non-mapping patterns pass).
fn only_metadata_keys(pattern: &Node) -> bool {
    pattern
        .entries()
        .is_none_or(|entries| entries.iter().all(|e| e.key.node == "metadata"))
}

/// A legacy deny key allowed with kinds `*`: it reads `request.object.metadata.`, or only
/// uses `request.`/service-account variables and never `request.object.spec`.
fn metadata_key(key: &Node) -> bool {
    let NodeValue::String(key) = &key.value else {
        return false;
    };
    key.contains("request.object.metadata.")
        || (has_permitted_variable(key) && !key.contains("request.object.spec"))
}

/// `\{\{\s*(request\.|serviceAccountName|serviceAccountNamespace)[^{}]*\}\}` occurs.
fn has_permitted_variable(text: &str) -> bool {
    (0..text.len())
        .filter(|&i| text[i..].starts_with("{{"))
        .any(|i| permitted_variable_at(&text[i + 2..]))
}

fn permitted_variable_at(rest: &str) -> bool {
    let rest = rest.trim_start_matches([' ', '\t', '\n', '\r', '\x0c']);
    let Some(body) = ["request.", "serviceAccountName", "serviceAccountNamespace"]
        .iter()
        .find_map(|p| rest.strip_prefix(p))
    else {
        return false;
    };
    match body.find(['{', '}']) {
        Some(end) => body[end..].starts_with("}}"),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::{duplicate_rule_names, has_permitted_variable};
    use crate::ir::{Rule, RuleBody};
    use crate::source::{Span, Spanned};

    fn rule(name: &str) -> Rule {
        Rule {
            span: Span::default(),
            name: Spanned::new(name.to_string(), Span::default()),
            match_: None,
            exclude: None,
            context: Vec::new(),
            preconditions: None,
            body: RuleBody::Missing,
            report_properties: Vec::new(),
            patches_json6902: None,
        }
    }

    #[test]
    fn repeated_rule_names_are_reported_once_each() {
        let rules = [rule("a"), rule("b"), rule("a"), rule("a")];
        let found = duplicate_rule_names(&rules);
        assert_eq!(found.len(), 2);
        assert!(found[0].message.contains("duplicate rule name `a`"));
        assert!(duplicate_rule_names(&rules[..2]).is_empty());
    }

    #[test]
    fn permitted_variables() {
        assert!(has_permitted_variable("{{request.object.metadata.name}}"));
        assert!(has_permitted_variable("x {{ serviceAccountName }}"));
        assert!(!has_permitted_variable("{{ images.containers }}"));
        assert!(!has_permitted_variable("{{request.{{x}} }}"));
        assert!(has_permitted_variable("{{{{request.operation}}"));
    }
}
