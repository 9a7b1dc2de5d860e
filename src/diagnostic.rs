//! Every user-facing error, whatever stage found it, rendered one way:
//! `path:line:col: error: message`, then the source line with a caret under the span.

use std::fmt;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use crate::source::{SourceMap, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// A problem found in some input: what is wrong, where, and what was expected.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    pub span: Option<Span>,
    /// Shown under the caret: usually what was expected at that place.
    pub label: Option<String>,
    pub notes: Vec<String>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            span: None,
            label: None,
            notes: Vec::new(),
        }
    }

    pub fn warning(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message)
        }
    }

    pub fn at(mut self, span: Span) -> Self {
        self.span = Some(span);
        self
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Renders diagnostics against the files they point into.
pub struct Emitter<'a> {
    sources: &'a SourceMap,
    renderer: Renderer,
}

impl<'a> Emitter<'a> {
    /// Plain, colourless output: what tests snapshot and what pipes receive.
    pub fn plain(sources: &'a SourceMap) -> Self {
        Emitter {
            sources,
            renderer: Renderer::plain(),
        }
    }

    pub fn styled(sources: &'a SourceMap) -> Self {
        Emitter {
            sources,
            renderer: Renderer::styled(),
        }
    }

    pub fn render(&self, diagnostic: &Diagnostic) -> String {
        let mut out = match diagnostic.span {
            Some(span) => format!("{}: ", self.sources.location(span)),
            None => String::new(),
        };
        out.push_str(&format!(
            "{}: {}\n",
            diagnostic.severity, diagnostic.message
        ));
        if let Some(snippet) = diagnostic.span.and_then(|s| self.snippet(s, diagnostic)) {
            out.push_str(&snippet);
            out.push('\n');
        }
        for note in &diagnostic.notes {
            out.push_str(&format!("  = note: {note}\n"));
        }
        out
    }

    pub fn render_all(&self, diagnostics: &[Diagnostic]) -> String {
        diagnostics.iter().map(|d| self.render(d)).collect()
    }

    /// The line holding the span's start, with a caret under the span (clipped to that line).
    fn snippet(&self, span: Span, diagnostic: &Diagnostic) -> Option<String> {
        let file = self.sources.get(span.file)?;
        let start = (span.start as usize).min(file.text.len());
        let line_start = file.text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = file.text[start..]
            .find('\n')
            .map_or(file.text.len(), |i| start + i);
        let line = &file.text[line_start..line_end];
        let from = start - line_start;
        let to = (span.end as usize).clamp(start, line_end) - line_start;
        let to = if to == from { from + 1 } else { to };
        let (line_no, _) = file.line_col(start);
        let mut annotation = AnnotationKind::Primary.span(from..to.min(line.len() + 1));
        if let Some(label) = &diagnostic.label {
            annotation = annotation.label(label.as_str());
        }
        let level = match diagnostic.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let group = Group::with_level(level).element(
            Snippet::source(line)
                .line_start(line_no)
                .annotation(annotation),
        );
        Some(self.renderer.render(&[group]).to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_location_line_and_caret() {
        let mut sources = SourceMap::new();
        let id = sources.add("p.yaml", "kind: ClusterPolicy\nspec:\n  rulez: []\n");
        let d = Diagnostic::error("unknown field `rulez` in spec")
            .at(Span::new(id, 28, 33))
            .with_label("expected one of `rules`, `background`");
        let text = Emitter::plain(&sources).render(&d);
        assert!(
            text.starts_with("p.yaml:3:3: error: unknown field `rulez` in spec\n"),
            "{text}"
        );
        assert!(text.contains("3 |   rulez: []"), "{text}");
        assert!(text.contains("^^^^^ expected one of"), "{text}");
    }
}
