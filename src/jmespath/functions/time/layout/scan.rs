//! Byte-level readers for Go layouts: fixed-width numbers, Go's `atoi`, month and day
//! names, fractions of a second and the pieces of numeric and named zones.

use super::Fail;
use crate::jmespath::functions::time::chunk::ZoneParts;

/// A numeric zone offset split into its texts.
pub(super) struct Offset<'a> {
    pub sign: u8,
    /// Hour, minute and second, two digits each (`00` when the form has none).
    pub fields: [&'a [u8]; 3],
    pub rest: &'a [u8],
}

pub(super) const SHORT_DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
pub(super) const LONG_DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
pub(super) const SHORT_MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
pub(super) const LONG_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The sign, the two-digit hour, minute and second texts, and the rest of the value.
pub(super) fn split_offset(parts: ZoneParts, v: &[u8]) -> Option<Offset<'_>> {
    const ZERO: &[u8] = b"00";
    let (needed, colons): (usize, &[usize]) = match parts {
        ZoneParts::Hours => (3, &[]),
        ZoneParts::HoursMinutes => (5, &[]),
        ZoneParts::HoursColonMinutes => (6, &[3]),
        ZoneParts::HoursMinutesSeconds => (7, &[]),
        ZoneParts::HoursColonMinutesColonSeconds => (9, &[3, 6]),
    };
    if v.len() < needed || colons.iter().any(|&i| v[i] != b':') {
        return None;
    }
    let fields = match parts {
        ZoneParts::Hours => [&v[1..3], ZERO, ZERO],
        ZoneParts::HoursMinutes => [&v[1..3], &v[3..5], ZERO],
        ZoneParts::HoursColonMinutes => [&v[1..3], &v[4..6], ZERO],
        ZoneParts::HoursMinutesSeconds => [&v[1..3], &v[3..5], &v[5..7]],
        ZoneParts::HoursColonMinutesColonSeconds => [&v[1..3], &v[4..6], &v[7..9]],
    };
    Some(Offset {
        sign: v[0],
        fields,
        rest: &v[needed..],
    })
}

/// Go's zone abbreviation rule: `ChST`/`MeST`, `GMT[±h]`, `±h`, or three to five capitals
/// (four or five ending in `T`, or `WITA`).
pub(super) fn zone_name_len(value: &[u8]) -> Option<usize> {
    if value.len() < 3 {
        return None;
    }
    if value.starts_with(b"ChST") || value.starts_with(b"MeST") {
        return Some(4);
    }
    if value.starts_with(b"GMT") {
        return Some(3 + signed_hours_len(&value[3..]).unwrap_or(0));
    }
    if matches!(value[0], b'+' | b'-') {
        return signed_hours_len(value);
    }
    let upper = value
        .iter()
        .take(6)
        .take_while(|b| b.is_ascii_uppercase())
        .count();
    match upper {
        3 => Some(3),
        4 if value[3] == b'T' || value.starts_with(b"WITA") => Some(4),
        5 if value[4] == b'T' => Some(5),
        _ => None,
    }
}

/// The length of `±h` with h at most 12.
fn signed_hours_len(value: &[u8]) -> Option<usize> {
    if !matches!(value.first(), Some(b'+' | b'-')) {
        return None;
    }
    let digits = value[1..].iter().take_while(|b| b.is_ascii_digit()).count();
    atoi(&value[1..1 + digits]).filter(|&h| digits > 0 && h <= 12)?;
    Some(1 + digits)
}

pub(super) fn gmt_offset(name: &[u8]) -> i32 {
    match name.strip_prefix(b"GMT") {
        Some(hours) if !hours.is_empty() => atoi(hours).map_or(0, |h| h as i32 * 3600),
        _ => 0,
    }
}

/// One or two digits (exactly two when `fixed`).
pub(super) fn getnum(s: &[u8], fixed: bool) -> Option<(i64, &[u8])> {
    let digit = |i: usize| {
        s.get(i)
            .filter(|b| b.is_ascii_digit())
            .map(|b| i64::from(b - b'0'))
    };
    let first = digit(0)?;
    match digit(1) {
        Some(second) => Some((first * 10 + second, &s[2..])),
        None if fixed => None,
        None => Some((first, &s[1..])),
    }
}

/// Go's `atoi`: an optional sign and digits, nothing else.
pub(super) fn atoi(s: &[u8]) -> Option<i64> {
    let (negative, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut n: i64 = 0;
    for &b in digits {
        n = n.checked_mul(10)?.checked_add(i64::from(b - b'0'))?;
    }
    Some(if negative { -n } else { n })
}

/// Case-insensitive prefix match against a name table; the first match wins.
pub(super) fn lookup<'a>(names: &[&str], value: &'a [u8]) -> Option<(usize, &'a [u8])> {
    names.iter().enumerate().find_map(|(i, name)| {
        let head = value.get(..name.len())?;
        head.eq_ignore_ascii_case(name.as_bytes())
            .then(|| (i, &value[name.len()..]))
    })
}

/// `.123` → nanoseconds (digits past the ninth are ignored).
pub(super) fn parse_nanoseconds(text: &[u8]) -> Result<i64, Fail> {
    if !matches!(text.first(), Some(b'.' | b',')) {
        return Err(Fail::Bad);
    }
    let text = &text[..text.len().min(10)];
    let n = atoi(&text[1..]).ok_or(Fail::Bad)?;
    if n < 0 {
        return Err(Fail::Range("fractional second out of range"));
    }
    Ok(n * 10i64.pow((10 - text.len()) as u32))
}
