//! The checks of a validate rule or foreach element — deny, pattern, anyPattern — with
//! their results and messages (rules.md §7.8, §7.9, §8.1).

use std::borrow::Cow;

use serde_json::Value;
use smallvec::SmallVec;

use super::conditions::{self, Block, Condition, DecidedKey, SubstitutionError};
use super::context::JsonContext;
use super::loader;
use super::messages::{self, concat};
use super::pattern::{self, Outcome};
use crate::compile::presence::Guard;
use crate::compile::{PatternSpec, pattern as compiled};
use crate::jmespath::Found;
use crate::report::{Message, Status};
use crate::syntax::template::{self, KeyedTemplates, Template, TemplateDoc};

/// A check's result before it becomes a rule response.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict<'s> {
    pub status: Status,
    pub message: Message<'s>,
}

impl<'s> Verdict<'s> {
    pub fn new(status: Status, message: impl Into<Message<'s>>) -> Verdict<'s> {
        Verdict {
            status,
            message: message.into(),
        }
    }
}

/// Where a pattern looks.
#[derive(Clone, Copy)]
pub enum Target<'v> {
    /// The new object of the request (in the JSON context).
    Resource,
    Element(&'v Value),
}

/// The value a target names, held apart from the context (which renders messages after
/// the match); `None` when there is no object (DELETE without an element).
fn target_value<'v>(target: Target<'v>, ctx: &JsonContext<'v>) -> Option<Cow<'v, Value>> {
    match target {
        Target::Element(v) => Some(Cow::Borrowed(v)),
        Target::Resource => ctx.object_apart(),
    }
}

/// What the rule's `validate.message` and name are, for messages.
#[derive(Clone, Copy)]
pub struct RuleText<'c> {
    pub name: &'c str,
    pub message: Option<&'c Template>,
    /// Where the message joined with condition messages is parsed once.
    pub joined: &'c KeyedTemplates<DecidedKey>,
    /// The rule's pass message.
    pub passed: &'c str,
    /// What a failing pattern's message says before its path, when the rule message
    /// holds no variable (see [`crate::compile::Validate::failed_at`]).
    pub failed_at: Option<&'c str>,
    /// Whether pass messages are shown: a foreach element's are not (only its failures
    /// reach the rule's response), so they are not written.
    pub shows_pass: bool,
}

impl<'c> RuleText<'c> {
    /// `validation rule '<name>' passed.`, when pass messages are shown.
    fn passed(&self) -> Message<'c> {
        match self.shows_pass {
            true => Message::Borrowed(self.passed),
            false => Message::default(),
        }
    }
}

/// Substitutes a condition key or value (a fixed value is borrowed, not copied).
pub fn substitute<'d>(
    doc: &'d TemplateDoc,
    ctx: &mut JsonContext<'_>,
) -> Result<Cow<'d, Value>, String> {
    let site = ctx.site("");
    doc.render(ctx, site).map_err(|e| e.to_string())
}

/// Evaluates a condition block against the context.
pub fn block<'b>(
    block: &'b Block<TemplateDoc>,
    ctx: &mut JsonContext<'_>,
) -> Result<conditions::Verdict<'b, TemplateDoc>, String> {
    conditions::evaluate(block, &mut |c| condition(c, ctx)).map_err(|e| e.to_string())
}

/// One condition. The key is substituted first, then the value. A fixed operand is read in
/// place, and a whole-variable operand (`"{{ expr }}"`) borrows the query's result from the
/// context: one of the two operands is never copied.
fn condition(
    c: &Condition<TemplateDoc>,
    ctx: &mut JsonContext<'_>,
) -> Result<bool, SubstitutionError> {
    let Some(slot) = c.shared.filter(|_| shares(c, ctx)) else {
        return evaluate_condition(c, ctx);
    };
    if let Some(held) = ctx.shared_outcome(slot) {
        return Ok(held);
    }
    let held = evaluate_condition(c, ctx)?;
    ctx.share_outcome(slot, held);
    Ok(held)
}

/// Whether a shared condition's outcome is the request's here (see [`JsonContext::shares`]).
fn shares(c: &Condition<TemplateDoc>, ctx: &JsonContext<'_>) -> bool {
    let expr = c.key.whole_query(ctx.is_delete());
    expr.is_some_and(|expr| ctx.shares(expr))
}

