//! `validate.podSecurity` blocks and exception `podSecurity` entries → the engine's typed
//! form, with load-time validation (podsecurity.md §3.2, §4.2) as spanned diagnostics.

use super::matching::Pattern as Wildcard;
use super::rule::Problems;
use crate::engine::podsecurity::{
    CONTROLS, ControlName, Exclusion, ExclusionField, Level, PodSecurity, Version,
    validate_exclusion,
};
use crate::ir;

/// A `validate.podSecurity` block; `None` (with diagnostics) when it is not valid.
pub fn block(ps: &ir::PodSecurity, p: &mut Problems) -> Option<PodSecurity> {
    let level = match &ps.level {
        Some(l) => match l.node.parse::<Level>() {
            Ok(level) => Some(level),
            Err(e) => {
                p.add(l.span, format!("podSecurity.level: {e}"));
                None
            }
        },
        None => {
            p.add(
                ps.span,
                "podSecurity.level is required: baseline, restricted or privileged",
            );
            None
        }
    };
    let version_text = ps
        .version
        .as_ref()
        .map(|v| v.node.clone())
        .unwrap_or_default();
    let version = match &ps.version {
        Some(v) if !v.node.is_empty() && !Version::crd_accepts(&v.node) => {
            p.add(v.span, format!("podSecurity.version: unsupported value {:?}: expected latest or v1.19 to v1.32", v.node));
            None
        }
        _ => version_text.parse::<Version>().ok(),
    };
    let exclude = entries(&ps.exclude, level, p);
    Some(PodSecurity::new(level?, version?, &version_text, exclude?))
}

/// Exclusion entries (of a rule, with its level; of an exception, with `None`).
pub fn entries(
    list: &[ir::PodSecurityExclude],
    level: Option<Level>,
    p: &mut Problems,
) -> Option<Vec<Exclusion>> {
    let before = p.diagnostics.len();
    let out: Vec<Exclusion> = list.iter().filter_map(|e| entry(e, level, p)).collect();
    (p.diagnostics.len() == before).then_some(out)
}

fn entry(e: &ir::PodSecurityExclude, level: Option<Level>, p: &mut Problems) -> Option<Exclusion> {
    let Some(name) = &e.control_name else {
        p.add(e.span, "exclude.controlName is required");
        return None;
    };
    let control = match name.node.parse::<ControlName>() {
        Ok(c) => c,
        Err(err) => {
            let names: Vec<&str> = CONTROLS.iter().map(|c| c.text).collect();
            p.diagnostics.push(
                crate::diagnostic::Diagnostic::error(err.to_string())
                    .at(name.span)
                    .with_label(format!("expected one of: {}", names.join(", "))),
            );
            return None;
        }
    };
    let exclusion = Exclusion {
        control,
        images: e.images.iter().map(|i| Wildcard::new(&i.node)).collect(),
        restricted_field: e.restricted_field.as_ref().map(|r| r.node.clone()),
        values: e.values.iter().map(|v| Wildcard::new(&v.node)).collect(),
    };
    let errors = validate_exclusion(level, &exclusion);
    for error in &errors {
        let span = match error.field() {
            ExclusionField::ControlName => name.span,
            ExclusionField::Values => e.values.first().map_or(e.span, |v| v.span),
            ExclusionField::RestrictedField => {
                e.restricted_field.as_ref().map_or(e.span, |r| r.span)
            }
        };
        p.add(span, error.to_string());
    }
    errors.is_empty().then_some(exclusion)
}
