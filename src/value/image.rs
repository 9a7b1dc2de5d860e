//! Container image references: takes an image string as a Pod spec holds it and returns its
//! parts (`ImageInfo`) the way Kyverno reads them (rules.md §4.6.3, jmespath.md §2.10):
//! the default registry `docker.io` is prepended when the first segment does not name a
//! registry, then the result is parsed with the Docker reference grammar.

use std::fmt;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::{Map, Value};

/// The registry Kyverno assumes when an image names none (its default configuration).
pub const DEFAULT_REGISTRY: &str = "docker.io";

/// The tag assumed when an image has neither tag nor digest.
const DEFAULT_TAG: &str = "latest";

/// The longest repository path (without the registry) the grammar accepts.
const PATH_LENGTH_MAX: usize = 255;

/// The parts of an image reference. Empty strings stand for absent parts, as in Kyverno.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImageInfo {
    /// `docker.io`, `ghcr.io`, `localhost:5000`; empty only when the first segment could
    /// not be read as a registry.
    pub registry: String,
    /// The repository path without the registry: `myorg/app`. No `library/` is added.
    pub path: String,
    /// The last segment of the path: `app`.
    pub name: String,
    /// `1.0`; `latest` when there is neither tag nor digest; empty when only a digest is given.
    pub tag: String,
    /// `sha256:<hex>`, or empty.
    pub digest: String,
}

impl ImageInfo {
    /// `registry/path@digest` when a digest exists, else `registry/path:tag`.
    pub fn reference(&self) -> String {
        let repository = self.repository();
        if self.digest.is_empty() {
            format!("{repository}:{}", self.tag)
        } else {
            format!("{repository}@{}", self.digest)
        }
    }

    /// `registry/path:tag`, even when the tag is empty (`docker.io/nginx:` for a digest-only
    /// image: a Kyverno quirk kept on purpose).
    pub fn reference_with_tag(&self) -> String {
        format!("{}:{}", self.repository(), self.tag)
    }

    /// The object the `images` variable holds for one container; empty fields are omitted.
    pub fn to_json(&self, json_pointer: &str) -> Value {
        let mut object = Map::new();
        let mut put = |key: &str, value: String, omit_empty: bool| {
            if !(omit_empty && value.is_empty()) {
                object.insert(key.to_string(), Value::String(value));
            }
        };
        put("registry", self.registry.clone(), true);
        put("path", self.path.clone(), false);
        put("name", self.name.clone(), false);
        put("tag", self.tag.clone(), true);
        put("digest", self.digest.clone(), true);
        put("reference", self.reference(), true);
        put("referenceWithTag", self.reference_with_tag(), true);
        put("jsonPointer", json_pointer.to_string(), false);
        Value::Object(object)
    }

    fn repository(&self) -> String {
        if self.registry.is_empty() {
            self.path.clone()
        } else {
            format!("{}/{}", self.registry, self.path)
        }
    }
}

/// Why an image reference is rejected. Messages are those of the Docker reference and
/// digest libraries Kyverno uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReferenceError {
    /// `docker.io/` (from `''`), `nginx:`, `a b`.
    InvalidFormat,
    /// `Nginx` reaches the parser as `docker.io/Nginx`.
    NameContainsUppercase,
    /// A repository path longer than 255 characters.
    NameTooLong,
    /// `nginx@sha256:` followed by 64 upper-case hex digits.
    DigestInvalidFormat,
    /// `nginx@sha256:` followed by 32 hex digits.
    DigestInvalidLength,
    /// `nginx@md5:` followed by 32 hex digits.
    DigestUnsupported,
}

impl fmt::Display for ReferenceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ReferenceError::InvalidFormat => "invalid reference format",
            ReferenceError::NameContainsUppercase => "repository name must be lowercase",
            ReferenceError::NameTooLong => "repository name must not be more than 255 characters",
            ReferenceError::DigestInvalidFormat => "invalid checksum digest format",
            ReferenceError::DigestInvalidLength => "invalid checksum digest length",
            ReferenceError::DigestUnsupported => "unsupported digest algorithm",
        })
    }
}

/// An image Kyverno cannot parse; `full` is the image after the default registry was added.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "bad image: {full}, defaultRegistry: {DEFAULT_REGISTRY}, enableDefaultRegistryMutation: true: {reason}"
)]
pub struct ImageError {
    pub full: String,
    pub reason: ReferenceError,
}

/// Parses an image reference with Kyverno's defaults (registry `docker.io`, tag `latest`).
pub fn parse(image: &str) -> Result<ImageInfo, ImageError> {
    let full = with_default_registry(image);
    let parts = split_reference(&full).map_err(|reason| ImageError {
        full: full.clone(),
        reason,
    })?;
    let name = parts
        .path
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();
    let tag = if parts.tag.is_empty() && parts.digest.is_empty() {
        DEFAULT_TAG.to_string()
    } else {
        parts.tag
    };
    Ok(ImageInfo {
        registry: parts.domain,
        path: parts.path,
        name,
        tag,
        digest: parts.digest,
    })
}

/// What `image_normalize` returns: the full reference, the digest winning over the tag.
pub fn normalize(image: &str) -> Result<String, ImageError> {
    parse(image).map(|info| info.reference())
}

