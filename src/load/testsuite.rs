//! `kyverno-test.yaml` documents, values files and user-info files (cli-test.md §2, §3, §5,
//! §9, §10) → plain data. Unknown keys are errors, as the kyverno CLI decodes strictly.

use serde_json::{Map, Value};

use super::fields::{Decoder, Obj};
use super::offline;
use crate::diagnostic::Diagnostic;
use crate::ir::Node;
use crate::ir::inputs::{PolicyValues, ResourceValues, RuleValues, Subresource, UserInfo, Values};
use crate::ir::offline::{ApiMock, GlobalMock};
use crate::source::{Span, Spanned};

/// One test document.
#[derive(Clone, Debug, Default)]
pub struct TestDoc {
    pub span: Span,
    pub name: Option<String>,
    /// Written in the untyped form of Kyverno ≤ 1.14 (cli-test.md §5).
    pub legacy: bool,
    pub policies: Vec<Spanned<String>>,
    pub resources: Vec<Spanned<String>>,
    pub exceptions: Vec<Spanned<String>>,
    pub variables: Option<Spanned<String>>,
    pub values: Option<Values>,
    pub userinfo: Option<Spanned<String>>,
    pub results: Vec<ExpectedRow>,
    pub cluster_resources: Vec<Spanned<String>>,
    pub api_call_responses: Vec<ApiMock>,
    pub global_context_entries: Vec<GlobalMock>,
}

/// One `results[]` entry.
#[derive(Clone, Debug, Default)]
pub struct ExpectedRow {
    pub span: Span,
    pub policy: Spanned<String>,
    pub rule: Option<Spanned<String>>,
    pub resources: Vec<Spanned<String>>,
    pub kind: Option<Spanned<String>>,
    /// `pass`, `fail`, `warn`, `error` or `skip`.
    pub result: Spanned<String>,
    pub operation: Option<Spanned<String>>,
    /// Set when the row asserts mutated, generated or cloned resources (not evaluated by
    /// nomos).
    pub unsupported: Option<String>,
}

const TEST_FIELDS: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "name",
    "policies",
    "resources",
    "exceptions",
    "variables",
    "values",
    "userinfo",
    "results",
    "targetResources",
    "paramResources",
    "jsonPayload",
    "jsonPayloads",
    "httpPayloads",
    "envoyPayloads",
    "context",
    "clusterResources",
    "apiCallResponses",
    "globalContextEntries",
];

const RESULT_FIELDS: &[&str] = &[
    "policy",
    "rule",
    "resources",
    "resourceSpecs",
    "kind",
    "result",
    "operation",
    "patchedResources",
    "generatedResource",
    "generatedResources",
    "cloneSourceResource",
    "failOnMissingResources",
    "isValidatingAdmissionPolicy",
    "isMutatingAdmissionPolicy",
    "isValidatingPolicy",
    "isDeletingPolicy",
    "isImageValidatingPolicy",
    "isGeneratingPolicy",
    "isMutatingPolicy",
    // The untyped form's keys (cli-test.md §5).
    "status",
    "resource",
    "namespace",
    "patchedResource",
];

/// Decodes one test document.
pub fn test_doc(node: &Node) -> Result<TestDoc, Vec<Diagnostic>> {
    let mut d = Decoder::default();
    let doc = test_fields(&mut d, node);
    match doc {
        Some(doc) if d.diagnostics.is_empty() => Ok(doc),
        _ => Err(nonempty(d.diagnostics, node, "test document")),
    }
}

fn nonempty(mut diagnostics: Vec<Diagnostic>, node: &Node, what: &str) -> Vec<Diagnostic> {
    if diagnostics.is_empty() {
        diagnostics.push(Diagnostic::error(format!("{what} could not be decoded")).at(node.span));
    }
    diagnostics
}

fn test_fields(d: &mut Decoder, node: &Node) -> Option<TestDoc> {
    let obj = d.object(node, "", TEST_FIELDS)?;
    let legacy = obj.get("apiVersion").is_none() || obj.get("name").is_some();
    let name = obj
        .get("metadata")
        .and_then(|m| m.get("name"))
        .and_then(Node::as_str)
        .map(str::to_string)
        .or_else(|| obj.string(d, "name").map(|s| s.node));
    let values = obj.get("values").and_then(|n| values_body(d, n, "values"));
    let results = obj
        .get("results")
        .map(|n| d.each(n, "results", expected_row))
        .unwrap_or_default();
    let api_call_responses = obj
        .get("apiCallResponses")
        .map(|n| offline::api_mocks(d, n, "apiCallResponses"))
        .unwrap_or_default();
    let global_context_entries = obj
        .get("globalContextEntries")
        .map(|n| offline::global_mocks(d, n, "globalContextEntries"))
        .unwrap_or_default();
    Some(TestDoc {
        span: node.span,
        name,
        legacy,
        policies: obj.strings(d, "policies"),
        resources: obj.strings(d, "resources"),
        exceptions: obj.strings(d, "exceptions"),
        variables: obj.string(d, "variables"),
        values,
        userinfo: obj.string(d, "userinfo"),
        results,
        cluster_resources: obj.strings(d, "clusterResources"),
        api_call_responses,
        global_context_entries,
    })
}

