//! The variables of one rule → the diagnostics of rules.md §1.6 item 7: none in
//! `match`/`exclude`, each one a built-in or a context entry, each expression valid
//! JMESPath, and `element` variables only under `foreach`.

use std::sync::LazyLock;

use regex::Regex;

use super::walk::{Region, Text};
use crate::diagnostic::Diagnostic;
use crate::ir::{self, ContextSource};
use crate::syntax::template::{Template, opens_variable};
use crate::value::wildcard;

/// Built-in variables when the policy is not applied in the background.
const ALLOWED: &str = r"request|serviceAccountName|serviceAccountNamespace|element|elementIndex|@|images|image|([a-z_0-9]+\()[^{}]";
/// Built-in variables in background mode: user information is never available there.
const ALLOWED_IN_BACKGROUND: &str =
    r"request\.|element|elementIndex|@|images|images\.|image\.|([a-z_0-9]+\()[^{}]";

static ALLOWED_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(ALLOWED).expect("invariant: a constant, valid regex"));
static ALLOWED_IN_BACKGROUND_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(ALLOWED_IN_BACKGROUND).expect("invariant: a constant, valid regex")
});
/// What Kyverno counts as a variable in `match`/`exclude`: no escaping, no inner braces.
static ANY_VARIABLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\{\{[^{}]*\}\}").expect("invariant: a constant, valid regex"));

/// What the rule's variables may name.
pub(super) struct Scope {
    built_in: &'static Regex,
    built_in_text: &'static str,
    /// Wildcard patterns derived from the context entries.
    entries: Vec<String>,
}

impl Scope {
    /// The rule's own context entries and those of its top-level foreach declarations
    /// (Kyverno does not look into nested foreach declarations).
    pub(super) fn of(rule: &ir::Rule, background: bool) -> Scope {
        let (built_in, built_in_text) = if background {
            (&*ALLOWED_IN_BACKGROUND_RE, ALLOWED_IN_BACKGROUND)
        } else {
            (&*ALLOWED_RE, ALLOWED)
        };
        let mut entries = Vec::new();
        add_entries(&rule.context, &mut entries);
        if let ir::RuleBody::Validate(v) = &rule.body {
            for f in v.foreach.iter().flatten() {
                add_entries(&f.context, &mut entries);
            }
        }
        Scope {
            built_in,
            built_in_text,
            entries,
        }
    }

    /// Whether a variable's expression names something the rule defines.
    fn allows(&self, expr: &str) -> bool {
        let unquoted = expr.replace('"', "");
        self.built_in.is_match(&unquoted)
            || self.entries.iter().any(|p| wildcard::matches(p, &unquoted))
    }
}

/// A variable entry allows any expression starting with its name; a configMap entry only
/// its `data` and `metadata`.
fn add_entries(entries: &[ir::ContextEntry], out: &mut Vec<String>) {
    for e in entries {
        let name = &e.name.node;
        match e.source {
            ContextSource::ConfigMap { .. } => out.extend(
                ["data", "metadata", "data.*", "metadata.*"].map(|s| format!("{name}.{s}")),
            ),
            ContextSource::Missing => {}
            _ => out.push(format!("{name}*")),
        }
    }
}

/// Diagnostics for every variable problem of one rule.
pub(super) fn check_rule(rule: &ir::Rule, texts: &[Text<'_>], scope: &Scope) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for region in [Region::Exclude, Region::Match] {
        out.extend(forbidden_section(rule, texts, region));
    }
    for t in texts.iter().filter(|t| opens_variable(t.text)) {
        if matches!(t.region, Region::Match | Region::Exclude) {
            continue;
        }
        check_text(rule, t, scope, &mut out);
    }
    out
}

/// `match`/`exclude` select resources before any context exists: no variable may appear.
fn forbidden_section(rule: &ir::Rule, texts: &[Text<'_>], region: Region) -> Option<Diagnostic> {
    let t = texts
        .iter()
        .find(|t| t.region == region && ANY_VARIABLE.is_match(t.text))?;
    let section = if region == Region::Match {
        "match"
    } else {
        "exclude"
    };
    Some(
        Diagnostic::error(format!(
            "policy contains invalid variables: rule \"{}\" should not have variables in {section} section",
            rule.name.node
        ))
        .at(t.span)
        .with_label(format!("variables are not substituted in `{section}`")),
    )
}

fn check_text(rule: &ir::Rule, t: &Text<'_>, scope: &Scope, out: &mut Vec<Diagnostic>) {
    let template = match Template::parse(t.text) {
        Ok(template) => template,
        Err(e) => {
            out.push(
                Diagnostic::error(format!(
                    "policy contains invalid variables: variable substitution failed for rule {}: failed to resolve at path {}: {e}",
                    rule.name.node, t.path
                ))
                .at(t.span)
                .with_label("expected a valid JMESPath expression between `{{` and `}}`"),
            );
            return;
        }
    };
    for expr in template.expressions() {
        if expr != "@" && !scope.allows(expr) {
            out.push(not_allowed(rule, t, expr, scope));
        }
        if is_element(expr) && t.region != Region::Foreach {
            out.push(
                Diagnostic::error(format!(
                    "variable '{expr}' present outside of foreach at path {}",
                    t.path
                ))
                .at(t.span)
                .with_label("`element` and `elementIndex` are only defined inside `foreach`"),
            );
        }
    }
}

/// `element`, `element0`, `elementIndex`, ...: what Kyverno treats as a foreach variable.
fn is_element(expr: &str) -> bool {
    expr.starts_with("element")
}

fn not_allowed(rule: &ir::Rule, t: &Text<'_>, expr: &str, scope: &Scope) -> Diagnostic {
    Diagnostic::error(format!(
        "policy contains invalid variables: variable substitution failed for rule {}: variable {} must match regex \"{}\" or patterns [{}]",
        rule.name.node,
        expr.replace('"', ""),
        scope.built_in_text,
        scope.entries.join(" ")
    ))
    .at(t.span)
    .with_label("expected a built-in variable or a context entry of this rule")
    .with_note(format!("at path {}; a variable given only by a values file still needs a context entry", t.path))
}
