//! The per-request cost against the compiled shipped pack, for a few representative
//! AdmissionReviews from the workload generator (fixed seed): parsing the review's bytes
//! with serde_json, and turning the parsed review into a request and evaluating every
//! policy on it.

mod common;

/// The allocator the `nomos` binary uses, so the figures match it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::hint::black_box;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use nomos::bench::generate;
use nomos::engine::evaluate::{self, Inputs};
use nomos::engine::request::Request;
use serde_json::Value;

/// A review to measure: its name, its bytes and their parsed form.
struct Review {
    name: &'static str,
    bytes: Vec<u8>,
    parsed: Value,
}

fn reviews() -> Vec<Review> {
    let review = |sample: common::Sample| {
        let parsed = generate::admission_review(&sample.resource, sample.index);
        let bytes = serde_json::to_vec(&parsed).expect("a JSON value serialises");
        Review {
            name: sample.name,
            bytes,
            parsed,
        }
    };
    common::samples().into_iter().map(review).collect()
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
    let set = common::compiled_pack();
    let mut group = c.benchmark_group("evaluate");
    for review in reviews {
        group.bench_with_input(
            BenchmarkId::from_parameter(review.name),
            &review.parsed,
            |b, parsed| {
                b.iter_batched(
                    || parsed.clone(),
                    |mut value| {
                        let mut request =
                            Request::from_admission_review(&mut value).expect("a valid review");
                        let responses = evaluate::evaluate(&set, &mut request, Inputs::default());
                        (value, request, responses)
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
