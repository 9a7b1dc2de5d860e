//! The 26 standard JMESPath functions, with the Go details Kyverno's engine shows
//! (jmespath.md §1.8): strings compare bytewise, lengths count code points, `to_string`
//! uses Go's JSON encoding.

use std::cmp::Ordering;

use serde_json::Value;

use super::{Apply, Arg, Body, FnError, Function, Types};
use crate::value::{self, go};

const NUM: Types = Types::NUMBER;
const STR: Types = Types::STRING;
const ANY: Types = Types::ANY;
const OBJ: Types = Types::OBJECT;
const ARR: Types = Types::ARRAY;
const EXPREF: Types = Types::EXPREF;
const NUMS_OR_STRS: Types = Types::ARRAY_NUMBER.or(Types::ARRAY_STRING);

const fn higher(
    name: &'static str,
    params: &'static [Types],
    returns: &'static str,
    note: &'static str,
    body: fn(&[Arg<'_>], &mut Apply<'_>) -> Result<Value, FnError>,
) -> Function {
    Function {
        body: Body::Higher(body),
        ..Function::plain(name, params, returns, note, unreachable_plain)
    }
}

const fn variadic(f: Function) -> Function {
    Function {
        variadic: true,
        ..f
    }
}

/// Placeholder body of rows whose real body is [`Body::Higher`]; never called.
fn unreachable_plain(_: &[&Value]) -> Result<Value, FnError> {
    Err(FnError::InvalidValue(
        "function needs an expression reference".into(),
    ))
}

pub const FUNCTIONS: &[Function] = &[
    Function::plain("abs", &[NUM], "number", "Absolute value.", abs),
    Function::plain(
        "avg",
        &[Types::ARRAY_NUMBER],
        "number",
        "Average; null for an empty array.",
        avg,
    ),
    Function::plain(
        "ceil",
        &[NUM],
        "number",
        "Smallest integer not below the number.",
        ceil,
    ),
    Function::plain(
        "contains",
        &[ARR.or(STR), ANY],
        "boolean",
        "Array element or substring test.",
        contains,
    ),
    Function::plain(
        "ends_with",
        &[STR, STR],
        "boolean",
        "Suffix test.",
        ends_with,
    ),
    Function::plain(
        "floor",
        &[NUM],
        "number",
        "Largest integer not above the number.",
        floor,
    ),
    Function::plain(
        "join",
        &[STR, Types::ARRAY_STRING],
        "string",
        "Joins strings with a glue.",
        join,
    ),
    Function::plain("keys", &[OBJ], "array", "Object keys, sorted.", keys),
    Function::plain(
        "length",
        &[STR.or(ARR).or(OBJ)],
        "number",
        "Code points, elements or keys.",
        length,
    ),
    higher(
        "map",
        &[EXPREF, ARR],
        "array",
        "Applies an expression to each element.",
        map,
    ),
    Function::plain(
        "max",
        &[NUMS_OR_STRS],
        "number|string",
        "Largest element.",
        max,
    ),
    higher(
        "max_by",
        &[ARR, EXPREF],
        "any",
        "Element with the largest key.",
        max_by,
    ),
    variadic(Function::plain(
        "merge",
        &[OBJ],
        "object",
        "Merges objects, later keys win.",
        merge,
    )),
    Function::plain(
        "min",
        &[NUMS_OR_STRS],
        "number|string",
        "Smallest element.",
        min,
    ),
    higher(
        "min_by",
        &[ARR, EXPREF],
        "any",
        "Element with the smallest key.",
        min_by,
    ),
    variadic(Function::plain(
        "not_null",
        &[ANY],
        "any",
        "First argument that is not null.",
        not_null,
    )),
    Function::plain(
        "reverse",
        &[STR.or(ARR)],
        "string|array",
        "Reversed string or array.",
        reverse,
    ),
    Function::plain(
        "sort",
        &[NUMS_OR_STRS],
        "array",
        "Sorted numbers or strings.",
        sort,
    ),
    higher(
        "sort_by",
        &[ARR, EXPREF],
        "array",
        "Stable sort by a key expression.",
        sort_by,
    ),
    Function::plain(
        "starts_with",
        &[STR, STR],
        "boolean",
        "Prefix test.",
        starts_with,
    ),
    Function::plain(
        "sum",
        &[Types::ARRAY_NUMBER],
        "number",
        "Sum of numbers; 0 when empty.",
        sum,
    ),
    Function::plain(
        "to_array",
        &[ANY],
        "array",
        "Wraps a non-array in an array.",
        to_array,
    ),
    Function::plain(
        "to_number",
        &[ANY],
        "number",
        "Number, or null when not convertible.",
        to_number,
    ),
    Function::plain(
        "to_string",
        &[ANY],
        "string",
        "Strings as is, others as JSON.",
        to_string,
    ),
    Function::plain("type", &[ANY], "string", "JMESPath type name.", type_of),
    Function::plain(
        "values",
        &[OBJ],
        "array",
        "Object values, in key order.",
        values,
    ),
];

/// Built-ins whose Kyverno behaviour differs from the standard one.
pub const KYVERNO_OVERRIDES: &[Function] = &[Function::plain(
    "avg",
    &[Types::ARRAY_NUMBER],
    "number",
    "Average; an empty array is an error (Go computes NaN).",
    avg_strict,
)];

fn abs(args: &[&Value]) -> Result<Value, FnError> {
    Ok(value::number(super::num_arg(args, 0)?.abs()))
}

fn numbers(v: &Value) -> Vec<f64> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default()
}

