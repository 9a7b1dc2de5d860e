//! The Go standard-library parsers that go-yaml v2's scalar resolution relies on, reduced
//! to what YAML needs: `strconv.ParseInt`/`ParseUint` with base 0 (`0x`, `0o`, `0b`, a
//! leading `0` for octal), the YAML float pattern, `big.Int.SetString`, base64 and the
//! timestamp layouts go-yaml accepts.

/// Why a Go integer parse failed; go-yaml only tries big integers after a range error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum NumError {
    Syntax,
    Range,
}

/// Go `strconv.ParseUint(s, 0, 64)`: no sign; the prefix picks the base.
pub(super) fn parse_uint_base0(s: &str) -> Result<u64, NumError> {
    let (base, digits) = split_base_prefix(s).ok_or(NumError::Syntax)?;
    parse_digits(digits, base)
}

/// Go `strconv.ParseInt(s, 0, 64)`: an optional sign, then as [`parse_uint_base0`].
pub(super) fn parse_int_base0(s: &str) -> Result<i64, NumError> {
    let (negative, rest) = split_sign(s);
    signed(negative, parse_uint_base0(rest)?)
}

/// Go `strconv.ParseInt(s, base, 64)` for an explicit base (go-yaml's `0b` fallback).
pub(super) fn parse_int_in_base(s: &str, base: u32) -> Result<i64, NumError> {
    let (negative, rest) = split_sign(s);
    if rest.is_empty() {
        return Err(NumError::Syntax);
    }
    signed(negative, parse_digits(rest, base)?)
}

/// Go `strconv.ParseUint(s, base, 64)` for an explicit base.
pub(super) fn parse_uint_in_base(s: &str, base: u32) -> Result<u64, NumError> {
    if s.is_empty() {
        return Err(NumError::Syntax);
    }
    parse_digits(s, base)
}

fn split_sign(s: &str) -> (bool, &str) {
    match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    }
}

fn signed(negative: bool, magnitude: u64) -> Result<i64, NumError> {
    const MIN_MAGNITUDE: u64 = 1 << 63;
    match (negative, magnitude) {
        (true, MIN_MAGNITUDE) => Ok(i64::MIN),
        (true, m) if m < MIN_MAGNITUDE => Ok(-(m as i64)),
        (false, m) if m < MIN_MAGNITUDE => Ok(m as i64),
        _ => Err(NumError::Range),
    }
}

/// Base-0 prefix rules: `0b`/`0o`/`0x` need at least one more character; a lone leading
/// `0` means octal (so `0` itself is octal zero and `08` is a syntax error).
fn split_base_prefix(s: &str) -> Option<(u32, &str)> {
    let bytes = s.as_bytes();
    if bytes.is_empty() {
        return None;
    }
    if bytes[0] != b'0' {
        return Some((10, s));
    }
    let base = match bytes.get(1).map(u8::to_ascii_lowercase) {
        Some(b'b') if bytes.len() >= 3 => 2,
        Some(b'o') if bytes.len() >= 3 => 8,
        Some(b'x') if bytes.len() >= 3 => 16,
        _ => return Some((8, &s[1..])),
    };
    Some((base, &s[2..]))
}

fn parse_digits(digits: &str, base: u32) -> Result<u64, NumError> {
    let mut value: u64 = 0;
    let mut overflow = false;
    for c in digits.chars() {
        let digit = c.to_digit(base).ok_or(NumError::Syntax)?;
        match value
            .checked_mul(u64::from(base))
            .and_then(|v| v.checked_add(u64::from(digit)))
        {
            Some(v) => value = v,
            None => overflow = true,
        }
    }
    if overflow {
        Err(NumError::Range)
    } else {
        Ok(value)
    }
}

/// Go `big.Int.SetString(s, 0)` (sign, base prefix), as the float64 Kubernetes ends up
/// with once the JSON number is decoded again.
pub(super) fn parse_big(s: &str) -> Option<f64> {
    let (negative, rest) = split_sign(s);
    let (base, digits) = split_base_prefix(rest)?;
    if digits.is_empty() && base != 8 {
        return None;
    }
    let mut value = 0.0f64;
    for c in digits.chars() {
        value = value * f64::from(base) + f64::from(c.to_digit(base)?);
    }
    Some(if negative { -value } else { value })
}

