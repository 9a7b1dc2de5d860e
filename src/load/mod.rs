//! Reading inputs: paths (files, directories walked recursively, `-` for stdin) are read
//! into the caller's [`SourceMap`]; each file's YAML or JSON documents come back either as
//! spanned [`Node`]s (policies) or as plain values with their document's span (resources),
//! `kind: List` documents expanded into their items and empty documents dropped. Every
//! diagnostic of every file is collected; a bad file never stops the others.

pub(crate) mod fields;
mod files;
pub mod inputs;
pub mod kyverno;
pub mod offline;
pub mod testsuite;
pub mod yaml;

use std::ops::Range;
use std::path::Path;

use serde_json::Value;

use crate::diagnostic::Diagnostic;
use crate::ir::{Node, NodeValue};
use crate::source::{FileId, SourceMap, Span, Spanned};
pub use files::{STDIN_NAME, read_sources, read_sources_with_stdin};
use yaml::{Syntax, Tree};

/// The documents of some inputs and everything found wrong while reading them.
#[derive(Debug)]
pub struct Loaded<T> {
    pub documents: Vec<T>,
    pub diagnostics: Vec<Diagnostic>,
}

impl<T> Loaded<T> {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Reads the inputs and returns their documents as spanned nodes.
pub fn load_nodes(paths: &[impl AsRef<Path>], sources: &mut SourceMap) -> Loaded<Node> {
    let (files, diagnostics) = read_sources(paths, sources);
    prepend(diagnostics, nodes(sources, &files))
}

/// Reads the inputs and returns their documents as plain values.
pub fn load_values(paths: &[impl AsRef<Path>], sources: &mut SourceMap) -> Loaded<Spanned<Value>> {
    let (files, diagnostics) = read_sources(paths, sources);
    prepend(diagnostics, values(sources, &files))
}

/// The documents of files already in `sources`, as spanned nodes.
pub fn nodes(sources: &SourceMap, files: &[FileId]) -> Loaded<Node> {
    let loaded = documents::<Node>(sources, files);
    Loaded {
        documents: loaded.documents.into_iter().map(|d| d.node).collect(),
        diagnostics: loaded.diagnostics,
    }
}

/// The documents of files already in `sources`, as plain values with document spans.
pub fn values(sources: &SourceMap, files: &[FileId]) -> Loaded<Spanned<Value>> {
    documents::<Value>(sources, files)
}

/// The documents of one piece of a file (see [`pieces`]).
#[derive(Clone, Debug)]
pub struct Piece {
    pub file: FileId,
    pub range: Range<usize>,
}

/// The files' texts cut into pieces that can be read on their own, in parallel, to the
/// documents [`values`] gives (a short text is one piece).
pub fn pieces(sources: &SourceMap, files: &[FileId]) -> Vec<Piece> {
    let mut pieces = Vec::new();
    for &file in files {
        let Some(source) = sources.get(file) else {
            continue;
        };
        let ranges = yaml::pieces(&source.text, yaml::PIECE_LEN);
        pieces.extend(ranges.into_iter().map(|range| Piece { file, range }));
    }
    pieces
}

/// The documents of one piece as plain values, `kind: List` documents expanded and empty
/// ones dropped; `None` when the piece has an error (or, being a JSON text with tabs,
/// cannot be read as it stands): [`values`] then says what is wrong.
pub fn piece_values(sources: &SourceMap, piece: &Piece) -> Option<Vec<Spanned<Value>>> {
    let source = sources.get(piece.file)?;
    let tabs_as_spaces = Syntax::of_file_name(&source.name) == Syntax::Json;
    if tabs_as_spaces && source.text.contains('\t') {
        return None;
    }
    let parsed = yaml::parse_piece::<Value>(&source.text, piece.range.clone(), piece.file)?;
    let mut documents = Vec::new();
    for document in parsed.documents {
        expand(document, &mut documents);
    }
    Some(documents)
}

/// The diagnostics first, then those of `loaded`.
pub fn prepend<T>(mut diagnostics: Vec<Diagnostic>, mut loaded: Loaded<T>) -> Loaded<T> {
    diagnostics.append(&mut loaded.diagnostics);
    loaded.diagnostics = diagnostics;
    loaded
}

fn documents<T: Document>(sources: &SourceMap, files: &[FileId]) -> Loaded<Spanned<T>> {
    let mut loaded = Loaded {
        documents: Vec::new(),
        diagnostics: Vec::new(),
    };
    for &file in files {
        let Some(source) = sources.get(file) else {
            continue;
        };
        let syntax = Syntax::of_file_name(&source.name);
        let parsed = yaml::parse_documents::<T>(&source.text, file, syntax);
        loaded.diagnostics.extend(parsed.diagnostics);
        for document in parsed.documents {
            expand(document, &mut loaded.documents);
        }
    }
    loaded
}

/// Adds a document, or the items of a `kind: List` document; drops empty documents.
fn expand<T: Document>(document: Spanned<T>, out: &mut Vec<Spanned<T>>) {
    if document.node.is_null() {
        return;
    }
    match document.node.list_items(document.span) {
        Ok(items) => out.extend(items.into_iter().filter(|i| !i.node.is_null())),
        Err(node) => out.push(Spanned::new(node, document.span)),
    }
}

/// What the loader needs to know about a document tree beyond building it.
trait Document: Tree {
    fn is_null(&self) -> bool;
    /// The items of a `kind: List` mapping whose `items` is a list (or is absent/null);
    /// otherwise the document back.
    fn list_items(self, span: Span) -> Result<Vec<Spanned<Self>>, Self>;
}

impl Document for Node {
    fn is_null(&self) -> bool {
        Node::is_null(self)
    }

    fn list_items(self, _: Span) -> Result<Vec<Spanned<Self>>, Self> {
        let is_list = self.get("kind").and_then(Node::as_str) == Some("List");
        let items_ok = self
            .get("items")
            .is_none_or(|i| i.is_null() || i.items().is_some());
        if !is_list || !items_ok {
            return Err(self);
        }
        let NodeValue::Map(entries) = self.value else {
            return Ok(Vec::new());
        };
        let items = entries.into_iter().find(|e| e.key.node == "items");
        let items = match items.map(|e| e.value.value) {
            Some(NodeValue::Seq(items)) => items,
            _ => Vec::new(),
        };
        Ok(items
            .into_iter()
            .map(|n| {
                let span = n.span;
                Spanned::new(n, span)
            })
            .collect())
    }
}

impl Document for Value {
    fn is_null(&self) -> bool {
        Value::is_null(self)
    }

    fn list_items(self, span: Span) -> Result<Vec<Spanned<Self>>, Self> {
        let is_list = self.get("kind").and_then(Value::as_str) == Some("List");
        let items_ok = self
            .get("items")
            .is_none_or(|i| i.is_null() || i.is_array());
        if !is_list || !items_ok {
            return Err(self);
        }
        let Value::Object(mut map) = self else {
            return Ok(Vec::new());
        };
        let items = match map.remove("items") {
            Some(Value::Array(items)) => items,
            _ => Vec::new(),
        };
        Ok(items.into_iter().map(|v| Spanned::new(v, span)).collect())
    }
}
