//! The Kyverno-dialect interpreter: walks an [`Expr`] over borrowed JSON, copying only what
//! an expression builds. A missing object key is an error that each construct propagates or
//! turns into `null` exactly as jmespath.md §1.6 lays out.

use std::borrow::Cow;

use serde_json::Value;

use super::EvalError;
use super::ast::{Comparator, Expr, ProjectionKind};
use super::functions::{Arg, Body, FnError, Function};
use crate::value;

type Out<'a> = Result<Cow<'a, Value>, EvalError>;

const NULL: Value = Value::Null;

pub struct Evaluator {
    /// Kyverno's dialect: a missing key is `Unknown key "<key>" in path`.
    pub strict_keys: bool,
}

impl Evaluator {
    pub fn eval<'a>(&self, expr: &'a Expr, data: Cow<'a, Value>) -> Out<'a> {
        match expr {
            Expr::Identity => Ok(data),
            Expr::Field(name) => self.field(data, name),
            Expr::Index(i) => Ok(index(data, *i)),
            Expr::Slice { start, stop, step } => slice(data, *start, *stop, *step),
            Expr::Literal(v) => Ok(Cow::Borrowed(v)),
            Expr::Sub(lhs, rhs) => {
                let left = self.eval(lhs, data)?;
                self.eval(rhs, left)
            }
            Expr::Pipe(lhs, rhs) => {
                let left = missing_as_null(self.eval(lhs, data))?;
                missing_as_null(self.eval(rhs, left))
            }
            Expr::Or(lhs, rhs) => {
                let left = missing_as_null(self.eval(lhs, data.clone()))?;
                if value::is_truthy(&left) {
                    return Ok(left);
                }
                missing_as_null(self.eval(rhs, data))
            }
            Expr::And(lhs, rhs) => {
                let left = missing_as_null(self.eval(lhs, data.clone()))?;
                if !value::is_truthy(&left) {
                    return Ok(left);
                }
                self.eval(rhs, data)
            }
            Expr::Not(node) => {
                let v = missing_as_null(self.eval(node, data))?;
                Ok(Cow::Owned(Value::Bool(!value::is_truthy(&v))))
            }
            Expr::Compare(op, lhs, rhs) => {
                let left = missing_as_null(self.eval(lhs, data.clone()))?;
                let right = missing_as_null(self.eval(rhs, data))?;
                Ok(Cow::Owned(compare(*op, &left, &right)))
            }
            Expr::Projection { kind, lhs, rhs } => self.project(*kind, lhs, rhs, data),
            Expr::Flatten(node) => Ok(flatten(self.eval(node, data).unwrap_or(NULL_COW))),
            Expr::ObjectValues(node) => {
                Ok(object_values(self.eval(node, data).unwrap_or(NULL_COW)))
            }
            Expr::Condition { predicate, then } => {
                let test = missing_as_null(self.eval(predicate, data.clone()))?;
                if value::is_truthy(&test) {
                    self.eval(then, data)
                } else {
                    Ok(NULL_COW)
                }
            }
            Expr::MultiList(items) => self.multi_list(items, data),
            Expr::MultiHash(pairs) => self.multi_hash(pairs, data),
            Expr::Function {
                name,
                function,
                args,
            } => self.call(name, *function, args, data),
            Expr::Expref(_) => Err(EvalError::Function {
                name: "&".into(),
                error: FnError::InvalidValue(
                    "an expression reference is only valid as a function argument".into(),
                ),
            }),
        }
    }

