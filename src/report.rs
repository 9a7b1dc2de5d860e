//! Results: what evaluating one rule on one resource produced. Kyverno's outcomes are data
//! here: a failed rule is a `RuleResult`, not a Rust error.

use std::fmt;
use std::str::FromStr;

/// Kyverno's rule statuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    Pass,
    Fail,
    Warn,
    Error,
    Skip,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Pass,
        Status::Fail,
        Status::Warn,
        Status::Error,
        Status::Skip,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Warn => "warn",
            Status::Error => "error",
            Status::Skip => "skip",
        }
    }

    /// `Pass`, `Fail`, ... as tables print it.
    pub fn title(self) -> &'static str {
        match self {
            Status::Pass => "Pass",
            Status::Fail => "Fail",
            Status::Warn => "Warn",
            Status::Error => "Error",
            Status::Skip => "Skip",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| {
                format!("unknown result {s:?}: expected pass, fail, warn, error or skip")
            })
    }
}

/// Which resource a result is about.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct ResourceRef {
    pub api_version: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

impl ResourceRef {
    /// `<apiVersion>/<kind>/<namespace>/<name>`, as `kyverno test` tables show it.
    pub fn test_key(&self) -> String {
        format!(
            "{}/{}/{}/{}",
            self.api_version, self.kind, self.namespace, self.name
        )
    }

    /// `<namespace>/<kind>/<name>` (or `<kind>/<name>`), as `kyverno apply` shows it.
    pub fn apply_key(&self) -> String {
        if self.namespace.is_empty() {
            format!("{}/{}", self.kind, self.name)
        } else {
            format!("{}/{}/{}", self.namespace, self.kind, self.name)
        }
    }
}

/// The response of one rule.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleResponse {
    pub rule: std::sync::Arc<str>,
    pub status: Status,
    pub message: String,
    /// Keys (`namespace/name`) of the exceptions that made the rule skip.
    pub exceptions: Vec<String>,
    /// `reportProperties` and podSecurity details, in insertion order.
    pub properties: Vec<(String, String)>,
    /// The rule's effective failure action is Enforce (a failure blocks admission).
    pub enforce: bool,
}

impl RuleResponse {
    pub fn new(
        rule: impl Into<std::sync::Arc<str>>,
        status: Status,
        message: impl Into<String>,
    ) -> Self {
        RuleResponse {
            rule: rule.into(),
            status,
            message: message.into(),
            exceptions: Vec::new(),
            properties: Vec::new(),
            enforce: false,
        }
    }
}

/// Everything one policy said about one resource (possibly nothing: no rule applied).
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyResponse {
    /// Index of the policy in the compiled set.
    pub policy: usize,
    pub rules: Vec<RuleResponse>,
}
