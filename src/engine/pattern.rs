//! Matching a resource against a compiled pattern (rules.md §7.2–§7.7): anchors, skip
//! propagation, array forms and the anchor map that turns some failures into errors.

use std::borrow::Cow;
use std::sync::Arc;

use serde_json::Value;

use super::messages::{concat, push_index};
use super::scalar;
use crate::compile::pattern::{Anchor, Key, ObjectPattern, Pattern, Scalar};
use crate::value::{go, go_type_name, wildcard};

/// How a pattern mismatch is classified (rules.md §7.7).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A condition or global anchor did not hold: the element (or rule) is skipped.
    Skip,
    /// A negation anchor found its key.
    Negation,
    Fail,
}

/// What a mismatch says. The common failures (a value that does not match its scalar
/// pattern, a value of the wrong structure) are described only when the description is
/// read: most end up reported by their path alone.
#[derive(Clone, Debug, PartialEq)]
pub enum Said<'a> {
    /// Written when the mismatch was found.
    Text(String),
    /// `resource value '<value>' does not match '<pattern>' at path <path>`.
    Value {
        value: Shown<'a>,
        pattern: &'a Scalar,
    },
    /// An object pattern over a value of Go type `found`.
    NotAnObject { found: &'static str },
    /// A list pattern over a value that is not a list.
    NotAList,
}

/// The resource value a value mismatch shows: one value, or a whole list.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Shown<'a> {
    One(&'a Value),
    List(&'a [Value]),
}

impl Said<'_> {
    /// The description, for a mismatch at `path`.
    pub fn text(&self, path: &str) -> Cow<'_, str> {
        match self {
            Said::Text(text) => Cow::Borrowed(text),
            Said::Value { value, pattern } => {
                let value = match value {
                    Shown::One(v) => go::sprint(v),
                    Shown::List(list) => go::sprint(&Value::Array(list.to_vec())),
                };
                Cow::Owned(concat(&[
                    "resource value '",
                    &value,
                    "' does not match '",
                    &scalar::display(pattern),
                    "' at path ",
                    path,
                ]))
            }
            Said::NotAnObject { found } => Cow::Owned(format!(
                "pattern and resource have different structures. Path: {path}. Expected map[string]interface {{}}, found {found}"
            )),
            Said::NotAList => Cow::Owned(format!(
                "validation rule failed at path {path}, resource does not satisfy the expected overlay pattern"
            )),
        }
    }

    fn into_text(self, path: &str) -> String {
        match self {
            Said::Text(text) => text,
            said => said.text(path).into_owned(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Mismatch<'a> {
    pub kind: Kind,
    pub said: Said<'a>,
    /// Where it failed; empty when Kyverno reports no path.
    pub path: String,
}

impl<'a> Mismatch<'a> {
    /// A mismatch at `path`, written out now: only mismatches spell their path.
    fn new(kind: Kind, message: String, path: &Path) -> Mismatch<'a> {
        Mismatch::at(kind, message, path.text())
    }

    /// A mismatch at a path already written out (for the message).
    fn at(kind: Kind, message: String, path: String) -> Mismatch<'a> {
        Mismatch {
            kind,
            said: Said::Text(message),
            path,
        }
    }

    /// A failure at `path` whose description is written when read.
    fn said(said: Said<'a>, path: &Path) -> Mismatch<'a> {
        Mismatch {
            kind: Kind::Fail,
            said,
            path: path.text(),
        }
    }

    /// A skip: reported by its message alone, so its path is not written.
    fn skip(message: String) -> Mismatch<'a> {
        Mismatch::pathless(Kind::Skip, message)
    }

    /// A mismatch Kyverno reports without a path.
    fn pathless(kind: Kind, message: String) -> Mismatch<'a> {
        Mismatch {
            kind,
            said: Said::Text(message),
            path: String::new(),
        }
    }

    fn message(&self) -> Cow<'_, str> {
        self.said.text(&self.path)
    }

    /// The same mismatch with its description written, borrowing nothing.
    fn written(self) -> Mismatch<'static> {
        let said = Said::Text(self.said.into_text(&self.path));
        Mismatch { said, ..self }
    }
}

