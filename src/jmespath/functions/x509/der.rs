//! A minimal DER reader: takes encoded bytes and yields tag/content pairs, object
//! identifiers and small integers, following the strict rules Go's certificate parser
//! applies to extension values.

use super::X509Error;

pub const BOOLEAN: u8 = 0x01;
pub const INTEGER: u8 = 0x02;
pub const BIT_STRING: u8 = 0x03;
pub const OCTET_STRING: u8 = 0x04;
pub const OID: u8 = 0x06;
pub const SEQUENCE: u8 = 0x30;
pub const SET: u8 = 0x31;

/// A context-specific primitive tag `[n]`.
pub const fn context(n: u8) -> u8 {
    0x80 | n
}

/// A context-specific constructed tag `[n]`.
pub const fn context_constructed(n: u8) -> u8 {
    0xa0 | n
}

/// One element: its tag byte, its content, and its whole encoding.
#[derive(Clone, Copy, Debug)]
pub struct Tlv<'a> {
    pub tag: u8,
    pub content: &'a [u8],
    pub full: &'a [u8],
}

/// Reads consecutive elements from a byte slice.
#[derive(Clone, Copy, Debug)]
pub struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { rest: bytes }
    }

    pub fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    pub fn peek_tag(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    /// Reads any element.
    pub fn read_any(&mut self, what: &'static str) -> Result<Tlv<'a>, X509Error> {
        let bad = || X509Error::Malformed(what);
        let (&tag, after_tag) = self.rest.split_first().ok_or_else(bad)?;
        if tag & 0x1f == 0x1f {
            return Err(bad());
        }
        let (len, header) = read_length(after_tag).ok_or_else(bad)?;
        let start = 1 + header;
        let end = start
            .checked_add(len)
            .filter(|e| *e <= self.rest.len())
            .ok_or_else(bad)?;
        let tlv = Tlv {
            tag,
            content: &self.rest[start..end],
            full: &self.rest[..end],
        };
        self.rest = &self.rest[end..];
        Ok(tlv)
    }

    /// Reads an element that must carry `tag`; returns its content.
    pub fn read(&mut self, tag: u8, what: &'static str) -> Result<&'a [u8], X509Error> {
        let tlv = self.read_any(what)?;
        if tlv.tag == tag {
            Ok(tlv.content)
        } else {
            Err(X509Error::Malformed(what))
        }
    }

    /// Reads an element with `tag` if the next one has it.
    pub fn read_optional(
        &mut self,
        tag: u8,
        what: &'static str,
    ) -> Result<Option<&'a [u8]>, X509Error> {
        if self.peek_tag() == Some(tag) {
            self.read(tag, what).map(Some)
        } else {
            Ok(None)
        }
    }

    /// The content of a single `tag` element filling the whole input.
    pub fn only(bytes: &'a [u8], tag: u8, what: &'static str) -> Result<&'a [u8], X509Error> {
        let mut reader = Reader::new(bytes);
        let content = reader.read(tag, what)?;
        if reader.is_empty() {
            Ok(content)
        } else {
            Err(X509Error::Malformed(what))
        }
    }
}

/// A definite length in minimal form: `(length, bytes used)`.
fn read_length(bytes: &[u8]) -> Option<(usize, usize)> {
    let (&first, rest) = bytes.split_first()?;
    if first < 0x80 {
        return Some((usize::from(first), 1));
    }
    let count = usize::from(first & 0x7f);
    if count == 0 || count > 4 || rest.len() < count || rest[0] == 0 {
        return None;
    }
    let len = rest[..count]
        .iter()
        .fold(0usize, |acc, b| acc << 8 | usize::from(*b));
    (len >= 0x80).then_some((len, 1 + count))
}

