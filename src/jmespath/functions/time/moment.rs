//! A Go `time.Time` reduced to what Kyverno's time functions observe: an instant with
//! nanosecond precision and the UTC offset it is shown in. Written out as Go's RFC3339
//! layout (whole seconds; `Z` for a zero offset).

use chrono::{DateTime, Datelike, NaiveDate, Timelike};

use crate::value::duration::Duration;

const NANOS_PER_SEC: i128 = 1_000_000_000;
/// Seconds from Go's zero time (0001-01-01T00:00:00Z) to the Unix epoch.
const ZERO_TO_UNIX: i128 = 62_135_596_800;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Moment {
    /// Nanoseconds since the Unix epoch.
    nanos: i128,
    /// Seconds east of UTC.
    offset: i32,
}

/// Calendar fields of a moment in its own offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Civil {
    pub year: i32,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub nanosecond: u32,
}

impl Moment {
    /// The moment whose wall clock at `offset` reads `civil`; `None` outside the calendar.
    pub fn from_civil(civil: Civil, offset: i32) -> Option<Moment> {
        let date = NaiveDate::from_ymd_opt(civil.year, civil.month, civil.day)?;
        let wall =
            date.and_hms_nano_opt(civil.hour, civil.minute, civil.second, civil.nanosecond)?;
        let wall_secs = i128::from(wall.and_utc().timestamp());
        Some(Moment {
            nanos: (wall_secs - i128::from(offset)) * NANOS_PER_SEC + i128::from(civil.nanosecond),
            offset,
        })
    }

    /// Go `time.Unix(secs, 0).UTC()`.
    pub fn from_unix(secs: i64) -> Moment {
        Moment {
            nanos: i128::from(secs) * NANOS_PER_SEC,
            offset: 0,
        }
    }

    pub fn now_utc() -> Moment {
        Moment::from_chrono(chrono::Utc::now().fixed_offset())
    }

    /// The current time in the process's local zone, as Go's `time.Now()` shows it.
    pub fn now_local() -> Moment {
        Moment::from_chrono(chrono::Local::now().fixed_offset())
    }

    fn from_chrono(now: DateTime<chrono::FixedOffset>) -> Moment {
        let secs = i128::from(now.timestamp());
        Moment {
            nanos: secs * NANOS_PER_SEC + i128::from(now.timestamp_subsec_nanos()),
            offset: now.offset().local_minus_utc(),
        }
    }

    /// The same instant shown at another offset.
    pub fn with_offset(self, offset: i32) -> Moment {
        Moment { offset, ..self }
    }

    pub fn to_utc(self) -> Moment {
        self.with_offset(0)
    }

    /// Go `t.Add(d)`.
    pub fn add(self, d: Duration) -> Moment {
        Moment {
            nanos: self.nanos + i128::from(d.as_nanos()),
            ..self
        }
    }

    /// Go `t.Sub(u)`: `self - earlier`, saturated to the duration range.
    pub fn since(self, earlier: Moment) -> Duration {
        let diff = self.nanos - earlier.nanos;
        let clamped = diff.clamp(i128::from(i64::MIN), i128::from(i64::MAX));
        Duration::from_nanos(clamped as i64)
    }

    /// Go `t.Truncate(d)`: rounded down to a multiple of `d` since Go's zero time, on the
    /// instant (so `24h` means UTC midnight), shown in the same offset; `d <= 0` changes
    /// nothing.
    pub fn truncate(self, d: Duration) -> Moment {
        let step = i128::from(d.as_nanos());
        if step <= 0 {
            return self;
        }
        let since_zero = self.nanos + ZERO_TO_UNIX * NANOS_PER_SEC;
        Moment {
            nanos: self.nanos - since_zero.rem_euclid(step),
            ..self
        }
    }

    /// The instant, for ordering (`time_before`, `time_after`).
    pub fn instant(self) -> i128 {
        self.nanos
    }

