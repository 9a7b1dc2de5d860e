//! Condition blocks (rules.md §6.1): the any/all form and the legacy list, their
//! short-circuit order, and the block message used in skip and fail messages.

use serde_json::Value;

use super::operators::{self, Operator};
use crate::compile::matching::Pattern as Wildcard;

/// One condition, its key and value in whatever form the caller substitutes.
#[derive(Clone, Debug)]
pub struct Condition<T> {
    pub key: T,
    pub operator: Operator,
    pub value: T,
    pub message: String,
    /// When the value is a fixed list of strings: each compiled as a wildcard, in order.
    pub wildcards: Option<Box<[Wildcard]>>,
}

#[derive(Clone, Debug)]
pub enum Block<T> {
    AnyAll {
        /// `Some(vec![])` for an explicit empty list, which is false (quirk).
        any: Option<Vec<Condition<T>>>,
        all: Option<Vec<Condition<T>>>,
    },
    List(Vec<Condition<T>>),
}

/// Which operand failed to substitute.
#[derive(Clone, Debug, PartialEq)]
pub enum Operand {
    Key,
    Value,
}

/// A substitution error, named by operand as Kyverno words it.
#[derive(Clone, Debug, PartialEq)]
pub struct SubstitutionError {
    pub operand: Operand,
    pub message: String,
}

impl std::fmt::Display for SubstitutionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let which = match self.operand {
            Operand::Key => "key",
            Operand::Value => "value",
        };
        write!(
            f,
            "failed to substitute variables in condition {which}: {}",
            self.message
        )
    }
}

/// The result of a block: whether it held, and the messages of the conditions that
/// decided it, joined only when the message is asked for (most blocks' never is).
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict<'a> {
    pub holds: bool,
    parts: Vec<&'a str>,
    separator: &'static str,
}

impl<'a> Verdict<'a> {
    /// A block that holds, with no message (an absent block).
    pub fn holding() -> Verdict<'a> {
        Verdict {
            holds: true,
            parts: Vec::new(),
            separator: "",
        }
    }

    /// The block message (rules.md §6.1).
    pub fn message(&self) -> String {
        self.parts.join(self.separator)
    }
}

/// What decides one condition: substitutes its key, then its value, and applies the
/// operator (see [`Condition::holds`]).
pub type Check<'a, 'f, T> = dyn FnMut(&'a Condition<T>) -> Result<bool, SubstitutionError> + 'f;

/// Evaluates a block, each condition decided by `check`.
pub fn evaluate<'a, T>(
    block: &'a Block<T>,
    check: &mut Check<'a, '_, T>,
) -> Result<Verdict<'a>, SubstitutionError> {
    match block {
        Block::AnyAll { any, all } => any_all(any.as_deref(), all.as_deref(), check),
        Block::List(conditions) => list(conditions, check),
    }
}

impl<T> Condition<T> {
    /// Applies the operator to the substituted key and value.
    pub fn holds(&self, key: &Value, value: &Value) -> bool {
        operators::apply(self.operator, key, value)
    }

    /// [`Condition::holds`] with the condition's fixed value, whose strings are compiled.
    pub fn holds_fixed(&self, key: &Value, value: &Value) -> bool {
        match &self.wildcards {
            Some(wildcards) => operators::apply_to_list(self.operator, key, value, wildcards),
            None => operators::apply(self.operator, key, value),
        }
    }
}

impl SubstitutionError {
    pub fn key(message: String) -> SubstitutionError {
        SubstitutionError {
            operand: Operand::Key,
            message,
        }
    }

    pub fn value(message: String) -> SubstitutionError {
        SubstitutionError {
            operand: Operand::Value,
            message,
        }
    }
}

fn any_all<'a, T>(
    any: Option<&'a [Condition<T>]>,
    all: Option<&'a [Condition<T>]>,
    check: &mut Check<'a, '_, T>,
) -> Result<Verdict<'a>, SubstitutionError> {
    // Messages are kept only when not empty (most conditions have none): no allocation then.
    let (mut any_true, mut any_false) = (Messages::default(), Messages::default());
    let any_holds = match any {
        None => true,
        Some(conditions) => {
            let mut holds = false;
            for c in conditions {
                if check(c)? {
                    any_true.push(&c.message);
                    holds = true;
                    break;
                }
                any_false.push(&c.message);
            }
            holds
        }
    };
    let (mut all_true, mut all_false) = (Messages::default(), Messages::default());
    let mut all_holds = true;
    for c in all.unwrap_or_default() {
        if check(c)? {
            all_true.push(&c.message);
        } else {
            all_false.push(&c.message);
            all_holds = false;
            break;
        }
    }
    let holds = any_holds && all_holds;
    let (mut first, second) = if holds {
        (any_true, all_true)
    } else {
        (any_false, all_false)
    };
    first.0.extend(second.0);
    Ok(Verdict {
        holds,
        parts: first.0,
        separator: "; ",
    })
}

fn list<'a, T>(
    conditions: &'a [Condition<T>],
    check: &mut Check<'a, '_, T>,
) -> Result<Verdict<'a>, SubstitutionError> {
    let mut passed = Messages::default();
    for c in conditions {
        if !check(c)? {
            return Ok(Verdict {
                holds: false,
                parts: vec![&c.message],
                separator: "",
            });
        }
        passed.push(&c.message);
    }
    Ok(Verdict {
        holds: true,
        parts: passed.0,
        separator: ";",
    })
}

/// The non-empty messages of the conditions that decided a block, in order.
#[derive(Default)]
struct Messages<'a>(Vec<&'a str>);

impl<'a> Messages<'a> {
    fn push(&mut self, message: &'a str) {
        if !message.is_empty() {
            self.0.push(message);
        }
    }
}
