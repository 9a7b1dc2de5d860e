//! Values the document lends and values an expression built must evaluate alike: each
//! expression runs over the document itself (`@`) and over a copy a function made
//! (`merge(@)`), which takes the evaluator's owned-data paths.

use serde_json::{Value, json};

use crate::jmespath::Expression;

fn doc() -> Value {
    json!({
        "items": [
            {"k": "a", "v": 1, "tags": ["x", "y"]},
            {"k": "b", "v": 2, "tags": []},
            {"k": "c", "v": null, "tags": [["z"]]},
        ],
        "m": {"x": {"y": 1}, "z": {"y": 2}},
        "s": "text",
        "spec": {
            "init": [{"image": "i1"}, null, {"image": null}, {"name": "n"}],
            "main": [{"image": "m1", "sc": {"caps": ["A"]}}, {"sc": {}}],
            "one": {"image": "o1"},
            "none": null,
        },
    })
}

/// `{src}` stands for the document.
const EXPRESSIONS: &[&str] = &[
    "{src}.items[?v > `1` || k == 'a'].k",
    "{src}.items[?tags && k].k",
    "{src}.items[?!v].k",
    "{src}.items[*].tags[]",
    "{src}.items[].tags[][]",
    "{src}.items[].[k, v]",
    "{src}.items[].{k: k, n: length(tags)}",
    "{src}.items[1:].k",
    "{src}.items[::-1].k",
    "{src}.items[-1]",
    "{src}.items[5]",
    "{src}.items[?k == 'b'] | [0].v",
    "{src}.items[?v] | length(@)",
    "{src}.items[].tags || `[]`",
    "{src}.items[].k | [0]",
    "{src}.items[?contains(tags, 'x')] == {src}.items[:1]",
    "{src}.m.*.y",
    "{src}.m.x || 'none'",
    "{src}.m.x && {src}.s",
    "{src}.missing || {src}.m",
    "{src}.missing.deeper",
    "{src}.missing[*].k",
    "{src}.s.missing",
    "{src}.items[0].missing",
    "{src}.items[].missing",
    "{src}.m | keys(@)",
    "{src}.m | values(@)[].y",
    "sort_by({src}.items, &k)[].k",
    "map(&k, {src}.items)",
    "{src}.items[0:2][?v].k",
    "{src}.items[].tags[?@ == 'y']",
    "{src}.items[?tags[0] == `[\"z\"]`].k",
    "[{src}.s, {src}.missing]",
    "{src}.['a', 'b']",
    "{src}.spec.[init, main, missing][].image",
    "{src}.spec.[init, main, one, none][].image",
    "{src}.spec.[main, init][].sc.caps",
    "{src}.spec.[one][].image",
    "{src}.spec.init.[image][].image",
    "{src}.s.[a, b][].c",
    "{src}.spec.none.[a, b][].c",
    "{src}.missing.[a, b][].c",
    "{src}.spec.[init, `1`][].image",
];

fn run(text: &str) -> Result<Value, String> {
    let expr = Expression::compile(text).map_err(|e| e.to_string())?;
    let doc = doc();
    expr.search(&doc)
        .map(|v| v.into_owned())
        .map_err(|e| e.to_string())
}

#[test]
fn built_values_evaluate_as_the_document_does() {
    for template in EXPRESSIONS {
        let lent = run(&template.replace("{src}", "@"));
        let built = run(&template.replace("{src}", "merge(@)"));
        assert_eq!(lent, built, "{template}");
    }
}

#[test]
fn built_values_give_what_the_jmespath_spec_says() {
    // Filter, or-expression, flatten, slice and projection semantics of the JMESPath spec.
    let cases = [
        ("merge(@).items[?v > `1` || k == 'a'].k", json!(["a", "b"])),
        ("merge(@).items[].tags[]", json!(["x", "y", ["z"]])),
        ("merge(@).items[::-1].k", json!(["c", "b", "a"])),
        ("merge(@).m.*.y", json!([1, 2])),
        ("merge(@).items[?v] | length(@)", json!(2)),
        // Multi-selected lists, flattened and projected (read in place when lent).
        (
            "spec.[init, main, one, none][].image",
            json!(["i1", "m1", "o1"]),
        ),
        ("spec.[main, init][].sc.caps", json!([["A"]])),
        ("s.[a, b][].c", json!([])),
        ("spec.none.[a, b][].c", json!(null)),
    ];
    for (text, expected) in cases {
        assert_eq!(run(text), Ok(expected), "{text}");
    }
}

#[test]
fn missing_keys_name_the_key_wherever_they_surface() {
    // jmespath.md §1.6: Kyverno's missing-key error.
    let unknown = Err("Unknown key \"missing\" in path".to_string());
    assert_eq!(run("items[0].missing"), unknown);
    assert_eq!(run("merge(@).items[0].missing"), unknown);
    assert_eq!(run("s && missing"), unknown);
}