fn expected_row(d: &mut Decoder, node: &Node, path: &str) -> Option<ExpectedRow> {
    let obj = d.object(node, path, RESULT_FIELDS)?;
    let mut policy = obj
        .required(d, "policy")
        .and_then(|n| d.string(n, &obj.at("policy")))?;
    if let Some(ns) = obj.string(d, "namespace") {
        policy.node = format!("{}/{}", ns.node, policy.node);
    }
    let result = match (obj.string(d, "result"), obj.string(d, "status")) {
        (Some(r), None) | (None, Some(r)) => r,
        (Some(_), Some(s)) => {
            d.error(
                obj.node,
                format!("{path}: both result and status are set"),
                Some("keep `result`".into()),
            );
            s
        }
        (None, None) => {
            obj.required(d, "result");
            return None;
        }
    };
    let mut resources = obj.strings(d, "resources");
    resources.extend(obj.string(d, "resource"));
    let unsupported = [
        "patchedResources",
        "patchedResource",
        "generatedResource",
        "generatedResources",
        "cloneSourceResource",
    ]
    .into_iter()
    .find(|k| obj.get(k).is_some())
    .map(|k| format!("`{k}` asserts a mutated or generated resource"));
    Some(ExpectedRow {
        span: node.span,
        policy,
        rule: obj.string(d, "rule"),
        resources,
        kind: obj.string(d, "kind"),
        result,
        operation: obj.string(d, "operation"),
        unsupported,
    })
}

/// Decodes a values file (typed or legacy).
pub fn values_file(node: &Node) -> Result<Values, Vec<Diagnostic>> {
    let mut d = Decoder::default();
    let known = [
        "apiVersion",
        "kind",
        "metadata",
        "globalValues",
        "policies",
        "namespaceSelector",
        "namespaces",
        "subresources",
    ];
    let values = d
        .object(node, "", &known)
        .and_then(|_| values_body(&mut d, node, ""));
    match values {
        Some(v) if d.diagnostics.is_empty() => Ok(v),
        _ => Err(nonempty(d.diagnostics, node, "values file")),
    }
}

fn values_body(d: &mut Decoder, node: &Node, path: &str) -> Option<Values> {
    let obj = Obj {
        node,
        path: path.to_string(),
    };
    if path == "values" {
        d.object(
            node,
            path,
            &[
                "globalValues",
                "policies",
                "namespaceSelector",
                "namespaces",
                "subresources",
            ],
        )?;
    }
    let mut namespace_labels: Vec<(String, Map<String, Value>)> = obj
        .get("namespaceSelector")
        .map(|n| d.each(n, &obj.at("namespaceSelector"), namespace_selector))
        .unwrap_or_default();
    for ns in obj
        .get("namespaces")
        .and_then(Node::items)
        .unwrap_or_default()
    {
        let value = ns.to_value();
        let name = value
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let labels = value
            .pointer("/metadata/labels")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        namespace_labels.retain(|(n, _)| *n != name);
        namespace_labels.insert(0, (name, labels));
    }
    Some(Values {
        global_values: obj
            .get("globalValues")
            .map(|n| dot_values(d, n, &obj.at("globalValues")))
            .unwrap_or_default(),
        policies: obj
            .get("policies")
            .map(|n| d.each(n, &obj.at("policies"), policy_values))
            .unwrap_or_default(),
        namespace_labels,
        subresources: obj
            .get("subresources")
            .map(|n| d.each(n, &obj.at("subresources"), subresource))
            .unwrap_or_default(),
    })
}

fn dot_values(d: &mut Decoder, node: &Node, path: &str) -> Vec<(String, Value)> {
    let Some(entries) = node.entries() else {
        d.error(
            node,
            format!("{path}: expected a mapping, found {}", node.kind_name()),
            None,
        );
        return Vec::new();
    };
    entries
        .iter()
        .map(|e| (e.key.node.clone(), e.value.to_value()))
        .collect()
}

fn namespace_selector(
    d: &mut Decoder,
    node: &Node,
    path: &str,
) -> Option<(String, Map<String, Value>)> {
    let obj = d.object(node, path, &["name", "labels"])?;
    let name = obj
        .required(d, "name")
        .and_then(|n| d.string(n, &obj.at("name")))?;
    let labels = obj
        .get("labels")
        .map(Node::to_value)
        .and_then(|v| v.as_object().cloned())
        .unwrap_or_default();
    Some((name.node, labels))
}

