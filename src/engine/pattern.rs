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

#[derive(Clone, Debug, PartialEq)]
pub struct Mismatch {
    pub kind: Kind,
    pub message: String,
    /// Where it failed; empty when Kyverno reports no path.
    pub path: String,
}

impl Mismatch {
    fn new(kind: Kind, message: String, path: &str) -> Mismatch {
        Mismatch {
            kind,
            message,
            path: path.to_string(),
        }
    }
}

/// The outcome of matching a whole pattern.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Pass,
    Skip(String),
    /// A mismatch at a path.
    Fail {
        path: String,
        message: String,
    },
    /// A mismatch Kyverno reports without a path.
    Error(String),
}

thread_local! {
    /// The path buffer, kept between matches: a pattern is matched for every rule and
    /// element, and allocating the buffer each time cost more than most matches. A nested
    /// match (none today) would take an empty one.
    static PATH: std::cell::Cell<String> = const { std::cell::Cell::new(String::new()) };
}

/// Matches `resource` against `pattern` from the root (Kyverno's `MatchPattern`).
pub fn matches(resource: &Value, pattern: &Pattern) -> Outcome {
    let mut anchors = AnchorMap::default();
    let mut path = Path(PATH.take());
    path.0.clear();
    path.0.push('/');
    let step = elem(resource, pattern, &mut path, &mut anchors);
    PATH.set(path.0);
    let Err(m) = step else {
        return Outcome::Pass;
    };
    match m.kind {
        Kind::Skip => Outcome::Skip(m.message),
        Kind::Negation => Outcome::Fail {
            path: m.path,
            message: m.message,
        },
        Kind::Fail if anchors.has_missing() || m.path.is_empty() => Outcome::Error(m.message),
        Kind::Fail => Outcome::Fail {
            path: m.path,
            message: m.message,
        },
    }
}

/// For each condition, existence and negation anchor seen: was its key ever present?
/// Patterns hold a handful of anchored keys, so a list searched in order beats a map.
#[derive(Default)]
struct AnchorMap {
    seen: Vec<(Arc<str>, Anchor, bool)>,
}

impl AnchorMap {
    fn record(&mut self, pattern: &ObjectPattern, resource: &serde_json::Map<String, Value>) {
        for &i in &pattern.recorded {
            let key = &pattern.entries[i].0;
            let present = resource.contains_key(&key.name);
            match self.seen.iter_mut().find(|(raw, ..)| *raw == key.raw) {
                Some(slot) => slot.2 |= present,
                None => self.seen.push((Arc::clone(&key.raw), key.anchor, present)),
            }
        }
    }

    fn has_missing(&self) -> bool {
        self.seen
            .iter()
            .any(|(_, anchor, present)| !present && *anchor != Anchor::Negation)
    }
}

type Step = Result<(), Mismatch>;

/// The path being matched (`/spec/containers/0/`): one buffer grown and shrunk as the
/// matcher descends, copied only into a mismatch.
struct Path(String);

impl Path {
    /// Runs `f` with `segment/` appended, then restores the path.
    fn with<T>(&mut self, segment: &str, f: impl FnOnce(&mut Path) -> T) -> T {
        let len = self.0.len();
        self.0.push_str(segment);
        self.0.push('/');
        let out = f(self);
        self.0.truncate(len);
        out
    }

    fn at_index<T>(&mut self, i: usize, f: impl FnOnce(&mut Path) -> T) -> T {
        let len = self.0.len();
        push_index(&mut self.0, i);
        self.0.push('/');
        let out = f(self);
        self.0.truncate(len);
        out
    }
}

