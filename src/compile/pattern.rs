//! Validation patterns compiled once (rules.md §7): anchors split from keys, the evaluation
//! orders of every object precomputed, and string patterns parsed into alternatives of
//! operator/operand parts.

use serde_json::Value;

use crate::value::duration::Duration;
use crate::value::quantity::Quantity;
use crate::value::wildcard;

#[derive(Clone, Debug, PartialEq)]
pub enum Pattern {
    Object(ObjectPattern),
    Array(Vec<Pattern>),
    Scalar(Scalar),
}

impl Pattern {
    /// Whether matching it can skip (see [`ObjectPattern::may_skip`]).
    fn may_skip(&self) -> bool {
        match self {
            Pattern::Object(o) => o.may_skip,
            Pattern::Array(items) => items.iter().any(Pattern::may_skip),
            Pattern::Scalar(_) => false,
        }
    }
}

/// Anchors of pattern keys (rules.md §7.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anchor {
    None,
    /// `(k)`: if … then.
    Condition,
    /// `=(k)`: checked only when present.
    Equality,
    /// `X(k)`: must be absent.
    Negation,
    /// `^(k)`: some list element must match.
    Existence,
    /// `<(k)`: like a condition, evaluated with the plain keys.
    Global,
    /// `+(k)`: a mutate anchor, matched as a literal key.
    AddIfNotPresent,
}

