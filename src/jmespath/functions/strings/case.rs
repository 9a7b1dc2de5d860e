//! Go's per-rune case mapping (`unicode.ToUpper`, `unicode.ToLower`, `strings.EqualFold`):
//! one char in, one char out. Rust's `char` methods apply the full (multi-char) mappings,
//! so a multi-char result keeps the char, except where Unicode's simple mapping differs.

/// Go `unicode.ToUpper`.
pub fn upper(c: char) -> char {
    if let Some(u) = greek_iota_subscript_upper(c) {
        return u;
    }
    single(c, c.to_uppercase())
}

/// Go `unicode.ToLower`.
pub fn lower(c: char) -> char {
    // The only char whose full lowercase is multi-char yet has a simple mapping.
    if c == '\u{130}' {
        return 'i';
    }
    single(c, c.to_lowercase())
}

/// A representative of the char's simple case-folding class, so two chars are equal under
/// Go `strings.EqualFold` when their folds are equal.
pub fn fold(c: char) -> char {
    // Go folds neither dotless 'ı' nor dotted 'İ' into the ASCII 'i' class.
    if c == '\u{131}' || c == '\u{130}' {
        return c;
    }
    single(c, upper(c).to_lowercase())
}

fn single(c: char, mut mapped: impl Iterator<Item = char>) -> char {
    match (mapped.next(), mapped.next()) {
        (Some(m), None) => m,
        _ => c,
    }
}

/// Greek lowercase letters with ypogegrammeni: their full uppercase is two chars, their
/// simple uppercase is the titlecase letter with prosgegrammeni.
fn greek_iota_subscript_upper(c: char) -> Option<char> {
    let code = u32::from(c);
    let upper = match code {
        0x1F80..=0x1F87 | 0x1F90..=0x1F97 | 0x1FA0..=0x1FA7 => code + 8,
        0x1FB3 | 0x1FC3 | 0x1FF3 => code + 9,
        _ => return None,
    };
    char::from_u32(upper)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_mappings_keep_single_chars() {
        // jmespath.md §2.3: 'ß' stays 'ß' under Go's ToUpper.
        assert_eq!(upper('ß'), 'ß');
        assert_eq!(upper('a'), 'A');
        assert_eq!(upper('\u{1F80}'), '\u{1F88}');
        assert_eq!(upper('\u{1FB3}'), '\u{1FBC}');
        assert_eq!(lower('\u{130}'), 'i');
        assert_eq!(lower('Σ'), 'σ');
    }

    #[test]
    fn folding_matches_go_equal_fold_classes() {
        // jmespath.md §2.3: the Kelvin sign folds with 'k'; long s with 's'.
        assert_eq!(fold('\u{212A}'), fold('k'));
        assert_eq!(fold('\u{17F}'), fold('S'));
        assert_eq!(fold('ς'), fold('Σ'));
        assert_ne!(fold('\u{131}'), fold('I'));
        assert_ne!(fold('\u{130}'), fold('i'));
    }
}
