//! Results: what evaluating one rule on one resource produced. Kyverno's outcomes are data
//! here: a failed rule is a `RuleResult`, not a Rust error.

use std::fmt;
use std::ops::Deref;
use std::str::FromStr;
use std::sync::Arc;

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
    pub rule: Arc<str>,
    pub status: Status,
    pub message: Message,
    /// Keys (`namespace/name`) of the exceptions that made the rule skip.
    pub exceptions: Vec<String>,
    /// `reportProperties` and podSecurity details, in insertion order.
    pub properties: Vec<(String, String)>,
    /// The rule's effective failure action is Enforce (a failure blocks admission).
    pub enforce: bool,
}

impl RuleResponse {
    pub fn new(rule: impl Into<Arc<str>>, status: Status, message: impl Into<Message>) -> Self {
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

/// A response's message: written for the response, shared by every response that says
/// the same (a rule's pass message is written once, when the rule is compiled), or one of
/// the engine's fixed texts.
#[derive(Clone, Debug)]
pub enum Message {
    Owned(String),
    Shared(Arc<str>),
    Fixed(&'static str),
}

impl Deref for Message {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            Message::Owned(text) => text,
            Message::Shared(text) => text,
            Message::Fixed(text) => text,
        }
    }
}

impl Default for Message {
    fn default() -> Message {
        Message::Owned(String::new())
    }
}

impl PartialEq for Message {
    /// Messages are equal when their texts are, however each is held.
    fn eq(&self, other: &Message) -> bool {
        **self == **other
    }
}

impl PartialEq<str> for Message {
    fn eq(&self, other: &str) -> bool {
        &**self == other
    }
}

impl PartialEq<&str> for Message {
    fn eq(&self, other: &&str) -> bool {
        &**self == *other
    }
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self)
    }
}

impl serde::Serialize for Message {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self)
    }
}

impl From<String> for Message {
    fn from(text: String) -> Message {
        Message::Owned(text)
    }
}

impl From<&str> for Message {
    fn from(text: &str) -> Message {
        Message::Owned(text.to_string())
    }
}

impl From<Arc<str>> for Message {
    fn from(text: Arc<str>) -> Message {
        Message::Shared(text)
    }
}

/// Everything one policy said about one resource (possibly nothing: no rule applied).
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyResponse {
    /// Index of the policy in the compiled set.
    pub policy: usize,
    pub rules: RuleResponses,
}

/// A policy's rule responses. Most policies answer a resource with one rule (the others
/// are for other kinds), so one is held in place: a list allocated per policy per request
/// was a tenth of an evaluation's allocations.
pub type RuleResponses = smallvec::SmallVec<[RuleResponse; 1]>;

#[cfg(test)]
mod tests {
    use super::Message;

    /// A shared message reads, compares and serialises as the same text written out.
    #[test]
    fn a_message_is_its_text_however_held() {
        let shared = Message::from(std::sync::Arc::<str>::from("validation rule 'r' passed."));
        let owned = Message::from(String::from("validation rule 'r' passed."));
        let fixed = Message::Fixed("validation rule 'r' passed.");
        assert_eq!(shared, owned);
        assert_eq!(fixed, owned);
        assert_eq!(shared, "validation rule 'r' passed.");
        assert_ne!(shared, Message::from("validation rule 'q' passed."));
        assert_eq!(shared.to_string(), *owned);
        let json = |m: &Message| serde_json::to_string(m).expect("a string serialises");
        assert_eq!(json(&shared), json(&owned));
        assert_eq!(json(&fixed), json(&owned));
        assert_eq!(json(&shared), r#""validation rule 'r' passed.""#);
    }
}
