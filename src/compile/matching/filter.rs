//! One `ResourceFilter` compiled: resource patterns, label selectors, operations and the
//! user-info part, plus the two notions of "empty" Kyverno uses (rules.md §2.1–2.2,
//! podsecurity.md §4.3).

use crate::engine::request::Operation;
use crate::ir;
use crate::source::Span;

use super::kinds::KindSelector;
use super::pattern::Pattern;
use super::selector::LabelSelector;

/// A compiled filter (an `any`/`all` entry, or the legacy filter of a block).
#[derive(Clone, Debug)]
pub struct Filter {
    pub span: Span,
    pub(crate) resources: Resources,
    pub(crate) user: UserFilter,
    /// Nothing at all written under `resources` (Kyverno compares the description with its
    /// zero value: an `annotations: {}` or an `operations` list makes it non-empty).
    pub(crate) zero_resources: bool,
    /// Kyverno's `IsEmpty()` for the whole filter, as exceptions use it: operations and an
    /// empty annotation map do not count.
    pub(crate) blank: bool,
    /// Only `kinds` is written (the usual `kinds: [Pod]`): in a rule's `match` or
    /// `exclude`, the kinds alone decide the filter.
    pub(crate) kinds_only: bool,
}

/// The compiled `resources` part.
#[derive(Clone, Debug, Default)]
pub(crate) struct Resources {
    pub(crate) kinds: Vec<KindSelector>,
    /// Some entry of `kinds` is exactly `*`.
    pub(crate) bare_wildcard_kind: bool,
    pub(crate) name: Option<Pattern>,
    pub(crate) names: Vec<Pattern>,
    pub(crate) namespaces: Vec<Pattern>,
    pub(crate) annotations: Vec<(Pattern, Pattern)>,
    pub(crate) selector: Option<LabelSelector>,
    pub(crate) namespace_selector: Option<LabelSelector>,
    /// `None` for a spelling that is not an operation: it never matches.
    pub(crate) operations: Vec<Option<Operation>>,
}

/// The compiled `roles` / `clusterRoles` / `subjects` part.
#[derive(Clone, Debug, Default)]
pub(crate) struct UserFilter {
    pub(crate) roles: Vec<Box<str>>,
    pub(crate) cluster_roles: Vec<Box<str>>,
    pub(crate) subjects: Vec<SubjectPattern>,
}

/// A subject, as the pattern it applies to the requesting user.
#[derive(Clone, Debug)]
pub(crate) enum SubjectPattern {
    /// `W(name, username)`.
    User(Pattern),
    /// `W(name, g)` for some group `g`.
    Group(Pattern),
    /// `W("system:serviceaccount:<namespace>:<name>", username)`.
    ServiceAccount(Pattern),
    /// Any other kind: never matches.
    Unknown,
}

impl UserFilter {
    pub(crate) fn is_empty(&self) -> bool {
        self.roles.is_empty() && self.cluster_roles.is_empty() && self.subjects.is_empty()
    }
}

impl Filter {
    pub fn compile(filter: &ir::ResourceFilter) -> Filter {
        let description = filter.resources.as_ref();
        let resources = description.map(resources).unwrap_or_default();
        let user = user_filter(filter);
        let zero_resources = description.is_none_or(is_zero);
        let blank = user.is_empty() && description.is_none_or(is_blank);
        let kinds_only = user.is_empty()
            && description.is_some_and(|d| {
                !d.kinds.is_empty() && blank_but_kinds(d) && d.operations.is_empty()
            });
        Filter {
            span: filter.span,
            resources,
            user,
            zero_resources,
            blank,
            kinds_only,
        }
    }

    /// The compiled `kinds` entries of this filter.
    pub fn kinds(&self) -> &[KindSelector] {
        &self.resources.kinds
    }
}

fn resources(d: &ir::ResourceDescription) -> Resources {
    let patterns = |list: &[crate::source::Spanned<String>]| {
        list.iter().map(|s| Pattern::new(&s.node)).collect()
    };
    Resources {
        kinds: d.kinds.iter().map(KindSelector::parse).collect(),
        bare_wildcard_kind: d.kinds.iter().any(|k| k.node == "*"),
        name: written_name(d).map(Pattern::new),
        names: patterns(&d.names),
        namespaces: patterns(&d.namespaces),
        annotations: d
            .annotations
            .iter()
            .flatten()
            .map(|(k, v)| (Pattern::new(&k.node), Pattern::new(&v.node)))
            .collect(),
        selector: d.selector.as_ref().map(LabelSelector::compile),
        namespace_selector: d.namespace_selector.as_ref().map(LabelSelector::compile),
        operations: d.operations.iter().map(|o| o.node.parse().ok()).collect(),
    }
}

/// `name`, unless absent or empty (Kyverno cannot tell the two apart).
pub(crate) fn written_name(d: &ir::ResourceDescription) -> Option<&str> {
    d.name
        .as_ref()
        .map(|n| n.node.as_str())
        .filter(|n| !n.is_empty())
}

fn is_zero(d: &ir::ResourceDescription) -> bool {
    is_blank(d) && d.annotations.is_none() && d.operations.is_empty()
}

fn is_blank(d: &ir::ResourceDescription) -> bool {
    d.kinds.is_empty() && blank_but_kinds(d)
}

/// Nothing but `kinds` (and an empty `annotations` map) written.
fn blank_but_kinds(d: &ir::ResourceDescription) -> bool {
    written_name(d).is_none()
        && d.names.is_empty()
        && d.namespaces.is_empty()
        && d.annotations.as_ref().is_none_or(Vec::is_empty)
        && d.selector.is_none()
        && d.namespace_selector.is_none()
}

fn user_filter(filter: &ir::ResourceFilter) -> UserFilter {
    let strings = |list: &[crate::source::Spanned<String>]| {
        list.iter().map(|s| s.node.as_str().into()).collect()
    };
    UserFilter {
        roles: strings(&filter.roles),
        cluster_roles: strings(&filter.cluster_roles),
        subjects: filter.subjects.iter().map(subject).collect(),
    }
}

fn subject(s: &ir::Subject) -> SubjectPattern {
    match s.kind.node.as_str() {
        "User" => SubjectPattern::User(Pattern::new(&s.name.node)),
        "Group" => SubjectPattern::Group(Pattern::new(&s.name.node)),
        "ServiceAccount" => {
            let namespace = s.namespace.as_ref().map_or("", |n| n.node.as_str());
            let username = format!("system:serviceaccount:{namespace}:{}", s.name.node);
            SubjectPattern::ServiceAccount(Pattern::new(&username))
        }
        _ => SubjectPattern::Unknown,
    }
}
