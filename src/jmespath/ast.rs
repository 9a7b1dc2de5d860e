//! The compiled form of a JMESPath expression: what the evaluator walks. Built once by
//! `compile` from the parser's tree; pipes, projections and functions are resolved here.

use std::fmt;

use serde_json::Value;

use super::functions::Function;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparator {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// What a projection's left side is: it decides which errors the left side swallows
/// (jmespath.md §1.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProjectionKind {
    /// `x[*].rhs`: a missing key on the left becomes `null`.
    List,
    /// `x[].rhs`, `*.rhs`, `x[?p].rhs`: any error on the left becomes `null`.
    Lenient,
}

#[derive(Clone, Debug)]
pub enum Expr {
    Identity,
    Field(Box<str>),
    Index(i64),
    Slice {
        start: Option<i64>,
        stop: Option<i64>,
        step: i64,
    },
    Literal(Value),
    /// `a.b` and `a[0]`: errors propagate.
    Sub(Box<Expr>, Box<Expr>),
    /// A chain of keys `a.b.c`, looked up in a loop; `tree` is the chain as parsed (nested
    /// subexpressions), which analyses and printing read.
    Keys {
        keys: Box<[Box<str>]>,
        tree: Box<Expr>,
        /// The chain starts `request.object`, which a search may hold apart (see
        /// `Evaluator::object`): decided here, not by comparing the first two keys per search.
        through_object: bool,
    },
    /// `a | b`: a missing key in either stage becomes `null`.
    Pipe(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Compare(Comparator, Box<Expr>, Box<Expr>),
    Projection {
        kind: ProjectionKind,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    Flatten(Box<Expr>),
    ObjectValues(Box<Expr>),
    /// The right side of a filter projection: `then` when `predicate` is truthy.
    Condition {
        predicate: Box<Expr>,
        then: Box<Expr>,
    },
    MultiList(Vec<Expr>),
    /// A multi-select list of literals only (`['a', 'b']`): its array is built once, when
    /// compiled, not on every evaluation.
    LiteralList(Value),
    MultiHash(Vec<(Box<str>, Expr)>),
    Function {
        name: Box<str>,
        /// `None` when no function of that name exists: an error when evaluated.
        function: Option<&'static Function>,
        args: Vec<Expr>,
    },
    Expref(Box<Expr>),
}

impl Expr {
    /// Whether the expression calls a function anywhere. Without one, its result is a
    /// function of the document alone (some functions read the clock or draw at random).
    pub fn calls_function(&self) -> bool {
        match self {
            Expr::Function { .. } => true,
            Expr::Identity
            | Expr::Field(_)
            | Expr::Index(_)
            | Expr::Slice { .. }
            | Expr::Literal(_)
            | Expr::LiteralList(_) => false,
            Expr::Keys { tree, .. } => tree.calls_function(),
            Expr::Sub(a, b)
            | Expr::Pipe(a, b)
            | Expr::Or(a, b)
            | Expr::And(a, b)
            | Expr::Compare(_, a, b)
            | Expr::Projection { lhs: a, rhs: b, .. }
            | Expr::Condition {
                predicate: a,
                then: b,
            } => a.calls_function() || b.calls_function(),
            Expr::Not(a) | Expr::Flatten(a) | Expr::ObjectValues(a) | Expr::Expref(a) => {
                a.calls_function()
            }
            Expr::MultiList(items) => items.iter().any(Expr::calls_function),
            Expr::MultiHash(pairs) => pairs.iter().any(|(_, e)| e.calls_function()),
        }
    }
}

impl fmt::Display for Expr {
    /// An indented tree, one node per line, as `nomos jp parse` prints it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_tree(f, self, 0)
    }
}

fn write_tree(f: &mut fmt::Formatter<'_>, expr: &Expr, depth: usize) -> fmt::Result {
    let pad = "  ".repeat(depth);
    let children: Vec<&Expr> = match expr {
        Expr::Identity => return writeln!(f, "{pad}Current"),
        Expr::Field(name) => return writeln!(f, "{pad}Field {}", super::go_quote(name)),
        Expr::Index(i) => return writeln!(f, "{pad}Index {i}"),
        Expr::Slice { start, stop, step } => {
            let show = |v: &Option<i64>| v.map_or(String::new(), |n| n.to_string());
            return writeln!(f, "{pad}Slice [{}:{}:{step}]", show(start), show(stop));
        }
        Expr::Literal(v) => return writeln!(f, "{pad}Literal {}", crate::value::go::json(v)),
        Expr::Sub(a, b) => node(f, &pad, "Subexpression", &[a.as_ref(), b.as_ref()])?,
        Expr::Keys { tree, .. } => return write_tree(f, tree, depth),
        Expr::Pipe(a, b) => node(f, &pad, "Pipe", &[a.as_ref(), b.as_ref()])?,
        Expr::Or(a, b) => node(f, &pad, "Or", &[a.as_ref(), b.as_ref()])?,
        Expr::And(a, b) => node(f, &pad, "And", &[a.as_ref(), b.as_ref()])?,
        Expr::Not(a) => node(f, &pad, "Not", &[a.as_ref()])?,
        Expr::Compare(op, a, b) => node(
            f,
            &pad,
            &format!("Comparator {op:?}"),
            &[a.as_ref(), b.as_ref()],
        )?,
        Expr::Projection { kind, lhs, rhs } => node(
            f,
            &pad,
            &format!("Projection {kind:?}"),
            &[lhs.as_ref(), rhs.as_ref()],
        )?,
        Expr::Flatten(a) => node(f, &pad, "Flatten", &[a.as_ref()])?,
        Expr::ObjectValues(a) => node(f, &pad, "ObjectValues", &[a.as_ref()])?,
        Expr::Condition { predicate, then } => {
            node(f, &pad, "Filter", &[predicate.as_ref(), then.as_ref()])?
        }
        Expr::MultiList(items) => {
            writeln!(f, "{pad}MultiSelectList")?;
            items.iter().collect()
        }
        Expr::LiteralList(array) => {
            writeln!(f, "{pad}MultiSelectList")?;
            for item in array.as_array().map(Vec::as_slice).unwrap_or_default() {
                writeln!(f, "{pad}  Literal {}", crate::value::go::json(item))?;
            }
            return Ok(());
        }
        Expr::MultiHash(pairs) => {
            writeln!(f, "{pad}MultiSelectHash")?;
            for (key, value) in pairs {
                writeln!(f, "{pad}  Key {}", super::go_quote(key))?;
                write_tree(f, value, depth + 2)?;
            }
            return Ok(());
        }
        Expr::Function { name, args, .. } => {
            writeln!(f, "{pad}Function {name}")?;
            args.iter().collect()
        }
        Expr::Expref(a) => node(f, &pad, "ExpressionReference", &[a.as_ref()])?,
    };
    children
        .into_iter()
        .try_for_each(|child| write_tree(f, child, depth + 1))
}

fn node<'e>(
    f: &mut fmt::Formatter<'_>,
    pad: &str,
    label: &str,
    children: &[&'e Expr],
) -> Result<Vec<&'e Expr>, fmt::Error> {
    writeln!(f, "{pad}{label}")?;
    Ok(children.to_vec())
}
