//! One walk of a resource along a policy set's presence tree (see `compile::presence`),
//! and the guards checked against what it found.

use std::cmp::Ordering;

use serde_json::{Map, Value};

use super::messages::push_index;
use super::pattern::{self, Outcome, Said, Shown};
use crate::compile::pattern::Pattern;
use crate::compile::presence::seen::{MISSING, NOT_ARRAY, NOT_OBJECT, PRESENT};
use crate::compile::presence::{Guard, Index, LeafCheck, Need, Node, Site, Step};
use crate::value::go_type_name;

/// Values kept per walk before the list grows: the bench's generated pods keep about 10
/// on the pack's patterns, at most 29. Room for every leaf of the tree (those of the pod
/// templates' paths included) made the walk slower.
const KEPT: usize = 32;

/// No value kept (the end of a node's list).
const NONE: u32 = u32::MAX;

/// List elements an instance's place records: deeper places (no pod field is) are not
/// told apart, and a mismatch there is left to matching.
const DEPTH: usize = 4;

/// Which instance of a node a value is: the indexes of the list elements on its way from
/// the root, outermost first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Place {
    indexes: [u32; DEPTH],
    depth: u8,
}

impl Place {
    fn is_deep(self) -> bool {
        usize::from(self.depth) > DEPTH
    }

    fn indexes(&self) -> &[u32] {
        &self.indexes[..usize::from(self.depth).min(DEPTH)]
    }
}

/// Where facts that break some guard were first seen at a node: `new` the facts, `value`
/// the value seen (none for a missing key).
#[derive(Debug)]
struct First<'v> {
    node: u32,
    new: u8,
    place: Place,
    value: Option<&'v Value>,
}

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
    /// Values at leaf nodes, each with the next of the same node and its place.
    kept: Vec<(&'v Value, u32, Place)>,
    /// More values than a list can number were met: no guard holds.
    overflow: bool,
    /// The place being walked.
    place: Place,
    /// Where facts breaking a guard were first seen, in walk order.
    firsts: Vec<First<'v>>,
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
            place: Place::default(),
            firsts: Vec::new(),
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
                self.see(node, at, PRESENT | NOT_ARRAY, Some(value));
                self.visit_keys(index, node, map);
            }
            Value::Array(items) => {
                self.see(node, at, PRESENT | NOT_OBJECT, Some(value));
                if let Some(element) = node.elements {
                    let outer = self.place;
                    self.place.depth = outer.depth.saturating_add(1);
                    for (i, item) in items.iter().enumerate() {
                        if let Some(slot) = self.place.indexes.get_mut(usize::from(outer.depth)) {
                            *slot = u32::try_from(i).unwrap_or(u32::MAX);
                        }
                        self.visit(index, element, item);
                    }
                    self.place = outer;
                }
            }
            _ => self.see(node, at, PRESENT | NOT_OBJECT | NOT_ARRAY, Some(value)),
        }
    }

    /// Records `facts` at node `at`; those not seen there before break their guards, and
    /// where they were seen is kept when they do.
    fn see(&mut self, node: &Node, at: usize, facts: u8, value: Option<&'v Value>) {
        let new = facts & !self.flags[at];
        if new == 0 {
            return;
        }
        self.flags[at] |= new;
        let mut breaks_any = 0;
        for breaks in &node.breaks {
            if let Some(word) = self.broken.get_mut(breaks.word as usize) {
                let broken = breaks.by_facts[usize::from(new)];
                *word |= broken;
                breaks_any |= broken;
            }
        }
        if breaks_any != 0 {
            self.firsts.push(First {
                node: u32::try_from(at).unwrap_or(u32::MAX),
                new,
                place: self.place,
                value,
            });
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
            None => self.see(&index.nodes[child], child, MISSING, None),
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
        self.kept.push((value, *first, self.place));
        *first = index;
    }

    /// Whether every need of `guard` holds: the pattern it guards then passes.
    pub fn hold(&self, guard: &Guard) -> bool {
        if self.overflow || self.broken(guard) {
            return false;
        }
        guard.leaves.iter().all(|leaf| {
            self.values(leaf.at)
                .all(|value| leaf_passes(value, &leaf.check))
        })
    }

    /// Whether some fact seen breaks a need of `guard`.
    fn broken(&self, guard: &Guard) -> bool {
        let word = self.broken.get((guard.number / 64) as usize);
        word.is_none_or(|w| w & (1 << (guard.number % 64)) != 0)
    }

    /// The values kept at leaf `leaf`.
    fn values(&self, leaf: u32) -> impl Iterator<Item = &'v Value> + '_ {
        self.placed(leaf).map(|(value, _)| value)
    }

    /// The values kept at leaf `leaf`, with their places, the last walked first.
    fn placed(&self, leaf: u32) -> impl Iterator<Item = (&'v Value, Place)> + '_ {
        let mut next = self.first.get(leaf as usize).copied().unwrap_or(NONE);
        std::iter::from_fn(move || {
            let (value, after, place) = *self.kept.get(next as usize)?;
            next = after;
            Some((value, place))
        })
    }

    /// What matching the pattern of `guard` gives, when the facts tell: a pass when the
    /// guard holds; otherwise the first of its broken needs and failing leaves in matching
    /// order, as matching reports it. `None` when they do not tell (an anchored key
    /// present, a place deeper than the walk records, a guard stricter than matching
    /// there) and the pattern must be matched.
    pub fn outcome<'g>(&self, guard: &'g Guard) -> Option<Outcome<'g>>
    where
        'v: 'g,
    {
        if self.overflow {
            return None;
        }
        let broken = self.broken(guard);
        let Some(needs) = guard.sites() else {
            return self.hold(guard).then_some(Outcome::Pass);
        };
        let mut first: Option<Found<'g>> = None;
        // While no need is broken, only the leaves can fail.
        for need in needs.iter().filter(|_| broken) {
            let broken = self.flags.get(need.site.node as usize)? & need.need.broken_by();
            if broken == 0 {
                continue;
            }
            let seen = self
                .firsts
                .iter()
                .find(|f| f.node == need.site.node && f.new & broken != 0)?;
            let found = Found {
                site: &need.site,
                place: seen.place,
                said: self.need_said(guard, need.need, need.leaf, seen)?,
            };
            first = Some(earlier(first, found)?);
        }
        for leaf in &guard.leaves {
            for (value, place) in self.placed(leaf.at) {
                if leaf_passes(value, &leaf.check) {
                    continue;
                }
                let said = match &leaf.check {
                    LeafCheck::Matches(p) => leaf_said(value, p)?,
                    LeafCheck::NotNull => Reported::NotFound,
                };
                let found = Found {
                    site: &leaf.site,
                    place,
                    said,
                };
                first = Some(earlier(first, found)?);
            }
        }
        match first {
            Some(found) => found.outcome(),
            None if broken => None,
            None => Some(Outcome::Pass),
        }
    }

    /// What matching reports where `seen` broke `need`.
    fn need_said<'g>(
        &self,
        guard: &'g Guard,
        need: Need,
        leaf: Option<usize>,
        seen: &First<'v>,
    ) -> Option<Reported<'g>>
    where
        'v: 'g,
    {
        let found = seen.value.unwrap_or(&Value::Null);
        Some(match need {
            // An anchored key present: matching decides what it means.
            Need::Absent => return None,
            Need::Object | Need::ObjectIfPresent => Reported::Said(Said::NotAnObject {
                found: go_type_name(found),
            }),
            Need::Array | Need::ArrayIfPresent => Reported::Said(Said::NotAList),
            // A required leaf missing: matched as null.
            Need::Present => match &guard.leaves.get(leaf?)?.check {
                LeafCheck::NotNull => Reported::NotFound,
                LeafCheck::Matches(p) if pattern::passes(&Value::Null, p) => return None,
                LeafCheck::Matches(p) => leaf_said(&Value::Null, p)?,
            },
        })
    }
}

