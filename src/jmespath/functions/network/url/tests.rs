//! Unit tests for `url`: Kyverno and Go behaviours checked on the internals.

use super::*;

/// Hosts as Go's `url.Parse(u).Hostname()` gives them.
#[test]
fn hostname_matches_go() {
    let cases = [
        ("http://localhost", "localhost"),
        ("http://127.0.0.1:8080/x", "127.0.0.1"),
        ("http://[::1]", "::1"),
        ("http://[fd12:3456:789a:1::1]:443/p", "fd12:3456:789a:1::1"),
        ("http://www.google.com@192.168.1.3", "192.168.1.3"),
        ("http://user:pa@ss@10.0.0.1/", "10.0.0.1"),
        ("https://Example.COM./a?b#c", "Example.COM."),
        ("//host/path", "host"),
        ("http:///path", ""),
        ("mailto:someone@example.com", ""),
        ("not a url", ""),
        ("http://host:/", "host"),
    ];
    for (raw, host) in cases {
        let url = Url::parse(raw).expect("valid URL");
        assert_eq!(url.hostname(), host, "{raw}");
    }
}

/// Go's messages; the bracketed-IPv4 wording is nomos' own (Go words it differently
/// across releases).
#[test]
fn errors_match_go_messages() {
    let cases = [
        ("http://[::1", "parse \"http://[::1\": missing ']' in host"),
        (
            "http://a:b:c/",
            "parse \"http://a:b:c/\": invalid port \":c\" after host",
        ),
        ("://x", "parse \"://x\": missing protocol scheme"),
        ("a:b/c", ""),
        (
            "1a:b",
            "parse \"1a:b\": first path segment in URL cannot contain colon",
        ),
        (
            "http://a b/",
            "parse \"http://a b/\": invalid character \" \" in host name",
        ),
        (
            "http://%41/",
            "parse \"http://%41/\": invalid URL escape \"%41\"",
        ),
        (
            "http://x/%zz",
            "parse \"http://x/%zz\": invalid URL escape \"%zz\"",
        ),
        (
            "http://a\u{1}",
            "parse \"http://a\\x01\": net/url: invalid control character in URL",
        ),
        (
            "http://[1.2.3.4]/",
            "parse \"http://[1.2.3.4]/\": invalid IP-literal \"1.2.3.4\"",
        ),
    ];
    for (raw, message) in cases {
        let got = Url::parse(raw)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert_eq!(got, message, "{raw}");
    }
}

#[test]
fn struct_fields_match_go() {
    let url = Url::parse("spiffe://cluster.local/ns/a%2Fb/sa?x=1#frag%20").expect("valid");
    assert_eq!(url.scheme, "spiffe");
    assert_eq!(url.host, "cluster.local");
    assert_eq!(url.path, "/ns/a/b/sa");
    assert_eq!(url.raw_path, "/ns/a%2Fb/sa");
    assert_eq!(url.raw_query, "x=1");
    assert_eq!(url.fragment, "frag ");
    assert_eq!(url.raw_fragment, "");
    let opaque = Url::parse("urn:example:a").expect("valid");
    assert_eq!(opaque.opaque, "example:a");
    assert!(Url::parse("file:/etc").expect("valid").omit_host);
    assert!(!Url::parse("file:///etc").expect("valid").omit_host);
}
