//! YAML text → JSON documents, one per `---` document, with scalars resolved the way
//! Kubernetes resolves them (go-yaml v2 / YAML 1.1, then sigs.k8s.io/yaml's conversion to
//! JSON). Policies get spanned [`Node`]s; resources get plain `serde_json::Value`s built
//! straight from the parser events. Every problem is a [`Diagnostic`]; after an error the
//! parser resumes at the next `---` line so every broken document is reported.

mod build;
mod error;
mod gonum;
mod offsets;
mod pieces;
mod resolve;
mod tree;

use std::borrow::Cow;
use std::ops::Range;

use rayon::prelude::*;
use saphyr_parser::{Event, Marker, Parser, ScanError, Span as Marks};
use serde_json::Value;

pub use error::{ErrorKind, MAX_DEPTH, YamlError};
pub use pieces::{parse_piece, pieces};
pub use resolve::plain_reads_as_string;
pub use tree::Tree;

use crate::diagnostic::Diagnostic;
use crate::ir::Node;
use crate::source::{FileId, Span, Spanned};
use build::Builder;

/// The documents of one text and every diagnostic found in it (errors and warnings).
#[derive(Debug)]
pub struct Parsed<T> {
    pub documents: Vec<T>,
    pub diagnostics: Vec<Diagnostic>,
}

/// How a text is written. JSON is read as YAML (it is YAML, and Kubernetes reads it the
/// same way), except that its tabs, which valid JSON only has as whitespace, are read as
/// spaces: the YAML parser refuses some tabs that JSON allows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Syntax {
    #[default]
    Yaml,
    Json,
}

impl Syntax {
    /// JSON for a `.json` file name, YAML otherwise.
    pub fn of_file_name(name: &str) -> Syntax {
        if name.to_ascii_lowercase().ends_with(".json") {
            Syntax::Json
        } else {
            Syntax::Yaml
        }
    }
}

/// Every document of a YAML text as spanned nodes (policies, test files).
pub fn parse_nodes(text: &str, file: FileId) -> Parsed<Node> {
    let parsed = parse_documents::<Node>(text, file, Syntax::Yaml);
    Parsed {
        documents: parsed.documents.into_iter().map(|d| d.node).collect(),
        diagnostics: parsed.diagnostics,
    }
}

/// Every document of a YAML text as plain values, each with its document's span
/// (resources: no per-node spans, no copy).
pub fn parse_values(text: &str, file: FileId) -> Parsed<Spanned<Value>> {
    parse_documents(text, file, Syntax::Yaml)
}

/// How long the pieces are that a large text is parsed in, in parallel: enough documents
/// for a piece to outweigh handing it to another thread.
pub const PIECE_LEN: usize = 64 * 1024;

/// Every document of a text as trees of type `T`, each with its span. A large text is
/// parsed in pieces, in parallel, to the same result (see [`pieces`]).
pub fn parse_documents<T: Tree>(text: &str, file: FileId, syntax: Syntax) -> Parsed<Spanned<T>> {
    let mut text = Cow::Borrowed(text);
    if syntax == Syntax::Json && text.contains('\t') {
        text = Cow::Owned(text.replace('\t', " "));
    }
    if let Some(parsed) = parse_in_pieces(&text, file) {
        return parsed;
    }
    parse_in_sequence(text, file)
}

/// The documents of a text cut into pieces parsed in parallel; `None` when the text is
/// one piece or a piece has an error.
fn parse_in_pieces<T: Tree>(text: &str, file: FileId) -> Option<Parsed<Spanned<T>>> {
    let pieces = pieces(text, PIECE_LEN);
    if pieces.len() < 2 {
        return None;
    }
    let parts: Option<Vec<_>> = pieces
        .into_par_iter()
        .map(|piece| parse_piece::<T>(text, piece, file))
        .collect();
    let mut parsed = Parsed {
        documents: Vec::new(),
        diagnostics: Vec::new(),
    };
    for part in parts? {
        parsed.documents.extend(part.documents);
        parsed.diagnostics.extend(part.diagnostics);
    }
    Some(parsed)
}

/// Parses document after document; after an error, goes on at the next `---` line.
fn parse_in_sequence<T: Tree>(mut text: Cow<'_, str>, file: FileId) -> Parsed<Spanned<T>> {
    let mut parsed = Parsed {
        documents: Vec::new(),
        diagnostics: Vec::new(),
    };
    let mut base = 0;
    loop {
        let (fixed, run) = run_fixing_tabs::<T>(text, base, file, false);
        text = fixed;
        let documents = run.documents.into_iter();
        parsed
            .documents
            .extend(documents.map(|(value, span)| Spanned::new(value, span)));
        parsed.diagnostics.extend(run.warnings);
        let Some(error) = run.error else {
            return parsed;
        };
        parsed.diagnostics.push(error.diagnostic());
        match next_document_start(&text, error.span.start as usize, base) {
            Some(next) => base = next,
            None => return parsed,
        }
    }
}

