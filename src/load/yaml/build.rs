//! YAML parser events → JSON trees, one per document, without recursion: an explicit
//! stack of open collections, anchors kept as finished values, aliases expanded by copy
//! (bounded by go-yaml's excessive-aliasing rule and the depth limit), `<<` merges applied
//! in source order as go-yaml v2 does, and duplicate keys resolved last-wins with a warning.

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{Event, ScalarStyle, Span as Marks, Tag};

use super::error::{ErrorKind, MAX_DEPTH, YamlError};
use super::offsets::Offsets;
use super::resolve::{self, CoreTag, Scalar};
use super::tree::{MapBuilder, Tree};
use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Span, Spanned};

/// A finished value and how much of the document it accounts for.
struct Done<T> {
    value: T,
    span: Span,
    /// Nodes decoded, counting alias expansions, as go-yaml counts them.
    size: u64,
    /// Collection levels inside (0 for a scalar).
    height: usize,
}

/// What an anchor names: the value, and the key it makes when aliased as a mapping key.
struct Anchored<T> {
    value: Result<T, ErrorKind>,
    key: Result<String, ErrorKind>,
    size: u64,
    height: usize,
}

enum Pending {
    Key(Spanned<String>),
    Merge,
}

enum Items<T> {
    Seq(Vec<T>),
    Map {
        entries: MapBuilder<T>,
        key: Option<Pending>,
    },
}

struct Frame<T> {
    items: Items<T>,
    anchor: usize,
    start: usize,
    last_end: usize,
    flow: bool,
    size: u64,
    height: usize,
}

/// go-yaml v2's guard against alias bombs: once more than 100 of over 1,000 decoded
/// nodes came from aliases, their share may not exceed a ratio that falls from 99% (at
/// 400,000 nodes) to 10% (at 4,000,000).
#[derive(Default)]
struct AliasBudget {
    decoded: u64,
    aliased: u64,
}

impl AliasBudget {
    fn expand(&mut self, size: u64) -> Result<(), ErrorKind> {
        self.decoded += size;
        self.aliased += size;
        let ratio = self.aliased as f64 / self.decoded as f64;
        if self.aliased > 100 && self.decoded > 1000 && ratio > allowed_ratio(self.decoded) {
            return Err(ErrorKind::ExcessiveAliasing);
        }
        Ok(())
    }
}

fn allowed_ratio(decoded: u64) -> f64 {
    const LOW: f64 = 400_000.0;
    const HIGH: f64 = 4_000_000.0;
    let decoded = decoded as f64;
    if decoded <= LOW {
        0.99
    } else if decoded >= HIGH {
        0.10
    } else {
        0.99 - 0.89 * ((decoded - LOW) / (HIGH - LOW))
    }
}

pub(super) struct Builder<'a, T> {
    /// The whole file; parsing started at byte `base`.
    full: &'a str,
    base: usize,
    file: FileId,
    offsets: Offsets<'a>,
    stack: Vec<Frame<T>>,
    anchors: HashMap<usize, Anchored<T>>,
    budget: AliasBudget,
    pub(super) documents: Vec<(T, Span)>,
    pub(super) warnings: Vec<Diagnostic>,
}

impl<'a, T: Tree> Builder<'a, T> {
    /// Builds from the events of `full[base..]`, the text of file `file`.
    pub(super) fn new(full: &'a str, base: usize, file: FileId) -> Self {
        Builder {
            full,
            base,
            file,
            offsets: Offsets::new(&full[base..]),
            stack: Vec::new(),
            anchors: HashMap::new(),
            budget: AliasBudget::default(),
            documents: Vec::new(),
            warnings: Vec::new(),
        }
    }

    pub(super) fn event(&mut self, event: Event<'a>, marks: Marks) -> Result<(), YamlError> {
        let span = self.span(marks);
        let result = match event {
            Event::DocumentStart(_) => {
                self.anchors.clear();
                self.budget = AliasBudget::default();
                Ok(())
            }
            Event::Scalar(text, style, anchor, tag) => self.scalar(text, style, anchor, tag, span),
            Event::Alias(id) => self.alias(id, span),
            Event::SequenceStart(anchor, _) => self.open(Items::Seq(Vec::new()), anchor, span),
            Event::MappingStart(anchor, _) => self.open(
                Items::Map {
                    entries: MapBuilder::new(),
                    key: None,
                },
                anchor,
                span,
            ),
            Event::SequenceEnd | Event::MappingEnd => self.close(span),
            _ => Ok(()),
        };
        result.map_err(|kind| YamlError::new(kind, span))
    }

