//! Version ranges: space-separated comparators ANDed, `||` between OR groups, and `.x`
//! wildcards rewritten into plain comparators first, quirks included (a `!=` wildcard
//! never matches; `1.x.x` is a patch wildcard; one-character terms are dropped).

use super::{SemverError, Version, error};

/// A parsed range: it matches a version when every comparator of some group does.
#[derive(Clone, Debug)]
pub struct Range {
    groups: Vec<Vec<Comparator>>,
}

#[derive(Clone, Debug)]
struct Comparator {
    op: Op,
    version: Version,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

/// How many dot-separated parts a wildcard version has, when its last part is `x`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Wildcard {
    None,
    Minor,
    Patch,
}

impl Range {
    pub fn parse(text: &str) -> Result<Range, SemverError> {
        let terms = split_terms(text);
        let groups = split_or(&terms)?;
        let expanded = groups
            .iter()
            .map(|group| expand_wildcards(group))
            .collect::<Result<Vec<_>, _>>()?;
        let groups = expanded
            .iter()
            .map(|group| group.iter().map(|term| comparator(term)).collect())
            .collect::<Result<Vec<Vec<_>>, _>>()?;
        if groups.iter().any(Vec::is_empty) {
            return Err(error(format!("Empty group in range {text:?}")));
        }
        Ok(Range { groups })
    }

    pub fn matches(&self, version: &Version) -> bool {
        self.groups
            .iter()
            .any(|group| group.iter().all(|c| c.op.holds(version, &c.version)))
    }
}

impl Op {
    fn parse(text: &str) -> Option<Op> {
        Some(match text {
            "" | "=" | "==" => Op::Eq,
            "!" | "!=" => Op::Ne,
            ">" => Op::Gt,
            ">=" => Op::Ge,
            "<" => Op::Lt,
            "<=" => Op::Le,
            _ => return None,
        })
    }

    fn holds(self, version: &Version, bound: &Version) -> bool {
        let order = version.cmp(bound);
        match self {
            Op::Eq => order.is_eq(),
            Op::Ne => order.is_ne(),
            Op::Gt => order.is_gt(),
            Op::Ge => order.is_ge(),
            Op::Lt => order.is_lt(),
            Op::Le => order.is_le(),
        }
    }
}

/// Splits on spaces, except spaces after `>`, `<` or `=` (so `>= 1.2.3` is one term);
/// spaces inside a term are removed, and terms of one character are dropped.
fn split_terms(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut terms = Vec::new();
    let (mut start, mut last_char) = (0, 0u8);
    for (i, &b) in bytes.iter().enumerate() {
        if b == b' ' && !matches!(last_char, b'>' | b'<' | b'=') {
            if start + 1 < i {
                terms.push(&text[start..i]);
            }
            start = i + 1;
        } else if b != b' ' {
            last_char = b;
        }
    }
    if start + 1 < bytes.len() {
        terms.push(&text[start..]);
    }
    terms.iter().map(|t| t.replace(' ', "")).collect()
}

fn split_or(terms: &[String]) -> Result<Vec<&[String]>, SemverError> {
    let mut groups = Vec::new();
    let mut start = 0;
    for (i, term) in terms.iter().enumerate() {
        if term == "||" {
            if i == 0 {
                return Err(error("First element in range is '||'"));
            }
            groups.push(&terms[start..i]);
            start = i + 1;
        }
    }
    if start == terms.len() {
        return Err(error("Last element in range is '||'"));
    }
    groups.push(&terms[start..]);
    Ok(groups)
}

/// The operator text before the first digit, and the version text from it on.
fn split_operator(term: &str) -> Result<(&str, &str), SemverError> {
    let at = term
        .find(|c: char| c.is_numeric())
        .ok_or_else(|| error(format!("Could not get version from string: {term:?}")))?;
    Ok((term[..at].trim(), &term[at..]))
}

fn expand_wildcards(group: &[String]) -> Result<Vec<String>, SemverError> {
    let mut terms = Vec::new();
    for term in group {
        let (op, version) = split_operator(term)?;
        if !term.contains(".x") {
            terms.push(term.clone());
            continue;
        }
        let flat = flatten_wildcard(version);
        let next = || next_version(&flat, wildcard_kind(version));
        let (op, bound) = match op {
            ">" => (">=", next()),
            ">=" => (">=", flat.clone()),
            "<" => ("<", flat.clone()),
            "<=" => ("<", next()),
            "" | "=" | "==" => {
                terms.push(format!(">={flat}"));
                ("<", next())
            }
            "!" | "!=" => {
                terms.push(format!("<{flat}"));
                (">=", next())
            }
            // Any other operator is dropped: the term becomes an equality.
            _ => ("", flat.clone()),
        };
        terms.push(format!("{op}{bound}"));
    }
    Ok(terms)
}

fn wildcard_kind(version: &str) -> Wildcard {
    let parts: Vec<&str> = version.split('.').collect();
    match (parts.len(), parts.last()) {
        (2, Some(&"x")) => Wildcard::Minor,
        (3, Some(&"x")) => Wildcard::Patch,
        _ => Wildcard::None,
    }
}

/// `1.x.x` → `1.0.0`, `1.x` → `1.0.0`, `1.2.x` → `1.2.0` (first occurrences only).
fn flatten_wildcard(version: &str) -> String {
    let flat = version.replacen(".x.x", ".x", 1).replacen(".x", ".0", 1);
    if flat.split('.').count() == 2 {
        format!("{flat}.0")
    } else {
        flat
    }
}

/// The flat version with its minor (patch wildcard) or major (minor wildcard) number
/// incremented; empty when there is nothing to increment, which later fails to parse.
fn next_version(flat: &str, kind: Wildcard) -> String {
    let index = match kind {
        Wildcard::Patch => 1,
        Wildcard::Minor => 0,
        Wildcard::None => return String::new(),
    };
    let mut parts: Vec<String> = flat.split('.').map(str::to_string).collect();
    let Some(n) = parts.get(index).and_then(|p| p.parse::<i64>().ok()) else {
        return String::new();
    };
    parts[index] = n.wrapping_add(1).to_string();
    parts.join(".")
}

fn comparator(term: &str) -> Result<Comparator, SemverError> {
    let (op_text, version_text) = split_operator(term)?;
    let written = format!("{op_text}{version_text}");
    let op = Op::parse(op_text).ok_or_else(|| {
        error(format!(
            "Could not parse Range {term:?}: Could not parse comparator {op_text:?} in {written:?}"
        ))
    })?;
    let version = Version::parse(version_text).map_err(|e| {
        error(format!(
            "Could not parse Range {term:?}: Could not parse version {version_text:?} in {written:?}: {e}"
        ))
    })?;
    Ok(Comparator { op, version })
}
