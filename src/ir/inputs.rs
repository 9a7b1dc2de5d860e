//! What a run's other inputs say: values files (variables injected into the JSON context,
//! namespace labels) and user-info files (cli-test.md §9, §10). Plain data.

use serde_json::{Map, Value};

/// A values file (`cli.kyverno.io/v1alpha1` `Values`) or a test's inline `values:`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Values {
    /// Dot-path keys (`request.operation`) and their values, in file order.
    pub global_values: Vec<(String, Value)>,
    pub policies: Vec<PolicyValues>,
    /// Namespace name → labels (`namespaces` entries win over `namespaceSelector`).
    pub namespace_labels: Vec<(String, Map<String, Value>)>,
    pub subresources: Vec<Subresource>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct PolicyValues {
    pub name: String,
    pub rules: Vec<RuleValues>,
    pub resources: Vec<ResourceValues>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct RuleValues {
    pub name: String,
    pub values: Vec<(String, Value)>,
    /// Key → the list of per-iteration values.
    pub foreach_values: Vec<(String, Vec<Value>)>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ResourceValues {
    pub name: String,
    pub values: Vec<(String, Value)>,
}

/// Maps a subresource kind (e.g. `autoscaling/v1 Scale`) to its parent kind.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Subresource {
    pub group: String,
    pub version: String,
    pub kind: String,
    /// `deployments/scale`: the subresource is the part after `/`.
    pub name: String,
    pub parent_group: String,
    pub parent_version: String,
    pub parent_kind: String,
}

impl Values {
    /// Labels of a namespace as the values file gives them.
    pub fn labels_of(&self, namespace: &str) -> Option<&Map<String, Value>> {
        self.namespace_labels
            .iter()
            .find(|(name, _)| name == namespace)
            .map(|(_, labels)| labels)
    }

    pub fn policy(&self, name: &str) -> Option<&PolicyValues> {
        self.policies.iter().find(|p| p.name == name)
    }
}

/// Who sends the request (`cli.kyverno.io/v1alpha1` `UserInfo`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UserInfo {
    pub username: String,
    pub uid: String,
    pub groups: Vec<String>,
    pub extra: Map<String, Value>,
    pub roles: Vec<String>,
    pub cluster_roles: Vec<String>,
}

impl UserInfo {
    /// No user information at all: the situation of a test without a user-info file.
    pub fn is_empty(&self) -> bool {
        self.username.is_empty()
            && self.uid.is_empty()
            && self.groups.is_empty()
            && self.extra.is_empty()
            && self.roles.is_empty()
            && self.cluster_roles.is_empty()
    }
}
