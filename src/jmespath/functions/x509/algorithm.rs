//! Algorithms and keys: takes algorithm identifiers and the subject public key and returns
//! Go's `SignatureAlgorithm` / `PublicKeyAlgorithm` numbers and the RSA key as Kyverno
//! prints it (`{N: decimal text, E: number}`).

use serde_json::{Value, json};
use x509_parser::num_bigint::BigUint;
use x509_parser::x509::{AlgorithmIdentifier, SubjectPublicKeyInfo};

use super::{X509Error, der, int_json};
use der::Reader;

/// Go's `SignatureAlgorithm` numbers by OID (RSA-PSS, 13 to 15, depends on parameters).
const SIGNATURE_ALGORITHMS: &[(&[i64], i64)] = &[
    (&[1, 2, 840, 113549, 1, 1, 2], 1),
    (&[1, 2, 840, 113549, 1, 1, 4], 2),
    (&[1, 2, 840, 113549, 1, 1, 5], 3),
    (&[1, 3, 14, 3, 2, 29], 3),
    (&[1, 2, 840, 113549, 1, 1, 11], 4),
    (&[1, 2, 840, 113549, 1, 1, 12], 5),
    (&[1, 2, 840, 113549, 1, 1, 13], 6),
    (&[1, 2, 840, 10040, 4, 3], 7),
    (&[2, 16, 840, 1, 101, 3, 4, 3, 2], 8),
    (&[1, 2, 840, 10045, 4, 1], 9),
    (&[1, 2, 840, 10045, 4, 3, 2], 10),
    (&[1, 2, 840, 10045, 4, 3, 3], 11),
    (&[1, 2, 840, 10045, 4, 3, 4], 12),
    (&[1, 3, 101, 112], 16),
];

const RSA_PSS: &[i64] = &[1, 2, 840, 113549, 1, 1, 10];
const ED25519: &[i64] = &[1, 3, 101, 112];
const MGF1: &[i64] = &[1, 2, 840, 113549, 1, 1, 8];
/// SHA-256, SHA-384, SHA-512 with the PSS salt length and algorithm number each needs.
const PSS_HASHES: &[(&[i64], i64, i64)] = &[
    (&[2, 16, 840, 1, 101, 3, 4, 2, 1], 32, 13),
    (&[2, 16, 840, 1, 101, 3, 4, 2, 2], 48, 14),
    (&[2, 16, 840, 1, 101, 3, 4, 2, 3], 64, 15),
];

/// Go's `SignatureAlgorithm` for an algorithm identifier; 0 when unknown.
pub fn signature_algorithm(id: &AlgorithmIdentifier<'_>) -> i64 {
    let Ok(arcs) = der::oid_arcs(id.algorithm.as_bytes()) else {
        return 0;
    };
    if arcs == RSA_PSS {
        return id
            .parameters
            .as_ref()
            .and_then(|p| pss_algorithm(p.data))
            .unwrap_or(0);
    }
    if arcs == ED25519 && id.parameters.is_some() {
        return 0;
    }
    SIGNATURE_ALGORITHMS
        .iter()
        .find(|(oid, _)| *oid == arcs.as_slice())
        .map_or(0, |(_, algorithm)| *algorithm)
}

/// Go accepts only PSS parameters whose MGF1 hash equals the message hash, whose salt is
/// the hash length and whose trailer field is 1.
fn pss_algorithm(params: &[u8]) -> Option<i64> {
    let mut reader = Reader::new(params);
    let hash = algorithm_in(reader.read(der::context_constructed(0), "pss").ok()?)?;
    let mgf = algorithm_in(reader.read(der::context_constructed(1), "pss").ok()?)?;
    let salt = explicit_integer(reader.read(der::context_constructed(2), "pss").ok()?)?;
    let trailer = match reader
        .read_optional(der::context_constructed(3), "pss")
        .ok()?
    {
        Some(bytes) => explicit_integer(bytes)?,
        None => 1,
    };
    let mgf_hash = algorithm_in(mgf.1?)?;
    let null_or_absent = |p: Option<&[u8]>| p.is_none_or(|p| p == [0x05, 0x00]);
    let consistent = null_or_absent(hash.1) && mgf.0 == MGF1 && mgf_hash.0 == hash.0;
    if !consistent || !null_or_absent(mgf_hash.1) || trailer != 1 {
        return None;
    }
    PSS_HASHES
        .iter()
        .find(|(oid, len, _)| *oid == hash.0.as_slice() && *len == salt)
        .map(|(_, _, algorithm)| *algorithm)
}

