//! Robustness: the YAML loader and the JMESPath compiler must return (Ok or Err) on any
//! input, never panic or overflow the stack. Inputs: every truncation of valid corpora,
//! seeded random mutations, random bracket/quote soups and very deep nestings. The run
//! prints how many inputs each target saw (`cargo test --test fuzz -- --nocapture`).

use std::panic::{AssertUnwindSafe, catch_unwind};

use nomos::ir::Node;
use nomos::jmespath::Expression;
use nomos::load::yaml::{self, Syntax};
use nomos::source::FileId;
use serde_json::{Value, json};

/// Deterministic xorshift64*: the same inputs on every run, no extra dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const YAML_CORPUS: &[&str] = &[
    "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata:\n  name: require-labels\n  annotations:\n    policies.kyverno.io/title: Require Labels\nspec:\n  validationFailureAction: Enforce\n  background: true\n  rules:\n  - name: check-for-labels\n    match:\n      any:\n      - resources:\n          kinds:\n          - Pod\n    validate:\n      message: \"label `app.kubernetes.io/name` is required\"\n      pattern:\n        metadata:\n          labels:\n            app.kubernetes.io/name: \"?*\"\n",
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels: {app: web, tier: \"frontend\"}\nspec:\n  containers:\n  - name: nginx\n    image: nginx:1.25\n    ports: [{containerPort: 80, protocol: TCP}]\n    resources:\n      limits: {memory: 128Mi, cpu: 500m}\n---\napiVersion: v1\nkind: List\nitems:\n- kind: ConfigMap\n  data:\n    script: |\n      #!/bin/sh\n      echo 'hi'\n    folded: >-\n      one\n      two\n",
    "base: &base\n  a: 1\n  b: [x, y, 'z']\nderived:\n  <<: *base\n  c: !!str 0777\n  d: !!binary aGVsbG8=\n  e: ? complex\n     : value\nflags: [yes, No, on, OFF, ~, null, .inf, -.5, 0x1F, 1_000, 2001-12-14]\n%bad\n...\n",
    "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"p\", \"labels\": {\"a\": \"b\"}},\n\t\"spec\": {\"containers\": [{\"name\": \"c\", \"image\": \"i\", \"args\": [\"--x=1\", \"\\u00e9\\n\"]}]}}\n",
    "key: \"multi\n  line \\\"quoted\\\" \\x41 \\u263A\"\nplain: this is: not ok\nanchor: &a [1, *a]\n? [a, b]\n: c\n- stray\n\ttab: 1\n",
];

const JMESPATH_CORPUS: &[&str] = &[
    "spec.containers[?image != null && starts_with(image, 'nginx')].name | [0]",
    "request.object.metadata.labels.\"app.kubernetes.io/name\" || `\"none\"`",
    "length(spec.containers[].ports[] | [?containerPort > `1024`]) > `0`",
    "{name: metadata.name, images: spec.containers[*].image, n: `[1, {\"a\": 2}]`}",
    "sort_by(items, &metadata.creationTimestamp)[-1:].metadata.name",
    "to_string(parse_json('{\"a\":[1,2]}').a[::-1]) == 'x' && !contains(@, 'y')",
    "max_by(@, &to_number(version))[?a.b[0].c['d'] == @.e].f || (g && h)",
];

/// Characters that matter to the grammars, for mutations and soups.
const SPECIAL: &[u8] = b"[]{}()\"'`:-,.|&!?*@#%>\n\t \\=<$~";

/// Calls `f`, turning a panic into a test failure that names the input.
fn no_panic(target: &str, input: &str, f: impl FnOnce(&str)) {
    if catch_unwind(AssertUnwindSafe(|| f(input))).is_err() {
        let shown: String = input.chars().take(300).collect();
        panic!(
            "{target} panicked on input {shown:?} ({} bytes)",
            input.len()
        );
    }
}

