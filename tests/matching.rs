//! `match` / `exclude` / exception matching as data: every row of
//! `tests/cases/matching/*.json` is one trial.
//!
//! Evaluation rows: `{"match"?, "exclude"?, "exception"?, "resource", "operation"?,
//! "userInfo"?, "namespaceLabels"?, "gvk"?, "subresource"?, "policyNamespace"?,
//! "expect": bool, "cite"}`. The blocks are written as in a policy (they go through the
//! Kyverno decoder); `policyNamespace` (a string or null) makes the rule part of a
//! namespaced Policy. Validation rows replace `expect` with `"error": "<substring of a
//! diagnostic>"` or `"valid": true` (no diagnostic at all), and may give the rule's
//! `"validate"` body (or other `"rule"` fields, e.g. a `generate` body), `"background"`
//! (default false here) and `"policyKind"`.
//! `"unchecked": true` evaluates blocks as Kyverno's engine would, skipping the
//! policy-validation checks (for blocks validation rejects).

use libtest_mimic::{Arguments, Failed, Trial};
use nomos::compile::matching::{
    Flavor, KindVerdicts, Matcher, RuleScope, check_rule, compile_exception_match, compile_exclude,
    compile_match, compile_unchecked, share_kind_verdicts, user_info_in_background,
};
use nomos::diagnostic::Diagnostic;
use nomos::engine::matching::{MatchRequest, in_policy_namespace, rule_applies};
use nomos::engine::request::{Operation, UserInfo};
use nomos::engine::selector::StringMap;
use nomos::ir::{Node, PolicyException, Rule};
use nomos::load::kyverno::{Decoded, decode};
use nomos::source::Span;
use serde_json::{Value, json};

mod common;

fn main() {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    for case in common::case_rows("matching") {
        let name = format!("{}::{:03}", case.file, case.index);
        trials.push(Trial::test(name, move || run(&case.row)));
    }
    trials.push(Trial::test(
        "matching::shared_kind_verdicts",
        shared_kind_verdicts,
    ));
    libtest_mimic::run(&args, trials).exit();
}

fn run(row: &Value) -> Result<(), Failed> {
    let cite = row["cite"].as_str().ok_or("row has no `cite`")?;
    let outcome = if let Some(expect) = row.get("expect").and_then(Value::as_bool) {
        evaluate(row).and_then(|got| {
            (got == expect)
                .then_some(())
                .ok_or(format!("expected {expect}, got {got}"))
        })
    } else if let Some(text) = row.get("error").and_then(Value::as_str) {
        expect_error(&diagnostics(row)?, text)
    } else if row.get("valid") == Some(&Value::Bool(true)) {
        let found = diagnostics(row)?;
        found.is_empty().then_some(()).ok_or(format!(
            "expected no diagnostic, got {:?}",
            messages(&found)
        ))
    } else {
        Err("row needs `expect`, `error` or `valid`".to_string())
    };
    outcome.map_err(|e| format!("{e}\n  cite: {cite}\n  row: {row}").into())
}

fn messages(diagnostics: &[Diagnostic]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| {
            let label = d.label.as_deref().unwrap_or("");
            format!("{} [{label}]", d.message)
        })
        .collect()
}

fn expect_error(found: &[Diagnostic], text: &str) -> Result<(), String> {
    let all = messages(found);
    all.iter()
        .any(|m| m.contains(text))
        .then_some(())
        .ok_or(format!("no diagnostic contains {text:?}: {all:?}"))
}

/// Every diagnostic the row's blocks produce: block-level and rule-level.
fn diagnostics(row: &Value) -> Result<Vec<Diagnostic>, String> {
    if let Some(exception) = row.get("exception") {
        let block = exception_ir(exception)?.match_.unwrap_or_default();
        let mut found = compile_exception_match(&block).err().unwrap_or_default();
        if row["background"].as_bool().unwrap_or(false) {
            found.extend(user_info_in_background(&block, Flavor::Exception));
        }
        return Ok(found);
    }
    let rule = rule_ir(row)?;
    let mut found = compile_match(&rule.match_.clone().unwrap_or_default())
        .err()
        .unwrap_or_default();
    if let Some(exclude) = &rule.exclude {
        found.extend(compile_exclude(exclude).err().unwrap_or_default());
    }
    let scope = RuleScope {
        background: row["background"].as_bool().unwrap_or(false),
        namespaced: row["policyKind"] == "Policy",
    };
    found.extend(check_rule(&rule, scope));
    Ok(found)
}

