//! Go's `time.Duration`: a signed count of nanoseconds, read from text exactly as
//! `time.ParseDuration` reads it and written back exactly as `Duration.String()` writes it
//! (jmespath.md §2.7, rules.md §0.4).

use std::fmt;

/// A Go duration: signed 64-bit nanoseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Duration(i64);

/// Why a text is not a Go duration; the messages are Go's own.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    /// `""`, `"-"`, `".s"`, `"1.5.h"`, or a value beyond ±2562047h47m16.854775807s.
    #[error("time: invalid duration {}", go_quote(.0))]
    Invalid(String),
    /// `"5"`: a number without a unit.
    #[error("time: missing unit in duration {}", go_quote(.0))]
    MissingUnit(String),
    /// `"1d"`: the unit is not one of `ns us µs μs ms s m h`.
    #[error("time: unknown unit {} in duration {}", go_quote(.unit), go_quote(.text))]
    UnknownUnit { unit: String, text: String },
}

const NANOSECOND: u64 = 1;
const MICROSECOND: u64 = 1_000;
const MILLISECOND: u64 = 1_000_000;
const SECOND: u64 = 1_000_000_000;
const MINUTE: u64 = 60 * SECOND;
const HOUR: u64 = 60 * MINUTE;

/// The units Go accepts, both spellings of micro included (U+00B5 and U+03BC).
const UNITS: &[(&str, u64)] = &[
    ("ns", NANOSECOND),
    ("us", MICROSECOND),
    ("\u{b5}s", MICROSECOND),
    ("\u{3bc}s", MICROSECOND),
    ("ms", MILLISECOND),
    ("s", SECOND),
    ("m", MINUTE),
    ("h", HOUR),
];

/// Magnitude limit while accumulating: 2^63 (only reachable by a negative duration).
const LIMIT: u64 = 1 << 63;

impl Duration {
    pub const ZERO: Duration = Duration(0);

    pub const fn from_nanos(nanos: i64) -> Duration {
        Duration(nanos)
    }

    pub const fn as_nanos(self) -> i64 {
        self.0
    }

    /// Go `Duration.Seconds()`: whole seconds plus the fraction, as float64.
    pub fn as_secs_f64(self) -> f64 {
        let secs = self.0 / SECOND as i64;
        let nanos = self.0 % SECOND as i64;
        secs as f64 + nanos as f64 / 1e9
    }

    /// Go `time.Duration(seconds * float64(time.Second))`: the float is truncated toward
    /// zero; NaN and out-of-range values become the minimum duration, as on amd64.
    pub fn from_secs_f64_go(seconds: f64) -> Duration {
        Duration(go_float_to_int64(seconds * 1e9))
    }

    /// Go `time.ParseDuration`.
    pub fn parse(text: &str) -> Result<Duration, DurationError> {
        Duration::read(text).map_err(|fault| match fault {
            Fault::Invalid => DurationError::Invalid(text.to_string()),
            Fault::MissingUnit => DurationError::MissingUnit(text.to_string()),
            Fault::UnknownUnit(unit) => DurationError::UnknownUnit {
                unit: unit.to_string(),
                text: text.to_string(),
            },
        })
    }

    /// As [`Duration::parse`], for callers that only ask whether a text is a duration:
    /// nothing is copied when it is not.
    pub fn read(text: &str) -> Result<Duration, Fault<'_>> {
        let (negative, mut rest) = match text.as_bytes().first() {
            Some(b'-') => (true, &text[1..]),
            Some(b'+') => (false, &text[1..]),
            _ => (false, text),
        };
        if rest == "0" {
            return Ok(Duration::ZERO);
        }
        if rest.is_empty() {
            return Err(Fault::Invalid);
        }
        let mut total: u64 = 0;
        while !rest.is_empty() {
            let (nanos, after) = parse_component(rest)?;
            total = total
                .checked_add(nanos)
                .filter(|&t| t <= LIMIT)
                .ok_or(Fault::Invalid)?;
            rest = after;
        }
        if negative {
            return Ok(Duration((total as i64).wrapping_neg()));
        }
        i64::try_from(total)
            .map(Duration)
            .map_err(|_| Fault::Invalid)
    }
}

/// Why a text is not a duration, before the text is copied into a [`DurationError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault<'t> {
    Invalid,
    MissingUnit,
    UnknownUnit(&'t str),
}