/// The outcome of matching a whole pattern.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome<'a> {
    Pass,
    Skip(String),
    /// A mismatch at a path.
    Fail {
        path: String,
        message: Said<'a>,
    },
    /// A mismatch Kyverno reports without a path.
    Error(String),
}

/// Matches `resource` against `pattern` from the root (Kyverno's `MatchPattern`).
pub fn matches<'a>(resource: &'a Value, pattern: &'a Pattern) -> Outcome<'a> {
    let mut anchors = AnchorMap::default();
    let step = elem(resource, pattern, &mut Path::root(), &mut anchors);
    let Err(m) = step else {
        return Outcome::Pass;
    };
    match m.kind {
        Kind::Skip => Outcome::Skip(m.said.into_text(&m.path)),
        Kind::Negation => Outcome::Fail {
            path: m.path,
            message: m.said,
        },
        Kind::Fail if anchors.has_missing() || m.path.is_empty() => {
            Outcome::Error(m.said.into_text(&m.path))
        }
        Kind::Fail => Outcome::Fail {
            path: m.path,
            message: m.said,
        },
    }
}

/// Whether `resource` matches `pattern` with nothing to report: the same walk as
/// [`matches`], asked only whether it passes.
pub fn passes(resource: &Value, pattern: &Pattern) -> bool {
    match pattern {
        // A scalar needs no path: it is what most leaves are.
        Pattern::Scalar(s) => compared(resource).iter().all(|v| scalar::matches(v, s)),
        _ => elem(
            resource,
            pattern,
            &mut Path::root(),
            &mut AnchorMap::default(),
        )
        .is_ok(),
    }
}

/// For each condition and existence anchor seen: was its key ever present? Patterns hold
/// a handful of anchored keys, so a list searched in order beats a map.
#[derive(Default)]
struct AnchorMap {
    seen: Vec<(Arc<str>, bool)>,
}

impl AnchorMap {
    /// Records the condition and existence keys of `pattern` as present in `resource` or
    /// not.
    #[inline(always)]
    fn record(&mut self, pattern: &ObjectPattern, resource: &serde_json::Map<String, Value>) {
        // Most objects hold no such anchor: decided without a call.
        if !pattern.recorded.is_empty() {
            self.record_each(pattern, resource);
        }
    }

    fn record_each(&mut self, pattern: &ObjectPattern, resource: &serde_json::Map<String, Value>) {
        for &i in &pattern.recorded {
            let key = &pattern.entries[i].0;
            let present = resource.contains_key(&key.name);
            match self.seen.iter_mut().find(|(raw, _)| *raw == key.raw) {
                Some(slot) => slot.1 |= present,
                None => self.seen.push((Arc::clone(&key.raw), present)),
            }
        }
    }

    fn has_missing(&self) -> bool {
        self.seen.iter().any(|(_, present)| !present)
    }
}

type Step<'a> = Result<(), Mismatch<'a>>;

/// One step of a path: an object key or a list index.
#[derive(Clone, Copy)]
enum Segment<'p> {
    /// A pattern key (its resource name is written): one word, as an index is.
    Key(&'p Key),
    Index(usize),
}

/// Segments a path holds in place; deeper ones (no real pattern nests this far) go to a
/// list.
const IN_PLACE: usize = 16;

/// The path being matched, as its segments: stepping in and out writes one segment and
/// copies no text. The text (`/spec/containers/0/`) is written only for a mismatch.
struct Path<'p> {
    in_place: [Segment<'p>; IN_PLACE],
    len: usize,
    deeper: Vec<Segment<'p>>,
}

