//! Scalar text + style + tag → a typed scalar, exactly as go-yaml v2 resolves it and
//! sigs.k8s.io/yaml then turns it into JSON: YAML 1.1 booleans (`yes`, `On`, `n`), Go
//! base-0 integers (`0777` = 511, `0x1F`, `1_000`), timestamps kept as their text, and
//! non-string mapping keys stringified.

use std::borrow::Cow;

use saphyr_parser::{ScalarStyle, Tag};
use serde_json::{Number, Value};

use super::error::ErrorKind;
use super::gonum::{self, NumError};

/// The YAML 1.1 core tags go-yaml knows, plus everything else.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum CoreTag {
    Str,
    Bool,
    Int,
    Float,
    Null,
    Timestamp,
    Binary,
    Merge,
    /// `!!seq`, `!!map`, a local `!foo` or the non-specific `!`: the text stays a string.
    Other,
}

impl CoreTag {
    pub(super) fn of(tag: &Tag) -> CoreTag {
        let full = format!("{}{}", tag.handle, tag.suffix);
        match full.strip_prefix("tag:yaml.org,2002:") {
            Some("str") => CoreTag::Str,
            Some("bool") => CoreTag::Bool,
            Some("int") => CoreTag::Int,
            Some("float") => CoreTag::Float,
            Some("null") => CoreTag::Null,
            Some("timestamp") => CoreTag::Timestamp,
            Some("binary") => CoreTag::Binary,
            Some("merge") => CoreTag::Merge,
            _ => CoreTag::Other,
        }
    }

    fn name(self) -> &'static str {
        match self {
            CoreTag::Str => "!!str",
            CoreTag::Bool => "!!bool",
            CoreTag::Int => "!!int",
            CoreTag::Float => "!!float",
            CoreTag::Null => "!!null",
            CoreTag::Timestamp => "!!timestamp",
            CoreTag::Binary => "!!binary",
            CoreTag::Merge => "!!merge",
            CoreTag::Other => "!!str",
        }
    }
}

/// A resolved scalar, before it becomes JSON.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Scalar<'t> {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    /// A `big.Int` (beyond 64 bits), as the float64 it decodes to.
    Big(f64),
    Float(f64),
    Str(Cow<'t, str>),
    /// The plain key `<<`.
    Merge,
}

/// Resolves one scalar event. `tag` is `None` for an untagged scalar.
pub(super) fn resolve<'t>(
    text: Cow<'t, str>,
    style: ScalarStyle,
    tag: Option<CoreTag>,
) -> Result<Scalar<'t>, ErrorKind> {
    let plain = style == ScalarStyle::Plain;
    match tag {
        None if !plain => Ok(Scalar::Str(text)),
        None => Ok(implicit(text, false)),
        Some(CoreTag::Str | CoreTag::Other) => Ok(Scalar::Str(text)),
        Some(CoreTag::Binary) => binary(&text),
        // `!!merge "<<"` is a merge key; `!!merge` on other text is just that text.
        Some(CoreTag::Merge) if text == "<<" => Ok(Scalar::Merge),
        Some(CoreTag::Merge) => Ok(Scalar::Str(text)),
        Some(tag) => explicit(text, tag),
    }
}