fn avg(args: &[&Value]) -> Result<Value, FnError> {
    let nums = numbers(args[0]);
    if nums.is_empty() {
        return Ok(Value::Null);
    }
    Ok(value::number(nums.iter().sum::<f64>() / nums.len() as f64))
}

fn avg_strict(args: &[&Value]) -> Result<Value, FnError> {
    match avg(args)? {
        Value::Null => Err(FnError::InvalidValue(
            "avg of an empty array is NaN, which has no JSON form".into(),
        )),
        v => Ok(v),
    }
}

fn ceil(args: &[&Value]) -> Result<Value, FnError> {
    Ok(value::number(super::num_arg(args, 0)?.ceil()))
}

fn floor(args: &[&Value]) -> Result<Value, FnError> {
    Ok(value::number(super::num_arg(args, 0)?.floor()))
}

fn contains(args: &[&Value]) -> Result<Value, FnError> {
    let found = match args[0] {
        Value::String(s) => args[1].as_str().is_some_and(|needle| s.contains(needle)),
        // Strings, the common needle, compare without the general equality's dispatch.
        Value::Array(items) => match args[1] {
            Value::String(needle) => items.iter().any(|item| item.as_str() == Some(needle)),
            needle => items.iter().any(|item| value::deep_eq(item, needle)),
        },
        _ => false,
    };
    Ok(Value::Bool(found))
}

fn ends_with(args: &[&Value]) -> Result<Value, FnError> {
    let (s, suffix) = (super::str_arg(args, 0)?, super::str_arg(args, 1)?);
    Ok(Value::Bool(s.ends_with(suffix)))
}

fn starts_with(args: &[&Value]) -> Result<Value, FnError> {
    let (s, prefix) = (super::str_arg(args, 0)?, super::str_arg(args, 1)?);
    Ok(Value::Bool(s.starts_with(prefix)))
}

fn join(args: &[&Value]) -> Result<Value, FnError> {
    let glue = super::str_arg(args, 0)?;
    let parts = args[1].as_array().map(Vec::as_slice).unwrap_or_default();
    let parts = || parts.iter().filter_map(Value::as_str);
    let size = parts().map(|p| p.len() + glue.len()).sum::<usize>();
    let mut joined = String::with_capacity(size);
    for (i, part) in parts().enumerate() {
        if i > 0 {
            joined.push_str(glue);
        }
        joined.push_str(part);
    }
    Ok(Value::String(joined))
}

fn keys(args: &[&Value]) -> Result<Value, FnError> {
    let map = args[0]
        .as_object()
        .map(|m| m.keys().cloned().map(Value::String));
    Ok(Value::Array(map.map(Iterator::collect).unwrap_or_default()))
}

fn values(args: &[&Value]) -> Result<Value, FnError> {
    let map = args[0].as_object().map(|m| m.values().cloned());
    Ok(Value::Array(map.map(Iterator::collect).unwrap_or_default()))
}

fn length(args: &[&Value]) -> Result<Value, FnError> {
    let n = match args[0] {
        Value::String(s) => s.chars().count(),
        Value::Array(a) => a.len(),
        Value::Object(o) => o.len(),
        _ => 0,
    };
    Ok(value::number(n as f64))
}

