//! The two trees the YAML builder can produce: spanned [`Node`]s for policies and plain
//! `serde_json::Value`s for resources (no span bookkeeping, no second copy), plus the
//! mapping accumulator that gives Kubernetes' "last duplicate key wins".

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::ir::{Entry, Node, NodeValue};
use crate::source::{Span, Spanned};

/// A JSON tree built bottom-up from YAML events (on any thread: large texts are parsed
/// in parallel pieces).
pub trait Tree: Clone + Sized + Send {
    /// A scalar; `value` is never an array or object.
    fn scalar(value: Value, span: Span) -> Self;
    fn seq(items: Vec<Self>, span: Span) -> Self;
    /// Keys are unique (the builder removes duplicates).
    fn map(entries: Vec<(Spanned<String>, Self)>, span: Span) -> Self;
    /// The entries of a mapping (for `<<` merges), or the value back.
    fn into_map(self) -> Result<Vec<(Spanned<String>, Self)>, Self>;
    /// The items of a sequence, or the value back.
    fn into_seq(self) -> Result<Vec<Self>, Self>;
}

impl Tree for Node {
    fn scalar(value: Value, span: Span) -> Self {
        let value = match value {
            Value::Bool(b) => NodeValue::Bool(b),
            Value::Number(n) => NodeValue::Number(n),
            Value::String(s) => NodeValue::String(s),
            _ => NodeValue::Null,
        };
        Node::new(value, span)
    }

    fn seq(items: Vec<Self>, span: Span) -> Self {
        Node::new(NodeValue::Seq(items), span)
    }

    fn map(entries: Vec<(Spanned<String>, Self)>, span: Span) -> Self {
        let entries = entries
            .into_iter()
            .map(|(key, value)| Entry { key, value })
            .collect();
        Node::new(NodeValue::Map(entries), span)
    }

    fn into_map(self) -> Result<Vec<(Spanned<String>, Self)>, Self> {
        match self.value {
            NodeValue::Map(entries) => Ok(entries.into_iter().map(|e| (e.key, e.value)).collect()),
            value => Err(Node::new(value, self.span)),
        }
    }

    fn into_seq(self) -> Result<Vec<Self>, Self> {
        match self.value {
            NodeValue::Seq(items) => Ok(items),
            value => Err(Node::new(value, self.span)),
        }
    }
}

impl Tree for Value {
    fn scalar(value: Value, _: Span) -> Self {
        value
    }

    fn seq(items: Vec<Self>, _: Span) -> Self {
        Value::Array(items)
    }

    fn map(entries: Vec<(Spanned<String>, Self)>, _: Span) -> Self {
        Value::Object(
            entries
                .into_iter()
                .map(|(key, value)| (key.node, value))
                .collect::<Map<String, Value>>(),
        )
    }

    fn into_map(self) -> Result<Vec<(Spanned<String>, Self)>, Self> {
        match self {
            Value::Object(map) => Ok(map
                .into_iter()
                .map(|(k, v)| (Spanned::new(k, Span::default()), v))
                .collect()),
            other => Err(other),
        }
    }

    fn into_seq(self) -> Result<Vec<Self>, Self> {
        match self {
            Value::Array(items) => Ok(items),
            other => Err(other),
        }
    }
}

/// Mapping entries in source order with unique keys; a repeated key replaces the earlier
/// value in place, as go-yaml v2 does when it decodes into a Go map.
pub(super) struct MapBuilder<T> {
    entries: Vec<(Spanned<String>, T)>,
    /// Per entry: whether it was written in this mapping (not brought in by `<<`); `None`
    /// until a merge brings an entry in (most mappings have no merge: every entry of
    /// theirs is written, and they need no list for it).
    explicit: Option<Vec<bool>>,
    /// Key → position, built once the mapping is large enough for a scan to be slow.
    index: HashMap<String, usize>,
}

const INDEX_FROM: usize = 16;

/// A key written twice in one mapping: the later key, and where the first one was.
pub(super) struct Duplicate {
    pub(super) key: Spanned<String>,
    pub(super) first: Span,
}

impl<T> MapBuilder<T> {
    pub(super) fn new() -> Self {
        MapBuilder {
            entries: Vec::new(),
            explicit: None,
            index: HashMap::new(),
        }
    }

    /// Adds or replaces an entry written in this mapping (`explicit`) or merged into it.
    /// Replacing an entry also written here is a duplicate.
    pub(super) fn insert(
        &mut self,
        key: Spanned<String>,
        value: T,
        explicit: bool,
    ) -> Option<Duplicate> {
        if !explicit && self.explicit.is_none() {
            self.explicit = Some(vec![true; self.entries.len()]);
        }
        if let Some(i) = self.position(&key.node) {
            let (previous, _) = std::mem::replace(&mut self.entries[i], (key, value));
            let flag = self.explicit.as_mut().and_then(|flags| flags.get_mut(i));
            let was_explicit = flag.is_none_or(|flag| std::mem::replace(flag, explicit));
            return (explicit && was_explicit).then(|| Duplicate {
                key: self.entries[i].0.clone(),
                first: previous.span,
            });
        }
        if self.entries.len() >= INDEX_FROM {
            self.index_all();
            self.index.insert(key.node.clone(), self.entries.len());
        }
        self.entries.push((key, value));
        if let Some(flags) = &mut self.explicit {
            flags.push(explicit);
        }
        None
    }

    pub(super) fn into_entries(self) -> Vec<(Spanned<String>, T)> {
        self.entries
    }

    fn position(&self, key: &str) -> Option<usize> {
        if self.entries.len() > INDEX_FROM {
            return self.index.get(key).copied();
        }
        self.entries.iter().position(|(k, _)| k.node == key)
    }

    /// Indexes the entries added while the mapping was small.
    fn index_all(&mut self) {
        if !self.index.is_empty() {
            return;
        }
        for (i, (key, _)) in self.entries.iter().enumerate() {
            self.index.insert(key.node.clone(), i);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_keys_replace_earlier_ones_in_place_at_any_size() {
        for size in [3, 40] {
            let mut map = MapBuilder::new();
            for i in 0..size {
                let key = Spanned::new(format!("k{i}"), Span::default());
                assert!(map.insert(key, i, true).is_none());
            }
            let replaced = map.insert(Spanned::new("k1".into(), Span::default()), 99, true);
            assert_eq!(replaced.map(|d| d.key.node), Some("k1".to_string()));
            let merged = map.insert(Spanned::new("k2".into(), Span::default()), 98, false);
            assert!(merged.is_none(), "a merge is not a duplicate");
            let entries = map.into_entries();
            assert_eq!(entries.len(), size);
            assert_eq!((entries[1].1, entries[2].1), (99, 98));
        }
    }

    #[test]
    fn a_written_key_replacing_a_merged_one_is_no_duplicate() {
        let key = || Spanned::new("k".to_string(), Span::default());
        let mut map = MapBuilder::new();
        assert!(map.insert(key(), 1, false).is_none());
        assert!(
            map.insert(key(), 2, true).is_none(),
            "replaces a merged entry"
        );
        assert!(
            map.insert(key(), 3, true).is_some(),
            "replaces a written entry"
        );
    }
}
