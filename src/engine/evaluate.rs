//! Every policy of a compiled set on one request (rules.md §9.1): scope pre-filters, the
//! rule set for the resource's kind, matching, and the JSON context each policy sees.

use std::cell::RefCell;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

use super::context::{EntryName, JsonContext, RequestReads};
use super::images::Images;
use super::matching::{MatchRequest, rule_applies};
use super::offline::{Backend, Offline};
use super::request::{Objects, Operation, Request};
use super::rule::{self, RuleEnv, Values};
use super::selector::StringMap;
use crate::compile::exception::Exception;
use crate::compile::matching::KindVerdicts;
use crate::compile::{Policy, PolicySet, Rule};
use crate::ir::PolicyKind;
use crate::ir::inputs::UserInfo;
use crate::ir::inputs::{RuleValues, Values as ValuesFile};
use crate::report::{PolicyResponse, RuleResponse, RuleResponses, Status};

/// What a run supplies besides the request.
#[derive(Default, Clone, Copy)]
pub struct Inputs<'a> {
    pub values: Option<&'a ValuesFile>,
    /// The stand-ins for a cluster (rules.md §5.4); `None` serves no such source.
    pub offline: Option<&'a Offline>,
    /// Where to add the time each policy took; `None` times nothing.
    pub timings: Option<&'a PolicyTimes>,
}

/// Time spent in each policy of a set (indexed like the set's policies), summed over the
/// evaluations given it. The request's preparation, shared by all policies, is in none.
#[derive(Debug, Default)]
pub struct PolicyTimes {
    spent: RefCell<Vec<Duration>>,
}

impl PolicyTimes {
    fn add(&self, policy: usize, spent: Duration) {
        let mut all = self.spent.borrow_mut();
        if all.len() <= policy {
            all.resize(policy + 1, Duration::ZERO);
        }
        all[policy] += spent;
    }

    /// The time summed per policy index (policies never evaluated are absent or zero).
    pub fn spent(&self) -> Vec<Duration> {
        self.spent.borrow().clone()
    }
}

/// Responses of every valid policy (invalid policies answer nothing). The JSON context
/// is built once per request and borrows the request's objects for the evaluation (they
/// are moved in, not copied, and handed back); each policy works in a scope of it that is
/// undone after.
pub fn evaluate<'s>(
    set: &'s PolicySet,
    request: &mut Request,
    inputs: Inputs<'_>,
) -> Vec<PolicyResponse<'s>> {
    let objects = request.take_objects();
    let (responses, objects) = evaluate_lent(set, request, objects, inputs);
    request.restore(objects);
    responses
}

fn evaluate_lent<'s>(
    set: &'s PolicySet,
    request: &Request,
    objects: Objects,
    inputs: Inputs<'_>,
) -> (Vec<PolicyResponse<'s>>, Objects) {
    let (base, replaced) = root(request, objects);
    let mut shared = Evaluation::of_set(set, request, &base);
    let mut out = Vec::with_capacity(set.policies.len());
    for (index, policy) in set.policies.iter().enumerate() {
        if policy.invalid.is_some() {
            continue;
        }
        let started = inputs.timings.map(|_| Instant::now());
        let response = match changed_request(policy, request, &shared.ctx, inputs) {
            Some(own) => {
                let (own, objects) = own.into_parts();
                let own_base = root(&own, objects).0;
                Evaluation::of_set(set, &own, &own_base).policy(
                    index,
                    policy,
                    &set.exceptions,
                    inputs,
                )
            }
            None => shared.policy(index, policy, &set.exceptions, inputs),
        };
        out.push(response);
        if let (Some(timings), Some(started)) = (inputs.timings, started) {
            timings.add(index, started.elapsed());
        }
    }
    drop(shared);
    (out, give_back(base, replaced))
}