/// One `<decimal><unit>` group: its nanoseconds and the text after it.
fn parse_component(s: &str) -> Result<(u64, &str), Fault<'_>> {
    if !s.starts_with(|c: char| c == '.' || c.is_ascii_digit()) {
        return Err(Fault::Invalid);
    }
    let int_len = digits_len(s);
    let whole_part = leading_int(&s[..int_len]).ok_or(Fault::Invalid)?;
    let mut rest = &s[int_len..];
    let mut fraction = (0u64, 1f64);
    let mut has_fraction = false;
    if let Some(after_dot) = rest.strip_prefix('.') {
        let frac_len = digits_len(after_dot);
        fraction = leading_fraction(&after_dot[..frac_len]);
        has_fraction = frac_len > 0;
        rest = &after_dot[frac_len..];
    }
    if int_len == 0 && !has_fraction {
        return Err(Fault::Invalid);
    }
    let unit_len = rest
        .find(|c: char| c == '.' || c.is_ascii_digit())
        .unwrap_or(rest.len());
    if unit_len == 0 {
        return Err(Fault::MissingUnit);
    }
    let (unit_text, after) = rest.split_at(unit_len);
    let unit = unit_nanos(unit_text).ok_or(Fault::UnknownUnit(unit_text))?;
    Ok((
        scale_component(whole_part, fraction, unit).ok_or(Fault::Invalid)?,
        after,
    ))
}

fn unit_nanos(unit: &str) -> Option<u64> {
    UNITS
        .iter()
        .find(|(name, _)| *name == unit)
        .map(|(_, nanos)| *nanos)
}

/// `whole + numerator/scale` units in nanoseconds, with Go's overflow limits.
fn scale_component(whole: u64, (numerator, scale): (u64, f64), unit: u64) -> Option<u64> {
    if whole > LIMIT / unit {
        return None;
    }
    let mut nanos = whole * unit;
    if numerator > 0 {
        // Go multiplies in float64 here: exact to the nanosecond for every unit up to hours.
        nanos = nanos.checked_add((numerator as f64 * (unit as f64 / scale)) as u64)?;
        if nanos > LIMIT {
            return None;
        }
    }
    Some(nanos)
}

fn digits_len(s: &str) -> usize {
    s.bytes().take_while(u8::is_ascii_digit).count()
}

/// The digits as an integer, or `None` past 2^63 (Go's `leadingInt` overflow).
fn leading_int(digits: &str) -> Option<u64> {
    let mut x: u64 = 0;
    for b in digits.bytes() {
        if x > LIMIT / 10 {
            return None;
        }
        x = x * 10 + u64::from(b - b'0');
        if x > LIMIT {
            return None;
        }
    }
    Some(x)
}

/// Fraction digits as `(numerator, 10^n)`; digits past int64 precision are dropped.
fn leading_fraction(digits: &str) -> (u64, f64) {
    let (mut x, mut scale) = (0u64, 1f64);
    for b in digits.bytes() {
        if x > (LIMIT - 1) / 10 {
            break;
        }
        let next = x * 10 + u64::from(b - b'0');
        if next > LIMIT {
            break;
        }
        x = next;
        scale *= 10.0;
    }
    (x, scale)
}

/// Go's float64 → int64 conversion as amd64 performs it: truncation toward zero, and the
/// minimum int64 for NaN or any value outside the int64 range.
pub fn go_float_to_int64(f: f64) -> i64 {
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if f.is_nan() || !(-TWO_63..TWO_63).contains(&f) {
        return i64::MIN;
    }
    f as i64
}

impl fmt::Display for Duration {
    /// Go `Duration.String()`: `0s`, `1.5µs`, `500ms`, `1m40s`, `1h0m0.5s`, `-1s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let negative = self.0 < 0;
        let magnitude = self.0.unsigned_abs();
        let body = if magnitude < SECOND {
            format_sub_second(magnitude)
        } else {
            format_clock(magnitude)
        };
        if negative {
            f.write_str("-")?;
        }
        f.write_str(&body)
    }
}

/// Below one second: the largest of ns, µs, ms that keeps an integer part.
fn format_sub_second(nanos: u64) -> String {
    let (digits, unit) = match nanos {
        0 => return "0s".to_string(),
        n if n < MICROSECOND => (0, "ns"),
        n if n < MILLISECOND => (3, "\u{b5}s"),
        _ => (6, "ms"),
    };
    format!("{}{unit}", with_fraction(nanos, digits))
}

/// One second or more: `[<h>h][<m>m]<s>[.<frac>]s`, minutes shown whenever hours are.
fn format_clock(nanos: u64) -> String {
    let seconds = with_fraction(nanos % MINUTE, 9);
    let minutes = nanos / MINUTE;
    match (minutes / 60, minutes % 60) {
        (0, 0) => format!("{seconds}s"),
        (0, m) => format!("{m}m{seconds}s"),
        (h, m) => format!("{h}h{m}m{seconds}s"),
    }
}

/// `value / 10^digits` in decimal with trailing zeros (and a bare point) removed.
fn with_fraction(value: u64, digits: u32) -> String {
    let unit = 10u64.pow(digits);
    let (int, frac) = (value / unit, value % unit);
    if frac == 0 {
        return int.to_string();
    }
    let frac = format!("{frac:0width$}", width = digits as usize);
    format!("{int}.{}", frac.trim_end_matches('0'))
}

