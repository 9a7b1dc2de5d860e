//! Loading what a run names: policy documents (ClusterPolicy, Policy and, when mixed in,
//! PolicyException), exception files, and single-document files such as values and
//! user-info files. Shared by `nomos apply` and `nomos test`.

use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::ir::{self, Node};
use crate::load::kyverno::{Decoded, decode};
use crate::load::{self, Loaded};
use crate::source::SourceMap;

/// Why loading stopped, and the diagnostics that say so.
pub type LoadError = (String, Vec<Diagnostic>);

pub fn policy_set(loaded: &Loaded<Node>) -> Result<ir::PolicySet, LoadError> {
    let mut set = ir::PolicySet::default();
    let mut diagnostics = Vec::new();
    for node in &loaded.documents {
        match decode(node) {
            Ok(Decoded::Policy(p)) => set.policies.push(*p),
            Ok(Decoded::Exception(e)) => set.exceptions.push(*e),
            Ok(Decoded::Other { api_version, kind }) => diagnostics.push(
                Diagnostic::error(format!(
                    "policy type not supported {api_version}, Kind={kind}"
                ))
                .at(node.span),
            ),
            Err(ds) => diagnostics.extend(ds),
        }
    }
    if diagnostics.is_empty() {
        Ok(set)
    } else {
        Err(("policies could not be decoded".into(), diagnostics))
    }
}

/// Every document of an exceptions file must be a PolicyException (podsecurity.md §4.8).
pub fn exception_docs(loaded: &Loaded<Node>) -> Result<Vec<ir::PolicyException>, LoadError> {
    let mut out = Vec::new();
    let mut diagnostics = Vec::new();
    for node in &loaded.documents {
        match decode(node) {
            Ok(Decoded::Exception(e)) => out.push(*e),
            Ok(Decoded::Policy(p)) => diagnostics.push(
                Diagnostic::error(format!(
                    "policy exception type not supported {}, Kind={}",
                    p.api_version.node,
                    p.kind.as_str()
                ))
                .at(node.span),
            ),
            Ok(Decoded::Other { api_version, kind }) => diagnostics.push(
                Diagnostic::error(format!(
                    "policy exception type not supported {api_version}, Kind={kind}"
                ))
                .at(node.span),
            ),
            Err(ds) => diagnostics.extend(ds),
        }
    }
    if diagnostics.is_empty() {
        Ok(out)
    } else {
        Err(("exceptions could not be decoded".into(), diagnostics))
    }
}

pub fn one_file<T>(
    path: &Path,
    sources: &mut SourceMap,
    decode: fn(&Node) -> Result<T, Vec<Diagnostic>>,
) -> Result<T, LoadError> {
    let loaded = load::load_nodes(&[path], sources);
    if loaded.has_errors() {
        return Err((
            format!("{} could not be loaded", path.display()),
            loaded.diagnostics,
        ));
    }
    let node = loaded
        .documents
        .first()
        .ok_or_else(|| (format!("{} is empty", path.display()), Vec::new()))?;
    decode(node).map_err(|ds| (format!("{} is not valid", path.display()), ds))
}
