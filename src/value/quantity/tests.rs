//! Parsing and formatting tables for quantities. Expected texts come from jmespath.md §2.7,
//! rules.md §0.4 and §6.8, and Kubernetes' own quantity tests (round trips such as
//! `1.5Gi` → `1536Mi`, `0.9n` → `1n`).

use super::*;

fn q(text: &str) -> Quantity {
    Quantity::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn canonical(text: &str) -> String {
    q(text).to_string()
}

#[test]
fn canonical_forms() {
    let table = [
        ("0", "0"),
        ("1.5", "1500m"),
        ("2000", "2k"),
        ("1500", "1500"),
        ("2e3", "2e3"),
        ("1.5Gi", "1536Mi"),
        ("0.1", "100m"),
        ("1Ki", "1Ki"),
        ("1024", "1024"),
        ("1023Ki", "1023Ki"),
        ("1025Ki", "1025Ki"),
        ("1048576Ki", "1Gi"),
        ("512Ki", "512Ki"),
        ("0.5Ki", "512"),
        ("100m", "100m"),
        ("1000m", "1"),
        ("-1Ki", "-1Ki"),
        ("-1.5", "-1500m"),
        ("0.9n", "1n"),
        ("1.1n", "2n"),
        ("-0.9n", "-1n"),
        ("1E", "1E"),
        ("1e-3", "1e-3"),
        ("1E3", "1e3"),
        ("123e1", "1230"),
        ("1.5e3", "1500"),
        ("0.1e0", "100e-3"),
        ("5.", "5"),
        (".5", "500m"),
        ("+1k", "1k"),
        ("0.000000001", "1n"),
        ("12301", "12301"),
        ("8Ei", "9223372036854775807"),
        ("1Ei", "1Ei"),
        // Kubernetes' String and ParseEmit tables.
        ("1024Mi", "1Gi"),
        ("1000M", "1G"),
        ("0.001T", "1G"),
        ("1.08", "1080m"),
        ("1080000000n", "1080m"),
        ("307200Ki", "300Mi"),
        ("1025024Mi", "1001Gi"),
        ("5000m", "5"),
        (".001e12", "1e9"),
        ("0.001e0", "1e-3"),
        ("1000e-12", "1e-9"),
        (".001Ki", "1024m"),
        (".000001Ki", "1024u"),
        (".000000001Ki", "1024n"),
        (".000000000001Ki", "2n"),
        ("-.001Ki", "-1024m"),
        // Beyond `E` a DecimalSI value falls back to exponent form.
        ("1000E", "1e21"),
        ("5000E", "5e21"),
    ];
    for (text, want) in table {
        assert_eq!(canonical(text), want, "{text}");
    }
}

#[test]
fn parsed_values_and_formats() {
    // Kubernetes' quantity parse table: (text, exact value, remembered format).
    use Format::{BinarySI as Bin, DecimalExponent as Exp, DecimalSI as Dec};
    let table = [
        ("0Ki", "0", Bin),
        ("1Ki", "1024", Bin),
        ("3Ei", "3458764513820540928", Bin),
        ("100Ti", "109951162777600", Bin),
        ("50k", "50000", Dec),
        ("40T", "40000000000000", Dec),
        ("1E-3", "0.001", Exp),
        ("1.3E+6", "1300000", Exp),
        ("100.035k", "100035", Dec),
        ("0.0005k", "0.5", Dec),
        ("0.5e-2", "0.005", Exp),
        ("10.035M", "10035000", Dec),
        ("6.987654321G", "6987654321", Dec),
        ("1.01E", "1010000000000000000", Dec),
        ("3.001n", "0.000000004", Dec),
        ("1.1E-9", "0.000000002", Exp),
        ("0.0000000005", "0.000000001", Dec),
        ("0.00000012354", "0.000000124", Dec),
        ("9Ei", "9223372036854775807", Bin),
        ("9223372036854775807Ki", "9223372036854775807", Bin),
        ("100.035Ki", "102435.84", Bin),
        ("0.05Gi", "53687091.2", Bin),
        ("0.000000000001Ki", "0.000000002", Dec),
        (".0001k", "0.1", Dec),
        ("1.G", "1000000000", Dec),
    ];
    for (text, value, format) in table {
        let got = q(text);
        assert_eq!(got, q(value), "{text} value");
        assert_eq!(got.format(), format, "{text} format");
    }
}

#[test]
fn strange_but_valid_texts_are_zero() {
    // Kubernetes' scanner treats a lone sign, a lone point and a lone suffix as zero.
    for text in ["+", "-", ".", "m", "Ki", "e5", "000", "-0", "0.0"] {
        assert!(q(text).is_zero(), "{text}");
    }
}

#[test]
fn invalid_texts() {
    // rules.md §0.4: "", "abc", "1h", "1K" are not quantities.
    for text in [
        "", "abc", "1h", "1K", "1ki", "1 Gi", " 1", "1e", "1.5.5", "1e3k", "1Mi3", "i", "1ee5",
        ".e-10", "1s", "30m0s", "0x10",
    ] {
        assert!(Quantity::parse(text).is_err(), "{text:?} parsed");
    }
}

#[test]
fn equality_and_order_by_value() {
    // rules.md §6.8 rows 5-7 and §0.4.
    assert_eq!(q("3"), q("3.0"));
    assert_eq!(q("1Gi"), q("1024Mi"));
    assert_eq!(q("100m"), q("0.1"));
    assert!(q("100m") < q("1"));
    assert!(q("1Gi") > q("500Mi"));
    assert!(q("-1") < q("0"));
    assert!(q("-2") < q("-1500m"));
    assert!(q("1e30") > q("999999999999999999"));
    assert!(q("-1e30") < q("-1"));
}

#[test]
fn sums_keep_the_left_format_unless_it_is_zero() {
    // jmespath.md §2.11 (add rows, D and T).
    let add = |a: &str, b: &str| q(a).checked_add(&q(b)).map(|r| r.to_string());
    assert_eq!(add("12Ki", "13Ki"), Ok("25Ki".into()));
    assert_eq!(add("12Ki", "13"), Ok("12301".into()));
    assert_eq!(add("1Gi", "1Mi"), Ok("1025Mi".into()));
    assert_eq!(add("1Gi", "500M"), Ok("1573741824".into()));
    assert_eq!(add("0", "1Ki"), Ok("1Ki".into()));
    assert_eq!(add("1.5", "1.5"), Ok("3".into()));
    assert_eq!(add("500m", "500m"), Ok("1".into()));
    assert_eq!(add("1e3", "1e3"), Ok("2e3".into()));
    let sub = |a: &str, b: &str| q(a).checked_sub(&q(b)).map(|r| r.to_string());
    assert_eq!(sub("12Ki", "13Ki"), Ok("-1Ki".into()));
    assert_eq!(sub("1", "1500m"), Ok("-500m".into()));
}

#[test]
fn division_keeps_the_larger_scale_and_truncates() {
    // jmespath.md §2.7 and §2.11 (divide rows).
    let div = |a: &str, b: &str| q(a).div_truncated(&q(b)).map(|r| r.map(|r| r.to_string()));
    assert_eq!(div("1", "2"), Some(Ok("0".into())));
    assert_eq!(div("1000m", "2"), Some(Ok("500m".into())));
    assert_eq!(div("1Gi", "3"), Some(Ok("357913941".into())));
    assert_eq!(div("12Ki", "3"), Some(Ok("4Ki".into())));
    assert_eq!(div("-7", "2"), Some(Ok("-3".into())));
    assert_eq!(div("1", "0.5"), Some(Ok("2".into())));
    assert_eq!(div("1", "0"), None);
}

#[test]
fn products_add_scales() {
    // jmespath.md §2.11 (multiply rows).
    let mul = |a: &str, b: &str| q(a).checked_mul(&q(b)).map(|r| r.to_string());
    assert_eq!(mul("1Gi", "0.5"), Ok("512Mi".into()));
    assert_eq!(mul("1", "0.1"), Ok("100m".into()));
    assert_eq!(mul("1Ki", "0.3"), Ok("307200m".into()));
    assert_eq!(mul("12Ki", "2.5"), Ok("30Ki".into()));
    assert_eq!(mul("1n", "0.5"), Ok("500e-12".into()));
}

#[test]
fn float_conversion() {
    assert_eq!(q("256M").to_f64(), 256e6);
    assert_eq!(q("12Ki").to_f64(), 12288.0);
    assert_eq!(q("100m").to_f64(), 0.1);
    assert_eq!(q("1.5").to_f64(), 1.5);
    assert_eq!(go_pow10(-9), 1.0 / 1e9);
    assert_eq!(go_pow10(400), f64::INFINITY);
    assert_eq!(go_pow10(-400), 0.0);
}

#[test]
fn huge_values_are_errors_not_panics() {
    assert_eq!(canonical("1e1999999998"), "1e1999999998");
    assert_eq!(canonical("1e2000000000"), "100e1999999998");
    assert!(q("1e2000000000").checked_add(&q("1")).is_err());
    assert_eq!(
        Quantity::parse(&"9".repeat(60)),
        Err(QuantityError::OutOfRange)
    );
    assert_eq!(
        canonical(&format!("{}Ki", "9".repeat(30))),
        "9223372036854775807"
    );
}