/// [`condition`], evaluated.
fn evaluate_condition(
    c: &Condition<TemplateDoc>,
    ctx: &mut JsonContext<'_>,
) -> Result<bool, SubstitutionError> {
    if let Some(value) = c.value.fixed() {
        // A set operator against fixed strings reads a list the key's query built (`a[].b`)
        // as the values it holds, without copying them into an array.
        if c.wildcards.is_some()
            && let Some(found) = whole_found(&c.key, ctx)
        {
            return match found.map_err(SubstitutionError::key)? {
                Found::Elements(keys) => Ok(match c.holds_fixed_elements(&keys) {
                    Some(held) => held,
                    None => {
                        c.holds_fixed(&Value::Array(keys.into_iter().cloned().collect()), value)
                    }
                }),
                Found::Json(key) => Ok(c.holds_fixed(&key, value)),
            };
        }
        return with_operand(&c.key, ctx, |key| c.holds_fixed(key, value))
            .map_err(SubstitutionError::key);
    }
    let key = substitute(&c.key, ctx).map_err(SubstitutionError::key)?;
    with_operand(&c.value, ctx, |value| c.holds(&key, value)).map_err(SubstitutionError::value)
}

/// `use_it` on the substituted document: borrowed when it is one variable (see [`whole`]),
/// rendered otherwise.
fn with_operand<R>(
    doc: &TemplateDoc,
    ctx: &mut JsonContext<'_>,
    use_it: impl FnOnce(&Value) -> R,
) -> Result<R, String> {
    match whole(doc, ctx) {
        Some(value) => value.map(|v| use_it(&v)),
        None => substitute(doc, ctx).map(|v| use_it(&v)),
    }
}

/// A whole-variable document's value, borrowed from the context; `None` when the document
/// is not one variable, or its result holds `{{` to substitute (render it instead).
fn whole<'a>(
    doc: &'a TemplateDoc,
    ctx: &'a mut JsonContext<'_>,
) -> Option<Result<Cow<'a, Value>, String>> {
    let site = ctx.site("");
    let expr = doc.whole_query(site.delete)?;
    match template::query(ctx, expr, site) {
        Ok(value) if TemplateDoc::walks_into(&value) => None,
        Ok(value) => Some(Ok(value)),
        Err(e) => Some(Err(e.to_string())),
    }
}

/// [`whole`], a list the query built out of the context's values given as those values.
fn whole_found<'a>(
    doc: &'a TemplateDoc,
    ctx: &'a mut JsonContext<'_>,
) -> Option<Result<Found<'a>, String>> {
    let site = ctx.site("");
    let expr = doc.whole_query(site.delete)?;
    match ctx.search_found(expr) {
        Ok(Found::Json(value)) if TemplateDoc::walks_into(&value) => None,
        Ok(Found::Elements(values)) if TemplateDoc::walks_into_elements(&values) => None,
        Ok(found) => Some(Ok(found)),
        Err(e) => Some(Err(template::query_error(expr, site, e).to_string())),
    }
}

/// The rule message substituted, as text (a message without variables is borrowed).
fn rendered_message<'t>(
    text: &RuleText<'t>,
    ctx: &mut JsonContext<'_>,
) -> Result<Option<Cow<'t, str>>, String> {
    let Some(template) = text.message else {
        return Ok(None);
    };
    let site = ctx.site("");
    let value = template.render(ctx, site).map_err(|e| e.to_string())?;
    Ok(Some(match value {
        Cow::Borrowed(Value::String(s)) => Cow::Borrowed(s.as_str()),
        Cow::Owned(Value::String(s)) => Cow::Owned(s),
        other => Cow::Owned(crate::value::go::json(&other)),
    }))
}

/// `deny` (rules.md §8.1).
pub fn deny<'t>(
    conditions: Option<&Block<TemplateDoc>>,
    text: &RuleText<'t>,
    ctx: &mut JsonContext<'_>,
) -> Verdict<'t> {
    let verdict = match conditions {
        Some(b) => match block(b, ctx) {
            Ok(v) => v,
            Err(e) => {
                return Verdict::new(
                    Status::Error,
                    format!("failed to check deny conditions: {e}"),
                );
            }
        },
        None => conditions::Verdict::holding(),
    };
    if !verdict.holds {
        return Verdict::new(Status::Pass, text.passed());
    }
    Verdict::new(Status::Fail, deny_message(text, &verdict, ctx))
}