fn leaf_passes(value: &Value, check: &LeafCheck) -> bool {
    match check {
        LeafCheck::Matches(p) => pattern::passes(value, p),
        LeafCheck::NotNull => !value.is_null(),
    }
}

/// What matching says of a value failing a leaf pattern.
fn leaf_said<'g>(value: &'g Value, leaf: &'g Pattern) -> Option<Reported<'g>> {
    let said = match leaf {
        Pattern::Scalar(s) => Said::Value {
            value: Shown::One(value),
            pattern: s,
        },
        Pattern::Array(items) => match (items.first(), value) {
            (Some(Pattern::Scalar(s)), Value::Array(list)) => Said::Value {
                value: Shown::List(list),
                pattern: s,
            },
            (Some(Pattern::Scalar(_)), _) => Said::NotAList,
            _ => return None,
        },
        Pattern::Object(_) => return None,
    };
    Some(Reported::Said(said))
}

/// A mismatch as matching reports it: described at the node's path, or a required `*`
/// key not found, reported at its object's path.
enum Reported<'g> {
    Said(Said<'g>),
    NotFound,
}

/// A mismatch found at a site and a place.
struct Found<'g> {
    site: &'g Site,
    place: Place,
    said: Reported<'g>,
}

impl<'g> Found<'g> {
    /// Where matching meets it: the key and list steps of the site in turn, the element
    /// steps numbered by the place. `None` for a place deeper than recorded.
    fn order(&self) -> Option<impl Iterator<Item = u32> + '_> {
        if self.place.is_deep() {
            return None;
        }
        let mut indexes = self.place.indexes().iter();
        Some(self.site.steps.iter().map(move |step| match step {
            Step::Key { rank, .. } => *rank,
            Step::Element => indexes.next().copied().unwrap_or(0),
        }))
    }

    fn outcome(self) -> Option<Outcome<'g>> {
        let Found { site, place, said } = self;
        match said {
            Reported::Said(message) => Some(Outcome::Fail {
                path: site_path(site, place),
                message,
            }),
            // Reported at the object's path (the key's without its last `<key>/`), with the
            // key after a second slash.
            Reported::NotFound => {
                let Some(Step::Key { name, .. }) = site.steps.last() else {
                    return None;
                };
                let mut path = site_path(site, place);
                path.truncate(path.len().checked_sub(name.len() + 1)?);
                let message = Said::Text(format!("{path}/{name} not found"));
                Some(Outcome::Fail { path, message })
            }
        }
    }
}

/// The path of `site` at `place`, as matching writes it (`/spec/containers/0/`).
fn site_path(site: &Site, place: Place) -> String {
    let mut out = String::with_capacity(pattern::TEXT_ROOM);
    let mut indexes = place.indexes().iter();
    for (i, text) in site.texts.iter().enumerate() {
        if i > 0 {
            push_index(&mut out, indexes.next().map_or(0, |i| *i as usize));
        }
        out.push_str(text);
    }
    out
}

/// Of two mismatches, the one matching meets first; `None` when their order is unknown.
fn earlier<'g>(first: Option<Found<'g>>, found: Found<'g>) -> Option<Found<'g>> {
    let Some(first) = first else {
        return (!found.place.is_deep()).then_some(found);
    };
    let order = found.order()?.cmp(first.order()?);
    Some(if order == Ordering::Less {
        found
    } else {
        first
    })
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
