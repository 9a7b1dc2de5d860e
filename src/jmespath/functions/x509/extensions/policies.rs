//! Policy extensions: takes certificate policies, policy mappings, policy constraints and
//! inhibit-any-policy values and returns Go's matching `x509.Certificate` fields.

use serde_json::{Map, Value};

use super::super::{X509Error, int_json, list_json, oid_json};
use super::der;
use der::Reader;

#[derive(Default)]
pub struct Policies {
    /// Dotted policy OIDs (`Policies`); `None` until the extension is seen.
    policies: Option<Vec<Vec<i64>>>,
    mappings: Vec<Value>,
    inhibit_any_policy: i64,
    inhibit_any_policy_zero: bool,
    inhibit_policy_mapping: i64,
    inhibit_policy_mapping_zero: bool,
    require_explicit_policy: i64,
    require_explicit_policy_zero: bool,
}

impl Policies {
    pub fn apply(&mut self, arcs: &[i64], value: &[u8]) -> Result<(), X509Error> {
        match arcs {
            [2, 5, 29, 32] => self.policies = Some(certificate_policies(value)?),
            [2, 5, 29, 33] => self.mappings = policy_mappings(value)?,
            [2, 5, 29, 36] => self.policy_constraints(value)?,
            _ => {
                let bad = "inhibit any policy";
                self.inhibit_any_policy = der::integer(Reader::only(value, der::INTEGER, bad)?)?;
                self.inhibit_any_policy_zero = self.inhibit_any_policy == 0;
            }
        }
        Ok(())
    }

    /// `requireExplicitPolicy [0]` and `inhibitPolicyMapping [1]`, each -1 when absent.
    fn policy_constraints(&mut self, value: &[u8]) -> Result<(), X509Error> {
        let bad = "policy constraints extension";
        let mut reader = Reader::new(Reader::only(value, der::SEQUENCE, bad)?);
        let mut skip_certs = |tag| -> Result<i64, X509Error> {
            reader.read_optional(tag, bad)?.map_or(Ok(-1), der::integer)
        };
        self.require_explicit_policy = skip_certs(der::context(0))?;
        self.inhibit_policy_mapping = skip_certs(der::context(1))?;
        self.require_explicit_policy_zero = self.require_explicit_policy == 0;
        self.inhibit_policy_mapping_zero = self.inhibit_policy_mapping == 0;
        Ok(())
    }

    pub fn insert_into(self, object: &mut Map<String, Value>) {
        let text = |arcs: &Vec<i64>| Value::String(der::oid_text(arcs));
        let (policies, identifiers) = match &self.policies {
            Some(oids) => (
                list_json(oids.iter().map(text).collect()),
                Value::Array(oids.iter().map(|a| oid_json(a)).collect()),
            ),
            None => (Value::Null, Value::Null),
        };
        let entries = [
            ("Policies", policies),
            ("PolicyIdentifiers", identifiers),
            ("PolicyMappings", list_json(self.mappings)),
            ("InhibitAnyPolicy", int_json(self.inhibit_any_policy)),
            (
                "InhibitAnyPolicyZero",
                Value::Bool(self.inhibit_any_policy_zero),
            ),
            (
                "InhibitPolicyMapping",
                int_json(self.inhibit_policy_mapping),
            ),
            (
                "InhibitPolicyMappingZero",
                Value::Bool(self.inhibit_policy_mapping_zero),
            ),
            (
                "RequireExplicitPolicy",
                int_json(self.require_explicit_policy),
            ),
            (
                "RequireExplicitPolicyZero",
                Value::Bool(self.require_explicit_policy_zero),
            ),
        ];
        object.extend(entries.into_iter().map(|(k, v)| (k.to_string(), v)));
    }
}

/// The policy OIDs in order; a repeated OID is an error, as in Go.
fn certificate_policies(value: &[u8]) -> Result<Vec<Vec<i64>>, X509Error> {
    let bad = "certificate policies";
    let mut reader = Reader::new(Reader::only(value, der::SEQUENCE, bad)?);
    let mut oids: Vec<Vec<i64>> = Vec::new();
    while !reader.is_empty() {
        let arcs =
            der::oid_arcs(Reader::new(reader.read(der::SEQUENCE, bad)?).read(der::OID, bad)?)?;
        if oids.contains(&arcs) {
            return Err(X509Error::Malformed(bad));
        }
        oids.push(arcs);
    }
    Ok(oids)
}

/// `[{IssuerDomainPolicy, SubjectDomainPolicy}]` with dotted OIDs.
fn policy_mappings(value: &[u8]) -> Result<Vec<Value>, X509Error> {
    let bad = "policy mappings extension";
    let mut reader = Reader::new(Reader::only(value, der::SEQUENCE, bad)?);
    let mut mappings = Vec::new();
    while !reader.is_empty() {
        let mut mapping = Reader::new(reader.read(der::SEQUENCE, bad)?);
        let issuer = der::oid_arcs(mapping.read(der::OID, bad)?)?;
        let subject = der::oid_arcs(mapping.read(der::OID, bad)?)?;
        mappings.push(serde_json::json!({
            "IssuerDomainPolicy": der::oid_text(&issuer),
            "SubjectDomainPolicy": der::oid_text(&subject),
        }));
    }
    Ok(mappings)
}
