//! A test's stand-ins for a cluster (cli-test.md §2) → plain data: `apiCallResponses` and
//! `globalContextEntries` entries, `ClusterResource` documents and the parts of a CRD the
//! fake cluster needs. Decoding is strict; the checks and their wording follow the kyverno
//! CLI's validation of these fields.

use serde_json::Value;

use super::fields::{Decoder, Obj};
use crate::diagnostic::Diagnostic;
use crate::ir::Node;
use crate::ir::offline::{ApiMock, ClusterResource, Crd, GlobalMock, Method};

const MOCK_FIELDS: &[&str] = &["url", "urlPath", "method", "response"];
const GLOBAL_FIELDS: &[&str] = &[
    "name",
    "data",
    "resources",
    "resourceFiles",
    "fieldPath",
    "projections",
];

/// The `apiCallResponses` list.
pub(crate) fn api_mocks(d: &mut Decoder, node: &Node, path: &str) -> Vec<ApiMock> {
    let mocks = d.each(node, path, api_mock);
    for (i, mock) in mocks.iter().enumerate() {
        let same = |m: &ApiMock| m.url == mock.url && m.method == mock.method;
        if mocks[..i].iter().any(same) {
            let method = mock.method.map_or("any method", Method::as_str);
            d.error(
                node,
                format!(
                    "{path}: duplicate mock for {method} {:?}: each method and URL may be mocked once",
                    mock.url
                ),
                None,
            );
        }
    }
    mocks
}

