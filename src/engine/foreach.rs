//! `validate.foreach` (rules.md §8.2): lists evaluated as raw JMESPath, per-element
//! context and preconditions, scoping of pattern targets, nesting, and the outcomes that
//! produce no response at all.

use serde_json::{Map, Value};

use super::checks::{self, RuleText, Target, Verdict};
use super::context::{JsonContext, is_missing_key};
use super::rule::{Values, register};
use crate::compile::element_reads::ElementReads;
use crate::compile::{Foreach, ForeachCheck};
use crate::report::Status;
use crate::syntax::template::QueryError;
use crate::value::go_type_name;

/// Runs the foreach declarations of one level; `None` is "no response".
pub fn run<'c>(
    list: &'c [Foreach],
    depth: usize,
    target: Target<'_>,
    text: &RuleText<'c>,
    values: &Values<'_>,
    ctx: &mut JsonContext<'c>,
) -> Option<Verdict> {
    let mut applied = 0;
    let mut list_error = None;
    for entry in list {
        // Values may set anything an element is read through: copy elements whole then.
        let partial = entry
            .element_reads
            .as_ref()
            .filter(|_| values.rule.is_none());
        let rescans = ctx.rescans();
        let mut outcome = each_element(entry, partial, depth, target, text, values, ctx);
        if partial.is_some() && ctx.rescans() != rescans {
            // Rendering met variables no template wrote, which may read any part of an
            // element: evaluate again with whole elements.
            outcome = each_element(entry, None, depth, target, text, values, ctx);
        }
        let (verdict, count) = match outcome {
            Ok(done) => done,
            Err(e) if is_missing_key(&e) => continue,
            Err(e) => {
                list_error = Some(e.to_string());
                continue;
            }
        };
        if verdict.status != Status::Pass {
            return Some(verdict);
        }
        applied += count;
    }
    if applied > 0 {
        return Some(Verdict::new(Status::Pass, "rule passed"));
    }
    list_error.map(|e| Verdict::new(Status::Error, format!("failed to evaluate list: {e}")))
}

/// The elements of one declaration's list, each evaluated; an error is the list's.
#[allow(clippy::too_many_arguments)]
fn each_element<'c>(
    entry: &'c Foreach,
    partial: Option<&ElementReads>,
    depth: usize,
    target: Target<'_>,
    text: &RuleText<'c>,
    values: &Values<'_>,
    ctx: &mut JsonContext<'c>,
) -> Result<(Verdict, usize), QueryError> {
    let mut elements = match partial {
        Some(reads) => ctx.search_each(&entry.list, |element| partial_copy(element, reads))?,
        None => match ctx.search(&entry.list)?.into_owned() {
            Value::Array(items) => items,
            other => vec![other],
        },
    };
    Ok(elements_of(
        entry,
        &mut elements,
        depth,
        target,
        text,
        values,
        ctx,
    ))
}

/// The parts of `element` a body reads (see [`ElementReads`]), with the objects holding
/// them: lookups of anything else would find the same nothing in either.
fn partial_copy(element: &Value, reads: &ElementReads) -> Value {
    match element {
        Value::Object(map) if !reads.whole => {
            let mut out = Map::new();
            for (key, below) in &reads.keys {
                if let Some(value) = map.get(&**key) {
                    out.insert(key.to_string(), partial_copy(value, below));
                }
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

#[allow(clippy::too_many_arguments)]
fn elements_of<'c>(
    entry: &'c Foreach,
    elements: &mut [Value],
    depth: usize,
    target: Target<'_>,
    text: &RuleText<'c>,
    values: &Values<'_>,
    ctx: &mut JsonContext<'c>,
) -> (Verdict, usize) {
    let mut count = 0;
    // Only pattern bodies (directly or nested) match against the element itself.
    let matches_element = !matches!(entry.check, ForeachCheck::Deny(_) | ForeachCheck::None);
    for (index, slot) in elements.iter_mut().enumerate() {
        if slot.is_null() {
            continue;
        }
        let scoped = match scope(entry, slot) {
            Ok(scoped) => scoped,
            Err(message) => return (Verdict::new(Status::Error, message), count),
        };
        ctx.push_scope();
        let keep = scoped && matches_element;
        let element = if keep {
            slot.clone()
        } else {
            std::mem::take(slot)
        };
        set_element(ctx, depth, index, element, entry.indexed);
        let here = if keep { Target::Element(slot) } else { target };
        let verdict = element_body(entry, depth, here, text, values, ctx);
        ctx.pop_scope();
        match verdict {
            None => {}
            Some(v) if v.status == Status::Skip => {}
            Some(v)
                if v.status == Status::Error
                    && v.message.contains("failed to evaluate preconditions") => {}
            Some(v) if v.status != Status::Pass => {
                let message = if v.message.starts_with("failed to process foreach") {
                    v.message
                } else {
                    format!("validation failure: {}", v.message)
                };
                return (Verdict::new(v.status, message), count);
            }
            Some(_) => count += 1,
        }
    }
    (Verdict::new(Status::Pass, "rule passed"), count)
}

/// Whether an element is the target of patterns (rules.md §8.2.1): objects are, unless
/// `elementScope: false`; `elementScope: true` on a non-object is an error.
fn scope(entry: &Foreach, element: &Value) -> Result<bool, String> {
    match entry.element_scope {
        Some(true) if !element.is_object() => Err(format!(
            "failed to process foreach: cannot use elementScope=true foreach rules for elements that are not maps, expected type=map got type={}",
            go_type_name(element)
        )),
        Some(scope) => Ok(scope),
        None => Ok(element.is_object()),
    }
}

/// Sets `element` and `elementIndex`, and their level-indexed twins when the rule names
/// them (rules.md §4.6.4).
fn set_element(
    ctx: &mut JsonContext<'_>,
    depth: usize,
    index: usize,
    element: Value,
    indexed: bool,
) {
    if indexed {
        ctx.set(&format!("element{depth}"), element.clone());
        ctx.set(&format!("elementIndex{depth}"), Value::from(index));
    }
    ctx.set("element", element);
    ctx.set("elementIndex", Value::from(index));
}

fn element_body<'c>(
    entry: &'c Foreach,
    depth: usize,
    target: Target<'_>,
    text: &RuleText<'c>,
    values: &Values<'_>,
    ctx: &mut JsonContext<'c>,
) -> Option<Verdict> {
    values.inject_rule(ctx, true);
    if let Err(e) = register(&entry.context, ctx) {
        return Some(Verdict::new(
            Status::Error,
            format!("failed to load context: {e}"),
        ));
    }
    if let Some(pre) = &entry.preconditions {
        match checks::block(pre, ctx) {
            Err(e) => {
                return Some(Verdict::new(
                    Status::Error,
                    format!("failed to evaluate preconditions: {e}"),
                ));
            }
            Ok(v) if !v.holds => return Some(Verdict::new(Status::Skip, "preconditions not met")),
            Ok(_) => {}
        }
    }
    match &entry.check {
        ForeachCheck::Deny(block) => Some(checks::deny(block.as_ref(), text, ctx)),
        ForeachCheck::Pattern(spec) => checks::pattern(spec, target, text, ctx),
        ForeachCheck::AnyPattern(specs) => checks::any_pattern(specs, target, text, ctx),
        ForeachCheck::Nested(list) => run(list, depth + 1, target, text, values, ctx),
        ForeachCheck::None => None,
    }
}
