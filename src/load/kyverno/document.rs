//! Whole documents: `ClusterPolicy`, `Policy` and `PolicyException`, recognised by
//! `apiVersion` and `kind`.

use super::conditions::lenient_block;
use super::matching::match_block;
use super::rule::{failure_action_overrides, pod_security_excludes, rule};
use crate::ir::{ExceptionTarget, Node, Policy, PolicyException, PolicyKind, PolicySpec};
use crate::load::fields::{Decoder, Obj};
use crate::source::Spanned;

const DOCUMENT_FIELDS: &[&str] = &["apiVersion", "kind", "metadata", "spec", "status"];
const POLICY_VERSIONS: &[&str] = &["kyverno.io/v1", "kyverno.io/v2beta1"];
const EXCEPTION_VERSIONS: &[&str] = &["kyverno.io/v2", "kyverno.io/v2beta1"];

const SPEC_FIELDS: &[&str] = &[
    "rules",
    "applyRules",
    "failurePolicy",
    "validationFailureAction",
    "validationFailureActionOverrides",
    "admission",
    "background",
    "schemaValidation",
    "webhookTimeoutSeconds",
    "mutateExistingOnPolicyUpdate",
    "generateExistingOnPolicyUpdate",
    "generateExisting",
    "useServerSideApply",
    "webhookConfiguration",
    "emitWarning",
];

/// `apiVersion` and `kind` of a document, for dispatch.
pub fn type_of(node: &Node) -> (Option<&str>, Option<&str>) {
    (
        node.get("apiVersion").and_then(Node::as_str),
        node.get("kind").and_then(Node::as_str),
    )
}

pub fn is_policy(api_version: &str, kind: &str) -> bool {
    POLICY_VERSIONS.contains(&api_version) && matches!(kind, "ClusterPolicy" | "Policy")
}

pub fn is_exception(api_version: &str, kind: &str) -> bool {
    EXCEPTION_VERSIONS.contains(&api_version) && kind == "PolicyException"
}

/// The name, namespace and annotations of `metadata`.
struct Metadata {
    name: Spanned<String>,
    namespace: Option<Spanned<String>>,
    annotations: Vec<(Spanned<String>, Spanned<String>)>,
}

fn metadata(d: &mut Decoder, doc: &Obj<'_>) -> Option<Metadata> {
    let node = doc.required(d, "metadata")?;
    let meta = Obj {
        node,
        path: "metadata".into(),
    };
    if node.entries().is_none() {
        d.error(
            node,
            format!("metadata: expected a mapping, found {}", node.kind_name()),
            None,
        );
        return None;
    }
    let name = meta
        .required(d, "name")
        .and_then(|n| d.string(n, "metadata.name"))?;
    Some(Metadata {
        name,
        namespace: meta.string(d, "namespace"),
        annotations: meta.string_map(d, "annotations").unwrap_or_default(),
    })
}

pub fn policy(d: &mut Decoder, node: &Node, kind: PolicyKind) -> Option<Policy> {
    let doc = d.object(node, "", DOCUMENT_FIELDS)?;
    let api_version = doc.string(d, "apiVersion")?;
    let meta = metadata(d, &doc);
    let spec = doc.required(d, "spec").and_then(|n| policy_spec(d, n));
    let meta = meta?;
    Some(Policy {
        span: node.span,
        kind,
        api_version,
        name: meta.name,
        namespace: meta.namespace,
        annotations: meta.annotations,
        spec: spec?,
    })
}

fn policy_spec(d: &mut Decoder, node: &Node) -> Option<PolicySpec> {
    let spec = d.object(node, "spec", SPEC_FIELDS)?;
    let rules = spec
        .get("rules")
        .map(|n| d.each(n, "spec.rules", rule))
        .unwrap_or_default();
    let match_conditions = spec
        .get("webhookConfiguration")
        .and_then(|w| w.get("matchConditions"))
        .filter(|m| m.items().is_some_and(|items| !items.is_empty()))
        .map(|m| m.span);
    Some(PolicySpec {
        rules,
        validation_failure_action: spec.string(d, "validationFailureAction"),
        validation_failure_action_overrides: spec
            .get("validationFailureActionOverrides")
            .map(|n| failure_action_overrides(d, n, "spec.validationFailureActionOverrides"))
            .unwrap_or_default(),
        background: spec.boolean(d, "background"),
        admission: spec.boolean(d, "admission"),
        apply_rules: spec.string(d, "applyRules"),
        match_conditions,
    })
}

const EXCEPTION_SPEC_FIELDS: &[&str] = &[
    "background",
    "exceptions",
    "match",
    "conditions",
    "podSecurity",
];

pub fn exception(d: &mut Decoder, node: &Node) -> Option<PolicyException> {
    let doc = d.object(node, "", DOCUMENT_FIELDS)?;
    let api_version = doc.string(d, "apiVersion")?;
    let meta = metadata(d, &doc);
    let spec_node = doc.required(d, "spec")?;
    let spec = d.object(spec_node, "spec", EXCEPTION_SPEC_FIELDS)?;
    let exceptions = spec
        .required(d, "exceptions")
        .map(|n| d.each(n, "spec.exceptions", target))
        .unwrap_or_default();
    let meta = meta?;
    Some(PolicyException {
        span: node.span,
        api_version,
        name: meta.name,
        namespace: meta.namespace,
        background: spec.boolean(d, "background"),
        exceptions,
        match_: spec
            .required(d, "match")
            .and_then(|n| match_block(d, n, "spec.match")),
        conditions: spec
            .get("conditions")
            .and_then(|n| lenient_block(d, n, "spec.conditions")),
        pod_security: spec
            .get("podSecurity")
            .map(|n| pod_security_excludes(d, n, "spec.podSecurity"))
            .unwrap_or_default(),
    })
}

fn target(d: &mut Decoder, node: &Node, path: &str) -> Option<ExceptionTarget> {
    let obj = d.object(node, path, &["policyName", "ruleNames"])?;
    let policy_name = obj
        .required(d, "policyName")
        .and_then(|n| d.string(n, &obj.at("policyName")))?;
    Some(ExceptionTarget {
        span: node.span,
        policy_name,
        rule_names: obj.strings(d, "ruleNames"),
    })
}
