//! The last step of a parse: AM/PM and day-of-year applied, the date validated, and the
//! moment placed in the zone the value named.

use super::Fields;
use super::scan::gmt_offset;
use crate::jmespath::functions::time::moment::{Civil, Moment};

impl Fields {
    /// Applies AM/PM and the day of the year, validates the date and builds the moment.
    pub(super) fn finish(mut self) -> Result<Moment, &'static str> {
        if self.pm && self.hour < 12 {
            self.hour += 12;
        } else if self.am && self.hour == 12 {
            self.hour = 0;
        }
        let (month, day) = match self.year_day {
            Some(year_day) => from_year_day(self.year, year_day, self.month, self.day)?,
            None => (self.month.unwrap_or(1), self.day.unwrap_or(1)),
        };
        if day < 1 || day > days_in(month, self.year) {
            return Err("day out of range");
        }
        let civil = Civil {
            year: i32::try_from(self.year).map_err(|_| "year out of range")?,
            month: month as u32,
            day: day as u32,
            hour: self.hour as u32,
            minute: self.minute as u32,
            second: self.second as u32,
            nanosecond: self.nanos as u32,
        };
        self.place(civil).ok_or("time out of range")
    }

    /// The zone the value named: `Z`/`UTC`, a numeric offset, or an abbreviation. An
    /// abbreviation is taken as the local zone's only if it is UTC; others get offset 0
    /// (`GMT±h` gets h hours) on the wall time read as UTC, as Go's fake zones do.
    fn place(&self, civil: Civil) -> Option<Moment> {
        // Go marks "no offset" with -1, so an offset of exactly -1s is lost.
        let offset = self.zone_offset.filter(|&o| o != -1 && !self.utc);
        if let Some(offset) = offset {
            return Moment::from_civil(civil, i32::try_from(offset).ok()?);
        }
        let utc = Moment::from_civil(civil, 0)?;
        match &self.zone_name {
            Some(name) if !self.utc => Some(utc.with_offset(gmt_offset(name))),
            _ => Some(utc),
        }
    }
}

/// Month and day of a day of the year; they must agree with a month or day also given.
fn from_year_day(
    year: i64,
    mut year_day: i64,
    month: Option<i64>,
    day: Option<i64>,
) -> Result<(i64, i64), &'static str> {
    let mut found = None;
    if is_leap(year) {
        if year_day == 31 + 29 {
            found = Some((2, 29));
        } else if year_day > 31 + 29 {
            year_day -= 1;
        }
    }
    if !(1..=365).contains(&year_day) {
        return Err("day-of-year out of range");
    }
    let (m, d) = found.unwrap_or_else(|| {
        let m = (1..=12)
            .rev()
            .find(|&m| DAYS_BEFORE[m - 1] < year_day)
            .unwrap_or(1);
        (m as i64, year_day - DAYS_BEFORE[m - 1])
    });
    if month.is_some_and(|given| given != m) {
        return Err("day-of-year does not match month");
    }
    if day.is_some_and(|given| given != d) {
        return Err("day-of-year does not match day");
    }
    Ok((m, d))
}

const DAYS_BEFORE: [i64; 13] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in(month: i64, year: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        1..=12 => DAYS_BEFORE[month as usize] - DAYS_BEFORE[month as usize - 1],
        _ => 0,
    }
}