/// The rule message and the block message joined with `"; "` (the empty ones left out),
/// substituted. The joined text is written and parsed once per set of deciding conditions.
fn deny_message(
    text: &RuleText<'_>,
    verdict: &conditions::Verdict<'_, TemplateDoc>,
    ctx: &mut JsonContext<'_>,
) -> String {
    let raw = text.message.map(Template::text).filter(|m| !m.is_empty());
    let rendered = match (raw, verdict.has_message()) {
        (None, false) => return format!("validation error: rule {} failed", text.name),
        (Some(_), false) => rendered_value(text.message, ctx),
        (_, true) => {
            let joined = || match raw {
                Some(raw) => [raw, "; ", &verdict.message()].concat(),
                None => verdict.message(),
            };
            match &*text.joined.parse(verdict.key(), joined) {
                Ok(t) => loader::render_text(t, "", ctx),
                Err(e) => Err(e.to_string()),
            }
        }
    };
    match rendered {
        Ok(Value::String(s)) => s,
        Ok(_) => "the produced message didn't resolve to a string, check your policy definition."
            .to_string(),
        Err(_) => verdict.message(),
    }
}

fn rendered_value(template: Option<&Template>, ctx: &mut JsonContext<'_>) -> Result<Value, String> {
    match template {
        Some(t) => loader::render_text(t, "", ctx),
        None => Ok(Value::String(String::new())),
    }
}

/// A pattern ready to match: compiled, or rendered then compiled.
#[inline]
fn ready<'p>(
    spec: &'p PatternSpec,
    ctx: &mut JsonContext<'_>,
) -> Result<Cow<'p, compiled::Pattern>, String> {
    match spec {
        PatternSpec::Static(p) => Ok(Cow::Borrowed(p)),
        PatternSpec::Dynamic(doc) => {
            let site = ctx.site("");
            let value = doc.render(ctx, site).map_err(|e| e.to_string())?;
            let value = crate::compile::references_resolve(&value)?;
            Ok(Cow::Owned(compiled::compile(&value)))
        }
        PatternSpec::Invalid(e) => Err(e.clone()),
    }
}

/// `pattern` matched against `object`, unless its guard tells the outcome: a pass when it
/// holds, the mismatch when the request's facts show where it is.
fn matched<'a, 'c: 'a>(
    object: &'a Value,
    pattern: &'a compiled::Pattern,
    guard: Option<&'a Guard>,
    ctx: &mut JsonContext<'c>,
) -> Outcome<'a> {
    guard
        .and_then(|g| ctx.guarded(g, object))
        .unwrap_or_else(|| pattern::matches(object, pattern))
}

/// `pattern` against a target (rules.md §7.1, §7.8); `None` is "no response".
pub fn pattern<'t>(
    spec: &PatternSpec,
    guard: Option<&Guard>,
    target: Target<'_>,
    text: &RuleText<'t>,
    ctx: &mut JsonContext<'_>,
) -> Option<Verdict<'t>> {
    let compiled = match ready(spec, ctx) {
        Ok(p) => p,
        Err(e) => {
            return Some(Verdict::new(
                Status::Error,
                format!("variable substitution failed: {e}"),
            ));
        }
    };
    let object = target_value(target, ctx)?;
    Some(match matched(&object, &compiled, guard, ctx) {
        Outcome::Pass => Verdict::new(Status::Pass, text.passed()),
        Outcome::Skip(m) => Verdict::new(Status::Skip, m),
        Outcome::Fail { mut path, .. } if let Some(head) = text.failed_at => {
            // The head goes in front of the path in the path's own text, which was made
            // with room to spare: one text fewer per failing pattern.
            path.insert_str(0, head);
            Verdict::new(Status::Fail, path)
        }
        Outcome::Fail { path, message } => match rendered_message(text, ctx) {
            Ok(m) => Verdict::new(
                Status::Fail,
                messages::failed_at(m.as_deref(), text.name, &path),
            ),
            Err(_) => {
                let message = message.text(&path);
                Verdict::new(Status::Fail, messages::message_error(text.name, &message))
            }
        },
        Outcome::Error(error) => match rendered_message(text, ctx) {
            Ok(m) => Verdict::new(
                Status::Error,
                messages::execution_error(m.as_deref(), text.name, &error),
            ),
            Err(_) => Verdict::new(Status::Error, messages::message_error(text.name, &error)),
        },
    })
}

