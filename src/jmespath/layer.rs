//! Names laid over the top level of a searched document: a search sees the layer's values in
//! place of the document's keys of the same names, without the document being copied or
//! changed. A value in the layer is owned, or borrowed from data that outlives the layer.

use std::borrow::Cow;

use serde_json::{Map, Value};

/// A layer's value.
#[derive(Clone, Debug)]
pub enum Slot<'v> {
    Owned(Value),
    Borrowed(&'v Value),
}

impl Slot<'_> {
    pub fn value(&self) -> &Value {
        match self {
            Slot::Owned(value) => value,
            Slot::Borrowed(value) => value,
        }
    }
}

/// Names over a document, in the order they were first set.
#[derive(Clone, Debug, Default)]
pub struct Layer<'v> {
    entries: Vec<(Cow<'v, str>, Slot<'v>)>,
}

impl<'v> Layer<'v> {
    /// An empty layer with room for `names` names.
    pub fn with_capacity(names: usize) -> Layer<'v> {
        Layer {
            entries: Vec::with_capacity(names),
        }
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.slot(name).map(Slot::value)
    }

    pub fn slot(&self, name: &str) -> Option<&Slot<'v>> {
        self.entries.iter().find(|(k, _)| k == name).map(|(_, s)| s)
    }

    pub fn slot_mut(&mut self, name: &str) -> Option<&mut Slot<'v>> {
        let found = self.entries.iter_mut().find(|(k, _)| k == name);
        found.map(|(_, s)| s)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.entries.iter().any(|(k, _)| k == name)
    }

    /// Sets `name`, returning what it held.
    pub fn insert(&mut self, name: Cow<'v, str>, slot: Slot<'v>) -> Option<Slot<'v>> {
        match self.entries.iter_mut().find(|(k, _)| *k == name) {
            Some((_, held)) => Some(std::mem::replace(held, slot)),
            None => {
                self.entries.push((name, slot));
                None
            }
        }
    }

    pub fn remove(&mut self, name: &str) -> Option<Slot<'v>> {
        let at = self.entries.iter().position(|(k, _)| k == name)?;
        Some(self.entries.remove(at).1)
    }

    /// The value of `name` to change in place: a borrowed value is copied first, and an
    /// absent one starts as `below` (the document's value) or `null`.
    pub fn owned_mut(&mut self, name: &str, below: Option<&Value>) -> &mut Value {
        let at = match self.entries.iter().position(|(k, _)| k == name) {
            Some(at) => at,
            None => {
                let start = below.cloned().unwrap_or(Value::Null);
                let name = Cow::Owned(name.to_string());
                self.entries.push((name, Slot::Owned(start)));
                self.entries.len() - 1
            }
        };
        let slot = &mut self.entries[at].1;
        if let Slot::Borrowed(value) = slot {
            *slot = Slot::Owned((*value).clone());
        }
        match slot {
            Slot::Owned(value) => value,
            Slot::Borrowed(_) => unreachable!("invariant: the slot was made owned just above"),
        }
    }

    /// The document's top level with the layer applied, as one new object.
    pub fn merged(&self, document: &Value) -> Value {
        let mut map: Map<String, Value> = document.as_object().cloned().unwrap_or_default();
        for (name, slot) in &self.entries {
            map.insert(name.to_string(), slot.value().clone());
        }
        Value::Object(map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn layered_names_hide_the_document_and_change_only_copies() {
        let document = json!({"a": 1, "b": {"c": 2}});
        let below = json!("x");
        let mut layer = Layer::default();
        assert!(layer.insert("a".into(), Slot::Borrowed(&below)).is_none());
        assert_eq!(layer.get("a"), Some(&json!("x")));
        *layer.owned_mut("b", document.get("b")) = json!(3);
        assert_eq!(layer.merged(&document), json!({"a": "x", "b": 3}));
        assert_eq!(document, json!({"a": 1, "b": {"c": 2}}));
        assert!(matches!(layer.remove("a"), Some(Slot::Borrowed(_))));
        assert!(!layer.contains("a"));
    }
}
