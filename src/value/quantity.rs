//! Kubernetes resource quantities (`1Gi`, `500m`, `2e3`): parsed from text exactly as
//! `resource.ParseQuantity` does, held as an exact decimal, compared by value, combined
//! with exact arithmetic and written in Kubernetes' canonical form (jmespath.md §2.7,
//! rules.md §0.4).

mod canonical;
mod parse;

use std::cmp::Ordering;
use std::fmt;

/// How a quantity was written, which decides how results are written back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// `Ki Mi Gi Ti Pi Ei` (powers of 1024).
    BinarySI,
    /// `n u m k M G T P E` or no suffix (powers of 1000).
    DecimalSI,
    /// `e<int>` / `E<int>`.
    DecimalExponent,
}

/// Why a text is not a quantity (the first three are Kubernetes' own errors).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    /// `""`, `"1 Gi"`, `"1.5.5"`: not `[sign]digits[.digits][suffix]`.
    #[error(
        "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
    )]
    Format,
    /// `".e-10"`: the number has no digit where an exact decimal is needed.
    #[error("unable to parse numeric part of quantity")]
    Numeric,
    /// `"1ki"`, `"1K"`, `"1e"`: letters that are not a known suffix.
    #[error("unable to parse quantity's suffix")]
    Suffix,
    /// A value or result with more than 38 significant digits, or an exponent beyond
    /// ±2^31: valid for Kubernetes (arbitrary precision) but beyond this representation.
    #[error("quantity is out of the supported range")]
    OutOfRange,
}

/// An exact decimal quantity: `unscaled × 10^-scale`, with the same unscaled value and
/// scale Kubernetes' decimal holds for it (the scale matters for division and for the
/// float conversion), plus the format it was written in.
#[derive(Clone, Copy, Debug)]
pub struct Quantity {
    unscaled: i128,
    scale: i32,
    format: Format,
}

impl Quantity {
    /// Kubernetes `resource.ParseQuantity`.
    pub fn parse(text: &str) -> Result<Quantity, QuantityError> {
        parse::parse(text)
    }

    /// Kubernetes `resource.NewQuantity(value, format)`.
    pub const fn from_i64(value: i64, format: Format) -> Quantity {
        Quantity {
            unscaled: value as i128,
            scale: 0,
            format,
        }
    }

    pub const fn format(&self) -> Format {
        self.format
    }

    pub const fn is_zero(&self) -> bool {
        self.unscaled == 0
    }

    /// -1, 0 or 1.
    pub const fn signum(&self) -> i32 {
        self.unscaled.signum() as i32
    }

    /// Kubernetes `AsApproximateFloat64`: the unscaled value as float64 times Go's
    /// `math.Pow10(-scale)`, bit for bit.
    pub fn to_f64(&self) -> f64 {
        let base = self.unscaled as f64;
        if self.scale == 0 {
            return base;
        }
        base * go_pow10(self.scale.wrapping_neg())
    }

    /// Exact sum. The result keeps this quantity's format unless this one is zero, in which
    /// case it takes `other`'s (`0 + 1Ki` is `1Ki`).
    pub fn checked_add(&self, other: &Quantity) -> Result<Quantity, QuantityError> {
        let (a, b, scale) = aligned(self, other).ok_or(QuantityError::OutOfRange)?;
        let unscaled = a.checked_add(b).ok_or(QuantityError::OutOfRange)?;
        Ok(Quantity {
            unscaled,
            scale,
            format: self.format_for_sum(other),
        })
    }

    /// Exact difference, with the format rule of [`Quantity::checked_add`].
    pub fn checked_sub(&self, other: &Quantity) -> Result<Quantity, QuantityError> {
        let (a, b, scale) = aligned(self, other).ok_or(QuantityError::OutOfRange)?;
        let unscaled = a.checked_sub(b).ok_or(QuantityError::OutOfRange)?;
        Ok(Quantity {
            unscaled,
            scale,
            format: self.format_for_sum(other),
        })
    }

    /// Exact product in this quantity's format (the scales add up).
    pub fn checked_mul(&self, other: &Quantity) -> Result<Quantity, QuantityError> {
        let overflow = QuantityError::OutOfRange;
        Ok(Quantity {
            unscaled: self
                .unscaled
                .checked_mul(other.unscaled)
                .ok_or(overflow.clone())?,
            scale: self.scale.checked_add(other.scale).ok_or(overflow)?,
            format: self.format,
        })
    }