    fn field<'a>(&self, data: Cow<'a, Value>, name: &str) -> Out<'a> {
        let missing = || {
            if self.strict_keys {
                Err(EvalError::NotFound(name.to_string()))
            } else {
                Ok(NULL_COW)
            }
        };
        match data {
            Cow::Borrowed(Value::Object(map)) => {
                map.get(name).map_or_else(missing, |v| Ok(Cow::Borrowed(v)))
            }
            Cow::Owned(Value::Object(mut map)) => {
                map.remove(name).map_or_else(missing, |v| Ok(Cow::Owned(v)))
            }
            _ => Ok(NULL_COW),
        }
    }

    fn project<'a>(
        &self,
        kind: ProjectionKind,
        lhs: &'a Expr,
        rhs: &'a Expr,
        data: Cow<'a, Value>,
    ) -> Out<'a> {
        let left = match (kind, self.eval(lhs, data)) {
            (_, Ok(v)) => v,
            (ProjectionKind::Lenient, Err(_))
            | (ProjectionKind::List, Err(EvalError::NotFound(_))) => NULL_COW,
            (ProjectionKind::List, Err(e)) => return Err(e),
        };
        let Some(items) = elements(left) else {
            return Ok(NULL_COW);
        };
        let mut collected = Vec::new();
        for element in items {
            let v = missing_as_null(self.eval(rhs, element))?;
            if !v.is_null() {
                collected.push(v.into_owned());
            }
        }
        Ok(Cow::Owned(Value::Array(collected)))
    }

    fn multi_list<'a>(&self, items: &'a [Expr], data: Cow<'a, Value>) -> Out<'a> {
        if data.is_null() {
            return Ok(NULL_COW);
        }
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            out.push(missing_as_null(self.eval(item, data.clone()))?.into_owned());
        }
        Ok(Cow::Owned(Value::Array(out)))
    }

    fn multi_hash<'a>(&self, pairs: &'a [(Box<str>, Expr)], data: Cow<'a, Value>) -> Out<'a> {
        if data.is_null() {
            return Ok(NULL_COW);
        }
        let mut out = serde_json::Map::new();
        for (key, item) in pairs {
            let v = missing_as_null(self.eval(item, data.clone()))?.into_owned();
            out.insert(key.to_string(), v);
        }
        Ok(Cow::Owned(Value::Object(out)))
    }

    fn call<'a>(
        &self,
        name: &str,
        function: Option<&'static Function>,
        args: &'a [Expr],
        data: Cow<'a, Value>,
    ) -> Out<'a> {
        let function = function.ok_or_else(|| EvalError::UnknownFunction(name.to_string()))?;
        let mut values: Vec<Option<Cow<'a, Value>>> = Vec::with_capacity(args.len());
        for arg in args {
            values.push(match arg {
                Expr::Expref(_) => None,
                _ => Some(missing_as_null(self.eval(arg, data.clone()))?),
            });
        }
        let call_args: Vec<Arg<'_>> = args
            .iter()
            .zip(&values)
            .map(|(expr, v)| match (expr, v) {
                (Expr::Expref(inner), _) => Arg::Expref(inner),
                (_, Some(v)) => Arg::Value(v.as_ref()),
                (_, None) => Arg::Value(&NULL),
            })
            .collect();
        let wrap = |error| EvalError::Function {
            name: name.to_string(),
            error,
        };
        function.check(&call_args).map_err(wrap)?;
        let result = match function.body {
            Body::Plain(body) => {
                let plain: Vec<&Value> = call_args
                    .iter()
                    .map(|a| match a {
                        Arg::Value(v) => *v,
                        Arg::Expref(_) => &NULL,
                    })
                    .collect();
                body(&plain)
            }
            Body::Higher(body) => {
                let mut apply = |e: &Expr, v: &Value| -> Result<Value, FnError> {
                    match missing_as_null(self.eval(e, Cow::Borrowed(v))) {
                        Ok(v) => Ok(v.into_owned()),
                        Err(err) => Err(FnError::Plain(err.to_string())),
                    }
                };
                body(&call_args, &mut apply)
            }
        };
        result.map(Cow::Owned).map_err(wrap)
    }
}

const NULL_COW: Cow<'static, Value> = Cow::Borrowed(&NULL);

