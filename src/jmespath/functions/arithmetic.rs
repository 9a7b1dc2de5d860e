//! Kyverno's arithmetic functions (jmespath.md §2.7): each operand is a number (Scalar), a
//! Kubernetes quantity or a Go duration, and the pair decides the operation. Quantity and
//! duration results are strings in their canonical form; scalar results are numbers.

use serde_json::Value;

use super::{FnError, Function, Types, num_arg};
use crate::value::duration::{Duration, go_float_to_int64};
use crate::value::quantity::{Quantity, QuantityError};
use crate::value::{self, go};

const ANY: Types = Types::ANY;
const NUM: Types = Types::NUMBER;

const fn row(
    name: &'static str,
    params: &'static [Types],
    note: &'static str,
    body: fn(&[&Value]) -> Result<Value, FnError>,
) -> Function {
    Function::plain(name, params, "any", note, body)
}

pub const FUNCTIONS: &[Function] = &[
    row(
        "add",
        &[ANY, ANY],
        "Sum of two numbers, quantities or durations (both of one kind).",
        add,
    ),
    row(
        "sum",
        &[Types::ARRAY],
        "Sum of the elements with add; one element is returned as is, none is an error.",
        sum,
    ),
    row(
        "subtract",
        &[ANY, ANY],
        "Difference of two numbers, quantities or durations (both of one kind).",
        subtract,
    ),
    row(
        "multiply",
        &[ANY, ANY],
        "Product of two numbers, or of a quantity or duration and a number.",
        multiply,
    ),
    row(
        "divide",
        &[ANY, ANY],
        "Quotient: a number for two of a kind, a quantity or duration divided by a number.",
        divide,
    ),
    row(
        "modulo",
        &[ANY, ANY],
        "Remainder (sign of the dividend) of two integral numbers, quantities or durations.",
        modulo,
    ),
    Function {
        returns: "number",
        ..row(
            "round",
            &[NUM, NUM],
            "Number rounded half away from zero to a number of decimal places.",
            round,
        )
    },
];

/// One classified argument.
#[derive(Clone, Copy, Debug)]
enum Operand {
    Scalar(f64),
    Quantity(Quantity),
    Duration(Duration),
}

use Operand::{Duration as D, Quantity as Q, Scalar as S};

fn kyverno(message: &str) -> FnError {
    FnError::Kyverno(message.to_string())
}

fn mismatch() -> FnError {
    kyverno("Types mismatch")
}

fn zero_divisor() -> FnError {
    kyverno("Zero divisor passed")
}

fn non_integer() -> FnError {
    kyverno("Non-integer argument(s) passed for modulo")
}

fn quantity_error(error: QuantityError) -> FnError {
    FnError::Plain(error.to_string())
}

/// A number is a Scalar; a string is a Quantity if it parses as one (so `'10'` is a
/// quantity), else a Duration; anything else is not an operand.
fn classify(v: &Value) -> Result<Option<Operand>, FnError> {
    let Value::String(text) = v else {
        return Ok(value::as_f64(v).map(S));
    };
    match Quantity::parse(text) {
        Ok(q) => Ok(Some(Q(q))),
        Err(QuantityError::OutOfRange) => Err(quantity_error(QuantityError::OutOfRange)),
        Err(_) => Ok(Duration::read(text).ok().map(D)),
    }
}

fn operands(args: &[&Value]) -> Result<(Operand, Operand), FnError> {
    match (classify(args[0])?, classify(args[1])?) {
        (Some(a), Some(b)) => Ok((a, b)),
        _ => Err(kyverno("invalid operands")),
    }
}

fn scalar(f: f64) -> Result<Value, FnError> {
    if f.is_finite() {
        Ok(value::number(f))
    } else {
        Err(FnError::Plain(format!(
            "json: unsupported value: {}",
            go::format_g(f)
        )))
    }
}

fn text(t: impl ToString) -> Result<Value, FnError> {
    Ok(Value::String(t.to_string()))
}

fn add(args: &[&Value]) -> Result<Value, FnError> {
    add_pair(args[0], args[1])
}

fn add_pair(a: &Value, b: &Value) -> Result<Value, FnError> {
    match operands(&[a, b])? {
        (S(a), S(b)) => scalar(a + b),
        (Q(a), Q(b)) => text(a.checked_add(&b).map_err(quantity_error)?),
        (D(a), D(b)) => text(Duration::from_nanos(
            a.as_nanos().wrapping_add(b.as_nanos()),
        )),
        _ => Err(mismatch()),
    }
}

