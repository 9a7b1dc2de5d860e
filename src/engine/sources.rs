//! Loading the context sources that need a cluster (rules.md §5.3) from an offline
//! [`Backend`] (rules.md §5.4): `configMap` and `apiCall` against the fake cluster,
//! `apiCall` against `apiCallResponses` mocks (evaluated when registered) and
//! `globalReference` against `globalContextEntries` mocks. Error texts follow Kyverno's
//! loaders so messages read as `kyverno test` prints them.

use serde_json::{Map, Value};

use super::context::JsonContext;
use super::loader::{path_expression, render, render_text};
use super::offline::Backend;
use crate::compile::{ApiCall, ApiTarget, ConfigMapRef, GlobalRef, PathExpr};
use crate::ir::offline::Method;
use crate::syntax::template::Template;
use crate::value::go_type_name;

/// A `configMap` entry: `{data, metadata}` of the ConfigMap the fields name.
pub fn config_map(
    entry: &str,
    cm: &ConfigMapRef,
    backend: Backend<'_>,
    ctx: &mut JsonContext<'_>,
) -> Result<Value, String> {
    fetch_config_map(entry, cm, backend, ctx)
        .map_err(|e| format!("failed to retrieve config map for context entry {entry}: {e}"))
}

fn fetch_config_map(
    entry: &str,
    cm: &ConfigMapRef,
    backend: Backend<'_>,
    ctx: &mut JsonContext<'_>,
) -> Result<Value, String> {
    let field = |which: &str, t: &Template, e: String| {
        format!(
            "failed to substitute variables in context {entry} configMap.{which} {}: {e}",
            t.text()
        )
    };
    // Each field is substituted as a string of its own.
    let name = render_string(&cm.name, "", ctx).map_err(|e| field("name", &cm.name, e))?;
    let namespace =
        render_string(&cm.namespace, "", ctx).map_err(|e| field("namespace", &cm.namespace, e))?;
    let namespace = match (namespace.as_str(), backend.policy_namespace) {
        ("", Some(own)) => own.to_string(),
        ("", None) => "default".to_string(),
        _ => namespace,
    };
    // A namespaced Policy may read only its own namespace.
    if let Some(own) = backend.policy_namespace.filter(|own| *own != namespace) {
        return Err(format!(
            "context entry {entry}: configMap namespace {namespace:?} is different from policy namespace {own:?}"
        ));
    }
    let cluster = backend.offline.cluster().ok_or("no cluster resources")?;
    let Some(object) = cluster.config_map(&namespace, &name) else {
        return Err(format!(
            "failed to get configmap {namespace}/{name} : configmaps {name:?} not found"
        ));
    };
    Ok(config_map_value(object))
}

/// What Kyverno stores: the data and the typed metadata (whose unset creation timestamp
/// serialises as null).
fn config_map_value(object: &Value) -> Value {
    let mut metadata = object
        .get("metadata")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    metadata.entry("creationTimestamp").or_insert(Value::Null);
    let mut out = Map::new();
    out.insert(
        "data".into(),
        object.get("data").cloned().unwrap_or(Value::Null),
    );
    out.insert("metadata".into(), Value::Object(metadata));
    Value::Object(out)
}

/// A template that must give a string; `pointer` is its path in the entry's source.
fn render_string(t: &Template, pointer: &str, ctx: &mut JsonContext<'_>) -> Result<String, String> {
    match render_text(t, pointer, ctx)? {
        Value::String(s) => Ok(s),
        other => Err(format!("expected string, got {}", go_type_name(&other))),
    }
}

/// An `apiCall` after substitution: where it goes.
enum Call {
    UrlPath(String),
    Service(String),
    None,
}

impl Call {
    /// The URL mocks are matched against: the service URL, else the URL path.
    fn url(&self) -> &str {
        match self {
            Call::UrlPath(u) | Call::Service(u) => u,
            Call::None => "",
        }
    }
}

/// Substitutes every field of the call as one document, as Kyverno does before calling:
/// errors name the field's path in the `apiCall` mapping.
fn render_call(call: &ApiCall, ctx: &mut JsonContext<'_>) -> Result<Call, String> {
    let target = match &call.target {
        ApiTarget::UrlPath(t) => Call::UrlPath(render_string(t, "/urlPath", ctx)?),
        ApiTarget::Service(t) => Call::Service(render_string(t, "/service/url", ctx)?),
        ApiTarget::None => Call::None,
    };
    for (i, (_, value)) in call.data.iter().enumerate() {
        render(value, &format!("/data/{i}/value"), ctx)?;
    }
    if let Some(PathExpr::Dynamic(t)) = &call.jmes_path {
        render_text(t, "/jmesPath", ctx)?;
    }
    Ok(target)
}

fn path_text(path: &PathExpr) -> &str {
    match path {
        PathExpr::Static(e) => e.text(),
        PathExpr::Dynamic(t) => t.text(),
    }
}

