//! Kyverno's time functions (jmespath.md §2.8): RFC3339 and Go-layout parsing, Go
//! durations, and RFC3339 output that keeps the input's offset unless converting to UTC.
//! Parse errors are Go's own texts, passed through without the function prefix.

mod chunk;
mod layout;
mod moment;

use serde_json::Value;

use super::{FnError, Function, Types, str_arg};
use crate::value::duration::Duration;
use layout::RFC3339;
use moment::Moment;

const STR: Types = Types::STRING;

/// A row for a function Kyverno declares without parameters: it accepts and ignores any.
const fn ignoring_args(f: Function) -> Function {
    Function {
        ignores_args: true,
        ..f
    }
}

pub const FUNCTIONS: &[Function] = &[
    Function::plain(
        "time_since",
        &[STR, STR, STR],
        "string",
        "Duration from the second time to the third (now if ''), both read with the layout ('' = RFC3339).",
        time_since,
    ),
    ignoring_args(Function::plain(
        "time_now",
        &[],
        "string",
        "Current local time in RFC3339; arguments are ignored.",
        time_now,
    )),
    ignoring_args(Function::plain(
        "time_now_utc",
        &[],
        "string",
        "Current UTC time in RFC3339; arguments are ignored.",
        time_now_utc,
    )),
    Function::plain(
        "time_to_cron",
        &[STR],
        "string",
        "Cron expression 'minute hour day month weekday' of an RFC3339 time, in its own offset.",
        time_to_cron,
    ),
    Function::plain(
        "time_add",
        &[STR, STR],
        "string",
        "RFC3339 time plus a Go duration, in the time's offset.",
        time_add,
    ),
    Function::plain(
        "time_parse",
        &[STR, STR],
        "string",
        "Reads a time with a Go layout (or epoch seconds when the layout is an integer) into RFC3339.",
        time_parse,
    ),
    Function::plain(
        "time_utc",
        &[STR],
        "string",
        "RFC3339 time converted to UTC.",
        time_utc,
    ),
    Function::plain(
        "time_diff",
        &[STR, STR],
        "string",
        "Duration from the first RFC3339 time to the second.",
        time_diff,
    ),
    Function::plain(
        "time_before",
        &[STR, STR],
        "boolean",
        "Whether the first RFC3339 time is strictly before the second.",
        time_before,
    ),
    Function::plain(
        "time_after",
        &[STR, STR],
        "boolean",
        "Whether the first RFC3339 time is strictly after the second.",
        time_after,
    ),
    Function::plain(
        "time_between",
        &[STR, STR, STR],
        "boolean",
        "Whether an RFC3339 time is strictly between a start and an end.",
        time_between,
    ),
    Function::plain(
        "time_truncate",
        &[STR, STR],
        "string",
        "RFC3339 time rounded down to a multiple of a duration since year 1, in its offset.",
        time_truncate,
    ),
];

fn plain(error: impl ToString) -> FnError {
    FnError::Plain(error.to_string())
}

fn rfc3339_arg(args: &[&Value], i: usize) -> Result<Moment, FnError> {
    layout::parse(RFC3339, str_arg(args, i)?).map_err(plain)
}

fn duration_arg(args: &[&Value], i: usize) -> Result<Duration, FnError> {
    Duration::parse(str_arg(args, i)?).map_err(plain)
}

fn text(moment: Moment) -> Result<Value, FnError> {
    moment
        .rfc3339()
        .map(Value::String)
        .ok_or_else(|| plain("time is outside the representable calendar"))
}

fn time_since(args: &[&Value]) -> Result<Value, FnError> {
    let layout = match str_arg(args, 0)? {
        "" => RFC3339,
        given => given,
    };
    let read = |i| layout::parse(layout, str_arg(args, i)?).map_err(plain);
    let start = read(1)?;
    let end = match str_arg(args, 2)? {
        "" => Moment::now_local(),
        _ => read(2)?,
    };
    Ok(Value::String(end.since(start).to_string()))
}

fn time_now(_: &[&Value]) -> Result<Value, FnError> {
    text(Moment::now_local())
}

fn time_now_utc(_: &[&Value]) -> Result<Value, FnError> {
    text(Moment::now_utc())
}

fn time_to_cron(args: &[&Value]) -> Result<Value, FnError> {
    let moment = rfc3339_arg(args, 0)?;
    let (c, weekday) = moment
        .civil()
        .ok_or_else(|| plain("time is outside the representable calendar"))?;
    let cron = format!("{} {} {} {} {weekday}", c.minute, c.hour, c.day, c.month);
    Ok(Value::String(cron))
}

fn time_add(args: &[&Value]) -> Result<Value, FnError> {
    let moment = rfc3339_arg(args, 0)?;
    text(moment.add(duration_arg(args, 1)?))
}

fn time_parse(args: &[&Value]) -> Result<Value, FnError> {
    let (layout_text, value) = (str_arg(args, 0)?, str_arg(args, 1)?);
    if layout_text.parse::<i64>().is_ok() {
        return text(Moment::from_unix(parse_int64(value)?));
    }
    text(layout::parse(layout_text, value).map_err(plain)?)
}

/// Go `strconv.ParseInt(value, 10, 64)` with its error texts.
fn parse_int64(value: &str) -> Result<i64, FnError> {
    value.parse::<i64>().map_err(|_| {
        let digits = value.strip_prefix(['+', '-']).unwrap_or(value);
        let reason = if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            "value out of range"
        } else {
            "invalid syntax"
        };
        plain(format!("strconv.ParseInt: parsing {value:?}: {reason}"))
    })
}

fn time_utc(args: &[&Value]) -> Result<Value, FnError> {
    text(rfc3339_arg(args, 0)?.to_utc())
}

fn time_diff(args: &[&Value]) -> Result<Value, FnError> {
    let (start, end) = (rfc3339_arg(args, 0)?, rfc3339_arg(args, 1)?);
    Ok(Value::String(end.since(start).to_string()))
}

fn time_before(args: &[&Value]) -> Result<Value, FnError> {
    let (a, b) = (rfc3339_arg(args, 0)?, rfc3339_arg(args, 1)?);
    Ok(Value::Bool(a.instant() < b.instant()))
}

fn time_after(args: &[&Value]) -> Result<Value, FnError> {
    let (a, b) = (rfc3339_arg(args, 0)?, rfc3339_arg(args, 1)?);
    Ok(Value::Bool(a.instant() > b.instant()))
}

fn time_between(args: &[&Value]) -> Result<Value, FnError> {
    let t = rfc3339_arg(args, 0)?.instant();
    let (start, end) = (rfc3339_arg(args, 1)?, rfc3339_arg(args, 2)?);
    Ok(Value::Bool(start.instant() < t && t < end.instant()))
}

fn time_truncate(args: &[&Value]) -> Result<Value, FnError> {
    let moment = rfc3339_arg(args, 0)?;
    text(moment.truncate(duration_arg(args, 1)?))
}
