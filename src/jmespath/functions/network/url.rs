//! Go's `net/url.Parse`: takes a URL string and returns its parts exactly as Go splits
//! them (scheme, userinfo, host with port, path, query, fragment), or Go's error.
//!
//! Written here rather than taken from the `url` crate on purpose: that crate follows the
//! WHATWG URL standard, which normalises (lower-cases and IDNA-maps hosts, resolves dot
//! segments, treats `\` as `/`, rejects or rewrites inputs Go keeps verbatim), while Kyverno
//! sees exactly what Go's lenient RFC 3986 split gives. `is_external_url` depends on the
//! host Go extracts and `x509_decode` prints Go's URL struct for certificate URIs.

use std::fmt;
use std::net::Ipv6Addr;

use serde_json::{Map, Value};

/// A parsed URL, field for field Go's `url.URL`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Url {
    pub scheme: String,
    pub opaque: String,
    /// Whether a userinfo part (`user:pass@`) was present.
    pub has_user: bool,
    /// Host with its port, brackets kept: `[::1]:80`.
    pub host: String,
    pub path: String,
    pub raw_path: String,
    pub omit_host: bool,
    pub force_query: bool,
    pub raw_query: String,
    pub fragment: String,
    pub raw_fragment: String,
}

/// Why Go's parser rejects a URL; the message is Go's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    ControlCharacter,
    MissingScheme,
    ColonInFirstSegment,
    InvalidUserinfo,
    MissingBracket,
    InvalidPort(String),
    /// Brackets around something other than an IPv6 address.
    InvalidIpLiteral(String),
    /// A malformed `%XX`, or an escaped ASCII byte in a host.
    Escape(String),
    InvalidHostCharacter(char),
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::ControlCharacter => f.write_str("net/url: invalid control character in URL"),
            Reason::MissingScheme => f.write_str("missing protocol scheme"),
            Reason::ColonInFirstSegment => {
                f.write_str("first path segment in URL cannot contain colon")
            }
            Reason::InvalidUserinfo => f.write_str("net/url: invalid userinfo"),
            Reason::MissingBracket => f.write_str("missing ']' in host"),
            Reason::InvalidPort(port) => write!(f, "invalid port {} after host", quote(port)),
            Reason::InvalidIpLiteral(host) => write!(f, "invalid IP-literal {}", quote(host)),
            Reason::Escape(text) => write!(f, "invalid URL escape {}", quote(text)),
            Reason::InvalidHostCharacter(c) => {
                write!(
                    f,
                    "invalid character {} in host name",
                    quote(&c.to_string())
                )
            }
        }
    }
}

/// A rejected URL: Go prints `parse "<url>": <reason>`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("parse {}: {reason}", quote(.url))]
pub struct UrlError {
    pub url: String,
    pub reason: Reason,
}

impl Url {
    /// Parses like Go's `url.Parse`.
    pub fn parse(raw: &str) -> Result<Url, UrlError> {
        let (before, fragment) = match raw.split_once('#') {
            Some((b, f)) => (b, Some(f)),
            None => (raw, None),
        };
        let fail = |url: &str| {
            let url = url.to_string();
            move |reason| UrlError { url, reason }
        };
        let mut url = parse_without_fragment(before).map_err(fail(before))?;
        if let Some(fragment) = fragment.filter(|f| !f.is_empty()) {
            let (decoded, raw_form) =
                decode_with_raw(fragment, Mode::Fragment).map_err(fail(raw))?;
            url.fragment = decoded;
            url.raw_fragment = raw_form;
        }
        Ok(url)
    }

    /// The host without port or IPv6 brackets, as Go's `URL.Hostname()`.
    pub fn hostname(&self) -> &str {
        let host = match self.host.rfind(':') {
            Some(colon) if valid_optional_port(&self.host[colon..]) => &self.host[..colon],
            _ => self.host.as_str(),
        };
        host.strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host)
    }

    /// Go's JSON encoding of the `url.URL` struct (a struct, not a string: Go's URL has no
    /// text marshaller). The userinfo has only private fields, so it shows as `{}`.
    pub fn to_go_json(&self) -> Value {
        let text = |s: &str| Value::String(s.to_string());
        let user = if self.has_user {
            Value::Object(Map::new())
        } else {
            Value::Null
        };
        let fields = [
            ("Scheme", text(&self.scheme)),
            ("Opaque", text(&self.opaque)),
            ("User", user),
            ("Host", text(&self.host)),
            ("Path", text(&self.path)),
            ("RawPath", text(&self.raw_path)),
            ("OmitHost", Value::Bool(self.omit_host)),
            ("ForceQuery", Value::Bool(self.force_query)),
            ("RawQuery", text(&self.raw_query)),
            ("Fragment", text(&self.fragment)),
            ("RawFragment", text(&self.raw_fragment)),
        ];
        Value::Object(
            fields
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        )
    }
}

