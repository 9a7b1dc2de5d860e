//! A deterministic generator of varied workloads for benchmarks: Pods with 1–5 containers,
//! init and ephemeral containers, pod- and container-level security contexts, volumes
//! (hostPath among them), host ports, capabilities, seccomp and AppArmor; some wrapped in
//! Deployments and CronJobs. The same seed gives the same resources.

use serde_json::{Map, Value, json};

/// SplitMix64: small, fast, and the same sequence on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const IMAGES: &[&str] = &[
    "nginx:1.25",
    "nginx:latest",
    "ghcr.io/acme/api:2.1.0",
    "registry.example.com/team/worker@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "docker.io/istio/proxyv2:1.20.2",
    "cr.l5d.io/linkerd/proxy-init:v2.2.3",
    "busybox",
];

const CAPABILITIES: &[&[&str]] = &[
    &[],
    &["NET_BIND_SERVICE"],
    &["NET_ADMIN", "NET_RAW"],
    &["SYS_ADMIN"],
    &["CHOWN"],
];

/// `count` resources generated from `seed`.
pub fn resources(count: usize, seed: u64) -> Vec<Value> {
    let mut rng = Rng(seed);
    (0..count).map(|i| resource(&mut rng, i)).collect()
}

fn resource(rng: &mut Rng, i: usize) -> Value {
    let pod = pod(rng, i);
    match rng.below(10) {
        0 | 1 => deployment(pod, i),
        2 => cronjob(pod, i),
        _ => pod,
    }
}

fn pod(rng: &mut Rng, i: usize) -> Value {
    let mut spec = Map::new();
    let count = 1 + rng.below(5) as usize;
    spec.insert(
        "containers".into(),
        Value::Array((0..count).map(|c| container(rng, "app", c)).collect()),
    );
    if rng.chance(30) {
        spec.insert("initContainers".into(), json!([container(rng, "init", 0)]));
    }
    if rng.chance(5) {
        spec.insert(
            "ephemeralContainers".into(),
            json!([container(rng, "debug", 0)]),
        );
    }
    if rng.chance(50) {
        spec.insert("securityContext".into(), pod_security_context(rng));
    }
    if rng.chance(40) {
        spec.insert("volumes".into(), volumes(rng));
    }
    for field in ["hostNetwork", "hostPID", "hostIPC"] {
        if rng.chance(5) {
            spec.insert(field.into(), json!(true));
        }
    }
    let mut annotations = Map::new();
    if rng.chance(10) {
        annotations.insert(
            "container.apparmor.security.beta.kubernetes.io/app-0".into(),
            json!(rng.pick(&["runtime/default", "unconfined"])),
        );
    }
    let mut labels = Map::new();
    if rng.chance(85) {
        labels.insert("app".into(), json!(format!("app-{}", i % 17)));
    }
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": format!("pod-{i}"), "namespace": format!("team-{}", i % 8), "labels": labels, "annotations": annotations},
        "spec": spec,
    })
}

fn container(rng: &mut Rng, prefix: &str, index: usize) -> Value {
    let mut c = Map::new();
    c.insert("name".into(), json!(format!("{prefix}-{index}")));
    c.insert("image".into(), json!(rng.pick(IMAGES)));
    if rng.chance(60) {
        c.insert("securityContext".into(), container_security_context(rng));
    }
    if rng.chance(15) {
        let host_port = *rng.pick(&[0u64, 8080, 443]);
        c.insert(
            "ports".into(),
            json!([{"containerPort": 8080, "hostPort": host_port}]),
        );
    }
    if rng.chance(70) {
        let memory = rng.pick(&["128Mi", "256Mi", "1Gi"]);
        c.insert("resources".into(), json!({"limits": {"memory": memory, "cpu": "500m"}, "requests": {"memory": "64Mi", "cpu": "100m"}}));
    }
    Value::Object(c)
}

