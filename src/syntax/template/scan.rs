//! Text → the `{{ }}` variables Kyverno would find in it (grammar/template.pest), and one
//! variable's text → its expression text and shallow flag (rules.md §4.2).

use pest::Parser;
use pest_derive::Parser;

#[derive(Parser)]
#[grammar = "../grammar/template.pest"]
struct TemplateGrammar;

/// One variable found in a string, as byte offsets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Found {
    /// Start of the text Kyverno replaces: the character before `{{`, or `{{` itself at the
    /// start of the string.
    pub start: usize,
    /// Where `{{` begins.
    pub open: usize,
    /// Just after the closing `}}`.
    pub end: usize,
}

impl Found {
    /// The variable without the character before it.
    pub fn token(self, text: &str) -> &str {
        &text[self.open..self.end]
    }

    /// The variable with the character before it: what one replacement looks for.
    pub fn replaced(self, text: &str) -> &str {
        &text[self.start..self.end]
    }

    /// The character before the variable (empty at the start of the string).
    pub fn prefix(self, text: &str) -> &str {
        &text[self.start..self.open]
    }

    /// Whether the variable is the whole string: its result keeps its JSON type.
    pub fn is_whole(self, text: &str) -> bool {
        self.open == 0 && self.end == text.len()
    }
}

/// Every variable in `text`, left to right.
pub(super) fn scan(text: &str) -> Vec<Found> {
    let Some(first) = text.find("{{") else {
        return Vec::new();
    };
    // Nothing before the first `{{` can take part in a match except the character just
    // before it, which is not `{`: parsing from there finds the same variables.
    let from = char_before(text, first);
    let tail = &text[from..];
    // The grammar accepts every string (anything that is not a variable is text), so a
    // parse failure cannot happen; were it to, the text would simply hold no variable.
    let Ok(pairs) = TemplateGrammar::parse(Rule::template, tail) else {
        return Vec::new();
    };
    pairs
        .flatten()
        .filter(|pair| pair.as_rule() == Rule::variable)
        .map(|pair| {
            let open = from + pair.as_span().start();
            Found {
                start: char_before(text, open),
                open,
                end: from + pair.as_span().end(),
            }
        })
        .collect()
}

/// Start of the character ending at `at` (or `at` itself at the start of the string).
fn char_before(text: &str, at: usize) -> usize {
    text[..at].char_indices().next_back().map_or(at, |(i, _)| i)
}

/// A variable's expression, as Kyverno reads it out of the matched text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Parts {
    pub expr: String,
    /// `{{- expr }}`: the result is not scanned again for variables.
    pub shallow: bool,
}

/// `{{ a }}` → `a`; `{{- a }}` → shallow `a`. Every `{{` and `}}` inside the match goes, so
/// `{{ {a: b}}}` reads `{a: b}`.
pub(super) fn parts(token: &str) -> Parts {
    let stripped = token.replace("{{", "").replace("}}", "");
    let trimmed = stripped.trim();
    match trimmed.strip_prefix('-') {
        Some(rest) => Parts {
            expr: rest.trim().to_string(),
            shallow: true,
        },
        None => Parts {
            expr: trimmed.to_string(),
            shallow: false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Vec<(&str, &str)> {
        scan(text)
            .into_iter()
            .map(|f| (f.prefix(text), f.token(text)))
            .collect()
    }

    #[test]
    fn finds_what_kyvernos_regex_finds() {
        assert_eq!(tokens("{{a}}"), [("", "{{a}}")]);
        assert_eq!(tokens("x{{a}} {{b}}"), [("x", "{{a}}"), (" ", "{{b}}")]);
        // The character before a variable belongs to the previous match's end.
        assert_eq!(tokens("{{a}}{{b}}"), [("", "{{a}}")]);
        assert_eq!(tokens("\\{{a}} {{b}}"), [(" ", "{{b}}")]);
        assert_eq!(tokens("{{ {a: b} }}"), [("", "{{ {a: b} }}")]);
        assert_eq!(tokens("{{a.{{b}}}}"), [(".", "{{b}}")]);
        assert_eq!(tokens("{{ {{a}} }}"), [(" ", "{{a}}")]);
        assert_eq!(tokens("{{ {a: {b: c}} }}"), []);
        assert_eq!(tokens("{{ a"), []);
        assert_eq!(tokens("{{{a}}}"), [("", "{{{a}}}")]);
        assert_eq!(tokens("é{{a}}"), [("é", "{{a}}")]);
        assert_eq!(tokens("ab\\{{a}} c{{b}}"), [("c", "{{b}}")]);
        assert_eq!(tokens("ab {{a}}"), [(" ", "{{a}}")]);
    }

    #[test]
    fn expression_text_drops_braces_and_space() {
        assert_eq!(parts("{{ a.b }}").expr, "a.b");
        assert_eq!(parts("{{{a}}}").expr, "{a}");
        let shallow = parts("{{-  a }}");
        assert_eq!((shallow.expr.as_str(), shallow.shallow), ("a", true));
        assert_eq!(parts("{{ }}").expr, "");
    }
}