impl<'p> Path<'p> {
    fn root() -> Path<'p> {
        Path {
            in_place: [Segment::Index(0); IN_PLACE],
            len: 0,
            deeper: Vec::new(),
        }
    }

    /// The same path, for patterns that live shorter than this one's (a metadata pattern
    /// rewritten for one resource).
    fn copy<'s>(&self) -> Path<'s>
    where
        'p: 's,
    {
        Path {
            in_place: self.in_place,
            len: self.len,
            deeper: self.deeper.clone(),
        }
    }

    /// Steps into `segment`; every push is undone by a [`Path::pop`] on the way out.
    #[inline]
    fn push(&mut self, segment: Segment<'p>) {
        match self.in_place.get_mut(self.len) {
            Some(slot) => *slot = segment,
            None => self.deeper.push(segment),
        }
        self.len += 1;
    }

    #[inline]
    fn pop(&mut self) {
        self.len -= 1;
        if self.len >= IN_PLACE {
            self.deeper.pop();
        }
    }

    /// Runs `f` at index `i` of the current list.
    fn at_index<T>(&mut self, i: usize, f: impl FnOnce(&mut Path<'p>) -> T) -> T {
        self.push(Segment::Index(i));
        let out = f(self);
        self.pop();
        out
    }

    /// The path as Kyverno writes it: `/`, then each segment followed by `/`.
    fn text(&self) -> String {
        // One pass: room for the paths patterns reach (a cron job's container field is
        // under 100 bytes) and for the rule's failure text that goes in front of a failing
        // pattern's path (see `checks::pattern`) is made up front instead of measured.
        let mut out = String::with_capacity(TEXT_ROOM);
        out.push('/');
        for segment in &self.in_place[..self.len.min(IN_PLACE)] {
            push_segment(&mut out, segment);
        }
        for segment in &self.deeper {
            push_segment(&mut out, segment);
        }
        out
    }
}

/// Writes `segment` and the `/` after it.
#[inline(always)]
fn push_segment(out: &mut String, segment: &Segment) {
    match segment {
        Segment::Key(key) => out.push_str(&key.name),
        Segment::Index(i) => push_index(out, *i),
    }
    out.push('/');
}

/// Bytes a written path is given before it grows: a path, and the failure text of a rule
/// (`validation error: <message>. rule <name> failed at path `) put in front of it.
pub(crate) const TEXT_ROOM: usize = 256;

/// One value against one pattern. This and [`match_map`] are inlined into their callers:
/// a level of the pattern then costs one call (to [`handle`]) instead of three.
#[inline(always)]
fn elem<'p>(
    resource: &'p Value,
    pattern: &'p Pattern,
    path: &mut Path<'p>,
    anchors: &mut AnchorMap,
) -> Step<'p> {
    match pattern {
        Pattern::Object(object) => {
            let Value::Object(map) = resource else {
                let found = go_type_name(resource);
                return Err(Mismatch::said(Said::NotAnObject { found }, path));
            };
            // Most objects hold no `metadata` pattern to rewrite: matched without a call.
            let rewritten = object
                .metadata
                .and_then(|meta_at| expand_metadata(object, meta_at, map));
            match rewritten {
                None => {
                    anchors.record(object, map);
                    match_map(map, object, path, anchors)
                }
                Some(object) => {
                    anchors.record(&object, map);
                    // The rewritten pattern lives here: its mismatch is written out.
                    match_map(map, &object, &mut path.copy(), anchors).map_err(Mismatch::written)
                }
            }
        }
        Pattern::Array(items) => {
            let Value::Array(list) = resource else {
                return Err(Mismatch::said(Said::NotAList, path));
            };
            match_array(list, items, path, anchors)
        }
        Pattern::Scalar(s) => match_scalars(Shown::One(resource), compared(resource), s, path),
    }
}

/// The values a scalar pattern is compared with: a list's elements, or the value itself.
fn compared(resource: &Value) -> &[Value] {
    match resource {
        Value::Array(items) => items,
        other => std::slice::from_ref(other),
    }
}

/// Every value of `values` against a scalar pattern; `whole` is what the message shows.
fn match_scalars<'a>(
    whole: Shown<'a>,
    values: &'a [Value],
    pattern: &'a Scalar,
    path: &Path,
) -> Step<'a> {
    if values.iter().all(|v| scalar::matches(v, pattern)) {
        return Ok(());
    }
    let said = Said::Value {
        value: whole,
        pattern,
    };
    Err(Mismatch::said(said, path))
}

