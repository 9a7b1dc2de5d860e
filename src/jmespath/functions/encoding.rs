//! Kyverno's encoding, hashing and path functions (jmespath.md §2.6): a string in, its
//! base64 form, decoded text, lowercase hex digest or lexically cleaned path out.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::{DecodeError, alphabet};
use md5::Md5;
use serde_json::Value;
use sha1::Sha1;
use sha2::{Digest, Sha256};

use super::{FnError, Function, Types, str_arg};

const STR: Types = Types::STRING;

const fn row(
    name: &'static str,
    returns: &'static str,
    note: &'static str,
    body: fn(&[&Value]) -> Result<Value, FnError>,
) -> Function {
    Function::plain(name, &[STR], returns, note, body)
}

pub const FUNCTIONS: &[Function] = &[
    row(
        "base64_decode",
        "string",
        "Standard padded base64 (CR and LF skipped, nonzero trailing bits allowed as in Go); invalid UTF-8 becomes U+FFFD per byte.",
        base64_decode,
    ),
    row(
        "base64_encode",
        "string",
        "Standard padded base64 of the UTF-8 bytes.",
        base64_encode,
    ),
    row(
        "sha256",
        "string",
        "Lowercase hex SHA-256 of the UTF-8 bytes.",
        sha256,
    ),
    row(
        "sha1",
        "string",
        "Lowercase hex SHA-1 of the UTF-8 bytes.",
        sha1,
    ),
    row(
        "md5",
        "string",
        "Lowercase hex MD5 of the UTF-8 bytes.",
        md5,
    ),
    row(
        "path_canonicalize",
        "string",
        "Go filepath.Join on Linux: lexical cleaning; '' stays ''.",
        path_canonicalize,
    ),
];

/// Go's `base64.StdEncoding`: padding required, but bits past the last byte are not
/// checked (Go's encoding is not `Strict`).
const GO_STD: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
);

fn string(s: String) -> Result<Value, FnError> {
    Ok(Value::String(s))
}

fn base64_decode(args: &[&Value]) -> Result<Value, FnError> {
    let input = str_arg(args, 0)?;
    // Go's decoder skips CR and LF wherever they occur.
    let kept: Vec<(usize, u8)> = input
        .bytes()
        .enumerate()
        .filter(|(_, b)| *b != b'\r' && *b != b'\n')
        .collect();
    let symbols: Vec<u8> = kept.iter().map(|(_, b)| *b).collect();
    match GO_STD.decode(&symbols) {
        Ok(bytes) => string(go_lossy_utf8(&bytes)),
        Err(e) => {
            let at = |i: usize| kept.get(i).map_or(input.len(), |(pos, _)| *pos);
            // Go passes this error through without the function prefix.
            Err(FnError::Plain(format!(
                "illegal base64 data at input byte {}",
                at(error_offset(&e, symbols.len()))
            )))
        }
    }
}

/// Where Go reports a decoding error, as an index into the symbols (CR and LF removed).
fn error_offset(error: &DecodeError, len: usize) -> usize {
    match *error {
        DecodeError::InvalidByte(offset, _) => offset,
        DecodeError::InvalidLastSymbol { offset, .. } => offset,
        // Go names the start of the incomplete last quantum.
        DecodeError::InvalidLength(_) | DecodeError::InvalidPadding => len / 4 * 4,
    }
}

/// Bytes as text the way Go's JSON encoder repairs them: one U+FFFD per invalid byte.
fn go_lossy_utf8(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        out.extend(chunk.invalid().iter().map(|_| char::REPLACEMENT_CHARACTER));
    }
    out
}

fn base64_encode(args: &[&Value]) -> Result<Value, FnError> {
    string(GO_STD.encode(str_arg(args, 0)?))
}

fn hex_digest<D: Digest>(args: &[&Value]) -> Result<Value, FnError> {
    let digest = D::digest(str_arg(args, 0)?.as_bytes());
    string(digest.iter().map(|b| format!("{b:02x}")).collect())
}

fn sha256(args: &[&Value]) -> Result<Value, FnError> {
    hex_digest::<Sha256>(args)
}

fn sha1(args: &[&Value]) -> Result<Value, FnError> {
    hex_digest::<Sha1>(args)
}

fn md5(args: &[&Value]) -> Result<Value, FnError> {
    hex_digest::<Md5>(args)
}

fn path_canonicalize(args: &[&Value]) -> Result<Value, FnError> {
    string(join(str_arg(args, 0)?))
}

/// Go `filepath.Join(p)` on Linux: `""` for an empty path, otherwise `filepath.Clean`.
fn join(path: &str) -> String {
    if path.is_empty() {
        return String::new();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            // `..` above the root is dropped; a relative path keeps it.
            ".." if rooted => {}
            _ => parts.push(segment),
        }
    }
    let body = parts.join("/");
    match (rooted, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".to_string(),
        (false, false) => body,
    }
}

#[cfg(test)]
mod tests {
    use super::join;

    #[test]
    fn join_cleans_like_go() {
        // Go path/filepath Clean semantics (jmespath.md §2.6).
        assert_eq!(join("a/../.."), "..");
        assert_eq!(join("./"), ".");
        assert_eq!(join("../a/.."), "..");
        assert_eq!(join("a//b/./c/"), "a/b/c");
        assert_eq!(join("/../x"), "/x");
    }
}