/// An `apiCall` entry registered because the run has a fake cluster: loaded when a query
/// mentions it.
pub fn api_call(
    entry: &str,
    call: &ApiCall,
    backend: Backend<'_>,
    ctx: &mut JsonContext<'_>,
) -> Result<Value, String> {
    let data = match fetch(entry, call, backend, ctx) {
        Ok(data) => data,
        Err(_) if call.default.is_some() => return Ok(call.default.clone().unwrap_or_default()),
        Err(e) => return Err(format!("failed to fetch data for APICall: {e}")),
    };
    transform(entry, call.jmes_path.as_ref(), data, ctx)
        .map_err(|e| format!("failed to store data for APICall: {e}"))
}

fn fetch(
    entry: &str,
    call: &ApiCall,
    backend: Backend<'_>,
    ctx: &mut JsonContext<'_>,
) -> Result<Value, String> {
    let url_path = match &call.target {
        ApiTarget::UrlPath(t) => t.text(),
        _ => "",
    };
    let rendered = render_call(call, ctx).map_err(|e| {
        format!("failed to substitute variables in context entry {entry} {url_path}: {e}")
    })?;
    let method = call.method.as_str();
    match rendered {
        Call::UrlPath(path) => {
            let cluster = backend.offline.cluster().ok_or("no cluster resources")?;
            let answer = match call.method {
                Method::Get => cluster.get(&path),
                Method::Post => Err("method POST is not supported by the offline cluster".into()),
            };
            answer.map_err(|e| format!("failed to {method} resource with raw url: {path}: {e}"))
        }
        Call::Service(_) => Err(format!(
            "failed to execute HTTP request for APICall {entry}: service calls are not made offline"
        )),
        Call::None => Err(format!("missing service for APICall {entry}")),
    }
}

/// Applies the entry's `jmesPath` (substituted) to the response.
fn transform(
    entry: &str,
    path: Option<&PathExpr>,
    data: Value,
    ctx: &mut JsonContext<'_>,
) -> Result<Value, String> {
    let Some(path) = path else {
        return Ok(data);
    };
    let text = path_text(path);
    let expr = path_expression(path, ctx).map_err(|e| {
        format!("failed to substitute variables in context entry {entry} JMESPath {text}: {e}")
    })?;
    expr.search(&data)
        .map(std::borrow::Cow::into_owned)
        .map_err(|e| {
            format!(
                "failed to apply JMESPath {} for context entry {entry}: {e}",
                expr.text()
            )
        })
}

/// rules.md §5.4 item 1: with mocks, an `apiCall` entry is substituted when registered and
/// answered at once by the mock matching its method and URL. `None`: no mock matches.
pub fn mocked_api_call(
    entry: &str,
    call: &ApiCall,
    backend: Backend<'_>,
    ctx: &mut JsonContext<'_>,
) -> Result<Option<Value>, String> {
    let rendered = render_call(call, ctx).map_err(|e| {
        format!("failed to substitute variables in apiCall context entry {entry:?}: {e}")
    })?;
    let url = rendered.url();
    let Some(mock) = (!url.is_empty())
        .then(|| backend.offline.api_mock(call.method, url))
        .flatten()
    else {
        return Ok(None);
    };
    if !(200..300).contains(&mock.status) {
        return Err(format!(
            "HTTP {} from apiCall mock for context entry {entry:?} (v1 apiCall treats non-2xx as failure)",
            mock.status
        ));
    }
    let Some(path) = &call.jmes_path else {
        return Ok(Some(mock.body.clone()));
    };
    let expr = path_expression(path, ctx)?;
    let result = expr.search(&mock.body).map_err(|e| {
        format!(
            "failed to apply JMESPath {:?} for context entry {entry:?}: {e}",
            expr.text()
        )
    })?;
    Ok(Some(result.into_owned()))
}

/// A `globalReference` entry: the mocked entry's value, through the entry's `jmesPath`.
pub fn global_reference(
    entry: &str,
    global: &GlobalRef,
    backend: Backend<'_>,
    ctx: &mut JsonContext<'_>,
) -> Result<Value, String> {
    load_global(entry, global, backend, ctx)
        .map_err(|e| format!("failed to marshal APICall data for context entry {entry}: {e}"))
}

fn load_global(
    entry: &str,
    global: &GlobalRef,
    backend: Backend<'_>,
    ctx: &mut JsonContext<'_>,
) -> Result<Value, String> {
    let name = render_string(&global.name, "/name", ctx)?;
    let value = match backend.offline.global(&name) {
        None => return Err(format!("failed to fetch entry key={name}")),
        Some(Err(e)) => return Err(e.to_string()),
        Some(Ok(v)) => v.clone(),
    };
    transform(entry, global.jmes_path.as_ref(), value, ctx)
}
