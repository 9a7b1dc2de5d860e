//! Kyverno's JMESPath dialect: expressions are compiled once (`Expression::compile`) and
//! evaluated many times over borrowed JSON. Missing keys are errors (jmespath.md §1.6) and
//! every Kyverno function is a row of the table in [`functions`].

pub mod ast;
mod compile;
mod eval;
pub mod functions;
pub mod layer;
pub mod reads;

use std::borrow::Cow;

use serde_json::Value;

pub use ast::Expr;
pub use functions::{FnError, Function, Types};

/// Which language an expression is read in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Dialect {
    /// Kyverno's: a missing object key is an error; Kyverno's functions replace built-ins.
    #[default]
    Kyverno,
    /// Standard JMESPath: a missing key is `null`; only the 26 built-in functions.
    Standard,
}

/// An expression that could not be compiled.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum CompileError {
    /// `a.[`: the parser's message and the byte offset it points at.
    #[error("{message}")]
    Syntax { offset: usize, message: String },
    /// 10,000 `[`: refused before parsing, so the recursive parser cannot overflow.
    #[error("{0}")]
    TooComplex(String),
}

impl CompileError {
    /// Byte offset in the expression text, when known.
    pub fn offset(&self) -> Option<usize> {
        match self {
            CompileError::Syntax { offset, .. } => Some(*offset),
            CompileError::TooComplex(_) => None,
        }
    }
}

/// An expression that failed while being evaluated.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum EvalError {
    /// `metadata.missing` on an object without `missing` (Kyverno dialect only).
    #[error("Unknown key \"{0}\" in path")]
    NotFound(String),
    /// `nope(@)`.
    #[error("unknown function: {0}")]
    UnknownFunction(String),
    /// `length(`1`)`, `to_boolean('x')`, ...
    #[error("{}", function_message(name, error))]
    Function { name: String, error: FnError },
}

fn function_message(name: &str, error: &FnError) -> String {
    match error {
        FnError::Kyverno(msg) => format!("JMESPath function '{name}': {msg}"),
        FnError::Plain(msg) => msg.clone(),
        FnError::Arity { .. } | FnError::Type { .. } => format!("{name}(): {error}"),
        FnError::InvalidValue(msg) => format!("{name}(): {msg}"),
    }
}

/// The category the JMESPath compliance suite names an error by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    Syntax,
    InvalidType,
    InvalidValue,
    InvalidArity,
    UnknownFunction,
    /// Kyverno's missing-key error and library errors outside the suite's categories.
    Other,
}

impl EvalError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            EvalError::NotFound(_) => ErrorKind::Other,
            EvalError::UnknownFunction(_) => ErrorKind::UnknownFunction,
            EvalError::Function { error, .. } => match error {
                FnError::Arity { .. } => ErrorKind::InvalidArity,
                FnError::Type { .. } => ErrorKind::InvalidType,
                FnError::InvalidValue(_) => ErrorKind::InvalidValue,
                FnError::Kyverno(_) | FnError::Plain(_) => ErrorKind::Other,
            },
        }
    }
}

/// A compiled expression: parse once, search many documents.
#[derive(Clone, Debug)]
pub struct Expression {
    text: Box<str>,
    dialect: Dialect,
    root: Expr,
    /// See [`Expression::words`].
    words: Box<[Box<str>]>,
    /// The [`word_bit`] of every word, combined.
    word_bits: u64,
    /// See [`Expression::roots`].
    roots: Option<Box<[Box<str>]>>,
}

impl Expression {
    /// Compiles an expression in Kyverno's dialect.
    pub fn compile(text: &str) -> Result<Expression, CompileError> {
        Expression::compile_in(text, Dialect::Kyverno)
    }

    pub fn compile_in(text: &str, dialect: Dialect) -> Result<Expression, CompileError> {
        let root = compile::compile(text, dialect)?;
        let words = words(text);
        Ok(Expression {
            word_bits: words.iter().fold(0, |bits, w| bits | word_bit(w)),
            words,
            roots: roots(&root),
            text: text.into(),
            dialect,
            root,
        })
    }

