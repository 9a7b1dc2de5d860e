//! The Kyverno-dialect interpreter: walks an [`Expr`] over borrowed JSON, copying only what
//! an expression builds. A missing object key is an error that each construct propagates or
//! turns into `null` exactly as jmespath.md §1.6 lays out.

mod arrays;
mod call;
#[cfg(test)]
mod tests;
mod val;

use serde_json::Value;

use super::EvalError;
use super::ast::{Comparator, Expr, ProjectionKind};
use super::functions::FnError;
use super::layer::Layer;
use crate::value;
pub(super) use arrays::flattened_cows;
pub use val::Val;
use val::{Elements, NULL};

/// Why an evaluation stopped. A missing key keeps only the key's name, borrowed from the
/// expression: most are turned into `null` (`||`, pipes, projections) and never shown, so
/// the message is built only when one reaches the caller.
#[derive(Debug)]
pub enum Fault<'e> {
    Missing(&'e str),
    Error(Box<EvalError>),
}

impl From<Fault<'_>> for EvalError {
    fn from(fault: Fault<'_>) -> EvalError {
        match fault {
            Fault::Missing(name) => EvalError::NotFound(name.to_string()),
            Fault::Error(error) => *error,
        }
    }
}

impl From<EvalError> for Fault<'_> {
    fn from(error: EvalError) -> Self {
        Fault::Error(Box::new(error))
    }
}

/// Lets go of data an expression did not consume. Borrowed data owns nothing: it is left
/// undropped, which spares the call to the drop of `Val` that most evaluations would make.
#[inline]
fn release(data: Val<'_>) {
    match data {
        Val::Ref(_) | Val::Slice(_) => std::mem::forget(data),
        owned => drop(owned),
    }
}

/// A result borrowing from the expression (`'e`) and the data (`'d`).
type Out<'e, 'd> = Result<Val<'d>, Fault<'e>>;

pub struct Evaluator<'o> {
    /// Kyverno's dialect: a missing key is `Unknown key "<key>" in path`.
    pub strict_keys: bool,
    /// The searched document and the names laid over its top level (see [`Layer`]).
    pub layer: Option<(&'o Value, &'o Layer<'o>)>,
    /// The searched document and its `request.object`, when the caller holds that: a
    /// chain of keys from the document through `request.object` starts there instead of
    /// looking up its first two keys (most of a policy's paths read the object).
    pub object: Option<(&'o Value, &'o Value)>,
}

