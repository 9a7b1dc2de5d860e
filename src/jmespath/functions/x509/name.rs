//! Distinguished names: takes a parsed X.509 name and returns Go's `pkix.Name` JSON
//! (`CommonName`, `Organization`, ..., and every attribute in `Names`).

use serde_json::{Map, Value};
use x509_parser::der_parser::asn1_rs::Class;
use x509_parser::x509::X509Name;

use super::{X509Error, der, list_json, oid_json, strings_json};

/// The `pkix.Name` slice fields filled from attributes `2.5.4.<n>`, with their `n`.
const LIST_FIELDS: &[(&str, i64)] = &[
    ("Country", 6),
    ("Organization", 10),
    ("OrganizationalUnit", 11),
    ("Locality", 7),
    ("Province", 8),
    ("StreetAddress", 9),
    ("PostalCode", 17),
];

/// One decoded attribute.
struct Attribute {
    arcs: Vec<i64>,
    value: String,
}

/// Go's `pkix.Name` JSON for a name.
pub fn to_json(name: &X509Name<'_>) -> Result<Value, X509Error> {
    let attributes = attributes(name)?;
    let mut object = Map::new();
    for (field, n) in LIST_FIELDS {
        let values: Vec<String> = attributes
            .iter()
            .filter(|a| standard_attribute(&a.arcs) == Some(*n))
            .map(|a| a.value.clone())
            .collect();
        object.insert(field.to_string(), strings_json(&values));
    }
    object.insert(
        "SerialNumber".into(),
        Value::String(last_value(&attributes, 5)),
    );
    object.insert(
        "CommonName".into(),
        Value::String(last_value(&attributes, 3)),
    );
    let names = attributes
        .iter()
        .map(|a| serde_json::json!({"Type": oid_json(&a.arcs), "Value": a.value}))
        .collect();
    object.insert("Names".into(), list_json(names));
    object.insert("ExtraNames".into(), Value::Null);
    Ok(Value::Object(object))
}

/// `n` for an attribute type `2.5.4.n`.
fn standard_attribute(arcs: &[i64]) -> Option<i64> {
    match arcs {
        [2, 5, 4, n] => Some(*n),
        _ => None,
    }
}

/// Go keeps the last value for the single-valued fields.
fn last_value(attributes: &[Attribute], n: i64) -> String {
    attributes
        .iter()
        .rev()
        .find(|a| standard_attribute(&a.arcs) == Some(n))
        .map(|a| a.value.clone())
        .unwrap_or_default()
}

fn attributes(name: &X509Name<'_>) -> Result<Vec<Attribute>, X509Error> {
    let mut out = Vec::new();
    for attribute in name.iter_attributes() {
        let value = attribute.attr_value();
        // Only universal tags name string types; anything else is unsupported.
        let universal = value.header.class() == Class::Universal;
        let tag = if universal {
            value.header.tag().0
        } else {
            u32::MAX
        };
        out.push(Attribute {
            arcs: der::oid_arcs(attribute.attr_type().as_bytes())?,
            value: string_value(tag, value.data)?,
        });
    }
    Ok(out)
}

/// ASN.1 universal string tags Go accepts in names.
const UTF8_STRING: u32 = 12;
const NUMERIC_STRING: u32 = 18;
const PRINTABLE_STRING: u32 = 19;
const T61_STRING: u32 = 20;
const IA5_STRING: u32 = 22;
const BMP_STRING: u32 = 30;

/// Decodes an attribute value as Go's certificate parser does; other types are errors.
fn string_value(tag: u32, data: &[u8]) -> Result<String, X509Error> {
    let invalid = |what: &str| {
        X509Error::Invalid(format!(
            "invalid RDNSequence: invalid attribute value: {what}"
        ))
    };
    let ascii = |ok: fn(&u8) -> bool, what| {
        if data.iter().all(ok) {
            Ok(String::from_utf8_lossy(data).into_owned())
        } else {
            Err(invalid(what))
        }
    };
    match tag {
        T61_STRING => Ok(data.iter().map(|b| char::from(*b)).collect()),
        PRINTABLE_STRING => ascii(is_printable, "invalid PrintableString"),
        UTF8_STRING => {
            String::from_utf8(data.to_vec()).map_err(|_| invalid("invalid UTF-8 string"))
        }
        BMP_STRING => bmp_string(data).ok_or_else(|| invalid("invalid BMPString")),
        IA5_STRING => ascii(u8::is_ascii, "invalid IA5String"),
        NUMERIC_STRING => ascii(
            |b| b.is_ascii_digit() || *b == b' ',
            "invalid NumericString",
        ),
        other => Err(invalid(&format!("unsupported string type: {other}"))),
    }
}

/// PrintableString characters, plus `*` and `&` which Go tolerates.
fn is_printable(b: &u8) -> bool {
    b.is_ascii_alphanumeric() || b" '()+,-./:=?*&".contains(b)
}

/// UCS-2 big-endian text, an optional trailing NUL removed.
fn bmp_string(data: &[u8]) -> Option<String> {
    if !data.len().is_multiple_of(2) {
        return None;
    }
    let data = data.strip_suffix(&[0, 0]).unwrap_or(data);
    let units: Vec<u16> = data
        .chunks_exact(2)
        .map(|pair| u16::from_be_bytes([pair[0], pair[1]]))
        .collect();
    Some(
        char::decode_utf16(units)
            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect(),
    )
}