/// Hands back what the request lent the context, as it was.
fn give_back(base: Value, replaced: Replaced) -> Objects {
    let Value::Object(mut base) = base else {
        return Objects::default();
    };
    let Some(Value::Object(mut request)) = base.remove("request") else {
        return Objects::default();
    };
    // The objects are among the replaced fields: restoring a field gives back the value
    // the context held there.
    let mut objects = Objects::default();
    for (key, old) in replaced.into_iter().rev() {
        let lent = match old {
            Some(value) => put(&mut request, key, value),
            None => request.remove(key),
        };
        let lent = lent.filter(|v| !v.is_null());
        match key {
            "object" => objects.object = lent,
            "oldObject" => objects.old_object = lent,
            _ => {}
        }
    }
    Objects {
        admission: request,
        ..objects
    }
}

/// One request prepared for evaluation: its JSON context, over the document the request's
/// fields were moved into (see [`Request::into_parts`]), and what matching reads there.
struct Evaluation<'r> {
    request: &'r Request,
    ctx: JsonContext<'r>,
    /// The new and the old object, as the context holds them.
    objects: [Option<&'r Value>; 2],
    matched: MatchRequest<'r>,
    /// The verdicts on `matched` of the set's named kinds, as rules ask for them.
    kind_verdicts: KindVerdicts,
    /// Some policy of the set has generated rules for the request's kind (see
    /// [`PolicySet::controller_kinds`]); assumed when the set is not known.
    controller: bool,
}

const NO_OBJECT: Value = Value::Null;

/// The name of the `images` entry every request registers, its bits worked out once.
static IMAGES: LazyLock<EntryName<'static>> = LazyLock::new(|| EntryName::new("images"));

impl<'r> Evaluation<'r> {
    fn new(request: &'r Request, base: &'r Value) -> Evaluation<'r> {
        let reads = RequestReads::of(base);
        let mut ctx = JsonContext::with_reads(base, reads);
        ctx.register_named(*IMAGES, &Images);
        let objects = [reads.object, reads.old_object];
        let subject = objects[0].or(objects[1]).unwrap_or(&NO_OBJECT);
        Evaluation {
            request,
            ctx,
            objects,
            matched: match_request(request, subject),
            kind_verdicts: KindVerdicts::default(),
            controller: true,
        }
    }

    /// An evaluation of `set`'s policies, which knows whether the set has generated rules
    /// for the request's kind.
    fn of_set(set: &'r PolicySet, request: &'r Request, base: &'r Value) -> Evaluation<'r> {
        let mut evaluation = Evaluation {
            controller: set.controller_kinds.contains(&request.gvk.kind),
            ..Evaluation::new(request, base)
        };
        evaluation.ctx.set_presence(&set.presence);
        evaluation
    }

    fn policy<'c: 'r>(
        &mut self,
        index: usize,
        policy: &'c Policy,
        exceptions: &'c [Exception],
        inputs: Inputs<'r>,
    ) -> PolicyResponse<'c> {
        let mut response = PolicyResponse {
            policy: index,
            rules: RuleResponses::new(),
        };
        if !in_scope(policy, self.objects) {
            return response;
        }
        self.ctx.set_backend(inputs.offline.map(|offline| Backend {
            offline,
            policy_namespace: policy_namespace(policy),
        }));
        // Only resource values write at the policy's level: without them it needs no scope.
        let scope = match inputs.values {
            None => self.ctx.open_if(false),
            Some(_) => {
                let values = resource_value_pairs(policy, self.request, inputs);
                let scope = self.ctx.open_if(!values.is_empty());
                for (key, value) in values {
                    self.ctx.inject(&key, value);
                }
                scope
            }
        };
        let key = policy.key();
        // No exception names the policy: its rules need not look for any.
        let exceptions = if policy.excepted { exceptions } else { &[] };
        for rule in rules_for(policy, &self.request.gvk.kind, self.controller) {
            if !applies(rule, &self.matched, &mut self.kind_verdicts) {
                continue;
            }
            let env = RuleEnv {
                values: Values {
                    rule: rule_values(policy, rule, inputs),
                },
                action: policy.action,
                overrides: &policy.action_overrides,
                policy_key: &key,
                exceptions,
                request: &self.matched,
            };
            if let Some(mut r) = rule::evaluate(rule, &env, &mut self.ctx) {
                if r.status == Status::Fail
                    && keeps_existing_violations(rule, policy, self.request, self.objects)
                {
                    let old = self.ctx.request_field("oldObject").cloned();
                    existing_violation(&mut r, rule, policy, exceptions, old);
                }
                response.rules.push(r);
            }
            let decided = || {
                response
                    .rules
                    .iter()
                    .any(|r| matches!(r.status, Status::Pass | Status::Fail))
            };
            if policy.apply_one && decided() {
                break;
            }
        }
        self.ctx.close(scope);
        response
    }
}

