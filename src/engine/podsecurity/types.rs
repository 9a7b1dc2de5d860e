//! The plain values of Pod Security evaluation: levels, versions, field errors and check
//! results (podsecurity.md §1.2, §2.5, §3.1).

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use super::controls::CheckId;
use super::pod::ListKind;
use crate::engine::messages::push_index;

/// `podSecurity.level` (podsecurity.md §3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Privileged,
    Baseline,
    Restricted,
}

impl Level {
    /// The level exactly as the policy spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Privileged => "privileged",
            Level::Baseline => "baseline",
            Level::Restricted => "restricted",
        }
    }

    /// Whether a check of `check_level` runs at this policy level. Only `baseline` filters;
    /// `privileged` runs every check like `restricted` (podsecurity.md §2.5 step 1, quirk).
    pub fn runs(self, check_level: Level) -> bool {
        self != Level::Baseline || check_level == Level::Baseline
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A level outside the CRD enum `privileged | baseline | restricted`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("must be one of privileged, baseline, restricted")]
pub struct LevelError;

impl FromStr for Level {
    type Err = LevelError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "privileged" => Ok(Level::Privileged),
            "baseline" => Ok(Level::Baseline),
            "restricted" => Ok(Level::Restricted),
            _ => Err(LevelError),
        }
    }
}

/// A policy version: `v1.<minor>` or `latest`, which is newer than every numbered version
/// (podsecurity.md §2.5). Variant order gives that ordering.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Version {
    V1(u32),
    Latest,
}

/// The version strings the CRD enum accepts when policies are loaded (podsecurity.md §2.6).
pub const CRD_VERSIONS: [&str; 15] = [
    "v1.19", "v1.20", "v1.21", "v1.22", "v1.23", "v1.24", "v1.25", "v1.26", "v1.27", "v1.28",
    "v1.29", "v1.30", "v1.31", "v1.32", "latest",
];

/// A version that is neither empty, `latest` nor `v1.<minor>`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("must be \"latest\" or \"v1.x\"")]
pub struct VersionError;

impl VersionError {
    /// The rule error Kyverno reports when a version reaches evaluation unparsed
    /// (podsecurity.md §3.6, last item).
    pub fn rule_message(&self) -> String {
        format!("failed to parse pod security api version: {self}")
    }
}

impl Version {
    /// Whether the CRD enum accepts `text` as `podSecurity.version`.
    pub fn crd_accepts(text: &str) -> bool {
        CRD_VERSIONS.contains(&text)
    }
}

impl FromStr for Version {
    type Err = VersionError;

    /// Empty and `latest` mean latest; otherwise `^v1\.(0|[1-9][0-9]*)$`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.is_empty() || s == "latest" {
            return Ok(Version::Latest);
        }
        let digits = s.strip_prefix("v1.").ok_or(VersionError)?;
        let canonical = digits == "0" || !digits.starts_with('0');
        if digits.is_empty() || !canonical || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(VersionError);
        }
        digits.parse().map(Version::V1).map_err(|_| VersionError)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Version::V1(minor) => write!(f, "v1.{minor}"),
            Version::Latest => f.write_str("latest"),
        }
    }
}

/// The type of a field error (podsecurity.md §1.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    Required,
    Forbidden,
}

/// The offending value of a field error. An empty string is `None` (podsecurity.md §1.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BadValue {
    None,
    String(String),
    Bool(bool),
    Int(i64),
    List(Vec<String>),
}

impl BadValue {
    /// A string bad value; the empty string means "no value".
    pub fn text(s: &str) -> BadValue {
        if s.is_empty() {
            BadValue::None
        } else {
            BadValue::String(s.to_string())
        }
    }

    /// The bad value as the strings `values` patterns are matched against (podsecurity.md
    /// §3.4 step 3, `bad(e)`).
    pub fn strings(&self) -> Vec<String> {
        match self {
            BadValue::None => Vec::new(),
            BadValue::String(s) => vec![s.clone()],
            BadValue::Bool(b) => vec![b.to_string()],
            BadValue::Int(i) => vec![i.to_string()],
            BadValue::List(items) => items.clone(),
        }
    }
}

impl BadValue {
    /// Writes the value the way Go's `%+v` prints it in Kyverno's message (podsecurity.md
    /// §3.6); list items are separated by one space.
    pub fn write_to(&self, out: &mut impl fmt::Write) -> fmt::Result {
        match self {
            BadValue::None => Ok(()),
            BadValue::String(s) => out.write_str(s),
            BadValue::Bool(b) => out.write_str(if *b { "true" } else { "false" }),
            BadValue::Int(i) => write!(out, "{i}"),
            BadValue::List(items) => {
                out.write_char('[')?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.write_char(' ')?;
                    }
                    out.write_str(item)?;
                }
                out.write_char(']')
            }
        }
    }
}

/// Prints as [`BadValue::write_to`] writes.
impl fmt::Display for BadValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_to(f)
    }
}

/// One offending field of a failing check (podsecurity.md §1.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub kind: ErrorKind,
    pub field: Field,
    pub bad_value: BadValue,
}

impl FieldError {
    pub fn forbidden(field: impl Into<Field>, bad_value: BadValue) -> FieldError {
        FieldError {
            kind: ErrorKind::Forbidden,
            field: field.into(),
            bad_value,
        }
    }