/// The arcs of an object identifier; Go refuses arcs beyond 31 bits.
pub fn oid_arcs(content: &[u8]) -> Result<Vec<i64>, X509Error> {
    let bad = || X509Error::Malformed("object identifier");
    let mut values = Vec::new();
    let mut current: i64 = 0;
    let mut started = false;
    for &b in content {
        if !started && b == 0x80 {
            return Err(bad());
        }
        current = current << 7 | i64::from(b & 0x7f);
        started = b & 0x80 != 0;
        if current > i64::from(i32::MAX) {
            return Err(bad());
        }
        if !started {
            values.push(current);
            current = 0;
        }
    }
    let (&first, rest) = values.split_first().filter(|_| !started).ok_or_else(bad)?;
    let top = (first / 40).min(2);
    let mut arcs = vec![top, first - top * 40];
    arcs.extend_from_slice(rest);
    Ok(arcs)
}

/// Dotted text of an object identifier (Go's `x509.OID` text form).
pub fn oid_text(arcs: &[i64]) -> String {
    arcs.iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

/// A DER INTEGER that fits an `i64`.
pub fn integer(content: &[u8]) -> Result<i64, X509Error> {
    let bad = || X509Error::Malformed("integer");
    let minimal = match content {
        [] => false,
        [0x00, next, ..] => next & 0x80 != 0,
        [0xff, next, ..] => next & 0x80 == 0,
        _ => true,
    };
    if !minimal || content.len() > 8 {
        return Err(bad());
    }
    let negative = content[0] & 0x80 != 0;
    let start: i64 = if negative { -1 } else { 0 };
    Ok(content
        .iter()
        .fold(start, |acc, b| acc << 8 | i64::from(*b)))
}

/// A DER BOOLEAN (one byte, 0x00 or 0xff).
pub fn boolean(content: &[u8]) -> Result<bool, X509Error> {
    match content {
        [0x00] => Ok(false),
        [0xff] => Ok(true),
        _ => Err(X509Error::Malformed("boolean")),
    }
}

/// A BIT STRING's bits as `(bytes, bit length)`; unused trailing bits must be zero.
pub fn bit_string(content: &[u8]) -> Result<(&[u8], usize), X509Error> {
    let bad = || X509Error::Malformed("bit string");
    let (&unused, bytes) = content.split_first().ok_or_else(bad)?;
    let last_ok = bytes
        .last()
        .is_none_or(|b| b & ((1u8 << unused.min(7)) - 1) == 0);
    if unused > 7 || (bytes.is_empty() && unused != 0) || !last_ok {
        return Err(bad());
    }
    Ok((bytes, bytes.len() * 8 - usize::from(unused)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oids_decode_to_arcs() {
        assert_eq!(oid_arcs(&[0x55, 0x1d, 0x0f]).ok(), Some(vec![2, 5, 29, 15]));
        let server_auth = [0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01];
        assert_eq!(
            oid_text(&oid_arcs(&server_auth).unwrap_or_default()),
            "1.3.6.1.5.5.7.3.1"
        );
        assert!(oid_arcs(&[0x55, 0x80, 0x01]).is_err());
        assert!(oid_arcs(&[0x55, 0x81]).is_err());
    }

    #[test]
    fn integers_are_minimal_and_signed() {
        assert_eq!(integer(&[0x00, 0x80]).ok(), Some(128));
        assert_eq!(integer(&[0xff]).ok(), Some(-1));
        assert!(integer(&[0x00, 0x01]).is_err());
        assert!(integer(&[]).is_err());
    }

    #[test]
    fn long_lengths_must_be_minimal() {
        let mut long = vec![0x04, 0x81, 0x80];
        long.extend(std::iter::repeat_n(0u8, 128));
        assert_eq!(
            Reader::new(&long)
                .read(OCTET_STRING, "t")
                .map(<[u8]>::len)
                .ok(),
            Some(128)
        );
        assert!(
            Reader::new(&[0x04, 0x81, 0x01, 0x00])
                .read(OCTET_STRING, "t")
                .is_err()
        );
    }
}
