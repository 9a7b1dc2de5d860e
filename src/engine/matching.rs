//! Does a compiled `match` / `exclude` / exception block select a request? Takes a
//! [`MatchRequest`] borrowed from the object, returns a boolean, allocates nothing
//! (rules.md §1.1, §2; podsecurity.md §4.3).

use serde_json::Value;

use crate::compile::matching::{
    Combine, Filter, Flavor, KindVerdicts, Matcher, Resources, SubjectPattern, UserFilter,
};

use super::request::{Operation, UserInfo};
use super::selector::StringMap;

/// What a block is matched against: the request's resource kind and the matched object
/// (the new object, or the old one for a DELETE; rules.md §2.7), borrowed.
#[derive(Clone, Copy, Debug, Default)]
pub struct MatchRequest<'a> {
    /// Group, version and kind of the request (in the CLI: of the object itself).
    pub group: &'a str,
    pub version: &'a str,
    pub kind: &'a str,
    /// `""` unless the request is for a subresource.
    pub subresource: &'a str,
    /// The object's own `kind` field (decides the `Namespace` and kind-less cases).
    pub object_kind: &'a str,
    pub name: &'a str,
    pub generate_name: &'a str,
    /// `""` for cluster-scoped objects.
    pub namespace: &'a str,
    pub labels: StringMap<'a>,
    pub annotations: StringMap<'a>,
    pub operation: Operation,
    /// `None`, like an empty `UserInfo`, means no user information at all.
    pub user: Option<&'a UserInfo>,
    /// The labels of the object's namespace (none known: empty).
    pub namespace_labels: StringMap<'a>,
}

impl<'a> MatchRequest<'a> {
    /// A CREATE request for `object`, its kind taken from its own `apiVersion`/`kind`,
    /// without user information or namespace labels (set those fields as needed).
    pub fn for_object(object: &'a Value) -> MatchRequest<'a> {
        // The object's and its metadata's keys are read in one pass each, not searched.
        let text = |v: &'a Value| v.as_str().unwrap_or("");
        let (mut api_version, mut object_kind, mut meta) = ("", "", None);
        for (key, value) in object.as_object().into_iter().flatten() {
            match key.as_str() {
                "apiVersion" => api_version = text(value),
                "kind" => object_kind = text(value),
                "metadata" => meta = value.as_object(),
                _ => {}
            }
        }
        let (group, version, kind) = match split_api_version(api_version) {
            Some((group, version)) => (group, version, object_kind),
            // Kubernetes reads an unparsable apiVersion as an empty group/version/kind.
            None => ("", "", ""),
        };
        let mut request = MatchRequest {
            group,
            version,
            kind,
            object_kind,
            ..MatchRequest::default()
        };
        for (key, value) in meta.into_iter().flatten() {
            match key.as_str() {
                "name" => request.name = text(value),
                "generateName" => request.generate_name = text(value),
                "namespace" => request.namespace = text(value),
                "labels" => request.labels = StringMap::new(value.as_object()),
                "annotations" => request.annotations = StringMap::new(value.as_object()),
                _ => {}
            }
        }
        request
    }

    /// `metadata.name`, or `metadata.generateName` when the name is empty.
    pub fn resource_name(&self) -> &'a str {
        if self.name.is_empty() {
            self.generate_name
        } else {
            self.name
        }
    }
}

/// `group/version` or `version`; more than one `/` is not an API version.
fn split_api_version(api_version: &str) -> Option<(&str, &str)> {
    match api_version.split_once('/') {
        Some((_, version)) if version.contains('/') => None,
        Some(pair) => Some(pair),
        None => Some(("", api_version)),
    }
}

/// Does a rule apply: its `match` selects the request and its `exclude` (if any) does not.
/// The verdicts of named kinds are shared through `verdicts`, which belongs to this request.
#[inline]
pub fn rule_applies(
    match_: &Matcher,
    exclude: Option<&Matcher>,
    request: &MatchRequest<'_>,
    verdicts: &mut KindVerdicts,
) -> bool {
    match_.matches_shared(request, verdicts)
        && !exclude.is_some_and(|e| e.matches_shared(request, verdicts))
}

