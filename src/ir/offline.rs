//! What a test supplies in place of a cluster (cli-test.md §2): `ClusterResource` files
//! (objects and CRDs), `apiCallResponses` mocks and `globalContextEntries` mocks. Plain data.

use serde_json::Value;

use crate::source::Spanned;

/// An HTTP method an `apiCall` or a mock names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    /// `GET` or `POST`, exactly as Kubernetes' enum spells them.
    pub fn parse(text: &str) -> Option<Method> {
        match text {
            "GET" => Some(Method::Get),
            "POST" => Some(Method::Post),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// One `apiCallResponses` entry: a canned response for a URL (or URL path).
#[derive(Clone, Debug, PartialEq)]
pub struct ApiMock {
    /// `url` or `urlPath`, trimmed.
    pub url: String,
    /// `None` answers every method.
    pub method: Option<Method>,
    /// 200 when not written.
    pub status: u16,
    /// Always a JSON object.
    pub body: Value,
}

/// One `globalContextEntries` entry: what a `globalReference` to `name` reads.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct GlobalMock {
    pub name: String,
    pub data: Option<Value>,
    /// Inline objects; a present list (even empty) wins over `data`.
    pub resources: Option<Vec<Value>>,
    /// Files of objects, relative to the test directory, added to `resources`.
    pub resource_files: Vec<Spanned<String>>,
    /// A JMESPath applied to the root first.
    pub field_path: Option<String>,
    /// `name` → JMESPath over the root: when present, the value is an object of these.
    pub projections: Vec<(String, String)>,
}

/// A `ClusterResource` document: CRD files and the objects the fake cluster holds.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ClusterResource {
    pub crds: Vec<Spanned<String>>,
    pub resources: Vec<Value>,
}

/// What the fake cluster needs of a CustomResourceDefinition.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Crd {
    pub group: String,
    pub kind: String,
    pub plural: String,
    pub versions: Vec<String>,
    pub namespaced: bool,
}
