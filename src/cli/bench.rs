//! `nomos bench`: load and compile a policy set, then time parsing and evaluating
//! AdmissionReviews (p50/p99, their ratio, throughput on one and on all cores, peak
//! memory); save a baseline or compare with one.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use rayon::prelude::*;
use serde_json::{Map, Value, json};

use super::exit;
use crate::bench::{generate, peak_rss_mb, quantile};
use crate::compile::{self, PolicySet};
use crate::diagnostic::Emitter;
use crate::engine::evaluate::{self, Inputs, PolicyTimes};
use crate::engine::request::Request;
use crate::load::{self, inputs::policy_set};
use crate::source::SourceMap;

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Policy files or directories (default: the shipped pack in `policies/`).
    policies: Vec<PathBuf>,
    /// Resource files to turn into AdmissionReviews (default: generated pods).
    #[arg(short = 'r', long = "resource", conflicts_with = "pods")]
    resources: Vec<PathBuf>,
    /// How many resources to generate.
    #[arg(long, default_value_t = 1000)]
    pods: usize,
    /// Seed of the generator.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
    /// Store the figures as a baseline.
    #[arg(long)]
    save: Option<PathBuf>,
    /// Compare with a stored baseline; exit 1 on a regression beyond the tolerance.
    #[arg(long)]
    compare: Option<PathBuf>,
    /// Allowed regression, in percent.
    #[arg(long, default_value_t = 10.0)]
    tolerance: f64,
    /// Write the resources as one multi-document YAML file and stop (to feed `nomos apply`).
    #[arg(long)]
    emit: Option<PathBuf>,
    /// Also time each policy, in a pass of its own after the measured ones.
    #[arg(long)]
    per_policy: bool,
}

pub fn run(args: BenchArgs) -> u8 {
    let paths = if args.policies.is_empty() {
        vec![PathBuf::from("policies")]
    } else {
        args.policies.clone()
    };
    let started = Instant::now();
    let Some(set) = load_policies(&paths) else {
        return exit::INVALID_INPUT;
    };
    let compile_ms = started.elapsed().as_secs_f64() * 1000.0;
    let Some(resources) = resources(&args) else {
        return exit::INVALID_INPUT;
    };
    if let Some(path) = &args.emit {
        return emit(path, &resources);
    }
    let reviews: Vec<Vec<u8>> = resources
        .iter()
        .enumerate()
        .map(|(i, r)| serde_json::to_vec(&generate::admission_review(r, i)).unwrap_or_default())
        .collect();
    let mut figures = measure(&set, &reviews, compile_ms);
    if args.per_policy {
        figures.insert("per_policy".into(), per_policy(&set, &reviews));
    }
    report(&args, &figures)
}

fn emit(path: &PathBuf, resources: &[Value]) -> u8 {
    let text: Vec<String> = resources.iter().map(super::output::yaml::to_yaml).collect();
    match std::fs::write(path, text.join("---\n")) {
        Ok(()) => exit::OK,
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", path.display());
            exit::INVALID_INPUT
        }
    }
}

fn load_policies(paths: &[PathBuf]) -> Option<PolicySet> {
    let mut sources = SourceMap::new();
    let nodes = load::load_nodes(paths, &mut sources);
    let emitter = Emitter::plain(&sources);
    if nodes.has_errors() {
        eprint!("{}", emitter.render_all(&nodes.diagnostics));
        return None;
    }
    match policy_set(&nodes) {
        Ok(ir) => Some(compile::compile(&ir)),
        Err((message, diagnostics)) => {
            eprint!("{}", emitter.render_all(&diagnostics));
            eprintln!("error: {message}");
            None
        }
    }
}

fn resources(args: &BenchArgs) -> Option<Vec<Value>> {
    if args.resources.is_empty() {
        return Some(generate::resources(args.pods, args.seed));
    }
    let mut sources = SourceMap::new();
    let loaded = load::load_values(&args.resources, &mut sources);
    if loaded.has_errors() {
        eprint!(
            "{}",
            Emitter::plain(&sources).render_all(&loaded.diagnostics)
        );
        return None;
    }
    Some(loaded.documents.into_iter().map(|d| d.node).collect())
}

/// The mean time per review each policy took, in the set's order: timed in a pass of its
/// own, so that reading the clock per policy does not weigh on the measured figures.
fn per_policy(set: &PolicySet, reviews: &[Vec<u8>]) -> Value {
    let timings = PolicyTimes::default();
    let inputs = Inputs {
        timings: Some(&timings),
        ..Inputs::default()
    };
    for bytes in reviews {
        one(set, bytes, inputs);
    }
    let spent = timings.spent();
    let count = reviews.len().max(1) as f64;
    let rows = set.policies.iter().enumerate().map(|(i, policy)| {
        let total = spent.get(i).map_or(0.0, |d| d.as_secs_f64());
        json!({"policy": policy.key(), "us_per_review": round(total * 1e6 / count)})
    });
    Value::Array(rows.collect())
}

/// Parses and evaluates one review, returning (parse µs, eval µs). The evaluation covers
/// turning the parsed review into a request and every policy on it; like the parse, it
/// stops before the input is freed.
fn one(set: &PolicySet, bytes: &[u8], inputs: Inputs<'_>) -> (f64, f64) {
    let t0 = Instant::now();
    let mut parsed: Value = serde_json::from_slice(bytes).unwrap_or(Value::Null);
    let t1 = Instant::now();
    let mut request = Request::from_admission_review(&mut parsed);
    let responses = request
        .as_mut()
        .ok()
        .map(|r| evaluate::evaluate(set, r, inputs));
    let t2 = Instant::now();
    let _ = std::hint::black_box((parsed, request, responses));
    ((t1 - t0).as_secs_f64() * 1e6, (t2 - t1).as_secs_f64() * 1e6)
}

