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
    /// The value is a fixed text that `Equals` and `NotEquals` can only find equal to a
    /// string key of the same text: it holds no wildcard and reads as neither a duration
    /// nor a quantity (see [`operators::plain_text`]).
    pub plain_text: bool,
    /// The slot of the request's outcomes that keeps this condition's, when it reads only
    /// the request and another rule of the set holds the same condition (see
    /// `compile::share_request_conditions`): evaluated once per request, not once per rule.
    pub shared: Option<u8>,
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

impl<T> Block<T> {
    /// Every condition of the block, `any` before `all`.
    pub fn conditions_mut(&mut self) -> impl Iterator<Item = &mut Condition<T>> {
        let (first, second) = match self {
            Block::AnyAll { any, all } => (any.as_deref_mut(), all.as_deref_mut()),
            Block::List(list) => (Some(list.as_mut_slice()), None),
        };
        let both = first.into_iter().chain(second);
        both.flat_map(|list| list.iter_mut())
    }
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

/// The result of a block: whether it held, and which conditions decided it, whose
/// messages are joined only when the message is asked for (most blocks' never is).
#[derive(Debug)]
pub struct Verdict<'a, T> {
    pub holds: bool,
    decided: Decided<'a, T>,
}

/// The conditions a block evaluated, as prefixes of its lists.
#[derive(Debug)]
enum Decided<'a, T> {
    /// No condition (an absent block).
    Nothing,
    /// `any` up to the first that held (`any_held`) or whole; `all` up to the first that
    /// failed (`all_held` false) or whole.
    AnyAll {
        any: &'a [Condition<T>],
        any_held: bool,
        all: &'a [Condition<T>],
        all_held: bool,
    },
    /// The legacy list up to the first that failed, or whole.
    List(&'a [Condition<T>]),
}

impl<'a, T> Verdict<'a, T> {
    /// A block that holds, with no message (an absent block).
    pub fn holding() -> Verdict<'a, T> {
        Verdict {
            holds: true,
            decided: Decided::Nothing,
        }
    }

    /// The block message (rules.md §6.1): when it holds, the messages of the conditions
    /// that held (`any`: the first that held; `all`: each); otherwise those of the
    /// conditions that failed (`any`: each before the first that held, or all; `all`: the
    /// first that failed); the non-empty ones joined with `"; "`. The legacy list joins
    /// its messages with `";"` when it holds, and is the failing condition's message when
    /// not.
    pub fn message(&self) -> String {
        let (decided, separator) = self.decided();
        joined(decided.into_iter().flatten(), separator)
    }

    /// Whether [`Verdict::message`] is not empty, decided without writing it.
    pub fn has_message(&self) -> bool {
        let (decided, _) = self.decided();
        decided.into_iter().flatten().any(|c| !c.message.is_empty())
    }

    /// Which conditions make the block message: two verdicts of one set with the same key
    /// have the same message, so what is made of the message can be kept by key.
    pub fn key(&self) -> DecidedKey {
        let ([first, second], separator) = self.decided();
        let [a, b] = [first, second].map(|c| c.as_ptr() as usize);
        DecidedKey([a, first.len(), b, second.len(), separator.len()])
    }

    /// The conditions whose messages make the block message, and its separator.
    fn decided(&self) -> ([&'a [Condition<T>]; 2], &'static str) {
        match self.decided {
            Decided::Nothing => ([&[], &[]], ""),
            Decided::AnyAll {
                any,
                any_held,
                all,
                all_held,
            } => {
                // The `any` condition that held is the last evaluated, as is the `all` one
                // that failed.
                let (any_true, any_false) = match any.split_last() {
                    Some((last, before)) if any_held => (std::slice::from_ref(last), before),
                    _ => (&[][..], any),
                };
                let (all_true, all_false) = match all.split_last() {
                    Some((last, before)) if !all_held => (before, std::slice::from_ref(last)),
                    _ => (all, &[][..]),
                };
                match self.holds {
                    true => ([any_true, all_true], "; "),
                    false => ([any_false, all_false], "; "),
                }
            }
            // The failing condition's message alone.
            Decided::List(checked) if !self.holds => {
                let last = checked.len().saturating_sub(1);
                ([&checked[last..], &[]], "")
            }
            Decided::List(checked) => ([checked, &[]], ";"),
        }
    }
}

/// Identifies the conditions whose messages make a block message (see [`Verdict::key`]):
/// the addresses and lengths of the two runs of them, and the separator's length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecidedKey([usize; 5]);

/// The non-empty messages of `conditions`, joined with `separator`.
fn joined<'a, T: 'a>(
    conditions: impl IntoIterator<Item = &'a Condition<T>>,
    separator: &str,
) -> String {
    let messages = conditions.into_iter().map(|c| c.message.as_str());
    messages
        .filter(|m| !m.is_empty())
        .collect::<Vec<_>>()
        .join(separator)
}

