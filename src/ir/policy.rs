//! Kyverno `ClusterPolicy` / `Policy` documents as plain spanned data. Enumerations with a
//! fixed spelling (operators, levels, control names) stay as written here: compiling them
//! is where a misspelling becomes a diagnostic and the policy becomes invalid, as in Kyverno.

use crate::source::{Span, Spanned};

use super::json::Node;

/// `ClusterPolicy` (cluster-wide) or `Policy` (applies in its own namespace only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyKind {
    ClusterPolicy,
    Policy,
}

impl PolicyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyKind::ClusterPolicy => "ClusterPolicy",
            PolicyKind::Policy => "Policy",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Policy {
    /// The whole document.
    pub span: Span,
    pub kind: PolicyKind,
    pub api_version: Spanned<String>,
    pub name: Spanned<String>,
    pub namespace: Option<Spanned<String>>,
    /// `metadata.annotations`, in source order (autogen and scoring read them).
    pub annotations: Vec<(Spanned<String>, Spanned<String>)>,
    pub spec: PolicySpec,
}

impl Policy {
    pub fn annotation(&self, key: &str) -> Option<&Spanned<String>> {
        self.annotations
            .iter()
            .find(|(k, _)| k.node == key)
            .map(|(_, v)| v)
    }
}

#[derive(Clone, Debug, Default)]
pub struct PolicySpec {
    pub rules: Vec<Rule>,
    /// As written: only `Enforce`/`enforce` mean Enforce (rules.md §1.3).
    pub validation_failure_action: Option<Spanned<String>>,
    pub validation_failure_action_overrides: Vec<FailureActionOverride>,
    pub background: Option<Spanned<bool>>,
    pub admission: Option<Spanned<bool>>,
    /// `All` or `One`.
    pub apply_rules: Option<Spanned<String>>,
    /// `webhookConfiguration.matchConditions` (CEL): present means nomos cannot evaluate
    /// the policy faithfully.
    pub match_conditions: Option<Span>,
}

#[derive(Clone, Debug)]
pub struct FailureActionOverride {
    pub span: Span,
    pub action: Spanned<String>,
    pub namespaces: Option<Vec<Spanned<String>>>,
    pub namespace_selector: Option<LabelSelector>,
}

#[derive(Clone, Debug)]
pub struct Rule {
    pub span: Span,
    pub name: Spanned<String>,
    pub match_: Option<MatchBlock>,
    pub exclude: Option<MatchBlock>,
    pub context: Vec<ContextEntry>,
    pub preconditions: Option<Conditions>,
    pub body: RuleBody,
    /// `reportProperties`: values may hold templates.
    pub report_properties: Vec<(Spanned<String>, Node)>,
    /// Where a `mutate` rule (or one of its `foreach` entries) declares a non-empty
    /// `patchesJson6902`: such a rule turns autogen off for the whole policy (rules.md §3.2).
    pub patches_json6902: Option<Span>,
}

/// What kind of rule this is. Only `validate` rules produce results in nomos; the others
/// are kept so counts, autogen eligibility and diagnostics can see them.
#[derive(Clone, Debug)]
pub enum RuleBody {
    Validate(Box<Validate>),
    /// `mutate`, `generate` or `verifyImages` (the key and where it was written).
    Other(Spanned<String>),
    /// No rule type at all.
    Missing,
}

/// `match` / `exclude` (rules.md §2.1).
#[derive(Clone, Debug, Default)]
pub struct MatchBlock {
    pub span: Span,
    /// `any:` as written (`Some(vec![])` for an explicit empty list).
    pub any: Option<Vec<ResourceFilter>>,
    pub all: Option<Vec<ResourceFilter>>,
    /// The legacy filter written directly under `match`/`exclude`.
    pub legacy: Option<ResourceFilter>,
}

/// One filter: resources plus who sends the request.
#[derive(Clone, Debug, Default)]
pub struct ResourceFilter {
    pub span: Span,
    pub resources: Option<ResourceDescription>,
    pub roles: Vec<Spanned<String>>,
    pub cluster_roles: Vec<Spanned<String>>,
    pub subjects: Vec<Subject>,
}

