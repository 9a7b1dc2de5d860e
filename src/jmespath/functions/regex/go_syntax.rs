//! Go RE2 pattern text → equivalent pattern text for the `regex` crate. Go's `\d \w \s \b`
//! (and their negations) are ASCII-only while Rust's are Unicode-aware; Go reads `[`, `&&`
//! and `~~` inside a class literally while Rust nests or combines classes; Go has `\Q…\E`.

const DIGIT: &str = "0-9";
const WORD: &str = "0-9A-Za-z_";
const SPACE: &str = r"\t\n\f\r ";

/// Rewrites a Go pattern so the `regex` crate matches what Go's `regexp` matches. Syntax
/// errors are left in place for the `regex` crate to report.
pub fn translate(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => escape(&mut out, &mut chars, in_class),
            '[' if in_class && chars.peek() == Some(&':') => posix_class(&mut out, &mut chars),
            '[' if in_class => out.push_str(r"\["),
            '&' | '~' if in_class => {
                out.push('\\');
                out.push(c);
            }
            '[' => {
                in_class = true;
                open_class(&mut out, &mut chars);
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            _ => out.push(c),
        }
    }
    out
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

/// Copies `[`, an optional `^` and a leading `]`, which both dialects read as a literal.
fn open_class(out: &mut String, chars: &mut Chars<'_>) {
    out.push('[');
    if chars.peek() == Some(&'^') {
        chars.next();
        out.push('^');
    }
    if chars.peek() == Some(&']') {
        chars.next();
        out.push_str(r"\]");
    }
}

/// Copies a `[:name:]` class as is: both dialects define the POSIX classes as ASCII.
fn posix_class(out: &mut String, chars: &mut Chars<'_>) {
    out.push('[');
    let mut prev = '[';
    for c in chars.by_ref() {
        out.push(c);
        if prev == ':' && c == ']' {
            return;
        }
        prev = c;
    }
}

fn escape(out: &mut String, chars: &mut Chars<'_>, in_class: bool) {
    let Some(c) = chars.next() else {
        out.push('\\');
        return;
    };
    match (c, ascii_class(c)) {
        (_, Some((negated, set))) if in_class => push_nested_class(out, negated, set),
        (_, Some((negated, set))) => push_class(out, negated, set),
        ('b' | 'B', _) if !in_class => {
            out.push_str("(?-u:\\");
            out.push(c);
            out.push(')');
        }
        ('Q', _) if !in_class => quoted_literal(out, chars),
        _ => {
            out.push('\\');
            out.push(c);
        }
    }
}

/// Go's Perl classes: `(negated, members)`.
fn ascii_class(c: char) -> Option<(bool, &'static str)> {
    match c {
        'd' => Some((false, DIGIT)),
        'D' => Some((true, DIGIT)),
        'w' => Some((false, WORD)),
        'W' => Some((true, WORD)),
        's' => Some((false, SPACE)),
        'S' => Some((true, SPACE)),
        _ => None,
    }
}

fn push_class(out: &mut String, negated: bool, set: &str) {
    out.push_str(if negated { "[^" } else { "[" });
    out.push_str(set);
    out.push(']');
}

/// Inside a class a positive set is spliced in; a negated one becomes a nested class,
/// which Rust unions with the rest.
fn push_nested_class(out: &mut String, negated: bool, set: &str) {
    if negated {
        push_class(out, true, set);
    } else {
        out.push_str(set);
    }
}

/// `\Q…\E` (or to the end): every char literal.
fn quoted_literal(out: &mut String, chars: &mut Chars<'_>) {
    let mut literal = String::new();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek() == Some(&'E') {
            chars.next();
            break;
        }
        literal.push(c);
    }
    out.push_str(&::regex::escape(&literal));
}

#[cfg(test)]
mod tests {
    use super::translate;

    #[test]
    fn perl_classes_become_ascii_sets() {
        assert_eq!(translate(r"\d+"), "[0-9]+");
        assert_eq!(translate(r"[\d_]"), "[0-9_]");
        assert_eq!(translate(r"[^\S]"), r"[^[^\t\n\f\r ]]");
        assert_eq!(translate(r"\bx\B"), r"(?-u:\b)x(?-u:\B)");
        assert_eq!(translate(r"\\d"), r"\\d");
    }

    #[test]
    fn class_literals_stay_literal() {
        assert_eq!(translate("[]a]"), r"[\]a]");
        assert_eq!(translate("[a[]"), r"[a\[]");
        assert_eq!(translate("[a&&b]"), r"[a\&\&b]");
        assert_eq!(translate("[[:alpha:]]x"), "[[:alpha:]]x");
    }

    #[test]
    fn quoted_text_is_escaped() {
        assert_eq!(translate(r"\Qa.b\E+"), r"a\.b+");
        assert_eq!(translate(r"\Q*"), r"\*");
    }
}