    /// `self / divisor` rounded toward zero, keeping as many fraction digits as the larger
    /// scale of the two (so `1 / 2` is `0` but `1000m / 2` is `500m`), in this quantity's
    /// format. `None` when the divisor is zero.
    pub fn div_truncated(&self, divisor: &Quantity) -> Option<Result<Quantity, QuantityError>> {
        if divisor.is_zero() {
            return None;
        }
        let scale = self.scale.max(divisor.scale);
        let shift = i64::from(scale) + i64::from(divisor.scale) - i64::from(self.scale);
        let unscaled = if shift >= 0 {
            scaled_up(self.unscaled, shift).and_then(|n| n.checked_div(divisor.unscaled))
        } else {
            // A divisor too large to scale is larger than any dividend: the quotient is 0.
            match scaled_up(divisor.unscaled, -shift) {
                Some(d) => self.unscaled.checked_div(d),
                None => Some(0),
            }
        };
        Some(
            unscaled
                .ok_or(QuantityError::OutOfRange)
                .map(|unscaled| Quantity {
                    unscaled,
                    scale,
                    format: self.format,
                }),
        )
    }

    fn format_for_sum(&self, other: &Quantity) -> Format {
        if self.is_zero() {
            other.format
        } else {
            self.format
        }
    }
}

/// Both unscaled values brought to the larger scale, and that scale.
fn aligned(a: &Quantity, b: &Quantity) -> Option<(i128, i128, i32)> {
    let scale = a.scale.max(b.scale);
    let up = |q: &Quantity| scaled_up(q.unscaled, i64::from(scale) - i64::from(q.scale));
    Some((up(a)?, up(b)?, scale))
}

/// `n × 10^digits`, or `None` on overflow.
fn scaled_up(n: i128, digits: i64) -> Option<i128> {
    let digits = u32::try_from(digits).ok()?;
    n.checked_mul(10i128.checked_pow(digits)?)
}

impl PartialEq for Quantity {
    /// Numeric equality: `1Gi == 1024Mi`, whatever the formats.
    fn eq(&self, other: &Quantity) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Quantity {}

impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Quantity) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Quantity {
    /// Numeric order (`100m < 1`).
    fn cmp(&self, other: &Quantity) -> Ordering {
        let (sa, sb) = (self.signum(), other.signum());
        if sa != sb {
            return sa.cmp(&sb);
        }
        let magnitude = match aligned(self, other) {
            Some((a, b, _)) => a.unsigned_abs().cmp(&b.unsigned_abs()),
            // Only the one with the smaller scale is scaled up, so it is the one too large.
            None if self.scale < other.scale => Ordering::Greater,
            None => Ordering::Less,
        };
        if sa < 0 {
            magnitude.reverse()
        } else {
            magnitude
        }
    }
}

impl fmt::Display for Quantity {
    /// Kubernetes' canonical `String()` form: `1500m`, `2k`, `1536Mi`, `2e3`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&canonical::canonical(self))
    }
}

/// Go `math.Pow10`: a product (or quotient) of two table entries, so that results match
/// Go's bit for bit.
fn go_pow10(n: i32) -> f64 {
    const SMALL: [f64; 32] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22, 1e23, 1e24, 1e25, 1e26, 1e27, 1e28, 1e29, 1e30, 1e31,
    ];
    const BIG: [f64; 10] = [
        1e0, 1e32, 1e64, 1e96, 1e128, 1e160, 1e192, 1e224, 1e256, 1e288,
    ];
    const TINY: [f64; 11] = [
        1e0, 1e-32, 1e-64, 1e-96, 1e-128, 1e-160, 1e-192, 1e-224, 1e-256, 1e-288, 1e-320,
    ];
    match n {
        0..=308 => BIG[n as usize / 32] * SMALL[n as usize % 32],
        -323..=-1 => TINY[n.unsigned_abs() as usize / 32] / SMALL[n.unsigned_abs() as usize % 32],
        n if n > 0 => f64::INFINITY,
        _ => 0.0,
    }
}

#[cfg(test)]
mod tests;
