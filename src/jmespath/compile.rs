//! Expression text → [`Expr`]: guards against inputs that would exhaust the parser's stack,
//! parses with the `jmespath` crate, then converts its tree, telling pipes from
//! sub-expressions and resolving every function name once.

use jmespath::ast::{Ast, Comparator as AstComparator};

use super::ast::{Comparator, Expr, ProjectionKind};
use super::functions;
use super::{CompileError, Dialect};

/// Longest expression accepted.
const MAX_LEN: usize = 16 * 1024;
/// Most nesting-producing tokens (brackets, dots, pipes, `!`, `&`) accepted.
const MAX_OPERATORS: usize = 1024;
/// Deepest bracket nesting accepted.
const MAX_DEPTH: usize = 128;

pub fn compile(text: &str, dialect: Dialect) -> Result<Expr, CompileError> {
    guard(text)?;
    let ast = jmespath::parse(text).map_err(|e| CompileError::Syntax {
        offset: e.offset,
        message: e.reason.to_string(),
    })?;
    Ok(convert(&ast, text, dialect))
}

/// Rejects input whose nesting would overflow the recursive parser or evaluator
/// (10,000 `[` must be an error, not a crash).
fn guard(text: &str) -> Result<(), CompileError> {
    if text.len() > MAX_LEN {
        return Err(CompileError::TooComplex(format!(
            "expression is {} bytes long, the limit is {MAX_LEN}",
            text.len()
        )));
    }
    let (operators, depth) = operator_count(text);
    if operators > MAX_OPERATORS {
        return Err(CompileError::TooComplex(format!(
            "expression has {operators} operators, the limit is {MAX_OPERATORS}"
        )));
    }
    if depth > MAX_DEPTH {
        return Err(CompileError::TooComplex(format!(
            "expression nests brackets {depth} deep, the limit is {MAX_DEPTH}"
        )));
    }
    Ok(())
}

/// Counts operator characters and the deepest bracket nesting, outside quoted strings
/// and literals.
fn operator_count(text: &str) -> (usize, usize) {
    let (mut count, mut depth, mut deepest) = (0, 0usize, 0);
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in text.chars() {
        match quote {
            Some(_) if escaped => escaped = false,
            Some(_) if c == '\\' => escaped = true,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if matches!(c, '\'' | '"' | '`') => quote = Some(c),
            None if matches!(c, '[' | '(' | '{') => {
                count += 1;
                depth += 1;
                deepest = deepest.max(depth);
            }
            None if matches!(c, ']' | ')' | '}') => depth = depth.saturating_sub(1),
            None if matches!(c, '.' | '|' | '!' | '&') => count += 1,
            None => {}
        }
    }
    (count, deepest)
}

fn convert(ast: &Ast, text: &str, dialect: Dialect) -> Expr {
    let go = |a: &Ast| Box::new(convert(a, text, dialect));
    match ast {
        Ast::Identity { .. } => Expr::Identity,
        Ast::Field { name, .. } => Expr::Field(name.as_str().into()),
        Ast::Index { idx, .. } => Expr::Index(i64::from(*idx)),
        Ast::Slice {
            start, stop, step, ..
        } => Expr::Slice {
            start: start.map(i64::from),
            stop: stop.map(i64::from),
            step: i64::from(*step),
        },
        Ast::Literal { value, .. } => Expr::Literal(literal(value)),
        Ast::Subexpr { offset, lhs, rhs } if text.as_bytes().get(*offset) == Some(&b'|') => {
            Expr::Pipe(go(lhs), go(rhs))
        }
        Ast::Subexpr { lhs, rhs, .. } => keys(Expr::Sub(go(lhs), go(rhs))),
        Ast::Or { lhs, rhs, .. } => Expr::Or(go(lhs), go(rhs)),
        Ast::And { lhs, rhs, .. } => Expr::And(go(lhs), go(rhs)),
        Ast::Not { node, .. } => Expr::Not(go(node)),
        Ast::Comparison {
            comparator,
            lhs,
            rhs,
            ..
        } => Expr::Compare(comparator_of(comparator), go(lhs), go(rhs)),
        Ast::Projection { lhs, rhs, .. } => Expr::Projection {
            kind: projection_kind(lhs, rhs),
            lhs: go(lhs),
            rhs: go(rhs),
        },
        Ast::Flatten { node, .. } => Expr::Flatten(go(node)),
        Ast::ObjectValues { node, .. } => Expr::ObjectValues(go(node)),
        Ast::Condition {
            predicate, then, ..
        } => Expr::Condition {
            predicate: go(predicate),
            then: go(then),
        },
        Ast::MultiList { elements, .. } => {
            multi_list(elements.iter().map(|e| convert(e, text, dialect)).collect())
        }
        Ast::MultiHash { elements, .. } => Expr::MultiHash(
            elements
                .iter()
                .map(|kv| (kv.key.as_str().into(), convert(&kv.value, text, dialect)))
                .collect(),
        ),
        Ast::Function { name, args, .. } => Expr::Function {
            name: name.as_str().into(),
            function: functions::lookup(name, dialect),
            args: args.iter().map(|a| convert(a, text, dialect)).collect(),
        },
        Ast::Expref { ast, .. } => Expr::Expref(go(ast)),
    }
}

/// A multi-select list; one of literals only becomes their array, built here once.
fn multi_list(items: Vec<Expr>) -> Expr {
    let literals: Option<Vec<serde_json::Value>> = items
        .iter()
        .map(|item| match item {
            Expr::Literal(v) => Some(v.clone()),
            _ => None,
        })
        .collect();
    match literals {
        Some(values) => Expr::LiteralList(serde_json::Value::Array(values)),
        None => Expr::MultiList(items),
    }
}

