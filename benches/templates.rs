//! `{{ }}` rendering cost: each template or document is parsed once (outside the timing) and
//! rendered against the same JSON context, from text without variables to a document
//! holding several.

/// The allocator the `nomos` binary uses, so the figures match it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use nomos::syntax::template::{Site, Template, TemplateDoc};
use serde_json::{Value, json};

/// (benchmark name, template text) rows.
const TEMPLATES: &[(&str, &str)] = &[
    ("static", "containers must not run as root"),
    ("whole_variable", "{{ request.object.metadata.name }}"),
    (
        "embedded",
        "pod {{ request.object.metadata.name }} in {{ request.object.metadata.namespace }} uses {{ request.object.spec.containers[0].image }}",
    ),
    (
        "nested",
        "{{ request.object.metadata.{{ request.object.metadata.annotations.field }} }}",
    ),
];

/// The context every template reads.
fn context() -> Value {
    json!({"request": {
        "operation": "CREATE",
        "object": {
            "kind": "Pod",
            "metadata": {
                "name": "web-0",
                "namespace": "team-a",
                "labels": {"app": "web"},
                "annotations": {"field": "name"},
            },
            "spec": {"containers": [
                {"name": "app", "image": "nginx:1.25"},
                {"name": "sidecar", "image": "ghcr.io/acme/proxy:1.4.2"},
            ]},
        },
    }})
}

/// A small document such as a rule's message and context carry: several variables.
fn document() -> Value {
    json!({
        "name": "{{ request.object.metadata.name }}",
        "namespace": "{{ request.object.metadata.namespace }}",
        "labels": "{{ request.object.metadata.labels }}",
        "images": "{{ request.object.spec.containers[].image }}",
        "message": "{{ request.operation }} of {{ request.object.kind }} {{ request.object.metadata.name }}",
        "fixed": {"kept": ["as", "written"]},
    })
}

fn strings(c: &mut Criterion) {
    let mut ctx = context();
    let mut group = c.benchmark_group("template");
    for (name, text) in TEMPLATES {
        let template = Template::parse(text).expect("every benchmarked template parses");
        template
            .render(&mut ctx, Site::default())
            .expect("every benchmarked template renders");
        group.bench_with_input(BenchmarkId::from_parameter(name), &template, |b, t| {
            b.iter(|| {
                let rendered = t.render(black_box(&mut ctx), Site::default());
                rendered.expect("rendered once already")
            })
        });
    }
    group.finish();
}

fn documents(c: &mut Criterion) {
    let mut ctx = context();
    let doc = TemplateDoc::parse(&document()).expect("the benchmarked document parses");
    doc.render(&mut ctx, Site::default())
        .expect("the benchmarked document renders");
    c.bench_function("template_doc/several_variables", |b| {
        b.iter(|| {
            let rendered = doc.render(black_box(&mut ctx), Site::default());
            rendered.expect("rendered once already")
        })
    });
}

criterion_group!(benches, strings, documents);
criterion_main!(benches);
