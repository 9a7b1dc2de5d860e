//! The `images` variable (rules.md §4.6.3): every container image of a pod or pod
//! template, parsed, by container list and container name. Built only when a query
//! mentions `images`.

use serde_json::{Map, Value};

use super::context::{JsonContext, Loader};
use crate::value::image;

/// Where the containers of each kind live.
fn pod_spec_path(kind: &str) -> Option<&'static str> {
    match kind {
        "Pod" => Some("/spec"),
        "DaemonSet"
        | "Deployment"
        | "Job"
        | "ReplicaSet"
        | "ReplicationController"
        | "StatefulSet" => Some("/spec/template/spec"),
        "CronJob" => Some("/spec/jobTemplate/spec/template/spec"),
        _ => None,
    }
}

const LISTS: [&str; 3] = ["initContainers", "containers", "ephemeralContainers"];

/// The loader registered under `images` for every request.
pub struct Images;

impl Loader for Images {
    fn load(&self, ctx: &mut JsonContext<'_>) -> Result<Value, String> {
        match ctx.object() {
            Some(o) => extract(o),
            None => Ok(Value::Object(Map::new())),
        }
    }
}

/// The `images` object of a resource; an error when an image cannot be parsed or a
/// container has no name.
pub fn extract(object: &Value) -> Result<Value, String> {
    let kind = object
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let Some(base) = pod_spec_path(kind) else {
        return Ok(Value::Object(Map::new()));
    };
    let mut out = Map::new();
    for list in LISTS {
        let pointer = format!("{base}/{list}");
        let containers = object.pointer(&pointer).and_then(Value::as_array);
        let group = group(containers.map(Vec::as_slice).unwrap_or_default(), &pointer)?;
        if !group.is_empty() {
            out.insert(list.to_string(), Value::Object(group));
        }
    }
    Ok(Value::Object(out))
}

fn group(containers: &[Value], pointer: &str) -> Result<Map<String, Value>, String> {
    let mut out = Map::new();
    for (i, container) in containers.iter().enumerate() {
        let reference = container
            .get("image")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if reference.is_empty() {
            continue;
        }
        let name = container
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                format!("failed to extract image {reference}: the container has no name")
            })?;
        let info = image::parse(reference).map_err(|e| e.to_string())?;
        out.insert(
            name.to_string(),
            info.to_json(&format!("{pointer}/{i}/image")),
        );
    }
    Ok(out)
}
