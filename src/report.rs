//! Results: what evaluating one rule on one resource produced. Kyverno's outcomes are data
//! here: a failed rule is a `RuleResult`, not a Rust error.

use std::fmt;
use std::ops::Deref;
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

/// The response of one rule. It borrows from the policy set that gave it (`'s`): the
/// rule's name and the texts the set holds, such as a rule's pass message.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleResponse<'s> {
    pub rule: &'s str,
    pub status: Status,
    pub message: Message<'s>,
    /// The rule's effective failure action is Enforce (a failure blocks admission).
    pub enforce: bool,
    /// What few responses carry, held apart: a response is moved several times on its
    /// way out, and stays small to move.
    pub extras: Option<Box<Extras>>,
}

/// The rarely set parts of a [`RuleResponse`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Extras {
    /// Keys (`namespace/name`) of the exceptions that made the rule skip.
    pub exceptions: Vec<String>,
    /// `reportProperties` and podSecurity details, in insertion order.
    pub properties: Vec<(String, String)>,
}

impl<'s> RuleResponse<'s> {
    pub fn new(rule: &'s str, status: Status, message: impl Into<Message<'s>>) -> Self {
        RuleResponse {
            rule,
            status,
            message: message.into(),
            enforce: false,
            extras: None,
        }
    }

    /// Keys (`namespace/name`) of the exceptions that made the rule skip.
    pub fn exceptions(&self) -> &[String] {
        self.extras.as_ref().map_or(&[], |e| &e.exceptions)
    }

    /// `reportProperties` and podSecurity details, in insertion order.
    pub fn properties(&self) -> &[(String, String)] {
        self.extras.as_ref().map_or(&[], |e| &e.properties)
    }
}

/// A response's message: written for the response, or borrowed from the policy set (a
/// rule's pass message is written once, when the rule is compiled) or from the engine's
/// fixed texts.
#[derive(Clone, Debug)]
pub enum Message<'s> {
    Owned(String),
    Borrowed(&'s str),
}

impl Deref for Message<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            Message::Owned(text) => text,
            Message::Borrowed(text) => text,
        }
    }
}

impl Default for Message<'_> {
    fn default() -> Self {
        Message::Borrowed("")
    }
}

impl PartialEq for Message<'_> {
    /// Messages are equal when their texts are, however each is held.
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl PartialEq<str> for Message<'_> {
    fn eq(&self, other: &str) -> bool {
        &**self == other
    }
}

impl PartialEq<&str> for Message<'_> {
    fn eq(&self, other: &&str) -> bool {
        &**self == *other
    }
}

impl fmt::Display for Message<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self)
    }
}

impl serde::Serialize for Message<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self)
    }
}

impl From<String> for Message<'_> {
    fn from(text: String) -> Self {
        Message::Owned(text)
    }
}

/// A copy of the text: a borrowed message is made with [`Message::Borrowed`].
impl From<&str> for Message<'_> {
    fn from(text: &str) -> Self {
        Message::Owned(text.to_string())
    }
}

/// Everything one policy said about one resource (possibly nothing: no rule applied).
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyResponse<'s> {
    /// Index of the policy in the compiled set.
    pub policy: usize,
    pub rules: RuleResponses<'s>,
}

/// A policy's rule responses. Most policies answer a resource with one rule (the others
/// are for other kinds), so one is held in place: a list allocated per policy per request
/// was a tenth of an evaluation's allocations.
pub type RuleResponses<'s> = smallvec::SmallVec<[RuleResponse<'s>; 1]>;

#[cfg(test)]
mod tests {
    use super::Message;

    /// A borrowed message reads, compares and serialises as the same text written out.
    #[test]
    fn a_message_is_its_text_however_held() {
        let text = String::from("validation rule 'r' passed.");
        let borrowed = Message::Borrowed(&text);
        let owned = Message::from(String::from("validation rule 'r' passed."));
        let copied = Message::from(text.as_str());
        assert!(matches!(copied, Message::Owned(_)));
        assert_eq!(borrowed, owned);
        assert_eq!(copied, owned);
        assert_eq!(borrowed, "validation rule 'r' passed.");
        assert_ne!(borrowed, Message::from("validation rule 'q' passed."));
        assert_eq!(borrowed.to_string(), *owned);
        let json = |m: &Message| serde_json::to_string(m).expect("a string serialises");
        assert_eq!(json(&borrowed), json(&owned));
        assert_eq!(json(&borrowed), r#""validation rule 'r' passed.""#);
        assert_eq!(*Message::default(), *"");
    }
}