/// Turns a missing-key error into `null`; other errors pass.
fn missing_as_null(r: Out<'_>) -> Out<'_> {
    match r {
        Err(EvalError::NotFound(_)) => Ok(NULL_COW),
        other => other,
    }
}

/// The elements of an array value, borrowed or moved out; `None` for a non-array.
fn elements(v: Cow<'_, Value>) -> Option<Vec<Cow<'_, Value>>> {
    match v {
        Cow::Borrowed(Value::Array(items)) => Some(items.iter().map(Cow::Borrowed).collect()),
        Cow::Owned(Value::Array(items)) => Some(items.into_iter().map(Cow::Owned).collect()),
        _ => None,
    }
}

fn index(data: Cow<'_, Value>, i: i64) -> Cow<'_, Value> {
    let pick = |len: usize| -> Option<usize> {
        let len = i64::try_from(len).ok()?;
        let at = if i < 0 { len + i } else { i };
        usize::try_from(at).ok().filter(|&a| (a as i64) < len)
    };
    match data {
        Cow::Borrowed(Value::Array(items)) => {
            pick(items.len()).map_or(NULL_COW, |at| Cow::Borrowed(&items[at]))
        }
        Cow::Owned(Value::Array(mut items)) => match pick(items.len()) {
            Some(at) => Cow::Owned(items.swap_remove(at)),
            None => NULL_COW,
        },
        _ => NULL_COW,
    }
}

fn slice(data: Cow<'_, Value>, start: Option<i64>, stop: Option<i64>, step: i64) -> Out<'_> {
    if step == 0 {
        return Err(EvalError::Function {
            name: "slice".into(),
            error: FnError::InvalidValue("slice step cannot be 0".into()),
        });
    }
    let Some(items) = data.as_array() else {
        return Ok(NULL_COW);
    };
    let len = items.len() as i64;
    let bound = |v: Option<i64>, default: i64| match v {
        None => default,
        Some(n) if n < 0 => (n + len).max(if step < 0 { -1 } else { 0 }),
        Some(n) => n.min(if step < 0 { len - 1 } else { len }),
    };
    let (from, to) = if step > 0 {
        (bound(start, 0), bound(stop, len))
    } else {
        (bound(start, len - 1), bound(stop, -1))
    };
    let mut out = Vec::new();
    let mut i = from;
    while (step > 0 && i < to) || (step < 0 && i > to) {
        if let Some(item) = usize::try_from(i).ok().and_then(|at| items.get(at)) {
            out.push(item.clone());
        }
        i += step;
    }
    Ok(Cow::Owned(Value::Array(out)))
}

fn flatten(v: Cow<'_, Value>) -> Cow<'_, Value> {
    let Some(items) = v.as_array() else {
        return NULL_COW;
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Value::Array(inner) => out.extend(inner.iter().cloned()),
            other => out.push(other.clone()),
        }
    }
    Cow::Owned(Value::Array(out))
}

fn object_values(v: Cow<'_, Value>) -> Cow<'_, Value> {
    match v {
        Cow::Borrowed(Value::Object(map)) => {
            Cow::Owned(Value::Array(map.values().cloned().collect()))
        }
        Cow::Owned(Value::Object(map)) => {
            Cow::Owned(Value::Array(map.into_iter().map(|(_, v)| v).collect()))
        }
        _ => NULL_COW,
    }
}

fn compare(op: Comparator, left: &Value, right: &Value) -> Value {
    match op {
        Comparator::Eq => Value::Bool(value::deep_eq(left, right)),
        Comparator::Ne => Value::Bool(!value::deep_eq(left, right)),
        _ => match (left.as_f64(), right.as_f64()) {
            (Some(a), Some(b)) => Value::Bool(match op {
                Comparator::Lt => a < b,
                Comparator::Le => a <= b,
                Comparator::Gt => a > b,
                _ => a >= b,
            }),
            _ => Value::Null,
        },
    }
}
