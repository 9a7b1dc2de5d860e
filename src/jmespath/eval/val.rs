//! The values an evaluation passes around: parts of the searched document or of the
//! expression (borrowed), values an expression built (owned), and the arrays projections,
//! filters and multi-selects build, whose elements stay borrowed until the caller needs JSON.

use std::borrow::Cow;

use serde_json::Value;

use crate::value;

pub const NULL: Val<'static> = Val::Ref(&Value::Null);

/// The tag is a whole word (`repr(u64)`), so a moved `Val` is copied in aligned words.
/// Sharing `Value`'s tag byte instead made each move copy bytes 1..32, which the processor
/// cannot forward from the narrower stores that wrote them: small expressions ran 25%
/// slower for the same instructions.
#[derive(Debug)]
#[repr(u64)]
pub enum Val<'a> {
    /// Part of the searched document, or a literal of the expression.
    Ref(&'a Value),
    /// A value the expression built: a function result, a comparison, an object.
    Own(Value),
    /// An array a projection, filter, flatten or multi-select list built.
    List(Vec<Val<'a>>),
    /// A `List` lent to sub-expressions that all read it (`a[?p] | [b, c]`).
    Slice(&'a [Val<'a>]),
}

impl<'a> Val<'a> {
    /// The value as JSON, unless it is an array built during evaluation.
    pub fn json(&self) -> Option<&Value> {
        match self {
            Val::Ref(v) => Some(v),
            Val::Own(v) => Some(v),
            Val::List(_) | Val::Slice(_) => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.json(), Some(Value::Null))
    }

    pub fn is_truthy(&self) -> bool {
        match self {
            Val::List(items) => !items.is_empty(),
            Val::Slice(items) => !items.is_empty(),
            _ => self.json().is_some_and(value::is_truthy),
        }
    }

    /// A view of this value for sub-expressions that only read it: nothing is copied.
    pub fn borrow(&self) -> Val<'_> {
        match self {
            Val::Ref(v) => Val::Ref(v),
            Val::Own(v) => Val::Ref(v),
            Val::List(items) => Val::Slice(items),
            Val::Slice(items) => Val::Slice(items),
        }
    }

    /// How many elements an array has; `None` for anything else.
    pub fn array_len(&self) -> Option<usize> {
        match self {
            Val::Ref(Value::Array(items)) => Some(items.len()),
            Val::Own(Value::Array(items)) => Some(items.len()),
            Val::List(items) => Some(items.len()),
            Val::Slice(items) => Some(items.len()),
            _ => None,
        }
    }

    /// How many values flattening this array gives: each element that is an array counts
    /// its elements, any other counts one (zero when this is not an array).
    pub fn flattened_count(&self) -> usize {
        let count = |v: &Val| v.array_len().unwrap_or(1);
        match self {
            Val::Ref(Value::Array(items)) | Val::Own(Value::Array(items)) => {
                items.iter().map(|v| count(&Val::Ref(v))).sum()
            }
            Val::List(items) => items.iter().map(count).sum(),
            Val::Slice(items) => items.iter().map(count).sum(),
            _ => 0,
        }
    }

    /// The elements of an array, borrowed or moved out; the value itself when it is not an
    /// array.
    pub fn into_elements(self) -> Result<Elements<'a>, Val<'a>> {
        match self {
            Val::Ref(Value::Array(items)) => Ok(Elements::Refs(items.iter())),
            Val::Own(Value::Array(items)) => Ok(Elements::Owned(items.into_iter())),
            Val::List(items) => Ok(Elements::Vals(items.into_iter())),
            Val::Slice(items) => Ok(Elements::Views(items.iter())),
            other => Err(other),
        }
    }

    /// The values of an object, in key order; `None` when this is not an object.
    pub fn into_object_values(self) -> Option<Val<'a>> {
        match self {
            Val::Ref(Value::Object(map)) => Some(Val::List(map.values().map(Val::Ref).collect())),
            Val::Own(Value::Object(map)) => Some(Val::List(
                map.into_iter().map(|(_, v)| Val::Own(v)).collect(),
            )),
            _ => None,
        }
    }

    /// JSON for the caller: borrowed parts stay borrowed unless they sit in a built array.
    pub fn into_cow(self) -> Cow<'a, Value> {
        if let Val::Ref(v) = self {
            super::release(self);
            return Cow::Borrowed(v);
        }
        Cow::Owned(self.into_value())
    }

    /// JSON that outlives what this value borrows: borrowed parts are copied.
    pub fn into_value(self) -> Value {
        match self {
            Val::Ref(v) => v.clone(),
            Val::Own(v) => v,
            Val::List(items) => Value::Array(items.into_iter().map(Val::into_value).collect()),
            Val::Slice(items) => Value::Array(items.iter().map(Val::to_value).collect()),
        }
    }

    /// JSON to read: a built array is copied into one, anything else is borrowed.
    pub fn to_cow(&self) -> Cow<'_, Value> {
        match self.json() {
            Some(v) => Cow::Borrowed(v),
            None => Cow::Owned(self.to_value()),
        }
    }

    fn to_value(&self) -> Value {
        self.borrow().into_value()
    }

    /// This value with nothing borrowed, so it can outlive the data it was read from.
    pub fn detach(self) -> Val<'static> {
        Val::Own(self.into_value())
    }
}

/// The elements of an array value, each a [`Val`].
pub enum Elements<'a> {
    Refs(std::slice::Iter<'a, Value>),
    Owned(std::vec::IntoIter<Value>),
    Vals(std::vec::IntoIter<Val<'a>>),
    Views(std::slice::Iter<'a, Val<'a>>),
}

impl<'a> Iterator for Elements<'a> {
    type Item = Val<'a>;

    #[inline]
    fn next(&mut self) -> Option<Val<'a>> {
        match self {
            Elements::Refs(items) => items.next().map(Val::Ref),
            Elements::Owned(items) => items.next().map(Val::Own),
            Elements::Vals(items) => items.next(),
            Elements::Views(items) => items.next().map(Val::borrow),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            Elements::Refs(items) => items.size_hint(),
            Elements::Owned(items) => items.size_hint(),
            Elements::Vals(items) => items.size_hint(),
            Elements::Views(items) => items.size_hint(),
        }
    }

    fn nth(&mut self, n: usize) -> Option<Val<'a>> {
        match self {
            Elements::Refs(items) => items.nth(n).map(Val::Ref),
            Elements::Owned(items) => items.nth(n).map(Val::Own),
            Elements::Vals(items) => items.nth(n),
            Elements::Views(items) => items.nth(n).map(Val::borrow),
        }
    }
}

impl ExactSizeIterator for Elements<'_> {}
