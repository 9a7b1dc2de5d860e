//! Semantic versions and version ranges as Kyverno reads them (blang/semver v4): a strict
//! `MAJOR.MINOR.PATCH[-pre][+build]` parser with semver 2.0 precedence, and the range
//! grammar of `semver_compare` with its `.x` wildcard expansion (jmespath.md §2.9,
//! rules.md §6.6).

use std::cmp::Ordering;

/// A version; `build` is kept but never affects comparisons.
#[derive(Clone, Debug, Default)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
    pub pre: Vec<Prerelease>,
    pub build: Vec<String>,
}

/// One dot-separated pre-release identifier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Prerelease {
    Numeric(u64),
    Alpha(String),
}

/// A version or range that could not be read; the text follows blang/semver's messages.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SemverError(String);

fn error(message: impl Into<String>) -> SemverError {
    SemverError(message.into())
}

impl Version {
    /// Strict parse: no `v` prefix, all three numbers, no leading zeros.
    pub fn parse(text: &str) -> Result<Version, SemverError> {
        if text.is_empty() {
            return Err(error("Version string empty"));
        }
        let mut parts = text.splitn(3, '.');
        let (Some(major), Some(minor), Some(rest)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(error("No Major.Minor.Patch elements found"));
        };
        let (rest, build) = match rest.split_once('+') {
            Some((rest, build)) => (rest, Some(build)),
            None => (rest, None),
        };
        let (patch, pre) = match rest.split_once('-') {
            Some((patch, pre)) => (patch, Some(pre)),
            None => (rest, None),
        };
        Ok(Version {
            major: number(major, "major", "Major")?,
            minor: number(minor, "minor", "Minor")?,
            patch: number(patch, "patch", "Patch")?,
            pre: pre.map_or(Ok(Vec::new()), |p| p.split('.').map(prerelease).collect())?,
            build: build.map_or(Ok(Vec::new()), |b| b.split('.').map(build_part).collect())?,
        })
    }
}

/// A major, minor or patch number: digits only, no leading zero, within u64.
fn number(text: &str, lower: &str, title: &str) -> Result<u64, SemverError> {
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(error(format!(
            "Invalid character(s) found in {lower} number {text:?}"
        )));
    }
    if text.len() > 1 && text.starts_with('0') {
        return Err(error(format!(
            "{title} number must not contain leading zeroes {text:?}"
        )));
    }
    parse_u64(text)
}

/// Go `strconv.ParseUint(text, 10, 64)` on a string of ASCII digits.
fn parse_u64(text: &str) -> Result<u64, SemverError> {
    let reason = if text.is_empty() {
        "invalid syntax"
    } else {
        "value out of range"
    };
    text.parse()
        .map_err(|_| error(format!("strconv.ParseUint: parsing {text:?}: {reason}")))
}

fn is_alphanumeric(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

fn prerelease(text: &str) -> Result<Prerelease, SemverError> {
    if text.is_empty() {
        return Err(error("Prerelease is empty"));
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        if text.len() > 1 && text.starts_with('0') {
            return Err(error(format!(
                "Numeric PreRelease version must not contain leading zeroes {text:?}"
            )));
        }
        return parse_u64(text).map(Prerelease::Numeric);
    }
    if is_alphanumeric(text) {
        return Ok(Prerelease::Alpha(text.to_string()));
    }
    Err(error(format!(
        "Invalid character(s) found in prerelease version {text:?}"
    )))
}

fn build_part(text: &str) -> Result<String, SemverError> {
    if text.is_empty() {
        return Err(error("Build meta data is empty"));
    }
    if !is_alphanumeric(text) {
        return Err(error(format!(
            "Invalid character(s) found in build meta data {text:?}"
        )));
    }
    Ok(text.to_string())
}

impl Ord for Prerelease {
    /// Numeric identifiers sort before alphanumeric ones; strings compare bytewise.
    fn cmp(&self, other: &Prerelease) -> Ordering {
        match (self, other) {
            (Prerelease::Numeric(a), Prerelease::Numeric(b)) => a.cmp(b),
            (Prerelease::Numeric(_), Prerelease::Alpha(_)) => Ordering::Less,
            (Prerelease::Alpha(_), Prerelease::Numeric(_)) => Ordering::Greater,
            (Prerelease::Alpha(a), Prerelease::Alpha(b)) => a.as_bytes().cmp(b.as_bytes()),
        }
    }
}

impl PartialOrd for Prerelease {
    fn partial_cmp(&self, other: &Prerelease) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version {
    /// Semver 2.0 precedence: numbers, then a release above its pre-releases, then the
    /// pre-release identifiers in order (a longer list wins a tie). Build data is ignored.
    fn cmp(&self, other: &Version) -> Ordering {
        let numbers =
            (self.major, self.minor, self.patch).cmp(&(other.major, other.minor, other.patch));
        numbers.then(match (self.pre.is_empty(), other.pre.is_empty()) {
            (false, false) => self.pre.cmp(&other.pre),
            (mine, theirs) => mine.cmp(&theirs),
        })
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Version) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Version {
    /// Equal precedence: `1.0.0+a == 1.0.0+b`.
    fn eq(&self, other: &Version) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

mod range;

pub use range::Range;

#[cfg(test)]
mod tests;
