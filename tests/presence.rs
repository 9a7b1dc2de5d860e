//! Pattern guards (`compile::presence`): a pattern whose guard holds for a resource passes
//! without being matched, so wherever a guard holds, matching must pass; and where the
//! walk's facts tell a failing pattern's mismatch, it must be the one matching reports.
//! Checked for every static pattern of the shipped pack and of the conformance corpus,
//! against every resource of both, generated pods, and those pods with parts of them broken
//! (an object or a list replaced by null or by a value of another type).

use std::path::{Path, PathBuf};

use nomos::bench::generate;
use nomos::compile::{self, Check, PatternSpec, PolicySet};
use nomos::engine::pattern::{Outcome, matches};
use nomos::engine::presence::Facts;
use nomos::load::{self, inputs::policy_set};
use nomos::source::SourceMap;
use serde_json::{Value, json};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

/// The policy set of each file that holds policies and compiles; every other document is
/// a resource.
fn corpus() -> (Vec<PolicySet>, Vec<Value>) {
    let mut files = Vec::new();
    yaml_files(&root().join("policies"), &mut files);
    yaml_files(&root().join("tests/conformance/corpus"), &mut files);
    files.sort();
    let (mut sets, mut resources) = (Vec::new(), Vec::new());
    for file in &files {
        let mut sources = SourceMap::new();
        let values = load::load_values(std::slice::from_ref(file), &mut sources);
        let mut holds_policy = false;
        for doc in values.documents.into_iter().map(|d| d.node) {
            match doc.get("kind").and_then(Value::as_str) {
                Some("ClusterPolicy" | "Policy") => holds_policy = true,
                Some(_) => resources.push(doc),
                None => {}
            }
        }
        if !holds_policy {
            continue;
        }
        let nodes = load::load_nodes(std::slice::from_ref(file), &mut sources);
        if let Ok(ir) = policy_set(&nodes) {
            sets.push(compile::compile(&ir));
        }
    }
    (sets, resources)
}

/// Generated pods and controllers, and copies of them with one part broken.
fn generated() -> Vec<Value> {
    let mut out = Vec::new();
    for seed in 1..=3 {
        for (i, resource) in generate::resources(300, seed).into_iter().enumerate() {
            for variant in 0..4 {
                let mut broken = resource.clone();
                break_one(&mut broken, i * 7 + variant * 13 + seed as usize);
                out.push(broken);
            }
            out.push(resource);
        }
    }
    out
}

/// Replaces one object or list below the root, picked by `pick` in depth-first order, with
/// null, a string, a number, or an empty value of the other structure.
fn break_one(value: &mut Value, pick: usize) {
    let mut count = 0;
    let target = pick % containers(value).max(1);
    visit(value, target, &mut count, pick);
}

/// How many objects and lists are below `value`.
fn containers(value: &Value) -> usize {
    let children: Vec<&Value> = match value {
        Value::Object(map) => map.values().collect(),
        Value::Array(items) => items.iter().collect(),
        _ => Vec::new(),
    };
    children
        .into_iter()
        .map(|v| usize::from(is_container(v)) + containers(v))
        .sum()
}

fn is_container(value: &Value) -> bool {
    value.is_object() || value.is_array()
}

/// Finds the `target`-th object or list and replaces it; returns true once done.
fn visit(value: &mut Value, target: usize, count: &mut usize, pick: usize) -> bool {
    let children: Vec<&mut Value> = match value {
        Value::Object(map) => map.values_mut().collect(),
        Value::Array(items) => items.iter_mut().collect(),
        _ => return false,
    };
    for child in children {
        if is_container(child) {
            if *count == target {
                *child = match pick % 4 {
                    0 => Value::Null,
                    1 => json!("text"),
                    2 if child.is_object() => json!([]),
                    2 => json!({}),
                    _ => json!(0),
                };
                return true;
            }
            *count += 1;
            if visit(child, target, count, pick) {
                return true;
            }
        }
    }
    false
}