/// rules.md §9.3.2: an Enforce rule that fails on UPDATE is re-checked against the old
/// object; it applies to rules without preconditions (quirk) that allow existing
/// violations (the default).
fn keeps_existing_violations(
    rule: &Rule,
    policy: &Policy,
    request: &Request,
    objects: [Option<&Value>; 2],
) -> bool {
    let Some(validate) = &rule.validate else {
        return false;
    };
    let update = request.operation == Operation::Update || objects.iter().all(Option::is_some);
    let enforce =
        validate.failure_action.unwrap_or(policy.action) == crate::compile::Action::Enforce;
    update && enforce && validate.allow_existing_violations && rule.preconditions.is_none()
}

/// Evaluates the rule on the old object as a CREATE by a synthetic user; if that fails too,
/// the violation already existed and the rule is skipped.
fn existing_violation(
    response: &mut RuleResponse,
    rule: &Rule,
    policy: &Policy,
    exceptions: &[Exception],
    old: Option<Value>,
) {
    let Some(old) = old.filter(|o| !o.is_null()) else {
        return;
    };
    let user = UserInfo {
        username: "kyverno:kyverno-invalid-controller".into(),
        groups: vec!["kyverno:invalidgroup".into()],
        roles: vec!["kyverno:invalidrole".into()],
        cluster_roles: vec!["kyverno:invalidrole".into()],
        ..UserInfo::default()
    };
    let (old_request, objects) = Request::simulate(old, Operation::Create, Some(user)).into_parts();
    let base = root(&old_request, objects).0;
    let mut again = Evaluation::new(&old_request, &base);
    if !applies(rule, &again.matched, &mut again.kind_verdicts) {
        return;
    }
    let env = RuleEnv {
        values: Values::default(),
        action: policy.action,
        overrides: &policy.action_overrides,
        policy_key: &policy.key(),
        exceptions,
        request: &again.matched,
    };
    match rule::evaluate(rule, &env, &mut again.ctx).map(|r| r.status) {
        Some(Status::Fail) => {
            response.status = Status::Skip;
            response.message =
                "skipping the rule evaluation as pre-existing violations are allowed".into();
        }
        Some(Status::Error)
            if matches!(
                rule.validate.as_ref().map(|v| &v.check),
                Some(crate::compile::Check::PodSecurity(_))
            ) =>
        {
            response.status = Status::Skip;
            response.message = "failed to validate old object".into();
        }
        _ => {}
    }
}

/// The namespace of a namespaced `Policy`; `None` for a ClusterPolicy.
fn policy_namespace(policy: &Policy) -> Option<&str> {
    (policy.kind == PolicyKind::Policy)
        .then_some(policy.namespace.as_deref())
        .flatten()
}

/// A namespaced `Policy` applies only in its own namespace (rules.md §1.1).
fn in_scope(policy: &Policy, objects: [Option<&Value>; 2]) -> bool {
    let Some(ns) = &policy.namespace else {
        return true;
    };
    policy.kind != PolicyKind::Policy
        || (objects
            .into_iter()
            .flatten()
            .all(|o| object_namespace(o) == ns)
            && objects.iter().any(Option::is_some))
}

fn object_namespace(object: &Value) -> &str {
    object
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// The own rules, or for a pod controller the generated ones (rules.md §3.4); `controller`
/// false says no policy has generated rules for `kind`.
fn rules_for<'p>(
    policy: &'p Policy,
    kind: &str,
    controller: bool,
) -> impl Iterator<Item = &'p Rule> {
    let generated = controller.then(|| policy.autogen.for_kind(kind)).flatten();
    let own = policy
        .rules
        .iter()
        .filter(move |r| generated.is_none() || !r.name.starts_with("autogen-"));
    own.chain(generated.into_iter().flatten())
}

