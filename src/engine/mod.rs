//! Evaluation of compiled policies over admission payloads, one Kyverno concept per file.

pub mod checks;
pub mod conditions;
pub mod context;
pub mod evaluate;
pub mod foreach;
pub mod images;
pub mod loader;
pub mod matching;
pub mod messages;
pub mod offline;
pub mod operators;
pub mod pattern;
pub mod podsecurity;
pub mod presence;
pub mod request;
pub mod rule;
pub mod scalar;
pub mod selector;
pub mod sources;
pub mod units;
