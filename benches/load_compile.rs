//! Startup cost of the shipped pack in `policies/`: reading and parsing its YAML files,
//! decoding the documents into policies, and compiling them (templates, JMESPath, patterns
//! parsed once), each stage alone and the three together.

/// The allocator the `nomos` binary uses, so the figures match it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use nomos::compile::{self, PolicySet};
use nomos::ir::{self, Node};
use nomos::load::{self, Loaded, inputs::policy_set};
use nomos::source::SourceMap;

fn pack() -> [PathBuf; 1] {
    [PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("policies")]
}

/// Reads every file under the pack and parses it into spanned YAML nodes.
fn load(paths: &[PathBuf]) -> Loaded<Node> {
    let loaded = load::load_nodes(paths, &mut SourceMap::new());
    assert!(!loaded.has_errors(), "the shipped pack loads");
    loaded
}

fn decode(loaded: &Loaded<Node>) -> ir::PolicySet {
    policy_set(loaded).expect("the shipped pack decodes")
}

fn load_decode_compile(paths: &[PathBuf]) -> PolicySet {
    compile::compile(&decode(&load(paths)))
}

/// Each stage on its own (the others' output built once, outside the timing), then all.
fn stages(c: &mut Criterion) {
    let paths = pack();
    let loaded = load(&paths);
    let decoded = decode(&loaded);
    let mut group = c.benchmark_group("load_compile");
    group.bench_function("load", |b| b.iter(|| load(black_box(&paths))));
    group.bench_function("decode", |b| b.iter(|| decode(black_box(&loaded))));
    group.bench_function("compile", |b| {
        b.iter(|| compile::compile(black_box(&decoded)))
    });
    group.bench_function("all", |b| b.iter(|| load_decode_compile(black_box(&paths))));
    group.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
