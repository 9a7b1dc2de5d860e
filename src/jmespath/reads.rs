//! Which parts of the searched document an expression can read: a list of key paths, each
//! standing for the whole value at that path (the empty path for the whole document). A
//! caller that hands the expression a document of the same type holding only those values,
//! with the objects on the way to them, gets the same result, errors included: missing keys
//! stay missing.

use super::ast::Expr;

/// A path of object keys from the document.
pub type Path = Vec<Box<str>>;

/// The paths `expr` can read from the document it is evaluated against.
pub fn reads(expr: &Expr) -> Vec<Path> {
    let mut out = Vec::new();
    collect(expr, &[], &mut out);
    out
}

/// Adds what `expr`, evaluated against the value at `at`, reads.
fn collect(expr: &Expr, at: &[Box<str>], out: &mut Vec<Path>) {
    let whole = |out: &mut Vec<Path>| out.push(at.to_vec());
    match expr {
        Expr::Literal(_) | Expr::Expref(_) => {}
        Expr::Field(name) => out.push(extended(at, name)),
        Expr::Keys { tree, .. } => collect(tree, at, out),
        // Chains of keys read only below their end; anything else on the left gives a value
        // computed from what the left side reads, which the right side then reads from.
        Expr::Sub(lhs, rhs) | Expr::Pipe(lhs, rhs) => match key_path(lhs) {
            Some(keys) => {
                let mut below = at.to_vec();
                below.extend(keys.into_iter().map(Box::from));
                collect(rhs, &below, out);
            }
            None => collect(lhs, at, out),
        },
        // Projections read the elements of what their left side gives.
        Expr::Projection { lhs, .. } => collect(lhs, at, out),
        Expr::Flatten(node) | Expr::ObjectValues(node) | Expr::Not(node) => collect(node, at, out),
        Expr::Or(a, b) | Expr::And(a, b) | Expr::Compare(_, a, b) => {
            collect(a, at, out);
            collect(b, at, out);
        }
        Expr::Condition { predicate, then } => {
            collect(predicate, at, out);
            collect(then, at, out);
        }
        Expr::Function { args, .. } => args.iter().for_each(|a| collect(a, at, out)),
        // These look at the value itself.
        Expr::Identity | Expr::Index(_) | Expr::Slice { .. } => whole(out),
        // Multi-selects only ask whether the value is null: the document's type is kept.
        Expr::LiteralList(_) => null_test(at, out),
        Expr::MultiList(items) => {
            null_test(at, out);
            items.iter().for_each(|i| collect(i, at, out));
        }
        Expr::MultiHash(pairs) => {
            null_test(at, out);
            pairs.iter().for_each(|(_, e)| collect(e, at, out));
        }
    }
}

/// Whether the value at `at` is null is read: below the document that is the value itself.
fn null_test(at: &[Box<str>], out: &mut Vec<Path>) {
    if !at.is_empty() {
        out.push(at.to_vec());
    }
}

fn extended(at: &[Box<str>], name: &str) -> Path {
    let mut path = at.to_vec();
    path.push(name.into());
    path
}

/// The keys of `a.b.c`, when `expr` is only that.
fn key_path(expr: &Expr) -> Option<Vec<&str>> {
    match expr {
        Expr::Field(name) => Some(vec![name]),
        Expr::Keys { keys, .. } => Some(keys.iter().map(|k| &**k).collect()),
        Expr::Sub(lhs, rhs) => {
            let mut keys = key_path(lhs)?;
            keys.extend(key_path(rhs)?);
            Some(keys)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::Expression;

    fn reads(text: &str) -> Vec<String> {
        let expr = Expression::compile(text).expect("invariant: valid expression");
        let mut paths: Vec<String> = super::reads(expr.ast())
            .iter()
            .map(|p| p.join("."))
            .collect();
        paths.sort();
        paths
    }

    #[test]
    fn key_chains_read_below_their_end() {
        assert_eq!(
            reads("element.securityContext.capabilities.add || `[]`"),
            ["element.securityContext.capabilities.add"]
        );
        assert_eq!(reads("join(', ', element.a.b)"), ["element.a.b"]);
        assert_eq!(reads("element.ports[0].x"), ["element.ports"]);
        assert_eq!(reads("element.ports[?x == a].y"), ["element.ports"]);
        assert_eq!(reads("length(element) > `1`"), ["element"]);
        assert_eq!(reads("a | b.c"), ["a.b.c"]);
        // A multi-select asks whether its input is null: the document is kept an object.
        assert_eq!(reads("[a, b]"), ["a", "b"]);
        assert_eq!(reads("x.[a, b]"), ["x", "x.a", "x.b"]);
    }

    #[test]
    fn reading_the_document_itself_reads_everything() {
        assert_eq!(reads("@"), [""]);
        assert_eq!(reads("keys(@)"), [""]);
        assert_eq!(reads("*"), [""]);
        assert_eq!(reads("[0]"), [""]);
    }
}
