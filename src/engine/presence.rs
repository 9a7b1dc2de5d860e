//! One walk of a resource along a policy set's presence tree (see `compile::presence`),
//! and the guards checked against what it found.

use std::cmp::Ordering;

use serde_json::{Map, Value};

use super::pattern;
use crate::compile::presence::seen::{MISSING, NOT_ARRAY, NOT_OBJECT, PRESENT};
use crate::compile::presence::{Guard, Index, LeafCheck, Node};

/// Values kept per walk before the list grows: the bench's generated pods keep about 10
/// on the pack's patterns, at most 29. Room for every leaf of the tree (those of the pod
/// templates' paths included) made the walk slower.
const KEPT: usize = 32;

/// No value kept (the end of a node's list).
const NONE: u32 = u32::MAX;

/// What one resource holds at each node of the tree.
#[derive(Debug)]
pub struct Facts<'v> {
    flags: Box<[u8]>,
    /// The guards some fact broke, bit `g % 64` of word `g / 64` for guard `g`: set as the
    /// walk first sees each fact at a node, so a guard is then answered without reading
    /// its nodes.
    broken: Box<[u64]>,
    /// For each leaf node, the first of its values in `kept`.
    first: Box<[u32]>,
    /// Values at leaf nodes, each with the next of the same node.
    kept: Vec<(&'v Value, u32)>,
    /// More values than a list can number were met: no guard holds.
    overflow: bool,
}

impl<'v> Facts<'v> {
    /// Walks `resource` along `index`.
    pub fn of(index: &Index, resource: &'v Value) -> Facts<'v> {
        let mut facts = Facts {
            flags: vec![0; index.nodes.len()].into(),
            broken: vec![0; index.guards.div_ceil(64) as usize].into(),
            first: vec![NONE; index.leaves as usize].into(),
            // Room for the values a pod's leaves usually hold, without growing.
            kept: Vec::with_capacity(KEPT),
            overflow: false,
        };
        facts.visit(index, crate::compile::presence::ROOT, resource);
        facts
    }

    fn visit(&mut self, index: &Index, at: usize, value: &'v Value) {
        let node = &index.nodes[at];
        if let Some(leaf) = node.leaf {
            self.keep(leaf, value);
        }
        match value {
            Value::Object(map) => {
                self.see(node, at, PRESENT | NOT_ARRAY);
                self.visit_keys(index, node, map);
            }
            Value::Array(items) => {
                self.see(node, at, PRESENT | NOT_OBJECT);
                if let Some(element) = node.elements {
                    for item in items {
                        self.visit(index, element, item);
                    }
                }
            }
            _ => self.see(node, at, PRESENT | NOT_OBJECT | NOT_ARRAY),
        }
    }

    /// Records `facts` at node `at`; those not seen there before break their guards.
    fn see(&mut self, node: &Node, at: usize, facts: u8) {
        let new = facts & !self.flags[at];
        if new == 0 {
            return;
        }
        self.flags[at] |= new;
        for breaks in &node.breaks {
            if let Some(word) = self.broken.get_mut(breaks.word as usize) {
                *word |= breaks.by_facts[usize::from(new)];
            }
        }
    }

    /// The node's keys in an object of its values. Both are in byte order (a `serde_json`
    /// map is sorted by its keys' bytes; see the test below): one pass over the two.
    fn visit_keys(&mut self, index: &Index, node: &Node, map: &'v Map<String, Value>) {
        // One key (a profile's `type`, a list's only field read): looked up, not found by
        // reading the object's keys up to it.
        if let [(key, child)] = node.keys.as_slice() {
            self.visit_child(index, *child, crate::value::field(map, key));
            return;
        }
        let mut entries = map.iter();
        let mut entry = entries.next();
        for (key, child) in &node.keys {
            let found = loop {
                let Some((k, v)) = entry else {
                    break None;
                };
                match order(k, key) {
                    Ordering::Less => entry = entries.next(),
                    Ordering::Equal => break Some(v),
                    Ordering::Greater => break None,
                }
            };
            self.visit_child(index, *child, found);
        }
    }

    /// The key node `child` given its object's value there, if the object holds the key.
    #[inline(always)]
    fn visit_child(&mut self, index: &Index, child: usize, found: Option<&'v Value>) {
        match found {
            Some(v) => self.visit(index, child, v),
            None => self.see(&index.nodes[child], child, MISSING),
        }
    }

    fn keep(&mut self, leaf: u32, value: &'v Value) {
        let (Some(first), Ok(index)) = (
            self.first.get_mut(leaf as usize),
            u32::try_from(self.kept.len()),
        ) else {
            self.overflow = true;
            return;
        };
        self.kept.push((value, *first));
        *first = index;
    }

    /// Whether every need of `guard` holds: the pattern it guards then passes.
    pub fn hold(&self, guard: &Guard) -> bool {
        let word = self.broken.get((guard.number / 64) as usize);
        let broken = word.is_none_or(|w| w & (1 << (guard.number % 64)) != 0);
        if self.overflow || broken {
            return false;
        }
        guard.leaves.iter().all(|leaf| {
            self.values(leaf.at).all(|value| match &leaf.check {
                LeafCheck::Matches(p) => pattern::passes(value, p),
                LeafCheck::NotNull => !value.is_null(),
            })
        })
    }

    /// The values kept at leaf `leaf`.
    fn values(&self, leaf: u32) -> impl Iterator<Item = &'v Value> + '_ {
        let mut next = self.first.get(leaf as usize).copied().unwrap_or(NONE);
        std::iter::from_fn(move || {
            let (value, after) = *self.kept.get(next as usize)?;
            next = after;
            Some(value)
        })
    }
}

/// Byte order of two keys, told by their first bytes when they differ (most do) without
/// the call comparing whole keys.
#[inline(always)]
fn order(a: &str, b: &str) -> Ordering {
    match (a.as_bytes().first(), b.as_bytes().first()) {
        (Some(x), Some(y)) if x != y => x.cmp(y),
        _ => a.as_bytes().cmp(b.as_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Map, Value, json};

    /// The walk reads an object's keys in byte order: a `serde_json` map built in another
    /// order (an insertion-ordered map, say) would make it miss keys.
    #[test]
    fn objects_iterate_in_byte_order() {
        let mut map = Map::new();
        for key in ["b", "a", "B", "ab", "_", "é"] {
            map.insert(key.into(), Value::Null);
        }
        let keys: Vec<&str> = map.keys().map(String::as_str).collect();
        assert_eq!(keys, ["B", "_", "a", "ab", "b", "é"]);
        let parsed: Value =
            serde_json::from_str(r#"{"z": 1, "A": 2, "m": 3}"#).expect("valid JSON");
        let keys: Vec<&String> = parsed.as_object().expect("an object").keys().collect();
        assert_eq!(keys, ["A", "m", "z"]);
        assert_eq!(json!({"y": 1, "x": 2}).to_string(), r#"{"x":2,"y":1}"#);
    }
}
