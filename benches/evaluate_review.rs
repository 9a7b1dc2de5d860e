//! The per-request cost against the compiled shipped pack, for a few representative
//! AdmissionReviews from the workload generator (fixed seed): parsing the review's bytes
//! with serde_json, and turning the parsed review into a request and evaluating every
//! policy on it.

/// The allocator the `nomos` binary uses, so the figures match it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use nomos::bench::generate;
use nomos::compile::{self, PolicySet};
use nomos::engine::evaluate::{self, Inputs};
use nomos::engine::request::Request;
use nomos::load::{self, inputs::policy_set};
use nomos::source::SourceMap;
use serde_json::Value;

const SEED: u64 = 1;
/// How many generated resources the representative ones are picked from.
const POOL: usize = 100;

/// A review to measure: its name, its bytes and their parsed form.
struct Review {
    name: &'static str,
    bytes: Vec<u8>,
    parsed: Value,
}

fn compiled_pack() -> PolicySet {
    let paths = [PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("policies")];
    let loaded = load::load_nodes(&paths, &mut SourceMap::new());
    assert!(!loaded.has_errors(), "the shipped pack loads");
    compile::compile(&policy_set(&loaded).expect("the shipped pack decodes"))
}

fn pod_spec(resource: &Value) -> &Value {
    match resource["kind"].as_str() {
        Some("Deployment") => &resource["spec"]["template"]["spec"],
        Some("CronJob") => &resource["spec"]["jobTemplate"]["spec"]["template"]["spec"],
        _ => &resource["spec"],
    }
}

fn containers(resource: &Value) -> usize {
    pod_spec(resource)["containers"]
        .as_array()
        .map_or(0, Vec::len)
}

/// The first generated resource of `kind` (with `count` containers, if given).
fn pick(name: &'static str, kind: &str, count: Option<usize>) -> Review {
    let pool = generate::resources(POOL, SEED);
    let (i, resource) = pool
        .iter()
        .enumerate()
        .find(|(_, r)| r["kind"] == kind && count.is_none_or(|n| containers(r) == n))
        .expect("the generator makes every kind picked here");
    let parsed = generate::admission_review(resource, i);
    let bytes = serde_json::to_vec(&parsed).expect("a JSON value serialises");
    Review {
        name,
        bytes,
        parsed,
    }
}

fn reviews() -> Vec<Review> {
    vec![
        pick("pod_1_container", "Pod", Some(1)),
        pick("pod_5_containers", "Pod", Some(5)),
        pick("deployment", "Deployment", None),
        pick("cronjob", "CronJob", None),
    ]
}

/// serde_json turning the review's bytes into a `Value`; throughput is in review bytes.
fn parse(c: &mut Criterion, reviews: &[Review]) {
    let mut group = c.benchmark_group("parse");
    for review in reviews {
        group.throughput(Throughput::Bytes(review.bytes.len() as u64));
        group.bench_with_input(
            BenchmarkId::from_parameter(review.name),
            &review.bytes,
            |b, bytes| {
                b.iter(|| {
                    serde_json::from_slice::<Value>(black_box(bytes)).expect("the review parses")
                })
            },
        );
    }
    group.finish();
}

/// Request extraction plus every policy of the pack; the parsed review is cloned outside
/// the timing, and the request and responses are dropped outside it too.
fn evaluate(c: &mut Criterion, reviews: &[Review]) {
    let set = compiled_pack();
    let mut group = c.benchmark_group("evaluate");
    for review in reviews {
        group.bench_with_input(
            BenchmarkId::from_parameter(review.name),
            &review.parsed,
            |b, parsed| {
                b.iter_batched(
                    || parsed.clone(),
                    |value| {
                        let mut request =
                            Request::from_admission_review(value).expect("a valid review");
                        let responses = evaluate::evaluate(&set, &mut request, Inputs::default());
                        (request, responses)
                    },
                    BatchSize::SmallInput,
                )
            },
        );
    }
    group.finish();
}

fn benches(c: &mut Criterion) {
    let reviews = reviews();
    parse(c, &reviews);
    evaluate(c, &reviews);
}

criterion_group!(review, benches);
criterion_main!(review);