/// Orders two values of the same sortable type (numbers, or strings bytewise).
fn order(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64()?.partial_cmp(&y.as_f64()?),
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

fn extreme(args: &[&Value], want: Ordering) -> Result<Value, FnError> {
    let items = args[0].as_array().map(Vec::as_slice).unwrap_or_default();
    let mut best: Option<&Value> = None;
    for item in items {
        match best {
            Some(b) if order(item, b) != Some(want) => {}
            _ => best = Some(item),
        }
    }
    Ok(best.cloned().unwrap_or(Value::Null))
}

fn max(args: &[&Value]) -> Result<Value, FnError> {
    extreme(args, Ordering::Greater)
}

fn min(args: &[&Value]) -> Result<Value, FnError> {
    extreme(args, Ordering::Less)
}

fn merge(args: &[&Value]) -> Result<Value, FnError> {
    let mut out = serde_json::Map::new();
    for arg in args {
        if let Value::Object(map) = arg {
            out.extend(map.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
    }
    Ok(Value::Object(out))
}

fn not_null(args: &[&Value]) -> Result<Value, FnError> {
    let found = args.iter().find(|v| !v.is_null());
    Ok(found.map_or(Value::Null, |v| (*v).clone()))
}

fn reverse(args: &[&Value]) -> Result<Value, FnError> {
    Ok(match args[0] {
        Value::String(s) => Value::String(s.chars().rev().collect()),
        Value::Array(a) => Value::Array(a.iter().rev().cloned().collect()),
        other => other.clone(),
    })
}

fn sort(args: &[&Value]) -> Result<Value, FnError> {
    let mut items = args[0].as_array().cloned().unwrap_or_default();
    items.sort_by(|a, b| order(a, b).unwrap_or(Ordering::Equal));
    Ok(Value::Array(items))
}

fn sum(args: &[&Value]) -> Result<Value, FnError> {
    Ok(value::number(numbers(args[0]).iter().sum()))
}

fn to_array(args: &[&Value]) -> Result<Value, FnError> {
    Ok(match args[0] {
        Value::Array(_) => args[0].clone(),
        other => Value::Array(vec![other.clone()]),
    })
}

fn to_number(args: &[&Value]) -> Result<Value, FnError> {
    Ok(match args[0] {
        Value::Number(_) => args[0].clone(),
        Value::String(s) => value::parse_float(s).map_or(Value::Null, value::number),
        _ => Value::Null,
    })
}

fn to_string(args: &[&Value]) -> Result<Value, FnError> {
    Ok(match args[0] {
        Value::String(_) => args[0].clone(),
        other => Value::String(go::json(other)),
    })
}

fn type_of(args: &[&Value]) -> Result<Value, FnError> {
    Ok(Value::String(value::type_name(args[0]).to_string()))
}

fn expref_and_values<'a>(
    args: &[Arg<'a>],
) -> (Option<&'a crate::jmespath::ast::Expr>, Vec<&'a Value>) {
    let mut expr = None;
    let mut vals = Vec::new();
    for arg in args {
        match arg {
            Arg::Expref(e) => expr = Some(*e),
            Arg::Value(v) => vals.push(*v),
        }
    }
    (expr, vals)
}

fn map(args: &[Arg<'_>], apply: &mut Apply<'_>) -> Result<Value, FnError> {
    let (Some(expr), vals) = expref_and_values(args) else {
        return Err(FnError::InvalidValue(
            "map needs an expression reference".into(),
        ));
    };
    let items = vals.first().and_then(|v| v.as_array());
    let items = items.map(Vec::as_slice).unwrap_or_default();
    let mapped: Result<Vec<Value>, FnError> = items.iter().map(|item| apply(expr, item)).collect();
    Ok(Value::Array(mapped?))
}

/// The key of every element under an expression reference; all numbers or all strings.
fn keyed<'a>(
    args: &[Arg<'a>],
    apply: &mut Apply<'_>,
    name: &str,
) -> Result<Vec<(Value, &'a Value)>, FnError> {
    let (Some(expr), vals) = expref_and_values(args) else {
        return Err(FnError::InvalidValue(format!(
            "{name} needs an expression reference"
        )));
    };
    let items = vals.first().and_then(|v| v.as_array());
    let items = items.map(Vec::as_slice).unwrap_or_default();
    let mut pairs = Vec::with_capacity(items.len());
    for item in items {
        let key = apply(expr, item)?;
        pairs.push((key, item));
    }
    let all_numbers = pairs.iter().all(|(k, _)| k.is_number());
    let all_strings = pairs.iter().all(|(k, _)| k.is_string());
    if !all_numbers && !all_strings {
        let bad = pairs
            .iter()
            .find(|(k, _)| !k.is_number() && !k.is_string())
            .or(pairs.first())
            .map_or("null", |(k, _)| value::type_name(k));
        return Err(FnError::Type {
            position: 2,
            expected: Types::NUMBER.or(Types::STRING),
            got: bad,
        });
    }
    Ok(pairs)
}

fn by_extreme(
    args: &[Arg<'_>],
    apply: &mut Apply<'_>,
    want: Ordering,
    name: &str,
) -> Result<Value, FnError> {
    let pairs = keyed(args, apply, name)?;
    let mut best: Option<&(Value, &Value)> = None;
    for pair in &pairs {
        match best {
            Some(b) if order(&pair.0, &b.0) != Some(want) => {}
            _ => best = Some(pair),
        }
    }
    Ok(best.map_or(Value::Null, |(_, item)| (*item).clone()))
}

fn max_by(args: &[Arg<'_>], apply: &mut Apply<'_>) -> Result<Value, FnError> {
    by_extreme(args, apply, Ordering::Greater, "max_by")
}

fn min_by(args: &[Arg<'_>], apply: &mut Apply<'_>) -> Result<Value, FnError> {
    by_extreme(args, apply, Ordering::Less, "min_by")
}

fn sort_by(args: &[Arg<'_>], apply: &mut Apply<'_>) -> Result<Value, FnError> {
    let mut pairs = keyed(args, apply, "sort_by")?;
    pairs.sort_by(|a, b| order(&a.0, &b.0).unwrap_or(Ordering::Equal));
    Ok(Value::Array(
        pairs.into_iter().map(|(_, item)| item.clone()).collect(),
    ))
}