impl<'o> Evaluator<'o> {
    /// Evaluates `expr` over `data`. The larger constructs are `#[inline(never)]`: this
    /// function runs for every node, and their locals would enlarge its stack frame.
    pub fn eval<'e: 'd, 'd>(&self, expr: &'e Expr, data: Val<'d>) -> Out<'e, 'd>
    where
        'o: 'd,
    {
        match expr {
            Expr::Identity => Ok(data),
            Expr::Field(name) => self.field(data, name),
            Expr::Keys {
                keys,
                through_object,
                ..
            } => match data {
                Val::Ref(value) => {
                    release(data);
                    self.keys_of(value, keys, *through_object)
                }
                mut value => {
                    for key in keys {
                        value = self.field(value, key)?;
                    }
                    Ok(value)
                }
            },
            Expr::Index(i) => Ok(arrays::index(data, *i)),
            Expr::Slice { start, stop, step } => arrays::slice(data, *start, *stop, *step),
            Expr::Literal(v) => {
                release(data);
                Ok(Val::Ref(v))
            }
            Expr::Sub(lhs, rhs) => {
                let left = self.eval(lhs, data)?;
                match &**rhs {
                    // `a.b.c` chains: a key lookup needs no further dispatch.
                    Expr::Field(name) => self.field(left, name),
                    rhs => self.eval(rhs, left),
                }
            }
            Expr::Pipe(lhs, rhs) => {
                let left = missing_as_null(self.eval(lhs, data))?;
                missing_as_null(self.eval(rhs, left))
            }
            Expr::Or(lhs, rhs) => {
                let left = missing_as_null(self.eval_shared(lhs, &data))?;
                if left.is_truthy() {
                    release(data);
                    return Ok(left);
                }
                release(left);
                missing_as_null(self.eval(rhs, data))
            }
            Expr::And(lhs, rhs) => {
                let left = missing_as_null(self.eval_shared(lhs, &data))?;
                if !left.is_truthy() {
                    release(data);
                    return Ok(left);
                }
                release(left);
                self.eval(rhs, data)
            }
            Expr::Not(node) => {
                let v = missing_as_null(self.eval(node, data))?;
                let truthy = v.is_truthy();
                release(v);
                Ok(Val::Own(Value::Bool(!truthy)))
            }
            Expr::Compare(op, lhs, rhs) => {
                let result = self.compare(*op, lhs, rhs, &data);
                release(data);
                result
            }
            Expr::Projection { kind, lhs, rhs } => self.project(*kind, lhs, rhs, data),
            // Matched: `unwrap_or(NULL)` would call the drop of the unused default.
            Expr::Flatten(node) => Ok(match self.eval(node, data) {
                Ok(v) => arrays::flatten(v),
                Err(_) => NULL,
            }),
            Expr::ObjectValues(node) => Ok(match self.eval(node, data) {
                Ok(v) => v.into_object_values().unwrap_or(NULL),
                Err(_) => NULL,
            }),
            Expr::Condition { predicate, then } => {
                if !self.test(predicate, &data)? {
                    release(data);
                    return Ok(NULL);
                }
                self.eval(then, data)
            }
            Expr::MultiList(items) => self.multi_list(items, data),
            // Like every multi-select list, `null` over `null`.
            Expr::LiteralList(_) if data.is_null() => {
                release(data);
                Ok(NULL)
            }
            Expr::LiteralList(array) => {
                release(data);
                Ok(Val::Ref(array))
            }
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
            }
            .into()),
        }
    }

    /// Evaluates `expr` on data that later sub-expressions read too: borrowed data is
    /// shared as is; from owned data only the part the result holds is copied.
    fn eval_shared<'e: 'd, 'd>(&self, expr: &'e Expr, data: &Val<'d>) -> Out<'e, 'd>
    where
        'o: 'd,
    {
        match data {
            Val::Ref(v) => self.step(expr, Val::Ref(v)),
            Val::Slice(items) => self.eval(expr, Val::Slice(items)),
            owned => Ok(self.eval(expr, owned.borrow())?.detach()),
        }
    }

    /// [`Evaluator::eval`], a single key (a multi-select's items, a projection's right
    /// side) looked up without its dispatch.
    #[inline(always)]
    fn step<'e: 'd, 'd>(&self, expr: &'e Expr, data: Val<'d>) -> Out<'e, 'd>
    where
        'o: 'd,
    {
        match expr {
            Expr::Field(name) => self.field(data, name),
            _ => self.eval(expr, data),
        }
    }

    /// Whether a filter's predicate holds; a missing key counts as `null`.
    fn test<'e>(&self, predicate: &'e Expr, data: &Val<'_>) -> Result<bool, Fault<'e>> {
        let v = missing_as_null(self.eval(predicate, data.borrow()))?;
        let truthy = v.is_truthy();
        release(v);
        Ok(truthy)
    }

    /// The value of key `name` (taken from the layer first when `data` is the layered
    /// document itself), or `null` when the data is not an object. An owned object gives
    /// the value up instead of copying it.
    fn field<'e, 'd>(&self, data: Val<'d>, name: &'e str) -> Out<'e, 'd>
    where
        'o: 'd,
    {
        if let Val::Ref(value) = data {
            // Let go of without the drop call a lookup would otherwise make every time.
            release(data);
            if let Some((document, layer)) = self.layer
                && std::ptr::eq(document, value)
                && let Some(found) = layer.get(name)
            {
                return Ok(Val::Ref(found));
            }
            let Value::Object(map) = value else {
                return Ok(NULL);
            };
            if let Some(v) = crate::value::field(map, name) {
                return Ok(Val::Ref(v));
            }
        } else {
            match data {
                Val::Own(Value::Object(mut map)) => {
                    if let Some(v) = map.remove(name) {
                        return Ok(Val::Own(v));
                    }
                }
                _ => return Ok(NULL),
            }
        }
        if self.strict_keys {
            Err(Fault::Missing(name))
        } else {
            Ok(NULL)
        }
    }

    /// [`Evaluator::field`] for each key in turn, over borrowed data: one loop over the
    /// values, without a call per key. Only the document itself (the first value at
    /// most) can be the layered one.
    fn keys_of<'e, 'd>(
        &self,
        mut value: &'d Value,
        keys: &'e [Box<str>],
        through_object: bool,
    ) -> Out<'e, 'd>
    where
        'o: 'd,
    {
        let mut keys = keys.iter();
        if let Some((document, layer)) = self.layer
            && std::ptr::eq(document, value)
            && let Some(first) = keys.as_slice().first()
            && let Some(found) = layer.get(first)
        {
            value = found;
            keys.next();
        } else if through_object
            && let Some((document, object)) = self.object
            && std::ptr::eq(document, value)
        {
            // The layer does not hide `request` (it was asked first).
            value = object;
            keys.nth(1);
        }
        for key in keys {
            let Value::Object(map) = value else {
                // Every key after a non-object is `null` too.
                return Ok(NULL);
            };
            value = match value::field(map, key) {
                Some(v) => v,
                None if self.strict_keys => return Err(Fault::Missing(key)),
                None => return Ok(NULL),
            };
        }
        Ok(Val::Ref(value))
    }

    #[inline(never)]
    fn compare<'e, 'd>(
        &self,
        op: Comparator,
        lhs: &'e Expr,
        rhs: &'e Expr,
        data: &Val<'_>,
    ) -> Out<'e, 'd>
    where
        'o: 'd,
    {
        let left = missing_as_null(self.eval(lhs, data.borrow()))?;
        let right = missing_as_null(self.eval(rhs, data.borrow()))?;
        let result = match (left.json(), right.json()) {
            (Some(l), Some(r)) => compare(op, l, r),
            _ => compare(op, &left.to_cow(), &right.to_cow()),
        };
        release(left);
        release(right);
        Ok(Val::Own(result))
    }

    #[inline(never)]
    fn project<'e: 'd, 'd>(
        &self,
        kind: ProjectionKind,
        lhs: &'e Expr,
        rhs: &'e Expr,
        data: Val<'d>,
    ) -> Out<'e, 'd>
    where
        'o: 'd,
    {
        // `a.[b, c][].d` over a borrowed `a` (Kyverno's usual list of a pod's images): the
        // keys' arrays are read in place, without the list of them and its flattened copy.
        if let Expr::Flatten(node) = lhs
            && let Expr::Sub(parent, selected) = &**node
            && let Expr::MultiList(keys) = &**selected
            && keys.iter().all(|key| matches!(key, Expr::Field(_)))
            && matches!(rhs, Expr::Field(_) | Expr::Keys { .. })
            && let Ok(Val::Ref(parent)) = self.eval_shared(parent, &data)
        {
            release(data);
            return self.project_selected(parent, keys, rhs);
        }
        let left = match (kind, self.eval(lhs, data)) {
            (_, Ok(v)) => v,
            (ProjectionKind::Lenient, Err(_)) | (ProjectionKind::List, Err(Fault::Missing(_))) => {
                NULL
            }
            (ProjectionKind::List, Err(e)) => return Err(e),
        };
        // `x[]` over an array the expression built (a flatten's): the array itself without
        // its nulls, kept in place instead of copied into a new one.
        let left = match (rhs, left) {
            (Expr::Identity, Val::List(mut items)) => {
                items.retain(|item| !item.is_null());
                return Ok(Val::List(items));
            }
            (_, left) => left,
        };
        match left.into_elements() {
            // The document's own arrays, the common case, get a loop of their own.
            Ok(Elements::Refs(items)) => self.project_each(rhs, items.map(Val::Ref)),
            Ok(items) => self.project_each(rhs, items),
            Err(_) => Ok(NULL),
        }
    }

    /// `[keys][]` over `parent`, projected by `rhs` (a key or a chain of keys), as the
    /// general path gives it; `null` elements are left out, as `rhs` would make them
    /// `null`. `keys` are single keys (the caller checked).
    fn project_selected<'e: 'd, 'd>(
        &self,
        parent: &'d Value,
        keys: &'e [Expr],
        rhs: &'e Expr,
    ) -> Out<'e, 'd>
    where
        'o: 'd,
    {
        // A multi-select over `null` is `null`, and so are its flatten and projection.
        if parent.is_null() {
            return Ok(NULL);
        }
        let mut collected = Vec::new();
        for elements in self.selected(parent, keys) {
            for element in elements.iter().filter(|element| !element.is_null()) {
                match self.step(rhs, Val::Ref(element)) {
                    Ok(v) if !v.is_null() => collected.push(v),
                    Ok(v) => release(v),
                    Err(Fault::Missing(_)) => {}
                    Err(fault) => return Err(fault),
                }
            }
        }
        Ok(Val::List(collected))
    }

    /// What `[keys][]` flattens over `parent`, a value that is not `null`, without the list
    /// between: for each key, the elements of its array, or its value alone (nothing for a
    /// missing key or `null`). The `null` elements are the caller's to leave out, as every
    /// `[...][]` does. Items of `keys` that are not single keys give nothing (callers check
    /// there are none).
    #[inline]
    pub(super) fn selected<'d>(
        &self,
        parent: &'d Value,
        keys: &[Expr],
    ) -> smallvec::SmallVec<[&'d [Value]; 4]>
    where
        'o: 'd,
    {
        // Keys of the layered document itself are the layer's first (see `field`).
        let layered = self
            .layer
            .is_some_and(|(document, _)| std::ptr::eq(document, parent));
        let mut selected = smallvec::SmallVec::new();
        for key in keys {
            let Expr::Field(name) = key else {
                continue;
            };
            let value = match (layered, parent) {
                (false, Value::Object(map)) => crate::value::field(map, name),
                (false, _) => None,
                (true, _) => match self.field(Val::Ref(parent), name) {
                    Ok(Val::Ref(value)) => Some(value),
                    _ => None,
                },
            };
            match value {
                Some(Value::Array(elements)) => selected.push(elements.as_slice()),
                Some(Value::Null) | None => {}
                Some(other) => selected.push(std::slice::from_ref(other)),
            }
        }
        selected
    }

    /// `rhs` over each element, keeping the results that are not `null`.
    fn project_each<'e: 'd, 'd>(
        &self,
        rhs: &'e Expr,
        items: impl ExactSizeIterator<Item = Val<'d>>,
    ) -> Out<'e, 'd>
    where
        'o: 'd,
    {
        let mut collected = Vec::with_capacity(items.len());
        for element in items {
            match self.step(rhs, element) {
                Ok(v) if !v.is_null() => collected.push(v),
                Ok(v) => release(v),
                Err(Fault::Missing(_)) => {}
                Err(fault) => return Err(fault),
            }
        }
        Ok(Val::List(collected))
    }

    #[inline(never)]
    fn multi_list<'e: 'd, 'd>(&self, items: &'e [Expr], data: Val<'d>) -> Out<'e, 'd>
    where
        'o: 'd,
    {
        if data.is_null() {
            return Ok(NULL);
        }
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            out.push(missing_as_null(self.eval_shared(item, &data))?);
        }
        release(data);
        Ok(Val::List(out))
    }

    #[inline(never)]
    fn multi_hash<'e, 'd>(&self, pairs: &'e [(Box<str>, Expr)], data: Val<'d>) -> Out<'e, 'd> {
        if data.is_null() {
            return Ok(NULL);
        }
        let mut out = serde_json::Map::new();
        for (key, item) in pairs {
            let v = missing_as_null(self.eval(item, data.borrow()))?.into_value();
            out.insert(key.to_string(), v);
        }
        Ok(Val::Own(Value::Object(out)))
    }
}

/// Turns a missing-key error into `null`; other errors pass.
fn missing_as_null<'e, 'd>(r: Out<'e, 'd>) -> Out<'e, 'd> {
    match r {
        Err(Fault::Missing(_)) => Ok(NULL),
        other => other,
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
