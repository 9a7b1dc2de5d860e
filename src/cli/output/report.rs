//! `kyverno apply --policy-report` output: one merged ClusterPolicyReport for cluster
//! policies, one PolicyReport per namespaced policy (wgpolicyk8s.io/v1alpha2).

use serde_json::{Map, Value, json};

use super::Entry;
use crate::report::Status;

/// The reports, in order: the merged cluster report, then each namespaced policy's.
pub fn reports(entries: &[Entry<'_>]) -> Vec<Value> {
    let cluster: Vec<&Entry<'_>> = entries
        .iter()
        .filter(|e| e.policy_namespace.is_none())
        .collect();
    let mut out = vec![report("ClusterPolicyReport", "merged", None, &cluster)];
    let mut namespaced: Vec<(&str, &str)> = entries
        .iter()
        .filter_map(|e| Some((e.policy_namespace?, e.policy)))
        .collect();
    namespaced.sort();
    namespaced.dedup();
    for (ns, name) in namespaced {
        let own: Vec<&Entry<'_>> = entries
            .iter()
            .filter(|e| e.policy_namespace == Some(ns) && e.policy == name)
            .collect();
        out.push(report("PolicyReport", name, Some(ns), &own));
    }
    out
}

fn report(kind: &str, name: &str, namespace: Option<&str>, entries: &[&Entry<'_>]) -> Value {
    let mut metadata = Map::new();
    metadata.insert("name".into(), json!(name));
    if let Some(ns) = namespace {
        metadata.insert("namespace".into(), json!(ns));
    }
    let mut summary = Map::new();
    for status in [
        Status::Error,
        Status::Fail,
        Status::Pass,
        Status::Skip,
        Status::Warn,
    ] {
        let n = entries.iter().filter(|e| e.status == status).count();
        summary.insert(status.as_str().into(), json!(n));
    }
    json!({
        "apiVersion": "wgpolicyk8s.io/v1alpha2",
        "kind": kind,
        "metadata": metadata,
        "results": entries.iter().map(|e| result(e)).collect::<Vec<_>>(),
        "summary": summary,
    })
}

fn result(e: &Entry<'_>) -> Value {
    let policy = match e.policy_namespace {
        Some(ns) => format!("{ns}/{}", e.policy),
        None => e.policy.to_string(),
    };
    let mut resource = Map::new();
    resource.insert("apiVersion".into(), json!(e.resource.api_version));
    resource.insert("kind".into(), json!(e.resource.kind));
    resource.insert("name".into(), json!(e.resource.name));
    if !e.resource.namespace.is_empty() {
        resource.insert("namespace".into(), json!(e.resource.namespace));
    }
    let mut out = Map::new();
    if let Some(c) = e.category {
        out.insert("category".into(), json!(c));
    }
    out.insert("message".into(), json!(e.response.message));
    out.insert("policy".into(), json!(policy));
    let properties = properties(e);
    if !properties.is_empty() {
        out.insert("properties".into(), Value::Object(properties));
    }
    out.insert("resources".into(), json!([resource]));
    out.insert("result".into(), json!(e.status.as_str()));
    out.insert("rule".into(), json!(e.response.rule));
    out.insert("scored".into(), json!(e.scored));
    if let Some(s) = e.severity {
        out.insert("severity".into(), json!(s));
    }
    out.insert("source".into(), json!("kyverno"));
    Value::Object(out)
}

fn properties(e: &Entry<'_>) -> Map<String, Value> {
    let mut out: Map<String, Value> = e
        .response
        .properties()
        .iter()
        .map(|(k, v)| (k.clone(), json!(v)))
        .collect();
    if !e.response.exceptions().is_empty() {
        out.insert(
            "exceptions".into(),
            json!(e.response.exceptions().join(",")),
        );
    }
    out
}