/// An explicitly tagged scalar: resolve as if untagged, then check the kinds agree
/// (`!!float 1` is allowed and becomes 1.0).
fn explicit(text: Cow<'_, str>, tag: CoreTag) -> Result<Scalar<'_>, ErrorKind> {
    let timestamp = tag == CoreTag::Timestamp;
    let resolved = implicit(text.clone(), timestamp);
    let found = kind_of(&resolved, timestamp && gonum::is_timestamp(&text));
    match (tag, resolved) {
        (CoreTag::Float, Scalar::Int(i)) => Ok(Scalar::Float(i as f64)),
        (CoreTag::Timestamp, _) if found == CoreTag::Timestamp => Ok(Scalar::Str(text)),
        (_, resolved) if found == tag => Ok(resolved),
        _ => Err(ErrorKind::TagMismatch {
            found: found.name(),
            text: text.into_owned(),
            tag: tag.name(),
        }),
    }
}

/// Which tag go-yaml gave a resolved value (timestamps come back as their text, and
/// are only looked for under `!!timestamp`).
fn kind_of(scalar: &Scalar<'_>, timestamp: bool) -> CoreTag {
    match scalar {
        Scalar::Null => CoreTag::Null,
        Scalar::Bool(_) => CoreTag::Bool,
        Scalar::Int(_) | Scalar::Uint(_) | Scalar::Big(_) => CoreTag::Int,
        Scalar::Float(_) => CoreTag::Float,
        Scalar::Merge => CoreTag::Merge,
        Scalar::Str(_) if timestamp => CoreTag::Timestamp,
        Scalar::Str(_) => CoreTag::Str,
    }
}

/// go-yaml v2 `resolve` for an untagged plain scalar: the first byte hints at the type.
fn implicit(text: Cow<'_, str>, timestamp_tag: bool) -> Scalar<'_> {
    if let Some(known) = by_spelling(&text) {
        return known;
    }
    let resolved = match text.as_bytes().first() {
        Some(b'.') => gonum::parse_dot_float(&text).map(Scalar::Float),
        Some(b'0'..=b'9' | b'+' | b'-') if timestamp_tag && gonum::is_timestamp(&text) => None,
        Some(b'0'..=b'9' | b'+' | b'-') => number(&text),
        _ => None,
    };
    resolved.unwrap_or(Scalar::Str(text))
}

/// go-yaml v2's table of exact spellings: YAML 1.1 booleans, nulls, infinities, NaN, `<<`.
fn by_spelling(text: &str) -> Option<Scalar<'static>> {
    let scalar = match text {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            Scalar::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Scalar::Bool(false)
        }
        "" | "~" | "null" | "Null" | "NULL" => Scalar::Null,
        ".nan" | ".NaN" | ".NAN" => Scalar::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Scalar::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Scalar::Float(f64::NEG_INFINITY),
        "<<" => Scalar::Merge,
        _ => return None,
    };
    Some(scalar)
}

/// Text starting with a digit or sign: Go ints (underscores removed), then uints, then
/// the YAML float pattern, then go-yaml's `0b` fallbacks, then big integers.
fn number(text: &str) -> Option<Scalar<'static>> {
    let plain: Cow<'_, str> = if text.contains('_') {
        Cow::Owned(text.replace('_', ""))
    } else {
        Cow::Borrowed(text)
    };
    if let Ok(i) = gonum::parse_int_base0(&plain) {
        return Some(Scalar::Int(i));
    }
    let uint = gonum::parse_uint_base0(&plain);
    if let Ok(u) = uint {
        return Some(Scalar::Uint(u));
    }
    if gonum::is_yaml_float(&plain)
        && let Some(f) = gonum::finite_float(&plain)
    {
        return Some(Scalar::Float(f));
    }
    if let Some(scalar) = binary_fallback(&plain) {
        return Some(scalar);
    }
    if uint == Err(NumError::Range) {
        return gonum::parse_big(&plain).map(Scalar::Big);
    }
    None
}

/// go-yaml's own `0b…` / `-0b…` handling, reached only by odd spellings like `0b-1`.
fn binary_fallback(plain: &str) -> Option<Scalar<'static>> {
    if let Some(rest) = plain.strip_prefix("0b") {
        if let Ok(i) = gonum::parse_int_in_base(rest, 2) {
            return Some(Scalar::Int(i));
        }
        return gonum::parse_uint_in_base(rest, 2).ok().map(Scalar::Uint);
    }
    let rest = plain.strip_prefix("-0b")?;
    gonum::parse_int_in_base(&format!("-{rest}"), 2)
        .ok()
        .map(Scalar::Int)
}

