//! Which keys a policy set's patterns read, gathered into one tree for the whole set, and
//! for each pattern the facts about those keys under which it cannot fail.
//!
//! Most keys of the pack's patterns are optional (`=(k)`, `X(k)`, ...): when none of them is
//! present in a resource, and the keys a pattern requires are there with the right
//! structure, matching visits every object only to find nothing to check, and passes. One
//! walk of the resource per request records, for every key of the tree, whether it is
//! present, missing or of another structure (see `engine::presence`); a pattern whose
//! guard holds passes without being matched. Any other pattern is matched as before, so a
//! guard only has to be sufficient: it may be false where matching would pass.

use super::pattern::{Anchor, ObjectPattern, Pattern};

/// A node of the tree: the values found at one path of the resource. The root is the
/// resource itself; a key node holds the values under that key of its parent's objects; an
/// element node the elements of its parent's arrays.
#[derive(Debug, Default)]
pub struct Node {
    /// Key children, in the order of a JSON object's keys once the tree is complete
    /// ([`Index::sort`]).
    pub keys: Vec<(Box<str>, usize)>,
    pub elements: Option<usize>,
}

/// The tree of every path a guard reads, shared by the set's patterns.
#[derive(Debug)]
pub struct Index {
    pub nodes: Vec<Node>,
}

impl Default for Index {
    fn default() -> Self {
        Index {
            nodes: vec![Node::default()],
        }
    }
}

/// The resource itself.
pub const ROOT: usize = 0;

/// What a guard needs of the values at a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// No value at all: for a key, none of the parent's objects holds it; for elements,
    /// none of the parent's arrays has one.
    Absent,
    /// Every value there is an object.
    ObjectIfPresent,
    /// Every value there is an array.
    ArrayIfPresent,
    /// Every object of the parent holds the key, and every value is an object.
    Object,
    /// Every object of the parent holds the key, and every value is an array.
    Array,
}

/// What a walk records about the values at a node, one bit each.
pub mod seen {
    /// Some value is there.
    pub const PRESENT: u8 = 1;
    /// Some object of the parent lacks the key.
    pub const MISSING: u8 = 2;
    /// Some value there is not an object.
    pub const NOT_OBJECT: u8 = 4;
    /// Some value there is not an array.
    pub const NOT_ARRAY: u8 = 8;
}

impl Need {
    /// The facts that break the need.
    pub fn broken_by(self) -> u8 {
        match self {
            Need::Absent => seen::PRESENT,
            Need::ObjectIfPresent => seen::NOT_OBJECT,
            Need::ArrayIfPresent => seen::NOT_ARRAY,
            Need::Object => seen::MISSING | seen::NOT_OBJECT,
            Need::Array => seen::MISSING | seen::NOT_ARRAY,
        }
    }
}

/// Facts about the tree's nodes under which a pattern passes: for each node it reads, the
/// facts that must not have been seen there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Guard {
    pub needs: Box<[(u32, u8)]>,
}

impl Index {
    /// The guard of `pattern` matched at the resource's root, with its paths added to the
    /// tree; `None` when the pattern has no such guard (a condition anchor, which skips
    /// when its key is missing; a value the root itself must match; a metadata pattern,
    /// which is rewritten per resource).
    pub fn guard(&mut self, pattern: &Pattern) -> Option<Guard> {
        let Pattern::Object(object) = pattern else {
            return None;
        };
        let mut needs = vec![(ROOT, Need::ObjectIfPresent)];
        self.object(object, ROOT, &mut needs)?;
        // Absent keys first: a present one, the usual way a guard fails, ends the check
        // soonest.
        needs.sort_by_key(|&(_, need)| need != Need::Absent);
        needs.dedup();
        let needs = needs
            .into_iter()
            .map(|(at, need)| (node_id(at), need.broken_by()));
        Some(Guard {
            needs: needs.collect(),
        })
    }

    fn object(
        &mut self,
        pattern: &ObjectPattern,
        at: usize,
        needs: &mut Vec<Needed>,
    ) -> Option<()> {
        if pattern.metadata.is_some() {
            return None;
        }
        for (key, value) in &pattern.entries {
            match key.anchor {
                Anchor::Condition => return None,
                // Checked only when present: a present key is matched.
                Anchor::Global | Anchor::Negation | Anchor::Existence => {
                    let child = self.key(at, &key.name);
                    needs.push((child, Need::Absent));
                }
                Anchor::Equality => self.value(at, &key.name, value, false, needs)?,
                Anchor::None | Anchor::AddIfNotPresent => {
                    self.value(at, &key.name, value, true, needs)?
                }
            }
        }
        Some(())
    }

    /// The needs of `pattern` under key `name` of the objects at `at`: objects and lists of
    /// objects are descended into; any other value is a leaf.
    fn value(
        &mut self,
        at: usize,
        name: &str,
        pattern: &Pattern,
        required: bool,
        needs: &mut Vec<Needed>,
    ) -> Option<()> {
        match pattern {
            Pattern::Object(object) => {
                let child = self.key(at, name);
                let need = if required {
                    Need::Object
                } else {
                    Need::ObjectIfPresent
                };
                needs.push((child, need));
                self.object(object, child, needs)
            }
            // A list pattern whose first item is an object matches every element against it.
            Pattern::Array(items) => match items.first() {
                Some(Pattern::Object(first)) => {
                    let child = self.key(at, name);
                    let need = if required {
                        Need::Array
                    } else {
                        Need::ArrayIfPresent
                    };
                    needs.push((child, need));
                    let element = self.elements(child);
                    needs.push((element, Need::ObjectIfPresent));
                    self.object(first, element, needs)
                }
                _ => self.leaf(at, name, required, needs),
            },
            Pattern::Scalar(_) => self.leaf(at, name, required, needs),
        }
    }

    /// A value matched wherever its key is present or, when the key is required, wherever an
    /// object at `at` exists: only a pattern that never reaches `at` passes unmatched, and
    /// the root is always reached.
    fn leaf(
        &mut self,
        at: usize,
        name: &str,
        required: bool,
        needs: &mut Vec<Needed>,
    ) -> Option<()> {
        if !required {
            let child = self.key(at, name);
            needs.push((child, Need::Absent));
        } else if at == ROOT {
            return None;
        } else {
            needs.push((at, Need::Absent));
        }
        Some(())
    }

    /// Puts every node's keys in the order an object holds its keys (byte order), so a walk
    /// reads an object's keys and the node's together in one pass.
    pub fn sort(&mut self) {
        for node in &mut self.nodes {
            node.keys
                .sort_by(|(a, _), (b, _)| a.as_bytes().cmp(b.as_bytes()));
        }
    }

    fn key(&mut self, at: usize, name: &str) -> usize {
        if let Some(&(_, id)) = self.nodes[at].keys.iter().find(|(k, _)| &**k == name) {
            return id;
        }
        let id = self.push();
        self.nodes[at].keys.push((name.into(), id));
        id
    }

    fn elements(&mut self, at: usize) -> usize {
        if let Some(id) = self.nodes[at].elements {
            return id;
        }
        let id = self.push();
        self.nodes[at].elements = Some(id);
        id
    }

    fn push(&mut self) -> usize {
        self.nodes.push(Node::default());
        self.nodes.len() - 1
    }
}

type Needed = (usize, Need);

/// A node's number as a guard stores it.
fn node_id(at: usize) -> u32 {
    u32::try_from(at)
        .expect("invariant: a presence tree has fewer nodes than pattern keys, far below 2^32")
}