    /// The wall clock in the moment's own offset, and the weekday (0 = Sunday); `None`
    /// beyond the calendar's range (about ±262,000 years).
    pub fn civil(self) -> Option<(Civil, u32)> {
        let local = self.nanos + i128::from(self.offset) * NANOS_PER_SEC;
        let secs = i64::try_from(local.div_euclid(NANOS_PER_SEC)).ok()?;
        let nanos = u32::try_from(local.rem_euclid(NANOS_PER_SEC)).ok()?;
        let wall = DateTime::from_timestamp(secs, nanos)?.naive_utc();
        let civil = Civil {
            year: wall.year(),
            month: wall.month(),
            day: wall.day(),
            hour: wall.hour(),
            minute: wall.minute(),
            second: wall.second(),
            nanosecond: nanos,
        };
        Some((civil, wall.weekday().num_days_from_sunday()))
    }

    /// Go `t.Format(time.RFC3339)`: `2006-01-02T15:04:05Z07:00`, fraction dropped.
    pub fn rfc3339(self) -> Option<String> {
        let (c, _) = self.civil()?;
        let year = if c.year < 0 {
            format!("-{:04}", c.year.unsigned_abs())
        } else {
            format!("{:04}", c.year)
        };
        Some(format!(
            "{year}-{:02}-{:02}T{:02}:{:02}:{:02}{}",
            c.month,
            c.day,
            c.hour,
            c.minute,
            c.second,
            zone_text(self.offset)
        ))
    }
}

/// Go's `Z07:00`: `Z` for zero, else `±hh:mm` (offset seconds are not shown).
fn zone_text(offset: i32) -> String {
    let minutes = offset / 60;
    if offset == 0 {
        return "Z".to_string();
    }
    let sign = if minutes < 0 { '-' } else { '+' };
    let minutes = minutes.unsigned_abs();
    format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn civil(year: i32, month: u32, day: u32, hour: u32, minute: u32, second: u32) -> Civil {
        Civil {
            year,
            month,
            day,
            hour,
            minute,
            second,
            nanosecond: 0,
        }
    }

    fn at(c: Civil, offset: i32) -> Moment {
        Moment::from_civil(c, offset).expect("valid date")
    }

    #[test]
    fn rfc3339_keeps_the_offset() {
        let t = at(civil(2021, 1, 2, 15, 4, 5), -7 * 3600);
        assert_eq!(t.rfc3339().as_deref(), Some("2021-01-02T15:04:05-07:00"));
        assert_eq!(
            t.to_utc().rfc3339().as_deref(),
            Some("2021-01-02T22:04:05Z")
        );
        assert_eq!(
            Moment::from_unix(1_702_691_171).rfc3339().as_deref(),
            Some("2023-12-16T01:46:11Z")
        );
        let year_zero = at(civil(0, 1, 1, 0, 0, 0), 0);
        assert_eq!(year_zero.rfc3339().as_deref(), Some("0000-01-01T00:00:00Z"));
        let odd = at(civil(2000, 1, 1, 0, 0, 0), 5 * 3600 + 30 * 60 + 15);
        assert_eq!(odd.rfc3339().as_deref(), Some("2000-01-01T00:00:00+05:30"));
        let tiny = at(civil(2000, 1, 1, 0, 0, 0), -30);
        assert_eq!(tiny.rfc3339().as_deref(), Some("2000-01-01T00:00:00+00:00"));
    }

    #[test]
    fn truncation_counts_from_year_one() {
        // jmespath.md §2.8: 24h truncates to UTC midnight, shown in the input offset.
        let t = at(civil(2023, 2, 2, 15, 4, 5), -7 * 3600);
        let day = Duration::from_nanos(24 * 3_600_000_000_000);
        let hour = Duration::from_nanos(3_600_000_000_000);
        assert_eq!(
            t.truncate(day).rfc3339().as_deref(),
            Some("2023-02-01T17:00:00-07:00")
        );
        assert_eq!(
            t.truncate(hour).rfc3339().as_deref(),
            Some("2023-02-02T15:00:00-07:00")
        );
        assert_eq!(t.truncate(Duration::ZERO), t);
    }

    #[test]
    fn differences_saturate() {
        let a = at(civil(1, 1, 1, 0, 0, 0), 0);
        let b = at(civil(9999, 1, 1, 0, 0, 0), 0);
        assert_eq!(b.since(a).as_nanos(), i64::MAX);
        assert_eq!(a.since(b).as_nanos(), i64::MIN);
    }
}
