//! Robustness of the `{{ }}` template parser and renderer: random, truncated and deeply
//! nested inputs must give a value or an error, never a panic or a stack overflow.

use std::fs;
use std::path::Path;

use nomos::syntax::template::{Site, Template, TemplateDoc};
use serde_json::{Value, json};

/// Pieces random inputs are assembled from: everything the grammar reacts to, plus
/// expression material.
const PIECES: &[&str] = &[
    "{{",
    "}}",
    "{",
    "}",
    "\\",
    "-",
    "@",
    " ",
    "a",
    ".",
    "'",
    "`",
    "|",
    "||",
    "(",
    ")",
    "[",
    "]",
    "*",
    ",",
    ":",
    "é",
    "\n",
    "request.object",
    "$(",
    "null",
    "`{}`",
];

/// A small deterministic generator (xorshift64), so every run sees the same inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn random_input(rng: &mut Rng) -> String {
    let len = rng.below(40);
    (0..len).map(|_| PIECES[rng.below(PIECES.len())]).collect()
}

/// Template strings of the case files: realistic seeds for truncation.
fn case_templates() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/templates");
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let text = fs::read_to_string(entry.path()).unwrap_or_default();
        let rows: Vec<Value> = serde_json::from_str(&text).unwrap_or_default();
        let templates = rows.iter().filter_map(|r| r.get("template")?.as_str());
        out.extend(templates.map(str::to_string));
    }
    out
}

/// Every prefix and suffix of a seed, cut at character boundaries.
fn truncations(seed: &str) -> Vec<String> {
    let cuts = seed.char_indices().map(|(i, _)| i).chain([seed.len()]);
    cuts.flat_map(|i| [seed[..i].to_string(), seed[i..].to_string()])
        .collect()
}

fn nestings() -> Vec<String> {
    let n = 10_000;
    vec![
        "{{".repeat(n),
        "{".repeat(n),
        "}}".repeat(n),
        format!("{}a{}", "{".repeat(n), "}".repeat(n)),
        format!("{}a{}", "{{".repeat(n), "}}".repeat(n)),
        format!("{{{{ {}", "a".repeat(n)),
        format!("{{{{ {}", "{a}".repeat(n)),
        "{{ a".repeat(n / 2),
        "\\{{".repeat(n / 2),
        "{{a}}".repeat(n / 2),
        "x{{'a'}}".repeat(n / 2),
        "{{-@}}".repeat(n / 2),
    ]
}

/// Parses and renders one input against an empty context; returns whether it rendered.
fn exercise(text: &str) -> bool {
    let Ok(template) = Template::parse(text) else {
        return false;
    };
    if !text.contains("{{") {
        assert!(template.is_static(), "no `{{{{` but not static: {text:?}");
    }
    let mut context = json!({});
    template.render(&mut context, Site::default()).is_ok()
}

fn exercise_doc(key: &str, value: &str) {
    let doc = json!({ key: [value, {"k": value}] });
    if let Ok(parsed) = TemplateDoc::parse(&doc) {
        let _ = parsed.render(&mut json!({}), Site::default());
    }
}

#[test]
fn no_input_panics_or_overflows() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut inputs: Vec<String> = case_templates()
        .iter()
        .flat_map(|s| truncations(s))
        .collect();
    inputs.extend((0..20_000).map(|_| random_input(&mut rng)));
    inputs.extend(nestings());
    let mut rendered = 0;
    for (i, input) in inputs.iter().enumerate() {
        rendered += usize::from(exercise(input));
        let other = &inputs[(i * 7919) % inputs.len()];
        if input.len() < 200 && other.len() < 200 {
            exercise_doc(input, other);
        }
    }
    println!("{} template inputs run, {rendered} rendered", inputs.len());
}