fn measure(set: &PolicySet, reviews: &[Vec<u8>], compile_ms: f64) -> Map<String, Value> {
    for bytes in reviews.iter().take(50) {
        one(set, bytes, Inputs::default());
    }
    let started = Instant::now();
    let (mut parse, mut eval): (Vec<f64>, Vec<f64>) = reviews
        .iter()
        .map(|b| one(set, b, Inputs::default()))
        .unzip();
    let single = started.elapsed().as_secs_f64();
    let started = Instant::now();
    reviews.par_iter().for_each(|b| {
        one(set, b, Inputs::default());
    });
    let all = started.elapsed().as_secs_f64();
    parse.sort_by(f64::total_cmp);
    eval.sort_by(f64::total_cmp);
    let rules: usize = set.policies.iter().map(|p| p.rules.len()).sum();
    let (parse_p50, eval_p50) = (quantile(&parse, 0.5), quantile(&eval, 0.5));
    let n = reviews.len() as f64;
    let figures = json!({
        "policies": set.policies.len(),
        "rules": rules,
        "reviews": reviews.len(),
        "compile_ms": round(compile_ms),
        "parse_us_p50": round(parse_p50),
        "parse_us_p99": round(quantile(&parse, 0.99)),
        "eval_us_p50": round(eval_p50),
        "eval_us_p99": round(quantile(&eval, 0.99)),
        "eval_parse_ratio": round(if parse_p50 > 0.0 { eval_p50 / parse_p50 } else { 0.0 }),
        "reviews_per_s_1": round(n / single),
        "reviews_per_s_all": round(n / all),
        "threads": rayon::current_num_threads(),
        "peak_rss_mb": round(peak_rss_mb().unwrap_or(0.0)),
    });
    figures.as_object().cloned().unwrap_or_default()
}

fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn report(args: &BenchArgs, figures: &Map<String, Value>) -> u8 {
    let value = Value::Object(figures.clone());
    if args.json {
        println!("{}", serde_json::to_string(&value).unwrap_or_default());
    } else {
        for (k, v) in figures {
            match v {
                Value::Array(rows) => print_per_policy(rows),
                v => println!("{k:>20}: {v}"),
            }
        }
    }
    if let Some(path) = &args.save {
        let text = serde_json::to_string_pretty(&value).unwrap_or_default() + "\n";
        if let Err(e) = std::fs::write(path, text) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return exit::INVALID_INPUT;
        }
    }
    match &args.compare {
        Some(path) => compare(path, figures, args.tolerance),
        None => exit::OK,
    }
}

/// The per-policy rows, costliest first, with each one's share of their sum.
fn print_per_policy(rows: &[Value]) {
    let cost = |row: &Value| row["us_per_review"].as_f64().unwrap_or(0.0);
    let mut rows: Vec<&Value> = rows.iter().collect();
    rows.sort_by(|a, b| cost(b).total_cmp(&cost(a)));
    let sum: f64 = rows.iter().map(|r| cost(r)).sum();
    println!(
        "{:>20}: µs per review (share), costliest first",
        "per policy"
    );
    for row in rows {
        let share = if sum > 0.0 {
            cost(row) / sum * 100.0
        } else {
            0.0
        };
        let name = row["policy"].as_str().unwrap_or_default();
        println!("{:>20}  {:>8.2} ({share:>4.1}%)  {name}", "", cost(row));
    }
}

/// Figures where a larger value is better; for the others a smaller one is.
const HIGHER_IS_BETTER: &[&str] = &["reviews_per_s_1", "reviews_per_s_all"];
const COMPARED: &[&str] = &[
    "compile_ms",
    "parse_us_p50",
    "parse_us_p99",
    "eval_us_p50",
    "eval_us_p99",
    "eval_parse_ratio",
    "reviews_per_s_1",
    "reviews_per_s_all",
    "peak_rss_mb",
];

fn compare(path: &PathBuf, figures: &Map<String, Value>, tolerance: f64) -> u8 {
    let baseline: Value = match std::fs::read_to_string(path).map(|t| serde_json::from_str(&t)) {
        Ok(Ok(v)) => v,
        _ => {
            eprintln!("error: cannot read the baseline {}", path.display());
            return exit::INVALID_INPUT;
        }
    };
    let mut regressed = false;
    for key in COMPARED {
        let (Some(old), Some(new)) = (
            baseline.get(key).and_then(Value::as_f64),
            figures.get(*key).and_then(Value::as_f64),
        ) else {
            continue;
        };
        let change = if old == 0.0 {
            0.0
        } else {
            (new - old) / old * 100.0
        };
        let worse = if HIGHER_IS_BETTER.contains(key) {
            -change
        } else {
            change
        };
        let flag = if worse > tolerance {
            "  REGRESSION"
        } else {
            ""
        };
        regressed |= worse > tolerance;
        println!("{key:>20}: {old} -> {new} ({change:+.1}%){flag}");
    }
    if regressed { exit::FAILED } else { exit::OK }
}