/// go-yaml's float pattern `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
pub(super) fn is_yaml_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    if b.get(i) == Some(&b'.') {
        let n = count_digits(&b[i + 1..]);
        if n == 0 {
            return false;
        }
        i += 1 + n;
    } else {
        let n = count_digits(&b[i..]);
        if n == 0 {
            return false;
        }
        i += n;
        if b.get(i) == Some(&b'.') {
            i += 1 + count_digits(&b[i + 1..]);
        }
    }
    i == b.len() || is_exponent(&b[i..])
}

fn is_exponent(b: &[u8]) -> bool {
    if !matches!(b.first(), Some(b'e' | b'E')) {
        return false;
    }
    let sign = usize::from(matches!(b.get(1), Some(b'+' | b'-')));
    let digits = count_digits(&b[1 + sign..]);
    digits > 0 && 1 + sign + digits == b.len()
}

fn count_digits(b: &[u8]) -> usize {
    b.iter().take_while(|c| c.is_ascii_digit()).count()
}

/// Go `strconv.ParseFloat` for a string starting with `.` (`.5`, `.5e3`, `.1_2`):
/// underscores only between digits; out-of-range values are errors, not infinities.
pub(super) fn parse_dot_float(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let underscores_ok = b.iter().enumerate().all(|(i, c)| {
        *c != b'_'
            || (i > 0 && b[i - 1].is_ascii_digit() && b.get(i + 1).is_some_and(u8::is_ascii_digit))
    });
    if !underscores_ok {
        return None;
    }
    let plain: String = s.chars().filter(|c| *c != '_').collect();
    finite_float(&plain).filter(|_| is_yaml_float(&plain))
}