    /// The span of parser positions (character indices) as file byte offsets.
    pub(super) fn span(&mut self, marks: Marks) -> Span {
        let start = self.offsets.byte(marks.start.index());
        let end = self.offsets.byte(marks.end.index());
        Span::new(self.file, self.base + start, self.base + end)
    }

    /// Whether the innermost open collection is a flow one (`[...]`, `{...}`).
    pub(super) fn in_flow(&self) -> bool {
        self.stack.last().is_some_and(|f| f.flow)
    }

    fn expects_key(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame {
                items: Items::Map { key: None, .. },
                ..
            })
        )
    }

    fn scalar(
        &mut self,
        text: Cow<'a, str>,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<Cow<'a, Tag>>,
        span: Span,
    ) -> Result<(), ErrorKind> {
        self.budget.decoded += 1;
        let tag = tag.map(|t| CoreTag::of(&t));
        let text = self.chomp_at_end(text, style, span);
        let resolved = resolve::resolve(text, style, tag)?;
        if anchor != 0 {
            self.anchor_scalar(anchor, &resolved, span);
        }
        if self.expects_key() {
            return self.set_key(resolved, span);
        }
        let value = T::scalar(resolved.into_json()?, span);
        self.complete(Done {
            value,
            span,
            size: 1,
            height: 0,
        })
    }

    /// A block scalar that runs to the end of a text with no final line break gets no
    /// line break from it (libyaml, hence go-yaml, adds none; the parser used adds one).
    fn chomp_at_end(&self, text: Cow<'a, str>, style: ScalarStyle, span: Span) -> Cow<'a, str> {
        let block = matches!(style, ScalarStyle::Literal | ScalarStyle::Folded);
        let at_end = span.end as usize == self.full.len() && !self.full.ends_with(['\n', '\r']);
        match text.strip_suffix('\n') {
            Some(chomped) if block && at_end => Cow::Owned(chomped.to_string()),
            _ => text,
        }
    }

    fn anchor_scalar(&mut self, anchor: usize, scalar: &Scalar<'_>, span: Span) {
        let anchored = Anchored {
            value: scalar.clone().into_json().map(|v| T::scalar(v, span)),
            key: scalar.clone().into_key(),
            size: 1,
            height: 0,
        };
        self.anchors.insert(anchor, anchored);
    }

    fn set_key(&mut self, scalar: Scalar<'_>, span: Span) -> Result<(), ErrorKind> {
        let pending = match scalar {
            Scalar::Merge => Pending::Merge,
            scalar => Pending::Key(Spanned::new(scalar.into_key()?, span)),
        };
        if let Some(Frame {
            items: Items::Map { key, .. },
            ..
        }) = self.stack.last_mut()
        {
            *key = Some(pending);
        }
        Ok(())
    }

    fn alias(&mut self, id: usize, span: Span) -> Result<(), ErrorKind> {
        self.budget.decoded += 1;
        let Some(anchored) = self.anchors.get(&id) else {
            return Err(self.missing_anchor(id, span));
        };
        let (size, height) = (anchored.size, anchored.height);
        self.budget.expand(size)?;
        if self.expects_key() {
            let key = anchored.key.clone()?;
            return self.set_key(Scalar::Str(Cow::Owned(key)), span);
        }
        if self.stack.len() + height > MAX_DEPTH {
            return Err(ErrorKind::TooDeep);
        }
        let value = anchored.value.clone()?;
        self.complete(Done {
            value,
            span,
            size: size + 1,
            height,
        })
    }

    /// An alias to a node still being built, or to an anchor of an earlier document (the
    /// parser keeps names across documents; go-yaml parses each document on its own).
    fn missing_anchor(&self, id: usize, span: Span) -> ErrorKind {
        let name = self.alias_name(span);
        if self.stack.iter().any(|frame| frame.anchor == id) {
            ErrorKind::RecursiveAlias(name)
        } else {
            ErrorKind::UnknownAnchor(name)
        }
    }

    fn alias_name(&self, span: Span) -> String {
        let text = self.full.get(span.range()).unwrap_or_default();
        text.trim_start_matches('*').to_string()
    }

    fn line_of(&self, offset: u32) -> usize {
        let before = self.full.get(..offset as usize).unwrap_or(self.full);
        before.matches('\n').count() + 1
    }

    fn open(&mut self, items: Items<T>, anchor: usize, span: Span) -> Result<(), ErrorKind> {
        self.budget.decoded += 1;
        if self.expects_key() {
            let kind = match items {
                Items::Seq(_) => "a list",
                Items::Map { .. } => "a mapping",
            };
            return Err(ErrorKind::CollectionKey(kind));
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(ErrorKind::TooDeep);
        }
        let start = span.start as usize;
        let flow = matches!(self.full.as_bytes().get(start), Some(b'[' | b'{'));
        self.stack.push(Frame {
            items,
            anchor,
            start,
            last_end: span.end as usize,
            flow,
            size: 1,
            height: 1,
        });
        Ok(())
    }

    fn close(&mut self, span: Span) -> Result<(), ErrorKind> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        // A flow collection ends at its bracket; a block one at its last entry.
        let end = if span.end > span.start {
            span.end as usize
        } else {
            frame.last_end
        };
        let span = Span::new(self.file, frame.start, end);
        let (value, kind) = match frame.items {
            Items::Seq(items) => (T::seq(items, span), "a list"),
            Items::Map { entries, .. } => (T::map(entries.into_entries(), span), "a mapping"),
        };
        if frame.anchor != 0 {
            self.anchors.insert(
                frame.anchor,
                Anchored {
                    value: Ok(value.clone()),
                    key: Err(ErrorKind::CollectionKey(kind)),
                    size: frame.size,
                    height: frame.height,
                },
            );
        }
        self.complete(Done {
            value,
            span,
            size: frame.size,
            height: frame.height,
        })
    }

    /// Hands a finished value to the collection it belongs to, or ends the document.
    fn complete(&mut self, done: Done<T>) -> Result<(), ErrorKind> {
        let Some(frame) = self.stack.last_mut() else {
            self.documents.push((done.value, done.span));
            return Ok(());
        };
        frame.size += done.size;
        frame.height = frame.height.max(done.height + 1);
        frame.last_end = frame.last_end.max(done.span.end as usize);
        let duplicate = match &mut frame.items {
            Items::Seq(items) => {
                items.push(done.value);
                None
            }
            Items::Map { entries, key } => match key.take() {
                Some(Pending::Key(key)) => entries.insert(key, done.value, true),
                Some(Pending::Merge) => {
                    merge(entries, done.value)?;
                    None
                }
                None => return Err(ErrorKind::CollectionKey("a collection")),
            },
        };
        if let Some(duplicate) = duplicate {
            let line = self.line_of(duplicate.first.start);
            self.warnings.push(duplicate_key(duplicate.key, line));
        }
        Ok(())
    }
}

/// `<<: value`: a mapping's entries, or each mapping of a list with the earlier ones
/// taking precedence, overwrite the entries written so far (go-yaml v2 order).
fn merge<T: Tree>(entries: &mut MapBuilder<T>, value: T) -> Result<(), ErrorKind> {
    let maps = match value.into_map() {
        Ok(map) => vec![map],
        Err(value) => {
            let items = value.into_seq().map_err(|_| ErrorKind::BadMerge)?;
            let maps: Result<Vec<_>, _> = items.into_iter().map(T::into_map).collect();
            maps.map_err(|_| ErrorKind::BadMerge)?
        }
    };
    for (key, value) in maps.into_iter().rev().flatten() {
        entries.insert(key, value, false);
    }
    Ok(())
}

fn duplicate_key(key: Spanned<String>, first_line: usize) -> Diagnostic {
    Diagnostic::warning(format!("duplicate key `{}`", key.node))
        .at(key.span)
        .with_label("this value replaces the earlier one, as in Kubernetes")
        .with_note(format!("the key was first set on line {first_line}"))
}
