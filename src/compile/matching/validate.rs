//! The problems of one `match` / `exclude` / exception block that make Kyverno reject the
//! policy (rules.md §1.6 items 1–2), as spanned diagnostics, every one collected.

use crate::diagnostic::Diagnostic;
use crate::ir::Subject;
use crate::ir::{LabelSelector as IrSelector, MatchBlock, ResourceDescription, ResourceFilter};
use crate::source::Span;

use super::filter::written_name;
use super::selector::LabelSelector;
use super::{Flavor, chosen_filters};

/// Every problem of the block, in source order.
pub(crate) fn block(block: &MatchBlock, flavor: Flavor) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    shape(block, flavor, &mut out);
    for filter in written_filters(block, flavor) {
        user_info(filter, &mut out);
        if let Some(d) = &filter.resources {
            description(d, &mut out);
        }
    }
    if flavor == Flavor::Match {
        kinds_required(block, &mut out);
    }
    out
}

fn written_filters(block: &MatchBlock, flavor: Flavor) -> impl Iterator<Item = &ResourceFilter> {
    let legacy = block
        .legacy
        .iter()
        .filter(move |_| flavor != Flavor::Exception);
    block
        .any
        .iter()
        .flatten()
        .chain(block.all.iter().flatten())
        .chain(legacy)
}

fn non_empty(list: &Option<Vec<ResourceFilter>>) -> bool {
    list.as_ref().is_some_and(|l| !l.is_empty())
}

/// `any` with `all`, and `any`/`all` with the legacy `resources`.
fn shape(block: &MatchBlock, flavor: Flavor, out: &mut Vec<Diagnostic>) {
    let name = flavor.block_name();
    if non_empty(&block.any) && non_empty(&block.all) {
        out.push(
            Diagnostic::error(format!("`{name}` cannot have both `any` and `all`"))
                .at(block.span)
                .with_label("expected either `any` or `all`"),
        );
    }
    let legacy_resources = block.legacy.as_ref().and_then(|f| f.resources.as_ref());
    let any_or_all = non_empty(&block.any) || non_empty(&block.all);
    if flavor != Flavor::Exception
        && any_or_all
        && let Some(resources) = legacy_resources.filter(|r| !is_zero(r))
    {
        out.push(
            Diagnostic::error(format!(
                "`{name}.resources` cannot be combined with `any` or `all`"
            ))
            .at(resources.span)
            .with_label("expected these resources inside an `any` or `all` entry"),
        );
    }
}

fn is_zero(d: &ResourceDescription) -> bool {
    d.kinds.is_empty()
        && written_name(d).is_none()
        && d.names.is_empty()
        && d.namespaces.is_empty()
        && d.annotations.is_none()
        && d.selector.is_none()
        && d.namespace_selector.is_none()
        && d.operations.is_empty()
}

fn user_info(filter: &ResourceFilter, out: &mut Vec<Diagnostic>) {
    for subject in &filter.subjects {
        subject_problems(subject, out);
    }
    for role in &filter.roles {
        if role.node.split(':').count() != 2 {
            out.push(
                Diagnostic::error(format!(
                    "role `{}` is not in `namespace:name` form",
                    role.node
                ))
                .at(role.span)
                .with_label("expected `<namespace>:<role>`"),
            );
        }
    }
}

fn subject_problems(s: &Subject, out: &mut Vec<Diagnostic>) {
    let kind = s.kind.node.as_str();
    if kind.is_empty() {
        out.push(Diagnostic::error("subject kind is required").at(s.kind.span));
    } else if !matches!(kind, "User" | "Group" | "ServiceAccount") {
        out.push(
            Diagnostic::error(format!("subject kind `{kind}` is not valid"))
                .at(s.kind.span)
                .with_label("expected `User`, `Group` or `ServiceAccount`"),
        );
    }
    if s.name.node.is_empty() {
        out.push(Diagnostic::error("subject name is required").at(s.name.span));
    }
    let namespace = s.namespace.as_ref().map_or("", |n| n.node.as_str());
    if kind == "ServiceAccount" && namespace.is_empty() {
        out.push(
            Diagnostic::error("a ServiceAccount subject needs a namespace")
                .at(s.span)
                .with_label("expected `namespace: <service account namespace>`"),
        );
    }
}

fn description(d: &ResourceDescription, out: &mut Vec<Diagnostic>) {
    if let (Some(name), false) = (&d.name, d.names.is_empty())
        && !name.node.is_empty()
    {
        out.push(
            Diagnostic::error("`name` and `names` cannot both be given")
                .at(name.span)
                .with_label("expected only `names`"),
        );
    }
    if let Some(selector) = &d.selector {
        selector_problems(selector, out);
    }
}

/// A `selector` without wildcards must be a valid Kubernetes selector with at least one
/// requirement (wildcard selectors are only checked once expanded, per resource).
fn selector_problems(ir: &IrSelector, out: &mut Vec<Diagnostic>) {
    let compiled = LabelSelector::compile(ir);
    if compiled.has_wildcard() {
        return;
    }
    if let Some(problem) = compiled.problem() {
        out.push(Diagnostic::error(format!("invalid label selector: {problem}")).at(ir.span));
    } else if compiled.is_empty() {
        out.push(
            Diagnostic::error("the label selector has no requirements")
                .at(ir.span)
                .with_label("expected `matchLabels` or `matchExpressions` entries"),
        );
    }
}

/// Every evaluated `match` filter must name its kinds (`exclude` filters need not).
fn kinds_required(block: &MatchBlock, out: &mut Vec<Diagnostic>) {
    let (_, filters) = chosen_filters(block, Flavor::Match);
    if filters.is_empty() {
        out.push(no_resources(block.span));
    }
    for filter in filters {
        match &filter.resources {
            Some(d) if !is_zero(d) && d.kinds.is_empty() => out.push(
                Diagnostic::error("a `match` filter must list at least one kind")
                    .at(d.span)
                    .with_label("expected `kinds: [...]`"),
            ),
            Some(d) if !is_zero(d) => {}
            _ => out.push(no_resources(filter.span)),
        }
    }
}

fn no_resources(span: Span) -> Diagnostic {
    Diagnostic::error("`match` selects no resources")
        .at(span)
        .with_label("expected `resources` with at least `kinds`")
}