/// Kyverno's `sum`: the elements folded with `add` (each partial sum is the value `add`
/// returned, so quantities are re-read from their canonical text).
fn sum(args: &[&Value]) -> Result<Value, FnError> {
    let items = args[0].as_array().map(Vec::as_slice).unwrap_or_default();
    let Some((first, rest)) = items.split_first() else {
        return Err(kyverno("at least one element in the array is required"));
    };
    rest.iter()
        .try_fold(first.clone(), |total, item| add_pair(&total, item))
}

fn subtract(args: &[&Value]) -> Result<Value, FnError> {
    match operands(args)? {
        (S(a), S(b)) => scalar(a - b),
        (Q(a), Q(b)) => text(a.checked_sub(&b).map_err(quantity_error)?),
        (D(a), D(b)) => text(Duration::from_nanos(
            a.as_nanos().wrapping_sub(b.as_nanos()),
        )),
        _ => Err(mismatch()),
    }
}

fn multiply(args: &[&Value]) -> Result<Value, FnError> {
    match operands(args)? {
        (S(a), S(b)) => scalar(a * b),
        (Q(q), S(s)) | (S(s), Q(q)) => {
            let product = q.checked_mul(&scalar_quantity(s)?);
            text(product.map_err(quantity_error)?)
        }
        (D(d), S(s)) | (S(s), D(d)) => text(Duration::from_secs_f64_go(d.as_secs_f64() * s)),
        _ => Err(mismatch()),
    }
}

/// A scalar as Kyverno turns it into a quantity: printed with Go's `%v`, then parsed.
fn scalar_quantity(s: f64) -> Result<Quantity, FnError> {
    Quantity::parse(&go::format_g(s)).map_err(quantity_error)
}

fn divide(args: &[&Value]) -> Result<Value, FnError> {
    match operands(args)? {
        (S(_), S(b)) | (Q(_), S(b)) | (D(_), S(b)) if b == 0.0 => Err(zero_divisor()),
        (S(a), S(b)) => scalar(a / b),
        (Q(_), Q(b)) if b.to_f64() == 0.0 => Err(zero_divisor()),
        (Q(a), Q(b)) => scalar(a.to_f64() / b.to_f64()),
        (Q(q), S(s)) => match q.div_truncated(&scalar_quantity(s)?) {
            Some(quotient) => text(quotient.map_err(quantity_error)?),
            None => Err(zero_divisor()),
        },
        (D(_), D(b)) if b == Duration::ZERO => Err(zero_divisor()),
        (D(a), D(b)) => scalar(a.as_secs_f64() / b.as_secs_f64()),
        (D(d), S(s)) => text(Duration::from_secs_f64_go(d.as_secs_f64() / s)),
        _ => Err(mismatch()),
    }
}

fn modulo(args: &[&Value]) -> Result<Value, FnError> {
    match operands(args)? {
        (S(a), S(b)) => scalar(integer_remainder(a, b)? as f64),
        (Q(a), Q(b)) => {
            let remainder = integer_remainder(a.to_f64(), b.to_f64())?;
            text(Quantity::from_i64(remainder, a.format()))
        }
        (D(_), D(b)) if b == Duration::ZERO => Err(zero_divisor()),
        (D(a), D(b)) => text(Duration::from_nanos(
            a.as_nanos().wrapping_rem(b.as_nanos()),
        )),
        _ => Err(mismatch()),
    }
}

/// The int64 remainder (sign of the dividend) of two integral floats.
fn integer_remainder(a: f64, b: f64) -> Result<i64, FnError> {
    let (i, j) = (go_float_to_int64(a), go_float_to_int64(b));
    if a != i as f64 || b != j as f64 {
        return Err(non_integer());
    }
    if j == 0 {
        return Err(zero_divisor());
    }
    Ok(i.wrapping_rem(j))
}

fn round(args: &[&Value]) -> Result<Value, FnError> {
    let (x, places) = (num_arg(args, 0)?, num_arg(args, 1)?);
    let digits = go_float_to_int64(places);
    if digits as f64 != places {
        return Err(kyverno("Non-integer argument(s) passed for round off"));
    }
    if digits < 0 {
        // Go's message has its placeholders unfilled.
        return Err(kyverno(
            "%!d(MISSING) argument is out of bounds (%!d(MISSING))",
        ));
    }
    let shift = 10f64.powf(digits as f64);
    scalar((x * shift).round() / shift)
}