/// What decides one condition: substitutes its key, then its value, and applies the
/// operator (see [`Condition::holds`]).
pub type Check<'a, 'f, T> = dyn FnMut(&'a Condition<T>) -> Result<bool, SubstitutionError> + 'f;

/// Evaluates a block, each condition decided by `check`.
pub fn evaluate<'a, T>(
    block: &'a Block<T>,
    check: &mut Check<'a, '_, T>,
) -> Result<Verdict<'a, T>, SubstitutionError> {
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

    /// [`Condition::holds_fixed`] for a key that is a list given as its elements; `None`
    /// unless a set operator compares it with compiled strings.
    pub fn holds_fixed_elements(&self, keys: &[&Value]) -> Option<bool> {
        operators::set_op_elements(self.operator, keys, self.wildcards.as_deref()?)
    }

    /// [`Condition::holds`] with the condition's fixed value, whose strings are compiled.
    pub fn holds_fixed(&self, key: &Value, value: &Value) -> bool {
        if self.plain_text
            && let (Value::String(k), Value::String(text)) = (key, value)
        {
            match self.operator {
                Operator::Equals => return k == text,
                Operator::NotEquals => return k != text,
                _ => {}
            }
        }
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
) -> Result<Verdict<'a, T>, SubstitutionError> {
    let (any, any_held) = match any {
        None => (&[][..], true),
        Some(conditions) => checked_until(conditions, true, check)?,
    };
    let (all, all_failed) = checked_until(all.unwrap_or_default(), false, check)?;
    let all_held = !all_failed;
    Ok(Verdict {
        holds: any_held && all_held,
        decided: Decided::AnyAll {
            any,
            any_held,
            all,
            all_held,
        },
    })
}

/// The conditions evaluated in order up to the first whose result is `stop` (included),
/// and whether one was.
fn checked_until<'a, T>(
    conditions: &'a [Condition<T>],
    stop: bool,
    check: &mut Check<'a, '_, T>,
) -> Result<(&'a [Condition<T>], bool), SubstitutionError> {
    for (i, c) in conditions.iter().enumerate() {
        if check(c)? == stop {
            return Ok((&conditions[..=i], true));
        }
    }
    Ok((conditions, false))
}