/// Go's `time` package quoting: `"` around the text, `"` and `\\` escaped, control and
/// non-ASCII bytes as `\\xNN`.
pub fn go_quote(s: &str) -> String {
    go_quote_bytes(s.as_bytes())
}

/// [`go_quote`] for text that may not be UTF-8 (Go slices time strings bytewise).
pub fn go_quote_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push('"');
    for &b in bytes {
        match b {
            b'"' | b'\\' => {
                out.push('\\');
                out.push(char::from(b));
            }
            0x20..0x80 => out.push(char::from(b)),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nanos(text: &str) -> i64 {
        Duration::parse(text)
            .map(Duration::as_nanos)
            .unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn parses_like_go() {
        // Go's time package tests (parseDurationTests) and rules.md §0.4.
        let table: [(&str, i64); 17] = [
            ("0", 0),
            ("-0", 0),
            ("5s", 5_000_000_000),
            ("30s", 30_000_000_000),
            ("1478s", 1_478_000_000_000),
            ("-5s", -5_000_000_000),
            ("+5s", 5_000_000_000),
            ("1.5h", 5_400_000_000_000),
            (".5s", 500_000_000),
            ("1.s", 1_000_000_000),
            ("1h30m", 5_400_000_000_000),
            ("90s", 90_000_000_000),
            ("1\u{b5}s", 1_000),
            ("1\u{3bc}s", 1_000),
            ("1us", 1_000),
            ("9223372036854775807ns", i64::MAX),
            ("-9223372036854775808ns", i64::MIN),
        ];
        for (text, want) in table {
            assert_eq!(nanos(text), want, "{text}");
        }
        assert_eq!(nanos("0.3333333333333333333h"), 1_200_000_000_000);
        assert_eq!(nanos("2562047h47m16.854775807s"), i64::MAX);
    }

    #[test]
    fn rejects_like_go() {
        // Go's parseDurationErrorTests and rules.md §0.4 ("5" has no unit).
        for text in [
            "",
            "3",
            "-",
            "s",
            ".",
            "-.",
            ".s",
            "+.s",
            "1d",
            "\u{b5}s",
            "9223372036854775808ns",
            "2562047h47m16.854775808s",
            "1.5.h",
            "1 s",
            "1m ",
        ] {
            assert!(Duration::parse(text).is_err(), "{text:?} parsed");
        }
        assert_eq!(
            Duration::parse("5").map_err(|e| e.to_string()),
            Err("time: missing unit in duration \"5\"".to_string())
        );
        assert_eq!(
            Duration::parse("1d").map_err(|e| e.to_string()),
            Err("time: unknown unit \"d\" in duration \"1d\"".to_string())
        );
        assert_eq!(
            Duration::parse("x").map_err(|e| e.to_string()),
            Err("time: invalid duration \"x\"".to_string())
        );
        assert_eq!(Duration::read("5"), Err(Fault::MissingUnit));
        assert_eq!(Duration::read("2h1d"), Err(Fault::UnknownUnit("d")));
        assert_eq!(Duration::read("1.5.h"), Err(Fault::MissingUnit));
        assert_eq!(Duration::read(".s"), Err(Fault::Invalid));
        assert_eq!(
            Duration::read("-1m"),
            Ok(Duration::from_nanos(-60_000_000_000))
        );
    }

    #[test]
    fn formats_like_go() {
        // Go's durationTests and jmespath.md §2.7.
        let table: [(i64, &str); 14] = [
            (0, "0s"),
            (1, "1ns"),
            (1_100, "1.1\u{b5}s"),
            (2_200_000, "2.2ms"),
            (500_000_000, "500ms"),
            (3_300_000_000, "3.3s"),
            (61_000_000_000, "1m1s"),
            (100_000_000_000, "1m40s"),
            (3_600_000_000_000, "1h0m0s"),
            (3_600_500_000_000, "1h0m0.5s"),
            (4_000_000_000 + 5 * 60_000_000_000, "5m4s"),
            (-1_000_000_000, "-1s"),
            (i64::MAX, "2562047h47m16.854775807s"),
            (i64::MIN, "-2562047h47m16.854775808s"),
        ];
        for (n, want) in table {
            assert_eq!(Duration::from_nanos(n).to_string(), want);
        }
    }

    #[test]
    fn seconds_and_float_conversion() {
        assert_eq!(Duration::from_nanos(1_500_000_000).as_secs_f64(), 1.5);
        assert_eq!(
            Duration::from_secs_f64_go(5400.0).as_nanos(),
            5_400_000_000_000
        );
        assert_eq!(Duration::from_secs_f64_go(f64::NAN).as_nanos(), i64::MIN);
        assert_eq!(Duration::from_secs_f64_go(1e20).as_nanos(), i64::MIN);
        assert_eq!(Duration::from_secs_f64_go(-1.5e-9).as_nanos(), -1);
    }
}