    /// The maximal runs of word characters (`[A-Za-z0-9_]`) of the text that start where a
    /// name could start: at the beginning, or after a character other than `.` and ASCII
    /// letters and digits. A name of word characters stands in the text there, followed by
    /// no word character, exactly when it is one of these.
    pub fn words(&self) -> &[Box<str>] {
        &self.words
    }

    /// Whether some word may be the name whose [`word_bit`] is `bit`: when not, none is
    /// (a filter that answers most questions without reading the words).
    pub fn may_have_word(&self, bit: u64) -> bool {
        self.word_bits & bit != 0
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn ast(&self) -> &Expr {
        &self.root
    }

    /// Evaluates the expression over `data`, borrowing from it where it can.
    pub fn search<'a>(&'a self, data: &'a Value) -> Result<Cow<'a, Value>, EvalError> {
        let evaluator = self.evaluator(None, None);
        let result = evaluator.eval(&self.root, eval::Val::Ref(data));
        result.map(eval::Val::into_cow).map_err(EvalError::from)
    }

    /// Evaluates the expression over `data` seen through `layer` (see [`layer::Layer`]). An
    /// expression that reads the document as a whole (`@`, `keys(@)`) is run on a merged
    /// copy; any other reads the document's top level only through keys, which the layer
    /// answers first. `object` is `data`'s `request.object`, when the caller holds it: a
    /// path through it then starts there.
    #[inline]
    pub fn search_layered<'a>(
        &'a self,
        data: &'a Value,
        layer: &'a layer::Layer<'a>,
        object: Option<&'a Value>,
    ) -> Result<Cow<'a, Value>, EvalError> {
        if self.roots.is_none() {
            let merged = layer.merged(data);
            return Ok(Cow::Owned(self.search(&merged)?.into_owned()));
        }
        let evaluator = self.evaluator(Some((data, layer)), object.map(|o| (data, o)));
        let result = evaluator.eval(&self.root, eval::Val::Ref(data));
        result.map(eval::Val::into_cow).map_err(EvalError::from)
    }

    /// [`Expression::search_layered`], a list the expression built out of the document's
    /// own values (a projection's, `a[].b`) given as those values, none copied.
    #[inline]
    pub fn search_layered_found<'a>(
        &'a self,
        data: &'a Value,
        layer: &'a layer::Layer<'a>,
        object: Option<&'a Value>,
    ) -> Result<Found<'a>, EvalError> {
        if self.roots.is_none() {
            return self.search_layered(data, layer, object).map(Found::Json);
        }
        let evaluator = self.evaluator(Some((data, layer)), object.map(|o| (data, o)));
        let result = evaluator.eval(&self.root, eval::Val::Ref(data))?;
        Ok(match result {
            eval::Val::List(items) if items.iter().all(|i| matches!(i, eval::Val::Ref(_))) => {
                let borrowed = items.into_iter().filter_map(|item| match item {
                    eval::Val::Ref(value) => Some(value),
                    _ => None,
                });
                Found::Elements(borrowed.collect())
            }
            other => Found::Json(other.into_cow()),
        })
    }

    /// The elements of the array the expression gives over `data` (or the result itself,
    /// when it is not an array): those found in `data` or the expression are borrowed.
    /// `object` as for [`Expression::search_layered`].
    pub fn search_elements<'a>(
        &'a self,
        data: &'a Value,
        object: Option<&'a Value>,
    ) -> Result<Vec<Cow<'a, Value>>, EvalError> {
        let evaluator = self.evaluator(None, object.map(|o| (data, o)));
        if let Expr::Projection { lhs, rhs, .. } = &self.root
            && let (Expr::Flatten(inner), Expr::Identity) = (&**lhs, &**rhs)
        {
            // `x[]`, the usual foreach list: the inner arrays' elements go straight into
            // the result, without the flattened list between. As there, an error or a
            // value that is not an array gives `null`. When `x` is `a.[b, c]` over a
            // borrowed `a` (the pack's container lists), each key's array is read in
            // place: no list of the arrays is built first.
            if let Expr::Sub(lhs, rhs) = &**inner
                && let Expr::MultiList(items) = &**rhs
                && items.iter().all(|item| matches!(item, Expr::Field(_)))
            {
                match evaluator.eval(lhs, eval::Val::Ref(data)) {
                    Ok(eval::Val::Ref(parent)) => {
                        return Ok(fields_flattened(&evaluator, parent, items));
                    }
                    Err(_) => return Ok(vec![Cow::Borrowed(&Value::Null)]),
                    // A built value: the general path below evaluates it again.
                    Ok(_) => {}
                }
            }
            return Ok(match evaluator.eval(inner, eval::Val::Ref(data)) {
                Ok(v) => eval::flattened_cows(v),
                Err(_) => vec![Cow::Borrowed(&Value::Null)],
            });
        }
        let result = evaluator.eval(&self.root, eval::Val::Ref(data))?;
        Ok(match result.into_elements() {
            Ok(elements) => elements.map(eval::Val::into_cow).collect(),
            Err(other) => vec![other.into_cow()],
        })
    }

    fn evaluator<'a>(
        &self,
        layer: Option<(&'a Value, &'a layer::Layer<'a>)>,
        object: Option<(&'a Value, &'a Value)>,
    ) -> eval::Evaluator<'a> {
        eval::Evaluator {
            strict_keys: self.dialect == Dialect::Kyverno,
            layer,
            object,
        }
    }

    /// The top-level keys of the searched document the expression can read; `None` when it
    /// can read the document as a whole.
    pub fn roots(&self) -> Option<&[Box<str>]> {
        self.roots.as_deref()
    }
}

