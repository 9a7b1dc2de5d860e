//! PEM decoding as Go's `encoding/pem.Decode`: takes text and returns the first
//! well-formed block (its type and decoded bytes). Malformed candidates are skipped, as Go
//! skips them, so only input without any valid block yields nothing.

use data_encoding::{BASE64, Encoding};
use std::sync::LazyLock;

const BEGIN: &str = "-----BEGIN ";
const END: &str = "\n-----END ";
const DASHES: &str = "-----";

/// A decoded PEM block.
#[derive(Debug, PartialEq, Eq)]
pub struct Block {
    pub kind: String,
    pub bytes: Vec<u8>,
}

/// Standard padded base64 that skips line breaks and, like Go's decoder, ignores
/// non-zero padding bits.
static BODY_BASE64: LazyLock<Encoding> = LazyLock::new(|| {
    let mut spec = BASE64.specification();
    spec.ignore.push_str("\r\n");
    spec.check_trailing_bits = false;
    spec.encoding()
        .expect("invariant: standard base64 with ignored line breaks is a valid specification")
});

/// The first block Go's decoder would return.
pub fn decode(text: &str) -> Option<Block> {
    let mut rest = text;
    loop {
        rest = after_begin(rest)?;
        if let Some(block) = block_at(rest) {
            return Some(block);
        }
    }
}

/// The text right after the next `-----BEGIN ` (at the start or after a newline).
fn after_begin(text: &str) -> Option<&str> {
    if let Some(after) = text.strip_prefix(BEGIN) {
        return Some(after);
    }
    let at = text.find(&format!("\n{BEGIN}"))?;
    Some(&text[at + 1 + BEGIN.len()..])
}

/// Tries to read one block whose type line starts `text`.
fn block_at(text: &str) -> Option<Block> {
    let (type_line, mut rest) = line(text);
    let kind = type_line.strip_suffix(DASHES)?;
    let mut has_headers = false;
    loop {
        if rest.is_empty() {
            return None;
        }
        let (header, next) = line(rest);
        if !header.contains(':') {
            break;
        }
        has_headers = true;
        rest = next;
    }
    let (body, after_end) = split_end(rest, has_headers)?;
    let trailer = after_end.strip_prefix(kind)?.strip_prefix(DASHES)?;
    if !line(trailer).0.is_empty() {
        return None;
    }
    let base64: String = body.chars().filter(|c| *c != ' ' && *c != '\t').collect();
    let bytes = BODY_BASE64.decode(base64.as_bytes()).ok()?;
    Some(Block {
        kind: kind.to_string(),
        bytes,
    })
}

/// Splits at the `-----END ` line: the body before it and the text after `-----END `.
/// Without headers the END line may come first, with no newline before it.
fn split_end(text: &str, has_headers: bool) -> Option<(&str, &str)> {
    let first_line_end = &END[1..];
    if !has_headers && let Some(after) = text.strip_prefix(first_line_end) {
        return Some(("", after));
    }
    let at = text.find(END)?;
    Some((&text[..at], &text[at + END.len()..]))
}

/// One line without its newline and trailing spaces, tabs and carriage returns.
fn line(text: &str) -> (&str, &str) {
    let (line, rest) = match text.find('\n') {
        Some(at) => (&text[..at], &text[at + 1..]),
        None => (text, ""),
    };
    (line.trim_end_matches([' ', '\t', '\r']), rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_first_block_after_junk() {
        let text = "junk\n-----BEGIN FOO-----\nAAEC\nAw==\n-----END FOO-----\n";
        let block = decode(text).expect("a block");
        assert_eq!(block.kind, "FOO");
        assert_eq!(block.bytes, vec![0, 1, 2, 3]);
    }

    #[test]
    fn skips_a_malformed_block_and_takes_the_next() {
        let text =
            "-----BEGIN A-----\n!!\n-----END A-----\n-----BEGIN B-----\nAA==\n-----END B-----";
        assert_eq!(decode(text).map(|b| b.kind), Some("B".to_string()));
    }

    #[test]
    fn rejects_mismatched_end_and_missing_blocks() {
        assert_eq!(decode("-----BEGIN A-----\nAA==\n-----END B-----\n"), None);
        assert_eq!(decode("no pem here"), None);
        assert_eq!(decode("-----BEGIN A-----\nAA==\n"), None);
    }

    #[test]
    fn headers_are_skipped() {
        let text = "-----BEGIN A-----\nProc-Type: 4,ENCRYPTED\n\nAA==\n-----END A-----";
        assert_eq!(decode(text).map(|b| b.bytes), Some(vec![0]));
    }
}
