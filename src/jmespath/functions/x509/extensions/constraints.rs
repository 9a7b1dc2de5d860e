//! The name constraints extension: takes its value and returns Go's `Permitted*` and
//! `Excluded*` fields (DNS domains, IP ranges, email addresses, URI domains).

use serde_json::{Map, Value};

use super::super::{X509Error, bytes_json, ip_text, list_json, strings_json};
use super::{DNS_TAG, EMAIL_TAG, IP_TAG, URI_TAG, der, valid_domain};
use der::Reader;

/// The constraints of one kind of subtree (permitted or excluded).
#[derive(Default)]
struct Subtrees {
    dns: Vec<String>,
    ip_ranges: Vec<Value>,
    emails: Vec<String>,
    uri_domains: Vec<String>,
}

#[derive(Default)]
pub struct NameConstraints {
    critical: bool,
    permitted: Subtrees,
    excluded: Subtrees,
}

const BAD: &str = "NameConstraints extension";

impl NameConstraints {
    /// Parses the extension; says whether every constraint was of a kind Go handles.
    pub fn parse(&mut self, value: &[u8], critical: bool) -> Result<bool, X509Error> {
        let mut top = Reader::new(Reader::only(value, der::SEQUENCE, BAD)?);
        let permitted = top.read_optional(der::context_constructed(0), BAD)?;
        let excluded = top.read_optional(der::context_constructed(1), BAD)?;
        if !top.is_empty() {
            return Err(X509Error::Malformed(BAD));
        }
        let empty = |s: Option<&[u8]>| s.is_none_or(<[u8]>::is_empty);
        if empty(permitted) && empty(excluded) {
            return Err(X509Error::Invalid(
                "empty name constraints extension".into(),
            ));
        }
        let permitted_handled = self.permitted.parse(permitted.unwrap_or_default())?;
        let excluded_handled = self.excluded.parse(excluded.unwrap_or_default())?;
        self.critical = critical;
        Ok(permitted_handled && excluded_handled)
    }

    pub fn insert_into(self, object: &mut Map<String, Value>) {
        object.insert(
            "PermittedDNSDomainsCritical".into(),
            Value::Bool(self.critical),
        );
        for (prefix, subtrees) in [("Permitted", self.permitted), ("Excluded", self.excluded)] {
            object.insert(format!("{prefix}DNSDomains"), strings_json(&subtrees.dns));
            object.insert(format!("{prefix}IPRanges"), list_json(subtrees.ip_ranges));
            object.insert(
                format!("{prefix}EmailAddresses"),
                strings_json(&subtrees.emails),
            );
            object.insert(
                format!("{prefix}URIDomains"),
                strings_json(&subtrees.uri_domains),
            );
        }
    }
}

impl Subtrees {
    /// Reads `GeneralSubtree`s; says whether all had a base name kind Go handles.
    fn parse(&mut self, bytes: &[u8]) -> Result<bool, X509Error> {
        let mut handled = true;
        let mut reader = Reader::new(bytes);
        while !reader.is_empty() {
            let base = Reader::new(reader.read(der::SEQUENCE, BAD)?).read_any(BAD)?;
            let text = || ia5_constraint(base.content);
            match base.tag {
                DNS_TAG => self.dns.push(domain_constraint(text()?, "dnsName")?),
                IP_TAG => self.ip_ranges.push(ip_range(base.content)?),
                EMAIL_TAG => self.emails.push(email_constraint(text()?)?),
                URI_TAG => self.uri_domains.push(uri_constraint(text()?)?),
                _ => handled = false,
            }
        }
        Ok(handled)
    }
}

fn ia5_constraint(content: &[u8]) -> Result<String, X509Error> {
    match std::str::from_utf8(content) {
        Ok(text) if text.is_ascii() => Ok(text.to_string()),
        _ => Err(X509Error::Invalid(
            "invalid constraint value: not an IA5String".into(),
        )),
    }
}

/// A domain, optionally with a leading `.` (subdomains only).
fn domain_constraint(domain: String, kind: &str) -> Result<String, X509Error> {
    let trimmed = domain.strip_prefix('.').unwrap_or(&domain);
    if valid_domain(trimmed) {
        Ok(domain)
    } else {
        Err(X509Error::Invalid(format!(
            "failed to parse {kind} constraint {domain:?}"
        )))
    }
}

/// A mailbox (`user@host`) or a domain.
fn email_constraint(constraint: String) -> Result<String, X509Error> {
    let Some((local, domain)) = constraint.rsplit_once('@') else {
        return domain_constraint(constraint, "rfc822Name");
    };
    if local.is_empty() || domain.is_empty() || !valid_domain(domain) {
        return Err(X509Error::Invalid(format!(
            "failed to parse rfc822Name constraint {constraint:?}"
        )));
    }
    Ok(constraint)
}

fn uri_constraint(domain: String) -> Result<String, X509Error> {
    if domain.parse::<std::net::IpAddr>().is_ok() {
        return Err(X509Error::Invalid(format!(
            "failed to parse URI constraint {domain:?}: cannot be IP address"
        )));
    }
    domain_constraint(domain, "URI")
}

/// Go's `net.IPNet` JSON: `{IP: text, Mask: base64}`.
fn ip_range(content: &[u8]) -> Result<Value, X509Error> {
    let half = match content.len() {
        8 => 4,
        32 => 16,
        n => {
            return Err(X509Error::Invalid(format!(
                "IP constraint contained value of length {n}"
            )));
        }
    };
    let (ip, mask) = content.split_at(half);
    if !is_prefix_mask(mask) {
        let hex = data_encoding::HEXLOWER.encode(mask);
        return Err(X509Error::Invalid(format!(
            "IP constraint contained invalid mask {hex}"
        )));
    }
    Ok(serde_json::json!({"IP": ip_text(ip), "Mask": bytes_json(mask)}))
}

/// Ones followed only by zeros.
fn is_prefix_mask(mask: &[u8]) -> bool {
    let bits = mask
        .iter()
        .flat_map(|b| (0..8).rev().map(move |i| b >> i & 1));
    let mut seen_zero = false;
    for bit in bits {
        if bit == 1 && seen_zero {
            return false;
        }
        seen_zero |= bit == 0;
    }
    true
}
