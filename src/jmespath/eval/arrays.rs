//! Array selection: an index, a slice or a one-level flatten of a [`Val`] array gives a
//! [`Val`] whose elements stay borrowed; anything that is not an array gives `null`.

use std::borrow::Cow;

use serde_json::Value;

use super::val::{NULL, Val};
use super::{Fault, Out, release};
use crate::jmespath::EvalError;
use crate::jmespath::functions::FnError;

pub fn index(data: Val<'_>, i: i64) -> Val<'_> {
    let Some(at) = data.array_len().and_then(|len| position(len, i)) else {
        release(data);
        return NULL;
    };
    match data {
        Val::Ref(Value::Array(items)) => {
            release(data);
            Val::Ref(&items[at])
        }
        other => match other.into_elements() {
            Ok(mut items) => items.nth(at).unwrap_or(NULL),
            Err(_) => NULL,
        },
    }
}

/// Where index `i` (negative: from the end) points in an array of `len` elements.
fn position(len: usize, i: i64) -> Option<usize> {
    let len = i64::try_from(len).ok()?;
    let at = if i < 0 { len + i } else { i };
    usize::try_from(at).ok().filter(|&a| (a as i64) < len)
}

#[inline(never)]
pub fn slice<'e, 'd>(
    data: Val<'d>,
    start: Option<i64>,
    stop: Option<i64>,
    step: i64,
) -> Out<'e, 'd> {
    if step == 0 {
        return Err(Fault::from(EvalError::Function {
            name: "slice".into(),
            error: FnError::InvalidValue("slice step cannot be 0".into()),
        }));
    }
    let Some(len) = data.array_len() else {
        return Ok(NULL);
    };
    let picked = positions(len as i64, start, stop, step);
    let Ok(items) = data.into_elements() else {
        return Ok(NULL);
    };
    // Each position is picked at most once (the step is not 0), so elements move out.
    let mut slots: Vec<Option<Val<'d>>> = items.map(Some).collect();
    let out = picked.filter_map(|at| slots.get_mut(at).and_then(Option::take));
    Ok(Val::List(out.collect()))
}

/// The positions a slice picks from an array of `len` elements, in order.
fn positions(
    len: i64,
    start: Option<i64>,
    stop: Option<i64>,
    step: i64,
) -> impl Iterator<Item = usize> {
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
    std::iter::successors(Some(from), move |i| i.checked_add(step))
        .take_while(move |&i| (step > 0 && i < to) || (step < 0 && i > to))
        .filter_map(|i| usize::try_from(i).ok())
}

/// One level of nesting removed: inner arrays' elements join the outer array.
#[inline(never)]
pub fn flatten(v: Val<'_>) -> Val<'_> {
    flattened(v, |out, item| out.push(item)).map_or(NULL, Val::List)
}

/// What `x[]` gives for `x`'s value `v` (a flatten, then a projection that drops the
/// `null`s), each element as JSON for the caller ([`Val::into_cow`]), without the lists
/// between; anything that is not an array gives one `null`.
pub fn flattened_cows<'a>(v: Val<'a>) -> Vec<Cow<'a, Value>> {
    let kept = flattened(v, |out, item| match item.is_null() {
        true => release(item),
        false => out.push(item.into_cow()),
    });
    kept.unwrap_or_else(|| vec![Cow::Borrowed(&Value::Null)])
}

/// Each element of array `v` with one level of nesting removed, handed to `keep` with the
/// list it fills (sized for every element at once: growing it per inner array cost more);
/// `None` when `v` is not an array.
fn flattened<'a, T>(v: Val<'a>, mut keep: impl FnMut(&mut Vec<T>, Val<'a>)) -> Option<Vec<T>> {
    let size = v.flattened_count();
    let items = match v.into_elements() {
        Ok(items) => items,
        Err(other) => {
            release(other);
            return None;
        }
    };
    let mut out = Vec::with_capacity(size);
    for item in items {
        match item.into_elements() {
            Ok(inner) => inner.for_each(|element| keep(&mut out, element)),
            Err(item) => keep(&mut out, item),
        }
    }
    Some(out)
}