fn evaluate(row: &Value) -> Result<bool, String> {
    let user = row.get("userInfo").map(user_info);
    let mut request = MatchRequest::for_object(&row["resource"]);
    request.user = user.as_ref();
    request.namespace_labels =
        StringMap::new(row.get("namespaceLabels").and_then(Value::as_object));
    if let Some(op) = row.get("operation").and_then(Value::as_str) {
        request.operation = op.parse::<Operation>().map_err(|e| e.to_string())?;
    }
    if let Some(gvk) = row.get("gvk") {
        request.group = gvk["group"].as_str().unwrap_or("");
        request.version = gvk["version"].as_str().unwrap_or("");
        request.kind = gvk["kind"].as_str().unwrap_or("");
    }
    request.subresource = row["subresource"].as_str().unwrap_or("");
    let unchecked = row["unchecked"] == true;
    let build = |block: &nomos::ir::MatchBlock, flavor: Flavor| {
        if unchecked {
            return Ok(compile_unchecked(block, flavor));
        }
        let result = match flavor {
            Flavor::Match => compile_match(block),
            Flavor::Exclude => compile_exclude(block),
            Flavor::Exception => compile_exception_match(block),
        };
        compiled(result)
    };
    if let Some(exception) = row.get("exception") {
        let block = exception_ir(exception)?.match_.unwrap_or_default();
        return Ok(build(&block, Flavor::Exception)?.matches(&request));
    }
    let rule = rule_ir(row)?;
    let m = build(&rule.match_.unwrap_or_default(), Flavor::Match)?;
    let e = rule
        .exclude
        .as_ref()
        .map(|b| build(b, Flavor::Exclude))
        .transpose()?;
    let in_namespace = match row.get("policyNamespace") {
        Some(ns) => in_policy_namespace(ns.as_str(), request.namespace),
        None => true,
    };
    let mut verdicts = KindVerdicts::default();
    Ok(in_namespace && rule_applies(&m, e.as_ref(), &request, &mut verdicts))
}

/// Matchers that name the same kinds share one verdict per request, and matchers that name
/// others never read it: asked in turn over one request's verdicts, every matcher answers
/// as it does alone.
fn shared_kind_verdicts() -> Result<(), Failed> {
    let kinds = [
        json!(["Pod"]),
        json!(["Deployment"]),
        json!(["Pod"]),
        json!(["apps/v1/Deployment", "StatefulSet"]),
        json!(["Deployment"]),
        json!(["v1/Pod"]),
    ];
    let mut lists = Vec::new();
    let mut matchers = Vec::new();
    for kinds in &kinds {
        let row = json!({"match": {"any": [{"resources": {"kinds": kinds}}]}});
        let block = rule_ir(&row)?.match_.unwrap_or_default();
        let mut matcher = compiled(compile_match(&block))?;
        share_kind_verdicts(&mut matcher, &mut lists);
        matchers.push(matcher);
    }
    if lists.len() != 4 {
        return Err(format!("expected 4 distinct kind lists, got {}", lists.len()).into());
    }
    let resources = [
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"}}),
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "b"}}),
        json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "c"}}),
    ];
    for resource in &resources {
        let request = MatchRequest::for_object(resource);
        let mut verdicts = KindVerdicts::default();
        for (i, matcher) in matchers.iter().enumerate() {
            let (alone, shared) = (
                matcher.matches(&request),
                matcher.matches_shared(&request, &mut verdicts),
            );
            if alone != shared {
                return Err(format!(
                    "matcher {i} ({}) on {}: alone {alone}, shared {shared}",
                    kinds[i], resource["kind"]
                )
                .into());
            }
        }
    }
    Ok(())
}

fn compiled(result: Result<Matcher, Vec<Diagnostic>>) -> Result<Matcher, String> {
    result.map_err(|d| format!("block does not compile: {:?}", messages(&d)))
}

fn user_info(v: &Value) -> UserInfo {
    let strings = |key: &str| -> Vec<String> {
        v[key]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s.as_str().map(str::to_string))
            .collect()
    };
    UserInfo {
        username: v["username"].as_str().unwrap_or("").to_string(),
        uid: v["uid"].as_str().unwrap_or("").to_string(),
        groups: strings("groups"),
        extra: Vec::new(),
        roles: strings("roles"),
        cluster_roles: strings("clusterRoles"),
    }
}

/// The row's rule, decoded from a ClusterPolicy (or Policy) document.
fn rule_ir(row: &Value) -> Result<Rule, String> {
    let mut rule = json!({
        "name": "r",
        "validate": row.get("validate").cloned().unwrap_or(json!({"pattern": {"metadata": {}}})),
    });
    for key in ["match", "exclude"] {
        if let Some(block) = row.get(key) {
            rule[key] = block.clone();
        }
    }
    if let Some(Value::Object(extra)) = row.get("rule") {
        if ["mutate", "generate", "verifyImages"]
            .iter()
            .any(|k| extra.contains_key(*k))
        {
            rule.as_object_mut().map(|r| r.remove("validate"));
        }
        for (k, v) in extra {
            rule[k.as_str()] = v.clone();
        }
    }
    let kind = row["policyKind"].as_str().unwrap_or("ClusterPolicy");
    let doc = json!({
        "apiVersion": "kyverno.io/v1",
        "kind": kind,
        "metadata": {"name": "p"},
        "spec": {"rules": [rule]},
    });
    match decode(&Node::from_value(&doc, Span::default())) {
        Ok(Decoded::Policy(p)) => p.spec.rules.into_iter().next().ok_or("no rule".into()),
        Ok(_) => Err("not decoded as a policy".into()),
        Err(d) => Err(format!("policy does not decode: {:?}", messages(&d))),
    }
}

fn exception_ir(block: &Value) -> Result<PolicyException, String> {
    let spec = json!({
        "exceptions": [{"policyName": "p", "ruleNames": ["r"]}],
        "match": block,
    });
    let doc = json!({
        "apiVersion": "kyverno.io/v2",
        "kind": "PolicyException",
        "metadata": {"name": "e", "namespace": "default"},
        "spec": spec,
    });
    match decode(&Node::from_value(&doc, Span::default())) {
        Ok(Decoded::Exception(e)) => Ok(*e),
        Ok(_) => Err("not decoded as an exception".into()),
        Err(d) => Err(format!("exception does not decode: {:?}", messages(&d))),
    }
}
