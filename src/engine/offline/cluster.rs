//! A fake Kubernetes API server over a fixed set of objects: answers GET on `/api/v1/...`
//! and `/apis/<group>/<version>/...` paths for one object or a list, namespaced or
//! cluster-wide, with the shapes the API server returns; and looks up ConfigMaps.

use serde_json::{Value, json};

use crate::ir::offline::Crd;

/// The objects of a test's fake cluster and the CRDs that name their resources.
#[derive(Debug, Default)]
pub struct Cluster {
    objects: Vec<Value>,
    crds: Vec<Crd>,
}

/// What a request path names.
#[derive(Debug, PartialEq)]
struct ApiPath<'p> {
    group: &'p str,
    version: &'p str,
    namespace: Option<&'p str>,
    resource: &'p str,
    name: Option<&'p str>,
}

/// The API server's answer to a path it does not serve.
const NOT_SERVED: &str = "the server could not find the requested resource";

/// Common built-in resources, so an empty list still names its kind: (group, plural, kind).
const BUILT_IN: &[(&str, &str, &str)] = &[
    ("", "configmaps", "ConfigMap"),
    ("", "endpoints", "Endpoints"),
    ("", "events", "Event"),
    ("", "limitranges", "LimitRange"),
    ("", "namespaces", "Namespace"),
    ("", "nodes", "Node"),
    ("", "persistentvolumeclaims", "PersistentVolumeClaim"),
    ("", "persistentvolumes", "PersistentVolume"),
    ("", "pods", "Pod"),
    ("", "replicationcontrollers", "ReplicationController"),
    ("", "resourcequotas", "ResourceQuota"),
    ("", "secrets", "Secret"),
    ("", "serviceaccounts", "ServiceAccount"),
    ("", "services", "Service"),
    ("apps", "daemonsets", "DaemonSet"),
    ("apps", "deployments", "Deployment"),
    ("apps", "replicasets", "ReplicaSet"),
    ("apps", "statefulsets", "StatefulSet"),
    (
        "autoscaling",
        "horizontalpodautoscalers",
        "HorizontalPodAutoscaler",
    ),
    ("batch", "cronjobs", "CronJob"),
    ("batch", "jobs", "Job"),
    ("networking.k8s.io", "ingressclasses", "IngressClass"),
    ("networking.k8s.io", "ingresses", "Ingress"),
    ("networking.k8s.io", "networkpolicies", "NetworkPolicy"),
    ("policy", "poddisruptionbudgets", "PodDisruptionBudget"),
    (
        "rbac.authorization.k8s.io",
        "clusterrolebindings",
        "ClusterRoleBinding",
    ),
    ("rbac.authorization.k8s.io", "clusterroles", "ClusterRole"),
    ("rbac.authorization.k8s.io", "rolebindings", "RoleBinding"),
    ("rbac.authorization.k8s.io", "roles", "Role"),
    ("storage.k8s.io", "storageclasses", "StorageClass"),
];

impl Cluster {
    /// The cluster holding `objects`; of several with the same group, kind, namespace and
    /// name only the first is kept.
    pub fn new(objects: Vec<Value>, crds: Vec<Crd>) -> Cluster {
        let mut kept: Vec<Value> = Vec::new();
        for object in objects {
            let key = identity(&object);
            if !kept.iter().any(|k| identity(k) == key) {
                kept.push(object);
            }
        }
        Cluster {
            objects: kept,
            crds,
        }
    }

    /// The ConfigMap `namespace/name`.
    pub fn config_map(&self, namespace: &str, name: &str) -> Option<&Value> {
        self.objects.iter().find(|o| {
            text(o, "/apiVersion") == "v1"
                && text(o, "/kind") == "ConfigMap"
                && text(o, "/metadata/namespace") == namespace
                && text(o, "/metadata/name") == name
        })
    }

    /// GET on an API path: one object or a list. Errors are worded as the API server's.
    pub fn get(&self, path: &str) -> Result<Value, String> {
        let path = parse(path)?;
        match path.name {
            Some(name) => self.one(&path, name),
            None => self.list(&path),
        }
    }

    fn one(&self, path: &ApiPath<'_>, name: &str) -> Result<Value, String> {
        let namespace = path.namespace.unwrap_or_default();
        self.objects
            .iter()
            .find(|o| {
                self.serves(path, o)
                    && text(o, "/metadata/namespace") == namespace
                    && text(o, "/metadata/name") == name
            })
            .cloned()
            .ok_or_else(|| not_found(path, name))
    }

    fn list(&self, path: &ApiPath<'_>) -> Result<Value, String> {
        let mut items: Vec<&Value> = self
            .objects
            .iter()
            .filter(|o| self.serves(path, o))
            .filter(|o| {
                path.namespace
                    .is_none_or(|ns| text(o, "/metadata/namespace") == ns)
            })
            .collect();
        let kind = match items.first() {
            Some(first) => text(first, "/kind").to_string(),
            None => self.kind_of(path).ok_or_else(|| NOT_SERVED.to_string())?,
        };
        // The API server lists in key order: by namespace, then name.
        items.sort_by(|a, b| list_key(a).cmp(&list_key(b)));
        Ok(json!({
            "apiVersion": group_version(path.group, path.version),
            "items": items,
            "kind": format!("{kind}List"),
            "metadata": {"resourceVersion": ""},
        }))
    }