/// `!!binary`: base64 decoded; bytes that are not UTF-8 become U+FFFD when JSON-encoded.
fn binary(text: &str) -> Result<Scalar<'static>, ErrorKind> {
    let bytes = gonum::decode_base64(text).ok_or(ErrorKind::BadBinary)?;
    Ok(Scalar::Str(Cow::Owned(
        String::from_utf8_lossy(&bytes).into_owned(),
    )))
}

impl Scalar<'_> {
    /// The JSON value sigs.k8s.io/yaml produces; infinities and NaN have none.
    pub(super) fn into_json(self) -> Result<Value, ErrorKind> {
        Ok(match self {
            Scalar::Null => Value::Null,
            Scalar::Bool(b) => Value::Bool(b),
            Scalar::Int(i) => Value::Number(Number::from(i)),
            Scalar::Uint(u) => Value::Number(Number::from(u)),
            Scalar::Big(f) if f.is_finite() => crate::value::number(f),
            Scalar::Big(_) => return Err(ErrorKind::OutOfRange),
            Scalar::Float(f) if f.is_finite() => crate::value::number(f),
            Scalar::Float(f) => return Err(ErrorKind::NotJson(go_float_text(f))),
            Scalar::Str(s) => Value::String(s.into_owned()),
            Scalar::Merge => Value::String("<<".to_string()),
        })
    }

    /// The JSON object key sigs.k8s.io/yaml makes of a mapping key.
    pub(super) fn into_key(self) -> Result<String, ErrorKind> {
        match self {
            Scalar::Str(s) => Ok(s.into_owned()),
            Scalar::Int(i) => Ok(i.to_string()),
            Scalar::Float(f) => Ok(float_key(f)),
            Scalar::Bool(b) => Ok(b.to_string()),
            Scalar::Merge => Ok("<<".to_string()),
            Scalar::Null => Err(ErrorKind::UnsupportedKey("null")),
            Scalar::Uint(_) | Scalar::Big(_) => Err(ErrorKind::UnsupportedKey("an integer")),
        }
    }
}

fn go_float_text(f: f64) -> String {
    match f {
        f if f.is_nan() => "NaN".to_string(),
        f if f > 0.0 => "+Inf".to_string(),
        _ => "-Inf".to_string(),
    }
}

/// Go `strconv.FormatFloat(f, 'g', -1, 32)` with go-yaml's spellings of the specials.
fn float_key(f: f64) -> String {
    let single = f as f32;
    if single.is_nan() {
        return ".nan".to_string();
    }
    if single.is_infinite() {
        return if single > 0.0 { ".inf" } else { "-.inf" }.to_string();
    }
    let scientific = format!("{single:e}");
    let (mantissa, exponent) = scientific
        .split_once('e')
        .expect("invariant: `{:e}` always writes an exponent");
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if single == 0.0 || (-4..6).contains(&exponent) {
        return format!("{single}");
    }
    let sign = if exponent < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exponent.unsigned_abs())
}

/// Whether `text`, written as a plain scalar, reads back as that same string (and not as
/// a boolean, null, number or merge key): what a YAML writer needs to know.
pub fn plain_reads_as_string(text: &str) -> bool {
    matches!(implicit(Cow::Borrowed(text), false), Scalar::Str(_))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_keys_use_go_g_format_at_32_bits() {
        // sigs.k8s.io/yaml stringifies float keys with FormatFloat(f, 'g', -1, 32).
        assert_eq!(float_key(1.5), "1.5");
        assert_eq!(float_key(1.0), "1");
        assert_eq!(float_key(1e10), "1e+10");
        assert_eq!(float_key(16_777_217.0), "1.6777216e+07");
        assert_eq!(float_key(0.0001), "0.0001");
        assert_eq!(float_key(0.00001), "1e-05");
        assert_eq!(float_key(123_456.0), "123456");
        assert_eq!(float_key(f64::INFINITY), ".inf");
        assert_eq!(float_key(1e39), ".inf");
    }
}