fn load_yaml(input: &str) {
    let nodes = yaml::parse_documents::<Node>(input, FileId(0), Syntax::Yaml);
    let values = yaml::parse_documents::<Value>(input, FileId(0), Syntax::Yaml);
    assert_eq!(
        nodes.documents.len(),
        values.documents.len(),
        "both trees see the same documents"
    );
    let _ = yaml::parse_documents::<Value>(input, FileId(0), Syntax::Json);
    let _ = yaml::first_document(input);
}

fn compile_jmespath(input: &str) {
    if let Ok(expression) = Expression::compile(input) {
        let data = json!({"a": [1, {"b": "c"}], "spec": {"containers": [{"image": "nginx"}]}});
        let _ = expression.search(&data);
    }
}

/// Every prefix of `text` ending on a character boundary.
fn truncations(text: &str) -> impl Iterator<Item = &str> {
    (0..=text.len())
        .filter(|i| text.is_char_boundary(*i))
        .map(|i| &text[..i])
}

fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(bytes.len() + 1);
        let byte = if rng.below(4) == 0 {
            rng.next() as u8
        } else {
            *rng.pick(SPECIAL)
        };
        match rng.below(3) {
            0 if at < bytes.len() => bytes[at] = byte,
            1 if at < bytes.len() => {
                bytes.remove(at);
            }
            _ => bytes.insert(at, byte),
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn soup(rng: &mut Rng) -> String {
    let len = rng.below(200);
    (0..len)
        .map(|_| {
            if rng.below(5) == 0 {
                char::from(b'a' + rng.below(3) as u8)
            } else {
                char::from(*rng.pick(SPECIAL))
            }
        })
        .collect()
}

/// Deep nestings of the brackets and block indicators each grammar has.
fn nestings() -> Vec<String> {
    vec![
        "[".repeat(10_000),
        "[".repeat(10_000) + &"]".repeat(10_000),
        "{{".repeat(10_000),
        "{".repeat(10_000) + &"}".repeat(10_000),
        "- ".repeat(10_000) + "x",
        "-\n".repeat(10_000),
        "a: ".repeat(10_000),
        "(".repeat(10_000),
        "!".repeat(10_000) + "a",
        "a.".repeat(10_000) + "b",
        "a[".repeat(10_000),
        "\"".repeat(10_000),
        "'".repeat(10_000),
        (0..2_000)
            .map(|depth| format!("{}k:\n", " ".repeat(depth)))
            .collect(),
        "&a [*a, ".repeat(2_000),
    ]
}

/// Runs `target` over every generated input; returns how many it saw.
fn run(name: &str, corpus: &[&str], target: fn(&str), seed: u64) -> usize {
    let mut count = 0;
    let mut check = |input: &str| {
        no_panic(name, input, target);
        count += 1;
    };
    for text in corpus {
        truncations(text).for_each(&mut check);
    }
    let mut rng = Rng(seed);
    for _ in 0..10_000 {
        let text = *rng.pick(corpus);
        check(&mutate(&mut rng, text));
    }
    for _ in 0..5_000 {
        check(&soup(&mut rng));
    }
    for text in nestings() {
        check(&text);
    }
    count
}

#[test]
fn yaml_loader_never_panics() {
    let count = run("YAML loader", YAML_CORPUS, load_yaml, 0x9E37_79B9_7F4A_7C15);
    println!("fuzz: YAML loader ran on {count} inputs");
}

#[test]
fn jmespath_compiler_never_panics() {
    let count = run(
        "JMESPath",
        JMESPATH_CORPUS,
        compile_jmespath,
        0xD1B5_4A32_D192_ED03,
    );
    println!("fuzz: JMESPath compiler ran on {count} inputs");
}

// TEMPLATE INPUTS: once the `{{ }}` template parser (src/syntax/template.rs) exposes its
// entry point, add a `template_parser_never_panics` test here: a corpus of Kyverno
// message/pattern strings with `{{ }}` variables, run through `run(...)` like the two
// targets above.
