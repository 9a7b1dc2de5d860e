//! Go's `time.Parse(layout, value)`: walks the layout's elements over the value bytewise,
//! with Go's leniencies (any run of spaces matches any run, a fraction after seconds is
//! accepted even when the layout has none, month and day names ignore case) and Go's
//! error texts (jmespath.md §2.8). Times are built in UTC unless the value names a zone.

use std::fmt;

mod date;
mod scan;

use super::chunk::{Element, ZoneForm, next_chunk};
use super::moment::Moment;
use crate::value::duration::go_quote_bytes;
use scan::{
    LONG_DAYS, LONG_MONTHS, SHORT_DAYS, SHORT_MONTHS, atoi, getnum, lookup, parse_nanoseconds,
    split_offset, zone_name_len,
};

/// Go's `time.RFC3339`.
pub const RFC3339: &str = "2006-01-02T15:04:05Z07:00";

/// A value that does not fit its layout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    layout: String,
    value: String,
    problem: Problem,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Problem {
    /// `cannot parse "<value part>" as "<layout part>"`.
    Mismatch {
        layout_part: String,
        value_part: Vec<u8>,
    },
    /// Text left over after the layout ended.
    ExtraText(Vec<u8>),
    /// `month out of range`, `day out of range`, ...
    Message(&'static str),
}

impl std::error::Error for ParseError {}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = go_quote_bytes(self.value.as_bytes());
        match &self.problem {
            Problem::Mismatch {
                layout_part,
                value_part,
            } => write!(
                f,
                "parsing time {value} as {}: cannot parse {} as {}",
                go_quote_bytes(self.layout.as_bytes()),
                go_quote_bytes(value_part),
                go_quote_bytes(layout_part.as_bytes())
            ),
            Problem::ExtraText(rest) => {
                write!(
                    f,
                    "parsing time {value}: extra text: {}",
                    go_quote_bytes(rest)
                )
            }
            Problem::Message(message) => write!(f, "parsing time {value}: {message}"),
        }
    }
}

/// Why one element could not be read.
enum Fail {
    /// The value does not have the element's shape.
    Bad,
    /// The element was read but its number is out of range.
    Range(&'static str),
}

/// What the elements read so far say (`None` = not given).
#[derive(Default)]
struct Fields {
    year: i64,
    month: Option<i64>,
    day: Option<i64>,
    year_day: Option<i64>,
    hour: i64,
    minute: i64,
    second: i64,
    nanos: i64,
    utc: bool,
    zone_offset: Option<i64>,
    zone_name: Option<Vec<u8>>,
    am: bool,
    pm: bool,
}

/// Go `time.Parse`: a layout without a zone yields UTC.
pub fn parse(layout: &str, value: &str) -> Result<Moment, ParseError> {
    let error = |problem| ParseError {
        layout: layout.to_string(),
        value: value.to_string(),
        problem,
    };
    let mismatch = |layout_part: &str, value_part: &[u8]| {
        error(Problem::Mismatch {
            layout_part: layout_part.to_string(),
            value_part: value_part.to_vec(),
        })
    };
    let mut fields = Fields::default();
    let (mut layout_rest, mut rest) = (layout, value.as_bytes());
    loop {
        let chunk = next_chunk(layout_rest);
        rest = skip(rest, chunk.prefix.as_bytes()).map_err(|at| mismatch(chunk.prefix, at))?;
        let Some((element, text)) = chunk.element else {
            if !rest.is_empty() {
                return Err(error(Problem::ExtraText(rest.to_vec())));
            }
            break;
        };
        layout_rest = chunk.rest;
        let hold = rest;
        rest = fields
            .read(element, rest, layout_rest)
            .map_err(|fail| match fail {
                Fail::Bad => mismatch(text, hold),
                Fail::Range(message) => error(Problem::Message(message)),
            })?;
    }
    fields
        .finish()
        .map_err(|message| error(Problem::Message(message)))
}

/// Removes the literal `prefix` from `value`, any run of spaces matching any run; on a
/// mismatch, the value from the point of failure.
fn skip<'a>(mut value: &'a [u8], mut prefix: &[u8]) -> Result<&'a [u8], &'a [u8]> {
    while let Some(&p) = prefix.first() {
        if p == b' ' {
            if value.first().is_some_and(|&v| v != b' ') {
                return Err(value);
            }
            prefix = trim_spaces(prefix);
            value = trim_spaces(value);
            continue;
        }
        if value.first() != Some(&p) {
            return Err(value);
        }
        (prefix, value) = (&prefix[1..], &value[1..]);
    }
    Ok(value)
}