fn container_security_context(rng: &mut Rng) -> Value {
    let mut sc = Map::new();
    if rng.chance(10) {
        sc.insert("privileged".into(), json!(rng.chance(50)));
    }
    sc.insert("allowPrivilegeEscalation".into(), json!(rng.chance(20)));
    sc.insert("runAsNonRoot".into(), json!(rng.chance(80)));
    if rng.chance(20) {
        sc.insert("runAsUser".into(), json!(rng.pick(&[0u64, 1000])));
    }
    let add = rng.pick(CAPABILITIES);
    sc.insert("capabilities".into(), json!({"drop": ["ALL"], "add": add}));
    if rng.chance(50) {
        sc.insert(
            "seccompProfile".into(),
            json!({"type": rng.pick(&["RuntimeDefault", "Localhost", "Unconfined"])}),
        );
    }
    if rng.chance(5) {
        sc.insert("procMount".into(), json!("Unmasked"));
    }
    Value::Object(sc)
}

fn pod_security_context(rng: &mut Rng) -> Value {
    let mut sc = Map::new();
    sc.insert("runAsNonRoot".into(), json!(rng.chance(70)));
    sc.insert(
        "seccompProfile".into(),
        json!({"type": rng.pick(&["RuntimeDefault", "Unconfined"])}),
    );
    if rng.chance(20) {
        sc.insert("sysctls".into(), json!([{"name": rng.pick(&["net.ipv4.ip_local_port_range", "kernel.msgmax"]), "value": "1"}]));
    }
    if rng.chance(10) {
        sc.insert(
            "appArmorProfile".into(),
            json!({"type": rng.pick(&["RuntimeDefault", "Unconfined"])}),
        );
    }
    Value::Object(sc)
}

fn volumes(rng: &mut Rng) -> Value {
    let mut list = vec![json!({"name": "config", "configMap": {"name": "cfg"}})];
    if rng.chance(30) {
        list.push(json!({"name": "host", "hostPath": {"path": rng.pick(&["/var/run/docker.sock", "/data", "/var/log"])}}));
    }
    if rng.chance(30) {
        list.push(json!({"name": "scratch", "emptyDir": {}}));
    }
    Value::Array(list)
}

fn template(pod: &Value) -> Value {
    json!({"metadata": {"labels": pod["metadata"]["labels"], "annotations": pod["metadata"]["annotations"]}, "spec": pod["spec"]})
}

fn deployment(pod: Value, i: usize) -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": format!("deploy-{i}"), "namespace": pod["metadata"]["namespace"]},
        "spec": {"replicas": 2, "template": template(&pod)},
    })
}

fn cronjob(pod: Value, i: usize) -> Value {
    let mut spec = template(&pod);
    spec["spec"]["restartPolicy"] = json!("OnFailure");
    json!({
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": format!("cron-{i}"), "namespace": pod["metadata"]["namespace"]},
        "spec": {"schedule": "*/5 * * * *", "jobTemplate": {"spec": {"template": spec}}},
    })
}

/// The resource as an `admission.k8s.io/v1` AdmissionReview for a CREATE.
pub fn admission_review(resource: &Value, i: usize) -> Value {
    let kind = resource["kind"].as_str().unwrap_or_default();
    let api_version = resource["apiVersion"].as_str().unwrap_or_default();
    let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
    json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": format!("00000000-0000-0000-0000-{i:012}"),
            "kind": {"group": group, "version": version, "kind": kind},
            "resource": {"group": group, "version": version, "resource": format!("{}s", kind.to_ascii_lowercase())},
            "name": resource["metadata"]["name"],
            "namespace": resource["metadata"]["namespace"],
            "operation": "CREATE",
            "userInfo": {"username": "system:serviceaccount:ci:deployer", "groups": ["system:serviceaccounts", "system:authenticated"]},
            "object": resource,
            "oldObject": null,
            "dryRun": false,
            "options": {"apiVersion": "meta.k8s.io/v1", "kind": "CreateOptions"},
        }
    })
}