    /// Whether the path's resource holds the object: same group and version, and the
    /// resource named by the CRD or guessed from the kind.
    fn serves(&self, path: &ApiPath<'_>, object: &Value) -> bool {
        let (group, version) = split_api_version(text(object, "/apiVersion"));
        if group != path.group || version != path.version {
            return false;
        }
        let kind = text(object, "/kind");
        plural(kind) == path.resource
            || self
                .crds
                .iter()
                .any(|c| c.group == group && c.kind == kind && c.plural == path.resource)
    }

    /// The kind of a resource no object holds: from a CRD or the built-in table.
    fn kind_of(&self, path: &ApiPath<'_>) -> Option<String> {
        let crd = self
            .crds
            .iter()
            .find(|c| c.group == path.group && c.plural == path.resource)
            .map(|c| c.kind.clone());
        crd.or_else(|| {
            BUILT_IN
                .iter()
                .find(|(g, p, _)| *g == path.group && *p == path.resource)
                .map(|(_, _, k)| k.to_string())
        })
    }
}

fn text<'v>(object: &'v Value, pointer: &str) -> &'v str {
    object
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
}

fn list_key(object: &Value) -> (&str, &str) {
    (
        text(object, "/metadata/namespace"),
        text(object, "/metadata/name"),
    )
}

fn identity(object: &Value) -> (&str, &str, &str, &str) {
    let (group, _) = split_api_version(text(object, "/apiVersion"));
    (
        group,
        text(object, "/kind"),
        text(object, "/metadata/namespace"),
        text(object, "/metadata/name"),
    )
}

/// `apps/v1` → (`apps`, `v1`); `v1` → (``, `v1`).
fn split_api_version(api_version: &str) -> (&str, &str) {
    api_version.rsplit_once('/').unwrap_or(("", api_version))
}

fn group_version(group: &str, version: &str) -> String {
    if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    }
}

/// `configmaps "x" not found`, `computeclasses.cloud.google.com "x" not found`.
fn not_found(path: &ApiPath<'_>, name: &str) -> String {
    if path.group.is_empty() {
        format!("{} {name:?} not found", path.resource)
    } else {
        format!("{}.{} {name:?} not found", path.resource, path.group)
    }
}

/// The resource name Kubernetes guesses for a kind: lower-cased, then `s`, `es` after a
/// final `s`, `ies` for a final `y`; `endpoints` stays as it is.
pub fn plural(kind: &str) -> String {
    let singular = kind.to_lowercase();
    if singular.is_empty() || singular.ends_with("endpoints") {
        return singular;
    }
    if singular.ends_with('s') {
        return format!("{singular}es");
    }
    if let Some(stem) = singular.strip_suffix('y') {
        return format!("{stem}ies");
    }
    format!("{singular}s")
}

/// Splits `/api/v1/namespaces/ns/pods/name` and `/apis/group/version/...`.
fn parse(path: &str) -> Result<ApiPath<'_>, String> {
    if path.contains('?') {
        return Err("query parameters are not supported by the offline cluster".into());
    }
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let (group, version, rest) = match segments.as_slice() {
        ["api", version, rest @ ..] => ("", *version, rest),
        ["apis", group, version, rest @ ..] => (*group, *version, rest),
        _ => return Err(NOT_SERVED.into()),
    };
    let (namespace, resource, name) = match rest {
        ["namespaces", ns, resource, tail @ ..] => (Some(*ns), *resource, tail),
        [resource, tail @ ..] => (None, *resource, tail),
        [] => return Err(NOT_SERVED.into()),
    };
    let name = match name {
        [] => None,
        [name] => Some(*name),
        _ => return Err("subresources are not supported by the offline cluster".into()),
    };
    if resource.is_empty() || name.is_some_and(str::is_empty) {
        return Err(NOT_SERVED.into());
    }
    Ok(ApiPath {
        group,
        version,
        namespace,
        resource,
        name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plural_follows_kubernetes_guess() {
        // k8s.io/apimachinery meta.UnsafeGuessKindToResource.
        assert_eq!(plural("ComputeClass"), "computeclasses");
        assert_eq!(plural("NetworkPolicy"), "networkpolicies");
        assert_eq!(plural("Pod"), "pods");
        assert_eq!(plural("Endpoints"), "endpoints");
        assert_eq!(plural("Ingress"), "ingresses");
    }

    #[test]
    fn paths_split_into_their_parts() {
        let p = parse("/api/v1/namespaces/default/configmaps/x");
        assert_eq!(
            p,
            Ok(ApiPath {
                group: "",
                version: "v1",
                namespace: Some("default"),
                resource: "configmaps",
                name: Some("x"),
            })
        );
        let p = parse("apis/cloud.google.com/v1/computeclasses");
        assert_eq!(
            p.map(|p| (p.group, p.resource, p.name)),
            Ok(("cloud.google.com", "computeclasses", None))
        );
        assert!(parse("/api/v1").is_err());
        assert!(parse("/api/v1/namespaces/a/pods/b/status").is_err());
    }
}
