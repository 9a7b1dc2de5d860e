//! Evaluation of compiled policies over admission payloads, one Kyverno concept per file.

pub mod matching;
pub mod request;
pub mod selector;