#[inline(always)]
fn match_map<'p>(
    resource: &'p serde_json::Map<String, Value>,
    pattern: &'p ObjectPattern,
    path: &mut Path<'p>,
    anchors: &mut AnchorMap,
) -> Step<'p> {
    if !pattern.may_skip {
        // Nothing here can skip: the first mismatch, in the same order, is the outcome.
        for (key, value) in &pattern.entries {
            handle(resource, key, value, path, anchors)?;
        }
        return Ok(());
    }
    let mut skips: Vec<(Mismatch, bool)> = Vec::new();
    let mut applied = 0;
    for (key, value) in pattern.anchor_entries() {
        match handle(resource, key, value, path, anchors) {
            Ok(()) => applied += 1,
            Err(m) if m.kind == Kind::Skip => skips.push((m, key.anchor == Anchor::Condition)),
            Err(_) if skips.iter().any(|(_, direct)| *direct) => {}
            Err(m) => return Err(m),
        }
    }
    if !skips.is_empty() && (applied == 0 || skips.iter().any(|(_, direct)| *direct)) {
        let message = skips
            .iter()
            .map(|(m, _)| m.message())
            .collect::<Vec<_>>()
            .join("; ");
        return Err(Mismatch::skip(message));
    }
    for (key, value) in pattern.resource_entries() {
        handle(resource, key, value, path, anchors)?;
    }
    Ok(())
}

/// One key of a pattern object against the resource object (rules.md §7.3, §7.6). The
/// mismatches are written by cold helpers: most keys match.
fn handle<'p>(
    resource: &'p serde_json::Map<String, Value>,
    key: &'p Key,
    pattern: &'p Pattern,
    path: &mut Path<'p>,
    anchors: &mut AnchorMap,
) -> Step<'p> {
    let found = crate::value::field(resource, &key.name);
    if key.star {
        return match found {
            Some(v) if !v.is_null() => Ok(()),
            _ => Err(not_found(path, key)),
        };
    }
    path.push(Segment::Key(key));
    let here = &mut *path;
    let step = match (key.anchor, found) {
        (Anchor::None | Anchor::AddIfNotPresent, _) => {
            elem(found.unwrap_or(&Value::Null), pattern, here, anchors)
        }
        (Anchor::Condition, None) => Err(condition_key_missing()),
        (Anchor::Condition, Some(v)) => {
            elem(v, pattern, here, anchors).map_err(|m| wrapped(m, "conditional anchor mismatch"))
        }
        (Anchor::Global, Some(v)) => {
            elem(v, pattern, here, anchors).map_err(|m| wrapped(m, "global anchor mismatch"))
        }
        (Anchor::Equality, Some(v)) => elem(v, pattern, here, anchors),
        (Anchor::Negation, Some(_)) => Err(negation_matched(here)),
        (Anchor::Existence, Some(v)) => existence(v, pattern, here, anchors),
        (Anchor::Global | Anchor::Equality | Anchor::Negation | Anchor::Existence, None) => Ok(()),
    };
    path.pop();
    step
}

/// A `*` value whose key is missing or null: reported at the parent path (rules.md §7.3,
/// quirk).
#[cold]
fn not_found(path: &Path, key: &Key) -> Mismatch<'static> {
    let at = path.text();
    let message = format!("{at}/{} not found", key.name);
    Mismatch::at(Kind::Fail, message, at)
}

#[cold]
fn condition_key_missing() -> Mismatch<'static> {
    let message =
        "conditional anchor mismatch: conditional anchor key doesn't exist in the resource";
    Mismatch::skip(message.into())
}

#[cold]
fn negation_matched(here: &Path) -> Mismatch<'static> {
    let at = here.text();
    let message = format!("negation anchor matched in resource: {at} is not allowed");
    Mismatch::at(Kind::Negation, message, at)
}

/// An inner mismatch as a skip with `prefix: <inner message>`.
#[cold]
fn wrapped<'a>(m: Mismatch<'a>, prefix: &str) -> Mismatch<'a> {
    let message = format!("{prefix}: {}", m.message());
    Mismatch::at(Kind::Skip, message, m.path)
}

fn existence<'p>(
    resource: &'p Value,
    pattern: &'p Pattern,
    here: &mut Path<'p>,
    anchors: &mut AnchorMap,
) -> Step<'p> {
    let Value::Array(list) = resource else {
        let message = format!(
            "invalid resource type {}: Existence ^ () anchor can be used only on list/array type resource",
            go_type_name(resource)
        );
        return Err(Mismatch::new(Kind::Fail, message, here));
    };
    let wanted: &[Pattern] = match pattern {
        Pattern::Array(items) => items,
        other => std::slice::from_ref(other),
    };
    for want in wanted {
        let found = list
            .iter()
            .enumerate()
            .any(|(i, item)| here.at_index(i, |p| elem(item, want, p, anchors)).is_ok());
        if !found {
            let at = here.text();
            let message = format!("existence anchor validation failed at path {at}");
            return Err(Mismatch::at(Kind::Fail, message, at));
        }
    }
    Ok(())
}

