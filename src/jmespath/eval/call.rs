//! Function calls: evaluates the arguments over a view of the current value, checks them
//! against the function's row and runs its body; the result is always a new value.

use std::borrow::Cow;

use serde_json::Value;

use super::val::Val;
use super::{Evaluator, Fault, Out, missing_as_null, release};
use crate::jmespath::EvalError;
use crate::jmespath::ast::Expr;
use crate::jmespath::functions::{Arg, Body, FnError, Function};

const NULL: Value = Value::Null;

/// An argument slot not filled (an expression reference's, or a missing key's).
const NULL_ARG: Cow<'static, Value> = Cow::Borrowed(&NULL);

/// Calls with at most this many arguments keep them on the stack, without a heap
/// allocation (nearly all calls: only `merge` and `not_null` take more).
const INLINE_ARGS: usize = 4;

impl<'o> Evaluator<'o> {
    #[inline(never)]
    pub(super) fn call<'e, 'd>(
        &self,
        name: &str,
        function: Option<&'static Function>,
        args: &'e [Expr],
        data: Val<'d>,
    ) -> Out<'e, 'd>
    where
        'o: 'd,
    {
        let function = function.ok_or_else(|| EvalError::UnknownFunction(name.to_string()))?;
        let view = data.borrow();
        // `length()` of a list the expression built (a projection's, a filter's, or one
        // lent to a pipe's right side): its elements counted, not copied into an array.
        if function.name == "length"
            && let [arg] = args
            && !matches!(arg, Expr::Expref(_))
        {
            match self.eval(arg, view.borrow()) {
                Ok(Val::List(items)) => return Ok(count(items.len())),
                Ok(Val::Slice(items)) => return Ok(count(items.len())),
                Ok(v) => return self.run(name, function, args, &[v.into_cow()]),
                // A missing key is `null`, which the type check then refuses.
                Err(Fault::Missing(_)) => return self.run(name, function, args, &[NULL_ARG]),
                Err(fault) => return Err(fault),
            }
        }
        let result = if args.len() <= INLINE_ARGS {
            let mut inline = [NULL_ARG; INLINE_ARGS];
            let values = &mut inline[..args.len()];
            self.eval_args(args, &view, values)?;
            self.run(name, function, args, values)
        } else {
            let mut spilled = vec![NULL_ARG; args.len()];
            self.eval_args(args, &view, &mut spilled)?;
            self.run(name, function, args, &spilled)
        };
        release(view);
        release(data);
        result
    }

    /// Checks the arguments' values against the function's row, then runs its body.
    fn run<'e, 'd>(
        &self,
        name: &str,
        function: &'static Function,
        args: &'e [Expr],
        values: &[Cow<'_, Value>],
    ) -> Out<'e, 'd> {
        let wrap = |error| EvalError::Function {
            name: name.to_string(),
            error,
        };
        function.check_each(arguments(args, values)).map_err(wrap)?;
        let result = match function.body {
            Body::Plain(body) => run_plain(body, values),
            Body::Higher(body) => {
                let call_args: Vec<Arg<'_>> = arguments(args, values).collect();
                body(&call_args, &mut |e, v| self.apply(e, v))
            }
        };
        Ok(Val::Own(result.map_err(wrap)?))
    }

    /// Fills one slot per argument with its value; an expression reference's slot stays
    /// `null` (`arguments` passes the expression itself).
    fn eval_args<'e: 'v, 'v>(
        &self,
        args: &'e [Expr],
        view: &'v Val<'v>,
        slots: &mut [Cow<'v, Value>],
    ) -> Result<(), Fault<'e>>
    where
        'o: 'v,
    {
        for (slot, arg) in slots.iter_mut().zip(args) {
            if matches!(arg, Expr::Expref(_)) {
                continue;
            }
            match self.eval(arg, view.borrow()) {
                Ok(v) => *slot = v.into_cow(),
                // A missing key is `null`: the slot already holds it.
                Err(Fault::Missing(_)) => {}
                Err(fault) => return Err(fault),
            }
        }
        Ok(())
    }

    /// An expression reference applied to one value (for `map`, `sort_by`, ...). Those
    /// values are never the layered document itself (an expression that could pass it is
    /// run on a merged copy), so no layer is needed.
    fn apply(&self, expr: &Expr, v: &Value) -> Result<Value, FnError> {
        let plain = Evaluator {
            strict_keys: self.strict_keys,
            layer: None,
            object: None,
        };
        match missing_as_null(plain.eval(expr, Val::Ref(v))) {
            Ok(v) => Ok(v.into_value()),
            Err(fault) => Err(FnError::Plain(EvalError::from(fault).to_string())),
        }
    }
}

/// The arguments as the function sees them: values, or the referenced expressions.
fn arguments<'a>(
    args: &'a [Expr],
    values: &'a [Cow<'_, Value>],
) -> impl ExactSizeIterator<Item = Arg<'a>> {
    args.iter().zip(values).map(|(expr, v)| match expr {
        Expr::Expref(inner) => Arg::Expref(inner),
        _ => Arg::Value(v),
    })
}

/// A count as a JSON number.
fn count(n: usize) -> Val<'static> {
    Val::Own(crate::value::number(n as f64))
}

fn run_plain(
    body: fn(&[&Value]) -> Result<Value, FnError>,
    values: &[Cow<'_, Value>],
) -> Result<Value, FnError> {
    if values.len() > INLINE_ARGS {
        return body(&values.iter().map(AsRef::as_ref).collect::<Vec<_>>());
    }
    let mut refs: [&Value; INLINE_ARGS] = [&NULL; INLINE_ARGS];
    for (slot, v) in refs.iter_mut().zip(values) {
        *slot = v;
    }
    body(&refs[..values.len()])
}
