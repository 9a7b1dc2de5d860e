//! Every policy of a compiled set on one request (rules.md §9.1): scope pre-filters, the
//! rule set for the resource's kind, matching, and the JSON context each policy sees.

use serde_json::{Map, Value, json};

use super::context::JsonContext;
use super::images::Images;
use super::matching::{MatchRequest, rule_applies};
use super::offline::{Backend, Offline};
use super::request::{Operation, Request};
use super::rule::{self, RuleEnv, Values};
use super::selector::StringMap;
use crate::compile::exception::Exception;
use crate::compile::{Policy, PolicySet, Rule};
use crate::ir::PolicyKind;
use crate::ir::inputs::{RuleValues, Values as ValuesFile};
use crate::report::{PolicyResponse, Status};

/// What a run supplies besides the request.
#[derive(Default, Clone, Copy)]
pub struct Inputs<'a> {
    pub values: Option<&'a ValuesFile>,
    /// The stand-ins for a cluster (rules.md §5.4); `None` serves no such source.
    pub offline: Option<&'a Offline>,
}

/// Responses of every valid policy (invalid policies answer nothing).
pub fn evaluate(set: &PolicySet, request: &Request, inputs: Inputs<'_>) -> Vec<PolicyResponse> {
    set.policies
        .iter()
        .enumerate()
        .filter(|(_, p)| p.invalid.is_none())
        .map(|(i, p)| evaluate_policy(i, p, &set.exceptions, request, inputs))
        .collect()
}

fn evaluate_policy(
    index: usize,
    policy: &Policy,
    exceptions: &[Exception],
    request: &Request,
    inputs: Inputs<'_>,
) -> PolicyResponse {
    let mut response = PolicyResponse {
        policy: index,
        rules: Vec::new(),
    };
    let request = &effective_request(policy, request, inputs);
    if !in_scope(policy, request) {
        return response;
    }
    let mut ctx = JsonContext::new(root(request));
    ctx.set_backend(inputs.offline.map(|offline| Backend {
        offline,
        policy_namespace: policy_namespace(policy),
    }));
    ctx.register("images", &Images);
    inject_resource_values(&mut ctx, policy, request, inputs);
    let object = request.subject().cloned().unwrap_or(Value::Null);
    let matched = match_request(request, &object);
    let key = policy.key();
    for rule in rules_for(policy, &request.gvk.kind) {
        if !applies(rule, &matched) {
            continue;
        }
        let env = RuleEnv {
            values: Values {
                rule: rule_values(policy, rule, inputs),
            },
            policy_key: &key,
            exceptions,
            request: &matched,
        };
        if let Some(r) = rule::evaluate(rule, &env, &mut ctx) {
            response.rules.push(r);
        }
        let decided = response
            .rules
            .iter()
            .any(|r| matches!(r.status, Status::Pass | Status::Fail));
        if policy.apply_one && decided {
            break;
        }
    }
    response
}

/// The namespace of a namespaced `Policy`; `None` for a ClusterPolicy.
fn policy_namespace(policy: &Policy) -> Option<&str> {
    (policy.kind == PolicyKind::Policy)
        .then_some(policy.namespace.as_deref())
        .flatten()
}

/// A namespaced `Policy` applies only in its own namespace (rules.md §1.1).
fn in_scope(policy: &Policy, request: &Request) -> bool {
    let Some(ns) = &policy.namespace else {
        return true;
    };
    policy.kind != PolicyKind::Policy
        || ([&request.object, &request.old_object]
            .into_iter()
            .flatten()
            .all(|o| object_namespace(o) == ns)
            && request.subject().is_some())
}

fn object_namespace(object: &Value) -> &str {
    object
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// The own rules, or for a pod controller the generated ones (rules.md §3.4).
fn rules_for<'p>(policy: &'p Policy, kind: &str) -> Vec<&'p Rule> {
    let Some(generated) = policy.autogen.for_kind(kind) else {
        return policy.rules.iter().collect();
    };
    policy
        .rules
        .iter()
        .filter(|r| !r.name.starts_with("autogen-"))
        .chain(generated)
        .collect()
}

fn applies(rule: &Rule, request: &MatchRequest<'_>) -> bool {
    rule.match_
        .as_ref()
        .is_some_and(|m| rule_applies(m, rule.exclude.as_ref(), request))
}

/// What `match`/`exclude` read of a request: the object (new, or old on DELETE).
fn match_request<'r>(request: &'r Request, object: &'r Value) -> MatchRequest<'r> {
    MatchRequest {
        subresource: &request.subresource,
        operation: request.operation,
        user: request.user.as_ref(),
        namespace_labels: StringMap::new(request.namespace_labels.as_ref()),
        ..MatchRequest::for_object(object)
    }
}

