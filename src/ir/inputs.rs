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

/// The requesting user: the admission review's `userInfo` plus the roles and cluster roles
/// Kyverno resolved for it (roles are written `<namespace>:<role>`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserInfo {
    pub username: String,
    pub uid: String,
    pub groups: Vec<String>,
    /// `userInfo.extra`, in the order given.
    pub extra: Vec<(String, Vec<String>)>,
    pub roles: Vec<String>,
    pub cluster_roles: Vec<String>,
}

impl UserInfo {
    /// The user of a request that carries no user information at all.
    pub const EMPTY: UserInfo = UserInfo {
        username: String::new(),
        uid: String::new(),
        groups: Vec::new(),
        extra: Vec::new(),
        roles: Vec::new(),
        cluster_roles: Vec::new(),
    };

    /// True when nothing at all is known about the user: the situation of `kyverno test`
    /// without a user-info file and of background scans (rules.md §2.2).
    pub fn is_empty(&self) -> bool {
        self.username.is_empty()
            && self.uid.is_empty()
            && self.groups.is_empty()
            && self.extra.is_empty()
            && self.roles.is_empty()
            && self.cluster_roles.is_empty()
    }
}