/// `anyPattern` (rules.md §7.9); `None` is "no response".
pub fn any_pattern<'t>(
    specs: &Result<Vec<PatternSpec>, String>,
    guards: &[Option<Guard>],
    target: Target<'_>,
    text: &RuleText<'t>,
    ctx: &mut JsonContext<'_>,
) -> Option<Verdict<'t>> {
    let specs = match specs {
        Ok(s) => s,
        Err(e) => return Some(Verdict::new(Status::Error, e.clone())),
    };
    if specs.is_empty() {
        let raw = text.message.map(Template::text).unwrap_or_default();
        return Some(Verdict::new(Status::Pass, raw));
    }
    // Held in place for the usual two or three alternatives, not in an allocation.
    let mut compiled: SmallVec<[Cow<compiled::Pattern>; 3]> = SmallVec::new();
    for spec in specs {
        match ready(spec, ctx) {
            Ok(p) => compiled.push(p),
            Err(e) => {
                return Some(Verdict::new(
                    Status::Error,
                    format!("variable substitution failed: {e}"),
                ));
            }
        }
    }
    // Every alternative matches the same value: found (or copied) once.
    let object = target_value(target, ctx)?;
    // The skipped and the failing alternatives' entries, each kind written one after the
    // other into one text.
    let (mut skips, mut failures) = (String::new(), String::new());
    // How many entries (`rule <name>[<i>] failed at path /spec/containers/0/…/`) the
    // alternatives from the `i`th on may write: the first failure makes room for them all,
    // so the text is not grown entry by entry, and a first alternative that passes
    // allocates nothing.
    let room = |i: usize| compiled.len() - i;
    for (i, p) in compiled.iter().enumerate() {
        let index = messages::index_text(i);
        let guard = guards.get(i).and_then(Option::as_ref);
        match matched(&object, p, guard, ctx) {
            Outcome::Pass if !text.shows_pass => return Some(Verdict::new(Status::Pass, "")),
            Outcome::Pass => {
                let message = concat(&[
                    "validation rule '",
                    text.name,
                    "' anyPattern[",
                    &index,
                    "] passed.",
                ]);
                return Some(Verdict::new(Status::Pass, message));
            }
            Outcome::Skip(m) => push_entry(
                &mut skips,
                &["rule ", text.name, "[", &index, "] skipped: ", &m],
                0,
            ),
            Outcome::Fail { path, .. } => push_entry(
                &mut failures,
                &["rule ", text.name, "[", &index, "] failed at path ", &path],
                room(i),
            ),
            Outcome::Error(e) => push_entry(
                &mut failures,
                &["rule ", text.name, "[", &index, "] failed: ", &e],
                room(i),
            ),
        }
    }
    if failures.is_empty() {
        return Some(Verdict::new(Status::Skip, skips));
    }
    Some(match rendered_message(text, ctx) {
        Ok(m) => Verdict::new(
            Status::Fail,
            messages::validation_error(m.as_deref(), &failures),
        ),
        Err(_) => Verdict::new(Status::Fail, messages::message_error(text.name, &failures)),
    })
}

/// Bytes an entry is given over the first entry's length when room is made for several:
/// a later alternative may fail deeper (`/spec/containers/0/…/` after `/spec/…/`).
const ENTRY_SLACK: usize = 32;

/// Appends an entry made of `pieces` to `entries`, after a space unless it is the first;
/// the first entry makes room for `room` entries as long as itself, with some slack each.
fn push_entry(entries: &mut String, pieces: &[&str], room: usize) {
    let length: usize = pieces.iter().map(|p| p.len()).sum();
    if entries.is_empty() {
        entries.reserve(length.max(room * (length + ENTRY_SLACK)));
    } else {
        entries.reserve(length + 1);
        entries.push(' ');
    }
    for piece in pieces {
        entries.push_str(piece);
    }
}