    pub fn required(field: impl Into<Field>) -> FieldError {
        FieldError {
            kind: ErrorKind::Required,
            field: field.into(),
            bad_value: BadValue::None,
        }
    }
}

/// A field error's path, as reported for a Pod (`spec.containers[0].securityContext`).
/// Reported for a controller, its words `spec` and `metadata` are replaced; a path known
/// to hold no such word but its leading `spec` (a container field's, built from constant
/// parts) is written without looking for them. A container's field is kept as its parts
/// and written only where it is read (most are read once, into a message).
#[derive(Clone, Debug)]
pub struct Field(Repr);

#[derive(Clone, Debug)]
enum Repr {
    Text { text: String, spec_rooted: bool },
    Container(ContainerField),
}

/// `spec.<list>[<index>].[<item>[<item index>].]<suffix>`.
#[derive(Clone, Copy, Debug)]
pub(super) struct ContainerField {
    pub(super) list: ListKind,
    pub(super) index: usize,
    pub(super) item: Option<(&'static str, usize)>,
    pub(super) suffix: &'static str,
    /// The item and the suffix hold neither `spec` nor `metadata`.
    pub(super) plain: bool,
}

impl Field {
    /// `text`, built from parts: `spec_rooted` when it starts with `spec.` and holds
    /// neither `spec` nor `metadata` after it (the caller knows it from the parts).
    pub(super) fn built(text: String, spec_rooted: bool) -> Field {
        debug_assert!(!spec_rooted || text.starts_with("spec."));
        Field(Repr::Text { text, spec_rooted })
    }

    /// A container's field, from its parts.
    pub(super) fn container(parts: ContainerField) -> Field {
        Field(Repr::Container(parts))
    }

    /// The text.
    pub fn text(&self) -> Cow<'_, str> {
        match &self.0 {
            Repr::Text { text, .. } => Cow::Borrowed(text),
            Repr::Container(parts) => {
                let mut out = String::with_capacity(self.len());
                out.push_str("spec");
                parts.write_after_spec(&mut out);
                Cow::Owned(out)
            }
        }
    }

    /// The length of the text.
    pub fn len(&self) -> usize {
        match &self.0 {
            Repr::Text { text, .. } => text.len(),
            Repr::Container(parts) => "spec".len() + parts.after_spec_len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends what follows the leading `spec` of a [spec-rooted](Field::is_spec_rooted)
    /// path; writes nothing for another.
    pub fn write_after_spec(&self, out: &mut String) {
        match &self.0 {
            Repr::Text {
                text,
                spec_rooted: true,
            } => out.push_str(&text["spec".len()..]),
            Repr::Container(parts) if parts.plain => parts.write_after_spec(out),
            _ => {}
        }
    }

    /// Whether the path starts with `spec.` and holds neither `spec` nor `metadata` after
    /// it: reported for a controller, only its leading `spec` changes.
    pub fn is_spec_rooted(&self) -> bool {
        match &self.0 {
            Repr::Text { spec_rooted, .. } => *spec_rooted,
            Repr::Container(parts) => parts.plain,
        }
    }

    /// The parts of a container's field (`None` for other paths).
    pub(super) fn parts(&self) -> Option<&ContainerField> {
        match &self.0 {
            Repr::Container(parts) => Some(parts),
            Repr::Text { .. } => None,
        }
    }

    /// Whether the text starts with `prefix` (a container's field is written to tell).
    pub fn starts_with(&self, prefix: &str) -> bool {
        self.text().starts_with(prefix)
    }
}

impl ContainerField {
    fn write_after_spec(&self, out: &mut String) {
        out.push_str(self.list.opening());
        push_index(out, self.index);
        out.push_str("].");
        if let Some((item, index)) = self.item {
            push_indexed(out, item, index, "");
        }
        out.push_str(self.suffix);
    }

    fn after_spec_len(&self) -> usize {
        let item = self
            .item
            .map_or(0, |(item, index)| item.len() + decimal_len(index) + 3);
        self.list.opening().len() + decimal_len(self.index) + 2 + item + self.suffix.len()
    }
}

/// Appends `<prefix>[<index>].<suffix>`.
pub(super) fn push_indexed(out: &mut String, prefix: &str, index: usize, suffix: &str) {
    out.push_str(prefix);
    out.push('[');
    push_index(out, index);
    out.push_str("].");
    out.push_str(suffix);
}

fn decimal_len(n: usize) -> usize {
    n.checked_ilog10().map_or(1, |digits| digits as usize + 1)
}

/// Any path, its words looked for when it is reported.
impl From<String> for Field {
    fn from(text: String) -> Field {
        Field::built(text, false)
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

/// Serialised as its text.
impl serde::Serialize for Field {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text())
    }
}

/// Paths are equal when their texts are, however each is held.
impl PartialEq for Field {
    fn eq(&self, other: &Field) -> bool {
        self.text() == other.text()
    }
}

impl Eq for Field {}

impl PartialEq<&str> for Field {
    fn eq(&self, other: &&str) -> bool {
        self.text() == *other
    }
}

/// One failing check: its ID, its forbidden reason and its remaining field errors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckResult {
    pub id: CheckId,
    pub reason: &'static str,
    pub errors: Vec<FieldError>,
}