/// A decimal float, `None` where Go reports a range error (the value overflows).
pub(super) fn finite_float(s: &str) -> Option<f64> {
    s.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// Go `base64.StdEncoding.DecodeString`: padded standard alphabet; `\r` and `\n` skipped.
pub(super) fn decode_base64(s: &str) -> Option<Vec<u8>> {
    let chars: Vec<u8> = s.bytes().filter(|b| *b != b'\r' && *b != b'\n').collect();
    if !chars.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(chars.len() / 4 * 3);
    let quads = chars.len() / 4;
    for (n, quad) in chars.chunks(4).enumerate() {
        decode_quad(quad, n + 1 == quads, &mut out)?;
    }
    Some(out)
}

fn decode_quad(quad: &[u8], last: bool, out: &mut Vec<u8>) -> Option<()> {
    let padding = quad.iter().rev().take_while(|b| **b == b'=').count();
    if padding > 2 || (padding > 0 && !last) {
        return None;
    }
    let mut bits: u32 = 0;
    for b in &quad[..4 - padding] {
        bits = bits << 6 | base64_value(*b)?;
    }
    bits <<= 6 * padding as u32;
    let bytes = bits.to_be_bytes();
    out.extend_from_slice(&bytes[1..4 - padding]);
    Some(())
}

fn base64_value(b: u8) -> Option<u32> {
    let v = match b {
        b'A'..=b'Z' => b - b'A',
        b'a'..=b'z' => b - b'a' + 26,
        b'0'..=b'9' => b - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    };
    Some(u32::from(v))
}

/// Whether go-yaml v2 reads `s` as a timestamp: Go `time.Parse` with one of the layouts
/// `2006-1-2T15:4:5.999999999Z07:00` (also with `t`), `2006-1-2 15:4:5.999999999` and
/// `2006-1-2`.
pub(super) fn is_timestamp(s: &str) -> bool {
    let Some(rest) = date(s) else {
        return false;
    };
    match rest.as_bytes().first() {
        None => true,
        Some(b'T' | b't') => clock(&rest[1..]).is_some_and(is_zone),
        Some(b' ') => clock(&rest[1..]).is_some_and(str::is_empty),
        _ => false,
    }
}

/// `YYYY-M-D` with a valid day of month; returns what follows.
fn date(s: &str) -> Option<&str> {
    let (year, rest) = number(s, 4, 4)?;
    let (month, rest) = number(rest.strip_prefix('-')?, 1, 2)?;
    let (day, rest) = number(rest.strip_prefix('-')?, 1, 2)?;
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (1..=days).contains(&day).then_some(rest)
}

/// `H:M:S` with an optional fraction; returns what follows.
fn clock(s: &str) -> Option<&str> {
    let (hour, rest) = number(s, 1, 2)?;
    let (minute, rest) = number(rest.strip_prefix(':')?, 1, 2)?;
    let (second, rest) = number(rest.strip_prefix(':')?, 1, 2)?;
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    match rest.strip_prefix(['.', ',']) {
        Some(fraction) if fraction.starts_with(|c: char| c.is_ascii_digit()) => {
            Some(fraction.trim_start_matches(|c: char| c.is_ascii_digit()))
        }
        _ => Some(rest),
    }
}

/// `Z` or `±hh:mm`.
fn is_zone(s: &str) -> bool {
    if s == "Z" {
        return true;
    }
    let Some(rest) = s.strip_prefix(['+', '-']) else {
        return false;
    };
    let b = rest.as_bytes();
    b.len() == 5 && b[2] == b':' && [0, 1, 3, 4].iter().all(|i| b[*i].is_ascii_digit())
}

/// Between `min` and `max` leading ASCII digits as a number, and the rest.
fn number(s: &str, min: usize, max: usize) -> Option<(u32, &str)> {
    let n = s.bytes().take(max).take_while(u8::is_ascii_digit).count();
    if n < min {
        return None;
    }
    Some((s[..n].parse().ok()?, &s[n..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base0_integers_follow_go() {
        assert_eq!(parse_int_base0("0777"), Ok(511));
        assert_eq!(parse_int_base0("0x1F"), Ok(31));
        assert_eq!(parse_int_base0("-0b101"), Ok(-5));
        assert_eq!(parse_int_base0("0o17"), Ok(15));
        assert_eq!(parse_int_base0("0"), Ok(0));
        assert_eq!(parse_int_base0("08"), Err(NumError::Syntax));
        assert_eq!(parse_int_base0("0x"), Err(NumError::Syntax));
        assert_eq!(
            parse_int_base0("-9223372036854775808"),
            Ok(i64::MIN),
            "Go's math.MinInt64"
        );
        assert_eq!(parse_int_base0("9223372036854775808"), Err(NumError::Range));
        assert_eq!(
            parse_uint_base0("18446744073709551615"),
            Ok(u64::MAX),
            "Go's math.MaxUint64"
        );
    }

    #[test]
    fn yaml_float_pattern() {
        for yes in ["1.5", "-.5", "+1.", "1e5", "1E-5", "0.1e+3", "08"] {
            assert!(is_yaml_float(yes), "{yes}");
        }
        for no in ["", ".", "e5", "1e", "1.5.", "1_0", ".e1", "+", "1e+"] {
            assert!(!is_yaml_float(no), "{no}");
        }
    }

    #[test]
    fn base64_is_strict_about_padding() {
        assert_eq!(decode_base64("gIGC"), Some(vec![0x80, 0x81, 0x82]));
        assert_eq!(decode_base64("aGk=\n"), Some(b"hi".to_vec()));
        assert_eq!(decode_base64("aGk"), None);
        assert_eq!(decode_base64("=="), None);
        assert_eq!(decode_base64("aG=k"), None);
    }

    #[test]
    fn timestamps_use_go_layouts() {
        for yes in [
            "2001-12-14",
            "2015-2-3T3:4:5Z",
            "2015-02-24t18:19:39Z",
            "2015-02-24 18:19:39",
            "2015-02-24T18:19:39.123456789-03:00",
            "2016-02-29",
        ] {
            assert!(is_timestamp(yes), "{yes}");
        }
        for no in [
            "2015-02-30",
            "2015-13-01",
            "201-01-01",
            "2015-01-01T10:00:00",
        ] {
            assert!(!is_timestamp(no), "{no}");
        }
    }
}