/// A namespaced `Policy` only sees objects of its own namespace (an unset namespace is
/// `default`); cluster-scoped objects and `Namespace` objects have namespace `""` and so
/// never match (rules.md §1.1). Call it for the old object too when there is one.
pub fn in_policy_namespace(policy_namespace: Option<&str>, object_namespace: &str) -> bool {
    let policy_namespace = policy_namespace
        .filter(|n| !n.is_empty())
        .unwrap_or("default");
    policy_namespace == object_namespace
}

impl Matcher {
    /// Does this block select the request? For a `match` block: the rule is a candidate;
    /// for an `exclude` block: the request is excluded; for an exception: it applies.
    pub fn matches(&self, request: &MatchRequest<'_>) -> bool {
        // Filters of kinds alone are decided by the kinds, without looking at the user.
        if self.kinds_only {
            // Without a subresource, named kinds decide at once; a subresource takes the
            // long way (a Pod entry also selects a Pod's `ephemeralcontainers`).
            if let Some(kinds) = &self.named_kinds
                && request.subresource.is_empty()
            {
                let (group, version, kind) = (request.group, request.version, request.kind);
                return kinds.iter().any(|k| k.selects(group, version, kind));
            }
            return self.combined(|f| kinds_match(&f.resources, request, true));
        }
        let user = request.user.filter(|u| !u.is_empty());
        self.combined(|f| self.filter_matches(f, request, user))
    }

    /// [`Matcher::matches`], the verdict of named kinds taken from `verdicts` (which
    /// belongs to this request) when another matcher with the same kinds gave it.
    #[inline]
    pub fn matches_shared(&self, request: &MatchRequest<'_>, verdicts: &mut KindVerdicts) -> bool {
        match self.kinds_slot {
            Some(slot) if request.subresource.is_empty() => {
                verdicts.get_or(slot, || self.matches(request))
            }
            _ => self.matches(request),
        }
    }

    /// The filters' verdicts, each from `one`, combined as the block says.
    #[inline]
    fn combined(&self, one: impl FnMut(&Filter) -> bool) -> bool {
        match self.combine {
            Combine::Any => self.filters.iter().any(one),
            Combine::All => self.filters.iter().all(one),
            Combine::Never => false,
        }
    }

    fn filter_matches(
        &self,
        filter: &Filter,
        request: &MatchRequest<'_>,
        user: Option<&UserInfo>,
    ) -> bool {
        // A filter of kinds alone has no user part and is not empty: its kinds decide.
        if filter.kinds_only && self.flavor != Flavor::Exception {
            return kinds_match(&filter.resources, request, true);
        }
        // Without any user information, `match` filters lose their user-info part, while
        // `exclude` filters and exceptions test it against the empty user (rules.md §2.2).
        let user_filter = match (self.flavor, user) {
            (Flavor::Match, None) => None,
            _ => Some(&filter.user).filter(|u| !u.is_empty()),
        };
        let empty = match self.flavor {
            Flavor::Exception => filter.blank,
            Flavor::Match | Flavor::Exclude => filter.zero_resources && user_filter.is_none(),
        };
        !empty
            && resources_match(&filter.resources, request, self.flavor)
            && user_filter.is_none_or(|u| user_matches(u, user.unwrap_or(&UserInfo::EMPTY)))
    }
}

fn resources_match(r: &Resources, request: &MatchRequest<'_>, flavor: Flavor) -> bool {
    let exception = flavor == Flavor::Exception;
    // Exceptions do not look at `operations`.
    (exception || operation_matches(r, request.operation))
        && kinds_match(r, request, !exception)
        && names_match(r, request)
        && namespaces_match(r, request)
        && annotations_match(r, request.annotations)
        && r.selector
            .as_ref()
            .is_none_or(|s| s.matches(request.labels))
        && namespace_selector_matches(r, request, flavor)
}