/// Prepends the default registry unless the first `/` segment already names one: it holds
/// a `.` or `:`, is `localhost`, or has an upper-case letter (a registry host may, a
/// repository path may not).
fn with_default_registry(image: &str) -> String {
    let names_registry = image.split_once('/').is_some_and(|(first, _)| {
        first.contains(['.', ':']) || first == "localhost" || first.to_lowercase() != first
    });
    if names_registry {
        image.to_string()
    } else {
        format!("{DEFAULT_REGISTRY}/{image}")
    }
}

/// A reference split by the grammar; empty strings for absent parts.
struct Parts {
    domain: String,
    path: String,
    tag: String,
    digest: String,
}

/// The Docker reference grammar (distribution/reference): a name of lower-case path
/// components with an optional registry host and port, then `:tag`, then `@digest`.
mod grammar {
    const PATH_COMPONENT: &str = "[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*";
    const DOMAIN_COMPONENT: &str = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    const IPV6_HOST: &str = r"\[(?:[a-fA-F0-9:]+)\]";
    const TAG: &str = "[0-9A-Za-z_][0-9A-Za-z_.-]{0,127}";
    const DIGEST: &str = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}";

    fn domain_and_port() -> String {
        let domain_name = format!(r"{DOMAIN_COMPONENT}(?:\.{DOMAIN_COMPONENT})*");
        format!("(?:{domain_name}|{IPV6_HOST})(?::[0-9]+)?")
    }

    fn remote_name() -> String {
        format!("{PATH_COMPONENT}(?:/{PATH_COMPONENT})*")
    }

    /// Captures: 1 = name, 2 = tag, 3 = digest.
    pub fn reference() -> String {
        let name = format!("(?:{}/)?{}", domain_and_port(), remote_name());
        format!("^({name})(?::({TAG}))?(?:@({DIGEST}))?$")
    }

    /// Captures: 1 = domain, 2 = path.
    pub fn anchored_name() -> String {
        format!("^(?:({})/)?({})$", domain_and_port(), remote_name())
    }
}

static REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&grammar::reference()).expect("invariant: the reference grammar is a valid regex")
});

static ANCHORED_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&grammar::anchored_name()).expect("invariant: the name grammar is a valid regex")
});

fn split_reference(full: &str) -> Result<Parts, ReferenceError> {
    let Some(caps) = REFERENCE.captures(full) else {
        return Err(unmatched_reason(full));
    };
    let group = |i: usize| caps.get(i).map_or("", |m| m.as_str());
    let (domain, path) = split_name(group(1));
    if path.len() > PATH_LENGTH_MAX {
        return Err(ReferenceError::NameTooLong);
    }
    let digest = group(3);
    if !digest.is_empty() {
        validate_digest(digest)?;
    }
    Ok(Parts {
        domain,
        path,
        tag: group(2).to_string(),
        digest: digest.to_string(),
    })
}

/// Says whether a non-matching reference failed only because of upper case.
fn unmatched_reason(full: &str) -> ReferenceError {
    let lower = full.to_lowercase();
    if lower != full && REFERENCE.is_match(&lower) {
        ReferenceError::NameContainsUppercase
    } else {
        ReferenceError::InvalidFormat
    }
}

fn split_name(name: &str) -> (String, String) {
    match ANCHORED_NAME.captures(name) {
        Some(caps) => (
            caps.get(1).map_or("", |m| m.as_str()).to_string(),
            caps.get(2).map_or("", |m| m.as_str()).to_string(),
        ),
        None => (String::new(), name.to_string()),
    }
}

/// Digest algorithms the Kyverno binary registers, with the hex length of each.
const DIGEST_ALGORITHMS: &[(&str, usize)] = &[("sha256", 64), ("sha384", 96), ("sha512", 128)];

/// Checks `algorithm:hex` as the OCI digest library does: a known algorithm, the right
/// length, and lower-case hex only. The grammar has already checked the overall shape.
fn validate_digest(digest: &str) -> Result<(), ReferenceError> {
    let (algorithm, encoded) = digest
        .split_once(':')
        .ok_or(ReferenceError::DigestInvalidFormat)?;
    let Some((_, hex_len)) = DIGEST_ALGORITHMS
        .iter()
        .find(|(name, _)| *name == algorithm)
    else {
        return Err(unknown_algorithm_reason(algorithm));
    };
    if encoded.len() != *hex_len {
        return Err(ReferenceError::DigestInvalidLength);
    }
    if encoded
        .bytes()
        .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        Ok(())
    } else {
        Err(ReferenceError::DigestInvalidFormat)
    }
}

/// An unregistered algorithm is "unsupported" only when its name is well formed (lower
/// case components joined by `.+_-`); otherwise the digest format is wrong.
fn unknown_algorithm_reason(algorithm: &str) -> ReferenceError {
    let well_formed = algorithm.split(['.', '+', '_', '-']).all(|part| {
        !part.is_empty() && part.bytes().all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9'))
    });
    if well_formed {
        ReferenceError::DigestUnsupported
    } else {
        ReferenceError::DigestInvalidFormat
    }
}

#[cfg(test)]
mod tests;
