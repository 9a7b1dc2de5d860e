//! Go's ways of turning values into text, which Kyverno's output depends on:
//! `encoding/json` (interpolation, `to_string`), `fmt`'s `%v` (messages, operators),
//! and `strconv` float forms (`%f`, `%E`, 32-bit shortest).

use serde_json::Value;

/// Go `encoding/json` text of a value: sorted keys, integral floats without a fraction,
/// HTML-safe escaping of `<`, `>`, `&`, U+2028 and U+2029.
pub fn json(value: &Value) -> String {
    let mut out = String::new();
    write_json(&mut out, value);
    out
}

pub fn write_json(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&json_number(n.as_f64().unwrap_or(0.0))),
        Value::String(s) => write_json_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json_string(out, key);
                out.push(':');
                write_json(out, &map[key]);
            }
            out.push('}');
        }
    }
}

/// A float64 as Go's JSON encoder writes it.
pub fn json_number(f: f64) -> String {
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let (mantissa, exp) = split_exponent(f);
        let sign = if exp < 0 { '-' } else { '+' };
        let digits = exp.unsigned_abs();
        // Go prints at least two exponent digits, then trims the `0` of `e-0N`.
        if exp < 0 {
            format!("{mantissa}e{sign}{digits}")
        } else {
            format!("{mantissa}e{sign}{digits:02}")
        }
    } else {
        format!("{f}")
    }
}

/// Shortest round-trip mantissa and decimal exponent of `f` (`1.5e300` → ("1.5", 300)).
fn split_exponent(f: f64) -> (String, i32) {
    let text = format!("{f:e}");
    match text.split_once('e') {
        Some((mantissa, exp)) => (mantissa.to_string(), exp.parse().unwrap_or(0)),
        None => (text, 0),
    }
}

fn write_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Go `fmt.Sprint` (`%v`) of a JSON value: strings bare, `<nil>`, `[a b]`, `map[k:v]`.
pub fn sprint(value: &Value) -> String {
    let mut out = String::new();
    write_sprint(&mut out, value);
    out
}

/// As [`sprint`], borrowing a string value instead of copying it.
pub fn sprint_cow(value: &Value) -> std::borrow::Cow<'_, str> {
    match value {
        Value::String(s) => std::borrow::Cow::Borrowed(s),
        other => std::borrow::Cow::Owned(sprint(other)),
    }
}

fn write_sprint(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("<nil>"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&format_g(n.as_f64().unwrap_or(0.0))),
        Value::String(s) => out.push_str(s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_sprint(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push_str("map[");
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(key);
                out.push(':');
                write_sprint(out, &map[key]);
            }
            out.push(']');
        }
    }
}

/// Go `%v` / `strconv.FormatFloat(f, 'g', -1, 64)`: exponent form when the decimal
/// exponent is below -4 or at least 6 (`1e+06`, `1e-05`).
pub fn format_g(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    let (mantissa, exp) = split_exponent(f);
    if !(-4..6).contains(&exp) {
        format!(
            "{mantissa}e{}{:02}",
            if exp < 0 { '-' } else { '+' },
            exp.unsigned_abs()
        )
    } else {
        format!("{f}")
    }
}

/// Go `strconv.FormatFloat(f, 'E', -1, 64)`: `80` → `8E+01`, `1.5` → `1.5E+00`.
pub fn format_e_upper(f: f64) -> String {
    if f == 0.0 {
        return "0E+00".to_string();
    }
    let (mantissa, exp) = split_exponent(f);
    format!(
        "{mantissa}E{}{:02}",
        if exp < 0 { '-' } else { '+' },
        exp.unsigned_abs()
    )
}

/// Go `%f`: six decimals. Whole numbers (most that reach here) are written as integers,
/// without the exact-decimal float formatting; `-0` takes that formatting, which keeps its
/// sign.
pub fn format_f6(f: f64) -> String {
    let negative_zero = f == 0.0 && f.is_sign_negative();
    if f.fract() == 0.0 && f.abs() <= super::EXACT_INTEGERS && !negative_zero {
        // Guarded above: integral and within i64's exactly representable range.
        let mut text = (f as i64).to_string();
        text.push_str(".000000");
        return text;
    }
    format!("{f:.6}")
}

/// Go `strconv.FormatFloat(f, 'f', -1, 32)`: shortest digits that round-trip a 32-bit float.
pub fn format_f32(f: f64) -> String {
    format!("{}", f as f32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Whole numbers take a path of their own: it writes what the float formatting does.
    #[test]
    fn six_decimals_of_whole_numbers_match_the_float_formatting() {
        let cases = [
            0.0,
            -0.0,
            1.0,
            -1.0,
            80.0,
            1e15,
            -crate::value::EXACT_INTEGERS,
            9e15,
            1e16,
        ];
        for f in cases.into_iter().chain((-300..300).map(f64::from)) {
            assert_eq!(format_f6(f), format!("{f:.6}"), "{f}");
        }
        assert_eq!(format_f6(-0.0), "-0.000000");
        assert_eq!(format_f6(1.5), "1.500000");
    }

    #[test]
    fn json_numbers_follow_go_encoding() {
        // rules.md §4.3 and jmespath.md §1.9.
        assert_eq!(json_number(2.0), "2");
        assert_eq!(json_number(0.5), "0.5");
        assert_eq!(json_number(14.0 / 3.0), "4.666666666666667");
        assert_eq!(json_number(1e21), "1e+21");
        assert_eq!(json_number(1e-7), "1e-7");
        assert_eq!(json_number(1_000_000.0), "1000000");
        assert_eq!(json_number(-0.000001), "-0.000001");
    }

    #[test]
    fn json_text_sorts_keys_and_escapes_html() {
        let v = json!({"b": [1, 2.5, null], "a": "<x & y>"});
        assert_eq!(
            json(&v),
            r#"{"a":"\u003cx \u0026 y\u003e","b":[1,2.5,null]}"#
        );
    }

    #[test]
    fn sprint_matches_go_percent_v() {
        // rules.md §0.3.
        assert_eq!(sprint(&json!(80)), "80");
        assert_eq!(sprint(&json!(1.5)), "1.5");
        assert_eq!(sprint(&json!(100000)), "100000");
        assert_eq!(sprint(&json!(1000000)), "1e+06");
        assert_eq!(sprint(&json!(1234567)), "1.234567e+06");
        assert_eq!(sprint(&json!(0.0001)), "0.0001");
        assert_eq!(sprint(&json!(0.00001)), "1e-05");
        assert_eq!(sprint(&json!(null)), "<nil>");
        assert_eq!(sprint(&json!(["a", 1, true])), "[a 1 true]");
        assert_eq!(sprint(&json!({"b": 1, "a": "x"})), "map[a:x b:1]");
    }

    #[test]
    fn float_forms() {
        // rules.md §7.5.2 and jmespath.md §2.2.
        assert_eq!(format_e_upper(80.0), "8E+01");
        assert_eq!(format_e_upper(1.5), "1.5E+00");
        assert_eq!(format_e_upper(0.0), "0E+00");
        assert_eq!(format_f6(5.0), "5.000000");
        assert_eq!(format_f32(12.0), "12");
        assert_eq!(format_f32(16_777_217.0), "16777216");
        assert_eq!(format_f32(1.234_567_891_234), "1.2345679");
    }
}
