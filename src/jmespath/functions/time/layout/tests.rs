//! Layout parsing tables: jmespath.md §2.8/§2.11 vectors and Go `time.Parse` behaviour
//! (fractions accepted after seconds, spaces runs, name case, Go's error texts).

use super::*;

fn rfc(layout: &str, value: &str) -> String {
    match parse(layout, value) {
        Ok(moment) => moment.rfc3339().unwrap_or_default(),
        Err(e) => format!("error: {e}"),
    }
}

#[test]
fn spec_vectors() {
    assert_eq!(
        rfc(RFC3339, "2021-01-02T15:04:05-07:00"),
        "2021-01-02T15:04:05-07:00"
    );
    assert_eq!(
        rfc(
            "Mon Jan 02 15:04:05 -0700 2006",
            "Sat Jan 02 15:04:05 -0700 2021"
        ),
        "2021-01-02T15:04:05-07:00"
    );
    // An abbreviation the local (UTC) zone does not know gets offset 0.
    assert_eq!(
        rfc(
            "Mon Jan _2 15:04:05 MST 2006",
            "Mon Jan 02 15:04:05 MST 2021"
        ),
        "2021-01-02T15:04:05Z"
    );
    assert_eq!(
        rfc(RFC3339, "2021-01-02T15:04:05+00:00"),
        "2021-01-02T15:04:05Z"
    );
}

#[test]
fn go_leniencies() {
    // A fraction is accepted after seconds even though RFC3339 has none.
    assert_eq!(
        rfc(RFC3339, "2021-01-02T15:04:05.123456789Z"),
        "2021-01-02T15:04:05Z"
    );
    // Single-digit hour is accepted by `15`.
    assert_eq!(rfc(RFC3339, "2021-01-02T5:04:05Z"), "2021-01-02T05:04:05Z");
    // `_2` takes a space-padded day; runs of spaces match runs of spaces.
    assert_eq!(
        rfc("Mon Jan _2 15:04:05 2006", "Thu Feb  4 21:00:57 2010"),
        "2010-02-04T21:00:57Z"
    );
    assert_eq!(rfc("Jan 2 2006", "fEb   4    2010"), "2010-02-04T00:00:00Z");
    // No year in the layout means year 0; `3 PM` is 15h.
    assert_eq!(rfc("3:04PM", "3:04PM"), "0000-01-01T15:04:00Z");
    assert_eq!(rfc("3:04pm", "12:30am"), "0000-01-01T00:30:00Z");
    // Two-digit years: 69 and above are 19xx.
    assert_eq!(rfc("06-01-02", "69-12-31"), "1969-12-31T00:00:00Z");
    assert_eq!(rfc("06-01-02", "68-12-31"), "2068-12-31T00:00:00Z");
    // Day of the year.
    assert_eq!(rfc("2006 002", "2020 060"), "2020-02-29T00:00:00Z");
    assert_eq!(rfc("2006 __2", "2021  60"), "2021-03-01T00:00:00Z");
    // Fixed and trimmed fractions, numeric zones of every form.
    assert_eq!(
        rfc("2006-01-02 15:04:05.000 -07", "2021-01-02 15:04:05.120 +05"),
        "2021-01-02T15:04:05+05:00"
    );
    assert_eq!(
        rfc(
            "2006-01-02 15:04:05.999999 Z0700",
            "2021-01-02 15:04:05 +0530"
        ),
        "2021-01-02T15:04:05+05:30"
    );
    assert_eq!(
        rfc("2006-01-02 -07:00:00", "2021-01-02 -01:30:00"),
        "2021-01-02T00:00:00-01:30"
    );
    // `GMT+3` keeps the wall time read as UTC and shows it at +03:00 (Go's fake zone).
    assert_eq!(
        rfc("2006-01-02 15:04 MST", "2021-01-02 10:00 GMT+3"),
        "2021-01-02T13:00:00+03:00"
    );
    assert_eq!(
        rfc("2006-01-02 15:04 MST", "2021-01-02 10:00 UTC"),
        "2021-01-02T10:00:00Z"
    );
}

#[test]
fn go_errors() {
    assert_eq!(
        rfc(RFC3339, "2021-01-02 15:04:05Z"),
        "error: parsing time \"2021-01-02 15:04:05Z\" as \"2006-01-02T15:04:05Z07:00\": \
         cannot parse \" 15:04:05Z\" as \"T\""
    );
    assert_eq!(
        rfc(RFC3339, "2010-02-04T21:00:57-08"),
        "error: parsing time \"2010-02-04T21:00:57-08\" as \"2006-01-02T15:04:05Z07:00\": \
         cannot parse \"-08\" as \"Z07:00\""
    );
    assert_eq!(
        rfc(RFC3339, "2021-13-02T15:04:05Z"),
        "error: parsing time \"2021-13-02T15:04:05Z\": month out of range"
    );
    assert_eq!(
        rfc(RFC3339, "2021-02-29T15:04:05Z"),
        "error: parsing time \"2021-02-29T15:04:05Z\": day out of range"
    );
    assert_eq!(
        rfc(RFC3339, "2021-01-02T15:04:05Zjunk"),
        "error: parsing time \"2021-01-02T15:04:05Zjunk\": extra text: \"junk\""
    );
    assert_eq!(
        rfc(RFC3339, "2021-01-02t15:04:05z"),
        "error: parsing time \"2021-01-02t15:04:05z\" as \"2006-01-02T15:04:05Z07:00\": \
         cannot parse \"t15:04:05z\" as \"T\""
    );
    for bad in [
        "2021-01-02T24:00:00Z",
        "2021-01-02T15:60:00Z",
        "2021-01-02T15:04:60Z",
        "2021-01-02T15:04:05+25:00",
        "",
        "2021-01-02",
        "２021-01-02T15:04:05Z",
    ] {
        assert!(parse(RFC3339, bad).is_err(), "{bad:?} parsed");
    }
    assert!(parse("2006 002", "2021 366").is_err());
    assert!(parse("2006-01 002", "2021-02 001").is_err());
}
