//! Function calls: evaluates the arguments over a view of the current value, checks them
//! against the function's row and runs its body; the result is always a new value.

use std::borrow::Cow;

use serde_json::Value;

use super::val::Val;
use super::{Evaluator, Out, missing_as_null};
use crate::jmespath::EvalError;
use crate::jmespath::ast::Expr;
use crate::jmespath::functions::{Arg, Body, FnError, Function};

const NULL: Value = Value::Null;

impl Evaluator {
    pub(super) fn call<'e, 'd>(
        &self,
        name: &str,
        function: Option<&'static Function>,
        args: &'e [Expr],
        data: Val<'d>,
    ) -> Out<'e, 'd> {
        let function = function.ok_or_else(|| EvalError::UnknownFunction(name.to_string()))?;
        let view = data.borrow();
        let mut values: Vec<Option<Cow<'_, Value>>> = Vec::with_capacity(args.len());
        for arg in args {
            values.push(match arg {
                Expr::Expref(_) => None,
                _ => Some(missing_as_null(self.eval(arg, view.borrow()))?.into_cow()),
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
            Body::Plain(body) => body(&plain(&call_args)),
            Body::Higher(body) => body(&call_args, &mut |e, v| self.apply(e, v)),
        };
        Ok(Val::Own(result.map_err(wrap)?))
    }

    /// An expression reference applied to one value (for `map`, `sort_by`, ...).
    fn apply(&self, expr: &Expr, v: &Value) -> Result<Value, FnError> {
        match missing_as_null(self.eval(expr, Val::Ref(v))) {
            Ok(v) => Ok(v.into_value()),
            Err(fault) => Err(FnError::Plain(EvalError::from(fault).to_string())),
        }
    }
}

fn plain<'a>(args: &[Arg<'a>]) -> Vec<&'a Value> {
    args.iter()
        .map(|a| match a {
            Arg::Value(v) => *v,
            Arg::Expref(_) => &NULL,
        })
        .collect()
}