fn parse_without_fragment(raw: &str) -> Result<Url, Reason> {
    if raw.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return Err(Reason::ControlCharacter);
    }
    let mut url = Url::default();
    if raw == "*" {
        url.path = "*".to_string();
        return Ok(url);
    }
    let (scheme, rest) = split_scheme(raw)?;
    url.scheme = scheme.to_ascii_lowercase();
    let mut rest = split_query(&mut url, rest);
    if !rest.starts_with('/') {
        if !url.scheme.is_empty() {
            url.opaque = rest.to_string();
            return Ok(url);
        }
        let first_segment = rest.split('/').next().unwrap_or_default();
        if first_segment.contains(':') {
            return Err(Reason::ColonInFirstSegment);
        }
    }
    let authority_follows = url.scheme.is_empty() && !rest.starts_with("///");
    if (!url.scheme.is_empty() || authority_follows) && rest.starts_with("//") {
        let after = &rest[2..];
        let (authority, path) = after.split_at(after.find('/').unwrap_or(after.len()));
        parse_authority(&mut url, authority)?;
        rest = path;
    } else if !url.scheme.is_empty() && rest.starts_with('/') {
        url.omit_host = true;
    }
    let (path, raw_path) = decode_with_raw(rest, Mode::Path)?;
    url.path = path;
    url.raw_path = raw_path;
    Ok(url)
}

/// Splits a leading `scheme:`; a string whose first non-letter is not `:` has no scheme.
fn split_scheme(raw: &str) -> Result<(&str, &str), Reason> {
    for (i, b) in raw.bytes().enumerate() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' if i > 0 => {}
            b':' if i == 0 => return Err(Reason::MissingScheme),
            b':' => return Ok((&raw[..i], &raw[i + 1..])),
            _ => return Ok(("", raw)),
        }
    }
    Ok(("", raw))
}

/// Stores the query and returns what precedes it; a lone trailing `?` forces an empty query.
fn split_query<'a>(url: &mut Url, rest: &'a str) -> &'a str {
    if rest.ends_with('?') && rest.matches('?').count() == 1 {
        url.force_query = true;
        return &rest[..rest.len() - 1];
    }
    match rest.split_once('?') {
        Some((before, query)) => {
            url.raw_query = query.to_string();
            before
        }
        None => rest,
    }
}

fn parse_authority(url: &mut Url, authority: &str) -> Result<(), Reason> {
    let (userinfo, host) = match authority.rfind('@') {
        Some(at) => (Some(&authority[..at]), &authority[at + 1..]),
        None => (None, authority),
    };
    url.host = parse_host(host)?;
    if let Some(userinfo) = userinfo {
        if !userinfo.chars().all(valid_userinfo_char) {
            return Err(Reason::InvalidUserinfo);
        }
        for part in userinfo.splitn(2, ':') {
            unescape(part, Mode::UserPassword)?;
        }
        url.has_user = true;
    }
    Ok(())
}

fn valid_userinfo_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._:~!$&'()*+,;=%@".contains(c)
}

fn parse_host(host: &str) -> Result<String, Reason> {
    if host.starts_with('[') {
        return parse_bracketed_host(host);
    }
    if let Some(colon) = host.rfind(':') {
        check_port(&host[colon..])?;
    }
    unescape(host, Mode::Host)
}

