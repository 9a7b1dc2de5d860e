//! Kyverno's network function (jmespath.md §2.10): takes a URL string and returns whether
//! its host is an external address, reading the host as Go's `net/url` does.
//!
//! Kyverno resolves a host name with DNS and reports it internal when any address is
//! loopback or private. nomos evaluates offline and deterministically, so it never
//! resolves: `localhost` and names under `.localhost` (which always resolve to loopback)
//! are internal, and any other name is an error saying resolution is disabled, rather than
//! a guess that could silently differ from the cluster's answer.

pub mod url;

use std::net::IpAddr;

use serde_json::Value;

use super::{FnError, Function, Types, str_arg};
use url::Url;

pub const FUNCTIONS: &[Function] = &[Function::plain(
    "is_external_url",
    &[Types::STRING],
    "boolean",
    "Whether a URL's host is outside loopback and private ranges (IP hosts and localhost only; DNS is not resolved).",
    is_external_url,
)];

fn is_external_url(args: &[&Value]) -> Result<Value, FnError> {
    let raw = str_arg(args, 0)?;
    let url = Url::parse(raw).map_err(|e| FnError::Plain(e.to_string()))?;
    is_external_host(url.hostname()).map(Value::Bool)
}

/// Go's `net.ParseIP` accepts what `IpAddr` parses: dotted IPv4 without leading zeros,
/// IPv6 without a zone.
fn is_external_host(host: &str) -> Result<bool, FnError> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(!is_internal(ip));
    }
    if host.is_empty() {
        // Go's resolver rejects an empty name before any lookup.
        return Err(FnError::Plain("lookup : no such host".into()));
    }
    if is_localhost(host) {
        return Ok(false);
    }
    Err(FnError::Plain(format!(
        "lookup {host}: DNS resolution is disabled in nomos (offline evaluation); only IP addresses and localhost can be classified"
    )))
}

/// Loopback or private, as Go's `IP.IsLoopback` and `IP.IsPrivate` (an IPv4-mapped IPv6
/// address is judged as its IPv4 address). Link-local and unspecified addresses are not
/// internal.
fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_internal(IpAddr::V4(v4)),
            None => v6.is_loopback() || (v6.octets()[0] & 0xfe) == 0xfc,
        },
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            a == 127 || a == 10 || (a == 172 && (b & 0xf0) == 16) || (a == 192 && b == 168)
        }
    }
}

/// `localhost`, `LOCALHOST.`, `api.localhost`: names reserved for loopback (RFC 6761).
fn is_localhost(host: &str) -> bool {
    let name = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
    name == "localhost" || name.ends_with(".localhost")
}
