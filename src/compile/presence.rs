//! Which keys a policy set's patterns read, gathered into one tree for the whole set, and
//! for each pattern the facts about those keys under which it cannot fail.
//!
//! Matching a pattern walks the resource's objects and lists to its leaves, the values it
//! compares; many patterns of a set walk the same objects (a pod's containers and their
//! security contexts). One walk of the resource per request records, for every key of the
//! tree, whether it is present, missing or of another structure, and the values found at
//! the leaves (see `engine::presence`). A pattern's guard is what it needs of those facts:
//! anchored keys absent or of the right structure, required keys present, and every value
//! at its leaves matching the leaf. A pattern whose guard holds passes without being
//! matched; any other is matched as before, so a guard only has to be sufficient: it may
//! be false where matching would pass (a condition anchor, which skips when its key is
//! missing, has no guard at all).

use super::pattern::{Anchor, ObjectPattern, Pattern, Scalar};

/// A node of the tree: the values found at one path of the resource. The root is the
/// resource itself; a key node holds the values under that key of its parent's objects; an
/// element node the elements of its parent's arrays.
#[derive(Debug, Default)]
pub struct Node {
    /// Key children, in the order an object holds its keys (byte order), so a walk reads
    /// an object's keys and the node's together in one pass.
    pub keys: Vec<(Box<str>, usize)>,
    pub elements: Option<usize>,
    /// Some guard checks the values here against a leaf: the walk keeps them, in the list
    /// of this number.
    pub leaf: Option<u32>,
}

/// The tree of every path a guard reads, shared by the set's patterns.
#[derive(Debug)]
pub struct Index {
    pub nodes: Vec<Node>,
    /// How many nodes are leaves.
    pub leaves: u32,
}

impl Default for Index {
    fn default() -> Self {
        Index {
            nodes: vec![Node::default()],
            leaves: 0,
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
    /// Every object of the parent holds the key.
    Present,
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
            Need::Present => seen::MISSING,
        }
    }
}

/// Facts about the tree's nodes under which a pattern passes: for each node it reads, the
/// facts that must not have been seen there; and the leaves every value at their node
/// must match.
#[derive(Clone, Debug, PartialEq)]
pub struct Guard {
    /// In the order of the pattern, each node before the nodes below it.
    pub needs: Box<[Check]>,
    pub leaves: Box<[Leaf]>,
}

/// One need, as the walk's facts answer it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Check {
    pub at: u32,
    /// The facts that break the need.
    pub broken_by: u8,
    /// How many of the following needs are about nodes below this one: where no value is
    /// at this node, none is below it either, and those needs hold.
    pub below: u32,
}

/// A leaf of a pattern, and the node of the values it is matched against.
#[derive(Clone, Debug, PartialEq)]
pub struct Leaf {
    /// The node's leaf number.
    pub at: u32,
    pub check: LeafCheck,
}

#[derive(Clone, Debug, PartialEq)]
pub enum LeafCheck {
    /// The value matches the pattern (a scalar, or a list of scalars or of lists).
    Matches(Pattern),
    /// A required `*`: any value but null.
    NotNull,
}

/// A guard being built.
#[derive(Default)]
struct Draft {
    needs: Vec<Check>,
    leaves: Vec<Leaf>,
}

impl Draft {
    /// Adds a need; returns its place, for [`Draft::close`].
    fn need(&mut self, at: usize, need: Need) -> usize {
        self.needs.push(Check {
            at: node_id(at),
            broken_by: need.broken_by(),
            below: 0,
        });
        self.needs.len() - 1
    }

    /// Counts the needs added since the one at `place` as below it.
    fn close(&mut self, place: usize) {
        let below = self.needs.len() - place - 1;
        self.needs[place].below = u32::try_from(below).unwrap_or(0);
    }
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
        let mut draft = Draft::default();
        let root = draft.need(ROOT, Need::ObjectIfPresent);
        self.object(object, ROOT, &mut draft)?;
        draft.close(root);
        Some(Guard {
            needs: draft.needs.into(),
            leaves: draft.leaves.into(),
        })
    }

    fn object(&mut self, pattern: &ObjectPattern, at: usize, draft: &mut Draft) -> Option<()> {
        if pattern.metadata.is_some() {
            return None;
        }
        for (key, value) in &pattern.entries {
            match key.anchor {
                Anchor::Condition => return None,
                // Checked only when present: a present key is matched.
                Anchor::Global | Anchor::Negation | Anchor::Existence => {
                    let child = self.key(at, &key.name);
                    draft.need(child, Need::Absent);
                }
                Anchor::Equality => self.value(at, &key.name, value, false, draft)?,
                Anchor::None | Anchor::AddIfNotPresent => {
                    self.value(at, &key.name, value, true, draft)?
                }
            }
        }
        Some(())
    }

    /// The needs of `pattern` under key `name` of the objects at `at`.
    fn value(
        &mut self,
        at: usize,
        name: &str,
        pattern: &Pattern,
        required: bool,
        draft: &mut Draft,
    ) -> Option<()> {
        let child = self.key(at, name);
        // An object, or a list pattern whose first item is an object (it matches every
        // element against that item), is descended into; anything else is a leaf.
        let (object, at_list) = match pattern {
            Pattern::Object(object) => (object, false),
            Pattern::Array(items) => match items.first() {
                Some(Pattern::Object(first)) => (first, true),
                _ => return self.leaf(child, pattern, required, draft),
            },
            Pattern::Scalar(_) => return self.leaf(child, pattern, required, draft),
        };
        let need = match (at_list, required) {
            (false, true) => Need::Object,
            (false, false) => Need::ObjectIfPresent,
            (true, true) => Need::Array,
            (true, false) => Need::ArrayIfPresent,
        };
        let place = draft.need(child, need);
        if !at_list {
            self.object(object, child, draft)?;
            draft.close(place);
            return Some(());
        }
        let element = self.elements(child);
        let element_place = draft.need(element, Need::ObjectIfPresent);
        self.object(object, element, draft)?;
        draft.close(element_place);
        draft.close(place);
        Some(())
    }

    /// A value the pattern compares: every value at `at` must match it.
    fn leaf(
        &mut self,
        at: usize,
        pattern: &Pattern,
        required: bool,
        draft: &mut Draft,
    ) -> Option<()> {
        if required {
            draft.need(at, Need::Present);
        }
        let number = match self.nodes[at].leaf {
            Some(number) => number,
            None => {
                let number = self.leaves;
                self.nodes[at].leaf = Some(number);
                self.leaves += 1;
                number
            }
        };
        // Matching checks a required `*` before matching it as a value.
        let check = match pattern {
            Pattern::Scalar(Scalar::String(s)) if required && s.raw == "*" => LeafCheck::NotNull,
            _ => LeafCheck::Matches(pattern.clone()),
        };
        draft.leaves.push(Leaf { at: number, check });
        Some(())
    }

    fn key(&mut self, at: usize, name: &str) -> usize {
        let keys = &self.nodes[at].keys;
        let place = keys.binary_search_by(|(k, _)| k.as_bytes().cmp(name.as_bytes()));
        match place {
            Ok(found) => keys[found].1,
            Err(place) => {
                let id = self.push();
                self.nodes[at].keys.insert(place, (name.into(), id));
                id
            }
        }
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

/// A node's number as a guard stores it.
fn node_id(at: usize) -> u32 {
    u32::try_from(at)
        .expect("invariant: a presence tree has fewer nodes than pattern keys, far below 2^32")
}
