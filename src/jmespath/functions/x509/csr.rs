//! Certificate requests: takes DER bytes and returns Go's `x509.CertificateRequest` JSON
//! as Kyverno prints it (RSA keys only).

use serde_json::{Map, Value};
use x509_parser::certification_request::X509CertificationRequest;
use x509_parser::prelude::FromDer;

use super::cert::right_aligned;
use super::extensions::{self, AltNames, Extension};
use super::{X509Error, algorithm, bytes_json, der, int_json, list_json, name, oid_json};
use der::Reader;

/// `1.2.840.113549.1.9.14`: the attribute that carries requested extensions.
const EXTENSION_REQUEST: &[i64] = &[1, 2, 840, 113549, 1, 9, 14];

/// `x509.CertificateRequest` JSON for a DER request.
pub fn to_json(bytes: &[u8]) -> Result<Value, X509Error> {
    let (rest, csr) =
        X509CertificationRequest::from_der(bytes).map_err(|e| X509Error::Invalid(e.to_string()))?;
    if !rest.is_empty() {
        return Err(X509Error::Invalid(
            "trailing data after certificate request".into(),
        ));
    }
    let info = &csr.certification_request_info;
    let raw_attributes = raw_attributes(info.raw)?;
    let requested = requested_extensions(&raw_attributes)?;
    let mut alt_names = AltNames::default();
    for extension in requested.iter().filter(|e| e.arcs == [2, 5, 29, 17]) {
        alt_names = extensions::alt_names(extension.value)?;
    }
    if algorithm::public_key_algorithm(&info.subject_pki) != algorithm::RSA {
        return Err(X509Error::NotRsa);
    }
    let mut object = Map::new();
    let entries = [
        ("Raw", bytes_json(bytes)),
        ("RawTBSCertificateRequest", bytes_json(info.raw)),
        ("RawSubjectPublicKeyInfo", bytes_json(info.subject_pki.raw)),
        ("RawSubject", bytes_json(info.subject.as_raw())),
        ("Version", int_json(i64::from(info.version.0))),
        (
            "Signature",
            bytes_json(&right_aligned(&csr.signature_value)),
        ),
        (
            "SignatureAlgorithm",
            int_json(algorithm::signature_algorithm(&csr.signature_algorithm)),
        ),
        ("PublicKeyAlgorithm", int_json(algorithm::RSA)),
        ("PublicKey", algorithm::rsa_public_key(&info.subject_pki)?),
        ("Subject", name::to_json(&info.subject)?),
        (
            "Attributes",
            list_json(raw_attributes.iter().filter_map(attribute_json).collect()),
        ),
        ("Extensions", extensions::list_to_json(&requested)),
        ("ExtraExtensions", Value::Null),
    ];
    object.extend(entries.into_iter().map(|(k, v)| (k.to_string(), v)));
    alt_names.insert_into(&mut object);
    Ok(Value::Object(object))
}

/// The encoded attributes of the request info (`[0] IMPLICIT SET OF Attribute`).
fn raw_attributes(info: &[u8]) -> Result<Vec<&[u8]>, X509Error> {
    let bad = "certificate request info";
    let mut fields = Reader::new(Reader::only(info, der::SEQUENCE, bad)?);
    for _ in 0..3 {
        fields.read_any(bad)?;
    }
    let mut set = Reader::new(fields.read(der::context_constructed(0), bad)?);
    let mut attributes = Vec::new();
    while !set.is_empty() {
        attributes.push(set.read_any(bad)?.full);
    }
    Ok(attributes)
}

/// Extensions from every extension-request attribute; a repeated extension is an error.
fn requested_extensions<'a>(attributes: &[&'a [u8]]) -> Result<Vec<Extension<'a>>, X509Error> {
    let bad = "requested extensions";
    let mut out: Vec<Extension<'a>> = Vec::new();
    for attribute in attributes {
        let Some((arcs, values)) = attribute_parts(attribute) else {
            continue;
        };
        let Some(first) = values.first().filter(|_| arcs == EXTENSION_REQUEST) else {
            continue;
        };
        let mut list = Reader::new(Reader::new(first).read(der::SEQUENCE, bad)?);
        while !list.is_empty() {
            let extension = extension(list.read(der::SEQUENCE, bad)?)?;
            if out.iter().any(|e| e.arcs == extension.arcs) {
                return Err(X509Error::Invalid(
                    "certificate request contains duplicate requested extensions".into(),
                ));
            }
            out.push(extension);
        }
    }
    Ok(out)
}

/// `Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue }`.
fn extension(content: &[u8]) -> Result<Extension<'_>, X509Error> {
    let bad = "extension";
    let mut fields = Reader::new(content);
    let arcs = der::oid_arcs(fields.read(der::OID, bad)?)?;
    let critical = fields
        .read_optional(der::BOOLEAN, bad)?
        .map(der::boolean)
        .transpose()?;
    let value = fields.read(der::OCTET_STRING, bad)?;
    Ok(Extension {
        arcs,
        critical: critical.unwrap_or(false),
        value,
    })
}

/// An attribute's type and its SET members (whole encodings); `None` if malformed.
fn attribute_parts(attribute: &[u8]) -> Option<(Vec<i64>, Vec<&[u8]>)> {
    let mut fields = Reader::new(Reader::only(attribute, der::SEQUENCE, "attribute").ok()?);
    let arcs = der::oid_arcs(fields.read(der::OID, "attribute").ok()?).ok()?;
    let mut set = Reader::new(fields.read(der::SET, "attribute").ok()?);
    let mut values = Vec::new();
    while !set.is_empty() {
        values.push(set.read_any("attribute").ok()?.full);
    }
    Some((arcs, values))
}

/// Go's `pkix.AttributeTypeAndValueSET` JSON, or `None` where Go skips the attribute
/// (values that are not sequences of type/value pairs, such as a challenge password).
fn attribute_json(attribute: &&[u8]) -> Option<Value> {
    let (arcs, values) = attribute_parts(attribute)?;
    let mut sets = Vec::new();
    for value in values {
        let mut pairs = Reader::new(Reader::only(value, der::SEQUENCE, "attribute").ok()?);
        let mut items = Vec::new();
        while !pairs.is_empty() {
            let mut pair = Reader::new(pairs.read(der::SEQUENCE, "attribute").ok()?);
            let kind = der::oid_arcs(pair.read(der::OID, "attribute").ok()?).ok()?;
            let value = any_json(pair.read_any("attribute").ok()?)?;
            items.push(serde_json::json!({"Type": oid_json(&kind), "Value": value}));
        }
        sets.push(list_json(items));
    }
    Some(serde_json::json!({"Type": oid_json(&arcs), "Value": list_json(sets)}))
}

/// Go's `encoding/asn1` reading of an `any` value: strings, integers, byte strings and
/// object identifiers decode; other types (booleans among them) stay `null`.
fn any_json(tlv: der::Tlv<'_>) -> Option<Value> {
    let text = |b: &[u8]| Value::String(String::from_utf8_lossy(b).into_owned());
    Some(match tlv.tag {
        0x0c | 0x12 | 0x13 | 0x14 | 0x16 => text(tlv.content),
        der::INTEGER => int_json(der::integer(tlv.content).ok()?),
        der::OCTET_STRING => bytes_json(tlv.content),
        der::OID => oid_json(&der::oid_arcs(tlv.content).ok()?),
        der::BIT_STRING => {
            let (bytes, bit_length) = der::bit_string(tlv.content).ok()?;
            serde_json::json!({"Bytes": bytes_json(bytes), "BitLength": bit_length})
        }
        _ => Value::Null,
    })
}