#[derive(Clone, Debug, Default)]
pub struct ResourceDescription {
    pub span: Span,
    pub kinds: Vec<Spanned<String>>,
    pub name: Option<Spanned<String>>,
    pub names: Vec<Spanned<String>>,
    pub namespaces: Vec<Spanned<String>>,
    /// `None` when absent; `Some` (possibly empty) when written: autogen tells them apart.
    pub annotations: Option<Vec<(Spanned<String>, Spanned<String>)>>,
    pub selector: Option<LabelSelector>,
    pub namespace_selector: Option<LabelSelector>,
    pub operations: Vec<Spanned<String>>,
}

#[derive(Clone, Debug, Default)]
pub struct LabelSelector {
    pub span: Span,
    pub match_labels: Vec<(Spanned<String>, Spanned<String>)>,
    pub match_expressions: Vec<LabelRequirement>,
}

#[derive(Clone, Debug)]
pub struct LabelRequirement {
    pub span: Span,
    pub key: Spanned<String>,
    /// `In`, `NotIn`, `Exists`, `DoesNotExist`.
    pub operator: Spanned<String>,
    pub values: Vec<Spanned<String>>,
}

#[derive(Clone, Debug)]
pub struct Subject {
    pub span: Span,
    /// `User`, `Group` or `ServiceAccount`.
    pub kind: Spanned<String>,
    pub name: Spanned<String>,
    pub namespace: Option<Spanned<String>>,
}

/// A named value made available to the rule's expressions (rules.md §5).
#[derive(Clone, Debug)]
pub struct ContextEntry {
    pub span: Span,
    pub name: Spanned<String>,
    pub source: ContextSource,
}

#[derive(Clone, Debug)]
pub enum ContextSource {
    Variable {
        value: Option<Node>,
        jmes_path: Option<Spanned<String>>,
        default: Option<Node>,
    },
    ConfigMap {
        name: Node,
        namespace: Option<Node>,
    },
    /// Kept whole: supplied offline only by mocks.
    ApiCall(Node),
    ImageRegistry(Node),
    GlobalReference(Node),
    /// An entry without any source (an error when the rule runs).
    Missing,
}

/// A condition block (rules.md §6.1).
#[derive(Clone, Debug)]
pub enum Conditions {
    /// `{any: [...], all: [...]}`; `Some(vec![])` for an explicit empty list.
    AnyAll {
        span: Span,
        any: Option<Vec<Condition>>,
        all: Option<Vec<Condition>>,
    },
    /// The legacy list form.
    List {
        span: Span,
        conditions: Vec<Condition>,
    },
}

#[derive(Clone, Debug)]
pub struct Condition {
    pub span: Span,
    pub key: Option<Node>,
    pub operator: Option<Spanned<String>>,
    pub value: Option<Node>,
    pub message: Option<Spanned<String>>,
}

#[derive(Clone, Debug, Default)]
pub struct Validate {
    pub span: Span,
    pub message: Option<Spanned<String>>,
    pub failure_action: Option<Spanned<String>>,
    pub failure_action_overrides: Vec<FailureActionOverride>,
    pub allow_existing_violations: Option<Spanned<bool>>,
    pub pattern: Option<Node>,
    pub any_pattern: Option<Node>,
    pub deny: Option<Deny>,
    pub foreach: Option<Vec<Foreach>>,
    pub pod_security: Option<PodSecurity>,
    /// `cel`, `manifests`, `assert`: validations nomos does not evaluate.
    pub unsupported: Vec<Spanned<String>>,
}

#[derive(Clone, Debug)]
pub struct Deny {
    pub span: Span,
    pub conditions: Option<Conditions>,
}

#[derive(Clone, Debug, Default)]
pub struct Foreach {
    pub span: Span,
    pub list: Option<Spanned<String>>,
    pub element_scope: Option<Spanned<bool>>,
    pub context: Vec<ContextEntry>,
    pub preconditions: Option<Conditions>,
    pub pattern: Option<Node>,
    pub any_pattern: Option<Node>,
    pub deny: Option<Deny>,
    pub foreach: Option<Vec<Foreach>>,
}

/// `validate.podSecurity` (podsecurity.md §3.1).
#[derive(Clone, Debug)]
pub struct PodSecurity {
    pub span: Span,
    pub level: Option<Spanned<String>>,
    pub version: Option<Spanned<String>>,
    pub exclude: Vec<PodSecurityExclude>,
}

#[derive(Clone, Debug)]
pub struct PodSecurityExclude {
    pub span: Span,
    pub control_name: Option<Spanned<String>>,
    pub images: Vec<Spanned<String>>,
    pub restricted_field: Option<Spanned<String>>,
    pub values: Vec<Spanned<String>>,
}
