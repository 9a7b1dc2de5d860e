//! `validate.foreach` (rules.md §8.2): lists evaluated as raw JMESPath, per-element
//! context and preconditions, scoping of pattern targets, nesting, and the outcomes that
//! produce no response at all.

use std::borrow::Cow;

use serde_json::Value;

use super::checks::{self, RuleText, Target, Verdict};
use super::context::{JsonContext, is_missing_key};
use super::rule::{Values, register};
use crate::compile::{ElementNames, Foreach, ForeachCheck};
use crate::report::{Message, Status};
use crate::syntax::template::QueryError;
use crate::value::go_type_name;

/// Runs the foreach declarations of one level; `None` is "no response".
pub fn run<'c, 't>(
    list: &'c [Foreach],
    depth: usize,
    target: Target<'_>,
    text: &RuleText<'t>,
    values: &Values<'_>,
    ctx: &mut JsonContext<'c>,
) -> Option<Verdict<'t>> {
    // Elements that pass only count: their checks need not write pass messages.
    let text = &RuleText {
        shows_pass: false,
        ..*text
    };
    let mut applied = 0;
    let mut list_error = None;
    for entry in list {
        let elements = match list_of(entry, ctx) {
            Ok(elements) => elements,
            Err(e) if is_missing_key(&e) => continue,
            Err(e) => {
                list_error = Some(e.to_string());
                continue;
            }
        };
        // An element without context entries or values writes only `element` and
        // `elementIndex`, which the next element overwrites: one scope serves the list.
        let shared = entry.context.is_empty() && values.rule.is_none();
        let scope = ctx.open_if(shared);
        let (verdict, count) =
            elements_of(entry, elements, depth, target, text, values, shared, ctx);
        ctx.close(scope);
        if verdict.status != Status::Pass {
            return Some(verdict);
        }
        applied += count;
    }
    if applied > 0 {
        return Some(Verdict::new(Status::Pass, Message::Borrowed("rule passed")));
    }
    list_error.map(|e| Verdict::new(Status::Error, format!("failed to evaluate list: {e}")))
}

/// The elements of a declaration's list: borrowed from the request's document when they
/// are found there, copied otherwise (a list over a context entry or an outer element).
fn list_of<'c>(
    entry: &'c Foreach,
    ctx: &mut JsonContext<'c>,
) -> Result<Vec<Cow<'c, Value>>, QueryError> {
    if let Some(borrowed) = ctx.search_elements(&entry.list) {
        return borrowed;
    }
    Ok(match ctx.search(&entry.list)?.into_owned() {
        Value::Array(items) => items.into_iter().map(Cow::Owned).collect(),
        other => vec![Cow::Owned(other)],
    })
}

/// The elements in turn, each in a scope of its own unless `shared`.
#[allow(clippy::too_many_arguments)]
fn elements_of<'c, 't>(
    entry: &'c Foreach,
    elements: Vec<Cow<'c, Value>>,
    depth: usize,
    target: Target<'_>,
    text: &RuleText<'t>,
    values: &Values<'_>,
    shared: bool,
    ctx: &mut JsonContext<'c>,
) -> (Verdict<'t>, usize) {
    let mut count = 0;
    // In a shared scope, once `element` is set: later elements replace it in place.
    let mut bound = false;
    // Only pattern bodies (directly or nested) match against the element itself.
    let matches_element = !matches!(entry.check, ForeachCheck::Deny(_) | ForeachCheck::None);
    for (index, element) in elements.into_iter().enumerate() {
        if element.is_null() {
            continue;
        }
        let scoped = match scope(entry, &element) {
            Ok(scoped) => scoped,
            Err(message) => return (Verdict::new(Status::Error, message), count),
        };
        let keep = scoped && matches_element;
        if !shared {
            ctx.push_scope();
        }
        // Only a borrowed element leaves `element` to be replaced in place by the next.
        let again = std::mem::take(&mut bound);
        let verdict = match element {
            Cow::Borrowed(element) => {
                bind_element(ctx, depth, index, element, entry.names, again);
                bound = shared;
                let here = if keep {
                    Target::Element(element)
                } else {
                    target
                };
                element_body(entry, depth, here, text, values, ctx)
            }
            Cow::Owned(element) if keep => {
                set_element(ctx, depth, index, element.clone(), entry.names);
                element_body(entry, depth, Target::Element(&element), text, values, ctx)
            }
            Cow::Owned(element) => {
                set_element(ctx, depth, index, element, entry.names);
                element_body(entry, depth, target, text, values, ctx)
            }
        };
        if !shared {
            ctx.pop_scope();
        }
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
                    ["validation failure: ", &v.message].concat().into()
                };
                return (Verdict::new(v.status, message), count);
            }
            Some(_) => count += 1,
        }
    }
    (
        Verdict::new(Status::Pass, Message::Borrowed("rule passed")),
        count,
    )
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

/// As [`set_element`], for an element of the request's document: laid over the context by
/// reference. `again`: this scope bound `element` before.
fn bind_element<'c>(
    ctx: &mut JsonContext<'c>,
    depth: usize,
    index: usize,
    element: &'c Value,
    names: ElementNames,
    again: bool,
) {
    if names.indexed {
        ctx.bind(format!("element{depth}"), element);
        ctx.set(format!("elementIndex{depth}"), Value::from(index));
    }
    if again {
        ctx.rebind("element", element);
    } else {
        ctx.bind("element", element);
    }
    if names.index {
        ctx.set("elementIndex", Value::from(index));
    }
}

/// Sets `element`, and `elementIndex` and the level-indexed twins when the rule names them
/// (rules.md §4.6.4): a key no string of the rule names cannot be read.
fn set_element(
    ctx: &mut JsonContext<'_>,
    depth: usize,
    index: usize,
    element: Value,
    names: ElementNames,
) {
    if names.indexed {
        ctx.set(format!("element{depth}"), element.clone());
        ctx.set(format!("elementIndex{depth}"), Value::from(index));
    }
    ctx.set("element", element);
    if names.index {
        ctx.set("elementIndex", Value::from(index));
    }
}

fn element_body<'c, 't>(
    entry: &'c Foreach,
    depth: usize,
    target: Target<'_>,
    text: &RuleText<'t>,
    values: &Values<'_>,
    ctx: &mut JsonContext<'c>,
) -> Option<Verdict<'t>> {
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
            Ok(v) if !v.holds => {
                return Some(Verdict::new(
                    Status::Skip,
                    Message::Borrowed("preconditions not met"),
                ));
            }
            Ok(_) => {}
        }
    }
    match &entry.check {
        ForeachCheck::Deny(block) => Some(checks::deny(block.as_ref(), text, ctx)),
        ForeachCheck::Pattern(spec) => checks::pattern(spec, None, target, text, ctx),
        ForeachCheck::AnyPattern(specs) => checks::any_pattern(specs, &[], target, text, ctx),
        ForeachCheck::Nested(list) => run(list, depth + 1, target, text, values, ctx),
        ForeachCheck::None => None,
    }
}