/// An `AlgorithmIdentifier` inside `bytes`: its OID arcs and the full parameters element.
fn algorithm_in(bytes: &[u8]) -> Option<(Vec<i64>, Option<&[u8]>)> {
    let mut seq = Reader::new(Reader::new(bytes).read(der::SEQUENCE, "algorithm").ok()?);
    let arcs = der::oid_arcs(seq.read(der::OID, "algorithm").ok()?).ok()?;
    let params = (!seq.is_empty()).then(|| seq.read_any("algorithm").ok().map(|t| t.full));
    Some((arcs, params.flatten()))
}

fn explicit_integer(bytes: &[u8]) -> Option<i64> {
    der::integer(Reader::only(bytes, der::INTEGER, "integer").ok()?).ok()
}

/// `rsaEncryption`: Go's `PublicKeyAlgorithm` RSA (1).
const RSA_ENCRYPTION: &[i64] = &[1, 2, 840, 113549, 1, 1, 1];
pub const RSA: i64 = 1;

/// Go's `PublicKeyAlgorithm` number for the key (only RSA matters to Kyverno).
pub fn public_key_algorithm(spki: &SubjectPublicKeyInfo<'_>) -> i64 {
    let known: &[(&[i64], i64)] = &[
        (RSA_ENCRYPTION, RSA),
        (&[1, 2, 840, 10040, 4, 1], 2),
        (&[1, 2, 840, 10045, 2, 1], 3),
        (ED25519, 4),
    ];
    let arcs = der::oid_arcs(spki.algorithm.algorithm.as_bytes()).unwrap_or_default();
    known
        .iter()
        .find(|(oid, _)| *oid == arcs.as_slice())
        .map_or(0, |(_, algorithm)| *algorithm)
}

/// The RSA key as Kyverno prints it, checked as Go checks it. Call only for RSA keys.
pub fn rsa_public_key(spki: &SubjectPublicKeyInfo<'_>) -> Result<Value, X509Error> {
    let null_params = spki
        .algorithm
        .parameters
        .as_ref()
        .is_some_and(|p| p.header.tag().0 == 5 && p.data.is_empty());
    if !null_params {
        return Err(X509Error::Invalid("RSA key missing NULL parameters".into()));
    }
    let bad = "RSA public key";
    let mut key = Reader::new(Reader::only(
        &spki.subject_public_key.data,
        der::SEQUENCE,
        bad,
    )?);
    let modulus = key.read(der::INTEGER, "RSA modulus")?;
    let exponent = der::integer(key.read(der::INTEGER, "RSA public exponent")?)?;
    if !positive_minimal(modulus) {
        return Err(X509Error::Invalid(
            "RSA modulus is not a positive number".into(),
        ));
    }
    if exponent <= 0 {
        return Err(X509Error::Invalid(
            "RSA public exponent is not a positive number".into(),
        ));
    }
    let n = BigUint::from_bytes_be(modulus).to_string();
    Ok(json!({"N": n, "E": int_json(exponent)}))
}

/// A minimally encoded INTEGER above zero.
fn positive_minimal(bytes: &[u8]) -> bool {
    match bytes {
        [] => false,
        [first, ..] if first & 0x80 != 0 => false,
        [0x00, next, ..] => next & 0x80 != 0,
        [0x00] => false,
        _ => true,
    }
}
