//! Text → [`Quantity`], following Kubernetes' `ParseQuantity` step by step: a byte scanner
//! splits sign, digits and suffix; short values take the int64 fast path, everything else
//! the exact-decimal path that rounds up to nano and caps binary values at 2^63-1.

use super::{Format, Quantity, QuantityError};

/// The pieces of `[sign]digits[.digits]suffix`.
struct Parts<'a> {
    positive: bool,
    /// Whether any digit was written (`"."` alone has none).
    has_digits: bool,
    /// Integer digits without leading zeros; `"0"` when none remain.
    int: &'a str,
    /// Fraction digits as written.
    frac: &'a str,
    suffix: &'a str,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Base {
    Ten,
    Two,
}

const DECIMAL_SUFFIXES: [(&str, i32); 10] = [
    ("n", -9),
    ("u", -6),
    ("m", -3),
    ("", 0),
    ("k", 3),
    ("M", 6),
    ("G", 9),
    ("T", 12),
    ("P", 15),
    ("E", 18),
];

pub(super) const BINARY_SUFFIXES: [(&str, i32); 6] = [
    ("Ki", 10),
    ("Mi", 20),
    ("Gi", 30),
    ("Ti", 40),
    ("Pi", 50),
    ("Ei", 60),
];

/// Kubernetes caps binary quantities at the largest int64.
const BINARY_CAP: i128 = i64::MAX as i128;
const NANO: i64 = 9;

pub(super) fn parse(text: &str) -> Result<Quantity, QuantityError> {
    if text.is_empty() {
        return Err(QuantityError::Format);
    }
    if text == "0" {
        return Ok(Quantity::from_i64(0, Format::DecimalSI));
    }
    let parts = split(text)?;
    let (base, exponent, format) = interpret(parts.suffix).ok_or(QuantityError::Suffix)?;
    match fast_path(&parts, base, exponent, format) {
        Some(quantity) => Ok(quantity),
        None => exact_path(&parts, base, exponent, format),
    }
}

