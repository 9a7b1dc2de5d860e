//! The admission request being evaluated: operation, new and old object, kind, namespace,
//! user, and the labels of its namespace (rules.md §4.6.1, §10).

use std::fmt;
use std::str::FromStr;

use serde_json::{Map, Value};

pub use crate::ir::inputs::UserInfo;

/// The admission operation (`request.operation`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Operation {
    #[default]
    Create,
    Update,
    Delete,
    Connect,
}

impl Operation {
    /// How Kubernetes spells it: `CREATE`, `UPDATE`, `DELETE`, `CONNECT`.
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Create => "CREATE",
            Operation::Update => "UPDATE",
            Operation::Delete => "DELETE",
            Operation::Connect => "CONNECT",
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that is not one of the four operation names (the comparison is exact and
/// case-sensitive, as in Kyverno).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown operation `{0}`: expected CREATE, UPDATE, DELETE or CONNECT")]
pub struct UnknownOperation(pub String);

impl FromStr for Operation {
    type Err = UnknownOperation;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "CREATE" => Ok(Operation::Create),
            "UPDATE" => Ok(Operation::Update),
            "DELETE" => Ok(Operation::Delete),
            "CONNECT" => Ok(Operation::Connect),
            other => Err(UnknownOperation(other.to_string())),
        }
    }
}

/// Group, version and kind of a resource.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Gvk {
    pub group: String,
    pub version: String,
    pub kind: String,
}

impl Gvk {
    /// From `apiVersion` (`v1`, `apps/v1`) and `kind`.
    pub fn new(api_version: &str, kind: &str) -> Gvk {
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        Gvk {
            group: group.to_string(),
            version: version.to_string(),
            kind: kind.to_string(),
        }
    }

    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
}

/// One request to evaluate every policy against.
#[derive(Clone, Debug, Default)]
pub struct Request {
    pub operation: Operation,
    /// The new object; `None` on DELETE.
    pub object: Option<Value>,
    /// The old object; `None` on CREATE.
    pub old_object: Option<Value>,
    pub gvk: Gvk,
    pub subresource: String,
    /// The request's namespace (`""` for cluster-scoped kinds).
    pub namespace: String,
    pub name: String,
    /// `None` when no user information is known (rules.md §2.2).
    pub user: Option<UserInfo>,
    /// Labels of the request's namespace, when known.
    pub namespace_labels: Option<Map<String, Value>>,
    /// The other fields of a real AdmissionRequest (`uid`, `kind`, `resource`, `dryRun`,
    /// ...), visible under `request` in the JSON context; empty for simulated requests.
    /// The `object` and `oldObject` a review gives keep their slots here, `null` while
    /// the objects are held apart above (a review's `oldObject: null` on CREATE stays one).
    pub admission: Map<String, Value>,
}

impl Request {
    /// The object that is matched and validated: the new one, else the old one (DELETE).
    pub fn subject(&self) -> Option<&Value> {
        self.object.as_ref().or(self.old_object.as_ref())
    }

    /// Moves the objects and the other admission fields out, so they can be handed to the
    /// JSON context without copying them (matching then reads the objects there).
    pub fn into_parts(mut self) -> (Request, Objects) {
        let objects = self.take_objects();
        (self, objects)
    }

    /// As [`Request::into_parts`], in place; [`Request::restore`] puts them back.
    pub fn take_objects(&mut self) -> Objects {
        Objects {
            object: self.object.take(),
            old_object: self.old_object.take(),
            admission: std::mem::take(&mut self.admission),
        }
    }

    pub fn restore(&mut self, objects: Objects) {
        self.object = objects.object;
        self.old_object = objects.old_object;
        self.admission = objects.admission;
    }
}

/// What a request lends the JSON context: its new and old object and the other fields of
/// its AdmissionRequest, owned.
#[derive(Clone, Debug, Default)]
pub struct Objects {
    pub object: Option<Value>,
    pub old_object: Option<Value>,
    pub admission: Map<String, Value>,
}

