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
mod tests {
    use super::*;

    const DIGEST: &str = "sha256:dead07b4d8ed7e29e98de0f4504d87e8880d4347859d839686a31da35a3b532f";

    /// (image, registry, path, name, tag, digest, reference, referenceWithTag)
    type Row = (
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
    );

    /// rules.md §4.6.3 table, plus Kyverno's `Test_GetImageInfo` rows (infos_test.go).
    const TABLE: &[(Row, &str, &str, &str)] = &[
        (
            ("nginx", "docker.io", "nginx", "nginx", "latest"),
            "",
            "docker.io/nginx:latest",
            "docker.io/nginx:latest",
        ),
        (
            ("myorg/app:1.0", "docker.io", "myorg/app", "app", "1.0"),
            "",
            "docker.io/myorg/app:1.0",
            "docker.io/myorg/app:1.0",
        ),
        (
            (
                "ghcr.io/kyverno/kyverno:v1.10",
                "ghcr.io",
                "kyverno/kyverno",
                "kyverno",
                "v1.10",
            ),
            "",
            "ghcr.io/kyverno/kyverno:v1.10",
            "ghcr.io/kyverno/kyverno:v1.10",
        ),
        (
            (
                "localhost:5000/app",
                "localhost:5000",
                "app",
                "app",
                "latest",
            ),
            "",
            "localhost:5000/app:latest",
            "localhost:5000/app:latest",
        ),
        (
            ("nginx:v10.3", "docker.io", "nginx", "nginx", "v10.3"),
            "",
            "docker.io/nginx:v10.3",
            "docker.io/nginx:v10.3",
        ),
        (
            (
                "docker.io/test/nginx:v10.3",
                "docker.io",
                "test/nginx",
                "nginx",
                "v10.3",
            ),
            "",
            "docker.io/test/nginx:v10.3",
            "docker.io/test/nginx:v10.3",
        ),
        (
            ("test/nginx", "docker.io", "test/nginx", "nginx", "latest"),
            "",
            "docker.io/test/nginx:latest",
            "docker.io/test/nginx:latest",
        ),
        (
            (
                "localhost:4443/test/nginx",
                "localhost:4443",
                "test/nginx",
                "nginx",
                "latest",
            ),
            "",
            "localhost:4443/test/nginx:latest",
            "localhost:4443/test/nginx:latest",
        ),
        (
            (
                "localhost/netd:v0.4.4-gke.0",
                "localhost",
                "netd",
                "netd",
                "v0.4.4-gke.0",
            ),
            "",
            "localhost/netd:v0.4.4-gke.0",
            "localhost/netd:v0.4.4-gke.0",
        ),
    ];

    #[test]
    fn table_rows_parse_as_kyverno_reads_them() {
        for ((image, registry, path, name, tag), digest, reference, with_tag) in TABLE {
            let info = parse(image).expect("table images are valid");
            let want = ImageInfo {
                registry: registry.to_string(),
                path: path.to_string(),
                name: name.to_string(),
                tag: tag.to_string(),
                digest: digest.to_string(),
            };
            assert_eq!(info, want, "{image}");
            assert_eq!(info.reference(), *reference, "{image}");
            assert_eq!(info.reference_with_tag(), *with_tag, "{image}");
        }
    }

    /// rules.md §4.6.3: a digest-only image has no tag and an empty-tag referenceWithTag.
    #[test]
    fn digest_only_image_keeps_the_empty_tag_quirk() {
        let info = parse(&format!("nginx@{DIGEST}")).expect("valid");
        assert_eq!(info.tag, "");
        assert_eq!(info.digest, DIGEST);
        assert_eq!(info.reference(), format!("docker.io/nginx@{DIGEST}"));
        assert_eq!(info.reference_with_tag(), "docker.io/nginx:");
    }

    /// rules.md §4.6.3: with both tag and digest, the reference drops the tag.
    #[test]
    fn tag_and_digest_reference_uses_the_digest() {
        let info = parse(&format!("nginx:1.2@{DIGEST}")).expect("valid");
        assert_eq!(info.tag, "1.2");
        assert_eq!(info.reference(), format!("docker.io/nginx@{DIGEST}"));
        assert_eq!(info.reference_with_tag(), "docker.io/nginx:1.2");
    }

    /// rules.md §4.6.3: empty fields are omitted; `jsonPointer` is added.
    #[test]
    fn json_object_omits_empty_fields() {
        let info = parse(&format!("nginx@{DIGEST}")).expect("valid");
        let json = info.to_json("/spec/containers/0/image");
        let want = serde_json::json!({
            "registry": "docker.io",
            "path": "nginx",
            "name": "nginx",
            "digest": DIGEST,
            "reference": format!("docker.io/nginx@{DIGEST}"),
            "referenceWithTag": "docker.io/nginx:",
            "jsonPointer": "/spec/containers/0/image",
        });
        assert_eq!(json, want);
    }

    /// Kyverno `Test_ParseError` and jmespath.md §2.10 (`''`), plus the grammar's own errors.
    #[test]
    fn bad_references_report_the_library_reason() {
        let cases = [
            ("++", ReferenceError::InvalidFormat),
            ("", ReferenceError::InvalidFormat),
            ("Nginx", ReferenceError::NameContainsUppercase),
            ("nginx:", ReferenceError::InvalidFormat),
            (
                "nginx@md5:0123456789abcdef0123456789abcdef",
                ReferenceError::DigestUnsupported,
            ),
            (
                "nginx@sha256:0123456789abcdef0123456789abcdef",
                ReferenceError::DigestInvalidLength,
            ),
            (
                "nginx@Sha256:0123456789abcdef0123456789abcdef",
                ReferenceError::DigestInvalidFormat,
            ),
        ];
        for (image, reason) in cases {
            assert_eq!(parse(image).map_err(|e| e.reason), Err(reason), "{image:?}");
        }
    }

    #[test]
    fn error_text_names_the_prefixed_image() {
        let err = parse("").expect_err("empty image is invalid");
        assert_eq!(
            err.to_string(),
            "bad image: docker.io/, defaultRegistry: docker.io, enableDefaultRegistryMutation: true: invalid reference format"
        );
    }

    /// A first segment with upper case is taken as a registry host, not prefixed.
    #[test]
    fn upper_case_first_segment_is_a_registry() {
        let info = parse("MyRegistry/app").expect("valid");
        assert_eq!(info.registry, "MyRegistry");
        assert_eq!(info.path, "app");
    }

    /// A first segment that is not a valid host (an underscore) stays in the path.
    #[test]
    fn underscore_host_is_read_as_path() {
        let info = parse("my_org.example/app").expect("valid");
        assert_eq!(info.registry, "");
        assert_eq!(info.path, "my_org.example/app");
        assert_eq!(info.reference(), "my_org.example/app:latest");
    }

    #[test]
    fn normalize_drops_the_tag_when_a_digest_exists() {
        assert_eq!(normalize("nginx").as_deref(), Ok("docker.io/nginx:latest"));
        assert_eq!(
            normalize(&format!("ghcr.io/a/b:1@{DIGEST}")),
            Ok(format!("ghcr.io/a/b@{DIGEST}"))
        );
    }
}
