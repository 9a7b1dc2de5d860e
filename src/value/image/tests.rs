//! Unit tests for `image`: Kyverno and Go behaviours checked on the internals.

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
