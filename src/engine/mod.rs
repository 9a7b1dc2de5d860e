//! Evaluation of compiled policies over admission payloads, one Kyverno concept per file.

pub mod checks;
pub mod conditions;
pub mod foreach;
pub mod context;
pub mod loader;
pub mod matching;
pub mod messages;
pub mod operators;
pub mod pattern;
pub mod podsecurity;
pub mod rule;
pub mod request;
pub mod scalar;
pub mod units;