fn applies(rule: &Rule, request: &MatchRequest<'_>, verdicts: &mut KindVerdicts) -> bool {
    rule.match_
        .as_ref()
        .is_some_and(|m| rule_applies(m, rule.exclude.as_ref(), request, verdicts))
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

/// Admission fields the context's `request` replaced, with what they held.
type Replaced = Vec<(&'static str, Option<Value>)>;

/// The JSON context a policy starts from (rules.md §4.6.1). The request's fields are moved
/// in, not copied; what the context sets in their place is listed to be undone.
fn root(request: &Request, objects: Objects) -> (Value, Replaced) {
    let mut req = objects.admission;
    let mut replaced = Replaced::with_capacity(4);
    for (key, object) in [
        ("object", objects.object),
        ("oldObject", objects.old_object),
    ] {
        if let Some(object) = object {
            replaced.push((key, put(&mut req, key, object)));
        }
    }
    let operation = request.operation.as_str();
    let namespace = if request.operation == Operation::Delete {
        ""
    } else {
        request.namespace.as_str()
    };
    // A field the review already holds as the context would set it (the usual case for
    // the operation, the namespace and the user) stays in place, and is not built.
    let (mut same_operation, mut same_namespace, mut same_user) = (false, false, false);
    for (key, value) in &req {
        match key.as_str() {
            "operation" => same_operation = value.as_str() == Some(operation),
            "namespace" => same_namespace = value.as_str() == Some(namespace),
            "userInfo" => {
                same_user = request
                    .user
                    .as_ref()
                    .is_some_and(|u| holds_user_info(value, u));
            }
            _ => {}
        }
    }
    let mut set = |key: &'static str, value: Value| {
        let old = put(&mut req, key, value);
        replaced.push((key, old));
    };
    if !same_operation {
        set("operation", Value::from(operation));
    }
    if !same_namespace {
        set("namespace", Value::from(namespace));
    }
    let mut root = Map::new();
    if let Some(user) = &request.user {
        if !same_user {
            set("userInfo", user_info(user));
        }
        // Roles are Kyverno's addition, never in a review: set whenever known.
        if !user.roles.is_empty() {
            set("roles", strings(&user.roles));
        }
        if !user.cluster_roles.is_empty() {
            set("clusterRoles", strings(&user.cluster_roles));
        }
        let (sa_ns, sa_name) = service_account(&user.username);
        root.insert("serviceAccountName".into(), Value::String(sa_name));
        root.insert("serviceAccountNamespace".into(), Value::String(sa_ns));
    }
    root.insert("request".into(), Value::Object(req));
    (Value::Object(root), replaced)
}

/// Sets `key` of `map` to `value`, giving back what it held: a key already there keeps
/// its entry (the usual case: a review's own `object`, `oldObject`, `namespace`), and only
/// a new one is made.
fn put(map: &mut Map<String, Value>, key: &str, value: Value) -> Option<Value> {
    match crate::value::field_mut(map, key) {
        Some(slot) => Some(std::mem::replace(slot, value)),
        None => map.insert(key.into(), value),
    }
}

/// Whether `value` is what [`user_info`] builds for `user`, decided without building it
/// (`extra`, rarely given, is compared built).
fn holds_user_info(value: &Value, user: &UserInfo) -> bool {
    let Value::Object(info) = value else {
        return false;
    };
    if !user.extra.is_empty() {
        return *value == user_info(user);
    }
    let same_text = |key: &str, expected: &str| match info.get(key) {
        None => expected.is_empty(),
        Some(v) => !expected.is_empty() && v.as_str() == Some(expected),
    };
    let groups = match info.get("groups") {
        None => user.groups.is_empty(),
        Some(Value::Array(items)) => {
            !user.groups.is_empty()
                && items.len() == user.groups.len()
                && items
                    .iter()
                    .zip(&user.groups)
                    .all(|(v, g)| v.as_str() == Some(g))
        }
        Some(_) => false,
    };
    let present = [
        !user.username.is_empty(),
        !user.uid.is_empty(),
        !user.groups.is_empty(),
    ];
    info.len() == present.iter().filter(|p| **p).count()
        && same_text("username", &user.username)
        && same_text("uid", &user.uid)
        && groups
}

/// `request.userInfo` as Kubernetes writes it: empty fields are left out, and `extra` is
/// an object of string lists.
fn user_info(user: &UserInfo) -> Value {
    let mut info = Map::new();
    if !user.username.is_empty() {
        info.insert("username".into(), Value::String(user.username.clone()));
    }
    if !user.uid.is_empty() {
        info.insert("uid".into(), Value::String(user.uid.clone()));
    }
    if !user.groups.is_empty() {
        info.insert("groups".into(), strings(&user.groups));
    }
    if !user.extra.is_empty() {
        let extra = user.extra.iter().map(|(k, v)| (k.clone(), strings(v)));
        info.insert("extra".into(), Value::Object(extra.collect()));
    }
    Value::Object(info)
}

fn strings(list: &[String]) -> Value {
    Value::Array(list.iter().map(|s| Value::String(s.clone())).collect())
}

/// rules.md §4.6.2: the first 22 characters are dropped without checking the prefix.
fn service_account(username: &str) -> (String, String) {
    const PREFIX_LEN: usize = "system:serviceaccount:".len();
    let rest = username.get(PREFIX_LEN..).unwrap_or_default();
    let mut parts = rest.split(':');
    match (parts.next(), parts.next()) {
        (Some(ns), Some(name)) if username.len() > PREFIX_LEN => (ns.to_string(), name.to_string()),
        _ => (String::new(), String::new()),
    }
}

/// The request as values change it, when they do: a per-resource `request.operation`
/// re-simulates it, and values under `request.object`/`request.oldObject` change the
/// objects themselves (cli-test.md §9.1).
fn changed_request(
    policy: &Policy,
    request: &Request,
    context: &JsonContext<'_>,
    inputs: Inputs<'_>,
) -> Option<Request> {
    inputs.values?;
    let pairs = resource_value_pairs(policy, request, inputs);
    let changes = |k: &str| {
        k == "request.operation"
            || k.starts_with("request.object")
            || k.starts_with("request.oldObject")
    };
    if !pairs.iter().any(|(k, _)| changes(k)) {
        return None;
    }
    let operation = pairs
        .iter()
        .rev()
        .find(|(k, _)| k == "request.operation")
        .and_then(|(_, v)| v.as_str()?.parse::<Operation>().ok());
    let object = |key: &str| context.request_field(key).cloned();
    // The shared context holds the admission fields (the request lent them to it).
    let mut admission = context
        .get("request")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    admission.remove("object");
    admission.remove("oldObject");
    let request = Request {
        object: object("object"),
        old_object: object("oldObject"),
        admission,
        ..request.clone()
    };
    let mut out = match operation {
        Some(op) if op != request.operation => request.with_operation(op),
        _ => request,
    };
    let touches_objects = pairs
        .iter()
        .any(|(k, _)| k.starts_with("request.object") || k.starts_with("request.oldObject"));
    if touches_objects {
        let objects = Objects {
            object: out.object.clone(),
            old_object: out.old_object.clone(),
            admission: out.admission.clone(),
        };
        let base = root(&out, objects).0;
        let mut ctx = JsonContext::new(&base);
        for (key, value) in &pairs {
            ctx.inject(key, value.clone());
        }
        out.object = ctx.request_field("object").cloned();
        out.old_object = ctx.request_field("oldObject").cloned();
    }
    Some(out)
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

/// Rule values, where a rule named `r` also serves `autogen-r` and `autogen-cronjob-r`.
fn rule_values<'a>(policy: &Policy, rule: &Rule, inputs: Inputs<'a>) -> Option<&'a RuleValues> {
    let rules = &inputs.values?.policy(&policy.name)?.rules;
    let base = rule
        .name
        .strip_prefix("autogen-cronjob-")
        .or_else(|| rule.name.strip_prefix("autogen-"))
        .unwrap_or(&rule.name);
    rules
        .iter()
        .find(|r| *r.name == *rule.name)
        .or_else(|| rules.iter().find(|r| r.name == base))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn evaluation_hands_back_the_request_as_it_was() {
        let mut review = json!({
            "kind": "AdmissionReview",
            "request": {
                "uid": "7",
                "operation": "CREATE",
                "namespace": "team-a",
                "kind": {"group": "", "version": "v1", "kind": "Pod"},
                "userInfo": {"username": "alice", "groups": [], "extra": {"scopes": ["a"]}},
                "object": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {}},
                "oldObject": null
            }
        });
        let mut request = Request::from_admission_review(&mut review).expect("a valid review");
        let before = format!("{request:?}");
        let objects = request.take_objects();
        let (base, replaced) = root(&request, objects);
        let evaluation = Evaluation::new(&request, &base);
        let request_in_context = evaluation.ctx.snapshot()["request"].clone();
        assert_eq!(request_in_context["uid"], json!("7"));
        assert_eq!(request_in_context["object"]["metadata"]["name"], json!("p"));
        // rules.md §4.6.1: in admission, a CREATE's `request.oldObject` is `null`, not absent.
        assert_eq!(request_in_context.get("oldObject"), Some(&Value::Null));
        // Kubernetes leaves empty fields out of a UserInfo.
        assert_eq!(
            request_in_context["userInfo"],
            json!({"username": "alice", "extra": {"scopes": ["a"]}})
        );
        drop(evaluation);
        request.restore(give_back(base, replaced));
        assert_eq!(format!("{request:?}"), before);
    }

    /// Fields the context sets to what the review already holds are left in place; the
    /// others are replaced for the evaluation and restored after it.
    #[test]
    fn only_changed_fields_are_replaced_and_all_are_restored() {
        let mut review = json!({
            "request": {
                "operation": "DELETE",
                "namespace": "team-a",
                "kind": {"group": "", "version": "v1", "kind": "Pod"},
                "oldObject": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}}
            }
        });
        let mut request = Request::from_admission_review(&mut review).expect("a valid review");
        let before = format!("{request:?}");
        let objects = request.take_objects();
        let (base, replaced) = root(&request, objects);
        let keys: Vec<&str> = replaced.iter().map(|(key, _)| *key).collect();
        // The operation is the review's own; a DELETE's namespace reads as empty.
        assert_eq!(keys, ["oldObject", "namespace"]);
        assert_eq!(base["request"]["namespace"], json!(""));
        assert_eq!(base["request"]["operation"], json!("DELETE"));
        request.restore(give_back(base, replaced));
        assert_eq!(format!("{request:?}"), before);
    }

    /// Deciding that a review holds the user's `userInfo` without building it agrees with
    /// building it and comparing, for every field present or left out, and for any change.
    #[test]
    fn a_held_user_info_is_recognised_without_building_it() {
        let strings = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let users = [
            UserInfo::default(),
            UserInfo {
                username: "alice".into(),
                ..UserInfo::default()
            },
            UserInfo {
                uid: "7".into(),
                groups: strings(&["dev", "ops"]),
                ..UserInfo::default()
            },
            UserInfo {
                username: "bob".into(),
                extra: vec![("scopes".into(), strings(&["a"]))],
                ..UserInfo::default()
            },
        ];
        let changed = [
            json!({}),
            json!({"username": "alice"}),
            json!({"username": ""}),
            json!({"uid": "7", "groups": ["dev", "ops"]}),
            json!({"uid": "7", "groups": ["ops", "dev"]}),
            json!({"uid": "7", "groups": ["dev"]}),
            json!({"uid": "7", "groups": ["dev", "ops"], "username": "x"}),
            json!({"username": "bob", "extra": {"scopes": ["a"]}}),
            json!({"username": "bob", "extra": {"scopes": ["b"]}}),
            json!("alice"),
        ];
        for user in &users {
            assert!(holds_user_info(&user_info(user), user), "{user:?}");
            for value in &changed {
                assert_eq!(
                    holds_user_info(value, user),
                    *value == user_info(user),
                    "{user:?} against {value}"
                );
            }
        }
    }
}