/// The first document only, as the JMESPath function `parse_yaml` reads it (go-yaml's
/// `Unmarshal`): later documents are not even parsed; no document at all is `null`.
pub fn first_document(text: &str) -> Result<Value, YamlError> {
    let (_, run) = run_fixing_tabs::<Value>(Cow::Borrowed(text), 0, FileId::default(), true);
    match run.error {
        Some(error) => Err(error),
        None => Ok(run
            .documents
            .into_iter()
            .next()
            .map_or(Value::Null, |d| d.0)),
    }
}

/// What one parser run over `text[base..]` produced before it ended or failed.
struct Run<T> {
    documents: Vec<(T, Span)>,
    warnings: Vec<Diagnostic>,
    error: Option<YamlError>,
    /// The error is a tab after `:` inside `{...}`/`[...]`, which go-yaml accepts.
    flow_tab: bool,
}

/// How many tabs after `:` in flow collections one text may have fixed up.
const MAX_TAB_FIXES: usize = 100;

/// Runs the parser; where it refuses a tab that go-yaml accepts (after `:` in a flow
/// collection), reads that tab as a space (same byte length, so spans hold) and reruns.
fn run_fixing_tabs<T: Tree>(
    mut text: Cow<'_, str>,
    base: usize,
    file: FileId,
    first_only: bool,
) -> (Cow<'_, str>, Run<T>) {
    for _ in 0..MAX_TAB_FIXES {
        let run = run::<T>(&text, base..usize::MAX, file, first_only);
        let fixed = match &run.error {
            Some(error) if run.flow_tab => spaces_for_tabs_before(&text, error.span.start),
            _ => None,
        };
        match fixed {
            Some(fixed) => text = Cow::Owned(fixed),
            None => return (text, run),
        }
    }
    let run = run::<T>(&text, base..usize::MAX, file, first_only);
    (text, run)
}

/// Parses the documents of the text `full` that start in `full[part]` (`part.end` may lie
/// past the end of the text). The parser reads on past `part.end` to the start of the
/// next document, as it does in one parse of the whole text, so that where a document
/// ends is found the same way.
fn run<T: Tree>(full: &str, part: Range<usize>, file: FileId, first_only: bool) -> Run<T> {
    let mut parser = Parser::new_from_str(&full[part.start..]);
    let mut builder = Builder::<T>::new(full, part.start, file);
    let error = loop {
        let Some(next) = parser.next_event() else {
            break None;
        };
        let (event, marks) = match next {
            Ok(next) => next,
            Err(error) => break Some(scan_error(&mut builder, full, &error)),
        };
        let document_end = matches!(event, Event::DocumentEnd);
        if matches!(event, Event::DocumentStart(_))
            && builder.span(marks).start as usize >= part.end
        {
            break None;
        }
        if let Err(error) = builder.event(event, marks) {
            break Some(error);
        }
        if first_only && document_end {
            break None;
        }
    };
    let flow_tab = builder.in_flow()
        && error.as_ref().is_some_and(
            |e| matches!(&e.kind, ErrorKind::Syntax(m) if m.starts_with("':' must be followed")),
        );
    Run {
        documents: builder.documents,
        warnings: builder.warnings,
        error,
        flow_tab,
    }
}

/// A parser error, pointing at the character where the parser stopped.
fn scan_error<T: Tree>(builder: &mut Builder<'_, T>, full: &str, error: &ScanError) -> YamlError {
    let at: Marker = *error.marker();
    let span = builder.span(Marks::empty(at));
    let start = span.start as usize;
    let width = full
        .get(start..)
        .and_then(|rest| rest.chars().next())
        .map_or(0, char::len_utf8);
    let span = Span::new(span.file, start, start + width);
    YamlError::new(ErrorKind::Syntax(error::syntax_message(error.info())), span)
}

/// The text with the tabs just before byte `offset` read as spaces, if there were any.
fn spaces_for_tabs_before(text: &str, offset: u32) -> Option<String> {
    let before = text.get(..offset as usize)?;
    let blank = before.len() - before.trim_end_matches([' ', '\t']).len();
    let from = before.len() - blank;
    if !before[from..].contains('\t') {
        return None;
    }
    let mut fixed = text.to_string();
    fixed.replace_range(from..before.len(), &" ".repeat(blank));
    Some(fixed)
}

/// Where to resume after an error at byte `from`: the first `---` line from the line
/// holding `from` on (an error on a `---` line belongs to the document it starts), but
/// after `base`, where the failed run started, so parsing always moves on.
fn next_document_start(text: &str, from: usize, base: usize) -> Option<usize> {
    let line_start = text.get(..from)?.rfind('\n').map_or(0, |i| i + 1);
    let mut line = if line_start > base {
        line_start
    } else {
        from + text.get(from..)?.find('\n')? + 1
    };
    loop {
        let rest = &text[line..];
        let marker = rest
            .strip_prefix("---")
            .is_some_and(|after| after.is_empty() || after.starts_with([' ', '\t', '\r', '\n']));
        if marker {
            return Some(line);
        }
        line += rest.find('\n')? + 1;
    }
}
