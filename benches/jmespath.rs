//! JMESPath search cost per kind of expression: each expression of the table is compiled
//! once (outside the timing) and searched over the same pod AdmissionReview, so the figures
//! show what paths, projections, filters, builtins and Kyverno's functions cost at run time.

/// The allocator the `nomos` binary uses, so the figures match it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use nomos::jmespath::Expression;
use serde_json::{Value, json};

/// (benchmark name, expression) rows, from plain lookups to Kyverno's functions.
const EXPRESSIONS: &[(&str, &str)] = &[
    ("path", "request.object.metadata.name"),
    (
        "deep_path",
        "request.object.spec.containers[0].securityContext.runAsNonRoot",
    ),
    ("projection", "request.object.spec.containers[*].image"),
    (
        "filter_projection",
        "request.object.spec.containers[?securityContext.privileged == `true`].name",
    ),
    (
        "builtins",
        "join(',', sort(request.object.spec.containers[].name))",
    ),
    ("length", "length(request.object.spec.containers[?ports])"),
    (
        "regex_match",
        "request.object.spec.containers[?regex_match(':latest$', image)].name",
    ),
    ("to_upper", "to_upper(request.object.metadata.namespace)"),
    (
        "divide",
        "divide(request.object.spec.containers[0].resources.limits.memory, '64Mi')",
    ),
    (
        "semver_compare",
        "semver_compare(request.object.metadata.labels.version, '>=1.20.0 <2.0.0')",
    ),
    (
        "time_add",
        "time_add(request.object.metadata.creationTimestamp, '90m')",
    ),
    (
        "image_normalize",
        "request.object.spec.containers[].image_normalize(image)",
    ),
];

fn container(name: &str, image: &str, privileged: bool) -> Value {
    json!({
        "name": name,
        "image": image,
        "securityContext": {"privileged": privileged, "runAsNonRoot": true},
        "resources": {"limits": {"memory": "256Mi", "cpu": "500m"}},
    })
}

/// A CREATE review of a three-container pod.
fn pod_review() -> Value {
    let containers = [
        container("app", "nginx:latest", false),
        container("sidecar", "ghcr.io/acme/proxy:1.4.2", true),
        container("metrics", "busybox", false),
    ];
    json!({"request": {
        "operation": "CREATE",
        "object": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": "web-0",
                "namespace": "team-a",
                "labels": {"app": "web", "version": "1.25.3"},
                "creationTimestamp": "2024-01-02T15:04:05Z",
            },
            "spec": {"containers": containers},
        },
    }})
}

fn search(c: &mut Criterion) {
    let doc = pod_review();
    let mut group = c.benchmark_group("jmespath");
    for (name, text) in EXPRESSIONS {
        let expr = Expression::compile(text).expect("every benchmarked expression compiles");
        expr.search(&doc)
            .expect("every benchmarked expression succeeds");
        group.bench_with_input(BenchmarkId::from_parameter(name), &expr, |b, expr| {
            b.iter(|| expr.search(black_box(&doc)).expect("searched once already"))
        });
    }
    group.finish();
}

criterion_group!(benches, search);
criterion_main!(benches);
