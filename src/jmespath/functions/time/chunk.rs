//! Go layout strings, split into literal text and the reference-time elements of
//! Mon Jan 2 15:04:05 MST 2006 (`2006`, `Jan`, `_2`, `Z07:00`, `.000`, ...), scanning left
//! to right exactly as Go's layout scanner does (jmespath.md §2.8).

/// One layout element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Element {
    LongMonth,
    Month,
    NumMonth,
    ZeroMonth,
    LongWeekDay,
    WeekDay,
    Day,
    UnderDay,
    ZeroDay,
    UnderYearDay,
    ZeroYearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    LongYear,
    Year,
    UpperPm,
    LowerPm,
    ZoneName,
    Zone(ZoneForm),
    /// `.000`: exactly this many fraction digits.
    FracFixed(usize),
    /// `.999`: optional fraction, any number of digits.
    FracTrimmed,
}

/// A numeric zone element: which parts it has, and whether `Z` stands for UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ZoneForm {
    pub iso_z: bool,
    pub parts: ZoneParts,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ZoneParts {
    /// `-07`
    Hours,
    /// `-0700`
    HoursMinutes,
    /// `-07:00`
    HoursColonMinutes,
    /// `-070000`
    HoursMinutesSeconds,
    /// `-07:00:00`
    HoursColonMinutesColonSeconds,
}

/// The layout up to the next element, the element and its text, and the rest.
pub struct Chunk<'a> {
    pub prefix: &'a str,
    pub element: Option<(Element, &'a str)>,
    pub rest: &'a str,
}

/// Zone elements in the order Go tries them.
const ZONES: [(&str, Element); 10] = [
    ("-070000", zone(false, ZoneParts::HoursMinutesSeconds)),
    (
        "-07:00:00",
        zone(false, ZoneParts::HoursColonMinutesColonSeconds),
    ),
    ("-0700", zone(false, ZoneParts::HoursMinutes)),
    ("-07:00", zone(false, ZoneParts::HoursColonMinutes)),
    ("-07", zone(false, ZoneParts::Hours)),
    ("Z070000", zone(true, ZoneParts::HoursMinutesSeconds)),
    (
        "Z07:00:00",
        zone(true, ZoneParts::HoursColonMinutesColonSeconds),
    ),
    ("Z0700", zone(true, ZoneParts::HoursMinutes)),
    ("Z07:00", zone(true, ZoneParts::HoursColonMinutes)),
    ("Z07", zone(true, ZoneParts::Hours)),
];

/// `01` to `06`.
const ZERO_PAIRS: [Element; 6] = [
    Element::ZeroMonth,
    Element::ZeroDay,
    Element::ZeroHour12,
    Element::ZeroMinute,
    Element::ZeroSecond,
    Element::Year,
];

const fn zone(iso_z: bool, parts: ZoneParts) -> Element {
    Element::Zone(ZoneForm { iso_z, parts })
}

/// Splits off the first element of `layout`.
pub fn next_chunk(layout: &str) -> Chunk<'_> {
    for i in 0..layout.len() {
        if let Some((element, len)) = element_at(layout, i) {
            // `_2006` is a literal underscore followed by the year.
            let start = if element == Element::LongYear && layout.as_bytes()[i] == b'_' {
                i + 1
            } else {
                i
            };
            return Chunk {
                prefix: &layout[..start],
                element: Some((element, &layout[start..i + len])),
                rest: &layout[i + len..],
            };
        }
    }
    Chunk {
        prefix: layout,
        element: None,
        rest: "",
    }
}