impl Anchor {
    /// Evaluated before plain keys (rules.md §7.3 step 1).
    pub fn in_anchor_phase(self) -> bool {
        matches!(
            self,
            Anchor::Condition | Anchor::Equality | Anchor::Negation | Anchor::Existence
        )
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Key {
    /// The key as written (shared: matching records anchored keys per object it visits).
    pub raw: std::sync::Arc<str>,
    pub anchor: Anchor,
    /// The resource key it addresses (`name` for `(name)`; the raw text for `+(k)`).
    pub name: String,
    /// A plain key whose pattern is `*`: the key must be present and not null, nothing
    /// more (set by [`ObjectPattern::new`], which knows the pattern).
    pub star: bool,
}

impl Key {
    pub fn parse(raw: &str) -> Key {
        let trimmed = raw.trim();
        let anchor = anchor_of(trimmed);
        let name = match anchor {
            Anchor::None | Anchor::AddIfNotPresent => raw.to_string(),
            _ => inner_name(trimmed).to_string(),
        };
        Key {
            raw: raw.into(),
            anchor,
            name,
            star: false,
        }
    }
}

/// The anchor of a key matching `^([+<=X^])?\((.+)\)$`.
fn anchor_of(key: &str) -> Anchor {
    let Some(body) = key.strip_suffix(')') else {
        return Anchor::None;
    };
    let (prefix, rest) = match body.chars().next() {
        Some(c @ ('+' | '<' | '=' | 'X' | '^')) => (Some(c), &body[1..]),
        _ => (None, body),
    };
    if !rest.starts_with('(') || rest.len() < 2 {
        return Anchor::None;
    }
    match prefix {
        None => Anchor::Condition,
        Some('=') => Anchor::Equality,
        Some('X') => Anchor::Negation,
        Some('^') => Anchor::Existence,
        Some('<') => Anchor::Global,
        Some(_) => Anchor::AddIfNotPresent,
    }
}

fn inner_name(key: &str) -> &str {
    let start = key.find('(').map_or(0, |i| i + 1);
    &key[start..key.len().saturating_sub(1)]
}

#[derive(Clone, Debug, PartialEq)]
pub struct ObjectPattern {
    /// The entries in the order matching visits them: the anchor-phase entries first, in
    /// ascending order of the raw key, then the others in Kyverno's resource-phase order.
    pub entries: Vec<(Key, Pattern)>,
    /// How many of the entries are of the anchor phase.
    pub anchor_phase: usize,
    /// Indices of the condition and existence entries, whose keys matching records as
    /// present or not (a negation anchor's key, present or not, decides nothing there).
    pub recorded: Vec<usize>,
    /// The index of a `metadata` entry holding an object (its labels and annotations are
    /// rewritten against the resource, rules.md §7.3 step 0).
    pub metadata: Option<usize>,
    /// Whether matching can skip: some condition or global anchor is here or nested.
    pub may_skip: bool,
}

impl ObjectPattern {
    pub fn new(entries: Vec<(Key, Pattern)>) -> ObjectPattern {
        let (anchor_order, resource_order) = orders(&entries);
        let anchor_phase = anchor_order.len();
        // Laid out in matching order: a match reads them in turn, without indices.
        let mut slots: Vec<Option<(Key, Pattern)>> = entries.into_iter().map(Some).collect();
        let entries: Vec<(Key, Pattern)> = (anchor_order.iter().chain(&resource_order))
            .filter_map(|&i| slots.get_mut(i).and_then(Option::take))
            .map(|(key, pattern)| {
                let plain = matches!(key.anchor, Anchor::None | Anchor::AddIfNotPresent);
                let star =
                    plain && matches!(&pattern, Pattern::Scalar(Scalar::String(s)) if s.raw == "*");
                (Key { star, ..key }, pattern)
            })
            .collect();
        let recorded = (0..entries.len())
            .filter(|&i| matches!(entries[i].0.anchor, Anchor::Condition | Anchor::Existence))
            .collect();
        let metadata = entries.iter().position(|(k, p)| {
            k.name == "metadata"
                && !matches!(k.anchor, Anchor::AddIfNotPresent)
                && matches!(p, Pattern::Object(_))
        });
        let may_skip = entries
            .iter()
            .any(|(k, p)| matches!(k.anchor, Anchor::Condition | Anchor::Global) || p.may_skip());
        ObjectPattern {
            entries,
            anchor_phase,
            recorded,
            metadata,
            may_skip,
        }
    }

    /// The anchor-phase entries, in matching order.
    pub fn anchor_entries(&self) -> &[(Key, Pattern)] {
        self.entries.get(..self.anchor_phase).unwrap_or_default()
    }

    /// The resource-phase entries, in matching order.
    pub fn resource_entries(&self) -> &[(Key, Pattern)] {
        self.entries.get(self.anchor_phase..).unwrap_or_default()
    }
}

/// Anchor phase sorted by key; resource phase sorted, then keys that hold anchors (or are
/// global anchors) moved to the front in reverse (rules.md §7.3 step 3).
fn orders(entries: &[(Key, Pattern)]) -> (Vec<usize>, Vec<usize>) {
    let mut anchors: Vec<usize> = (0..entries.len())
        .filter(|&i| entries[i].0.anchor.in_anchor_phase())
        .collect();
    anchors.sort_by(|&a, &b| entries[a].0.raw.cmp(&entries[b].0.raw));
    let mut rest: Vec<usize> = (0..entries.len())
        .filter(|&i| !entries[i].0.anchor.in_anchor_phase())
        .collect();
    rest.sort_by(|&a, &b| entries[a].0.raw.cmp(&entries[b].0.raw));
    let mut ordered = std::collections::VecDeque::new();
    for i in rest {
        let (key, pattern) = &entries[i];
        if key.anchor == Anchor::Global || has_nested_anchor(pattern) {
            ordered.push_front(i);
        } else {
            ordered.push_back(i);
        }
    }
    (anchors, ordered.into())
}

/// Whether a pattern holds a condition, existence, equality, negation or global anchor.
fn has_nested_anchor(pattern: &Pattern) -> bool {
    match pattern {
        Pattern::Object(o) => o.entries.iter().any(|(k, p)| {
            !matches!(k.anchor, Anchor::None | Anchor::AddIfNotPresent) || has_nested_anchor(p)
        }),
        Pattern::Array(items) => items.iter().any(has_nested_anchor),
        Pattern::Scalar(_) => false,
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Scalar {
    Null,
    Bool(bool),
    Number(f64),
    String(StringPattern),
}

/// A string pattern: `a | b & c`, each part an operator and an operand (rules.md §7.5.2).
#[derive(Clone, Debug, PartialEq)]
pub struct StringPattern {
    pub raw: String,
    /// OR over alternatives, AND over the parts of each.
    pub alternatives: Vec<Vec<Part>>,
    /// When every alternative is one plain text compared for equality (no `*` or `?`, not
    /// readable as a duration or a quantity): those texts, sorted. A string value then
    /// matches exactly when it is one of them (`AUDIT_WRITE | CHOWN | ...`).
    pub literals: Option<Box<[Box<str>]>>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Part {
    Compare(Op, Operand),
    InRange(Operand, Operand),
    NotInRange(Operand, Operand),
}

/// An operand as written, with its readings as a duration and as a quantity made once
/// (the comparison cascade of rules.md §7.5.2 step 6 tries those first).
#[derive(Clone, Debug)]
pub struct Operand {
    pub text: String,
    /// As a wildcard pattern, its shape decided once.
    pub wildcard: super::matching::Pattern,
    /// As a Go duration (`"0"` is one).
    pub duration: Option<i64>,
    pub quantity: Option<Quantity>,
}

impl From<&str> for Operand {
    fn from(text: &str) -> Operand {
        Operand {
            text: text.to_string(),
            wildcard: super::matching::Pattern::new(text),
            duration: Duration::parse(text).ok().map(Duration::as_nanos),
            quantity: Quantity::parse(text).ok(),
        }
    }
}

impl From<String> for Operand {
    fn from(text: String) -> Operand {
        Operand::from(text.as_str())
    }
}

/// The readings follow from the text.
impl PartialEq for Operand {
    fn eq(&self, other: &Operand) -> bool {
        self.text == other.text
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Equal,
    NotEqual,
    More,
    MoreEqual,
    Less,
    LessEqual,
}

impl StringPattern {
    pub fn parse(raw: &str) -> StringPattern {
        let alternatives: Vec<Vec<Part>> = raw
            .split('|')
            .map(|alt| {
                alt.trim_matches(' ')
                    .split('&')
                    .map(|p| parse_part(p.trim_matches(' ')))
                    .collect()
            })
            .collect();
        StringPattern {
            raw: raw.to_string(),
            literals: literals(&alternatives),
            alternatives,
        }
    }
}

/// See [`StringPattern::literals`].
fn literals(alternatives: &[Vec<Part>]) -> Option<Box<[Box<str>]>> {
    let literal = |parts: &[Part]| match parts {
        [Part::Compare(Op::Equal, operand)] => (operand.wildcard.is_literal()
            && operand.duration.is_none()
            && operand.quantity.is_none())
        .then(|| Box::from(operand.text.as_str())),
        _ => None,
    };
    let mut texts: Vec<Box<str>> = alternatives
        .iter()
        .map(|a| literal(a))
        .collect::<Option<_>>()?;
    texts.sort();
    Some(texts.into())
}

fn parse_part(part: &str) -> Part {
    if part.len() < 2 {
        return Part::Compare(Op::Equal, part.into());
    }
    const PREFIXES: [(&str, Op); 5] = [
        (">=", Op::MoreEqual),
        ("<=", Op::LessEqual),
        (">", Op::More),
        ("<", Op::Less),
        ("!", Op::NotEqual),
    ];
    for (prefix, op) in PREFIXES {
        if let Some(rest) = part.strip_prefix(prefix) {
            return Part::Compare(op, rest.trim_matches(' ').into());
        }
    }
    if let Some((a, b)) = range(part, "!-") {
        return Part::NotInRange(a.into(), b.into());
    }
    if let Some((a, b)) = range(part, "-") {
        return Part::InRange(a.into(), b.into());
    }
    Part::Compare(Op::Equal, part.into())
}

/// `<bound><sep><bound>` where a bound is `[-|+]?\d+(\.\d+)?[A-Za-z]*` (rules.md §7.5.3).
fn range(part: &str, sep: &str) -> Option<(String, String)> {
    let bytes = part.as_bytes();
    let first = bound_len(bytes)?;
    let rest = part[first..].strip_prefix(sep)?;
    let second = bound_len(rest.as_bytes())?;
    (second == rest.len()).then(|| (part[..first].to_string(), rest.to_string()))
}

/// Length of the bound at the start of `s`, if one is there.
fn bound_len(s: &[u8]) -> Option<usize> {
    let mut i = usize::from(matches!(s.first(), Some(b'-' | b'|' | b'+')));
    let digits = |from: usize| s[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let int = digits(i);
    if int == 0 {
        return None;
    }
    i += int;
    if s.get(i) == Some(&b'.') && digits(i + 1) > 0 {
        i += 1 + digits(i + 1);
    }
    i += s[i..]
        .iter()
        .take_while(|c| c.is_ascii_alphabetic())
        .count();
    Some(i)
}

/// Compiles a plain JSON pattern (no templates left in it).
pub fn compile(value: &Value) -> Pattern {
    match value {
        Value::Object(map) => Pattern::Object(ObjectPattern::new(
            map.iter()
                .map(|(k, v)| (Key::parse(k), compile(v)))
                .collect(),
        )),
        Value::Array(items) => Pattern::Array(items.iter().map(compile).collect()),
        Value::Null => Pattern::Scalar(Scalar::Null),
        Value::Bool(b) => Pattern::Scalar(Scalar::Bool(*b)),
        Value::Number(n) => Pattern::Scalar(Scalar::Number(n.as_f64().unwrap_or(0.0))),
        Value::String(s) => Pattern::Scalar(Scalar::String(StringPattern::parse(s))),
    }
}

/// Whether a key holds a wildcard (used for metadata label/annotation expansion).
pub fn is_wildcard_key(key: &Key) -> bool {
    wildcard::contains_wildcard(&key.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_are_recognised() {
        assert_eq!(Key::parse("(name)").anchor, Anchor::Condition);
        assert_eq!(Key::parse("=(hostNetwork)").anchor, Anchor::Equality);
        assert_eq!(Key::parse("X(hostPID)").anchor, Anchor::Negation);
        assert_eq!(Key::parse("^(imagePullSecrets)").anchor, Anchor::Existence);
        assert_eq!(Key::parse("<(image)").anchor, Anchor::Global);
        assert_eq!(Key::parse("+(k)").anchor, Anchor::AddIfNotPresent);
        assert_eq!(Key::parse("name").anchor, Anchor::None);
        assert_eq!(Key::parse("()").anchor, Anchor::None);
        assert_eq!(Key::parse(" (a) ").name, "a");
    }

    #[test]
    fn string_parts_follow_rules_md_7_5() {
        let p = StringPattern::parse("!*:latest & !*:dev | >1");
        assert_eq!(p.alternatives.len(), 2);
        assert_eq!(
            p.alternatives[0][1],
            Part::Compare(Op::NotEqual, "*:dev".into())
        );
        assert_eq!(parse_part("1-10"), Part::InRange("1".into(), "10".into()));
        assert_eq!(
            parse_part("-10--8"),
            Part::InRange("-10".into(), "-8".into())
        );
        assert_eq!(
            parse_part("100Mi!-1024Mi"),
            Part::NotInRange("100Mi".into(), "1024Mi".into())
        );
        assert_eq!(
            parse_part("!1-10"),
            Part::Compare(Op::NotEqual, "1-10".into())
        );
        assert_eq!(parse_part("+2-+4"), Part::InRange("+2".into(), "+4".into()));
        assert_eq!(parse_part("a"), Part::Compare(Op::Equal, "a".into()));
        assert_eq!(
            parse_part("ab-cd"),
            Part::Compare(Op::Equal, "ab-cd".into())
        );
    }

    /// Only a condition or global anchor, here or nested (in objects and list items), lets
    /// matching skip; the other anchors never do.
    #[test]
    fn objects_know_whether_matching_can_skip() {
        let object = |v: serde_json::Value| match compile(&v) {
            Pattern::Object(o) => o,
            other => panic!("an object pattern, got {other:?}"),
        };
        let plain = object(serde_json::json!({
            "spec": {"=(a)": "x", "X(b)": "null", "^(c)": [{"d": 1}], "e": [{"f": "*"}]}
        }));
        assert!(!plain.may_skip);
        for nested in [
            serde_json::json!({"spec": {"e": [{"(f)": "g"}]}}),
            serde_json::json!({"spec": {"<(a)": "x"}}),
            serde_json::json!({"(kind)": "Pod"}),
        ] {
            assert!(object(nested.clone()).may_skip, "{nested}");
        }
    }

    /// An object's entries are held in the order matching visits them (rules.md §7.3):
    /// anchor-phase keys sorted, then the plain keys sorted with those holding anchors moved
    /// to the front in reverse; a plain key whose pattern is `*` is marked as such.
    #[test]
    fn entries_are_held_in_matching_order() {
        let Pattern::Object(o) = compile(&serde_json::json!({
            "b": "*", "=(z)": "1", "a": {"=(x)": "1"}, "c": 1, "^(y)": [{"k": 1}],
            "d": [{"X(n)": "null"}], "(w)": "v", "=(s)": "*"
        })) else {
            panic!("an object pattern");
        };
        let raw: Vec<&str> = o.entries.iter().map(|(k, _)| &*k.raw).collect();
        assert_eq!(raw, ["(w)", "=(s)", "=(z)", "^(y)", "d", "a", "b", "c"]);
        assert_eq!(o.anchor_phase, 4);
        let anchors: Vec<&str> = o.anchor_entries().iter().map(|(k, _)| &*k.raw).collect();
        assert_eq!(anchors, ["(w)", "=(s)", "=(z)", "^(y)"]);
        assert_eq!(o.resource_entries().len(), 4);
        let stars: Vec<&str> = (o.entries.iter().filter(|(k, _)| k.star))
            .map(|(k, _)| &*k.raw)
            .collect();
        assert_eq!(stars, ["b"]);
        assert_eq!(o.recorded, [0, 3]);
    }
}
