//! Kyverno documents (spanned YAML) → IR. Every problem of a document is reported, with
//! the field path and position; a document with errors yields no IR.

mod conditions;
mod document;
mod matching;
mod rule;

use crate::diagnostic::Diagnostic;
use crate::ir::{Node, Policy, PolicyException, PolicyKind};

/// What a document turned out to be.
#[derive(Debug)]
pub enum Decoded {
    Policy(Box<Policy>),
    Exception(Box<PolicyException>),
    /// Any other `apiVersion`/`kind` (e.g. a Pod): not ours to decode.
    Other {
        api_version: String,
        kind: String,
    },
}

/// Decodes one document; `Err` holds every diagnostic found.
pub fn decode(node: &Node) -> Result<Decoded, Vec<Diagnostic>> {
    let (api_version, kind) = document::type_of(node);
    let (api_version, kind) = (api_version.unwrap_or_default(), kind.unwrap_or_default());
    let mut d = crate::load::fields::Decoder::default();
    let decoded = if document::is_policy(api_version, kind) {
        let policy_kind = if kind == "Policy" {
            PolicyKind::Policy
        } else {
            PolicyKind::ClusterPolicy
        };
        document::policy(&mut d, node, policy_kind).map(|p| Decoded::Policy(Box::new(p)))
    } else if document::is_exception(api_version, kind) {
        document::exception(&mut d, node).map(|e| Decoded::Exception(Box::new(e)))
    } else {
        return Ok(Decoded::Other {
            api_version: api_version.to_string(),
            kind: kind.to_string(),
        });
    };
    match decoded {
        Some(doc) if d.diagnostics.is_empty() => Ok(doc),
        _ if d.diagnostics.is_empty() => Err(vec![
            Diagnostic::error(format!("{kind} could not be decoded")).at(node.span),
        ]),
        _ => Err(d.diagnostics),
    }
}