/// `[b, c][]` over `parent`, as the evaluator gives it (see `Evaluator::selected`),
/// each element borrowed; `[null]` when `parent` is null (a multi-select over null is null,
/// and the flatten of a value that is not an array is null). `items` are all single keys.
fn fields_flattened<'a>(
    evaluator: &eval::Evaluator<'a>,
    parent: &'a Value,
    items: &'a [Expr],
) -> Vec<Cow<'a, Value>> {
    if parent.is_null() {
        return vec![Cow::Borrowed(&Value::Null)];
    }
    let selected = evaluator.selected(parent, items);
    let mut out = Vec::with_capacity(selected.iter().map(|elements| elements.len()).sum());
    for elements in selected {
        out.extend(elements.iter().filter(|e| !e.is_null()).map(Cow::Borrowed));
    }
    out
}

/// A search's result as [`Expression::search_layered_found`] gives it.
pub enum Found<'a> {
    Json(Cow<'a, Value>),
    /// The elements of a list the expression built out of values of the document.
    Elements(Vec<&'a Value>),
}

/// The distinct first keys of the paths `expr` reads; `None` if it reads the whole document.
fn roots(expr: &Expr) -> Option<Box<[Box<str>]>> {
    let mut roots: Vec<Box<str>> = Vec::new();
    for path in reads::reads(expr) {
        let first = path.into_iter().next()?;
        if !roots.contains(&first) {
            roots.push(first);
        }
    }
    Some(roots.into())
}

/// One of 64 bits, picked by a hash of `word`, for [`Expression::may_have_word`]. The
/// standard hasher with its fixed keys: the same word gives the same bit in every run.
pub fn word_bit(word: &str) -> u64 {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut hasher = DefaultHasher::new();
    word.hash(&mut hasher);
    1 << (hasher.finish() % 64)
}

/// See [`Expression::words`].
fn words(text: &str) -> Box<[Box<str>]> {
    let is_word = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
    let bytes = text.as_bytes();
    let mut words: Vec<Box<str>> = Vec::new();
    for at in 0..bytes.len() {
        let starts = at == 0 || !(bytes[at - 1] == b'.' || bytes[at - 1].is_ascii_alphanumeric());
        if !starts || !is_word(&bytes[at]) {
            continue;
        }
        let len = bytes[at..].iter().take_while(|b| is_word(b)).count();
        // Word characters are ASCII: the run is on character boundaries.
        let word = &text[at..at + len];
        if !words.iter().any(|w| **w == *word) {
            words.push(word.into());
        }
    }
    words.into()
}

/// A string as Go's `%q` would quote it (used when printing trees).
pub(crate) fn go_quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({"request":{"object":{"metadata":{"name":"p","labels":null,"annotations":{"a":"b"}},
          "spec":{"containers":[{"name":"a","image":"x"},{"name":"b"}]}}},"one":"1"})
    }

    /// A path through `request.object` starts at the object the caller holds, unless the
    /// layer sets `request`; what is found (or missing) there is as without the shortcut.
    #[test]
    fn request_object_paths_start_at_the_held_object() {
        let document = json!({"request": {"object": {"a": 1}, "b": 2}});
        let object = &document["request"]["object"];
        let empty = layer::Layer::default();
        let search = |text: &str, layer| {
            let expr = Expression::compile(text).expect("a valid expression");
            let held = expr
                .search_layered(&document, layer, Some(object))
                .map(Cow::into_owned)
                .map_err(|e| e.to_string());
            let plain = expr
                .search_layered(&document, layer, None)
                .map(Cow::into_owned)
                .map_err(|e| e.to_string());
            assert_eq!(held, plain, "{text}");
            let elements = expr.search_elements(&document, Some(object));
            held.map(|v| (v, elements.map(|e| e.len()).ok()))
        };
        assert_eq!(search("request.object.a", &empty), Ok((json!(1), Some(1))));
        assert_eq!(search("request.b", &empty), Ok((json!(2), Some(1))));
        assert_eq!(
            search("request.object.c", &empty),
            Err("Unknown key \"c\" in path".to_string())
        );
        let mut hiding = layer::Layer::default();
        let request = json!({"object": {"a": 3}});
        hiding.insert("request".into(), layer::Slot::Borrowed(&request));
        assert_eq!(search("request.object.a", &hiding), Ok((json!(3), Some(1))));
    }

    /// The elements of a flattened list (`x[]`), collected without the lists between, are
    /// those of the searched result: nulls dropped, inner arrays opened one level, and one
    /// `null` for an error or a value that is not an array.
    #[test]
    fn flattened_list_elements_are_the_searched_ones() {
        let document = json!({"request": {"object": {"spec": {
            "a": [{"n": 1}, null, [2, [3]]], "b": [], "c": null, "s": "text", "o": {"k": 1}
        }}}});
        let object = &document["request"]["object"];
        for text in [
            "request.object.spec.[a, b, missing][]",
            "request.object.spec.[a, c, a][]",
            "request.object.spec.a[]",
            "request.object.spec.s[]",
            "request.object.spec.o[]",
            "request.object.spec.missing[]",
            "request.object.spec.[s, o][]",
            "request.object.spec.[a, c, s, o, missing][]",
            "request.object.spec.[a, b[0]][]",
            "request.object.spec.c.[a, b][]",
            "request.object.spec.s.[a][]",
            "request.object.spec.a.[n][]",
            "request.object.spec.missing.[a][]",
            "request.object.[spec][]",
            "values(request.object.spec.o).[k][]",
            "to_number(request.object.spec.o)[]",
            "abs(request.object.spec.s)[]",
        ] {
            let expr = Expression::compile(text).expect("a valid expression");
            let searched = match expr.search(&document).map(Cow::into_owned) {
                Ok(Value::Array(items)) => items,
                Ok(other) => vec![other],
                Err(_) => vec![Value::Null],
            };
            for held in [None, Some(object)] {
                let elements: Vec<Value> = expr
                    .search_elements(&document, held)
                    .expect("a flattened list never fails")
                    .into_iter()
                    .map(Cow::into_owned)
                    .collect();
                assert_eq!(elements, searched, "{text}");
            }
        }
    }

    fn run(expr: &str) -> Result<Value, String> {
        let doc = doc();
        let compiled = Expression::compile(expr).map_err(|e| e.to_string())?;
        compiled
            .search(&doc)
            .map(Cow::into_owned)
            .map_err(|e| e.to_string())
    }

    /// `length()` of a list the expression built counts it without copying it; any other
    /// argument still goes through the type check.
    #[test]
    fn length_counts_built_lists() {
        let containers = "request.object.spec.containers";
        assert_eq!(run(&format!("length({containers}[?image])")), Ok(json!(1)));
        assert_eq!(run(&format!("length({containers}[].name)")), Ok(json!(2)));
        assert_eq!(
            run(&format!("length({containers}[?image] | @)")),
            Ok(json!(1))
        );
        assert_eq!(run(&format!("length({containers})")), Ok(json!(2)));
        // A built list lent to a pipe's right side.
        assert_eq!(
            run(&format!("{containers}[?image] | length(@)")),
            Ok(json!(1))
        );
        assert_eq!(
            run(&format!("{containers}[].name | [length(@), length(@)]")),
            Ok(json!([2, 2]))
        );
        let type_error = |got: &str| {
            Err(format!(
                "length(): argument #1 must be string|array|object, got {got}"
            ))
        };
        assert_eq!(run("length(request.object.missing)"), type_error("null"));
        assert_eq!(run("length(&one)"), type_error("expref"));
    }

    #[test]
    fn missing_keys_follow_jmespath_md_1_6() {
        let unknown = |k: &str| Err(format!("Unknown key \"{k}\" in path"));
        assert_eq!(run("request.object.metadata.missing"), unknown("missing"));
        assert_eq!(run("request.object.missing.deeper"), unknown("missing"));
        assert_eq!(run("request.object.metadata.labels.app"), Ok(json!(null)));
        assert_eq!(run("one.two.three"), Ok(json!(null)));
        assert_eq!(
            run("request.object.metadata.missing || 'default'"),
            Ok(json!("default"))
        );
        assert_eq!(run("request.object.missing.x == null"), Ok(json!(true)));
        assert_eq!(run("!request.object.missing"), Ok(json!(null)));
        assert_eq!(run("!(request.object.missing)"), Ok(json!(true)));
        assert_eq!(run("request.object.missing && 'x'"), Ok(json!(null)));
        assert_eq!(run("'x' && request.object.missing"), unknown("missing"));
        assert_eq!(run("request.object.missing | 'piped'"), Ok(json!("piped")));
        assert_eq!(
            run("request.object.spec.containers[].image"),
            Ok(json!(["x"]))
        );
        assert_eq!(
            run("request.object.spec.containers[*].image"),
            Ok(json!(["x"]))
        );
        assert_eq!(
            run("request.object.spec.containers[?image == 'x'].name"),
            Ok(json!(["a"]))
        );
        assert_eq!(
            run("request.object.spec.containers[?image].name"),
            Ok(json!(["a"]))
        );
        assert_eq!(
            run("request.object.spec.containers[1].image"),
            unknown("image")
        );
        assert_eq!(run("request.object.missing[]"), Ok(json!(null)));
        assert_eq!(run("request.object.missing[0]"), unknown("missing"));
        assert_eq!(run("request.object.missing[?a]"), Ok(json!(null)));
        assert_eq!(
            run("{n: request.object.missing, m: request.object.metadata.name}"),
            Ok(json!({"m": "p", "n": null}))
        );
        assert_eq!(run("[request.object.missing, 'x']"), Ok(json!([null, "x"])));
        // A multi-select list over null is null, literals only or not (JMESPath spec,
        // MultiSelect List).
        assert_eq!(
            run("request.object.metadata.labels.['x', 'y']"),
            Ok(json!(null))
        );
        assert_eq!(run("one.['x', `2`]"), Ok(json!(["x", 2])));
        assert_eq!(
            run("not_null(request.object.missing, 'fallback')"),
            Ok(json!("fallback"))
        );
        assert!(run("length(request.object.missing)").is_err());
        assert_eq!(
            run("request.object.spec.[ephemeralContainers, initContainers, containers][].name"),
            Ok(json!(["a", "b"]))
        );
    }
}
