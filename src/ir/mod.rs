//! What a policy says, as plain spanned data: no evaluation, no parser types. Every source
//! format (Kyverno YAML today, nomos' rule language later) lowers into these types.

pub mod exception;
pub mod inputs;
pub mod json;
pub mod offline;
pub mod policy;
pub mod visit;

pub use exception::{ExceptionTarget, PolicyException};
pub use json::{Entry, Node, NodeValue};
pub use policy::*;

/// Everything loaded for one run: policies and exceptions, in load order.
#[derive(Clone, Debug, Default)]
pub struct PolicySet {
    pub policies: Vec<Policy>,
    pub exceptions: Vec<PolicyException>,
}
