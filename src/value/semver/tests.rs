//! Version parsing, precedence and range tables. Expectations come from jmespath.md §2.9,
//! rules.md §6.6 and the semver 2.0 precedence example list.

use super::*;

fn v(text: &str) -> Version {
    Version::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn in_range(version: &str, range: &str) -> bool {
    Range::parse(range)
        .unwrap_or_else(|e| panic!("{range}: {e}"))
        .matches(&v(version))
}

#[test]
fn strict_versions() {
    let parsed = v("1.2.3-rc.1+build.05");
    assert_eq!((parsed.major, parsed.minor, parsed.patch), (1, 2, 3));
    assert_eq!(
        parsed.pre,
        vec![Prerelease::Alpha("rc".into()), Prerelease::Numeric(1)]
    );
    assert_eq!(parsed.build, vec!["build".to_string(), "05".to_string()]);
    for bad in [
        "",
        "v1.2.3",
        "1.2",
        "1",
        "01.2.3",
        "1.02.3",
        "1.2.03",
        "1.2.3-",
        "1.2.3-01",
        "1.2.3+",
        "1.2.3-a..b",
        "1.2.3-a_b",
        "1.2.3 ",
        " 1.2.3",
        "1.2.x",
        "1.2.3.4",
        "18446744073709551616.0.0",
    ] {
        assert!(Version::parse(bad).is_err(), "{bad:?} parsed");
    }
    assert_eq!(
        Version::parse("v1.2.3").map_err(|e| e.to_string()),
        Err("Invalid character(s) found in major number \"v1\"".to_string())
    );
}

#[test]
fn precedence_follows_semver_2() {
    // The precedence chain of semver 2.0 §11.
    let chain = [
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
        "1.0.1",
        "1.1.0",
        "1.10.0",
        "2.0.0",
    ];
    for pair in chain.windows(2) {
        assert!(v(pair[0]) < v(pair[1]), "{} < {}", pair[0], pair[1]);
    }
    assert_eq!(v("1.0.0+a"), v("1.0.0+b"));
    // rules.md §6.6: 1.10.0 > 1.9.0 as versions.
    assert!(v("1.10.0") > v("1.9.0"));
}

#[test]
fn ranges() {
    // jmespath.md §2.9 vectors (T and D), then the expansion table.
    assert!(in_range("4.1.3", ">=4.1.x"));
    assert!(!in_range("4.1.3", "!4.x.x"));
    assert!(in_range("1.8.6", ">1.0.0 <2.0.0"));
    assert!(!in_range("2.1.5", "<2.0.0 || >=3.0.0"));
    assert!(in_range("1.2.3", "1.2.x"));
    assert!(in_range("0.0.0", ">=0.0.0"));
    assert!(in_range("1.2.3", ">= 1.2.3"));
    assert!(in_range("1.2.3", "==1.2.3"));
    assert!(in_range("1.2.4", "!=1.2.3"));
    assert!(in_range("1.3.0", ">1.2.x"));
    assert!(!in_range("1.2.9", ">1.2.x"));
    assert!(in_range("1.2.9", "<=1.2.x"));
    assert!(!in_range("1.3.0", "<=1.2.x"));
    assert!(!in_range("1.2.0", "<1.2.x"));
    assert!(in_range("1.9.9", "1.x"));
    assert!(!in_range("2.0.0", "1.x"));
    // `1.x.x` is a patch wildcard: `<=1.x.x` means `<1.1.0`.
    assert!(in_range("1.0.9", "<=1.x.x"));
    assert!(!in_range("1.1.0", "<=1.x.x"));
    // A `!=` wildcard expands to `<V >=V+`, which nothing satisfies.
    assert!(!in_range("5.0.0", "!=1.2.x"));
    assert!(!in_range("0.1.0", "!=1.2.x"));
    // Pre-releases compare by precedence.
    assert!(in_range("1.0.0-rc.1", "<1.0.0"));
}

#[test]
fn range_errors() {
    for bad in [
        "",
        "||",
        "|| 1.0.0",
        "1.0.0 ||",
        "~1.2.3",
        "^1.2.3",
        ">=1.2",
        "x",
        "1.0.0 || || 2.0.0",
    ] {
        assert!(Range::parse(bad).is_err(), "{bad:?} parsed");
    }
    assert_eq!(
        Range::parse("~1.2.3").map_err(|e| e.to_string()).err(),
        Some(
            "Could not parse Range \"~1.2.3\": Could not parse comparator \"~\" in \"~1.2.3\""
                .to_string()
        )
    );
}

#[test]
fn one_character_terms_are_dropped() {
    // blang's splitter keeps only terms of two or more characters.
    assert!(in_range("1.2.3", ">=1.0.0 x"));
    // `! 1.2.3` loses its operator and becomes an equality.
    assert!(in_range("1.2.3", "! 1.2.3"));
    assert!(Range::parse("1").is_err());
}
