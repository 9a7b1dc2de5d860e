//! Does a compiled label selector select a label set? (rules.md §2.5) Label sets are read
//! straight from the object (`StringMap`), so evaluation never copies or allocates.

use serde_json::{Map, Value};

use crate::compile::matching::{LabelSelector, SelectorOperator, label_key_error};
use crate::compile::matching::{LabelTerm, Requirement};
use crate::compile::matching::{Pattern, label_value_error};

/// A `map[string]string` of an object (labels, annotations, namespace labels), borrowed.
/// As in Kubernetes' typed accessors, a map holding a non-string value reads as empty.
#[derive(Clone, Copy, Debug, Default)]
pub struct StringMap<'a> {
    map: Option<&'a Map<String, Value>>,
}

impl<'a> StringMap<'a> {
    pub fn new(map: Option<&'a Map<String, Value>>) -> StringMap<'a> {
        let map = map.filter(|m| m.values().all(Value::is_string));
        StringMap { map }
    }

    /// The map under `key` of a JSON object (e.g. `metadata` → `labels`).
    pub fn field(object: Option<&'a Map<String, Value>>, key: &str) -> StringMap<'a> {
        let found = object.and_then(|o| crate::value::field(o, key));
        StringMap::new(found.and_then(Value::as_object))
    }

    pub fn get(&self, key: &str) -> Option<&'a str> {
        self.map?.get(key).and_then(Value::as_str)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&'a str, &'a str)> + use<'a> {
        self.map
            .into_iter()
            .flatten()
            .filter_map(|(k, v)| Some((k.as_str(), v.as_str()?)))
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_none_or(Map::is_empty)
    }
}

impl LabelSelector {
    /// True when every `matchLabels` entry and every requirement holds for `labels`; an
    /// invalid selector matches nothing.
    pub fn matches(&self, labels: StringMap<'_>) -> bool {
        self.problem.is_none()
            && self.labels.iter().all(|t| term_holds(t, labels))
            && self
                .requirements
                .iter()
                .all(|r| requirement_holds(r, labels))
    }
}

fn term_holds(term: &LabelTerm, labels: StringMap<'_>) -> bool {
    match term {
        LabelTerm::Equals { key, value } => labels.get(key) == Some(&**value),
        LabelTerm::Wildcard { key, value } => wildcard_holds(key, value, labels),
    }
}

/// The entry is replaced by the first label matching both patterns, which the label set
/// then satisfies, provided Kubernetes accepts it as a selector entry. Without such a
/// label the entry's wildcards become `0`s: a label that would have matched the patterns,
/// so no label set satisfies it.
fn wildcard_holds(key: &Pattern, value: &Pattern, labels: StringMap<'_>) -> bool {
    labels
        .iter()
        .find(|(k, v)| key.matches(k) && value.matches(v))
        .is_some_and(|(k, v)| label_key_error(k).is_none() && label_value_error(v).is_none())
}

fn requirement_holds(r: &Requirement, labels: StringMap<'_>) -> bool {
    let value = labels.get(&r.key);
    let listed = || value.is_some_and(|v| r.values.iter().any(|x| **x == *v));
    match r.operator {
        SelectorOperator::In => listed(),
        SelectorOperator::NotIn => !listed(),
        SelectorOperator::Exists => value.is_some(),
        SelectorOperator::DoesNotExist => value.is_none(),
    }
}