fn elem(resource: &Value, pattern: &Pattern, path: &mut Path, anchors: &mut AnchorMap) -> Step {
    match pattern {
        Pattern::Object(object) => {
            let Value::Object(map) = resource else {
                let message = format!(
                    "pattern and resource have different structures. Path: {}. Expected map[string]interface {{}}, found {}",
                    path.0,
                    go_type_name(resource)
                );
                return Err(Mismatch::new(Kind::Fail, message, &path.0));
            };
            let object = expand_metadata(object, map);
            anchors.record(&object, map);
            match_map(map, &object, path, anchors)
        }
        Pattern::Array(items) => {
            let Value::Array(list) = resource else {
                let message = format!(
                    "validation rule failed at path {}, resource does not satisfy the expected overlay pattern",
                    path.0
                );
                return Err(Mismatch::new(Kind::Fail, message, &path.0));
            };
            match_array(list, items, path, anchors)
        }
        Pattern::Scalar(s) => match resource {
            Value::Array(items) => match_scalars(resource, items, s, path),
            other => match_scalars(other, std::slice::from_ref(other), s, path),
        },
    }
}

/// Every value of `values` against a scalar pattern; `whole` is what the message shows.
fn match_scalars(whole: &Value, values: &[Value], pattern: &Scalar, path: &Path) -> Step {
    if values.iter().all(|v| scalar::matches(v, pattern)) {
        return Ok(());
    }
    let message = concat(&[
        "resource value '",
        &go::sprint(whole),
        "' does not match '",
        &scalar::display(pattern),
        "' at path ",
        &path.0,
    ]);
    Err(Mismatch::new(Kind::Fail, message, &path.0))
}

fn match_map(
    resource: &serde_json::Map<String, Value>,
    pattern: &ObjectPattern,
    path: &mut Path,
    anchors: &mut AnchorMap,
) -> Step {
    let mut skips: Vec<(Mismatch, bool)> = Vec::new();
    let mut applied = 0;
    for &i in &pattern.anchor_order {
        let (key, value) = &pattern.entries[i];
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
            .map(|(m, _)| m.message.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        return Err(Mismatch::new(Kind::Skip, message, &path.0));
    }
    for &i in &pattern.resource_order {
        let (key, value) = &pattern.entries[i];
        handle(resource, key, value, path, anchors)?;
    }
    Ok(())
}

/// One key of a pattern object against the resource object (rules.md §7.3, §7.6). The
/// mismatches are written by cold helpers: most keys match.
fn handle(
    resource: &serde_json::Map<String, Value>,
    key: &Key,
    pattern: &Pattern,
    path: &mut Path,
    anchors: &mut AnchorMap,
) -> Step {
    let found = crate::value::field(resource, &key.name);
    if matches!(key.anchor, Anchor::None | Anchor::AddIfNotPresent) && is_star(pattern) {
        return match found {
            Some(v) if !v.is_null() => Ok(()),
            _ => Err(not_found(path, key)),
        };
    }
    path.with(&key.name, |here| match (key.anchor, found) {
        (Anchor::None | Anchor::AddIfNotPresent, _) => {
            elem(found.unwrap_or(&Value::Null), pattern, here, anchors)
        }
        (Anchor::Condition, None) => Err(condition_key_missing(here)),
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
    })
}

fn is_star(pattern: &Pattern) -> bool {
    matches!(pattern, Pattern::Scalar(Scalar::String(s)) if s.raw == "*")
}

/// A `*` value whose key is missing or null: reported at the parent path (rules.md §7.3,
/// quirk).
#[cold]
fn not_found(path: &Path, key: &Key) -> Mismatch {
    let message = format!("{}/{} not found", path.0, key.name);
    Mismatch::new(Kind::Fail, message, &path.0)
}

#[cold]
fn condition_key_missing(here: &Path) -> Mismatch {
    let message =
        "conditional anchor mismatch: conditional anchor key doesn't exist in the resource";
    Mismatch::new(Kind::Skip, message.into(), &here.0)
}

#[cold]
fn negation_matched(here: &Path) -> Mismatch {
    let message = format!(
        "negation anchor matched in resource: {} is not allowed",
        here.0
    );
    Mismatch::new(Kind::Negation, message, &here.0)
}

/// An inner mismatch as a skip with `prefix: <inner message>`.
#[cold]
fn wrapped(m: Mismatch, prefix: &str) -> Mismatch {
    Mismatch {
        kind: Kind::Skip,
        message: format!("{prefix}: {}", m.message),
        path: m.path,
    }
}

fn existence(
    resource: &Value,
    pattern: &Pattern,
    here: &mut Path,
    anchors: &mut AnchorMap,
) -> Step {
    let Value::Array(list) = resource else {
        let message = format!(
            "invalid resource type {}: Existence ^ () anchor can be used only on list/array type resource",
            go_type_name(resource)
        );
        return Err(Mismatch::new(Kind::Fail, message, &here.0));
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
            let message = format!("existence anchor validation failed at path {}", here.0);
            return Err(Mismatch::new(Kind::Fail, message, &here.0));
        }
    }
    Ok(())
}