/// Kinds Kubernetes serves without a namespace (the rest are namespaced): a namespaced
/// resource written without `metadata.namespace` is in `default` (cli-test.md §6.1).
const CLUSTER_SCOPED: &[&str] = &[
    "APIService",
    "CSIDriver",
    "CSINode",
    "CertificateSigningRequest",
    "ClusterCleanupPolicy",
    "ClusterIssuer",
    "ClusterPolicy",
    "ClusterPolicyReport",
    "ClusterRole",
    "ClusterRoleBinding",
    "ComponentStatus",
    "CustomResourceDefinition",
    "FlowSchema",
    "GlobalContextEntry",
    "IngressClass",
    "MutatingWebhookConfiguration",
    "Namespace",
    "Node",
    "PersistentVolume",
    "PodSecurityPolicy",
    "PriorityClass",
    "PriorityLevelConfiguration",
    "RuntimeClass",
    "SecurityContextConstraints",
    "StorageClass",
    "TokenReview",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "ValidatingWebhookConfiguration",
    "VolumeAttachment",
];

pub fn is_cluster_scoped(kind: &str) -> bool {
    CLUSTER_SCOPED.contains(&kind)
}

impl Request {
    /// The request the kyverno CLI simulates for a resource (cli-test.md §6.2): CREATE has
    /// the resource as new object, UPDATE as both, DELETE as old object only.
    pub fn simulate(resource: Value, operation: Operation, user: Option<UserInfo>) -> Request {
        let api_version = crate::value::get(&resource, "apiVersion")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let kind = crate::value::get(&resource, "kind")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let gvk = Gvk::new(api_version, kind);
        let meta = |key: &str| {
            resource
                .pointer(&format!("/metadata/{key}"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let name = meta("name");
        let namespace = if is_cluster_scoped(kind) {
            String::new()
        } else {
            meta("namespace")
        };
        let (object, old_object) = match operation {
            Operation::Create | Operation::Connect => (Some(resource), None),
            Operation::Update => (Some(resource.clone()), Some(resource)),
            Operation::Delete => (None, Some(resource)),
        };
        Request {
            operation,
            object,
            old_object,
            gvk,
            subresource: String::new(),
            namespace,
            name,
            user,
            namespace_labels: None,
            admission: Map::new(),
        }
    }

    /// The same resource simulated with another operation.
    pub fn with_operation(&self, operation: Operation) -> Request {
        let resource = self.subject().cloned().unwrap_or(Value::Null);
        Request {
            namespace_labels: self.namespace_labels.clone(),
            subresource: self.subresource.clone(),
            ..Request::simulate(resource, operation, self.user.clone())
        }
    }
}

/// Gives a namespaced resource without a namespace the `default` namespace.
pub fn default_namespace(resource: &mut Value) {
    let kind = resource
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if is_cluster_scoped(kind) {
        return;
    }
    let Some(meta) = resource.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    let missing = meta
        .get("namespace")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty);
    if missing {
        meta.insert("namespace".into(), Value::String("default".into()));
    }
}

impl Request {
    /// A request from an `admission.k8s.io/v1` AdmissionReview, moving its `request` out:
    /// the review keeps its envelope (`apiVersion`, `kind`), for its owner to free. A review
    /// refused for its request's content has lost that request all the same.
    pub fn from_admission_review(review: &mut Value) -> Result<Request, String> {
        let Value::Object(review) = review else {
            return Err("an AdmissionReview must be an object".into());
        };
        // Values are taken out of their slots, not removed with their keys: the map keeps
        // its shape, and the context puts the objects back in place.
        let Some(Value::Object(mut req)) = review.get_mut("request").map(Value::take) else {
            return Err("the AdmissionReview has no `request` object".into());
        };
        // The request's fields are read in one pass over its keys, not searched one by one.
        let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
        let (mut operation, mut gvk, mut user) = ("", Gvk::default(), None);
        let (mut subresource, mut namespace, mut name) =
            (String::new(), String::new(), String::new());
        for (key, value) in &req {
            match key.as_str() {
                "operation" => operation = value.as_str().unwrap_or_default(),
                "kind" => {
                    for (key, value) in value.as_object().into_iter().flatten() {
                        match key.as_str() {
                            "group" => gvk.group = text(value),
                            "version" => gvk.version = text(value),
                            "kind" => gvk.kind = text(value),
                            _ => {}
                        }
                    }
                }
                "userInfo" => user = Some(user_info(value)),
                "subResource" => subresource = text(value),
                "namespace" => namespace = text(value),
                "name" => name = text(value),
                _ => {}
            }
        }
        let operation = operation.parse::<Operation>().map_err(|e| e.to_string())?;
        let take = |req: &mut Map<String, Value>, k: &str| {
            crate::value::field_mut(req, k)
                .map(Value::take)
                .filter(|v| !v.is_null())
        };
        let object = take(&mut req, "object");
        let old_object = take(&mut req, "oldObject");
        Ok(Request {
            operation,
            object,
            old_object,
            gvk,
            subresource,
            namespace,
            name,
            user,
            namespace_labels: None,
            admission: req,
        })
    }
}

fn user_info(value: &Value) -> UserInfo {
    let strings = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    UserInfo {
        username: crate::value::get(value, "username")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        uid: crate::value::get(value, "uid")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        groups: strings(crate::value::get(value, "groups")),
        extra: crate::value::get(value, "extra")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), strings(Some(v))))
                    .collect()
            })
            .unwrap_or_default(),
        roles: Vec::new(),
        cluster_roles: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every field a review's request gives reaches the request, the objects are moved out
    /// of the admission fields, and a `null` old object is none.
    #[test]
    fn admission_reviews_give_their_fields() {
        let mut review = serde_json::json!({
            "apiVersion": "admission.k8s.io/v1",
            "kind": "AdmissionReview",
            "request": {
                "uid": "u-1",
                "kind": {"group": "apps", "version": "v1", "kind": "Deployment"},
                "resource": {"group": "apps", "version": "v1", "resource": "deployments"},
                "subResource": "scale",
                "name": "web",
                "namespace": "shop",
                "operation": "UPDATE",
                "userInfo": {"username": "alice", "uid": "42", "groups": ["dev"]},
                "object": {"kind": "Scale", "spec": {"replicas": 2}},
                "oldObject": null,
                "dryRun": false
            }
        });
        let request = Request::from_admission_review(&mut review).expect("a valid review");
        assert_eq!(request.operation, Operation::Update);
        assert_eq!(
            (request.gvk.group.as_str(), request.gvk.version.as_str()),
            ("apps", "v1")
        );
        assert_eq!(request.gvk.kind, "Deployment");
        assert_eq!(request.subresource, "scale");
        assert_eq!(
            (request.name.as_str(), request.namespace.as_str()),
            ("web", "shop")
        );
        let user = request.user.as_ref().expect("userInfo is given");
        assert_eq!((user.username.as_str(), user.uid.as_str()), ("alice", "42"));
        assert_eq!(user.groups, ["dev"]);
        assert_eq!(
            request.object.as_ref().map(|o| &o["kind"]),
            Some(&"Scale".into())
        );
        assert!(request.old_object.is_none());
        let keys: Vec<&str> = request.admission.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "dryRun",
                "kind",
                "name",
                "namespace",
                "object",
                "oldObject",
                "operation",
                "resource",
                "subResource",
                "uid",
                "userInfo"
            ]
        );
        // The objects' slots hold `null` while the objects are held apart.
        assert_eq!(request.admission["object"], Value::Null);
        assert_eq!(request.admission["oldObject"], Value::Null);
        // The review keeps its envelope; its request was moved out.
        assert_eq!(review["apiVersion"], "admission.k8s.io/v1");
        assert_eq!(review["request"], Value::Null);
        let mut bad = serde_json::json!({"request": {"operation": "update"}});
        assert!(Request::from_admission_review(&mut bad).is_err());
    }

    #[test]
    fn operations_parse_exactly() {
        assert_eq!("DELETE".parse::<Operation>(), Ok(Operation::Delete));
        assert!("delete".parse::<Operation>().is_err());
        assert_eq!(Operation::Connect.to_string(), "CONNECT");
    }

    #[test]
    fn empty_user_is_empty() {
        assert!(UserInfo::EMPTY.is_empty());
        let user = UserInfo {
            uid: "1".into(),
            ..UserInfo::default()
        };
        assert!(!user.is_empty());
    }
}