fn projection_kind(lhs: &Ast, rhs: &Ast) -> ProjectionKind {
    match (lhs, rhs) {
        (Ast::Flatten { .. } | Ast::ObjectValues { .. }, _) | (_, Ast::Condition { .. }) => {
            ProjectionKind::Lenient
        }
        _ => ProjectionKind::List,
    }
}

fn comparator_of(c: &AstComparator) -> Comparator {
    match c {
        AstComparator::Equal => Comparator::Eq,
        AstComparator::NotEqual => Comparator::Ne,
        AstComparator::LessThan => Comparator::Lt,
        AstComparator::LessThanEqual => Comparator::Le,
        AstComparator::GreaterThan => Comparator::Gt,
        AstComparator::GreaterThanEqual => Comparator::Ge,
    }
}

/// A JSON literal as a value, with integral numbers normalised.
fn literal(value: &jmespath::Rcvar) -> serde_json::Value {
    let json = serde_json::to_value(&**value).unwrap_or(serde_json::Value::Null);
    normalise_numbers(json)
}

fn normalise_numbers(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Number(n) => crate::value::number(n.as_f64().unwrap_or(0.0)),
        Value::Array(items) => Value::Array(items.into_iter().map(normalise_numbers).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, normalise_numbers(v)))
                .collect(),
        ),
        other => other,
    }
}

/// A subexpression made only of keys (`a.b.c`) as one [`Expr::Keys`], looked up in a loop
/// instead of through a node per key; any other subexpression as it is.
fn keys(sub: Expr) -> Expr {
    let Expr::Sub(lhs, rhs) = &sub else {
        return sub;
    };
    let chain = |e: &Expr| -> Option<Vec<Box<str>>> {
        match e {
            Expr::Field(name) => Some(vec![name.clone()]),
            Expr::Keys { keys, .. } => Some(keys.to_vec()),
            _ => None,
        }
    };
    let (Some(mut keys), Some(tail)) = (chain(lhs), chain(rhs)) else {
        return sub;
    };
    keys.extend(tail);
    let through_object = match keys.as_slice() {
        [first, second, ..] => &**first == "request" && &**second == "object",
        _ => false,
    };
    Expr::Keys {
        keys: keys.into_boxed_slice(),
        tree: Box::new(sub),
        through_object,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(text: &str) -> String {
        compile(text, Dialect::Kyverno)
            .map(|e| format!("{e:?}"))
            .unwrap_or_else(|e| e.to_string())
    }

    #[test]
    fn pipes_are_told_from_subexpressions_by_offset() {
        // The crate parses both to `Subexpr`; jmespath.md §3.4 pins this detail.
        assert!(tree("a | b").starts_with("Pipe("));
        assert!(tree("a.b").starts_with("Keys {") && tree("a.b").contains("tree: Sub("));
        assert!(tree("a[0]").starts_with("Sub("));
        assert!(tree("'é' | b").starts_with("Pipe("));
    }

    /// Only a chain whose first two keys are `request` and `object` may start at the
    /// object a search holds apart.
    #[test]
    fn key_chains_know_whether_they_start_at_the_request_object() {
        let through = |text: &str| match compile(text, Dialect::Kyverno) {
            Ok(Expr::Keys { through_object, .. }) => through_object,
            other => panic!("{text}: a chain of keys, got {other:?}"),
        };
        assert!(through("request.object.spec"));
        assert!(through("request.object"));
        assert!(!through("request.oldObject.spec"));
        assert!(!through("element.request.object"));
        assert!(!through("request.objects"));
    }

    #[test]
    fn key_chains_are_looked_up_in_one_node_and_print_as_parsed() {
        assert!(tree("a.b.c").starts_with("Keys { keys: [\"a\", \"b\", \"c\"]"));
        // Chains that hold anything but keys stay as parsed.
        assert_eq!(
            tree("a.b[0]"),
            r#"Sub(Field("a"), Sub(Field("b"), Index(0)))"#
        );
        assert!(tree("a[0].b").starts_with("Sub(Sub("));
        let printed = compile("a.b.c", Dialect::Kyverno).map(|e| e.to_string());
        let expected =
            "Subexpression\n  Subexpression\n    Field \"a\"\n    Field \"b\"\n  Field \"c\"\n";
        assert_eq!(printed, Ok(expected.to_string()));
    }

    #[test]
    fn literal_lists_are_built_once_and_print_as_multi_selects() {
        assert!(tree("['a', `1`]").starts_with("LiteralList(Array ["));
        assert!(tree("['a', b]").starts_with("MultiList("));
        let printed = compile("['a', `[1]`]", Dialect::Kyverno).map(|e| e.to_string());
        let expected = "MultiSelectList\n  Literal \"a\"\n  Literal [1]\n";
        assert_eq!(printed, Ok(expected.to_string()));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = "[".repeat(10_000);
        assert!(matches!(
            compile(&deep, Dialect::Kyverno),
            Err(CompileError::TooComplex(_))
        ));
        assert!(compile(&"[".repeat(500), Dialect::Kyverno).is_err());
    }

    #[test]
    fn operators_inside_strings_do_not_count() {
        let quoted = format!("'{}'", "[".repeat(5000));
        assert!(compile(&quoted, Dialect::Kyverno).is_ok());
    }
}