fn match_array<'p>(
    list: &'p [Value],
    items: &'p [Pattern],
    path: &mut Path<'p>,
    anchors: &mut AnchorMap,
) -> Step<'p> {
    let Some(first) = items.first() else {
        return Err(Mismatch::new(
            Kind::Fail,
            "pattern Array empty".into(),
            path,
        ));
    };
    match first {
        Pattern::Object(_) => each_element(list, first, path, anchors),
        Pattern::Scalar(s) if list.iter().all(|v| scalar::matches(v, s)) => Ok(()),
        // The message shows the whole list: build it only on failure.
        Pattern::Scalar(s) => match_scalars(Shown::List(list), list, s, path),
        Pattern::Array(_) => positional(list, items, path, anchors),
    }
}

/// Every element against one pattern (see [`matched_pairs`]).
fn each_element<'p>(
    list: &'p [Value],
    pattern: &'p Pattern,
    path: &mut Path<'p>,
    anchors: &mut AnchorMap,
) -> Step<'p> {
    let pairs = list.iter().zip(std::iter::repeat(pattern));
    matched_pairs(pairs, path, anchors)
}

/// Element `i` against pattern `i`, for every pattern (see [`matched_pairs`]).
fn positional<'p>(
    list: &'p [Value],
    items: &'p [Pattern],
    path: &mut Path<'p>,
    anchors: &mut AnchorMap,
) -> Step<'p> {
    if list.len() < items.len() {
        let message = format!(
            "validate Array failed, array length mismatch, resource Array len is {} and pattern Array len is {}",
            list.len(),
            items.len()
        );
        return Err(Mismatch::pathless(Kind::Fail, message));
    }
    matched_pairs(list.iter().zip(items), path, anchors)
}

/// Elements against their patterns, at their indexes: skipped elements are dropped, and if
/// all were dropped the array itself is skipped.
fn matched_pairs<'p>(
    pairs: impl Iterator<Item = (&'p Value, &'p Pattern)>,
    path: &mut Path<'p>,
    anchors: &mut AnchorMap,
) -> Step<'p> {
    let mut skips = Vec::new();
    let mut applied = 0;
    for (i, (item, pattern)) in pairs.enumerate() {
        match path.at_index(i, |p| elem(item, pattern, p, anchors)) {
            Ok(()) => applied += 1,
            Err(m) if m.kind == Kind::Skip => skips.push(m.said.into_text(&m.path)),
            Err(m) => return Err(m),
        }
    }
    if applied == 0 && !skips.is_empty() {
        return Err(Mismatch::skip(skips.join("; ")));
    }
    Ok(())
}

/// rules.md §7.3 step 0: inside `metadata` (entry `meta_at`), label and annotation patterns
/// keep only their string entries and wildcard keys take the name of the first resource key
/// they match. `None` when nothing is rewritten: the pattern is matched as it is.
fn expand_metadata(
    pattern: &ObjectPattern,
    meta_at: usize,
    resource: &serde_json::Map<String, Value>,
) -> Option<ObjectPattern> {
    let (Pattern::Object(meta), Some(Value::Object(resource_meta))) =
        (&pattern.entries[meta_at].1, resource.get("metadata"))
    else {
        return None;
    };
    let expanded = expand_meta_maps(meta, resource_meta)?;
    let mut entries = pattern.entries.clone();
    entries[meta_at].1 = Pattern::Object(expanded);
    Some(ObjectPattern::new(entries))
}

