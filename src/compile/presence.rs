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
//!
//! A guard that does not hold can also say where matching would first fail: each need and
//! leaf knows its place in the pattern (a [`Site`]), and the walk records where each fact
//! was first seen and where each kept value is, so the mismatch matching would report is
//! the first broken need or failing leaf in matching order (see `engine::presence`).

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
    /// The guards each fact seen here breaks, by word of the guards' numbers.
    pub breaks: Vec<Breaks>,
}

/// The guards among numbers `64 * word ..` that facts seen at a node break: bit `g` of
/// `by_facts[f]` for guard `64 * word + g` and the facts `f` (a set of [`seen`] bits),
/// given for every set so the walk reads one entry for whatever facts it sees.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Breaks {
    pub word: u32,
    pub by_facts: [u64; 1 << seen::FACTS],
}

/// The tree of every path a guard reads, shared by the set's patterns.
#[derive(Debug)]
pub struct Index {
    pub nodes: Vec<Node>,
    /// How many nodes are leaves.
    pub leaves: u32,
    /// How many guards were made: they are numbered from 0.
    pub guards: u32,
}

impl Default for Index {
    fn default() -> Self {
        Index {
            nodes: vec![Node::default()],
            leaves: 0,
            guards: 0,
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
    /// How many facts there are (bits `1 << 0` to `1 << (FACTS - 1)`).
    pub const FACTS: usize = 4;
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
/// facts that must not have been seen there (kept in the nodes' [`Breaks`], under the
/// guard's number); and the leaves every value at their node must match.
#[derive(Clone, Debug, PartialEq)]
pub struct Guard {
    pub number: u32,
    pub leaves: Box<[Leaf]>,
    /// Where the pattern's needs are, when its first mismatch can be read from the facts
    /// (see [`Guard::sites`]).
    pub needs: Option<Box<[NeedSite]>>,
}

impl Guard {
    /// The sites of the guard's needs, or `None` when a failing match must be run to
    /// find the mismatch: the pattern holds an existence anchor (whose absence turns a
    /// failure into an error) or a leaf that is a list of lists or an empty list.
    pub fn sites(&self) -> Option<&[NeedSite]> {
        self.needs.as_deref()
    }
}

/// A leaf of a pattern, and the node of the values it is matched against.
#[derive(Clone, Debug, PartialEq)]
pub struct Leaf {
    /// The node's leaf number.
    pub at: u32,
    pub check: LeafCheck,
    pub site: Site,
}

/// A need of a guard, where it is in the pattern.
#[derive(Clone, Debug, PartialEq)]
pub struct NeedSite {
    pub need: Need,
    pub site: Site,
    /// For a required leaf, its position among the guard's leaves.
    pub leaf: Option<usize>,
}

/// Where a node is reached from the resource's root, as matching a pattern reaches it:
/// the keys (each with its place in its object's matching order) and list elements on the
/// way.
#[derive(Clone, Debug, PartialEq)]
pub struct Site {
    pub node: u32,
    pub steps: Box<[Step]>,
    /// The path's text as matching writes it (`/spec/containers/<i>/securityContext/`), in
    /// the pieces between the list indexes: a mismatch's path is the pieces and the place's
    /// indexes in turn.
    pub texts: Box<[Box<str>]>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// The key `name`, the `rank`th entry its pattern object matches.
    Key { name: Box<str>, rank: u32 },
    /// An element of a list.
    Element,
}

#[derive(Clone, Debug, PartialEq)]
pub enum LeafCheck {
    /// The value matches the pattern (a scalar, or a list of scalars or of lists).
    Matches(Pattern),
    /// A required `*`: any value but null.
    NotNull,
}

/// A guard being built: its needs, as each node and the facts that break it there, with
/// the steps from the root to where the pattern is being read.
#[derive(Default)]
struct Draft {
    needs: Vec<(usize, u8)>,
    leaves: Vec<Leaf>,
    sites: Vec<NeedSite>,
    steps: Vec<Step>,
    /// The mismatch of a failing match cannot be read from the facts.
    opaque: bool,
}

impl Draft {
    fn need(&mut self, at: usize, need: Need) {
        self.needs.push((at, need.broken_by()));
        let site = self.site(at);
        self.sites.push(NeedSite {
            need,
            site,
            leaf: None,
        });
    }

    fn site(&self, at: usize) -> Site {
        let mut texts = Vec::new();
        let mut text = String::from("/");
        for step in &self.steps {
            match step {
                Step::Key { name, .. } => text.push_str(name),
                Step::Element => texts.push(std::mem::take(&mut text).into()),
            }
            text.push('/');
        }
        texts.push(text.into());
        Site {
            // Node numbers are counted in `u32` like leaves; a tree that large has no sites.
            node: u32::try_from(at).unwrap_or(u32::MAX),
            steps: self.steps.clone().into(),
            texts: texts.into(),
        }
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
        draft.need(ROOT, Need::ObjectIfPresent);
        self.object(object, ROOT, &mut draft)?;
        // Only a finished guard is numbered and written into the nodes' breaks.
        let number = self.guards;
        self.guards += 1;
        for (at, broken_by) in draft.needs {
            self.nodes[at].breaks_guard(number, broken_by);
        }
        let opaque = draft.opaque || draft.sites.iter().any(|n| n.site.node == u32::MAX);
        Some(Guard {
            number,
            leaves: draft.leaves.into(),
            needs: (!opaque).then(|| draft.sites.into()),
        })
    }

    fn object(&mut self, pattern: &ObjectPattern, at: usize, draft: &mut Draft) -> Option<()> {
        if pattern.metadata.is_some() {
            return None;
        }
        for (rank, (key, value)) in pattern.entries.iter().enumerate() {
            draft.steps.push(Step::Key {
                name: key.name.as_str().into(),
                rank: u32::try_from(rank).unwrap_or(u32::MAX),
            });
            match key.anchor {
                Anchor::Condition => return None,
                // Checked only when present: a present key is matched.
                Anchor::Global | Anchor::Negation | Anchor::Existence => {
                    // An absent existence key turns a failure elsewhere into an error.
                    draft.opaque |= key.anchor == Anchor::Existence;
                    let child = self.key(at, &key.name);
                    draft.need(child, Need::Absent);
                }
                Anchor::Equality => self.value(at, &key.name, value, false, draft)?,
                Anchor::None | Anchor::AddIfNotPresent => {
                    self.value(at, &key.name, value, true, draft)?
                }
            }
            draft.steps.pop();
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
        draft.need(child, need);
        if !at_list {
            return self.object(object, child, draft);
        }
        let element = self.elements(child);
        draft.steps.push(Step::Element);
        draft.need(element, Need::ObjectIfPresent);
        self.object(object, element, draft)?;
        draft.steps.pop();
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
            if let Some(need) = draft.sites.last_mut() {
                need.leaf = Some(draft.leaves.len());
            }
        }
        // A list of lists is matched position by position, an empty list fails whatever
        // the value: their mismatches are left to matching.
        if let Pattern::Array(items) = pattern
            && !matches!(items.first(), Some(Pattern::Scalar(_)))
        {
            draft.opaque = true;
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
        let site = draft.site(at);
        draft.leaves.push(Leaf {
            at: number,
            check,
            site,
        });
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

impl Node {
    /// Records that each fact of `broken_by` seen here breaks guard `number`.
    fn breaks_guard(&mut self, number: u32, broken_by: u8) {
        let word = number / 64;
        let at = match self.breaks.iter().position(|b| b.word == word) {
            Some(at) => at,
            None => {
                self.breaks.push(Breaks {
                    word,
                    by_facts: [0; 1 << seen::FACTS],
                });
                self.breaks.len() - 1
            }
        };
        let breaks = &mut self.breaks[at];
        for (facts, guards) in breaks.by_facts.iter_mut().enumerate() {
            if facts & usize::from(broken_by) != 0 {
                *guards |= 1 << (number % 64);
            }
        }
    }
}