/// `[IPv6]` or `[IPv6%25zone]`, optionally followed by `:port`. Only an IPv6 address may
/// stand in brackets (RFC 3986; Go enforces it since its 2025 security fix).
fn parse_bracketed_host(host: &str) -> Result<String, Reason> {
    let close = host.rfind(']').ok_or(Reason::MissingBracket)?;
    check_port(&host[close + 1..])?;
    let inner = &host[1..close];
    let (address, zone) = match inner.find("%25") {
        Some(at) => (&inner[..at], Some(&inner[at..])),
        None => (inner, None),
    };
    if address.parse::<Ipv6Addr>().is_err() {
        return Err(Reason::InvalidIpLiteral(inner.to_string()));
    }
    let mut out = format!("[{}", unescape(address, Mode::Host)?);
    if let Some(zone) = zone {
        out.push_str(&unescape(zone, Mode::Zone)?);
    }
    out.push_str(&unescape(&host[close..], Mode::Host)?);
    Ok(out)
}

fn check_port(colon_port: &str) -> Result<(), Reason> {
    if valid_optional_port(colon_port) {
        Ok(())
    } else {
        Err(Reason::InvalidPort(colon_port.to_string()))
    }
}

/// Empty, or `:` followed by digits only (possibly none).
fn valid_optional_port(port: &str) -> bool {
    port.is_empty()
        || port
            .strip_prefix(':')
            .is_some_and(|digits| digits.bytes().all(|b| b.is_ascii_digit()))
}

/// The URL parts whose escaping rules differ.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Path,
    Host,
    Zone,
    UserPassword,
    Fragment,
}

/// Decodes `%XX` escapes and also returns the raw form when Go would keep it (only when
/// re-escaping the decoded text would not give the input back).
fn decode_with_raw(raw: &str, mode: Mode) -> Result<(String, String), Reason> {
    let decoded = unescape(raw, mode)?;
    let raw_form = if escape(&decoded, mode) == raw {
        String::new()
    } else {
        raw.to_string()
    };
    Ok((decoded, raw_form))
}

fn unescape(s: &str, mode: Mode) -> Result<String, Reason> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(percent_byte(s, i, mode)?);
            i += 3;
            continue;
        }
        let b = bytes[i];
        if matches!(mode, Mode::Host | Mode::Zone) && b < 0x80 && should_escape(b, mode) {
            return Err(Reason::InvalidHostCharacter(char::from(b)));
        }
        out.push(b);
        i += 1;
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// The byte a `%XX` at `i` stands for, with Go's host and zone restrictions.
fn percent_byte(s: &str, i: usize, mode: Mode) -> Result<u8, Reason> {
    let bytes = s.as_bytes();
    let hex = |at: usize| bytes.get(at).and_then(|b| char::from(*b).to_digit(16));
    let (Some(high), Some(low)) = (hex(i + 1), hex(i + 2)) else {
        let end = s.len().min(i + 3);
        return Err(Reason::Escape(s.get(i..end).unwrap_or("%").to_string()));
    };
    // Both digits are below 16, so the value fits a byte.
    let value = (high * 16 + low) as u8;
    let text = &s[i..i + 3];
    let is_percent = text == "%25";
    let host_ascii = mode == Mode::Host && high < 8 && !is_percent;
    let zone_bad =
        mode == Mode::Zone && !is_percent && value != b' ' && should_escape(value, Mode::Host);
    if host_ascii || zone_bad {
        return Err(Reason::Escape(text.to_string()));
    }
    Ok(value)
}

fn escape(s: &str, mode: Mode) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if should_escape(b, mode) {
            out.push_str(&format!("%{b:02X}"));
        } else {
            out.push(char::from(b));
        }
    }
    out
}

/// Go's `shouldEscape` for the modes this parser uses.
fn should_escape(c: u8, mode: Mode) -> bool {
    if c.is_ascii_alphanumeric() {
        return false;
    }
    let host_like = matches!(mode, Mode::Host | Mode::Zone);
    if host_like && b"!$&'()*+,;=:[]<>\"".contains(&c) {
        return false;
    }
    match c {
        b'-' | b'_' | b'.' | b'~' => false,
        b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'?' | b'@' => match mode {
            Mode::Path => c == b'?',
            Mode::UserPassword => matches!(c, b'@' | b'/' | b'?' | b':'),
            Mode::Fragment => false,
            Mode::Host | Mode::Zone => true,
        },
        b'!' | b'(' | b')' | b'*' if mode == Mode::Fragment => false,
        _ => true,
    }
}

/// Go's `%q` for the strings these errors quote.
pub fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests;