fn trim_spaces(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|&&b| b == b' ').count();
    &s[n..]
}

impl Fields {
    /// Reads one element from the front of `value`; `layout_rest` is the layout after it.
    fn read<'a>(
        &mut self,
        element: Element,
        value: &'a [u8],
        layout_rest: &str,
    ) -> Result<&'a [u8], Fail> {
        use Element as E;
        match element {
            E::Year => {
                let two = value.get(..2).ok_or(Fail::Bad)?;
                let year = atoi(two).ok_or(Fail::Bad)?;
                self.year = if year >= 69 { year + 1900 } else { year + 2000 };
                Ok(&value[2..])
            }
            E::LongYear => {
                let four = value.get(..4).filter(|f| f[0].is_ascii_digit());
                self.year = four.and_then(atoi).ok_or(Fail::Bad)?;
                Ok(&value[4..])
            }
            E::Month | E::LongMonth => {
                let names = if element == E::Month {
                    &SHORT_MONTHS
                } else {
                    &LONG_MONTHS
                };
                let (index, rest) = lookup(names, value).ok_or(Fail::Bad)?;
                self.month = Some(index as i64 + 1);
                Ok(rest)
            }
            E::NumMonth | E::ZeroMonth => {
                let (month, rest) = getnum(value, element == E::ZeroMonth).ok_or(Fail::Bad)?;
                self.month = Some(month);
                in_range(month, 1..=12, "month out of range").map(|()| rest)
            }
            E::WeekDay => lookup(&SHORT_DAYS, value).map(|(_, r)| r).ok_or(Fail::Bad),
            E::LongWeekDay => lookup(&LONG_DAYS, value).map(|(_, r)| r).ok_or(Fail::Bad),
            E::Day | E::UnderDay | E::ZeroDay => self.read_day(element, value),
            E::UnderYearDay | E::ZeroYearDay => self.read_year_day(element, value),
            E::Hour => self.read_clock(value, false, |f| &mut f.hour, 0..=23, "hour out of range"),
            E::Hour12 | E::ZeroHour12 => {
                let zero = element == E::ZeroHour12;
                self.read_clock(value, zero, |f| &mut f.hour, 0..=12, "hour out of range")
            }
            E::Minute | E::ZeroMinute => {
                let zero = element == E::ZeroMinute;
                self.read_clock(
                    value,
                    zero,
                    |f| &mut f.minute,
                    0..=59,
                    "minute out of range",
                )
            }
            E::Second | E::ZeroSecond => self.read_second(element, value, layout_rest),
            E::UpperPm => self.read_meridiem(value, b"AM", b"PM"),
            E::LowerPm => self.read_meridiem(value, b"am", b"pm"),
            E::Zone(form) => self.read_zone(form, value),
            E::ZoneName => self.read_zone_name(value),
            E::FracFixed(digits) => {
                let width = 1 + digits;
                let text = value.get(..width).ok_or(Fail::Bad)?;
                self.nanos = parse_nanoseconds(text)?;
                Ok(&value[width..])
            }
            E::FracTrimmed => self.read_optional_fraction(value),
        }
    }

    fn read_day<'a>(&mut self, element: Element, value: &'a [u8]) -> Result<&'a [u8], Fail> {
        let value = match value.first() {
            Some(b' ') if element == Element::UnderDay => &value[1..],
            _ => value,
        };
        let (day, rest) = getnum(value, element == Element::ZeroDay).ok_or(Fail::Bad)?;
        self.day = Some(day);
        Ok(rest)
    }

    fn read_year_day<'a>(
        &mut self,
        element: Element,
        mut value: &'a [u8],
    ) -> Result<&'a [u8], Fail> {
        if element == Element::UnderYearDay {
            for _ in 0..2 {
                if value.first() == Some(&b' ') {
                    value = &value[1..];
                }
            }
        }
        let fixed = element == Element::ZeroYearDay;
        let digits = value
            .iter()
            .take(3)
            .take_while(|b| b.is_ascii_digit())
            .count();
        if digits == 0 || (fixed && digits != 3) {
            return Err(Fail::Bad);
        }
        self.year_day = atoi(&value[..digits]);
        Ok(&value[digits..])
    }

    fn read_clock<'a>(
        &mut self,
        value: &'a [u8],
        fixed: bool,
        slot: fn(&mut Fields) -> &mut i64,
        range: std::ops::RangeInclusive<i64>,
        message: &'static str,
    ) -> Result<&'a [u8], Fail> {
        let (n, rest) = getnum(value, fixed).ok_or(Fail::Bad)?;
        *slot(self) = n;
        in_range(n, range, message).map(|()| rest)
    }

    /// Seconds, then a fraction the layout does not mention (Go accepts it).
    fn read_second<'a>(
        &mut self,
        element: Element,
        value: &'a [u8],
        layout_rest: &str,
    ) -> Result<&'a [u8], Fail> {
        let zero = element == Element::ZeroSecond;
        let rest = self.read_clock(
            value,
            zero,
            |f| &mut f.second,
            0..=59,
            "second out of range",
        )?;
        let has_fraction = matches!(rest, [b'.' | b',', d, ..] if d.is_ascii_digit());
        let layout_has_fraction = matches!(
            next_chunk(layout_rest).element,
            Some((Element::FracFixed(_) | Element::FracTrimmed, _))
        );
        if !has_fraction || layout_has_fraction {
            return Ok(rest);
        }
        let width = 1 + rest[1..].iter().take_while(|b| b.is_ascii_digit()).count();
        self.nanos = parse_nanoseconds(&rest[..width])?;
        Ok(&rest[width..])
    }

    fn read_optional_fraction<'a>(&mut self, value: &'a [u8]) -> Result<&'a [u8], Fail> {
        if !matches!(value, [b'.' | b',', d, ..] if d.is_ascii_digit()) {
            return Ok(value);
        }
        let width = 1 + value[1..].iter().take_while(|b| b.is_ascii_digit()).count();
        self.nanos = parse_nanoseconds(&value[..width])?;
        Ok(&value[width..])
    }

    fn read_meridiem<'a>(
        &mut self,
        value: &'a [u8],
        am: &[u8],
        pm: &[u8],
    ) -> Result<&'a [u8], Fail> {
        match value.get(..2) {
            Some(v) if v == am => self.am = true,
            Some(v) if v == pm => self.pm = true,
            _ => return Err(Fail::Bad),
        }
        Ok(&value[2..])
    }

    fn read_zone<'a>(&mut self, form: ZoneForm, value: &'a [u8]) -> Result<&'a [u8], Fail> {
        if form.iso_z && value.first() == Some(&b'Z') {
            self.utc = true;
            return Ok(&value[1..]);
        }
        let offset = split_offset(form.parts, value).ok_or(Fail::Bad)?;
        let [h, m, s] = offset.fields;
        let mut bad = false;
        let mut number = |part: &[u8]| match getnum(part, true) {
            Some((n, _)) if !bad => n,
            _ => {
                bad = true;
                0
            }
        };
        let (hours, minutes, seconds) = (number(h), number(m), number(s));
        let range = [
            (hours > 24, "time zone offset hour out of range"),
            (minutes > 60, "time zone offset minute out of range"),
            (seconds > 60, "time zone offset second out of range"),
        ];
        if let Some((_, message)) = range.iter().rev().find(|(over, _)| *over) {
            return Err(Fail::Range(message));
        }
        let magnitude = (hours * 60 + minutes) * 60 + seconds;
        self.zone_offset = Some(match offset.sign {
            b'+' if !bad => magnitude,
            b'-' if !bad => -magnitude,
            _ => return Err(Fail::Bad),
        });
        Ok(offset.rest)
    }

    fn read_zone_name<'a>(&mut self, value: &'a [u8]) -> Result<&'a [u8], Fail> {
        if let Some(rest) = value.strip_prefix(b"UTC") {
            self.utc = true;
            return Ok(rest);
        }
        let len = zone_name_len(value).ok_or(Fail::Bad)?;
        self.zone_name = Some(value[..len].to_vec());
        Ok(&value[len..])
    }
}

fn in_range(
    n: i64,
    range: std::ops::RangeInclusive<i64>,
    message: &'static str,
) -> Result<(), Fail> {
    if range.contains(&n) {
        Ok(())
    } else {
        Err(Fail::Range(message))
    }
}

#[cfg(test)]
mod tests;
