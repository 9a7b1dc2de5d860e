//! Certificate extensions: takes the raw extensions of a certificate and returns the Go
//! `x509.Certificate` fields they set (key usage, basic constraints, names, key ids,
//! access URLs, policies, name constraints), each read as Go's parser reads it.

mod constraints;
mod policies;

use serde_json::{Map, Value};

use super::super::network::url::{self as network_url, Url};
use super::{X509Error, bytes_json, der, int_json, ip_text, list_json, oid_json, strings_json};
use der::Reader;

/// One extension as the certificate carries it.
pub struct Extension<'a> {
    pub arcs: Vec<i64>,
    pub critical: bool,
    pub value: &'a [u8],
}

/// `[]pkix.Extension` JSON: `{Id, Critical, Value}` per extension, `null` when none.
pub fn list_to_json(extensions: &[Extension<'_>]) -> Value {
    list_json(
        extensions
            .iter()
            .map(|e| {
                serde_json::json!({
                    "Id": oid_json(&e.arcs),
                    "Critical": e.critical,
                    "Value": bytes_json(e.value),
                })
            })
            .collect(),
    )
}

/// Subject alternative names, as `DNSNames`, `EmailAddresses`, `IPAddresses`, `URIs`.
#[derive(Default)]
pub struct AltNames {
    pub dns: Vec<String>,
    pub email: Vec<String>,
    pub ip: Vec<String>,
    pub uris: Vec<Value>,
}

impl AltNames {
    pub fn is_empty(&self) -> bool {
        self.dns.is_empty() && self.email.is_empty() && self.ip.is_empty() && self.uris.is_empty()
    }

    pub fn insert_into(self, object: &mut Map<String, Value>) {
        object.insert("DNSNames".into(), strings_json(&self.dns));
        object.insert("EmailAddresses".into(), strings_json(&self.email));
        object.insert("IPAddresses".into(), strings_json(&self.ip));
        object.insert("URIs".into(), list_json(self.uris));
    }
}

/// GeneralName tags Go reads (context-specific, primitive).
const EMAIL_TAG: u8 = der::context(1);
const DNS_TAG: u8 = der::context(2);
const URI_TAG: u8 = der::context(6);
const IP_TAG: u8 = der::context(7);

/// Parses a subjectAltName value; names of other kinds are skipped.
pub fn alt_names(value: &[u8]) -> Result<AltNames, X509Error> {
    let mut names = AltNames::default();
    let mut reader = Reader::new(Reader::only(
        value,
        der::SEQUENCE,
        "subject alternative names",
    )?);
    while !reader.is_empty() {
        let name = reader.read_any("subject alternative name")?;
        match name.tag {
            EMAIL_TAG => names
                .email
                .push(ia5(name.content, "SAN rfc822Name is malformed")?),
            DNS_TAG => names
                .dns
                .push(ia5(name.content, "SAN dNSName is malformed")?),
            URI_TAG => names.uris.push(uri_json(name.content)?),
            IP_TAG => names.ip.push(alt_name_ip(name.content)?),
            _ => {}
        }
    }
    Ok(names)
}

fn ia5(content: &[u8], message: &str) -> Result<String, X509Error> {
    if content.is_ascii() {
        Ok(String::from_utf8_lossy(content).into_owned())
    } else {
        Err(X509Error::Invalid(message.to_string()))
    }
}

/// A URI name: Go's `url.URL` struct; a host must be a plausible domain.
fn uri_json(content: &[u8]) -> Result<Value, X509Error> {
    let text = ia5(content, "SAN uniformResourceIdentifier is malformed")?;
    let quoted = network_url::quote(&text);
    let url = Url::parse(&text)
        .map_err(|e| X509Error::Invalid(format!("cannot parse URI {quoted}: {}", e.reason)))?;
    if !url.host.is_empty() && !valid_domain(&url.host) {
        return Err(X509Error::Invalid(format!(
            "cannot parse URI {quoted}: invalid domain"
        )));
    }
    Ok(url.to_go_json())
}

fn alt_name_ip(content: &[u8]) -> Result<String, X509Error> {
    match content.len() {
        4 | 16 => Ok(ip_text(content)),
        n => Err(X509Error::Invalid(format!(
            "cannot parse IP address of length {n}"
        ))),
    }
}

/// Go's domain check for names in certificates: dot-separated, non-empty labels of
/// printable ASCII, no trailing dot. The empty string passes.
pub fn valid_domain(domain: &str) -> bool {
    domain.is_empty()
        || domain
            .split('.')
            .all(|label| !label.is_empty() && label.bytes().all(|b| (33..=126).contains(&b)))
}

/// Go's `x509.Certificate` fields that come from extensions, at their zero values.
#[derive(Default)]
pub struct CertFields {
    key_usage: i64,
    basic_constraints_valid: bool,
    is_ca: bool,
    max_path_len: i64,
    max_path_len_zero: bool,
    subject_key_id: Option<Vec<u8>>,
    authority_key_id: Option<Vec<u8>>,
    ocsp_server: Vec<String>,
    issuing_certificate_url: Vec<String>,
    alt_names: AltNames,
    crl_distribution_points: Vec<String>,
    ext_key_usage: Vec<Value>,
    unknown_ext_key_usage: Vec<Value>,
    unhandled_critical: Vec<Value>,
    constraints: constraints::NameConstraints,
    policies: policies::Policies,
}

/// Reads every extension; unknown critical ones are listed as Go lists them.
pub fn process(extensions: &[Extension<'_>]) -> Result<CertFields, X509Error> {
    let mut fields = CertFields::default();
    for (i, extension) in extensions.iter().enumerate() {
        if extensions[..i].iter().any(|e| e.arcs == extension.arcs) {
            return Err(X509Error::Invalid(
                "certificate contains duplicate extensions".into(),
            ));
        }
        let handled = fields.apply(extension)?;
        if extension.critical && !handled {
            fields.unhandled_critical.push(oid_json(&extension.arcs));
        }
    }
    Ok(fields)
}

/// `1.3.6.1.5.5.7.1.1`, authority information access.
const AUTHORITY_INFO_ACCESS: &[i64] = &[1, 3, 6, 1, 5, 5, 7, 1, 1];

impl CertFields {
    /// Applies one extension; says whether Go counts it as handled.
    fn apply(&mut self, extension: &Extension<'_>) -> Result<bool, X509Error> {
        let value = extension.value;
        match extension.arcs.as_slice() {
            [2, 5, 29, 15] => self.key_usage = key_usage(value)?,
            [2, 5, 29, 19] => self.basic_constraints(value)?,
            [2, 5, 29, 17] => {
                self.alt_names = alt_names(value)?;
                return Ok(!self.alt_names.is_empty());
            }
            [2, 5, 29, 30] => return self.constraints.parse(value, extension.critical),
            [2, 5, 29, 31] => self.crl_distribution_points = crl_distribution_points(value)?,
            [2, 5, 29, 35] => self.authority_key_id = authority_key_id(value, extension.critical)?,
            [2, 5, 29, 37] => self.ext_key_usage(value)?,
            [2, 5, 29, 14] => {
                self.subject_key_id = Some(subject_key_id(value, extension.critical)?)
            }
            [2, 5, 29, 32 | 33 | 36 | 54] => self.policies.apply(&extension.arcs, value)?,
            [2, 5, 29, _] => return Ok(false),
            arcs if arcs == AUTHORITY_INFO_ACCESS => self.authority_info_access(value)?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn basic_constraints(&mut self, value: &[u8]) -> Result<(), X509Error> {
        let bad = "basic constraints";
        let mut reader = Reader::new(Reader::only(value, der::SEQUENCE, bad)?);
        let is_ca = reader
            .read_optional(der::BOOLEAN, bad)?
            .map(der::boolean)
            .transpose()?;
        let path_len = reader
            .read_optional(der::INTEGER, bad)?
            .map(der::integer)
            .transpose()?;
        self.basic_constraints_valid = true;
        self.is_ca = is_ca.unwrap_or(false);
        self.max_path_len = path_len.unwrap_or(-1);
        self.max_path_len_zero = self.max_path_len == 0;
        Ok(())
    }

    fn ext_key_usage(&mut self, value: &[u8]) -> Result<(), X509Error> {
        let mut reader = Reader::new(Reader::only(value, der::SEQUENCE, "extended key usages")?);
        while !reader.is_empty() {
            let arcs = der::oid_arcs(reader.read(der::OID, "extended key usages")?)?;
            match EXT_KEY_USAGES
                .iter()
                .position(|oid| *oid == arcs.as_slice())
            {
                Some(usage) => self.ext_key_usage.push(int_json(usage as i64)),
                None => self.unknown_ext_key_usage.push(oid_json(&arcs)),
            }
        }
        Ok(())
    }

    fn authority_info_access(&mut self, value: &[u8]) -> Result<(), X509Error> {
        let bad = "authority info access";
        let mut reader = Reader::new(Reader::only(value, der::SEQUENCE, bad)?);
        while !reader.is_empty() {
            let mut access = Reader::new(reader.read(der::SEQUENCE, bad)?);
            let method = der::oid_arcs(access.read(der::OID, bad)?)?;
            let Some(location) = access.read_optional(URI_TAG, bad)? else {
                continue;
            };
            let location = String::from_utf8_lossy(location).into_owned();
            match method.as_slice() {
                [1, 3, 6, 1, 5, 5, 7, 48, 1] => self.ocsp_server.push(location),
                [1, 3, 6, 1, 5, 5, 7, 48, 2] => self.issuing_certificate_url.push(location),
                _ => {}
            }
        }
        Ok(())
    }

    /// Adds the fields to a certificate object.
    pub fn insert_into(self, object: &mut Map<String, Value>) {
        let key_id = |id: Option<Vec<u8>>| id.map_or(Value::Null, |b| bytes_json(&b));
        let entries = [
            ("KeyUsage", int_json(self.key_usage)),
            (
                "BasicConstraintsValid",
                Value::Bool(self.basic_constraints_valid),
            ),
            ("IsCA", Value::Bool(self.is_ca)),
            ("MaxPathLen", int_json(self.max_path_len)),
            ("MaxPathLenZero", Value::Bool(self.max_path_len_zero)),
            ("SubjectKeyId", key_id(self.subject_key_id)),
            ("AuthorityKeyId", key_id(self.authority_key_id)),
            ("OCSPServer", strings_json(&self.ocsp_server)),
            (
                "IssuingCertificateURL",
                strings_json(&self.issuing_certificate_url),
            ),
            (
                "CRLDistributionPoints",
                strings_json(&self.crl_distribution_points),
            ),
            ("ExtKeyUsage", list_json(self.ext_key_usage)),
            ("UnknownExtKeyUsage", list_json(self.unknown_ext_key_usage)),
            (
                "UnhandledCriticalExtensions",
                list_json(self.unhandled_critical),
            ),
        ];
        object.extend(entries.into_iter().map(|(k, v)| (k.to_string(), v)));
        self.alt_names.insert_into(object);
        self.constraints.insert_into(object);
        self.policies.insert_into(object);
    }
}

/// Go's `ExtKeyUsage` values, indexed by their number.
const EXT_KEY_USAGES: &[&[i64]] = &[
    &[2, 5, 29, 37, 0],
    &[1, 3, 6, 1, 5, 5, 7, 3, 1],
    &[1, 3, 6, 1, 5, 5, 7, 3, 2],
    &[1, 3, 6, 1, 5, 5, 7, 3, 3],
    &[1, 3, 6, 1, 5, 5, 7, 3, 4],
    &[1, 3, 6, 1, 5, 5, 7, 3, 5],
    &[1, 3, 6, 1, 5, 5, 7, 3, 6],
    &[1, 3, 6, 1, 5, 5, 7, 3, 7],
    &[1, 3, 6, 1, 5, 5, 7, 3, 8],
    &[1, 3, 6, 1, 5, 5, 7, 3, 9],
    &[1, 3, 6, 1, 4, 1, 311, 10, 3, 3],
    &[2, 16, 840, 1, 113730, 4, 1],
    &[1, 3, 6, 1, 4, 1, 311, 2, 1, 22],
    &[1, 3, 6, 1, 4, 1, 311, 61, 1, 1],
];

/// Go's `KeyUsage` bit mask: bit `i` of the BIT STRING sets `1 << i`, for nine bits.
fn key_usage(value: &[u8]) -> Result<i64, X509Error> {
    let (bytes, bit_len) = der::bit_string(Reader::only(value, der::BIT_STRING, "key usage")?)?;
    let bit = |i: usize| i < bit_len && bytes[i / 8] >> (7 - i % 8) & 1 == 1;
    Ok((0..9)
        .filter(|i| bit(*i))
        .fold(0, |usage, i| usage | 1 << i))
}

fn subject_key_id(value: &[u8], critical: bool) -> Result<Vec<u8>, X509Error> {
    if critical {
        return Err(X509Error::Invalid(
            "subject key identifier incorrectly marked critical".into(),
        ));
    }
    Ok(Reader::only(value, der::OCTET_STRING, "subject key identifier")?.to_vec())
}

fn authority_key_id(value: &[u8], critical: bool) -> Result<Option<Vec<u8>>, X509Error> {
    if critical {
        return Err(X509Error::Invalid(
            "authority key identifier incorrectly marked critical".into(),
        ));
    }
    let bad = "authority key identifier";
    let mut reader = Reader::new(Reader::only(value, der::SEQUENCE, bad)?);
    Ok(reader
        .read_optional(der::context(0), bad)?
        .map(<[u8]>::to_vec))
}

/// The URIs of each distribution point's full name.
fn crl_distribution_points(value: &[u8]) -> Result<Vec<String>, X509Error> {
    let bad = "CRL distribution points";
    let mut points = Reader::new(Reader::only(value, der::SEQUENCE, bad)?);
    let mut uris = Vec::new();
    while !points.is_empty() {
        let mut point = Reader::new(points.read(der::SEQUENCE, bad)?);
        let Some(name) = point.read_optional(der::context_constructed(0), bad)? else {
            continue;
        };
        let mut full_name = Reader::new(Reader::new(name).read(der::context_constructed(0), bad)?);
        while let Some(uri) = full_name.read_optional(URI_TAG, bad)? {
            uris.push(String::from_utf8_lossy(uri).into_owned());
        }
    }
    Ok(uris)
}
