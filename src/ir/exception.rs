//! Kyverno `PolicyException` documents (podsecurity.md §4) as plain spanned data.

use crate::source::{Span, Spanned};

use super::policy::{Conditions, MatchBlock, PodSecurityExclude};

#[derive(Clone, Debug)]
pub struct PolicyException {
    pub span: Span,
    pub api_version: Spanned<String>,
    pub name: Spanned<String>,
    pub namespace: Option<Spanned<String>>,
    pub background: Option<Spanned<bool>>,
    pub exceptions: Vec<ExceptionTarget>,
    pub match_: Option<MatchBlock>,
    pub conditions: Option<Conditions>,
    pub pod_security: Vec<PodSecurityExclude>,
}

impl PolicyException {
    /// `<namespace>/<name>`, or `<name>` without a namespace: how results name it.
    pub fn key(&self) -> String {
        match &self.namespace {
            Some(ns) if !ns.node.is_empty() => format!("{}/{}", ns.node, self.name.node),
            _ => self.name.node.clone(),
        }
    }
}

/// One `exceptions[]` entry: which policy and which of its rules.
#[derive(Clone, Debug)]
pub struct ExceptionTarget {
    pub span: Span,
    pub policy_name: Spanned<String>,
    pub rule_names: Vec<Spanned<String>>,
}