fn list<'a, T>(
    conditions: &'a [Condition<T>],
    check: &mut Check<'a, '_, T>,
) -> Result<Verdict<'a, T>, SubstitutionError> {
    let (checked, failed) = checked_until(conditions, false, check)?;
    Ok(Verdict {
        holds: !failed,
        decided: Decided::List(checked),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A condition whose outcome is its key, with its message.
    fn c(outcome: bool, message: &str) -> Condition<bool> {
        Condition {
            key: outcome,
            operator: Operator::Equals,
            value: outcome,
            message: message.into(),
            wildcards: None,
            plain_text: false,
            shared: None,
        }
    }

    /// The verdict, its message and the messages of the conditions evaluated.
    fn run(block: &Block<bool>) -> (bool, String, Vec<String>) {
        let mut seen = Vec::new();
        let verdict = evaluate(block, &mut |c| {
            seen.push(c.message.clone());
            Ok(c.key)
        })
        .expect("no condition fails to evaluate");
        (verdict.holds, verdict.message(), seen)
    }

    /// What [`run`] gives for a block that `holds` with `message`, having evaluated the
    /// conditions with the messages `seen`.
    fn ran(holds: bool, message: &str, seen: &[&str]) -> (bool, String, Vec<String>) {
        let seen = seen.iter().map(|m| m.to_string()).collect();
        (holds, message.into(), seen)
    }

    fn any_all(
        any: Option<Vec<Condition<bool>>>,
        all: Option<Vec<Condition<bool>>>,
    ) -> Block<bool> {
        Block::AnyAll { any, all }
    }

    /// rules.md §6.1: short-circuit order, and the block message from the conditions that
    /// decided the result.
    #[test]
    fn block_messages_follow_the_deciding_conditions() {
        // Holds: the first `any` that held, then every `all`; empty messages dropped.
        let block = any_all(
            Some(vec![c(false, "a"), c(true, "b"), c(true, "c")]),
            Some(vec![c(true, "d"), c(true, "")]),
        );
        assert_eq!(run(&block), ran(true, "b; d", &["a", "b", "d", ""]));
        // Fails in both: every `any`, then the first `all` that failed; `all` runs anyway.
        let block = any_all(
            Some(vec![c(false, "a"), c(false, "b")]),
            Some(vec![c(true, "c"), c(false, "d"), c(true, "e")]),
        );
        assert_eq!(run(&block), ran(false, "a; b; d", &["a", "b", "c", "d"]));
        // `any` held but `all` failed: the `any` before the one that held, and the failing `all`.
        let block = any_all(
            Some(vec![c(false, "a"), c(true, "b")]),
            Some(vec![c(false, "c")]),
        );
        assert_eq!(run(&block).1, "a; c");
        // Absent `any` holds with no message; an empty `any` fails (quirk).
        let block = any_all(None, Some(vec![c(true, "x"), c(true, "y")]));
        assert!(run(&block).0);
        assert_eq!(run(&block).1, "x; y");
        let block = any_all(Some(vec![]), Some(vec![c(true, "x")]));
        assert!(!run(&block).0);
        assert_eq!(run(&block).1, "");
        // The legacy list: `;` without a space when it holds, the failing message when not.
        let list = Block::List(vec![c(true, "a"), c(true, ""), c(true, "b")]);
        assert_eq!(run(&list), ran(true, "a;b", &["a", "", "b"]));
        let list = Block::List(vec![c(true, "a"), c(false, "z"), c(true, "b")]);
        assert_eq!(run(&list), ran(false, "z", &["a", "z"]));
        let list = Block::List(vec![c(true, "a"), c(false, "")]);
        assert_eq!(run(&list).1, "");
        assert_eq!(Verdict::<bool>::holding().message(), "");
    }

    /// Verdicts share a key only when their messages are made of the same conditions (so
    /// are the same), and do when they are; whether a message is empty is told without it.
    #[test]
    fn verdict_keys_name_the_deciding_conditions() {
        let verdict = |block: &Block<bool>, outcomes: &[bool]| {
            let mut outcomes = outcomes.iter().copied();
            let mut check = |_: &Condition<bool>| Ok(outcomes.next().unwrap_or(false));
            let verdict = evaluate(block, &mut check).expect("no condition fails to evaluate");
            assert_eq!(verdict.has_message(), !verdict.message().is_empty());
            (verdict.key(), verdict.holds, verdict.message())
        };
        let block = any_all(
            Some(vec![c(false, "a"), c(false, "b"), c(false, "")]),
            Some(vec![c(false, "d")]),
        );
        let runs = [
            verdict(&block, &[true, true]),
            verdict(&block, &[true, true]),
            verdict(&block, &[false, true, true]),
            verdict(&block, &[false, false, true, true]),
            verdict(&block, &[true, false]),
            verdict(&block, &[false, false, false, true]),
        ];
        for (i, (key, _, message)) in runs.iter().enumerate() {
            for (other, _, other_message) in &runs[..i] {
                assert!(key != other || message == other_message, "{message:?}");
            }
        }
        let keys: Vec<DecidedKey> = runs.iter().map(|r| r.0).collect();
        assert_eq!(keys[0], keys[1]);
        assert_ne!(keys[0], keys[2]);
        assert_ne!(keys[2], keys[3]);
        assert_eq!([&runs[3].2, &runs[4].2], ["d", "d"]);
        let silent = any_all(Some(vec![c(false, "")]), None);
        assert_eq!(verdict(&silent, &[true]).2, "");
        let list = Block::List(vec![c(true, "a"), c(true, "b")]);
        let other = Block::List(vec![c(true, "a"), c(true, "b")]);
        assert_ne!(
            verdict(&list, &[true, true]).0,
            verdict(&other, &[true, true]).0
        );
        assert_ne!(
            verdict(&list, &[true, true]).0,
            verdict(&list, &[true, false]).0
        );
        assert!(!Verdict::<bool>::holding().has_message());
    }

    /// A fixed text read as plain text gives `Equals` and `NotEquals` the answer the full
    /// comparison gives (durations, quantities, numbers and wildcards included), for keys of
    /// every type; texts that read as a duration, a quantity or a wildcard are not plain.
    #[test]
    fn plain_texts_compare_as_the_full_operators_do() {
        use serde_json::json;
        let texts = [
            "windows", "linux", "", "x", "true", "12", "1.5", "0", "1h", "1Ki", "m", "e3", "a*",
            "?", "1h30m", "500m", "Ki", "NET_RAW",
        ];
        let keys = [
            json!("windows"),
            json!(""),
            json!("linux"),
            json!("12"),
            json!("12.0"),
            json!(12),
            json!(1.5),
            json!("1h"),
            json!("60m"),
            json!("3600s"),
            json!("1Ki"),
            json!("1024"),
            json!("500m"),
            json!("0.5"),
            json!(true),
            json!("true"),
            json!(null),
            json!([]),
            json!({}),
            json!("a*"),
            json!("abc"),
            json!("NET_RAW"),
        ];
        let plain: Vec<&str> = texts
            .into_iter()
            .filter(|t| operators::plain_text(t))
            .collect();
        assert_eq!(plain, ["windows", "linux", "", "x", "true", "NET_RAW"]);
        for text in texts {
            for operator in [Operator::Equals, Operator::NotEquals] {
                let value = json!(text);
                let condition = Condition {
                    key: (),
                    operator,
                    value: (),
                    message: String::new(),
                    wildcards: None,
                    plain_text: operators::plain_text(text),
                    shared: None,
                };
                for key in &keys {
                    assert_eq!(
                        condition.holds_fixed(key, &value),
                        operators::apply(operator, key, &value),
                        "{key} {operator} {text:?}"
                    );
                }
            }
        }
    }
}