/// The metadata pattern with its labels/annotations rewritten, or `None` if unchanged.
fn expand_meta_maps(
    meta: &ObjectPattern,
    resource_meta: &serde_json::Map<String, Value>,
) -> Option<ObjectPattern> {
    // Most patterns need no rewriting: find the rewrites before copying anything.
    let mut rewrites: Vec<(usize, ObjectPattern)> = Vec::new();
    for (i, (key, value)) in meta.entries.iter().enumerate() {
        let target = resource_meta.get(&key.name).and_then(Value::as_object);
        if let ("labels" | "annotations", Pattern::Object(inner), Some(actual)) =
            (key.name.as_str(), value, target)
            && let Some(rewritten) = rewrite_keys(inner, actual)
        {
            rewrites.push((i, rewritten));
        }
    }
    if rewrites.is_empty() {
        return None;
    }
    let mut entries = meta.entries.clone();
    for (i, rewritten) in rewrites {
        entries[i].1 = Pattern::Object(rewritten);
    }
    Some(ObjectPattern::new(entries))
}

fn rewrite_keys(
    pattern: &ObjectPattern,
    actual: &serde_json::Map<String, Value>,
) -> Option<ObjectPattern> {
    let needs = pattern.entries.iter().any(|(k, p)| {
        !matches!(p, Pattern::Scalar(Scalar::String(_))) || wildcard::contains_wildcard(&k.name)
    });
    if !needs {
        return None;
    }
    let entries = pattern
        .entries
        .iter()
        .filter(|(_, p)| matches!(p, Pattern::Scalar(Scalar::String(_))))
        .map(|(key, p)| (resolve_key(key, actual), p.clone()))
        .collect();
    Some(ObjectPattern::new(entries))
}

fn resolve_key(key: &Key, actual: &serde_json::Map<String, Value>) -> Key {
    if !wildcard::contains_wildcard(&key.name) {
        return key.clone();
    }
    let Some(found) = actual.keys().find(|k| wildcard::matches(&key.name, k)) else {
        return key.clone();
    };
    let raw = key.raw.replacen(key.name.as_str(), found, 1);
    Key::parse(&raw)
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::{Outcome, matches};
    use crate::compile::pattern::compile;

    /// `{"k0": {"k1": … {"k<depth-1>": leaf}}}`.
    fn nested(depth: usize, leaf: Value) -> Value {
        (0..depth)
            .rev()
            .fold(leaf, |inner, i| json!({ format!("k{i}"): inner }))
    }

    /// A path deeper than the segments kept in place is written whole, and a list index
    /// takes its place among the keys.
    #[test]
    fn failure_paths_are_written_at_any_depth() {
        for depth in [1, 15, 16, 17, 40] {
            let pattern = compile(&nested(depth, json!([{"name": "a"}])));
            let resource = nested(depth, json!([{"name": "a"}, {"name": "b"}]));
            let keys: String = (0..depth).map(|i| format!("k{i}/")).collect();
            let Outcome::Fail { path, message } = matches(&resource, &pattern) else {
                panic!("depth {depth}: the second element must fail");
            };
            assert_eq!(path, format!("/{keys}1/name/"), "depth {depth}");
            assert_eq!(
                message.text(&path),
                format!("resource value 'b' does not match 'a' at path /{keys}1/name/")
            );
        }
    }

    /// A list of scalars against a scalar shows the whole list; the description is the same
    /// whether it is read from the outcome or from a condition that wraps it.
    #[test]
    fn value_mismatches_are_described_when_read() {
        let pattern = compile(&json!({"spec": {"ports": "8*"}}));
        let resource = json!({"spec": {"ports": ["80", "443"]}});
        let Outcome::Fail { path, message } = matches(&resource, &pattern) else {
            panic!("443 does not match 8*");
        };
        let expected = "resource value '[80 443]' does not match '8*' at path /spec/ports/";
        assert_eq!(message.text(&path), expected);

        let pattern = compile(&json!({"spec": {"(ports)": "8*", "image": "x"}}));
        let Outcome::Skip(skip) = matches(&resource, &pattern) else {
            panic!("a failing condition skips");
        };
        assert_eq!(skip, format!("conditional anchor mismatch: {expected}"));
    }

    /// Skips are reported by their message alone.
    #[test]
    fn a_condition_that_fails_skips() {
        let pattern = compile(&json!({"spec": {"(name)": "a", "image": "x"}}));
        let resource = json!({"spec": {"name": "b", "image": "y"}});
        let Outcome::Skip(message) = matches(&resource, &pattern) else {
            panic!("a failing condition anchor skips");
        };
        assert!(
            message.starts_with("conditional anchor mismatch"),
            "{message}"
        );
    }
}
