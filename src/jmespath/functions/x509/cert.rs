//! Certificates: takes DER bytes and returns Go's `x509.Certificate` JSON as Kyverno
//! prints it (RSA keys only).

use serde_json::{Map, Value};
use x509_parser::certificate::X509Certificate;
use x509_parser::prelude::FromDer;
use x509_parser::time::ASN1Time;

use super::extensions::{self, Extension};
use super::{X509Error, algorithm, bytes_json, der, int_json, name};
use crate::value;

/// `x509.Certificate` JSON for a DER certificate.
pub fn to_json(bytes: &[u8]) -> Result<Value, X509Error> {
    let (rest, cert) =
        X509Certificate::from_der(bytes).map_err(|e| X509Error::Invalid(e.to_string()))?;
    if !rest.is_empty() {
        return Err(X509Error::Invalid("trailing data".into()));
    }
    let tbs = &cert.tbs_certificate;
    if tbs.raw_serial().first().is_some_and(|b| b & 0x80 != 0) {
        return Err(X509Error::Invalid("negative serial number".into()));
    }
    let list = extension_list(tbs.extensions())?;
    let derived = extensions::process(&list)?;
    if algorithm::public_key_algorithm(&tbs.subject_pki) != algorithm::RSA {
        return Err(X509Error::NotRsa);
    }
    let mut object = Map::new();
    let entries = [
        ("Raw", bytes_json(cert.as_raw())),
        ("RawTBSCertificate", bytes_json(tbs.as_ref())),
        ("RawSubjectPublicKeyInfo", bytes_json(tbs.subject_pki.raw)),
        ("RawSubject", bytes_json(tbs.subject.as_raw())),
        ("RawIssuer", bytes_json(tbs.issuer.as_raw())),
        (
            "Signature",
            bytes_json(&right_aligned(&cert.signature_value)),
        ),
        (
            "SignatureAlgorithm",
            int_json(algorithm::signature_algorithm(&cert.signature_algorithm)),
        ),
        ("PublicKeyAlgorithm", int_json(algorithm::RSA)),
        ("PublicKey", algorithm::rsa_public_key(&tbs.subject_pki)?),
        ("Version", int_json(i64::from(tbs.version.0) + 1)),
        ("SerialNumber", serial_json(&tbs.serial.to_string())),
        ("Issuer", name::to_json(&tbs.issuer)?),
        ("Subject", name::to_json(&tbs.subject)?),
        ("NotBefore", time_json(&tbs.validity.not_before)),
        ("NotAfter", time_json(&tbs.validity.not_after)),
        ("Extensions", extensions::list_to_json(&list)),
        ("ExtraExtensions", Value::Null),
    ];
    object.extend(entries.into_iter().map(|(k, v)| (k.to_string(), v)));
    derived.insert_into(&mut object);
    Ok(Value::Object(object))
}

/// The extensions with their OIDs decoded.
pub fn extension_list<'a>(
    raw: &[x509_parser::extensions::X509Extension<'a>],
) -> Result<Vec<Extension<'a>>, X509Error> {
    raw.iter()
        .map(|e| {
            Ok(Extension {
                arcs: der::oid_arcs(e.oid.as_bytes())?,
                critical: e.critical,
                value: e.value,
            })
        })
        .collect()
}

/// Go writes a `big.Int` serial as a JSON number and Kyverno reads it back as a float64,
/// so long serials lose precision exactly as parsing the decimal text does.
fn serial_json(decimal: &str) -> Value {
    value::number(decimal.parse::<f64>().unwrap_or(f64::INFINITY))
}

/// A signature BIT STRING's bits shifted to the right, as Go's `BitString.RightAlign`.
pub fn right_aligned(bits: &x509_parser::der_parser::asn1_rs::BitString<'_>) -> Vec<u8> {
    let shift = u32::from(bits.unused_bits);
    if shift == 0 || bits.data.is_empty() {
        return bits.data.to_vec();
    }
    let carried = std::iter::once(&0u8).chain(bits.data.iter());
    carried
        .zip(bits.data.iter())
        .map(|(previous, current)| (previous << (8 - shift)) | (current >> shift))
        .collect()
}

/// Go's `time.Time` JSON: RFC 3339 with nanoseconds trimmed, `Z` for UTC.
fn time_json(time: &ASN1Time) -> Value {
    let t = time.to_datetime();
    let mut text = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    if t.nanosecond() != 0 {
        let fraction = format!("{:09}", t.nanosecond());
        text.push('.');
        text.push_str(fraction.trim_end_matches('0'));
    }
    let offset = t.offset().whole_minutes();
    if offset == 0 {
        text.push('Z');
    } else {
        let sign = if offset < 0 { '-' } else { '+' };
        text.push_str(&format!(
            "{sign}{:02}:{:02}",
            offset.abs() / 60,
            offset.abs() % 60
        ));
    }
    Value::String(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use x509_parser::der_parser::asn1_rs::BitString;

    /// Go's `BitString.RightAlign`: the unused low bits are shifted out.
    #[test]
    fn right_align_shifts_out_unused_bits() {
        let bits = BitString::new(4, &[0xab, 0xc0]);
        assert_eq!(right_aligned(&bits), vec![0x0a, 0xbc]);
        let whole = BitString::new(0, &[0x01, 0x02]);
        assert_eq!(right_aligned(&whole), vec![0x01, 0x02]);
    }
}