fn api_mock(d: &mut Decoder, node: &Node, path: &str) -> Option<ApiMock> {
    let obj = d.object(node, path, MOCK_FIELDS)?;
    let text = |d: &mut Decoder, key: &str| {
        obj.string(d, key)
            .map(|s| s.node.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let (url, url_path) = (text(d, "url"), text(d, "urlPath"));
    let url = match (url, url_path) {
        (None, None) => {
            return fail(
                d,
                node,
                format!("{path}: either url or urlPath is required"),
            );
        }
        (Some(_), Some(_)) => {
            return fail(
                d,
                node,
                format!("{path}: url and urlPath are mutually exclusive"),
            );
        }
        (Some(url), None) => check_url(d, node, path, url)?,
        (None, Some(p)) if !p.starts_with('/') => {
            let message =
                format!("{path}: urlPath {p:?} must be an absolute path starting with '/'");
            return fail(d, node, message);
        }
        (None, Some(p)) => p,
    };
    let method = mock_method(d, &obj, path)?;
    let (status, body) = response(d, &obj, path, &url)?;
    Some(ApiMock {
        url,
        method,
        status,
        body,
    })
}

fn fail<T>(d: &mut Decoder, node: &Node, message: String) -> Option<T> {
    d.error(node, message, None);
    None
}

/// An absolute `http`/`https` URL with a host, as the kyverno CLI requires.
fn check_url(d: &mut Decoder, node: &Node, path: &str, url: String) -> Option<String> {
    let Some((scheme, rest)) = url.split_once("://") else {
        let message = format!("{path}: url {url:?} must be an absolute https/http URL");
        return fail(d, node, message);
    };
    if !matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https") {
        let message = format!("{path}: url {url:?} must be an absolute https/http URL");
        return fail(d, node, message);
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit('@').next().unwrap_or_default();
    let host = host.split(':').next().unwrap_or_default();
    if host.is_empty() {
        return fail(
            d,
            node,
            format!("{path}: url {url:?} has scheme but no host"),
        );
    }
    Some(url)
}

/// `method`: GET, POST or empty (any method), compared upper-cased.
fn mock_method(d: &mut Decoder, obj: &Obj<'_>, path: &str) -> Option<Option<Method>> {
    let Some(text) = obj.string(d, "method") else {
        return Some(None);
    };
    let upper = text.node.trim().to_ascii_uppercase();
    if upper.is_empty() {
        return Some(None);
    }
    match Method::parse(&upper) {
        Some(m) => Some(Some(m)),
        None => fail(d, obj.node, format!("{path}: method must be GET or POST")),
    }
}

fn response(d: &mut Decoder, obj: &Obj<'_>, path: &str, url: &str) -> Option<(u16, Value)> {
    let Some(node) = obj.get("response") else {
        return fail(
            d,
            obj.node,
            format!("{path} {url:?}: response.body is required"),
        );
    };
    let response = d.object(node, &obj.at("response"), &["statusCode", "body"])?;
    let status = match response.get("statusCode") {
        None => 200,
        Some(code) => status_code(d, code, path, url)?,
    };
    let body = match response.get("body") {
        None => {
            return fail(
                d,
                node,
                format!("{path} {url:?}: response.body is required"),
            );
        }
        Some(b) if b.entries().is_none() => {
            let message = format!("{path} {url:?}: response.body must be a JSON object");
            return fail(d, b, message);
        }
        Some(b) => b.to_value(),
    };
    Some((status, body))
}

fn status_code(d: &mut Decoder, node: &Node, path: &str, url: &str) -> Option<u16> {
    let code = node.to_value().as_i64();
    match code {
        Some(0) => Some(200),
        Some(c @ 100..=599) => u16::try_from(c).ok(),
        Some(c) => fail(
            d,
            node,
            format!("{path} {url:?}: statusCode {c} must be between 100 and 599"),
        ),
        None => fail(
            d,
            node,
            format!("{path}.response.statusCode: expected an integer"),
        ),
    }
}

/// The `globalContextEntries` list.
pub(crate) fn global_mocks(d: &mut Decoder, node: &Node, path: &str) -> Vec<GlobalMock> {
    let mocks = d.each(node, path, global_mock);
    for (i, mock) in mocks.iter().enumerate() {
        if mocks[..i].iter().any(|m| m.name == mock.name) {
            d.error(
                node,
                format!("globalContextEntries: duplicate name {:?}", mock.name),
                None,
            );
        }
    }
    mocks
}

fn global_mock(d: &mut Decoder, node: &Node, path: &str) -> Option<GlobalMock> {
    let obj = d.object(node, path, GLOBAL_FIELDS)?;
    let name = obj.string(d, "name").map(|s| s.node.trim().to_string());
    let Some(name) = name.filter(|n| !n.is_empty()) else {
        return fail(d, node, "globalContextEntries: name is required".into());
    };
    let mock = GlobalMock {
        data: global_data(d, &obj, &name)?,
        resources: obj
            .get("resources")
            .map(|n| d.each(n, &obj.at("resources"), resource_object)),
        resource_files: obj.strings(d, "resourceFiles"),
        field_path: obj.string(d, "fieldPath").map(|s| s.node),
        projections: obj
            .get("projections")
            .map(|n| {
                d.each(n, &obj.at("projections"), |d, n, p| {
                    projection(d, n, p, &name)
                })
            })
            .unwrap_or_default(),
        name,
    };
    if mock.data.is_none() && mock.resources.is_none() && mock.resource_files.is_empty() {
        let message = format!(
            "globalContextEntries entry {:?}: one of data, resources or resourceFiles is required",
            mock.name
        );
        return fail(d, node, message);
    }
    Some(mock)
}

fn global_data(d: &mut Decoder, obj: &Obj<'_>, name: &str) -> Option<Option<Value>> {
    match obj.get("data") {
        None => Some(None),
        Some(n) if n.entries().is_none() => fail(
            d,
            n,
            format!("globalContextEntries entry {name:?}: data must be a JSON object"),
        ),
        Some(n) => Some(Some(n.to_value())),
    }
}

/// A Kubernetes object: any mapping.
fn resource_object(d: &mut Decoder, node: &Node, path: &str) -> Option<Value> {
    if node.entries().is_none() {
        let message = format!("{path}: expected a mapping, found {}", node.kind_name());
        return fail(d, node, message);
    }
    Some(node.to_value())
}

fn projection(d: &mut Decoder, node: &Node, path: &str, entry: &str) -> Option<(String, String)> {
    let obj = d.object(node, path, &["name", "path"])?;
    let name = obj.string(d, "name").map(|s| s.node).unwrap_or_default();
    if name.trim().is_empty() {
        let message = format!("globalContextEntries entry {entry:?}: projection name is required");
        return fail(d, node, message);
    }
    let text = obj.string(d, "path").map(|s| s.node).unwrap_or_default();
    if text.trim().is_empty() {
        let message =
            format!("globalContextEntries entry {entry:?} projection {name:?}: path is required");
        return fail(d, node, message);
    }
    Some((name, text))
}

/// A `ClusterResource` document (`spec.crds`, `spec.resources`).
pub fn cluster_resource(node: &Node) -> Result<ClusterResource, Vec<Diagnostic>> {
    let mut d = Decoder::default();
    let decoded = cluster_resource_fields(&mut d, node);
    match decoded {
        Some(doc) if d.diagnostics.is_empty() => Ok(doc),
        _ if d.diagnostics.is_empty() => Err(vec![
            Diagnostic::error("cluster resources could not be decoded").at(node.span),
        ]),
        _ => Err(d.diagnostics),
    }
}

fn cluster_resource_fields(d: &mut Decoder, node: &Node) -> Option<ClusterResource> {
    let obj = d.object(node, "", &["apiVersion", "kind", "metadata", "spec"])?;
    let Some(spec) = obj.get("spec") else {
        return Some(ClusterResource::default());
    };
    let spec = d.object(spec, "spec", &["crds", "resources"])?;
    Some(ClusterResource {
        crds: spec.strings(d, "crds"),
        resources: spec
            .get("resources")
            .map(|n| d.each(n, &spec.at("resources"), resource_object))
            .unwrap_or_default(),
    })
}

/// What the fake cluster reads of a CustomResourceDefinition document; `None` for a
/// document of another kind.
pub fn crd(node: &Node) -> Option<Crd> {
    if node.get("kind").and_then(Node::as_str) != Some("CustomResourceDefinition") {
        return None;
    }
    let spec = node.get("spec");
    let text = |n: Option<&Node>, key: &str| {
        n.and_then(|n| n.get(key))
            .and_then(Node::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let names = spec.and_then(|s| s.get("names"));
    let versions = spec
        .and_then(|s| s.get("versions"))
        .and_then(Node::items)
        .unwrap_or_default();
    Some(Crd {
        group: text(spec, "group"),
        kind: text(names, "kind"),
        plural: text(names, "plural"),
        versions: versions.iter().map(|v| text(Some(v), "name")).collect(),
        namespaced: text(spec, "scope") != "Cluster",
    })
}