/// The byte scanner. Like Kubernetes', it accepts a bare sign or a bare `.` as zero and lets
/// a suffix stand alone (`"m"` is zero milli-units).
fn split(s: &str) -> Result<Parts<'_>, QuantityError> {
    let bytes = s.as_bytes();
    let digits_from = |from: usize| {
        from + bytes[from..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    let (positive, mut pos) = match bytes[0] {
        b'-' => (false, 1),
        b'+' => (true, 1),
        _ => (true, 0),
    };
    pos += bytes[pos..].iter().take_while(|&&b| b == b'0').count();
    let int_end = digits_from(pos);
    let int = if int_end == pos {
        "0"
    } else {
        &s[pos..int_end]
    };
    pos = int_end;
    let mut frac = "";
    if bytes.get(pos) == Some(&b'.') {
        let frac_end = digits_from(pos + 1);
        frac = &s[pos + 1..frac_end];
        pos = frac_end;
    }
    let has_digits = bytes[..pos].iter().any(u8::is_ascii_digit);
    let suffix_start = pos;
    pos += bytes[pos..]
        .iter()
        .take_while(|b| b"eEinumkKMGTP".contains(b))
        .count();
    if matches!(bytes.get(pos), Some(b'+' | b'-')) {
        pos += 1;
    }
    if digits_from(pos) != bytes.len() {
        return Err(QuantityError::Format);
    }
    Ok(Parts {
        positive,
        has_digits,
        int,
        frac,
        suffix: &s[suffix_start..],
    })
}

/// A suffix's base, exponent and format; an `e<int>` exponent wraps to 32 bits as in Go.
fn interpret(suffix: &str) -> Option<(Base, i32, Format)> {
    let lookup = |table: &[(&str, i32)]| table.iter().find(|(s, _)| *s == suffix).map(|(_, e)| *e);
    if let Some(exponent) = lookup(&DECIMAL_SUFFIXES) {
        return Some((Base::Ten, exponent, Format::DecimalSI));
    }
    if let Some(exponent) = lookup(&BINARY_SUFFIXES) {
        return Some((Base::Two, exponent, Format::BinarySI));
    }
    let digits = suffix.strip_prefix(['e', 'E']).filter(|d| !d.is_empty())?;
    let exponent = digits.parse::<i64>().ok()?;
    Some((Base::Ten, exponent as i32, Format::DecimalExponent))
}

/// Up to 18 significant digits (fewer for large binary suffixes) and no finer than nano:
/// the value is an int64 times a power of ten, kept at exactly that scale.
fn fast_path(parts: &Parts<'_>, base: Base, exponent: i32, format: Format) -> Option<Quantity> {
    let digits = (parts.int.len() + parts.frac.len()) as i64;
    let (precision, scale, multiplier) = match base {
        Base::Ten => (18 - digits, exponent, 1i64),
        Base::Two if parts.frac.is_empty() => {
            let precision = 15 - parts.int.len() as i64 - i64::from(exponent) * 3 / 10 - 1;
            (precision, 0, 1i64 << exponent)
        }
        Base::Two => return None,
    };
    if precision < 0 {
        return None;
    }
    let scale = scale.wrapping_sub(parts.frac.len() as i32);
    if i64::from(scale) < -NANO {
        return None;
    }
    // At most 18 digits here, so the accumulation cannot overflow.
    let value = (parts.int.bytes().chain(parts.frac.bytes()))
        .fold(0i64, |n, b| n * 10 + i64::from(b - b'0'));
    let magnitude = value.checked_mul(multiplier)?;
    let unscaled = if parts.positive {
        magnitude
    } else {
        -magnitude
    };
    Some(Quantity {
        unscaled: i128::from(unscaled),
        scale: scale.wrapping_neg(),
        format,
    })
}

/// The exact-decimal path: the value rounded up (away from zero) to nano, so its scale is
/// exactly 9, except that zero keeps its scale and a capped binary value has scale 0.
fn exact_path(
    parts: &Parts<'_>,
    base: Base,
    exponent: i32,
    mut format: Format,
) -> Result<Quantity, QuantityError> {
    if !parts.has_digits {
        return Err(QuantityError::Numeric);
    }
    let frac = parts.frac.trim_end_matches('0');
    let digits = format!("{}{frac}", parts.int);
    let digits = digits.trim_start_matches('0');
    let mut scale = frac.len() as i64;
    if base == Base::Ten {
        scale -= i64::from(exponent);
    }
    if digits.is_empty() {
        return zero_with_written_scale(parts, base, exponent, format);
    }
    let (mut magnitude, mut scale) = match base {
        Base::Ten => (round_up_to_nano(digits, scale)?, NANO as i32),
        Base::Two => binary_to_nano(parts.int, digits, scale, exponent)?,
    };
    if base == Base::Two && magnitude > BINARY_CAP * 1_000_000_000 {
        (magnitude, scale) = (BINARY_CAP, 0);
    }
    if format == Format::BinarySI && scale == NANO as i32 && magnitude < 1_000_000_000 {
        format = Format::DecimalSI;
    }
    Ok(Quantity {
        unscaled: if parts.positive {
            magnitude
        } else {
            -magnitude
        },
        scale,
        format,
    })
}

/// Zero keeps the scale of the fraction as written (it is not rounded).
fn zero_with_written_scale(
    parts: &Parts<'_>,
    base: Base,
    exponent: i32,
    format: Format,
) -> Result<Quantity, QuantityError> {
    let mut scale = parts.frac.len() as i64;
    if base == Base::Ten {
        scale -= i64::from(exponent);
    }
    Ok(Quantity {
        unscaled: 0,
        scale: i32::try_from(scale).map_err(|_| QuantityError::OutOfRange)?,
        format,
    })
}

/// `digits × 10^-scale` rounded up to a multiple of 10^-9, as a count of nanos.
fn round_up_to_nano(digits: &str, scale: i64) -> Result<i128, QuantityError> {
    let out_of_range = || QuantityError::OutOfRange;
    if scale <= NANO {
        let zeros = usize::try_from(NANO - scale).map_err(|_| out_of_range())?;
        if digits.len().saturating_add(zeros) > 39 {
            return Err(out_of_range());
        }
        return format!("{digits}{}", "0".repeat(zeros))
            .parse()
            .map_err(|_| out_of_range());
    }
    let dropped = usize::try_from(scale - NANO).unwrap_or(usize::MAX);
    let keep = digits.len().saturating_sub(dropped);
    let kept: i128 = match &digits[..keep] {
        "" => 0,
        text => text.parse().map_err(|_| out_of_range())?,
    };
    let remainder_nonzero = digits[keep..].bytes().any(|b| b != b'0');
    kept.checked_add(i128::from(remainder_nonzero))
        .ok_or_else(out_of_range)
}

/// `digits × 10^-scale × 2^exponent` rounded up to nanos. A value that does not fit is
/// above the binary cap when its integer part alone is at least 10^19.
fn binary_to_nano(
    int: &str,
    digits: &str,
    scale: i64,
    exponent: i32,
) -> Result<(i128, i32), QuantityError> {
    let capped = || {
        let int_digits = int.trim_start_matches('0').len();
        if int_digits >= 20 {
            Ok((BINARY_CAP, 0))
        } else {
            Err(QuantityError::OutOfRange)
        }
    };
    let Some(scaled) = digits
        .parse::<i128>()
        .ok()
        .and_then(|d| d.checked_mul(1i128 << exponent))
    else {
        return capped();
    };
    if scale <= NANO {
        // The exact value in nanos is an integer; overflow means it is far above the cap.
        let factor = 10i128.pow((NANO - scale) as u32);
        return Ok((scaled.checked_mul(factor).unwrap_or(i128::MAX), NANO as i32));
    }
    let divisor = u32::try_from(scale - NANO)
        .ok()
        .and_then(|d| 10i128.checked_pow(d));
    let nanos = match divisor {
        Some(d) => scaled / d + i128::from(scaled % d != 0),
        None => 1,
    };
    Ok((nanos, NANO as i32))
}
