//! What an offline run has in place of a cluster (rules.md §5.4, cli-test.md §2): a fake
//! cluster built from `clusterResources`, `apiCallResponses` mocks and resolved
//! `globalContextEntries` mocks. Which context sources are registered depends on which of
//! these a run has.

pub mod cluster;

use serde_json::{Map, Value};

pub use cluster::Cluster;

use crate::ir::offline::{ApiMock, GlobalMock, Method};
use crate::jmespath::Expression;

/// Everything a run supplies for context sources that need a cluster or the network.
#[derive(Debug, Default)]
pub struct Offline {
    cluster: Option<Cluster>,
    mocks: Vec<ApiMock>,
    /// `None` when the run mocks no global context entry at all.
    globals: Option<Vec<Global>>,
}

/// A mocked global context entry, resolved once.
#[derive(Debug)]
struct Global {
    name: String,
    value: Result<Value, String>,
}

/// What the context sources of one policy see: the run's stand-ins and the namespace of a
/// namespaced `Policy` (`None` for a ClusterPolicy).
#[derive(Clone, Copy, Debug)]
pub struct Backend<'c> {
    pub offline: &'c Offline,
    pub policy_namespace: Option<&'c str>,
}

impl Offline {
    /// A run with a fake cluster: `configMap` and `apiCall` entries are then served.
    pub fn with_cluster(mut self, cluster: Cluster) -> Offline {
        self.cluster = Some(cluster);
        self
    }

    pub fn with_api_mocks(mut self, mocks: Vec<ApiMock>) -> Offline {
        self.mocks = mocks;
        self
    }

    /// Global context mocks; `files` holds, per mock, the objects of its `resourceFiles`.
    pub fn with_globals(mut self, mocks: &[GlobalMock], files: &[Vec<Value>]) -> Offline {
        if mocks.is_empty() {
            return self;
        }
        let resolved = mocks.iter().enumerate().map(|(i, mock)| Global {
            name: mock.name.clone(),
            value: resolve(mock, files.get(i).map(Vec::as_slice).unwrap_or_default()),
        });
        self.globals = Some(resolved.collect());
        self
    }

    pub fn cluster(&self) -> Option<&Cluster> {
        self.cluster.as_ref()
    }

    /// Whether `apiCall` entries are evaluated against mocks when registered.
    pub fn has_api_mocks(&self) -> bool {
        !self.mocks.is_empty()
    }

    /// The mock for a method and URL: one naming the method first, then one for any method.
    pub fn api_mock(&self, method: Method, url: &str) -> Option<&ApiMock> {
        let named = self
            .mocks
            .iter()
            .find(|m| m.url == url && m.method == Some(method));
        named.or_else(|| {
            self.mocks
                .iter()
                .find(|m| m.url == url && m.method.is_none())
        })
    }

    /// Whether `globalReference` entries are registered at all.
    pub fn has_globals(&self) -> bool {
        self.globals.is_some()
    }

    /// A global entry's value (an error when its mock could not be resolved); `None` when
    /// no mock has that name.
    pub fn global(&self, name: &str) -> Option<Result<&Value, &str>> {
        let global = self.globals.as_ref()?.iter().find(|g| g.name == name)?;
        Some(global.value.as_ref().map_err(String::as_str))
    }
}

/// A mock's value: its objects (inline and from files) or its `data`, narrowed by
/// `fieldPath`, then reshaped by `projections`.
fn resolve(mock: &GlobalMock, file_objects: &[Value]) -> Result<Value, String> {
    let name = &mock.name;
    let root = if mock.resources.is_some() || !mock.resource_files.is_empty() {
        let inline = mock.resources.iter().flatten();
        Value::Array(inline.chain(file_objects).cloned().collect())
    } else {
        match &mock.data {
            Some(data) => data.clone(),
            None if !mock.projections.is_empty() => {
                return Err(format!(
                    "globalContextEntries {name:?}: data is required when projections are set"
                ));
            }
            None => return Ok(Value::Null),
        }
    };
    let root = match &mock.field_path {
        Some(path) if !path.is_empty() => search(path, &root)
            .map_err(|e| format!("globalContextEntries {name:?} fieldPath: {e}"))?,
        _ => root,
    };
    if mock.projections.is_empty() {
        return Ok(root);
    }
    let mut out = Map::new();
    for (key, path) in &mock.projections {
        let value = search(path, &root).map_err(|e| {
            format!("globalContextEntries {name:?} projection {key:?} path {path:?}: {e}")
        })?;
        out.insert(key.clone(), value);
    }
    Ok(Value::Object(out))
}

fn search(path: &str, root: &Value) -> Result<Value, String> {
    let expr = Expression::compile(path).map_err(|e| e.to_string())?;
    expr.search(root)
        .map(std::borrow::Cow::into_owned)
        .map_err(|e| e.to_string())
}