fn policy_values(d: &mut Decoder, node: &Node, path: &str) -> Option<PolicyValues> {
    let obj = d.object(node, path, &["name", "rules", "resources"])?;
    let name = obj
        .required(d, "name")
        .and_then(|n| d.string(n, &obj.at("name")))?;
    Some(PolicyValues {
        name: name.node,
        rules: obj
            .get("rules")
            .map(|n| d.each(n, &obj.at("rules"), rule_values))
            .unwrap_or_default(),
        resources: obj
            .get("resources")
            .map(|n| d.each(n, &obj.at("resources"), resource_values))
            .unwrap_or_default(),
    })
}

fn rule_values(d: &mut Decoder, node: &Node, path: &str) -> Option<RuleValues> {
    let obj = d.object(node, path, &["name", "values", "foreachValues"])?;
    let name = obj
        .required(d, "name")
        .and_then(|n| d.string(n, &obj.at("name")))?;
    let foreach_values = obj
        .get("foreachValues")
        .and_then(Node::entries)
        .map(|entries| {
            entries
                .iter()
                .map(|e| {
                    (
                        e.key.node.clone(),
                        e.value
                            .items()
                            .map(|i| i.iter().map(Node::to_value).collect())
                            .unwrap_or_default(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    Some(RuleValues {
        name: name.node,
        values: obj
            .get("values")
            .map(|n| dot_values(d, n, &obj.at("values")))
            .unwrap_or_default(),
        foreach_values,
    })
}

fn resource_values(d: &mut Decoder, node: &Node, path: &str) -> Option<ResourceValues> {
    let obj = d.object(node, path, &["name", "values"])?;
    let name = obj
        .required(d, "name")
        .and_then(|n| d.string(n, &obj.at("name")))?;
    Some(ResourceValues {
        name: name.node,
        values: obj
            .get("values")
            .map(|n| dot_values(d, n, &obj.at("values")))
            .unwrap_or_default(),
    })
}

fn subresource(d: &mut Decoder, node: &Node, path: &str) -> Option<Subresource> {
    let obj = d.object(node, path, &["subresource", "parentResource"])?;
    let part = |key: &str, field: &str| {
        obj.get(key)
            .and_then(|n| n.get(field))
            .and_then(Node::as_str)
            .unwrap_or_default()
            .to_string()
    };
    Some(Subresource {
        group: part("subresource", "group"),
        version: part("subresource", "version"),
        kind: part("subresource", "kind"),
        name: part("subresource", "name"),
        parent_group: part("parentResource", "group"),
        parent_version: part("parentResource", "version"),
        parent_kind: part("parentResource", "kind"),
    })
}

/// Decodes a user-info file (typed or legacy).
pub fn user_info_file(node: &Node) -> Result<UserInfo, Vec<Diagnostic>> {
    let mut d = Decoder::default();
    let info = user_info_fields(&mut d, node);
    match info {
        Some(u) if d.diagnostics.is_empty() => Ok(u),
        _ => Err(nonempty(d.diagnostics, node, "user info file")),
    }
}

fn user_info_fields(d: &mut Decoder, node: &Node) -> Option<UserInfo> {
    let obj = d.object(
        node,
        "",
        &[
            "apiVersion",
            "kind",
            "metadata",
            "roles",
            "clusterRoles",
            "userInfo",
        ],
    )?;
    let mut info = UserInfo {
        roles: strings(obj.strings(d, "roles")),
        cluster_roles: strings(obj.strings(d, "clusterRoles")),
        ..UserInfo::default()
    };
    if let Some(user) = obj.get("userInfo") {
        let u = d.object(user, "userInfo", &["username", "uid", "groups", "extra"])?;
        info.username = u.string(d, "username").map(|s| s.node).unwrap_or_default();
        info.uid = u.string(d, "uid").map(|s| s.node).unwrap_or_default();
        info.groups = strings(u.strings(d, "groups"));
        info.extra = u
            .get("extra")
            .and_then(Node::entries)
            .map(|entries| {
                entries
                    .iter()
                    .map(|e| {
                        let values = e.value.items().unwrap_or_default();
                        let strings = values.iter().filter_map(|v| v.as_str().map(str::to_string));
                        (e.key.node.clone(), strings.collect())
                    })
                    .collect()
            })
            .unwrap_or_default();
    }
    Some(info)
}

fn strings(items: Vec<Spanned<String>>) -> Vec<String> {
    items.into_iter().map(|s| s.node).collect()
}
