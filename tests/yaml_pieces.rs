//! Large YAML texts are parsed in pieces cut at `---` lines, in parallel: every piece
//! result must equal the result of parsing the whole text in sequence (documents, spans,
//! warnings), and a text whose pieces cannot be parsed alone falls back to that parse.
//! Inputs: tests/cases/yaml/pieces.json (tricky streams, with whether the pieces parse),
//! and every input of the loader's other case files, alone and inside a stream.

use libtest_mimic::{Arguments, Failed, Trial};
use nomos::ir::Node;
use nomos::load::yaml::{self, PIECE_LEN, Parsed, Syntax, Tree};
use nomos::source::{FileId, Spanned};
use serde_json::Value;

mod common;

fn main() {
    let args = Arguments::from_args();
    let mut trials = case_trials();
    trials.extend(corpus_trials());
    trials.push(Trial::test(
        "large_text_in_parallel",
        large_text_in_parallel,
    ));
    libtest_mimic::run(&args, trials).exit();
}

/// A case file of `tests/cases/yaml`.
fn read_json(name: &str) -> Value {
    common::case_file("yaml", name)
}

fn case_trials() -> Vec<Trial> {
    let cases = read_json("pieces.json");
    let rows = cases.as_array().cloned().unwrap_or_default();
    rows.into_iter()
        .enumerate()
        .map(|(i, row)| {
            Trial::test(format!("pieces::{i}"), move || {
                assert!(row["cite"].as_str().is_some_and(|c| !c.is_empty()));
                let text = row["text"].as_str().unwrap_or_default();
                let in_pieces = agree(text)?;
                let want = row["pieces"].as_bool();
                if want == Some(in_pieces) {
                    Ok(())
                } else {
                    Err(format!("{text:?}: expected pieces to parse: {want:?}").into())
                }
            })
        })
        .collect()
}

/// Every input of the other loader case files, alone and between two documents.
fn corpus_trials() -> Vec<Trial> {
    let mut texts = Vec::new();
    for file in ["scalars.json", "documents.json", "spans.json"] {
        collect_texts(&read_json(file), &mut texts);
    }
    assert!(texts.len() > 100, "the loader case files hold the inputs");
    vec![Trial::test("corpus", move || {
        for text in &texts {
            agree(text)?;
            agree(&format!("pre: 1\n---\n{text}\n---\npost: 2\n"))?;
        }
        agree(&texts.join("\n---\n"))?;
        Ok(())
    })]
}

/// The input texts of a case file: the first string of each row of each group.
fn collect_texts(cases: &Value, out: &mut Vec<String>) {
    let groups = cases.as_array().into_iter().flatten();
    let rows = groups.flat_map(|g| g.as_object().into_iter().flat_map(|o| o.values()));
    for row in rows.filter_map(Value::as_array).flatten() {
        let text = row.as_str().or_else(|| row.get(0).and_then(Value::as_str));
        out.extend(text.map(str::to_string));
    }
}

/// Checks that the pieces of `text`, where all parse, give what the whole text gives;
/// returns whether they all parsed.
fn agree(text: &str) -> Result<bool, Failed> {
    assert!(text.len() < PIECE_LEN, "a short text is parsed whole");
    let nodes = agree_as::<Node>(text)?;
    let values = agree_as::<Value>(text)?;
    if nodes != values {
        return Err(format!("{text:?}: the node and value pieces disagree").into());
    }
    Ok(nodes)
}

fn agree_as<T: Tree + PartialEq + std::fmt::Debug>(text: &str) -> Result<bool, Failed> {
    let Some(pieces) = in_pieces::<T>(text) else {
        return Ok(false);
    };
    let whole = yaml::parse_documents::<T>(text, FileId(0), Syntax::Yaml);
    if pieces.documents != whole.documents {
        let (got, want) = (&pieces.documents, &whole.documents);
        return Err(format!("{text:?}: pieces gave {got:?}, the whole text {want:?}").into());
    }
    if pieces.diagnostics != whole.diagnostics {
        let (got, want) = (&pieces.diagnostics, &whole.diagnostics);
        return Err(format!("{text:?}: pieces warned {got:?}, the whole text {want:?}").into());
    }
    Ok(true)
}

/// The text cut at every `---` line, each piece parsed alone.
fn in_pieces<T: Tree>(text: &str) -> Option<Parsed<Spanned<T>>> {
    let mut out = Parsed {
        documents: Vec::new(),
        diagnostics: Vec::new(),
    };
    for piece in yaml::pieces(text, 1) {
        let parsed = yaml::parse_piece::<T>(text, piece, FileId(0))?;
        out.documents.extend(parsed.documents);
        out.diagnostics.extend(parsed.diagnostics);
    }
    Some(out)
}

/// A text long enough to be parsed in parallel pieces keeps its documents in order, with
/// spans into the whole text and its warnings in order.
fn large_text_in_parallel() -> Result<(), Failed> {
    let doc = |i: usize| format!("i: {i}\nname: \"n-{i}\"\nlist: [a, b]\n");
    let count = 2 * PIECE_LEN / doc(0).len();
    let mut text: String = (0..count).map(|i| doc(i) + "---\n").collect();
    text.push_str("dup: 1\ndup: 2\n");
    assert!(yaml::pieces(&text, PIECE_LEN).len() > 1);
    let parsed = yaml::parse_documents::<Value>(&text, FileId(0), Syntax::Yaml);
    let mut offset = 0;
    for (i, document) in parsed.documents.iter().take(count).enumerate() {
        let want = serde_json::json!({"i": i, "name": format!("n-{i}"), "list": ["a", "b"]});
        let span = document.span.range();
        if document.node != want || span != (offset..offset + doc(i).len() - 1) {
            return Err(format!("document {i}: {document:?}").into());
        }
        offset += doc(i).len() + "---\n".len();
    }
    let warned = parsed.diagnostics.iter().map(|d| d.message.as_str());
    if parsed.documents.len() != count + 1 || !warned.eq(["duplicate key `dup`"]) {
        return Err(format!("{:?}", parsed.diagnostics).into());
    }
    Ok(())
}
