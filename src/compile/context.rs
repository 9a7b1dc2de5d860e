//! IR context entries → compiled entries (rules.md §5): every source's templates and
//! JMESPath parsed once; the fields an `apiCall`, `configMap` or `globalReference` uses
//! read into typed structs.

use serde_json::Value;

use super::rule::{Problems, doc, path_expr, template};
use super::{ApiCall, ApiTarget, ConfigMapRef, ContextEntry, GlobalRef, Source, Variable};
use crate::ir::offline::Method;
use crate::ir::{self, Node};
use crate::syntax::template::{Template, TemplateDoc};

pub fn context(entries: &[ir::ContextEntry], p: &mut Problems) -> Vec<ContextEntry> {
    entries
        .iter()
        .map(|e| ContextEntry {
            name: e.name.node.clone(),
            source: source(&e.source, p),
        })
        .collect()
}

fn source(s: &ir::ContextSource, p: &mut Problems) -> Source {
    match s {
        ir::ContextSource::Variable {
            value,
            jmes_path,
            default,
        } => Source::Variable(Box::new(Variable {
            value: value.as_ref().and_then(|v| doc(v, p)),
            jmes_path: jmes_path
                .as_ref()
                .and_then(|j| path_expr(&j.node, j.span, p)),
            default: default.as_ref().and_then(|d| doc(d, p)),
        })),
        ir::ContextSource::ConfigMap { name, namespace } => {
            Source::ConfigMap(Box::new(ConfigMapRef {
                name: string_template(Some(name), "configMap.name", p),
                namespace: string_template(namespace.as_ref(), "configMap.namespace", p),
            }))
        }
        ir::ContextSource::ApiCall(n) => Source::ApiCall(Box::new(api_call(n, p))),
        ir::ContextSource::ImageRegistry(_) => Source::ImageRegistry,
        ir::ContextSource::GlobalReference(n) => Source::GlobalReference(Box::new(GlobalRef {
            name: string_template(n.get("name"), "globalReference.name", p),
            jmes_path: jmes_path(n, p),
        })),
        ir::ContextSource::Missing => Source::Missing,
    }
}

/// A string field that may hold variables; absent or null reads as the empty string.
fn string_template(node: Option<&Node>, field: &str, p: &mut Problems) -> Template {
    let empty = || Template::parse("").expect("invariant: the empty text parses");
    let Some(node) = node.filter(|n| !n.is_null()) else {
        return empty();
    };
    let Some(text) = node.as_str() else {
        p.add(
            node.span,
            format!("{field}: expected a string, found {}", node.kind_name()),
        );
        return empty();
    };
    template(text, node.span, p).unwrap_or_else(empty)
}

fn jmes_path(node: &Node, p: &mut Problems) -> Option<super::PathExpr> {
    let field = node.get("jmesPath")?;
    let text = field.as_str().filter(|t| !t.is_empty())?;
    path_expr(text, field.span, p)
}

fn api_call(node: &Node, p: &mut Problems) -> ApiCall {
    let url_path = node.get("urlPath").filter(|n| !n.is_null());
    let service = node.get("service").filter(|n| !n.is_null());
    let target = match (url_path, service) {
        (Some(path), _) if path.as_str().is_some_and(|t| !t.is_empty()) => {
            ApiTarget::UrlPath(string_template(Some(path), "apiCall.urlPath", p))
        }
        (_, Some(service)) => ApiTarget::Service(string_template(
            service.get("url"),
            "apiCall.service.url",
            p,
        )),
        _ => ApiTarget::None,
    };
    ApiCall {
        target,
        method: method(node.get("method"), p),
        data: request_data(node.get("data"), p),
        jmes_path: jmes_path(node, p),
        default: node
            .get("default")
            .filter(|n| !n.is_null())
            .map(Node::to_value),
    }
}

/// `method`: GET when not written; the CRD allows only GET and POST.
fn method(node: Option<&Node>, p: &mut Problems) -> Method {
    let Some(node) = node.filter(|n| !n.is_null()) else {
        return Method::Get;
    };
    let text = node.as_str().unwrap_or_default();
    Method::parse(text).unwrap_or_else(|| {
        p.add(
            node.span,
            format!(
                "apiCall.method: unsupported value {}: expected GET or POST",
                node.to_value()
            ),
        );
        Method::Get
    })
}

/// `data: [{key, value}]`: the POST body's fields, values holding variables.
fn request_data(node: Option<&Node>, p: &mut Problems) -> Vec<(String, TemplateDoc)> {
    let items = node.and_then(Node::items).unwrap_or_default();
    items
        .iter()
        .filter_map(|item| {
            let key = item.get("key").and_then(Node::as_str).unwrap_or_default();
            let value = item
                .get("value")
                .cloned()
                .unwrap_or_else(|| Node::from_value(&Value::Null, item.span));
            Some((key.to_string(), doc(&value, p)?))
        })
        .collect()
}
