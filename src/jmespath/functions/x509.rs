//! Kyverno's `x509_decode` (jmespath.md §2.10): takes PEM text holding a certificate or a
//! certificate request with an RSA key and returns the JSON object Go's `encoding/json`
//! makes of `x509.Certificate` / `x509.CertificateRequest`, with `PublicKey` replaced by
//! `{N: <modulus as decimal text>, E: <exponent>}`.
//!
//! `x509-parser` reads the certificate structure; extension values are read here with a
//! small DER reader so each field follows Go's own parsing rules.

mod algorithm;
mod cert;
mod csr;
mod der;
mod extensions;
mod name;
mod pem;

use std::net::{Ipv4Addr, Ipv6Addr};

use data_encoding::BASE64;
use serde_json::Value;

use super::{FnError, Function, Types, str_arg};
use crate::value;

pub const FUNCTIONS: &[Function] = &[Function::plain(
    "x509_decode",
    &[Types::STRING],
    "object",
    "Decodes a PEM certificate or certificate request (RSA keys only) into Go's x509 object.",
    x509_decode,
)];

/// Why a PEM text cannot be decoded. The first three messages are Kyverno's; the others
/// stand for Go's `crypto/x509` parse errors (worded by nomos where Go's differ by case).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum X509Error {
    /// `x509_decode('xyz')`
    #[error("failed to decode PEM block")]
    NoPemBlock,
    /// A `PUBLIC KEY` or `PRIVATE KEY` block.
    #[error("PEM block neither contains a CERTIFICATE or CERTIFICATE REQUEST")]
    WrongBlockType,
    /// A certificate with an ECDSA or Ed25519 key.
    #[error("certificate should use rsa algorithm")]
    NotRsa,
    /// A structure that is not valid DER (names the structure).
    #[error("x509: malformed {0}")]
    Malformed(&'static str),
    /// A rule Go's parser enforces (full message).
    #[error("x509: {0}")]
    Invalid(String),
}

fn x509_decode(args: &[&Value]) -> Result<Value, FnError> {
    let text = str_arg(args, 0)?;
    decode(text).map_err(|e| FnError::Plain(e.to_string()))
}

fn decode(text: &str) -> Result<Value, X509Error> {
    let block = pem::decode(text).ok_or(X509Error::NoPemBlock)?;
    match block.kind.as_str() {
        "CERTIFICATE" => cert::to_json(&block.bytes),
        "CERTIFICATE REQUEST" => csr::to_json(&block.bytes),
        _ => Err(X509Error::WrongBlockType),
    }
}

// ---- Go JSON shapes shared by the submodules ----

/// `[]byte`: standard base64.
fn bytes_json(bytes: &[u8]) -> Value {
    Value::String(BASE64.encode(bytes))
}

/// A Go int.
fn int_json(n: i64) -> Value {
    // Go ints in these structures are small; as float64 they are exact up to 2^53.
    value::number(n as f64)
}

/// A Go slice: `null` when empty (Go leaves these slices nil).
fn list_json(items: Vec<Value>) -> Value {
    if items.is_empty() {
        Value::Null
    } else {
        Value::Array(items)
    }
}

/// A slice of strings (`null` when empty).
fn strings_json(items: &[String]) -> Value {
    list_json(items.iter().cloned().map(Value::String).collect())
}

/// `asn1.ObjectIdentifier`: an array of numbers.
fn oid_json(arcs: &[i64]) -> Value {
    Value::Array(arcs.iter().map(|a| int_json(*a)).collect())
}

/// `net.IP` text: dotted IPv4 (also for IPv4-mapped IPv6), RFC 5952 IPv6.
fn ip_text(bytes: &[u8]) -> String {
    if let Ok(v4) = <[u8; 4]>::try_from(bytes) {
        return Ipv4Addr::from(v4).to_string();
    }
    match <[u8; 16]>::try_from(bytes) {
        Ok(v6) => {
            let v6 = Ipv6Addr::from(v6);
            v6.to_ipv4_mapped()
                .map_or_else(|| v6.to_string(), |v4| v4.to_string())
        }
        Err(_) => format!("?{}", data_encoding::HEXLOWER.encode(bytes)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_text_follows_go() {
        assert_eq!(ip_text(&[10, 0, 0, 1]), "10.0.0.1");
        let mut mapped = [0u8; 16];
        mapped[10] = 0xff;
        mapped[11] = 0xff;
        mapped[12..].copy_from_slice(&[1, 2, 3, 4]);
        assert_eq!(ip_text(&mapped), "1.2.3.4");
        let mut v6 = [0u8; 16];
        v6[0] = 0x20;
        v6[1] = 0x01;
        v6[15] = 1;
        assert_eq!(ip_text(&v6), "2001::1");
    }
}