/// The element starting at byte `i` and the byte length it spans from `i`.
fn element_at(layout: &str, i: usize) -> Option<(Element, usize)> {
    let s = &layout.as_bytes()[i..];
    let starts = |word: &str| s.starts_with(word.as_bytes());
    let lower_after = |n: usize| s.get(n).is_some_and(u8::is_ascii_lowercase);
    match s[0] {
        b'J' if starts("January") => Some((Element::LongMonth, 7)),
        b'J' if starts("Jan") && !lower_after(3) => Some((Element::Month, 3)),
        b'M' if starts("Monday") => Some((Element::LongWeekDay, 6)),
        b'M' if starts("Mon") && !lower_after(3) => Some((Element::WeekDay, 3)),
        b'M' if starts("MST") => Some((Element::ZoneName, 3)),
        b'0' => zero_element(s),
        b'1' if starts("15") => Some((Element::Hour, 2)),
        b'1' => Some((Element::NumMonth, 1)),
        b'2' if starts("2006") => Some((Element::LongYear, 4)),
        b'2' => Some((Element::Day, 1)),
        b'_' if starts("_2006") => Some((Element::LongYear, 5)),
        b'_' if starts("_2") => Some((Element::UnderDay, 2)),
        b'_' if starts("__2") => Some((Element::UnderYearDay, 3)),
        b'3' => Some((Element::Hour12, 1)),
        b'4' => Some((Element::Minute, 1)),
        b'5' => Some((Element::Second, 1)),
        b'.' | b',' => fraction(s),
        b'P' if starts("PM") => Some((Element::UpperPm, 2)),
        b'p' if starts("pm") => Some((Element::LowerPm, 2)),
        b'-' | b'Z' => zone_element(s),
        _ => None,
    }
}

fn zero_element(s: &[u8]) -> Option<(Element, usize)> {
    match s.get(1) {
        Some(d @ b'1'..=b'6') => Some((ZERO_PAIRS[usize::from(d - b'1')], 2)),
        _ if s.starts_with(b"002") => Some((Element::ZeroYearDay, 3)),
        _ => None,
    }
}

fn zone_element(s: &[u8]) -> Option<(Element, usize)> {
    ZONES
        .iter()
        .find(|(w, _)| s.starts_with(w.as_bytes()))
        .map(|(w, e)| (*e, w.len()))
}

/// `.000`/`,000` or `.999`/`,999`, only when the run of digits is not followed by another
/// digit.
fn fraction(s: &[u8]) -> Option<(Element, usize)> {
    let digit = *s.get(1).filter(|d| matches!(d, b'0' | b'9'))?;
    let run = s[1..].iter().take_while(|&&b| b == digit).count();
    if s.get(1 + run).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let element = if digit == b'0' {
        Element::FracFixed(run)
    } else {
        Element::FracTrimmed
    };
    Some((element, 1 + run))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn elements(layout: &str) -> Vec<(String, Option<Element>)> {
        let mut out = Vec::new();
        let mut rest = layout;
        loop {
            let chunk = next_chunk(rest);
            out.push((chunk.prefix.to_string(), chunk.element.map(|(e, _)| e)));
            if chunk.element.is_none() {
                return out;
            }
            rest = chunk.rest;
        }
    }

    #[test]
    fn rfc3339_layout() {
        let got: Vec<Option<Element>> = elements("2006-01-02T15:04:05Z07:00")
            .into_iter()
            .map(|(_, e)| e)
            .collect();
        assert_eq!(
            got,
            vec![
                Some(Element::LongYear),
                Some(Element::ZeroMonth),
                Some(Element::ZeroDay),
                Some(Element::Hour),
                Some(Element::ZeroMinute),
                Some(Element::ZeroSecond),
                Some(zone(true, ZoneParts::HoursColonMinutes)),
                None,
            ]
        );
    }

    #[test]
    fn words_and_literals() {
        let got = elements("Mon Jan _2 15:04:05 MST 2006");
        let kinds: Vec<Option<Element>> = got.iter().map(|(_, e)| *e).collect();
        assert_eq!(
            kinds,
            vec![
                Some(Element::WeekDay),
                Some(Element::Month),
                Some(Element::UnderDay),
                Some(Element::Hour),
                Some(Element::ZeroMinute),
                Some(Element::ZeroSecond),
                Some(Element::ZoneName),
                Some(Element::LongYear),
                None,
            ]
        );
        // "Janet" is not a month; ".0001" is not a fraction element (digit after the run).
        assert_eq!(elements("Janet")[0].1, None);
        assert_eq!(
            elements(".0001")[0],
            (".00".to_string(), Some(Element::ZeroMonth))
        );
        assert_eq!(elements(".000")[0].1, Some(Element::FracFixed(3)));
        assert_eq!(elements(",999")[0].1, Some(Element::FracTrimmed));
        assert_eq!(elements("_2006")[0].0, "_");
        assert_eq!(
            elements("-0700")[0].1,
            Some(zone(false, ZoneParts::HoursMinutes))
        );
    }
}
