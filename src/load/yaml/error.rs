//! What can go wrong while turning YAML text into JSON documents, each kind with the
//! place it points at and the hint shown under the caret.

use crate::diagnostic::Diagnostic;
use crate::source::Span;

/// Deepest collection nesting accepted; deeper input is an error, never a stack overflow.
pub const MAX_DEPTH: usize = 500;

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ErrorKind {
    /// `a: "unclosed`, `a:\n  b: 1\n c: 2`, `[1, 2`: the parser's own message.
    #[error("{0}")]
    Syntax(String),
    /// 501 nested `[`.
    #[error("collections are nested more than {MAX_DEPTH} levels deep")]
    TooDeep,
    /// The billion-laughs document: aliases expanding to far more nodes than were written.
    #[error("document contains excessive aliasing")]
    ExcessiveAliasing,
    /// `a: &x 1\n---\nb: *x`: anchors do not reach into later documents.
    #[error("unknown anchor `{0}` referenced")]
    UnknownAnchor(String),
    /// `a: &x\n  b: *x`.
    #[error("anchor `{0}` is used inside its own value")]
    RecursiveAlias(String),
    /// `? [a]\n: b`, or `{a: 1}: x`.
    #[error("a mapping key must be a scalar, not {0}")]
    CollectionKey(&'static str),
    /// `~: x`, or a key too large for a 64-bit signed integer.
    #[error("unsupported mapping key: {0} cannot be a JSON object key")]
    UnsupportedKey(&'static str),
    /// `<<: 1`.
    #[error("map merge requires map or sequence of maps as the value")]
    BadMerge,
    /// `.inf`, `-.inf`, `.nan`.
    #[error("json: unsupported value: {0}")]
    NotJson(String),
    /// `0x1` followed by 300 zeros: a number beyond float64.
    #[error("number is out of the range of a 64-bit float")]
    OutOfRange,
    /// `!!int abc`.
    #[error("cannot decode {found} `{text}` as a {tag}")]
    TagMismatch {
        found: &'static str,
        text: String,
        tag: &'static str,
    },
    /// `!!binary ==`.
    #[error("!!binary value contains invalid base64 data")]
    BadBinary,
}

/// One error and the span it points at.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{kind}")]
pub struct YamlError {
    pub kind: ErrorKind,
    pub span: Span,
}

impl YamlError {
    pub fn new(kind: ErrorKind, span: Span) -> Self {
        YamlError { kind, span }
    }

    pub fn diagnostic(&self) -> Diagnostic {
        let diagnostic = Diagnostic::error(self.kind.to_string()).at(self.span);
        match self.kind.label() {
            Some(label) => diagnostic.with_label(label),
            None => diagnostic,
        }
    }
}

impl ErrorKind {
    /// What the reader should have written instead, shown under the caret.
    fn label(&self) -> Option<&'static str> {
        let label = match self {
            ErrorKind::Syntax(message) => return syntax_label(message),
            ErrorKind::TooDeep => "nested too deeply here",
            ErrorKind::ExcessiveAliasing => "this alias expands the document too far",
            ErrorKind::UnknownAnchor(_) => {
                "no anchor of this name is defined earlier in this document"
            }
            ErrorKind::RecursiveAlias(_) => "expected an alias to a value that is complete",
            ErrorKind::CollectionKey(_) => "expected a string, number or boolean key",
            ErrorKind::UnsupportedKey(_) => "expected a string, number or boolean key",
            ErrorKind::BadMerge => "expected a mapping or a list of mappings",
            ErrorKind::NotJson(_) => "JSON has no infinity or NaN; quote it to keep the text",
            ErrorKind::OutOfRange => "expected a number within float64 range",
            ErrorKind::TagMismatch { .. } => "expected a value of the tagged type",
            ErrorKind::BadBinary => "expected padded standard base64",
        };
        Some(label)
    }
}

/// The parser's messages that read badly, in go-yaml's words.
const REWORDED: &[(&str, &str)] = &[
    ("simple key expect ':'", "could not find expected ':'"),
    (
        "recursion limit exceeded",
        "flow collections are nested more than 255 levels deep",
    ),
];

/// The parser's message as shown to the reader.
pub(super) fn syntax_message(message: &str) -> String {
    REWORDED
        .iter()
        .find(|(from, _)| *from == message)
        .map_or(message, |(_, to)| to)
        .to_string()
}

/// Labels for the parser's messages: what was expected where it stopped.
const SYNTAX_LABELS: &[(&str, &str)] = &[
    (
        "quoted scalar, found unexpected end of stream",
        "this quote is never closed",
    ),
    (
        "quoted scalar, found unexpected document indicator",
        "this quote is not closed before the next document",
    ),
    (
        "invalid indentation in quoted scalar",
        "this quoted value goes on over a less indented line; is its closing quote missing?",
    ),
    (
        "illegal placement of ':' indicator",
        "unexpected `:`; is a `]` or `}` missing before it?",
    ),
    ("nested more than 255 levels", "nested too deeply here"),
    (
        "did not find expected key",
        "expected a `key: value` entry at the indentation of the mapping",
    ),
    (
        "did not find expected '-' indicator",
        "expected a `- item` at the indentation of the list",
    ),
    ("tab", "indent with spaces; YAML forbids tabs here"),
    ("expected ',' or ']'", "expected `,` or `]`"),
    ("expected ',' or '}'", "expected `,` or `}`"),
    ("did not find expected node content", "expected a value"),
    (
        "unknown anchor",
        "no anchor of this name is defined before this point",
    ),
    (
        "mapping values are not allowed in this context",
        "unexpected `:`; quote a value that contains `: `",
    ),
    (
        "block sequence entries are not allowed in this context",
        "unexpected `- `; a list item must start its own line",
    ),
    (
        "cannot start any token",
        "this character cannot start a value; quote the value",
    ),
    ("unknown escape character", "expected a valid `\\` escape"),
    ("could not find expected ':'", "expected `:` after this key"),
    (
        "must be followed by a valid YAML whitespace",
        "expected a space",
    ),
];

fn syntax_label(message: &str) -> Option<&'static str> {
    SYNTAX_LABELS
        .iter()
        .find(|(needle, _)| message.contains(needle))
        .map(|(_, label)| *label)
}
