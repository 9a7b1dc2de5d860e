//! IR → compiled policy set: every wildcard, kind selector, template, expression and
//! pattern is parsed here, once, so the engine never parses a string per resource.

pub mod autogen;
pub mod matching;
pub mod pattern;
