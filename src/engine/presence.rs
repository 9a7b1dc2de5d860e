//! One walk of a resource along a policy set's presence tree (see `compile::presence`),
//! and the guards checked against what it found.

use std::cmp::Ordering;

use serde_json::Value;

use crate::compile::presence::seen::{MISSING, NOT_ARRAY, NOT_OBJECT, PRESENT};
use crate::compile::presence::{Guard, Index};

/// What one resource holds at each node of the tree.
#[derive(Debug)]
pub struct Facts {
    flags: Box<[u8]>,
}

impl Facts {
    /// Walks `resource` along `index`.
    pub fn of(index: &Index, resource: &Value) -> Facts {
        let mut facts = Facts {
            flags: vec![0; index.nodes.len()].into(),
        };
        facts.visit(index, crate::compile::presence::ROOT, resource);
        facts
    }

    fn visit(&mut self, index: &Index, at: usize, value: &Value) {
        let node = &index.nodes[at];
        self.flags[at] |= PRESENT;
        match value {
            Value::Object(map) => {
                self.flags[at] |= NOT_ARRAY;
                // Both in byte order: one pass over the two.
                let mut entries = map.iter();
                let mut entry = entries.next();
                for (key, child) in &node.keys {
                    let found = loop {
                        match entry {
                            Some((k, v)) => match order(k, key) {
                                Ordering::Less => entry = entries.next(),
                                Ordering::Equal => break Some(v),
                                Ordering::Greater => break None,
                            },
                            None => break None,
                        }
                    };
                    match found {
                        Some(v) => self.visit(index, *child, v),
                        None => self.flags[*child] |= MISSING,
                    }
                }
            }
            Value::Array(items) => {
                self.flags[at] |= NOT_OBJECT;
                if let Some(element) = node.elements {
                    for item in items {
                        self.visit(index, element, item);
                    }
                }
            }
            _ => self.flags[at] |= NOT_OBJECT | NOT_ARRAY,
        }
    }

    /// Whether every need of `guard` holds: the pattern it guards then passes.
    pub fn hold(&self, guard: &Guard) -> bool {
        guard
            .needs
            .iter()
            .all(|&(at, broken_by)| self.flags[at as usize] & broken_by == 0)
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