#[test]
fn a_pattern_whose_guard_holds_passes() {
    let (sets, mut resources) = corpus();
    resources.extend(generated());
    let (mut guarded, mut held, mut not_held, mut told) = (0, 0, 0, 0);
    let mut wrong = Vec::new();
    for set in &sets {
        let facts: Vec<Facts> = resources
            .iter()
            .map(|r| Facts::of(&set.presence, r))
            .collect();
        for policy in &set.policies {
            for rule in policy.rules.iter().chain(policy.autogen.rules()) {
                let Some(validate) = &rule.validate else {
                    continue;
                };
                let specs = match &validate.check {
                    Check::Pattern(spec) => std::slice::from_ref(spec),
                    Check::AnyPattern(Ok(specs)) => specs.as_slice(),
                    _ => continue,
                };
                for (spec, guard) in specs.iter().zip(&validate.guards) {
                    let (PatternSpec::Static(pattern), Some(guard)) = (spec, guard) else {
                        continue;
                    };
                    guarded += 1;
                    for (resource, facts) in resources.iter().zip(&facts) {
                        let told_outcome = facts.outcome(guard);
                        let holds = facts.hold(guard);
                        if holds != (told_outcome == Some(Outcome::Pass)) && wrong.len() < 10 {
                            wrong.push(format!(
                                "{}/{}: the guard holds: {holds}, the facts tell {told_outcome:?} for {resource}",
                                policy.name, rule.name
                            ));
                        }
                        if !holds {
                            not_held += 1;
                            // Where the facts tell the mismatch, it is matching's own.
                            if let Some(told_outcome) = told_outcome {
                                told += 1;
                                let outcome = matches(resource, pattern);
                                if told_outcome != outcome && wrong.len() < 10 {
                                    wrong.push(format!(
                                        "{}/{}: the facts tell {told_outcome:?}, matching gives {outcome:?} for {resource}",
                                        policy.name, rule.name
                                    ));
                                }
                            }
                            continue;
                        }
                        held += 1;
                        let outcome = matches(resource, pattern);
                        if outcome != Outcome::Pass && wrong.len() < 10 {
                            wrong.push(format!(
                                "{}/{}: guard holds but matching gives {outcome:?} for {resource}",
                                policy.name, rule.name
                            ));
                        }
                    }
                }
            }
        }
    }
    println!(
        "{} sets, {} resources, {guarded} guarded patterns: held {held} times, not {not_held} \
         (the mismatch told by the facts {told} times)",
        sets.len(),
        resources.len()
    );
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // The check is not vacuous: the corpus was found, and guards hold and fail, over many
    // patterns.
    assert!(sets.len() >= 100, "{} policy files compiled", sets.len());
    assert!(guarded >= 100, "{guarded} guarded patterns");
    assert!(
        held >= 10_000 && not_held >= 10_000 && told >= 5_000,
        "held {held}, not held {not_held}, told {told}"
    );
}

/// Guards need what matching needs: a required key present, an optional one absent or of
/// the structure its pattern has, every value at a leaf matching the leaf; a condition
/// anchor has no guard.
#[test]
fn guards_of_small_patterns() {
    let net = json!({"spec": {"=(hostNetwork)": false}});
    let lists = json!({"spec": {"=(c)": [{"=(s)": {"=(p)": "x | y"}}]}});
    let required = json!({"spec": {"=(c)": [{"s": {"p": "x"}}]}});
    let negation = json!({"spec": {"=(v)": [{"X(h)": null}]}});
    let star = json!({"spec": {"name": "*"}});
    let cases = [
        // (pattern, resource, guard holds)
        (&net, json!({"spec": {}}), true),
        (&net, json!({"spec": {"hostNetwork": false}}), true),
        (&net, json!({"spec": {"hostNetwork": true}}), false),
        (&net, json!({}), false),
        (&net, json!({"spec": null}), false),
        (&lists, json!({"spec": {"c": [{}, {"s": {}}]}}), true),
        (
            &lists,
            json!({"spec": {"c": [{"s": {"p": "x"}}, {"s": {"p": "y"}}]}}),
            true,
        ),
        (
            &lists,
            json!({"spec": {"c": [{"s": {"p": "x"}}, {"s": {"p": "z"}}]}}),
            false,
        ),
        (&lists, json!({"spec": {"c": [{"s": "x"}]}}), false),
        (&lists, json!({"spec": {"c": ["x"]}}), false),
        (&lists, json!({"spec": {"c": {}}}), false),
        (&required, json!({"spec": {"c": []}}), true),
        (&required, json!({"spec": {"c": [{"s": {"p": "x"}}]}}), true),
        (
            &required,
            json!({"spec": {"c": [{"s": {"p": "x"}}, {"s": {}}]}}),
            false,
        ),
        (
            &required,
            json!({"spec": {"c": [{"s": {"p": "y"}}]}}),
            false,
        ),
        (&negation, json!({"spec": {"v": [{"e": {}}]}}), true),
        (&negation, json!({"spec": {"v": [{"h": {}}]}}), false),
        (&star, json!({"spec": {"name": "a"}}), true),
        (&star, json!({"spec": {"name": null}}), false),
        (&star, json!({"spec": {}}), false),
    ];
    for (pattern, resource, holds) in cases {
        let mut index = compile::presence::Index::default();
        let compiled = compile::pattern::compile(pattern);
        let guard = index.guard(&compiled).expect("these patterns have guards");
        let facts = Facts::of(&index, &resource);
        assert_eq!(facts.hold(&guard), holds, "{pattern} over {resource}");
        let matched = matches(&resource, &compiled);
        assert!(
            matched == Outcome::Pass || !holds,
            "{pattern} over {resource}"
        );
        // Where the facts tell the outcome, it is matching's.
        if let Some(told) = facts.outcome(&guard) {
            assert_eq!(told, matched, "{pattern} over {resource}");
        }
    }
    let mut index = compile::presence::Index::default();
    let condition = compile::pattern::compile(&json!({"spec": {"(name)": "a", "image": "x"}}));
    assert_eq!(index.guard(&condition), None);
    let not_an_object = compile::pattern::compile(&json!(["a"]));
    assert_eq!(index.guard(&not_an_object), None);
}