fn operation_matches(r: &Resources, operation: Operation) -> bool {
    r.operations.is_empty() || r.operations.contains(&Some(operation))
}

#[inline]
fn kinds_match(r: &Resources, request: &MatchRequest<'_>, ephemeral: bool) -> bool {
    let gvk = [request.group, request.version, request.kind];
    r.kinds.is_empty()
        || r.kinds
            .iter()
            .any(|k| k.matches(gvk, request.subresource, ephemeral))
}

fn names_match(r: &Resources, request: &MatchRequest<'_>) -> bool {
    let name = request.resource_name();
    r.name.as_ref().is_none_or(|p| p.matches(name))
        && (r.names.is_empty() || r.names.iter().any(|p| p.matches(name)))
}

/// For a `Namespace` object the entries are compared with its own name.
fn namespaces_match(r: &Resources, request: &MatchRequest<'_>) -> bool {
    let namespace = if request.object_kind == "Namespace" {
        request.name
    } else {
        request.namespace
    };
    r.namespaces.is_empty() || r.namespaces.iter().any(|p| p.matches(namespace))
}

/// Every pattern pair must match some annotation.
fn annotations_match(r: &Resources, annotations: StringMap<'_>) -> bool {
    r.annotations.iter().all(|(kp, vp)| {
        annotations
            .iter()
            .any(|(k, v)| kp.matches(k) && vp.matches(v))
    })
}

/// Rules: never matches a `Namespace` object, and is skipped for an object without kind
/// unless `kinds` holds the bare `*`. Exceptions: skipped for both.
fn namespace_selector_matches(r: &Resources, request: &MatchRequest<'_>, flavor: Flavor) -> bool {
    let Some(selector) = &r.namespace_selector else {
        return true;
    };
    let kind = request.object_kind;
    let evaluated = match flavor {
        Flavor::Exception => kind != "Namespace" && !kind.is_empty(),
        Flavor::Match | Flavor::Exclude if kind == "Namespace" => return false,
        Flavor::Match | Flavor::Exclude => !kind.is_empty() || r.bare_wildcard_kind,
    };
    !evaluated || selector.matches(request.namespace_labels)
}

/// Each user-info field that is given must hold (roles and cluster roles: any overlap).
fn user_matches(f: &UserFilter, user: &UserInfo) -> bool {
    let overlap = |wanted: &[Box<str>], held: &[String]| {
        wanted.is_empty() || wanted.iter().any(|w| held.iter().any(|h| **w == **h))
    };
    overlap(&f.roles, &user.roles)
        && overlap(&f.cluster_roles, &user.cluster_roles)
        && (f.subjects.is_empty() || f.subjects.iter().any(|s| subject_matches(s, user)))
}

fn subject_matches(subject: &SubjectPattern, user: &UserInfo) -> bool {
    match subject {
        SubjectPattern::User(p) | SubjectPattern::ServiceAccount(p) => p.matches(&user.username),
        SubjectPattern::Group(p) => user.groups.iter().any(|g| p.matches(g)),
        SubjectPattern::Unknown => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_versions_split_into_group_and_version() {
        assert_eq!(split_api_version("apps/v1"), Some(("apps", "v1")));
        assert_eq!(split_api_version("v1"), Some(("", "v1")));
        assert_eq!(split_api_version(""), Some(("", "")));
        assert_eq!(split_api_version("a/b/c"), None);
    }

    #[test]
    fn policy_namespace_defaults_to_default() {
        assert!(in_policy_namespace(None, "default"));
        assert!(in_policy_namespace(Some(""), "default"));
        assert!(!in_policy_namespace(Some("team"), ""));
        assert!(in_policy_namespace(Some("team"), "team"));
    }
}
