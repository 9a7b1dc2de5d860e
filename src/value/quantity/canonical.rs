//! [`Quantity`] → Kubernetes' canonical text: no fraction digits, the largest suffix that
//! loses nothing, binary values as a multiple of a power of 1024 (jmespath.md §2.7).

use super::parse::BINARY_SUFFIXES;
use super::{Format, Quantity};

const DECIMAL_SUFFIXES: [(i64, &str); 10] = [
    (-9, "n"),
    (-6, "u"),
    (-3, "m"),
    (0, ""),
    (3, "k"),
    (6, "M"),
    (9, "G"),
    (12, "T"),
    (15, "P"),
    (18, "E"),
];

pub(super) fn canonical(q: &Quantity) -> String {
    if q.is_zero() {
        return "0".to_string();
    }
    match q.format {
        Format::BinarySI => match binary_integer(q) {
            Some(n) => binary(n),
            None => decimal(q, Format::DecimalSI),
        },
        format => decimal(q, format),
    }
}

/// The integer value of a binary quantity that can be written in binary form: at least
/// 1024 in magnitude and without a fraction. Others are written as DecimalSI.
fn binary_integer(q: &Quantity) -> Option<i128> {
    let n = if q.scale <= 0 {
        q.unscaled
            .checked_mul(10i128.checked_pow(q.scale.unsigned_abs())?)?
    } else {
        let unit = 10i128.checked_pow(q.scale.unsigned_abs())?;
        if q.unscaled % unit != 0 {
            return None;
        }
        q.unscaled / unit
    };
    (n.unsigned_abs() >= 1024).then_some(n)
}

/// `n` divided by 1024 as often as it divides exactly (up to `Ei`), with its suffix.
fn binary(mut n: i128) -> String {
    let mut suffix = "";
    for (name, _) in BINARY_SUFFIXES {
        if n % 1024 != 0 {
            break;
        }
        n /= 1024;
        suffix = name;
    }
    format!("{n}{suffix}")
}

/// `m × 10^e` with the trailing zeros of `m` moved into `e`, then `e` lowered to a
/// multiple of three; DecimalSI names `e` with a suffix (exponent form beyond `n`..`E`).
fn decimal(q: &Quantity, format: Format) -> String {
    let mut mantissa = q.unscaled;
    let mut exponent = -i64::from(q.scale);
    while mantissa % 10 == 0 {
        mantissa /= 10;
        exponent += 1;
    }
    let zeros = exponent.rem_euclid(3);
    exponent -= zeros;
    let digits = format!("{mantissa}{}", "0".repeat(zeros as usize));
    let si = DECIMAL_SUFFIXES.iter().find(|(e, _)| *e == exponent);
    match (format, si) {
        (Format::DecimalSI, Some((_, suffix))) => format!("{digits}{suffix}"),
        (_, _) if exponent == 0 => digits,
        _ => format!("{digits}e{exponent}"),
    }
}