/// The JSON context a policy starts from (rules.md §4.6.1).
fn root(request: &Request) -> Map<String, Value> {
    let mut req = Map::new();
    req.insert("operation".into(), json!(request.operation.as_str()));
    if let Some(object) = &request.object {
        req.insert("object".into(), object.clone());
    }
    if let Some(old) = &request.old_object {
        req.insert("oldObject".into(), old.clone());
    }
    let namespace = if request.operation == Operation::Delete {
        ""
    } else {
        request.namespace.as_str()
    };
    req.insert("namespace".into(), json!(namespace));
    let mut root = Map::new();
    if let Some(user) = &request.user {
        req.insert(
            "userInfo".into(),
            json!({"username": user.username, "uid": user.uid, "groups": user.groups, "extra": user.extra}),
        );
        if !user.roles.is_empty() {
            req.insert("roles".into(), json!(user.roles));
        }
        if !user.cluster_roles.is_empty() {
            req.insert("clusterRoles".into(), json!(user.cluster_roles));
        }
        let (sa_ns, sa_name) = service_account(&user.username);
        root.insert("serviceAccountName".into(), json!(sa_name));
        root.insert("serviceAccountNamespace".into(), json!(sa_ns));
    }
    root.insert("request".into(), Value::Object(req));
    root
}

/// rules.md §4.6.2: the first 22 characters are dropped without checking the prefix.
fn service_account(username: &str) -> (String, String) {
    const PREFIX_LEN: usize = "system:serviceaccount:".len();
    let rest = username.get(PREFIX_LEN..).unwrap_or_default();
    let parts: Vec<&str> = rest.split(':').collect();
    match parts.as_slice() {
        [ns, name, ..] if username.len() > PREFIX_LEN => (ns.to_string(), name.to_string()),
        _ => (String::new(), String::new()),
    }
}

/// The request as values change it: a per-resource `request.operation` re-simulates it, and
/// values under `request.object`/`request.oldObject` change the objects themselves
/// (cli-test.md §9.1).
fn effective_request(policy: &Policy, request: &Request, inputs: Inputs<'_>) -> Request {
    let pairs = resource_value_pairs(policy, request, inputs);
    let operation = pairs
        .iter()
        .rev()
        .find(|(k, _)| k == "request.operation")
        .and_then(|(_, v)| v.as_str()?.parse::<Operation>().ok());
    let mut out = match operation {
        Some(op) if op != request.operation => request.with_operation(op),
        _ => request.clone(),
    };
    let touches_objects = pairs
        .iter()
        .any(|(k, _)| k.starts_with("request.object") || k.starts_with("request.oldObject"));
    if touches_objects {
        let mut ctx = JsonContext::new(root(&out));
        for (key, value) in &pairs {
            ctx.inject(key, value.clone());
        }
        out.object = ctx
            .root()
            .pointer("/request/object")
            .cloned()
            .filter(|v| !v.is_null());
        out.old_object = ctx
            .root()
            .pointer("/request/oldObject")
            .cloned()
            .filter(|v| !v.is_null());
    }
    out
}

/// Global values, then the policy's values for this resource (later keys win).
fn resource_value_pairs<'a>(
    policy: &Policy,
    request: &Request,
    inputs: Inputs<'a>,
) -> Vec<(String, Value)> {
    let Some(values) = inputs.values else {
        return Vec::new();
    };
    let resource = values
        .policy(&policy.name)
        .and_then(|p| p.resources.iter().find(|r| r.name == request.name));
    values
        .global_values
        .iter()
        .chain(resource.map(|r| r.values.as_slice()).unwrap_or_default())
        .cloned()
        .collect()
}

fn inject_resource_values(
    ctx: &mut JsonContext<'_>,
    policy: &Policy,
    request: &Request,
    inputs: Inputs<'_>,
) {
    for (key, value) in resource_value_pairs(policy, request, inputs) {
        ctx.inject(&key, value);
    }
}

/// Rule values, where a rule named `r` also serves `autogen-r` and `autogen-cronjob-r`.
fn rule_values<'a>(policy: &Policy, rule: &Rule, inputs: Inputs<'a>) -> Option<&'a RuleValues> {
    let base = rule
        .name
        .strip_prefix("autogen-cronjob-")
        .or_else(|| rule.name.strip_prefix("autogen-"))
        .unwrap_or(&rule.name);
    let rules = &inputs.values?.policy(&policy.name)?.rules;
    rules
        .iter()
        .find(|r| r.name == rule.name)
        .or_else(|| rules.iter().find(|r| r.name == base))
}
