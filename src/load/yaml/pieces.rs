//! A large YAML text → pieces cut at `---` lines, parsed on their own (in parallel) to
//! the same documents, spans and warnings as one parse of the whole text.
//!
//! Why a cut is exact: a `---` at the start of a line followed by a blank or a line break
//! always ends what came before it: it closes a block or plain scalar and starts a new
//! document; inside a quoted scalar or a flow collection it is an error. Documents share
//! no state (anchors and alias budgets are per document) except directives, so a text
//! with a `%` line is never cut. Whatever piece has an error gives no result: errors are
//! reported from one parse of the whole text, whose recovery and positions are exact.

use std::ops::Range;

use super::{Parsed, Tree, run};
use crate::source::{FileId, Spanned};

/// Cuts `text` into consecutive pieces, each starting at a `---` line (but the first) and
/// at least `min_len` bytes long (but the last). One piece when the text has directives.
pub fn pieces(text: &str, min_len: usize) -> Vec<Range<usize>> {
    if text.starts_with('%') || text.contains("\n%") {
        return std::iter::once(0..text.len()).collect();
    }
    let mut cuts = vec![0];
    let mut from = min_len.max(1);
    while let Some(cut) = document_line_from(text, from) {
        cuts.push(cut);
        from = cut + min_len.max(1);
    }
    cuts.push(text.len());
    cuts.windows(2).map(|w| w[0]..w[1]).collect()
}

/// The first line starting at or after byte `from` that is a document start (`---` then
/// a blank, a line break or the end of the text).
fn document_line_from(text: &str, from: usize) -> Option<usize> {
    // Searching from the line break before `from`: a line starting right at `from` counts.
    let mut at = from.saturating_sub(1);
    loop {
        let rest = text.get(at..)?;
        let found = rest.find("\n---")? + at + 1;
        let after = text.as_bytes().get(found + 3);
        if matches!(after, None | Some(b' ' | b'\t' | b'\r' | b'\n')) {
            return Some(found);
        }
        at = found;
    }
}

/// The documents and warnings of `text[piece]`, a piece from [`pieces`]; `None` when the
/// piece has an error.
pub fn parse_piece<T: Tree>(
    text: &str,
    piece: Range<usize>,
    file: FileId,
) -> Option<Parsed<Spanned<T>>> {
    let run = run::<T>(text, piece, file, false);
    if run.error.is_some() {
        return None;
    }
    let documents = run.documents.into_iter();
    Some(Parsed {
        documents: documents
            .map(|(value, span)| Spanned::new(value, span))
            .collect(),
        diagnostics: run.warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_only_at_document_start_lines() {
        let text = "a: 1\n---\nb: 2\n---x\n--- \nc: 3\n  ---\n---\n";
        let starts: Vec<usize> = pieces(text, 1).iter().map(|p| p.start).collect();
        assert_eq!(starts, [0, 5, 19, 35]);
        assert_eq!(pieces(text, 1).last().map(|p| p.end), Some(text.len()));
    }

    #[test]
    fn pieces_are_at_least_the_minimum_length() {
        let text = "a: 1\n---\nb: 2\n---\nc: 3\n---\nd: 4\n";
        let lengths: Vec<usize> = pieces(text, 10).iter().map(|p| p.len()).collect();
        assert_eq!(lengths, [14, 18]);
    }

    #[test]
    fn texts_with_directives_stay_whole() {
        let text = "a: 1\n---\n%YAML 1.2\n---\nb: 2\n";
        assert_eq!(pieces(text, 1).len(), 1);
    }
}