fn match_array(
    list: &[Value],
    items: &[Pattern],
    path: &mut Path,
    anchors: &mut AnchorMap,
) -> Step {
    let Some(first) = items.first() else {
        return Err(Mismatch::new(
            Kind::Fail,
            "pattern Array empty".into(),
            &path.0,
        ));
    };
    match first {
        Pattern::Object(_) => each_element(list, first, path, anchors),
        Pattern::Scalar(s) if list.iter().all(|v| scalar::matches(v, s)) => Ok(()),
        // The message shows the whole list: build it only on failure.
        Pattern::Scalar(s) => match_scalars(&Value::Array(list.to_vec()), list, s, path),
        Pattern::Array(_) => positional(list, items, path, anchors),
    }
}

/// Every element against one pattern (see [`matched_pairs`]).
fn each_element(
    list: &[Value],
    pattern: &Pattern,
    path: &mut Path,
    anchors: &mut AnchorMap,
) -> Step {
    let pairs = list.iter().zip(std::iter::repeat(pattern));
    matched_pairs(pairs, path, anchors)
}

/// Element `i` against pattern `i`, for every pattern (see [`matched_pairs`]).
fn positional(list: &[Value], items: &[Pattern], path: &mut Path, anchors: &mut AnchorMap) -> Step {
    if list.len() < items.len() {
        let message = format!(
            "validate Array failed, array length mismatch, resource Array len is {} and pattern Array len is {}",
            list.len(),
            items.len()
        );
        return Err(Mismatch::new(Kind::Fail, message, ""));
    }
    matched_pairs(list.iter().zip(items), path, anchors)
}

/// Elements against their patterns, at their indexes: skipped elements are dropped, and if
/// all were dropped the array itself is skipped.
fn matched_pairs<'v, 'p>(
    pairs: impl Iterator<Item = (&'v Value, &'p Pattern)>,
    path: &mut Path,
    anchors: &mut AnchorMap,
) -> Step {
    let mut skips = Vec::new();
    let mut applied = 0;
    for (i, (item, pattern)) in pairs.enumerate() {
        match path.at_index(i, |p| elem(item, pattern, p, anchors)) {
            Ok(()) => applied += 1,
            Err(m) if m.kind == Kind::Skip => skips.push(m.message),
            Err(m) => return Err(m),
        }
    }
    if applied == 0 && !skips.is_empty() {
        return Err(Mismatch::new(Kind::Skip, skips.join("; "), &path.0));
    }
    Ok(())
}

/// rules.md §7.3 step 0: inside `metadata`, label and annotation patterns keep only their
/// string entries and wildcard keys take the name of the first resource key they match.
fn expand_metadata<'p>(
    pattern: &'p ObjectPattern,
    resource: &serde_json::Map<String, Value>,
) -> Cow<'p, ObjectPattern> {
    let Some(meta_at) = pattern.metadata else {
        return Cow::Borrowed(pattern);
    };
    let (Pattern::Object(meta), Some(Value::Object(resource_meta))) =
        (&pattern.entries[meta_at].1, resource.get("metadata"))
    else {
        return Cow::Borrowed(pattern);
    };
    let Some(expanded) = expand_meta_maps(meta, resource_meta) else {
        return Cow::Borrowed(pattern);
    };
    let mut entries = pattern.entries.clone();
    entries[meta_at].1 = Pattern::Object(expanded);
    Cow::Owned(ObjectPattern::new(entries))
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
