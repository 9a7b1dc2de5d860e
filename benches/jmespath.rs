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
    // The shipped pack's per-review expressions follow.
    // A missing key defaulted by `||`: the missing-key error path turned into null.
    ("pack_os_name", "request.object.spec.os.name || ''"),
    // A present array kept by `||`: whether the left side is passed on without a copy.
    (
        "pack_caps_add",
        "element.securityContext.capabilities.add || `[]`",
    ),
    // A builtin over an `||` result: argument vectors and the call path.
    (
        "pack_drop_all",
        "contains(element.securityContext.capabilities.drop || `[]`, 'ALL')",
    ),
    // The foreach list of every container kind: a multi-select of arrays, one missing, flattened.
    (
        "pack_all_containers",
        "request.object.spec.[initContainers, containers, ephemeralContainers][]",
    ),
    // The same list projected to images: a projection over the flattened multi-select.
    (
        "pack_all_images",
        "request.object.spec.[initContainers, containers, ephemeralContainers][].image",
    ),
    // items() over the annotations, two filters through a pipe and a length.
    (
        "pack_apparmor",
        "items(request.object.metadata.annotations || `{}`, 'key', 'value')[?starts_with(key, 'container.apparmor.security.beta.kubernetes.io/')] | [?value != '' && value != 'runtime/default' && !starts_with(value, 'localhost/')] | length(@)",
    ),
    // keys() of every volume filtered against a literal list: nested filters and literals.
    (
        "pack_volume_types",
        "(request.object.spec.volumes || `[]`)[?length(keys(@)[?contains(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'image', 'persistentVolumeClaim', 'projected', 'secret'], @)]) == `0`] | length(@)",
    ),
    // A message's join of the added capabilities.
    (
        "pack_join_caps",
        "join(', ', element.securityContext.capabilities.add)",
    ),
    // A message's plain short path from the foreach element.
    ("pack_element_name", "element.name"),
];

fn container(name: &str, image: &str, privileged: bool) -> Value {
    json!({
        "name": name,
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        "ports": [{"containerPort": 8080, "protocol": "TCP"}],
        "securityContext": {
            "privileged": privileged,
            "runAsNonRoot": true,
            "allowPrivilegeEscalation": false,
            "capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]},
        },
        "resources": {"limits": {"memory": "256Mi", "cpu": "500m"}},
        "volumeMounts": [{"name": "config", "mountPath": "/etc/app"}],
    })
}

/// A CREATE review of a pod with an init container, three containers, annotations
/// (two of them AppArmor profiles) and the usual volumes, plus the foreach `element`
/// (its second container) as the engine's context holds it.
fn pod_review() -> Value {
    let containers = [
        container("app", "nginx:latest", false),
        container("sidecar", "ghcr.io/acme/proxy:1.4.2", true),
        container("metrics", "busybox", false),
    ];
    let element = containers[1].clone();
    let apparmor = "container.apparmor.security.beta.kubernetes.io";
    json!({"element": element, "request": {
        "operation": "CREATE",
        "object": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": "web-0",
                "namespace": "team-a",
                "labels": {"app": "web", "version": "1.25.3"},
                "annotations": {
                    format!("{apparmor}/app"): "runtime/default",
                    format!("{apparmor}/sidecar"): "localhost/proxy",
                    "prometheus.io/scrape": "true",
                    "kubectl.kubernetes.io/default-container": "app",
                },
                "creationTimestamp": "2024-01-02T15:04:05Z",
            },
            "spec": {
                "initContainers": [container("init", "busybox:1.36", false)],
                "containers": containers,
                "volumes": [
                    {"name": "config", "configMap": {"name": "web-config"}},
                    {"name": "cache", "emptyDir": {}},
                    {"name": "data", "hostPath": {"path": "/var/data"}},
                    {"name": "kube-api-access", "projected": {"sources": [
                        {"serviceAccountToken": {"path": "token"}},
                    ]}},
                ],
            },
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
