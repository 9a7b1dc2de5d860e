//! What a policy says, as plain spanned data: no evaluation, no parser types. Every source
//! format (Kyverno YAML today, nomos' rule language later) lowers into these types.

pub mod json;

pub use json::{Entry, Node, NodeValue};
